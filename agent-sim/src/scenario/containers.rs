//! The Dev Containers section: the feature flag, the containers and devcontainers the agent
//! would see through Docker, and a lister error.

use super::ScenarioError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DevcontainersConfig {
    /// `CODER_AGENT_DEVCONTAINERS_ENABLE` (default true); forced off for sub-agents.
    pub enabled: bool,
    pub containers: Vec<serde_json::Value>,
    pub devcontainers: Vec<serde_json::Value>,
    pub list_error: Option<String>,
}

impl Default for DevcontainersConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            containers: Vec::new(),
            devcontainers: Vec::new(),
            list_error: None,
        }
    }
}

impl DevcontainersConfig {
    pub fn validate(&self, _origin: &str, _path: &str) -> Result<(), ScenarioError> {
        Ok(())
    }
}
