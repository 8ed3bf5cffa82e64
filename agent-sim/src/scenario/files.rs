//! The files API section: a `memory` tree seeded from entries, or a `dir` root on disk.

use super::ScenarioError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FilesBackend {
    #[default]
    Memory,
    Dir,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FilesConfig {
    pub backend: FilesBackend,
    pub root: Option<String>,
    pub entries: serde_json::Map<String, serde_json::Value>,
}

impl FilesConfig {
    pub fn validate(&self, origin: &str, path: &str) -> Result<(), ScenarioError> {
        if self.backend == FilesBackend::Dir && self.root.is_none() {
            return Err(ScenarioError::invalid(
                origin,
                format!("{path}.root"),
                "backend \"dir\" needs a root directory",
            ));
        }
        Ok(())
    }
}
