//! Black-box cases for the wire rules every core route shares (core.md §1.3, §2.1, §6, §9,
//! §11): Go's JSON escaping beyond the HTML characters (seen through a process's output, the
//! one answer that echoes arbitrary bytes), Go's framing and header names (read off a raw
//! socket), `%q` quoting of the debug-logging state, netcheck's nested shapes and the
//! Prometheus registry's order.

use crate::case::{Case, Effect, Group, StepResult, Tier, Verdict};
use crate::context::Ctx;
use crate::expect::{check_go_json, json_keys, Expect};
use crate::http::Request;
use serde_json::Value;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// `printf` (POSIX octal escapes) writing every character class Go's encoder treats apart:
/// U+2028, U+2029, control bytes, DEL, the short escapes, `"`, `\`, `<&>`, an invalid byte, é,
/// a real U+FFFD.
const ESCAPES_COMMAND: &str = "printf 'a\\342\\200\\250b\\342\\200\\251c\\001\\037\\177\\n\\r\\t\\b\\f\"\\\\<&>\\377\\303\\251\\357\\277\\275'";

/// The `output` string Go writes for that command's bytes.
const ESCAPES_JSON: &str = "\"output\":\"a\\u2028b\\u2029c\\u0001\\u001f\u{7f}\\n\\r\\t\\b\\f\\\"\\\\\\u003c\\u0026\\u003e\\ufffd\u{e9}\u{fffd}\"";

/// Invalid debug-logging states and Go's `%q` of what chi hands the handler:
/// (case name, path segment, quoted, rule).
#[rustfmt::skip]
const QUOTED_STATES: &[(&str, &str, &str, &str)] = &[
    ("debug/debug-logging-quotes-quote", "a%22b", "\"a\\\"b\"", "core.debug.logging.quoting"),
    ("debug/debug-logging-quotes-backslash", "a%5Cb", "\"a\\\\b\"", "core.debug.logging.quoting"),
    ("debug/debug-logging-quotes-control", "%01x", "\"\\x01x\"", "core.debug.logging.quoting"),
    ("debug/debug-logging-quotes-invalid-byte", "%FF", "\"\\xff\"", "core.debug.logging.quoting"),
    ("debug/debug-logging-quotes-line-separator", "%E2%80%A8", "\"\\u2028\"", "core.debug.logging.quoting"),
    ("debug/debug-logging-quotes-printable", "%C3%A9", "\"\u{e9}\"", "core.debug.logging.quoting"),
    ("debug/debug-logging-raw-escape", "%74rue", "\"%74rue\"", "core.debug.logging.raw-state"),
    ("debug/debug-logging-raw-encoded-slash", "a%2Fb", "\"a%2Fb\"", "core.debug.logging.raw-state"),
];

/// Every wire-rule case.
#[rustfmt::skip]
pub fn cases() -> Vec<Case> {
    let logging = "GET /debug/magicsock/debug-logging/{state}";
    let mut v = vec![
        Case::steps("json/escaping-process-output", Tier::BlackBox, "GET /api/v0/processes/{id}/output", escaping_process_output)
            .changes(Effect::StartsProcesses).in_group(Group::Processes)
            .checks(&["core.json.escape-line-separators", "core.json.escape-short", "core.json.escape-control", "core.json.escape-quote-backslash", "core.json.invalid-utf8", "core.json.raw-utf8", "core.json.escape-angle", "core.json.escape-amp"]),
        Case::steps("http/framing", Tier::BlackBox, "GET /", framing).checks(&["core.http.content-length", "core.http.chunked", "core.http.date"]),
        Case::steps("http/header-case", Tier::BlackBox, "GET /", header_case).checks(&["core.http.header-case"]),
        Case::steps("netcheck/nested-shapes", Tier::BlackBox, "GET /api/v0/netcheck", netcheck_nested).checks(&["core.netcheck.net-info", "core.netcheck.interface-shape", "core.netcheck.interface-included", "core.netcheck.mtu-warning"]),
        Case::steps("debug/prometheus-registry", Tier::BlackBox, "GET /debug/prometheus", prometheus_registry).checks(&["core.debug.prometheus.empty-help", "core.debug.prometheus.sorted"]),
    ];
    for &(name, state, quoted, rule) in QUOTED_STATES {
        v.push(Case::exchange(name, Tier::BlackBox, logging,
            Request::get(&format!("/debug/magicsock/debug-logging/{state}")),
            Expect::sniffed_text(400, &format!("invalid state {quoted}, must be a boolean")))
            .checks(&[rule, "core.debug.logging.invalid"]));
    }
    v
}

async fn escaping_process_output(ctx: Arc<Ctx>) -> StepResult {
    let id = super::processes::start(&ctx, ESCAPES_COMMAND).await?;
    let req = Request::get(&format!("/api/v0/processes/{id}/output?wait=true"));
    let resp = ctx.send(&req).await?;
    let v = check_go_json(&resp).map_err(|e| ctx.failure(&req, e))?;
    let ran = v["output"]
        .as_str()
        .is_some_and(|o| o.starts_with("a\u{2028}b\u{2029}c"));
    if !ran {
        // An agent whose process API does not run `sh` (agent-sim's scripted mode) has no
        // bytes of ours to encode; the processes chapter's cases judge that API.
        return Ok(Verdict::Skip(format!(
            "the command's output is {}",
            v["output"]
        )));
    }
    let body = resp.text();
    if !body.starts_with(&format!("{{{ESCAPES_JSON},")) {
        return Err(ctx
            .failure(
                &req,
                "process output is not encoded the way Go's json.Encoder writes it",
            )
            .with_diff(
                ESCAPES_JSON,
                body.split(",\"running\"").next().unwrap_or(""),
            ));
    }
    Ok(Verdict::Pass)
}

/// Routes whose answer a black-box client can always fetch.
const FRAMED: [&str; 5] = [
    "/",
    "/api/v0/netcheck",
    "/debug/manifest",
    "/debug/prometheus",
    "/debug/logs",
];

async fn framing(ctx: Arc<Ctx>) -> StepResult {
    for path in FRAMED {
        let req = Request::get(path);
        let resp = ctx.send(&req).await?;
        let length = resp.header("content-length");
        let chunked = resp.header("transfer-encoding") == Some("chunked");
        let n = resp.body.len();
        let problem = if n > 2048 && (!chunked || length.is_some()) {
            Some(format!(
                "a {n}-byte body must be chunked without Content-Length"
            ))
        } else if n <= 2048 && (chunked || length != Some(n.to_string().as_str())) {
            Some(format!("a {n}-byte body must carry Content-Length: {n}"))
        } else if resp.header("date").is_none() || resp.header("server").is_some() {
            Some("Go's server sends Date and no Server header".to_string())
        } else {
            None
        };
        if let Some(p) = problem {
            return Err(ctx.failure(&req, p));
        }
    }
    Ok(Verdict::Pass)
}

/// Header names as they arrive on the wire, for `<method> <path>` over a fresh connection.
async fn raw_header_names(ctx: &Ctx, method: &str, path: &str) -> Result<Vec<String>, String> {
    let url = reqwest::Url::parse(&ctx.target).map_err(|e| format!("target URL: {e}"))?;
    let host = url.host_str().ok_or("target URL has no host")?.to_string();
    let port = url.port_or_known_default().unwrap_or(80);
    let prefix = url.path().trim_end_matches('/');
    let exchange = async {
        let ip_or_name = host.trim_start_matches('[').trim_end_matches(']');
        let mut s = tokio::net::TcpStream::connect((ip_or_name, port)).await?;
        let head = format!(
            "{method} {prefix}{path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n"
        );
        s.write_all(head.as_bytes()).await?;
        let mut buf = Vec::new();
        s.read_to_end(&mut buf).await?;
        Ok::<_, std::io::Error>(buf)
    };
    let buf = tokio::time::timeout(ctx.client.timeout(), exchange)
        .await
        .map_err(|_| "no answer in time".to_string())?
        .map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&buf);
    let head = text.split("\r\n\r\n").next().unwrap_or("");
    Ok(head
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(':').map(|(k, _)| k.to_string()))
        .collect())
}

/// Go's canonical spelling of the headers the core routes send.
const CANONICAL: [&str; 6] = [
    "Content-Type",
    "Content-Length",
    "X-Content-Type-Options",
    "Allow",
    "Date",
    "Transfer-Encoding",
];

async fn header_case(ctx: Arc<Ctx>) -> StepResult {
    if !ctx.target.starts_with("http://") {
        return Ok(Verdict::Skip(
            "the raw-socket check speaks plain HTTP only".into(),
        ));
    }
    for (method, path) in [("GET", "/"), ("GET", "/nope"), ("POST", "/")] {
        let req = Request::new(method, path);
        let names = raw_header_names(&ctx, method, path)
            .await
            .map_err(|e| ctx.failure(&req, e))?;
        for name in &names {
            let canonical = CANONICAL.iter().find(|c| c.eq_ignore_ascii_case(name));
            if let Some(c) = canonical.filter(|c| *c != name) {
                return Err(ctx.failure(
                    &req,
                    format!("header name {name:?} on the wire (Go writes {c:?})"),
                ));
            }
        }
    }
    Ok(Verdict::Pass)
}

/// `tailcfg.NetInfo` keys in declaration order (both fork variants' last field).
const NET_INFO_KEYS: [&str; 15] = [
    "MappingVariesByDestIP",
    "HairPinning",
    "WorkingIPv6",
    "OSHasIPv6",
    "WorkingUDP",
    "WorkingICMPv4",
    "HavePortMap",
    "UPnP",
    "PMP",
    "PCP",
    "PreferredDERP",
    "LinkType",
    "DERPLatency",
    "FirewallMode",
    "DERPForcedWebsocket",
];

/// Checks `net_info`: null, or known keys in declaration order with opt.Bool values.
fn check_net_info(ni: &Value) -> Result<(), String> {
    let Some(o) = ni.as_object() else {
        return if ni.is_null() {
            Ok(())
        } else {
            Err(format!("net_info is {ni} (an object or null)"))
        };
    };
    let positions: Vec<Option<usize>> = o
        .keys()
        .map(|k| NET_INFO_KEYS.iter().position(|n| n == k))
        .collect();
    if positions.iter().any(Option::is_none) || !positions.windows(2).all(|w| w[0] < w[1]) {
        let keys: Vec<&String> = o.keys().collect();
        return Err(format!(
            "net_info keys {keys:?} are not tailcfg.NetInfo's, in its order"
        ));
    }
    for k in &NET_INFO_KEYS[..6] {
        if o.get(*k).is_some_and(|v| !v.is_boolean() && !v.is_null()) {
            return Err(format!(
                "net_info.{k} is {} (opt.Bool: true, false or null)",
                o[*k]
            ));
        }
    }
    Ok(())
}

/// The EIF01 warning Go adds for an interface with a small MTU.
pub(crate) fn mtu_warning(name: &str, mtu: i64) -> String {
    format!("Network interface {name} has MTU {mtu} (less than 1378), which may degrade the quality of direct connections or render them unusable.")
}

/// Checks the interfaces report: shapes, inclusion, the MTU warnings.
pub(crate) fn check_interfaces(report: &Value) -> Result<(), String> {
    let list = match &report["interfaces"] {
        Value::Null => return Ok(()),
        Value::Array(a) => a,
        other => return Err(format!("interfaces.interfaces is {other} (array or null)")),
    };
    let warnings: Vec<&str> = report["warnings"]
        .as_array()
        .map(|w| w.iter().filter_map(|m| m["message"].as_str()).collect())
        .unwrap_or_default();
    for i in list {
        let keys: Vec<&str> = json_keys(i);
        let (name, mtu, addrs) = (
            i["name"].as_str(),
            i["mtu"].as_i64(),
            i["addresses"].as_array(),
        );
        let (Some(name), Some(mtu), Some(addrs), ["name", "mtu", "addresses"]) =
            (name, mtu, addrs, keys.as_slice())
        else {
            return Err(format!("interface {i} is not {{name, mtu, addresses}}"));
        };
        let cidrs: Vec<&str> = addrs.iter().filter_map(Value::as_str).collect();
        if cidrs.len() != addrs.len() || cidrs.iter().any(|a| !a.contains('/')) {
            return Err(format!(
                "interface {name}: addresses {addrs:?} are not CIDR strings"
            ));
        }
        // fe80::/10 and 169.254/16 (Go's IsLinkLocalUnicast).
        let link_local = |a: &&str| {
            let a = a.to_ascii_lowercase();
            ["fe8", "fe9", "fea", "feb", "169.254."]
                .iter()
                .any(|p| a.starts_with(p))
        };
        if cidrs.iter().all(link_local) {
            return Err(format!(
                "interface {name} has no address that is not link-local: it must be left out"
            ));
        }
        if mtu > 0 && mtu < 1378 {
            let w = mtu_warning(name, mtu);
            if report["severity"] != "warning" || !warnings.contains(&w.as_str()) {
                return Err(format!("interface {name} has MTU {mtu}: want severity \"warning\" and the EIF01 warning {w:?}"));
            }
        }
    }
    Ok(())
}

async fn netcheck_nested(ctx: Arc<Ctx>) -> StepResult {
    let req = Request::get("/api/v0/netcheck");
    let resp = ctx.send(&req).await?;
    let v = check_go_json(&resp).map_err(|e| ctx.failure(&req, e))?;
    if resp.status != 200 {
        return Ok(Verdict::Skip(format!("netcheck answered {}", resp.status)));
    }
    check_net_info(&v["net_info"])
        .and_then(|()| check_interfaces(&v["interfaces"]))
        .map_err(|e| ctx.failure(&req, e))?;
    Ok(Verdict::Pass)
}

async fn prometheus_registry(ctx: Arc<Ctx>) -> StepResult {
    let req = Request::get("/debug/prometheus");
    let resp = ctx.send(&req).await?;
    let text = resp.text();
    if !text.contains("# HELP agent_reconnecting_pty_connections_total \n") {
        return Err(ctx.failure(
            &req,
            "want `# HELP agent_reconnecting_pty_connections_total ` (empty help, trailing space)",
        ));
    }
    // The registry part is the lines from the first HELP on (the tailscale part has none).
    let helped: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("# HELP "))
        .map(|l| l.split(' ').next().unwrap_or(""))
        .collect();
    if let Some(w) = helped.windows(2).find(|w| w[0] >= w[1]) {
        return Err(ctx.failure(
            &req,
            format!("registry families out of order: {} before {}", w[0], w[1]),
        ));
    }
    Ok(Verdict::Pass)
}
