//! The files API (`files.md`) through the real router, on both backends: acceptance cases,
//! the edit matcher tables, confinement attacks on the `dir` backend, properties, and the
//! `files-tree` fixture's snapshots.

#[path = "../common/mod.rs"]
mod common;
#[allow(dead_code)]
mod support;

mod api;
mod confinement;
mod edit_tables;
mod fixture;
mod props;
