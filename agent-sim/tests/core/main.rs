//! Core routes and router rules through the real router: the acceptance tables of `core.md`
//! (TestAgent_DebugServer, the listening-ports cases, TestRecover, not-found and method cases),
//! the control API, the library API and the command line.

#[path = "../common/mod.rs"]
mod common;

mod baseline_bytes;
mod cli;
mod cli_tool;
mod control;
mod debug;
mod gating;
mod header_timeout;
mod library;
mod ports;
mod router_rules;
