//! The process API (`processes.md`) through the real router: the upstream api cases with exact
//! bodies, scripted mode and its snapshots, no orphans, remote-exec refusal, concurrency and
//! round-trip properties. (The 1 GiB memory test has its own binary, so its RSS is its own.)

#[path = "../common/mod.rs"]
mod common;

mod api;
mod lifecycle;
mod scripted;
mod stress;
