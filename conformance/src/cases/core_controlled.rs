//! Controlled tier, core routes (core.md §1.5, §4, §5, §7, §10): a scenario is put in force
//! through the control API and one route's exact answer is checked. These rules depend on
//! what the agent's getter returns, on its log file, its manifest or a panic, none of which a
//! black-box client can choose: each case names the state it needs.

use crate::case::{Case, StepResult, Tier, Verdict};
use crate::context::Ctx;
use crate::expect::{go_encoded, json_keys, Expect, JSON_CT, TEXT_CT};
use crate::http::Request;
use serde_json::{json, Value};
use std::sync::Arc;

use super::core::{GATE_NOT_ENABLED, GATE_NOT_SUPPORTED, NIL_UUID};

const PORTS: &str = "GET /api/v0/listening-ports";
const LOGS: &str = "GET /debug/logs";
const GATE: &str = "ANY /api/v0/containers";
const PARENT: &str = "8c3f5a1e-4b7d-4f2a-9c61-2d8e0f4b7a10";
/// The body `/debug/logs` may send at most.
const MAX_LOG: usize = 10 * 1024 * 1024;

/// A case that puts `scenario` in force, then checks one exchange.
fn scenario_exchange(
    name: &str,
    route: &str,
    scenario: fn() -> Value,
    req: Request,
    expect: Expect,
) -> Case {
    Case::steps(name, Tier::Controlled, route, move |ctx| {
        let (req, expect) = (req.clone(), expect.clone());
        async move {
            ctx.put_scenario(&scenario().to_string()).await?;
            ctx.exchange(&req, &expect).await?;
            Ok(Verdict::Pass)
        }
    })
}

/// A static getter answering `ports` (name, port), the ignore set `ignore`.
fn static_ports(ports: &[(&str, u32)], ignore: &[u32]) -> Value {
    let ports: Vec<Value> = ports
        .iter()
        .map(|(n, p)| json!({"process_name": n, "network": "tcp", "port": p}))
        .collect();
    json!({
        "name": "core-controlled-ports",
        "listening_ports": {"source": "static", "ports": ports},
        "ignore_ports": ignore,
    })
}

fn boundary_ports() -> Value {
    static_ports(
        &[
            ("zero", 0),
            ("one", 1),
            ("eight", 8),
            ("nine", 9),
            ("top", 65535),
        ],
        &[],
    )
}

fn ignored_ports() -> Value {
    static_ports(
        &[
            ("pprof", 6060),
            ("prom", 2112),
            ("debug", 2113),
            ("custom", 7777),
            ("web", 3000),
        ],
        &[6060, 2112, 2113, 7777],
    )
}

fn ordered_ports() -> Value {
    static_ports(
        &[
            ("web", 8080),
            ("node", 3000),
            ("node", 3000),
            ("sshd", 22),
            ("postgres", 5432),
            ("api", 1024),
        ],
        &[6060, 2112, 2113],
    )
}

fn no_ports() -> Value {
    static_ports(&[], &[6060])
}

fn all_ports_filtered() -> Value {
    static_ports(&[("low", 3), ("pprof", 6060)], &[6060])
}

fn escaping_ports() -> Value {
    static_ports(
        &[("a\u{2028}b\u{2029}<&>\"\\\u{1}\u{7f}\t\u{e9}", 3000)],
        &[],
    )
}

fn ports_error() -> Value {
    json!({
        "name": "core-controlled-ports-error",
        "listening_ports": {"source": "static", "error": "scan listening ports: open /proc/net/tcp: permission denied"},
    })
}

fn logs(text: Value) -> Value {
    json!({"name": "core-controlled-logs", "debug": {"logs": text}})
}

fn empty_logs() -> Value {
    logs(json!(""))
}

fn text_logs() -> Value {
    logs(json!(
        "2026-06-06 12:00:00.000 [info]  agent: caf\u{e9} <&> \"ok\"\n"
    ))
}

fn missing_logs() -> Value {
    logs(Value::Null)
}

fn panic_on_manifest() -> Value {
    json!({
        "name": "core-controlled-panic",
        "faults": [{"route": "GET /debug/manifest", "kind": "panic", "probability": 1.0}],
    })
}

fn gate(enabled: bool, parent: &str) -> Value {
    json!({
        "name": "core-controlled-gate",
        "manifest": {"parent_id": parent},
        "devcontainers": {"enabled": enabled},
    })
}

fn gate_disabled() -> Value {
    gate(false, NIL_UUID)
}

fn gate_sub_agent() -> Value {
    gate(true, PARENT)
}

fn gate_sub_agent_disabled() -> Value {
    gate(false, PARENT)
}

/// The listening-ports body for (name, port) entries.
fn ports_body(ports: &[(&str, u32)]) -> String {
    let entries: Vec<Value> = ports
        .iter()
        .map(|(n, p)| json!({"process_name": n, "network": "tcp", "port": p}))
        .collect();
    String::from_utf8_lossy(&agent_sim::gojson::to_vec(&json!({ "ports": entries }))).into_owned()
}

/// Every controlled core case.
#[rustfmt::skip]
pub fn cases() -> Vec<Case> {
    let ports = || Request::get("/api/v0/listening-ports");
    let containers = |m: &str| Request::new(m, "/api/v0/containers");
    vec![
        // The getter's list and the ignore set are the agent's host's and flags'.
        scenario_exchange("listening-ports/controlled/boundaries", PORTS, boundary_ports, ports(), Expect::json(200, &ports_body(&[("nine", 9), ("top", 65535)]))).checks(&["core.ports.minimum", "core.ports.max-port"]),
        scenario_exchange("listening-ports/controlled/each-ignored-port", PORTS, ignored_ports, ports(), Expect::json(200, &ports_body(&[("web", 3000)]))).checks(&["core.ports.ignored"]),
        scenario_exchange("listening-ports/controlled/order-and-duplicates", PORTS, ordered_ports, ports(), Expect::json(200, &ports_body(&[("web", 8080), ("node", 3000), ("node", 3000), ("sshd", 22), ("postgres", 5432), ("api", 1024)]))).checks(&["core.ports.getter-order", "core.ports.keeps-duplicates", "core.ports.no-well-known-filter", "core.ports.entry-order", "core.json.field-order"]),
        scenario_exchange("listening-ports/controlled/none", PORTS, no_ports, ports(), Expect::json(200, "{\"ports\":[]}\n")).checks(&["core.ports.empty-array", "core.json.nil-vs-empty"]),
        scenario_exchange("listening-ports/controlled/all-filtered", PORTS, all_ports_filtered, ports(), Expect::json(200, "{\"ports\":[]}\n")).checks(&["core.ports.empty-array", "core.ports.minimum", "core.ports.ignored"]),
        scenario_exchange("listening-ports/controlled/process-name-escaping", PORTS, escaping_ports, ports(), Expect::json(200, "{\"ports\":[{\"process_name\":\"a\\u2028b\\u2029\\u003c\\u0026\\u003e\\\"\\\\\\u0001\u{7f}\\t\u{e9}\",\"network\":\"tcp\",\"port\":3000}]}\n")).checks(&["core.json.escape-line-separators", "core.json.escape-angle", "core.json.escape-amp", "core.json.escape-quote-backslash", "core.json.escape-control", "core.json.escape-short", "core.json.raw-utf8"]),
        scenario_exchange("listening-ports/controlled/getter-error", PORTS, ports_error, ports(), Expect::json(500, "{\"message\":\"Could not scan for listening ports.\",\"detail\":\"scan listening ports: open /proc/net/tcp: permission denied\"}\n")).checks(&["core.ports.error-status", "core.ports.error-message", "core.ports.error-detail", "core.response.detail-omitempty", "core.response.no-validations"]),
        // The log file and the manifest are the agent's own.
        scenario_exchange("debug/controlled/logs-empty", LOGS, empty_logs, Request::get("/debug/logs"), Expect::status(200).no_header("content-type").header("content-length", "0").body("")).checks(&["core.debug.logs.empty", "core.http.empty-body-no-type"]),
        scenario_exchange("debug/controlled/logs-verbatim", LOGS, text_logs, Request::get("/debug/logs"), Expect::sniffed_text(200, "2026-06-06 12:00:00.000 [info]  agent: caf\u{e9} <&> \"ok\"\n")).checks(&["core.debug.logs.body"]),
        Case::steps("debug/controlled/logs-open-error", Tier::Controlled, LOGS, logs_open_error).checks(&["core.debug.logs.open-error"]),
        Case::steps("debug/controlled/logs-framing", Tier::Controlled, LOGS, logs_framing).checks(&["core.http.content-length", "core.http.chunked"]),
        Case::steps("debug/controlled/logs-limit", Tier::Controlled, LOGS, logs_limit).checks(&["core.debug.logs.limit"]),
        Case::steps("debug/controlled/manifest-encoding", Tier::Controlled, "GET /debug/manifest", manifest_encoding).checks(&["core.debug.manifest.encoding", "core.debug.manifest.env-null", "core.debug.manifest.derp-map", "core.json.map-keys-sorted", "core.json.escape-amp", "core.json.escape-angle"]),
        Case::steps("debug/controlled/manifest-floats", Tier::Controlled, "GET /debug/manifest", manifest_floats).checks(&["core.json.floats"]),
        // The OS interfaces are the agent's host's: only a scenario can choose them.
        Case::steps("netcheck/controlled/interface-rules", Tier::Controlled, "GET /api/v0/netcheck", netcheck_interface_rules).checks(&["core.netcheck.interface-included", "core.netcheck.interface-shape", "core.netcheck.mtu-warning"]),
        // No route panics on demand on a real agent: agent-sim's panic fault stands in.
        scenario_exchange("recover/controlled/panic", "GET /debug/manifest", panic_on_manifest, Request::get("/debug/manifest"), Expect::json(500, "{\"message\":\"An internal server error occurred.\"}\n")).checks(&["core.recover.status", "core.recover.body", "core.response.detail-omitempty"]),
        // The flag and parent_id are fixed for a real agent's lifetime: each state needs a scenario.
        scenario_exchange("gate/controlled/disabled", GATE, gate_disabled, containers("GET"), Expect::json(403, GATE_NOT_ENABLED)).checks(&["core.gate.not-enabled"]),
        scenario_exchange("gate/controlled/disabled-head", GATE, gate_disabled, containers("HEAD"), Expect::status(403).header("content-type", JSON_CT).body("")).checks(&["core.gate.all-methods"]),
        scenario_exchange("gate/controlled/disabled-delete", GATE, gate_disabled, Request::new("DELETE", "/api/v0/containers?all=1"), Expect::json(403, GATE_NOT_ENABLED)).checks(&["core.gate.all-methods"]),
        scenario_exchange("gate/controlled/disabled-subpath", GATE, gate_disabled, Request::get("/api/v0/containers/watch"), Expect::not_found()).checks(&["core.gate.exact-path"]),
        scenario_exchange("gate/controlled/sub-agent-overrides-flag", GATE, gate_sub_agent, containers("GET"), Expect::json(403, GATE_NOT_SUPPORTED)).checks(&["core.gate.sub-agent-forces-off", "core.gate.not-supported"]),
        scenario_exchange("gate/controlled/sub-agent-disabled", GATE, gate_sub_agent_disabled, containers("POST"), Expect::json(403, GATE_NOT_SUPPORTED)).checks(&["core.gate.not-supported", "core.gate.all-methods"]),
    ]
}

/// A missing log file (`debug.logs: null`); the path is the agent's own, so only its frame is
/// fixed.
async fn logs_open_error(ctx: Arc<Ctx>) -> StepResult {
    ctx.put_scenario(&missing_logs().to_string()).await?;
    let req = Request::get("/debug/logs");
    let resp = ctx
        .exchange(&req, &Expect::status(500).header("content-type", TEXT_CT))
        .await?;
    let t = resp.text();
    if !t.starts_with("could not open log file: open ")
        || !t.ends_with(": no such file or directory")
    {
        return Err(ctx.failure(
            &req,
            format!("body {t:?} (want `could not open log file: open <path>: no such file or directory`, no newline)"),
        ));
    }
    Ok(Verdict::Pass)
}

/// 2048 bytes go with Content-Length, 2049 chunked.
async fn logs_framing(ctx: Arc<Ctx>) -> StepResult {
    for (n, chunked) in [(2048usize, false), (2049, true)] {
        ctx.put_scenario(&logs(json!("l".repeat(n))).to_string())
            .await?;
        let req = Request::get("/debug/logs");
        let expect = if chunked {
            Expect::status(200)
                .header("transfer-encoding", "chunked")
                .no_header("content-length")
        } else {
            Expect::status(200)
                .header("content-length", &n.to_string())
                .no_header("transfer-encoding")
        };
        ctx.exchange(&req, &expect).await?;
    }
    Ok(Verdict::Pass)
}

/// A log file 7 bytes over 10 MiB: exactly the first 10 MiB come back.
async fn logs_limit(ctx: Arc<Ctx>) -> StepResult {
    let mut text = "0123456".to_string();
    text.push_str(&"x".repeat(MAX_LOG));
    ctx.put_scenario(&logs(json!(text)).to_string()).await?;
    let req = Request::get("/debug/logs");
    let resp = ctx.send(&req).await?;
    let want = &text.as_bytes()[..MAX_LOG];
    if resp.status != 200 || resp.body != want {
        return Err(ctx.failure(
            &req,
            format!(
                "status {} with {} bytes (want 200 with the file's first {MAX_LOG} bytes)",
                resp.status,
                resp.body.len()
            ),
        ));
    }
    Ok(Verdict::Pass)
}

fn manifest_scenario() -> Value {
    let region = |id: i64| json!({"EmbeddedRelay": false, "RegionID": id, "RegionCode": format!("r{id}"), "RegionName": "R", "Nodes": []});
    json!({
        "name": "core-controlled-manifest",
        "manifest": {
            "parent_id": NIL_UUID,
            "vscode_port_proxy_uri": "https://{{port}}--a&b<c>.example.com",
            "derpmap": {"Regions": {"9": region(9), "10": region(10)}},
        },
    })
}

/// `&`, `<`, `>` escaped in a URL, `environment_variables` null, the DERP map's regions in
/// string order with `HomeParams` present.
async fn manifest_encoding(ctx: Arc<Ctx>) -> StepResult {
    ctx.put_scenario(&manifest_scenario().to_string()).await?;
    let req = Request::get("/debug/manifest");
    let resp = ctx.send(&req).await?;
    let v = go_encoded(&resp.body).map_err(|e| ctx.failure(&req, e))?;
    let text = resp.text();
    let regions: Vec<&str> = json_keys(&v["derpmap"]["Regions"]);
    let problem = if !text.contains(
        "\"vscode_port_proxy_uri\":\"https://{{port}}--a\\u0026b\\u003cc\\u003e.example.com\"",
    ) {
        "vscode_port_proxy_uri must be HTML-escaped (\\u0026, \\u003c, \\u003e)"
    } else if !v["environment_variables"].is_null() {
        "environment_variables must be null when there are none"
    } else if v["derpmap"]["HomeParams"] != json!({}) {
        "derpmap.HomeParams must be present ({} without scores)"
    } else if regions != ["10", "9"] {
        "derpmap.Regions keys are sorted as strings (\"10\" before \"9\")"
    } else {
        return Ok(Verdict::Pass);
    };
    Err(ctx.failure(&req, problem))
}

/// One OS interface for `os_interfaces` (the agent's report is generated from them).
fn os_interface(name: &str, up: bool, mtu: i64, addresses: &[&str]) -> Value {
    json!({"name": name, "up": up, "mtu": mtu, "addresses": addresses})
}

/// Down, address-less and link-local-only interfaces are left out; a small MTU warns.
async fn netcheck_interface_rules(ctx: Arc<Ctx>) -> StepResult {
    let interfaces = [
        os_interface(
            "eth0",
            true,
            1500,
            &["172.17.0.2/16", "fe80::42:acff:fe11:2/64"],
        ),
        os_interface("lo", true, 65536, &["127.0.0.1/8", "::1/128"]),
        os_interface("down0", false, 1500, &["10.1.0.1/16"]),
        os_interface("ll0", true, 1500, &["fe80::1/64", "169.254.1.1/16"]),
        os_interface("empty0", true, 1500, &[]),
        os_interface("tun0", true, 1280, &["10.3.55.9/8"]),
    ];
    let scenario = json!({"name": "core-controlled-interfaces", "os_interfaces": interfaces});
    ctx.put_scenario(&scenario.to_string()).await?;
    let req = Request::get("/api/v0/netcheck");
    let resp = ctx.send(&req).await?;
    let v = go_encoded(&resp.body).map_err(|e| ctx.failure(&req, e))?;
    let report = &v["interfaces"];
    super::core_wire::check_interfaces(report).map_err(|e| ctx.failure(&req, e))?;
    let mut names: Vec<&str> = report["interfaces"]
        .as_array()
        .map(|a| a.iter().filter_map(|i| i["name"].as_str()).collect())
        .unwrap_or_default();
    names.sort_unstable();
    let warnings = report["warnings"].as_array().map(Vec::len).unwrap_or(0);
    let eth0_all = report["interfaces"].as_array().and_then(|a| {
        a.iter()
            .find(|i| i["name"] == "eth0")
            .map(|i| i["addresses"].as_array().map(Vec::len))
    });
    let problem = if names != ["eth0", "lo", "tun0"] {
        format!("interfaces {names:?} (want eth0, lo, tun0: down, address-less and link-local-only ones are left out)")
    } else if warnings != 1 || report["warnings"][0]["code"] != "EIF01" {
        format!("warnings {} (want one EIF01, for tun0)", report["warnings"])
    } else if eth0_all != Some(Some(2)) {
        "eth0 must list all its addresses, the link-local one too".to_string()
    } else {
        return Ok(Verdict::Pass);
    };
    Err(ctx.failure(&req, problem))
}

/// Region scores Go writes in its shortest forms.
const SCORES: &str =
    "\"HomeParams\":{\"RegionScore\":{\"1\":1e-7,\"2\":100,\"3\":1e+21,\"4\":0.000001,\"5\":1.5}}";

/// Floats as Go's encoder writes them, through the DERP map's region scores.
async fn manifest_floats(ctx: Arc<Ctx>) -> StepResult {
    let scores = json!({"1": 1e-7, "2": 100.0, "3": 1e21, "4": 0.000001, "5": 1.5});
    let scenario = json!({
        "name": "core-controlled-floats",
        "manifest": {"derpmap": {"HomeParams": {"RegionScore": scores}, "Regions": {}}},
    });
    ctx.put_scenario(&scenario.to_string()).await?;
    let req = Request::get("/debug/manifest");
    let resp = ctx.send(&req).await?;
    if !resp.text().contains(SCORES) {
        return Err(ctx
            .failure(&req, "region scores are not in Go's float format")
            .with_diff(SCORES, &resp.text()));
    }
    Ok(Verdict::Pass)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_body_is_go_json() {
        assert_eq!(
            ports_body(&[("a&b", 9)]),
            "{\"ports\":[{\"process_name\":\"a\\u0026b\",\"network\":\"tcp\",\"port\":9}]}\n"
        );
    }
}
