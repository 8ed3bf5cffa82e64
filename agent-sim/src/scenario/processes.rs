//! The process API section: `exec` runs `sh -c` for real, `scripted` answers from scripts.

use super::ScenarioError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProcessMode {
    #[default]
    Exec,
    Scripted,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProcessesConfig {
    pub mode: ProcessMode,
    pub scripts: Vec<serde_json::Value>,
}

impl ProcessesConfig {
    pub fn validate(&self, _origin: &str, _path: &str) -> Result<(), ScenarioError> {
        Ok(())
    }
}
