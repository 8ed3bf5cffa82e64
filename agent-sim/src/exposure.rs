//! The one configuration the simulator refuses: running processes for real where anyone can
//! reach it.

use crate::scenario::{processes::ProcessMode, Scenario};
use std::net::SocketAddr;

/// A configuration the simulator refuses to run with.
#[derive(Debug, thiserror::Error)]
pub enum SimConfigError {
    /// `exec` processes on this non-loopback address without the opt-in.
    #[error(
        "refusing to run processes for real (processes.mode \"exec\") on non-loopback address {0}: \
         anyone who can reach it could run commands on this machine; \
         pass --allow-remote-exec to do it anyway, or use processes.mode \"scripted\""
    )]
    RemoteExec(SocketAddr),
}

/// Checks that `exec` process mode on a non-loopback address was explicitly allowed.
pub fn check_exec_exposure(
    scenario: &Scenario,
    listen: SocketAddr,
    allow_remote_exec: bool,
) -> Result<(), SimConfigError> {
    let exec = scenario.processes.mode == ProcessMode::Exec;
    if exec && !listen.ip().is_loopback() && !allow_remote_exec {
        return Err(SimConfigError::RemoteExec(listen));
    }
    Ok(())
}
