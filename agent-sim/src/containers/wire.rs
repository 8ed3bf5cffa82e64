//! The codersdk types of the containers API on the wire (`containers.md` §7): field order is Go's
//! struct order, `omitempty` fields are skipped when empty, `null` stays `null`. The same types
//! are used in scenarios, so a `GET /api/v0/containers` answer pasted into a scenario loads.

use crate::gotime::GoTime;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Labels the agent reads on containers.
pub const LOCAL_FOLDER_LABEL: &str = "devcontainer.local_folder";
pub const CONFIG_FILE_LABEL: &str = "devcontainer.config_file";
pub const IS_TEST_RUN_LABEL: &str = "devcontainer.is_test_run";

fn empty_map() -> Option<BTreeMap<String, String>> {
    Some(BTreeMap::new())
}

fn empty_ports() -> Option<Vec<ContainerPort>> {
    Some(Vec::new())
}

fn is_zero(n: &u16) -> bool {
    *n == 0
}

/// `codersdk.WorkspaceAgentContainer`. In a scenario every field but `id` may be left out;
/// `labels`, `ports` and `volumes` then default to empty (as the Docker lister gives them) and
/// an explicit `null` is kept as `null`. Maps print sorted by key, as Go prints them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Container {
    #[serde(default)]
    pub created_at: GoTime,
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub image: String,
    #[serde(default = "empty_map")]
    pub labels: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub running: bool,
    #[serde(default = "empty_ports")]
    pub ports: Option<Vec<ContainerPort>>,
    #[serde(default)]
    pub status: String,
    #[serde(default = "empty_map")]
    pub volumes: Option<BTreeMap<String, String>>,
}

impl Container {
    pub fn label(&self, name: &str) -> &str {
        self.labels
            .as_ref()
            .and_then(|l| l.get(name))
            .map_or("", String::as_str)
    }
}

/// `codersdk.WorkspaceAgentContainerPort`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContainerPort {
    pub port: u16,
    #[serde(default)]
    pub network: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub host_ip: String,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub host_port: u16,
}

/// `codersdk.WorkspaceAgentDevcontainerStatus`: the six statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Running,
    Stopped,
    Starting,
    Stopping,
    Deleting,
    Error,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Running,
        Status::Stopped,
        Status::Starting,
        Status::Stopping,
        Status::Deleting,
        Status::Error,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Running => "running",
            Status::Stopped => "stopped",
            Status::Starting => "starting",
            Status::Stopping => "stopping",
            Status::Deleting => "deleting",
            Status::Error => "error",
        }
    }

    /// `Transitioning()`: an operation owns the devcontainer.
    pub fn transitioning(self) -> bool {
        matches!(self, Status::Starting | Status::Stopping | Status::Deleting)
    }
}

/// `codersdk.WorkspaceAgentDevcontainerAgent`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DevcontainerAgent {
    pub id: Uuid,
    pub name: String,
    pub directory: String,
}

/// `codersdk.WorkspaceAgentDevcontainer` as the agent writes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Devcontainer {
    pub id: Uuid,
    pub name: String,
    pub workspace_folder: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub config_path: String,
    /// `uuid.NullUUID` marshals itself, so `omitempty` never drops it: `null` when unset.
    pub subagent_id: Option<Uuid>,
    pub status: Status,
    pub dirty: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<Container>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent: Option<DevcontainerAgent>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub error: String,
}

impl Devcontainer {
    /// `WorkspaceAgentDevcontainer.Equals`: what a broadcast is deduplicated on (the container
    /// only by presence and id; `config_path` not at all).
    pub fn equals(&self, other: &Devcontainer) -> bool {
        self.id == other.id
            && self.name == other.name
            && self.workspace_folder == other.workspace_folder
            && self.subagent_id == other.subagent_id
            && self.status == other.status
            && self.dirty == other.dirty
            && self.container.as_ref().map(|c| &c.id) == other.container.as_ref().map(|c| &c.id)
            && self.agent == other.agent
            && self.error == other.error
    }
}

/// `codersdk.WorkspaceAgentListContainersResponse`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ListResponse {
    pub devcontainers: Option<Vec<Devcontainer>>,
    pub containers: Option<Vec<Container>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn container_defaults_and_nulls() {
        let c: Container = serde_json::from_str(r#"{"id":"c1"}"#).unwrap();
        assert_eq!(
            String::from_utf8(crate::gojson::to_vec(&c)).unwrap(),
            "{\"created_at\":\"0001-01-01T00:00:00Z\",\"id\":\"c1\",\"name\":\"\",\"image\":\"\",\"labels\":{},\"running\":false,\"ports\":[],\"status\":\"\",\"volumes\":{}}\n"
        );
        let c: Container =
            serde_json::from_str(r#"{"id":"c1","labels":null,"ports":null,"volumes":null}"#)
                .unwrap();
        let out = String::from_utf8(crate::gojson::to_vec(&c)).unwrap();
        assert!(out.contains("\"labels\":null"), "{out}");
        assert!(out.contains("\"ports\":null"), "{out}");
        assert!(out.contains("\"volumes\":null"), "{out}");
    }

    #[test]
    fn labels_print_sorted_and_ports_omit_empty() {
        let c: Container = serde_json::from_str(
            r#"{"id":"c","labels":{"z":"1","a":"<&>"},"ports":[{"port":80,"network":"tcp"},{"port":81,"network":"udp","host_ip":"0.0.0.0","host_port":8081}]}"#,
        )
        .unwrap();
        let out = String::from_utf8(crate::gojson::to_vec(&c)).unwrap();
        assert!(
            out.contains(r#""labels":{"a":"\u003c\u0026\u003e","z":"1"}"#),
            "{out}"
        );
        assert!(out.contains(r#""ports":[{"port":80,"network":"tcp"},{"port":81,"network":"udp","host_ip":"0.0.0.0","host_port":8081}]"#), "{out}");
    }
}
