//! Fault rules: per-route latency, status, reset, hang or panic, with a probability.

use super::ScenarioError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultRule(pub serde_json::Value);

impl FaultRule {
    pub fn validate(&self, _origin: &str, _path: &str) -> Result<(), ScenarioError> {
        Ok(())
    }
}
