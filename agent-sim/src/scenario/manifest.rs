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
    /// The parent agent's id; non-nil makes this a Dev Container sub-agent.
    pub parent_id: Uuid,
    /// The agent's id.
    pub agent_id: Uuid,
    /// The agent's name.
    pub agent_name: String,
    /// The workspace owner's user name.
    pub owner_name: String,
    /// The workspace's id.
    pub workspace_id: Uuid,
    /// The workspace's name.
    pub workspace_name: String,
    /// How many external Git auth providers are configured.
    pub git_auth_configs: i64,
    /// The VS Code port-forwarding URI template.
    pub vscode_port_proxy_uri: String,
    /// The workspace apps.
    pub apps: Vec<WorkspaceApp>,
    /// The DERP map (`null` when unset).
    pub derpmap: Option<DerpMap>,
    /// Whether DERP must use websockets.
    pub derp_force_websockets: bool,
    /// Environment variables for the agent's sessions (`null` when unset).
    pub environment_variables: Option<BTreeMap<String, String>>,
    /// The working directory of sessions.
    pub directory: String,
    /// The message-of-the-day file.
    pub motd_file: String,
    /// Whether direct (P2P) connections are disabled.
    pub disable_direct_connections: bool,
    /// The agent metadata to collect.
    pub metadata: Vec<MetadataDescription>,
    /// The agent's startup and shutdown scripts.
    pub scripts: Vec<AgentScript>,
    /// The devcontainers the manifest declares.
    pub devcontainers: Vec<ManifestDevcontainer>,
}

/// Fixed ids of the built-in default agent, so that a default run is reproducible.
pub const DEFAULT_AGENT_ID: Uuid = Uuid::from_u128(0x8c3f_5a1e_4b7d_4f2a_9c61_2d8e_0f4b_7a10);
/// The built-in default workspace's id.
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
    /// `codersdk.WorkspaceApp.ID`.
    pub id: Uuid,
    /// `codersdk.WorkspaceApp.URL`.
    #[serde(default, skip_serializing_if = "is_empty")]
    pub url: String,
    /// `codersdk.WorkspaceApp.External`.
    #[serde(default)]
    pub external: bool,
    /// `codersdk.WorkspaceApp.Slug`.
    pub slug: String,
    /// `codersdk.WorkspaceApp.DisplayName`.
    #[serde(default, skip_serializing_if = "is_empty")]
    pub display_name: String,
    /// `codersdk.WorkspaceApp.Command`.
    #[serde(default, skip_serializing_if = "is_empty")]
    pub command: String,
    /// `codersdk.WorkspaceApp.Icon`.
    #[serde(default, skip_serializing_if = "is_empty")]
    pub icon: String,
    /// `codersdk.WorkspaceApp.Subdomain`.
    #[serde(default)]
    pub subdomain: bool,
    /// `codersdk.WorkspaceApp.SubdomainName`.
    #[serde(default, skip_serializing_if = "is_empty")]
    pub subdomain_name: String,
    /// `codersdk.WorkspaceApp.SharingLevel`.
    #[serde(default = "default_sharing_level")]
    pub sharing_level: String,
    /// `codersdk.WorkspaceApp.Healthcheck`.
    #[serde(default)]
    pub healthcheck: Healthcheck,
    /// `codersdk.WorkspaceApp.Health`.
    #[serde(default = "default_health")]
    pub health: String,
    /// `codersdk.WorkspaceApp.Group`.
    #[serde(default, skip_serializing_if = "is_empty")]
    pub group: String,
    /// `codersdk.WorkspaceApp.Hidden`.
    #[serde(default)]
    pub hidden: bool,
    /// `codersdk.WorkspaceApp.OpenIn`.
    #[serde(default)]
    pub open_in: String,
    /// `codersdk.WorkspaceApp.Tooltip`.
    #[serde(default, skip_serializing_if = "is_empty")]
    pub tooltip: String,
    /// `codersdk.WorkspaceApp.Statuses`.
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
    /// `codersdk.Healthcheck.URL`.
    pub url: String,
    /// `codersdk.Healthcheck.Interval`.
    pub interval: i32,
    /// `codersdk.Healthcheck.Threshold`.
    pub threshold: i32,
}

/// `tailcfg.DERPMap` (Go field names).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DerpMap {
    /// `tailcfg.DERPMap.HomeParams`.
    #[serde(rename = "HomeParams", default)]
    pub home_params: DerpHomeParams,
    /// Keyed by region id as a string; Go sorts map keys as strings.
    #[serde(rename = "Regions", default)]
    pub regions: BTreeMap<String, DerpRegion>,
}

/// `tailcfg.DERPHomeParams`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DerpHomeParams {
    /// `tailcfg.DERPHomeParams.RegionScore`.
    #[serde(
        rename = "RegionScore",
        default,
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub region_score: BTreeMap<String, f64>,
}

/// `tailcfg.DERPRegion`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DerpRegion {
    /// `tailcfg.DERPRegion.EmbeddedRelay`.
    #[serde(rename = "EmbeddedRelay", default)]
    pub embedded_relay: bool,
    /// `tailcfg.DERPRegion.RegionID`.
    #[serde(rename = "RegionID")]
    pub region_id: i64,
    /// `tailcfg.DERPRegion.RegionCode`.
    #[serde(rename = "RegionCode", default)]
    pub region_code: String,
    /// `tailcfg.DERPRegion.RegionName`.
    #[serde(rename = "RegionName", default)]
    pub region_name: String,
    /// `tailcfg.DERPRegion.Avoid`.
    #[serde(rename = "Avoid", default, skip_serializing_if = "std::ops::Not::not")]
    pub avoid: bool,
    /// `tailcfg.DERPRegion.Nodes`.
    #[serde(rename = "Nodes", default)]
    pub nodes: Option<Vec<DerpNode>>,
}

fn is_zero_i64(v: &i64) -> bool {
    *v == 0
}

/// `tailcfg.DERPNode`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DerpNode {
    /// `tailcfg.DERPNode.Name`.
    #[serde(rename = "Name")]
    pub name: String,
    /// `tailcfg.DERPNode.RegionID`.
    #[serde(rename = "RegionID")]
    pub region_id: i64,
    /// `tailcfg.DERPNode.HostName`.
    #[serde(rename = "HostName")]
    pub host_name: String,
    /// `tailcfg.DERPNode.CertName`.
    #[serde(rename = "CertName", default, skip_serializing_if = "is_empty")]
    pub cert_name: String,
    /// `tailcfg.DERPNode.IPv4`.
    #[serde(rename = "IPv4", default, skip_serializing_if = "is_empty")]
    pub ipv4: String,
    /// `tailcfg.DERPNode.IPv6`.
    #[serde(rename = "IPv6", default, skip_serializing_if = "is_empty")]
    pub ipv6: String,
    /// `tailcfg.DERPNode.STUNPort`.
    #[serde(rename = "STUNPort", default, skip_serializing_if = "is_zero_i64")]
    pub stun_port: i64,
    /// `tailcfg.DERPNode.STUNOnly`.
    #[serde(
        rename = "STUNOnly",
        default,
        skip_serializing_if = "std::ops::Not::not"
    )]
    pub stun_only: bool,
    /// `tailcfg.DERPNode.DERPPort`.
    #[serde(rename = "DERPPort", default, skip_serializing_if = "is_zero_i64")]
    pub derp_port: i64,
    /// `tailcfg.DERPNode.InsecureForTests`.
    #[serde(
        rename = "InsecureForTests",
        default,
        skip_serializing_if = "std::ops::Not::not"
    )]
    pub insecure_for_tests: bool,
    /// `tailcfg.DERPNode.ForceHTTP`.
    #[serde(
        rename = "ForceHTTP",
        default,
        skip_serializing_if = "std::ops::Not::not"
    )]
    pub force_http: bool,
    /// `tailcfg.DERPNode.STUNTestIP`.
    #[serde(rename = "STUNTestIP", default, skip_serializing_if = "is_empty")]
    pub stun_test_ip: String,
    /// `tailcfg.DERPNode.CanPort80`.
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
    /// `codersdk.WorkspaceAgentMetadataDescription.DisplayName`.
    pub display_name: String,
    /// `codersdk.WorkspaceAgentMetadataDescription.Key`.
    pub key: String,
    /// `codersdk.WorkspaceAgentMetadataDescription.Script`.
    pub script: String,
    /// `codersdk.WorkspaceAgentMetadataDescription.Interval`.
    pub interval: i64,
    /// `codersdk.WorkspaceAgentMetadataDescription.Timeout`.
    pub timeout: i64,
}

/// `codersdk.WorkspaceAgentScript` (`timeout` in nanoseconds).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AgentScript {
    /// `codersdk.WorkspaceAgentScript.ID`.
    pub id: Uuid,
    /// `codersdk.WorkspaceAgentScript.LogSourceID`.
    pub log_source_id: Uuid,
    /// `codersdk.WorkspaceAgentScript.LogPath`.
    pub log_path: String,
    /// `codersdk.WorkspaceAgentScript.Script`.
    pub script: String,
    /// `codersdk.WorkspaceAgentScript.Cron`.
    pub cron: String,
    /// `codersdk.WorkspaceAgentScript.RunOnStart`.
    pub run_on_start: bool,
    /// `codersdk.WorkspaceAgentScript.RunOnStop`.
    pub run_on_stop: bool,
    /// `codersdk.WorkspaceAgentScript.StartBlocksLogin`.
    pub start_blocks_login: bool,
    /// `codersdk.WorkspaceAgentScript.Timeout`.
    pub timeout: i64,
    /// `codersdk.WorkspaceAgentScript.DisplayName`.
    pub display_name: String,
    /// `codersdk.WorkspaceAgentScript.ExitCode`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    /// `codersdk.WorkspaceAgentScript.Status`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// `codersdk.WorkspaceAgentDevcontainer` as it appears in the manifest.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ManifestDevcontainer {
    /// `codersdk.WorkspaceAgentDevcontainer.ID`.
    pub id: Uuid,
    /// `codersdk.WorkspaceAgentDevcontainer.Name`.
    pub name: String,
    /// `codersdk.WorkspaceAgentDevcontainer.WorkspaceFolder`.
    pub workspace_folder: String,
    /// `codersdk.WorkspaceAgentDevcontainer.ConfigPath`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub config_path: String,
    /// `codersdk.WorkspaceAgentDevcontainer.SubagentID`.
    pub subagent_id: Option<Uuid>,
    /// `codersdk.WorkspaceAgentDevcontainer.Status`.
    pub status: String,
    /// `codersdk.WorkspaceAgentDevcontainer.Dirty`.
    pub dirty: bool,
}
