//! The suite's cases, one module per area and tier. [`all`] lists them in order: black-box,
//! local, controlled; the runner runs the tiers black-box, controlled, local. Every controlled case puts or patches the scenario: they form one
//! [`Group::Scenario`].

pub mod container_list;
pub mod containers;
pub mod controlled;
pub mod core;
pub mod core_controlled;
pub mod core_wire;
pub mod devcontainer_failures;
pub mod devcontainers;
pub mod files;
pub mod local;
pub mod local_processes;
pub mod process_api;
pub mod processes;
pub mod processes_buffer;
pub mod processes_env;
pub mod processes_exec;
pub mod processes_list;
pub mod properties;
pub mod router;
pub mod watch;

use crate::case::{Case, Group, Tier};
use crate::fixtures::Fixture;

/// Every case, in run order.
pub fn all(fixtures: &[Fixture]) -> Vec<Case> {
    let mut v = core::cases();
    v.extend(router::cases());
    v.extend(processes::cases());
    v.extend(files::cases());
    v.extend(containers::cases());
    v.extend(devcontainers::black_box_cases());
    v.extend(watch::cases());
    v.extend(local::cases());
    // Snapshots first: the `faults` fixture's hang is waited out while later cases run.
    v.extend(controlled::cases(fixtures));
    v.extend(core_controlled::cases());
    v.extend(devcontainers::controlled_cases());
    v.extend(devcontainer_failures::cases());
    v.extend(container_list::cases());
    v.extend(properties::cases());
    // Stable: the order within a tier is the order above.
    v.sort_by_key(|c| c.tier);
    v.into_iter()
        .map(|c| match c.tier {
            Tier::Controlled => c.in_group(Group::Scenario),
            _ => c,
        })
        .collect()
}
