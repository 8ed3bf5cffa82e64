//! The listening-ports getter section: `static` lists or the `os` scan, and a forced error.

use super::error::ScenarioError;
use serde::{Deserialize, Serialize};

/// `codersdk.WorkspaceAgentListeningPort`, in wire order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListeningPort {
    /// `codersdk.WorkspaceAgentListeningPort.ProcessName`.
    #[serde(default)]
    pub process_name: String,
    /// `codersdk.WorkspaceAgentListeningPort.Network`.
    #[serde(default = "default_network")]
    pub network: String,
    /// `codersdk.WorkspaceAgentListeningPort.Port`.
    pub port: u16,
}

fn default_network() -> String {
    "tcp".into()
}

/// Where the ports come from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PortsSource {
    /// The scenario's list, order and duplicates kept.
    #[default]
    Static,
    /// This machine's IPv4 listening TCP sockets, read as the agent reads them on Linux.
    Os,
}

/// The listening-ports section: where the ports come from, or an error.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ListeningPortsConfig {
    /// `static` (the `ports` list) or `os` (this machine's sockets).
    pub source: PortsSource,
    /// The ports served with `static`.
    pub ports: Vec<ListeningPort>,
    /// When set, the getter fails with this text (→ 500 with it as `detail`).
    pub error: Option<String>,
}

impl ListeningPortsConfig {
    pub(crate) fn validate(&self, origin: &str, path: &str) -> Result<(), ScenarioError> {
        if self.source == PortsSource::Os && !self.ports.is_empty() {
            return Err(ScenarioError::invalid(
                origin,
                format!("{path}.ports"),
                "ports are read from the OS when source is \"os\"; leave ports empty",
            ));
        }
        Ok(())
    }
}
