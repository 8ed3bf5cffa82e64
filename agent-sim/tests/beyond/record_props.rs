//! The recorder's round trip as a property: for scenarios generated across every section a GET
//! reveals (manifest, ports with odd names, containers and devcontainers in every status,
//! netcheck reports, logs of any bytes), recording a simulator that serves one and serving the
//! recording gives byte-identical GET answers, with nothing left out. A failure prints the
//! (shrunk) scenario as JSON.

use super::record::round_trip;
use agent_sim::containers::wire::{Container, ContainerPort, DevcontainerAgent, Status};
use agent_sim::scenario::containers::DevcontainerSpec;
use agent_sim::scenario::manifest::{AgentScript, DerpMap, MetadataDescription, WorkspaceApp};
use agent_sim::scenario::netcheck::{HealthMessage, Interface, NetInfo, NetcheckReport};
use agent_sim::scenario::ListeningPort;
use agent_sim::Scenario;
use proptest::collection::{btree_map, vec};
use proptest::option;
use proptest::prelude::*;
use std::collections::BTreeMap;
use uuid::Uuid;

/// Any text, control characters, HTML specials and non-ASCII included.
fn text() -> impl Strategy<Value = String> {
    prop_oneof!["(?s).{0,8}", "[<>&'\"\\\\\u{2028}é😀 a-z]{0,6}",]
}

fn uuid() -> impl Strategy<Value = Uuid> {
    any::<u128>().prop_map(Uuid::from_u128)
}

fn manifest(s: &Scenario) -> impl Strategy<Value = agent_sim::scenario::Manifest> {
    let base = s.manifest.clone();
    (
        (
            option::weighted(0.2, uuid()),
            uuid(),
            text(),
            text(),
            text(),
            text(),
        ),
        option::of(btree_map(text(), text(), 0..3)),
        vec((uuid(), "[a-z-]{1,6}", text(), any::<bool>()), 0..2),
        vec((text(), "[a-z_]{1,5}", any::<i64>()), 0..2),
        option::of(derpmap()),
        vec(script(), 0..2),
    )
        .prop_map(
            move |((parent, agent, name, owner, dir, motd), env, apps, meta, derpmap, scripts)| {
                let mut m = base.clone();
                m.parent_id = parent.unwrap_or(Uuid::nil());
                m.agent_id = agent;
                m.agent_name = name;
                m.owner_name = owner;
                m.directory = dir;
                m.motd_file = motd;
                m.environment_variables = env;
                m.apps = apps
                    .into_iter()
                    .map(|(id, slug, display_name, hidden)| {
                        serde_json::from_value::<WorkspaceApp>(serde_json::json!({
                            "id": id, "slug": slug, "display_name": display_name, "hidden": hidden
                        }))
                        .expect("an app")
                    })
                    .collect();
                m.metadata = meta
                    .into_iter()
                    .map(|(display_name, key, interval)| MetadataDescription {
                        display_name,
                        key,
                        script: String::new(),
                        interval,
                        timeout: 0,
                    })
                    .collect();
                m.derpmap = derpmap;
                m.scripts = scripts;
                m
            },
        )
}

/// A DERP map with a region score and one region of one node (Go field names, floats).
fn derpmap() -> impl Strategy<Value = DerpMap> {
    (1i64..1000, 0.0f64..10.0, text(), text(), any::<bool>()).prop_map(
        |(id, score, code, host, stun_only)| {
            serde_json::from_value(serde_json::json!({
                "HomeParams": {"RegionScore": {id.to_string(): score}},
                "Regions": {id.to_string(): {
                    "RegionID": id, "RegionCode": code, "RegionName": "r",
                    "Nodes": [{"Name": "1a", "RegionID": id, "HostName": host, "STUNOnly": stun_only}]
                }}
            }))
            .expect("a DERP map")
        },
    )
}

/// A startup script, with or without its exit code and status.
fn script() -> impl Strategy<Value = AgentScript> {
    (
        uuid(),
        text(),
        any::<i64>(),
        option::of(any::<i32>()),
        option::of(text()),
    )
        .prop_map(|(id, script, timeout, exit_code, status)| AgentScript {
            id,
            script,
            timeout,
            exit_code,
            status,
            ..AgentScript::default()
        })
}

fn port() -> impl Strategy<Value = ListeningPort> {
    (
        text(),
        prop_oneof![Just("tcp".to_string()), Just("udp".into()), text()],
        any::<u16>(),
    )
        .prop_map(|(process_name, network, port)| ListeningPort {
            process_name,
            network,
            port,
        })
}

fn message() -> impl Strategy<Value = HealthMessage> {
    (text(), text()).prop_map(|(code, message)| HealthMessage { code, message })
}

fn severity() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("ok".to_string()),
        Just("warning".into()),
        Just("error".into())
    ]
}

fn netcheck() -> impl Strategy<Value = NetcheckReport> {
    let iface =
        (text(), any::<i64>(), vec(text(), 0..3)).prop_map(|(name, mtu, addresses)| Interface {
            name,
            mtu,
            addresses,
        });
    let info = (
        vec(option::of(any::<bool>()), 9),
        any::<bool>(),
        any::<i64>(),
        text(),
        btree_map("[0-9]{1,3}", 0.0f64..2.0, 0..3),
    )
        .prop_map(
            |(b, have_port_map, preferred_derp, link_type, derp_latency)| NetInfo {
                mapping_varies_by_dest_ip: b[0],
                hair_pinning: b[1],
                working_ipv6: b[2],
                os_has_ipv6: b[3],
                working_udp: b[4],
                working_icmpv4: b[5],
                have_port_map,
                upnp: b[6],
                pmp: b[7],
                pcp: b[8],
                preferred_derp,
                link_type,
                derp_latency,
                firewall_mode: String::new(),
            },
        );
    (
        option::weighted(0.2, text()),
        severity(),
        option::of(vec(message(), 0..2)),
        any::<bool>(),
        option::of(info),
        (
            option::of(vec(iface, 0..3)),
            option::of(vec(message(), 0..2)),
            severity(),
            option::weighted(0.2, text()),
        ),
    )
        .prop_map(
            |(error, severity, warnings, dismissed, net_info, interfaces)| {
                let (ifaces, if_warnings, if_severity, if_error) = interfaces;
                let mut r = NetcheckReport {
                    error,
                    severity,
                    warnings,
                    dismissed,
                    net_info,
                    ..NetcheckReport::default()
                };
                r.interfaces.interfaces = ifaces;
                r.interfaces.warnings = if_warnings;
                r.interfaces.severity = if_severity;
                r.interfaces.error = if_error;
                r
            },
        )
}

const FOLDERS: [&str; 4] = ["/w/a", "/w/b", "/w/c d", "/w/é"];
const TIMES: [&str; 3] = [
    "0001-01-01T00:00:00Z",
    "2026-06-01T10:00:00.123456789Z",
    "2025-12-31T23:59:59+02:00",
];

fn container(i: usize) -> impl Strategy<Value = Container> {
    (
        0..TIMES.len(),
        text(),
        option::of(0..FOLDERS.len()),
        any::<bool>(),
        any::<bool>(),
        option::weighted(0.9, vec((1u16..9000, "tcp|udp", any::<bool>()), 0..2)),
        text(),
    )
        .prop_map(move |(t, name, folder, test_run, running, ports, status)| {
            let mut labels = BTreeMap::new();
            if let Some(f) = folder {
                labels.insert(
                    "devcontainer.local_folder".to_string(),
                    FOLDERS[f].to_string(),
                );
                labels.insert(
                    "devcontainer.config_file".into(),
                    format!("{}/.devcontainer.json", FOLDERS[f]),
                );
            }
            if test_run {
                labels.insert("devcontainer.is_test_run".into(), "true".into());
            }
            Container {
                created_at: serde_json::from_value(serde_json::json!(TIMES[t])).expect("a time"),
                id: format!("c{i}"),
                name,
                image: "busybox".into(),
                labels: Some(labels),
                running,
                ports: ports.map(|p| {
                    p.into_iter()
                        .map(|(port, network, host)| ContainerPort {
                            port,
                            network,
                            host_ip: if host {
                                "0.0.0.0".into()
                            } else {
                                String::new()
                            },
                            host_port: if host { port + 1 } else { 0 },
                        })
                        .collect()
                }),
                status,
                volumes: Some(BTreeMap::new()),
            }
        })
}

fn devcontainer(
    folder: usize,
    n_containers: usize,
) -> impl Strategy<Value = (DevcontainerSpec, Option<usize>)> {
    (
        uuid(),
        text(),
        proptest::sample::select(Status::ALL.to_vec()),
        any::<bool>(),
        text(),
        option::of(uuid()),
        option::of((uuid(), text())),
        any::<bool>(),
        option::of(0..n_containers.max(1)),
    )
        .prop_map(
            move |(id, name, status, dirty, error, subagent_id, agent, ignored, link)| {
                let spec = DevcontainerSpec {
                    id,
                    name,
                    workspace_folder: FOLDERS[folder].to_string(),
                    config_path: format!("{}/.devcontainer.json", FOLDERS[folder]),
                    subagent_id,
                    status,
                    dirty,
                    container: None,
                    agent: agent.map(|(id, name)| DevcontainerAgent {
                        id,
                        name,
                        directory: "/workspaces".into(),
                    }),
                    error,
                    ignored,
                };
                (spec, link.filter(|_| n_containers > 0))
            },
        )
}

fn devcontainers() -> impl Strategy<Value = agent_sim::scenario::DevcontainersConfig> {
    (
        0usize..4,
        proptest::sample::subsequence((0..FOLDERS.len()).collect::<Vec<_>>(), 0..=FOLDERS.len()),
    )
        .prop_flat_map(|(n, folders)| {
            let cs: Vec<_> = (0..n).map(container).collect();
            let ds: Vec<_> = folders.into_iter().map(|f| devcontainer(f, n)).collect();
            (
                any::<bool>(),
                option::weighted(0.9, cs),
                ds,
                vec(text(), 0..2),
                option::weighted(0.15, text()),
            )
        })
        .prop_map(|(enabled, containers, ds, warnings, list_error)| {
            let list = containers.clone().unwrap_or_default();
            let devcontainers = ds
                .into_iter()
                .map(|(mut spec, link)| {
                    spec.container = link.and_then(|i| list.get(i).cloned());
                    spec
                })
                .collect();
            agent_sim::scenario::DevcontainersConfig {
                enabled,
                containers,
                warnings,
                devcontainers,
                list_error,
                ..Default::default()
            }
        })
}

fn scenario() -> impl Strategy<Value = Scenario> {
    let base = Scenario::default();
    (
        manifest(&base),
        prop_oneof![
            vec(port(), 0..4).prop_map(|p| (p, None)),
            text().prop_map(|e| (Vec::new(), Some(e))),
        ],
        proptest::sample::subsequence(vec![6060u16, 2112, 2113, 3000], 0..=4),
        netcheck(),
        devcontainers(),
        prop_oneof![
            Just(None),
            text().prop_map(|t| Some((Some(t), None))),
            vec(any::<u8>(), 0..64).prop_map(|b| {
                use base64::Engine as _;
                Some((
                    Some(String::new()),
                    Some(base64::engine::general_purpose::STANDARD.encode(b)),
                ))
            }),
        ],
        text(),
        text(),
    )
        .prop_map(
            move |(manifest, (ports, error), ignore, netcheck, dc, logs, log_path, magicsock)| {
                let mut s = base.clone();
                s.manifest = manifest;
                s.listening_ports.ports = ports;
                s.listening_ports.error = error;
                s.ignore_ports = ignore;
                s.netcheck = netcheck;
                s.devcontainers = dc;
                match logs {
                    None => s.debug.logs = None,
                    Some((logs, b64)) => {
                        s.debug.logs = logs;
                        s.debug.logs_base64 = b64;
                    }
                }
                s.debug.log_path = format!("/tmp/{log_path}");
                s.debug.magicsock = magicsock;
                s
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 24,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn a_recorded_simulator_answers_byte_for_byte(s in scenario()) {
        let json = agent_sim::record::to_json(&s);
        prop_assume!(Scenario::from_json("generated", &json).is_ok());
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        let (diffs, rec) = rt.block_on(round_trip(&s));
        prop_assert!(
            diffs.is_empty() && rec.notes.is_empty(),
            "differences {diffs:?}, notes {:?}\nscenario:\n{json}",
            rec.notes
        );
    }
}
