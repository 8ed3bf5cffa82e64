//! `healthsdk.AgentNetcheckReport`, served by `GET /api/v0/netcheck`, in upstream field order.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `health.Message`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthMessage {
    /// `health.Message.Code`.
    pub code: String,
    /// `health.Message.Message`.
    pub message: String,
}

/// `healthsdk.AgentNetcheckReport` (embedded `BaseReport` first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NetcheckReport {
    /// `healthsdk.AgentNetcheckReport.Error`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// `healthsdk.AgentNetcheckReport.Severity`.
    pub severity: String,
    /// `healthsdk.AgentNetcheckReport.Warnings`.
    pub warnings: Option<Vec<HealthMessage>>,
    /// `healthsdk.AgentNetcheckReport.Dismissed`.
    pub dismissed: bool,
    /// `healthsdk.AgentNetcheckReport.NetInfo`.
    pub net_info: Option<NetInfo>,
    /// `healthsdk.AgentNetcheckReport.Interfaces`.
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
    /// `tailcfg.NetInfo.MappingVariesByDestIP`.
    #[serde(rename = "MappingVariesByDestIP")]
    pub mapping_varies_by_dest_ip: Option<bool>,
    /// `tailcfg.NetInfo.HairPinning`.
    #[serde(rename = "HairPinning")]
    pub hair_pinning: Option<bool>,
    /// `tailcfg.NetInfo.IPv6`.
    #[serde(rename = "WorkingIPv6")]
    pub working_ipv6: Option<bool>,
    /// `tailcfg.NetInfo.OSHasIPv6`.
    #[serde(rename = "OSHasIPv6")]
    pub os_has_ipv6: Option<bool>,
    /// `tailcfg.NetInfo.UDP`.
    #[serde(rename = "WorkingUDP")]
    pub working_udp: Option<bool>,
    /// `tailcfg.NetInfo.ICMPv4`.
    #[serde(rename = "WorkingICMPv4")]
    pub working_icmpv4: Option<bool>,
    /// `tailcfg.NetInfo.HavePortMap`.
    #[serde(rename = "HavePortMap", skip_serializing_if = "std::ops::Not::not")]
    pub have_port_map: bool,
    /// `tailcfg.NetInfo.UPnP`.
    #[serde(rename = "UPnP")]
    pub upnp: Option<bool>,
    /// `tailcfg.NetInfo.PMP`.
    #[serde(rename = "PMP")]
    pub pmp: Option<bool>,
    /// `tailcfg.NetInfo.PCP`.
    #[serde(rename = "PCP")]
    pub pcp: Option<bool>,
    /// `tailcfg.NetInfo.PreferredDERP`.
    #[serde(rename = "PreferredDERP")]
    pub preferred_derp: i64,
    /// `tailcfg.NetInfo.LinkType`.
    #[serde(rename = "LinkType", skip_serializing_if = "String::is_empty")]
    pub link_type: String,
    /// `tailcfg.NetInfo.DERPLatency`.
    #[serde(rename = "DERPLatency", skip_serializing_if = "BTreeMap::is_empty")]
    pub derp_latency: BTreeMap<String, f64>,
    /// `tailcfg.NetInfo.FirewallMode`.
    #[serde(rename = "FirewallMode", skip_serializing_if = "String::is_empty")]
    pub firewall_mode: String,
}

/// `healthsdk.InterfacesReport`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InterfacesReport {
    /// `healthsdk.InterfacesReport.Error`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// `healthsdk.InterfacesReport.Severity`.
    pub severity: String,
    /// `healthsdk.InterfacesReport.Warnings`.
    pub warnings: Option<Vec<HealthMessage>>,
    /// `healthsdk.InterfacesReport.Dismissed`.
    pub dismissed: bool,
    /// `healthsdk.InterfacesReport.Interfaces`.
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
    /// `healthsdk.Interface.Name`.
    pub name: String,
    /// `healthsdk.Interface.Mtu`.
    pub mtu: i64,
    /// `healthsdk.Interface.Addresses`.
    #[serde(default)]
    pub addresses: Vec<String>,
}

/// An OS network interface as `healthsdk.RunInterfacesReport` sees it, for scenarios that let
/// the simulator build the `interfaces` section with the agent's rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OsInterface {
    /// `healthsdk.RunInterfacesReport.Name`.
    pub name: String,
    /// The UP flag.
    #[serde(default = "default_true")]
    pub up: bool,
    /// `healthsdk.RunInterfacesReport.Mtu`.
    pub mtu: i64,
    /// CIDR strings, e.g. `172.17.0.2/16`, `fe80::1/64`.
    #[serde(default)]
    pub addresses: Vec<String>,
}

fn default_true() -> bool {
    true
}

/// MTUs below this (and above 0) get an `EIF01` warning.
pub const MIN_GOOD_MTU: i64 = 1378;

fn is_link_local(cidr: &str) -> bool {
    let ip = cidr.split('/').next().unwrap_or("");
    match ip.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(v4)) => v4.is_link_local() || (v4.octets()[0..3] == [224, 0, 0]),
        Ok(std::net::IpAddr::V6(v6)) => {
            let s = v6.segments();
            (s[0] & 0xffc0) == 0xfe80 || (s[0] & 0xff0f) == 0xff02
        }
        Err(_) => false,
    }
}

/// `generateInterfacesReport`: skip interfaces that are down, have no addresses, or only
/// link-local ones; list all addresses of the others; warn on `0 < MTU < 1378`. Interfaces are
/// taken in name order (the agent's order is Go map order, i.e. random).
pub fn interfaces_report(ifaces: &[OsInterface]) -> InterfacesReport {
    let mut sorted: Vec<&OsInterface> = ifaces.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    let mut report = InterfacesReport::default();
    let mut included = Vec::new();
    let mut warnings = Vec::new();
    for iface in sorted {
        if !iface.up
            || iface.addresses.is_empty()
            || iface.addresses.iter().all(|a| is_link_local(a))
        {
            continue;
        }
        if iface.mtu > 0 && iface.mtu < MIN_GOOD_MTU {
            report.severity = "warning".into();
            warnings.push(HealthMessage {
                code: "EIF01".into(),
                message: format!(
                    "Network interface {} has MTU {} (less than {MIN_GOOD_MTU}), which may degrade the quality of direct connections or render them unusable.",
                    iface.name, iface.mtu
                ),
            });
        }
        included.push(Interface {
            name: iface.name.clone(),
            mtu: iface.mtu,
            addresses: iface.addresses.clone(),
        });
    }
    if !included.is_empty() {
        report.interfaces = Some(included);
    }
    if !warnings.is_empty() {
        report.warnings = Some(warnings);
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iface(name: &str, up: bool, mtu: i64, addrs: &[&str]) -> OsInterface {
        OsInterface {
            name: name.into(),
            up,
            mtu,
            addresses: addrs.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn lo0() -> OsInterface {
        iface(
            "lo0",
            true,
            65535,
            &["127.0.0.1/8", "::1/128", "fe80::1/64"],
        )
    }

    fn names(r: &InterfacesReport) -> Vec<String> {
        r.interfaces
            .iter()
            .flatten()
            .map(|i| i.name.clone())
            .collect()
    }

    /// The rows of `Test_generateInterfacesReport`.
    #[test]
    fn generate_interfaces_report_table() {
        let empty = interfaces_report(&[]);
        assert_eq!(empty.severity, "ok");
        assert_eq!(empty.interfaces, None);
        assert_eq!(empty.warnings, None);

        let normal = interfaces_report(&[
            iface(
                "en0",
                true,
                1500,
                &["192.168.100.1/24", "fe80::c13:1a92:3fa5:dd7e/64"],
            ),
            lo0(),
        ]);
        assert_eq!(
            (normal.severity.as_str(), names(&normal)),
            ("ok", vec!["en0".into(), "lo0".into()])
        );
        assert_eq!(normal.interfaces.as_ref().unwrap()[0].addresses.len(), 2);

        let disabled = interfaces_report(&[iface("en0", false, 1300, &["10.0.0.1/8"]), lo0()]);
        assert_eq!(names(&disabled), vec!["lo0".to_string()]);
        assert_eq!(disabled.severity, "ok");

        let link_local = interfaces_report(&[iface("en0", true, 1300, &["fe80::1:1/64"]), lo0()]);
        assert_eq!(names(&link_local), vec!["lo0".to_string()]);

        let no_addr = interfaces_report(&[iface("en0", true, 1300, &[]), lo0()]);
        assert_eq!(names(&no_addr), vec!["lo0".to_string()]);
        assert_eq!(no_addr.warnings, None);

        let tunnel = interfaces_report(&[
            iface("en0", true, 1500, &["192.168.100.1/24"]),
            lo0(),
            iface("tun0", true, 1280, &["10.3.55.9/8"]),
        ]);
        assert_eq!(tunnel.severity, "warning");
        assert_eq!(
            names(&tunnel),
            vec!["en0".to_string(), "lo0".into(), "tun0".into()]
        );
        let w = tunnel.warnings.unwrap();
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].code, "EIF01");
        assert_eq!(w[0].message, "Network interface tun0 has MTU 1280 (less than 1378), which may degrade the quality of direct connections or render them unusable.");
    }
}
