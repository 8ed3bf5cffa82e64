//! `agent-sim`: a simulated Coder workspace agent HTTP API. Every route the agent serves is
//! answered byte for byte as the agent would answer it, from a [`Scenario`] instead of a
//! machine. Start one in-process with [`Sim`], or embed [`router`] in your own server.

pub mod app;
pub mod containers;
pub mod control;
pub mod faults;
pub mod files;
pub mod fleet;
pub mod gojson;
pub mod gostr;
pub mod gotime;
pub mod journal;
pub mod metrics;
pub mod portscan;
pub mod processes;
pub mod record;
pub mod response;
pub mod router;
pub mod routes;
pub mod scenario;
pub mod server;
pub mod sim;
pub mod state;

pub use app::{agent_router, control_router, router};
pub use scenario::{Scenario, ScenarioError};
pub use sim::{Sim, SimBuilder, StartError};
pub use state::AppState;

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
