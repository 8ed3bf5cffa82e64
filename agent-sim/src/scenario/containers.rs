//! The Dev Containers section: the feature flag, what the agent's Docker lister would return
//! (containers, warnings, or an error), the devcontainers it knows (in the agent's JSON shape),
//! how long simulated operations take, and which of them fail.

use super::error::ScenarioError;
use crate::containers::wire::{Container, DevcontainerAgent, Status, LOCAL_FOLDER_LABEL};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use uuid::Uuid;

fn some_empty() -> Option<Vec<Container>> {
    Some(Vec::new())
}

fn default_status() -> Status {
    Status::Stopped
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// The containers API section: the Docker lister's containers, the known devcontainers, and
/// how the simulated Docker operations behave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DevcontainersConfig {
    /// `CODER_AGENT_DEVCONTAINERS_ENABLE` (default true); forced off for sub-agents.
    pub enabled: bool,
    /// The lister's containers, in lister order. `null` is kept (`"containers": null`); the
    /// default is `[]`, what the Docker lister returns on a machine with no containers.
    #[serde(default = "some_empty")]
    pub containers: Option<Vec<Container>>,
    /// The lister's warnings (omitted from the wire when empty).
    pub warnings: Vec<String>,
    /// The devcontainers the agent knows (from the manifest or detected). Containers labelled
    /// `devcontainer.local_folder` with no entry here are detected as the agent detects them.
    pub devcontainers: Vec<DevcontainerSpec>,
    /// When set, the lister fails with this text: `GET /` answers 500 "Could not get containers".
    pub list_error: Option<String>,
    /// How long the simulated Docker operations take.
    pub timings: Timings,
    /// Operations that fail, and with which error.
    pub failures: Vec<FailureRule>,
    /// How long after start (or reset) the agent's first refresh takes: until then every
    /// request under `/api/v0/containers` waits, as the agent's do until its startup scripts
    /// have run and the first `docker ps` has returned.
    #[serde(skip_serializing_if = "is_zero")]
    pub ready_after_ms: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Default for DevcontainersConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            containers: some_empty(),
            warnings: Vec::new(),
            devcontainers: Vec::new(),
            list_error: None,
            timings: Timings::default(),
            failures: Vec::new(),
            ready_after_ms: 0,
        }
    }
}

/// One known devcontainer: `codersdk.WorkspaceAgentDevcontainer` fields plus `ignored`
/// (`customizations.coder.ignore: true` in its devcontainer.json: known but never listed).
/// `container`, when given, must name (by `id`) a container of the `containers` list; when
/// left out, the devcontainer is linked to the listed container labelled with its folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DevcontainerSpec {
    /// `codersdk.WorkspaceAgentDevcontainer.ID`.
    pub id: Uuid,
    /// `codersdk.WorkspaceAgentDevcontainer.Name`.
    #[serde(default)]
    pub name: String,
    /// `codersdk.WorkspaceAgentDevcontainer.WorkspaceFolder`.
    pub workspace_folder: String,
    /// `codersdk.WorkspaceAgentDevcontainer.ConfigPath`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub config_path: String,
    /// `codersdk.WorkspaceAgentDevcontainer.SubagentID`.
    #[serde(default)]
    pub subagent_id: Option<Uuid>,
    /// `codersdk.WorkspaceAgentDevcontainer.Status`.
    #[serde(default = "default_status")]
    pub status: Status,
    /// `codersdk.WorkspaceAgentDevcontainer.Dirty`.
    #[serde(default)]
    pub dirty: bool,
    /// `codersdk.WorkspaceAgentDevcontainer.Container`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<Container>,
    /// `codersdk.WorkspaceAgentDevcontainer.Agent`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<DevcontainerAgent>,
    /// `codersdk.WorkspaceAgentDevcontainer.Error`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub error: String,
    /// `codersdk.WorkspaceAgentDevcontainer.Ignored`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub ignored: bool,
}

/// Simulated durations, in milliseconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Timings {
    /// `devcontainer up` during a recreate: how long a devcontainer stays `starting`.
    pub recreate_ms: u64,
    /// `docker stop` during a delete: how long it stays `stopping`.
    pub stop_ms: u64,
    /// `docker rm` during a delete: how long it stays `deleting`.
    pub remove_ms: u64,
    /// The watch socket's ping interval (`httpapi.HeartbeatInterval`, 15 s on the agent);
    /// shorter in a scenario so that a client sees a ping without waiting.
    #[serde(skip_serializing_if = "is_heartbeat_interval")]
    pub ping_ms: u64,
}

/// `httpapi.HeartbeatInterval`, in milliseconds.
pub const HEARTBEAT_INTERVAL_MS: u64 = 15_000;

fn is_heartbeat_interval(ms: &u64) -> bool {
    *ms == HEARTBEAT_INTERVAL_MS
}

impl Default for Timings {
    fn default() -> Self {
        Self {
            recreate_ms: 2000,
            stop_ms: 500,
            remove_ms: 200,
            ping_ms: HEARTBEAT_INTERVAL_MS,
        }
    }
}

impl Timings {
    fn validate(&self, origin: &str, path: &str) -> Result<(), ScenarioError> {
        if self.ping_ms == 0 {
            return Err(ScenarioError::invalid(
                origin,
                format!("{path}.ping_ms"),
                "the ping interval must be at least 1 ms".to_string(),
            ));
        }
        Ok(())
    }
}

/// Which step of an operation fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailingStep {
    /// `devcontainer up` during a recreate (status `error`, or `running` with the error when
    /// `container_created`).
    Recreate,
    /// `docker stop` during a delete (500 "An error occurred stopping the container").
    Stop,
    /// `docker rm` during a delete (500 "An error occurred removing the container").
    Remove,
    /// Deleting the sub-agent during a delete (500 "An error occurred deleting the agent").
    AgentDelete,
}

/// Makes one step fail for the devcontainer at `workspace_folder` (the agent's identity key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FailureRule {
    /// The devcontainer (by workspace folder) whose operation fails.
    pub workspace_folder: String,
    /// Which operation fails.
    pub step: FailingStep,
    /// The error text the operation fails with.
    pub error: String,
    /// Recreate only: the container was created but a lifecycle script failed.
    #[serde(default, skip_serializing_if = "is_false")]
    pub container_created: bool,
    /// Fail only this many times, then succeed (default: every time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u32>,
}

impl DevcontainersConfig {
    pub(crate) fn validate(&self, origin: &str, path: &str) -> Result<(), ScenarioError> {
        let err = |p: String, m: String| ScenarioError::invalid(origin, p, m);
        let containers = self.containers.as_deref().unwrap_or_default();
        let mut ids = HashSet::new();
        for (i, c) in containers.iter().enumerate() {
            let p = format!("{path}.containers[{i}].id");
            if c.id.is_empty() {
                return Err(err(p, "a container id must not be empty".into()));
            }
            if !ids.insert(c.id.as_str()) {
                return Err(err(p, format!("duplicate container id {:?}", c.id)));
            }
        }
        let mut dc_ids = HashSet::new();
        let mut folders = HashSet::new();
        for (i, dc) in self.devcontainers.iter().enumerate() {
            let p = format!("{path}.devcontainers[{i}]");
            if !dc_ids.insert(dc.id) {
                return Err(err(
                    format!("{p}.id"),
                    format!("duplicate devcontainer id \"{}\"", dc.id),
                ));
            }
            if dc.workspace_folder.is_empty() {
                return Err(err(
                    format!("{p}.workspace_folder"),
                    "a workspace folder must not be empty".into(),
                ));
            }
            if !folders.insert(dc.workspace_folder.as_str()) {
                return Err(err(
                    format!("{p}.workspace_folder"),
                    format!(
                        "duplicate workspace folder {:?} (the agent keys devcontainers by folder)",
                        dc.workspace_folder
                    ),
                ));
            }
            if let Some(c) = &dc.container {
                if !ids.contains(c.id.as_str()) {
                    return Err(err(
                        format!("{p}.container.id"),
                        format!("container {:?} is not in {path}.containers", c.id),
                    ));
                }
            }
        }
        self.timings.validate(origin, &format!("{path}.timings"))?;
        let labelled: HashSet<&str> = containers
            .iter()
            .map(|c| c.label(LOCAL_FOLDER_LABEL))
            .filter(|f| !f.is_empty())
            .collect();
        for (i, rule) in self.failures.iter().enumerate() {
            let p = format!("{path}.failures[{i}]");
            let folder = rule.workspace_folder.as_str();
            if !folders.contains(folder) && !labelled.contains(folder) {
                return Err(err(
                    format!("{p}.workspace_folder"),
                    format!("no devcontainer has workspace folder {folder:?}"),
                ));
            }
            if rule.container_created && rule.step != FailingStep::Recreate {
                return Err(err(
                    format!("{p}.container_created"),
                    "only a recreate can fail after creating its container".into(),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scenario;

    fn load(json: &str) -> Result<Scenario, ScenarioError> {
        Scenario::from_json("test", json)
    }

    fn path_of(json: &str) -> String {
        load(json).unwrap_err().path().to_string()
    }

    const DC: &str = r#"{"id":"6b1f2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d","workspace_folder":"/w/a"}"#;

    #[test]
    fn defaults_are_an_empty_docker_lister() {
        let s = load("{}").unwrap();
        assert_eq!(s.devcontainers.containers, Some(vec![]));
        assert!(s.devcontainers.devcontainers.is_empty());
        let s = load(r#"{"devcontainers":{"containers":null}}"#).unwrap();
        assert_eq!(s.devcontainers.containers, None);
    }

    #[test]
    fn errors_name_the_json_path() {
        assert_eq!(
            path_of(r#"{"devcontainers":{"containers":[{"id":"a"},{"id":"a"}]}}"#),
            "devcontainers.containers[1].id"
        );
        assert_eq!(
            path_of(r#"{"devcontainers":{"containers":[{"id":""}]}}"#),
            "devcontainers.containers[0].id"
        );
        assert_eq!(
            path_of(&format!(
                r#"{{"devcontainers":{{"devcontainers":[{DC},{DC}]}}}}"#
            )),
            "devcontainers.devcontainers[1].id"
        );
        assert_eq!(
            path_of(
                r#"{"devcontainers":{"devcontainers":[{"id":"6b1f2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d","workspace_folder":"/w","status":"building"}]}}"#
            ),
            "devcontainers.devcontainers[0].status"
        );
        assert_eq!(
            path_of(
                r#"{"devcontainers":{"devcontainers":[{"id":"nope","workspace_folder":"/w"}]}}"#
            ),
            "devcontainers.devcontainers[0].id"
        );
        assert_eq!(
            path_of(
                r#"{"devcontainers":{"devcontainers":[{"id":"6b1f2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d","workspace_folder":"/w/a"},{"id":"7b1f2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d","workspace_folder":"/w/a"}]}}"#
            ),
            "devcontainers.devcontainers[1].workspace_folder"
        );
        assert_eq!(
            path_of(
                r#"{"devcontainers":{"devcontainers":[{"id":"6b1f2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d","workspace_folder":"/w/a","container":{"id":"ghost"}}]}}"#
            ),
            "devcontainers.devcontainers[0].container.id"
        );
        assert_eq!(
            path_of(r#"{"devcontainers":{"containers":[{"id":"a","created_at":"yesterday"}]}}"#),
            "devcontainers.containers[0].created_at"
        );
        assert!(
            path_of(r#"{"devcontainers":{"containers":[{"id":"a","colour":"red"}]}}"#)
                .starts_with("devcontainers.containers[0]")
        );
        assert_eq!(
            path_of(
                r#"{"devcontainers":{"failures":[{"workspace_folder":"/nowhere","step":"recreate","error":"x"}]}}"#
            ),
            "devcontainers.failures[0].workspace_folder"
        );
        assert_eq!(
            path_of(&format!(
                r#"{{"devcontainers":{{"devcontainers":[{DC}],"failures":[{{"workspace_folder":"/w/a","step":"stop","error":"x","container_created":true}}]}}}}"#
            )),
            "devcontainers.failures[0].container_created"
        );
    }

    #[test]
    fn the_ping_interval_defaults_to_the_heartbeat_and_is_kept_out_of_the_json() {
        let s = load("{}").unwrap();
        assert_eq!(s.devcontainers.timings.ping_ms, 15_000);
        let json = serde_json::to_value(&s.devcontainers.timings).unwrap();
        assert!(json.get("ping_ms").is_none(), "{json}");
        let s = load(r#"{"devcontainers":{"timings":{"ping_ms":200}}}"#).unwrap();
        assert_eq!(s.devcontainers.timings.ping_ms, 200);
        assert_eq!(
            serde_json::to_value(&s.devcontainers.timings).unwrap()["ping_ms"],
            200
        );
        assert_eq!(
            path_of(r#"{"devcontainers":{"timings":{"ping_ms":0}}}"#),
            "devcontainers.timings.ping_ms"
        );
    }

    #[test]
    fn ids_are_normalised_to_canonical_form() {
        let s = load(
            r#"{"devcontainers":{"devcontainers":[{"id":"6B1F2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D","workspace_folder":"/w"}]}}"#,
        )
        .unwrap();
        assert_eq!(
            s.devcontainers.devcontainers[0].id.to_string(),
            "6b1f2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
        );
    }
}
