//! `conformance`: checks any Coder workspace agent implementation, reached by URL, against
//! the agent's expected responses. Cases are data ([`case::Case`]) grouped by [`case::Tier`];
//! [`runner::run`] detects the tiers a target allows and runs them; [`report`] writes the
//! console lines, JSON, JUnit XML and HTML.

// A `Failure` carries the request, both responses and a diff; it is built once per failing
// case, so its size is not worth boxing.
#![allow(clippy::result_large_err)]

pub mod case;
pub mod cases;
pub mod compare;
pub mod context;
pub mod diff;
pub mod expect;
pub mod fixtures;
pub mod http;
pub mod report;
pub mod runner;
pub mod snapshot;

pub use case::{Case, Failure, Tier};
pub use runner::{run, Outcome, Report, RunConfig, RunError};
