//! `agentsdk.Manifest` and the types it embeds, in upstream field order (which is JSON order).
//! The manifest has no `omitempty` anywhere; nested types keep their own `omitempty` rules.
//! Served by `GET /debug/manifest`; `parent_id` also drives the containers gating.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

fn is_empty(s: &str) -> bool {
    s.is_empty()
}

/// `agentsdk.Manifest` (June 2026).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Manifest {
    pub parent_id: Uuid,
    pub agent_id: Uuid,
    pub agent_name: String,
    pub owner_name: String,
    pub workspace_id: Uuid,
    pub workspace_name: String,
    pub git_auth_configs: i64,
    pub vscode_port_proxy_uri: String,
    pub apps: Vec<WorkspaceApp>,
    pub derpmap: Option<DerpMap>,
    pub derp_force_websockets: bool,
    pub environment_variables: Option<BTreeMap<String, String>>,
    pub directory: String,
    pub motd_file: String,
    pub disable_direct_connections: bool,
    pub metadata: Vec<MetadataDescription>,
    pub scripts: Vec<AgentScript>,
    pub devcontainers: Vec<ManifestDevcontainer>,
}

/// Fixed ids of the built-in default agent, so that a default run is reproducible.
pub const DEFAULT_AGENT_ID: Uuid = Uuid::from_u128(0x8c3f_5a1e_4b7d_4f2a_9c61_2d8e_0f4b_7a10);
pub const DEFAULT_WORKSPACE_ID: Uuid = Uuid::from_u128(0x1b6e_2c4d_8f3a_4e91_b7d2_5c0a_9e6f_3d21);

impl Default for Manifest {
    fn default() -> Self {
        Self {
            parent_id: Uuid::nil(),
            agent_id: DEFAULT_AGENT_ID,
            agent_name: "main".into(),
            owner_name: "coder".into(),
            workspace_id: DEFAULT_WORKSPACE_ID,
            workspace_name: "dev".into(),
            git_auth_configs: 0,
            vscode_port_proxy_uri: String::new(),
            apps: Vec::new(),
            derpmap: None,
            derp_force_websockets: false,
            environment_variables: None,
            directory: "/home/coder".into(),
            motd_file: "/etc/motd".into(),
            disable_direct_connections: false,
            metadata: Vec::new(),
            scripts: Vec::new(),
            devcontainers: Vec::new(),
        }
    }
}

/// `codersdk.WorkspaceApp` as the manifest conversion fills it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkspaceApp {
    pub id: Uuid,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub url: String,
    #[serde(default)]
    pub external: bool,
    pub slug: String,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub display_name: String,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub command: String,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub icon: String,
    #[serde(default)]
    pub subdomain: bool,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub subdomain_name: String,
    #[serde(default = "default_sharing_level")]
    pub sharing_level: String,
    #[serde(default)]
    pub healthcheck: Healthcheck,
    #[serde(default = "default_health")]
    pub health: String,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub group: String,
    #[serde(default)]
    pub hidden: bool,
    #[serde(default)]
    pub open_in: String,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub tooltip: String,
    #[serde(default)]
    pub statuses: Option<Vec<serde_json::Value>>,
}

fn default_sharing_level() -> String {
    "owner".into()
}

fn default_health() -> String {
    "disabled".into()
}

/// `codersdk.Healthcheck`: always present in the manifest.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Healthcheck {
    pub url: String,
    pub interval: i32,
    pub threshold: i32,
}

/// `tailcfg.DERPMap` (Go field names).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DerpMap {
    #[serde(rename = "HomeParams", default)]
    pub home_params: DerpHomeParams,
    /// Keyed by region id as a string; Go sorts map keys as strings.
    #[serde(rename = "Regions", default)]
    pub regions: BTreeMap<String, DerpRegion>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DerpHomeParams {
    #[serde(
        rename = "RegionScore",
        default,
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub region_score: BTreeMap<String, f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DerpRegion {
    #[serde(rename = "EmbeddedRelay", default)]
    pub embedded_relay: bool,
    #[serde(rename = "RegionID")]
    pub region_id: i64,
    #[serde(rename = "RegionCode", default)]
    pub region_code: String,
    #[serde(rename = "RegionName", default)]
    pub region_name: String,
    #[serde(rename = "Avoid", default, skip_serializing_if = "std::ops::Not::not")]
    pub avoid: bool,
    #[serde(rename = "Nodes", default)]
    pub nodes: Option<Vec<DerpNode>>,
}

fn is_zero_i64(v: &i64) -> bool {
    *v == 0
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DerpNode {
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "RegionID")]
    pub region_id: i64,
    #[serde(rename = "HostName")]
    pub host_name: String,
    #[serde(rename = "CertName", default, skip_serializing_if = "is_empty")]
    pub cert_name: String,
    #[serde(rename = "IPv4", default, skip_serializing_if = "is_empty")]
    pub ipv4: String,
    #[serde(rename = "IPv6", default, skip_serializing_if = "is_empty")]
    pub ipv6: String,
    #[serde(rename = "STUNPort", default, skip_serializing_if = "is_zero_i64")]
    pub stun_port: i64,
    #[serde(
        rename = "STUNOnly",
        default,
        skip_serializing_if = "std::ops::Not::not"
    )]
    pub stun_only: bool,
    #[serde(rename = "DERPPort", default, skip_serializing_if = "is_zero_i64")]
    pub derp_port: i64,
    #[serde(
        rename = "InsecureForTests",
        default,
        skip_serializing_if = "std::ops::Not::not"
    )]
    pub insecure_for_tests: bool,
    #[serde(
        rename = "ForceHTTP",
        default,
        skip_serializing_if = "std::ops::Not::not"
    )]
    pub force_http: bool,
    #[serde(rename = "STUNTestIP", default, skip_serializing_if = "is_empty")]
    pub stun_test_ip: String,
    #[serde(
        rename = "CanPort80",
        default,
        skip_serializing_if = "std::ops::Not::not"
    )]
    pub can_port_80: bool,
}

/// `codersdk.WorkspaceAgentMetadataDescription` (interval/timeout read as seconds).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MetadataDescription {
    pub display_name: String,
    pub key: String,
    pub script: String,
    pub interval: i64,
    pub timeout: i64,
}

/// `codersdk.WorkspaceAgentScript` (`timeout` in nanoseconds).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AgentScript {
    pub id: Uuid,
    pub log_source_id: Uuid,
    pub log_path: String,
    pub script: String,
    pub cron: String,
    pub run_on_start: bool,
    pub run_on_stop: bool,
    pub start_blocks_login: bool,
    pub timeout: i64,
    pub display_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// `codersdk.WorkspaceAgentDevcontainer` as it appears in the manifest.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ManifestDevcontainer {
    pub id: Uuid,
    pub name: String,
    pub workspace_folder: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub config_path: String,
    pub subagent_id: Option<Uuid>,
    pub status: String,
    pub dirty: bool,
}
