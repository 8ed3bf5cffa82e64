//! `conformance`: checks any Coder workspace agent implementation, reached by URL, against
//! the agent's expected responses. Cases are data ([`Case`]) grouped by [`Tier`]; [`run`]
//! detects the tiers a target allows and runs them, returning a [`Report`]; [`report`] writes
//! the console lines, JSON, JUnit XML and HTML.
//!
//! From `cargo test`, against an agent started in the same program (here the simulator):
//!
//! ```no_run
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let agent = agent_sim::Sim::builder().start().await?;
//! let config = conformance::RunConfig::new(&agent.url());
//! let report = conformance::run(config, |_| {}).await?;
//! assert!(!report.failed(), "{}", report.summary_line());
//! # Ok(()) }
//! ```

// A `Failure` carries the request, both responses and a diff; it is built once per failing
// case, so its size is not worth boxing.
#![allow(clippy::result_large_err)]
#![warn(missing_docs)]

pub mod report;

// The suite's inner workings, reachable from the `agent-conformance` binary and this crate's
// tests; not part of the API.
// Cases as data, tiers, failures.
#[doc(hidden)]
pub mod case;
// The cases, one module per route group (the suite tests list them).
#[doc(hidden)]
pub mod cases;
// The `agent-conformance` command line (the binary, tests).
#[doc(hidden)]
pub mod cli;
// The rule-coverage matrix (COVERAGE.md, the coverage test, `agent-conformance rules`).
#[doc(hidden)]
pub mod coverage;
// Comparing two agents, or an agent and a saved baseline (the `compare` command, tests).
#[doc(hidden)]
pub mod compare;
// What a case gets: target, client, fixtures.
#[doc(hidden)]
pub mod context;
// Unified diffs of expected and actual answers.
#[doc(hidden)]
pub mod diff;
// Why a case failed (reason, request, diff, reproducer).
#[doc(hidden)]
pub mod failure;
// Expectations on one answer.
#[doc(hidden)]
pub mod expect;
// Loading the fixture scenarios (the command line, tests).
#[doc(hidden)]
pub mod fixtures;
// The raw HTTP client the cases use.
#[doc(hidden)]
pub mod http;
// A case's hold on its serialized group (the runner gives it, a case may hand it on early).
#[doc(hidden)]
pub mod lease;
// The local tier's listeners on this host.
#[doc(hidden)]
pub mod listeners;
// The spec's rules by name (`rules/*.toml`).
#[doc(hidden)]
pub mod rules;
// The runner (the command line, tests).
#[doc(hidden)]
pub mod runner;
// Reading the expected-response snapshots.
#[doc(hidden)]
pub mod snapshot;

pub use case::{Case, Tier};
pub use failure::Failure;
pub use runner::{run, CaseResult, Outcome, Report, RunConfig, RunError};
