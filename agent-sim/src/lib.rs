//! `agent-sim`: a simulated Coder workspace agent HTTP API. Every route the agent serves is
//! answered byte for byte as the agent would answer it, from a [`Scenario`] instead of a
//! machine. Start one in-process with [`Sim`], or embed [`router`] in your own server.

#![warn(missing_docs)]

pub mod fleet;
pub mod scenario;

pub(crate) mod app;
pub(crate) mod capture;
pub(crate) mod control;
pub(crate) mod faults;
pub(crate) mod metrics;
pub(crate) mod portscan;
pub(crate) mod response;
pub(crate) mod sim;
pub(crate) mod state;
pub(crate) mod verify;

// The simulator's inner workings, reachable from this crate's own integration tests and
// benches and from the `conformance` crate (Go JSON encoding); not part of the API.
#[doc(hidden)]
pub mod containers;
#[doc(hidden)]
pub mod files;
#[doc(hidden)]
pub mod gojson;
#[doc(hidden)]
pub mod gostr;
#[doc(hidden)]
pub mod gotime;
#[doc(hidden)]
pub mod journal;
#[doc(hidden)]
pub mod processes;
#[doc(hidden)]
pub mod routes;
#[doc(hidden)]
pub mod routing;
#[doc(hidden)]
pub mod server;

// The route-table module's name inside the crate (the public `router` is the function).
use routing as router;

#[doc(hidden)]
pub use app::agent_router_with;
pub use app::{agent_router, control_router, router};
pub use journal::{JournalEntry, ReceivedRequest};
pub use scenario::{FaultRule, Scenario, ScenarioError};
pub use sim::{ScopedScenario, Sim, SimBuilder, StartError};
pub use state::AppState;
pub use verify::{Expectation, VerificationError};

use std::net::SocketAddr;

/// A configuration the simulator refuses to run with.
#[derive(Debug, thiserror::Error)]
pub enum SimConfigError {
    #[error(
        "refusing to run processes for real (processes.mode \"exec\") on non-loopback address {0}: \
         anyone who can reach it could run commands on this machine; \
         pass --allow-remote-exec to do it anyway, or use processes.mode \"scripted\""
    )]
    RemoteExec(SocketAddr),
}

/// `exec` mode on a non-loopback address needs an explicit opt-in.
pub fn check_exec_exposure(
    scenario: &Scenario,
    listen: SocketAddr,
    allow_remote_exec: bool,
) -> Result<(), SimConfigError> {
    let exec = scenario.processes.mode == scenario::processes::ProcessMode::Exec;
    if exec && !listen.ip().is_loopback() && !allow_remote_exec {
        return Err(SimConfigError::RemoteExec(listen));
    }
    Ok(())
}
