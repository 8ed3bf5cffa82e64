//! `healthsdk.AgentNetcheckReport`, served by `GET /api/v0/netcheck`, in upstream field order.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `health.Message`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthMessage {
    pub code: String,
    pub message: String,
}

/// `healthsdk.AgentNetcheckReport` (embedded `BaseReport` first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NetcheckReport {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub severity: String,
    pub warnings: Option<Vec<HealthMessage>>,
    pub dismissed: bool,
    pub net_info: Option<NetInfo>,
    pub interfaces: InterfacesReport,
}

impl Default for NetcheckReport {
    fn default() -> Self {
        Self {
            error: None,
            severity: "ok".into(),
            warnings: None,
            dismissed: false,
            net_info: None,
            interfaces: InterfacesReport::default(),
        }
    }
}

/// `tailcfg.NetInfo` (Go field names; `opt.Bool` is `null` when unset).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NetInfo {
    #[serde(rename = "MappingVariesByDestIP")]
    pub mapping_varies_by_dest_ip: Option<bool>,
    #[serde(rename = "HairPinning")]
    pub hair_pinning: Option<bool>,
    #[serde(rename = "WorkingIPv6")]
    pub working_ipv6: Option<bool>,
    #[serde(rename = "OSHasIPv6")]
    pub os_has_ipv6: Option<bool>,
    #[serde(rename = "WorkingUDP")]
    pub working_udp: Option<bool>,
    #[serde(rename = "WorkingICMPv4")]
    pub working_icmpv4: Option<bool>,
    #[serde(rename = "HavePortMap", skip_serializing_if = "std::ops::Not::not")]
    pub have_port_map: bool,
    #[serde(rename = "UPnP")]
    pub upnp: Option<bool>,
    #[serde(rename = "PMP")]
    pub pmp: Option<bool>,
    #[serde(rename = "PCP")]
    pub pcp: Option<bool>,
    #[serde(rename = "PreferredDERP")]
    pub preferred_derp: i64,
    #[serde(rename = "LinkType", skip_serializing_if = "String::is_empty")]
    pub link_type: String,
    #[serde(rename = "DERPLatency", skip_serializing_if = "BTreeMap::is_empty")]
    pub derp_latency: BTreeMap<String, f64>,
    #[serde(rename = "FirewallMode", skip_serializing_if = "String::is_empty")]
    pub firewall_mode: String,
}

/// `healthsdk.InterfacesReport`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InterfacesReport {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub severity: String,
    pub warnings: Option<Vec<HealthMessage>>,
    pub dismissed: bool,
    pub interfaces: Option<Vec<Interface>>,
}

impl Default for InterfacesReport {
    fn default() -> Self {
        Self {
            error: None,
            severity: "ok".into(),
            warnings: None,
            dismissed: false,
            interfaces: None,
        }
    }
}

/// `healthsdk.Interface`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Interface {
    pub name: String,
    pub mtu: i64,
    #[serde(default)]
    pub addresses: Vec<String>,
}
