//! `agent-sim`: a simulated Coder workspace agent HTTP API. Every route the agent serves is
//! answered byte for byte as the agent would answer it, from a [`Scenario`] instead of a
//! machine.
//!
//! As a test library it works like wiremock-rs's `MockServer`, with the agent's behaviour
//! built in:
//!
//! - [`Sim::builder`] / [`Sim::start`] start a simulator on a free loopback port
//!   ([`SimBuilder::listener`] takes a listener you bound); [`Sim::url`] is its address.
//! - [`Scenario::fixture`] loads a shipped fixture by name from anywhere; the scenario's
//!   section types ([`scenario::Manifest`], [`scenario::DevcontainersConfig`], …) are plain
//!   structs. [`SimBuilder::start`] validates the scenario.
//! - [`Sim::update_scenario`] edits the scenario in place (validated, applied atomically, as
//!   `PATCH /__sim/scenario` is); [`Sim::scoped_scenario`] does it until its guard drops.
//! - [`FaultRule::latency`], [`FaultRule::status`], [`FaultRule::reset`], [`FaultRule::hang`]
//!   and [`FaultRule::panic`] inject faults per route (`"METHOD /pattern"`).
//! - [`Sim::received_requests`] returns what was received ([`ReceivedRequest`]: method, path,
//!   query, headers, body, status); [`Sim::expect`] registers expectations that
//!   [`Sim::verify`] checks, and dropping the `Sim` checks them too.
//! - [`router`], [`agent_router`] and [`control_router`] serve an [`AppState`] from your own
//!   axum server; [`fleet`] runs many agents in one process.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use agent_sim::{FaultRule, Scenario, Sim};
//! use std::time::Duration;
//!
//! let sim = Sim::builder()
//!     .scenario(Scenario::fixture("default")?)
//!     .start()
//!     .await?;
//! sim.update_scenario(|s| {
//!     s.faults.push(FaultRule::latency("GET /", Duration::from_millis(5)));
//! })
//! .await?;
//! sim.expect("GET /").times(1);
//!
//! let body = reqwest::get(format!("{}/", sim.url())).await?.text().await?;
//! assert_eq!(body, "{\"message\":\"Hello from the agent!\"}\n");
//! assert_eq!(sim.received_requests().await[0].fault.as_deref(), Some("latency"));
//! # Ok(()) }
//! ```
//!
//! The control API under `/__sim/` (scenario, reset, journal) is served on the agent's port
//! unless [`SimBuilder::control_listen`] moves it; `GET /__sim/` lists its routes.

#![warn(missing_docs)]

pub mod fleet;
pub mod scenario;

pub(crate) mod api_error;
pub(crate) mod app;
pub(crate) mod capture;
pub(crate) mod control;
pub(crate) mod exposure;
pub(crate) mod fault_plan;
pub(crate) mod faults;
pub(crate) mod godecode;
pub(crate) mod gourl;
pub(crate) mod header_timer;
pub(crate) mod metrics;
pub(crate) mod peer;
pub(crate) mod portscan;
pub(crate) mod recover;
pub(crate) mod response;
pub(crate) mod seeded;
pub(crate) mod servers;
pub(crate) mod sim;
pub(crate) mod state;
pub(crate) mod verify;

// The simulator's inner workings, reachable from this crate's own integration tests and
// benches and from the `conformance` crate (Go JSON encoding); not part of the API.

// The bare axum server the instructions bench compares with (the bench and its bytes test).
#[doc(hidden)]
pub mod baseline;
// Devcontainer state machine and wire types (the containers property tests).
#[doc(hidden)]
pub mod containers;
// File stores and virtual paths (the files tests read the memory tree).
#[doc(hidden)]
pub mod files;
// Go `net/http` and chi wire rules (the gating tests list chi's methods).
#[doc(hidden)]
pub mod gohttp;
// Go `encoding/json` output (the conformance crate encodes as the agent does).
#[doc(hidden)]
pub mod gojson;
// Go string quoting (the processes tests).
#[doc(hidden)]
pub mod gostr;
// Go `time.Time` on the wire (the containers property tests).
#[doc(hidden)]
pub mod gotime;
// The request journal (the tests read it through `AppState`).
#[doc(hidden)]
pub mod journal;
// The layering check (this crate's and the conformance crate's `layers` tests).
#[doc(hidden)]
pub mod layers;
// Logging set-up (the `agent-sim` binary).
#[doc(hidden)]
pub mod logging;
// Process backends and the head/tail buffer (tests and benches).
#[doc(hidden)]
pub mod processes;
// Recording a live agent into a scenario (the `agent-sim record` command and its tests).
#[doc(hidden)]
pub mod record;
// The agent's route tables (the router-rules tests serve their own).
#[doc(hidden)]
pub mod routes;
// chi routing rules (the router-rules and gating tests).
#[doc(hidden)]
pub mod routing;
// Serving a router the way Go's `net/http` does (benches, conformance tests).
#[doc(hidden)]
pub mod server;

// The route-table module's name inside the crate (the public `router` is the function).
use routing as router;

#[doc(hidden)]
pub use app::agent_router_with;
pub use app::{agent_router, control_router, router};
pub use exposure::{check_exec_exposure, SimConfigError};
pub use journal::{JournalEntry, ReceivedRequest};
pub use scenario::{FaultRule, Scenario, ScenarioError};
pub use sim::{ScopedScenario, Sim, SimBuilder, StartError};
pub use state::AppState;
pub use verify::{Expectation, VerificationError};
