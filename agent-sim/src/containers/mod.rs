//! The Dev Containers state behind /api/v0/containers: containers, devcontainers and their status machine.

use crate::scenario::Scenario;

#[derive(Debug, Default)]
pub struct ContainerStore {}

impl ContainerStore {
    /// Builds the state for a newly started simulator.
    pub fn new(_scenario: &Scenario) -> Self {
        Self {}
    }

    /// A new scenario was put in force (PUT/PATCH, `Sim::set_scenario`).
    pub fn apply_scenario(&self, _scenario: &Scenario) {}

    /// `POST /__sim/reset`: back to the start scenario, forgetting run-time state.
    pub fn reset(&self, _scenario: &Scenario) {}

    /// The simulator is shutting down (signal, drop of the handle).
    pub fn shutdown(&self) {}
}
