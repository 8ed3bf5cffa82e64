//! Black-box cases for the core routes (core.md §3–§11): hello, listening-ports invariants,
//! containers gating consistent with `/debug/manifest`'s `parent_id`, netcheck's shape, and
//! the debug routes' shapes and content types.

use crate::case::{Case, Effect, StepResult, Tier, Verdict};
use crate::context::Ctx;
use crate::expect::{check_go_json, go_encoded, json_keys, Expect, JSON_CT, TEXT_CT};
use crate::failure::Failure;
use crate::http::Request;
use serde_json::Value;
use std::sync::Arc;

pub const HELLO: &str = "{\"message\":\"Hello from the agent!\"}\n";
pub const NIL_UUID: &str = "00000000-0000-0000-0000-000000000000";
pub const GATE_NOT_ENABLED: &str = "{\"message\":\"Dev Container feature not enabled.\",\"detail\":\"To enable this feature, set CODER_AGENT_DEVCONTAINERS_ENABLE=true in your template.\"}\n";
pub const GATE_NOT_SUPPORTED: &str = "{\"message\":\"Dev Container feature not supported.\",\"detail\":\"Dev Container integration inside other Dev Containers is explicitly not supported.\"}\n";
pub const PORTS_ERROR_MESSAGE: &str = "Could not scan for listening ports.";
/// The agent's default ignore set (pprof, prometheus, debug).
pub const DEFAULT_IGNORED: [u64; 3] = [6060, 2112, 2113];
/// `agentsdk.Manifest` keys in wire order.
pub const MANIFEST_KEYS: [&str; 18] = [
    "parent_id",
    "agent_id",
    "agent_name",
    "owner_name",
    "workspace_id",
    "workspace_name",
    "git_auth_configs",
    "vscode_port_proxy_uri",
    "apps",
    "derpmap",
    "derp_force_websockets",
    "environment_variables",
    "directory",
    "motd_file",
    "disable_direct_connections",
    "metadata",
    "scripts",
    "devcontainers",
];

fn black_box_exchange(name: &str, route: &str, req: Request, expect: Expect) -> Case {
    Case::exchange(name, Tier::BlackBox, route, req, expect)
}

/// Every core-route case.
pub fn cases() -> Vec<Case> {
    let mut v = vec![black_box_exchange(
        "hello/get",
        "GET /",
        Request::get("/"),
        Expect::json(200, HELLO),
    )
    .checks(&[
        "core.hello.body",
        "core.json.content-type",
        "core.json.trailing-newline",
        "core.json.compact",
        "core.response.message",
        "core.response.detail-omitempty",
        "core.http.content-length",
    ])];
    v.extend(ports_cases());
    v.extend(gating_cases());
    v.extend(debug_cases());
    v.push(
        Case::steps(
            "netcheck/shape",
            Tier::BlackBox,
            "GET /api/v0/netcheck",
            netcheck_shape,
        )
        .checks(&[
            "core.netcheck.ok",
            "core.netcheck.error-message",
            "core.netcheck.keys",
            "core.netcheck.top-level",
            "core.netcheck.interfaces-keys",
        ]),
    );
    v.extend(super::core_wire::cases());
    v
}

/// The listening-ports body: 200 `{"ports":[…]}` or the getter-error 500.
fn ports_body(
    ctx: &Ctx,
    req: &Request,
    resp: &crate::http::Response,
) -> Result<Option<Vec<Value>>, Failure> {
    let v = check_go_json(resp).map_err(|e| ctx.failure(req, e))?;
    match resp.status {
        200 => {
            let keys: Vec<&str> = json_keys(&v);
            if keys != ["ports"] {
                return Err(ctx.failure(req, format!("keys {keys:?} (want [\"ports\"])")));
            }
            let Some(ports) = v["ports"].as_array() else {
                return Err(ctx.failure(req, "\"ports\" is not an array (never null)"));
            };
            for p in ports {
                let keys: Vec<&str> = json_keys(p);
                if keys != ["process_name", "network", "port"]
                    || !p["process_name"].is_string()
                    || !p["network"].is_string()
                    || p["port"].as_u64().is_none_or(|n| n > 65535)
                {
                    return Err(ctx.failure(
                        req,
                        format!("entry {p} is not {{process_name: string, network: string, port: uint16}} in that order"),
                    ));
                }
            }
            Ok(Some(ports.clone()))
        }
        500 => {
            if v["message"] != PORTS_ERROR_MESSAGE || !v["detail"].is_string() {
                return Err(ctx.failure(
                    req,
                    format!("500 body {v} is not {{\"message\":\"{PORTS_ERROR_MESSAGE}\",\"detail\":…}}"),
                ));
            }
            Ok(None)
        }
        s => Err(ctx.failure(
            req,
            format!("status {s} (want 200, or 500 on a getter error)"),
        )),
    }
}

#[rustfmt::skip]
fn ports_cases() -> Vec<Case> {
    let route = "GET /api/v0/listening-ports";
    vec![
        Case::steps("listening-ports/shape", Tier::BlackBox, route, listening_ports_shape).checks(&["core.ports.ok", "core.ports.shape", "core.ports.entry-order", "core.ports.empty-array", "core.ports.error-status", "core.ports.error-message", "core.json.content-type"]),
        Case::steps("listening-ports/no-port-below-9", Tier::BlackBox, route, listening_ports_no_port_below_9).checks(&["core.ports.minimum"]),
        Case::steps("listening-ports/no-ignored-port", Tier::BlackBox, route, listening_ports_no_ignored_port).checks(&["core.ports.default-ignored", "core.ports.ignored"]),
    ]
}

/// `parent_id` from `/debug/manifest`.
async fn parent_id(ctx: &Ctx) -> Result<String, Failure> {
    let req = Request::get("/debug/manifest");
    let resp = ctx.send(&req).await?;
    if resp.status != 200 {
        return Err(ctx.failure(&req, format!("status {} (want 200)", resp.status)));
    }
    let v: Value = serde_json::from_slice(&resp.body)
        .map_err(|e| ctx.failure(&req, format!("manifest is not JSON: {e}")))?;
    v["parent_id"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| ctx.failure(&req, "manifest has no string parent_id"))
}

/// How `/api/v0/containers` is answered: mounted API, or one of the two gates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Gate {
    Mounted,
    NotEnabled,
    NotSupported,
}

/// `Some(skip)` unless the containers API is mounted (the skip every containers case gives).
pub(crate) async fn require_mounted(ctx: &Ctx) -> Result<Option<Verdict>, Failure> {
    Ok((gate(ctx).await? != Gate::Mounted)
        .then(|| Verdict::Skip("the containers API is gated (403)".into())))
}

/// Reads the gate from `GET /api/v0/containers`, checking it agrees with `parent_id`.
pub(crate) async fn gate(ctx: &Ctx) -> Result<Gate, Failure> {
    let parent = parent_id(ctx).await?;
    let req = Request::get("/api/v0/containers");
    let resp = ctx.send(&req).await?;
    if parent != NIL_UUID {
        ctx.exchange(&req, &Expect::json(403, GATE_NOT_SUPPORTED))
            .await
            .map_err(|mut f| {
                f.reason = format!("manifest parent_id is {parent} (a sub-agent): {}", f.reason);
                f
            })?;
        return Ok(Gate::NotSupported);
    }
    if resp.status == 403 {
        Expect::json(403, GATE_NOT_ENABLED)
            .check(&resp)
            .map_err(|mut f| {
                f.reason = format!(
                    "parent_id is nil, so a 403 must be \"not enabled\": {}",
                    f.reason
                );
                ctx.attach(&req, f)
            })?;
        return Ok(Gate::NotEnabled);
    }
    if resp.status == 200 {
        return Ok(Gate::Mounted);
    }
    Err(ctx.failure(
        &req,
        format!(
            "status {} (want 200 when mounted or 403 when disabled)",
            resp.status
        ),
    ))
}

#[rustfmt::skip]
fn gating_cases() -> Vec<Case> {
    let route = "ANY /api/v0/containers";
    vec![
        Case::steps("containers/gating-matches-manifest", Tier::BlackBox, route, gating_matches_manifest).checks(&["core.gate.mounted", "core.gate.not-enabled", "core.gate.not-supported", "core.gate.sub-agent-forces-off"]),
        Case::steps("containers/gating-all-standard-methods", Tier::BlackBox, route, gating_all_standard_methods).checks(&["core.gate.all-methods"]),
        Case::steps("containers/gating-exact-path-only", Tier::BlackBox, route, gating_exact_path_only).checks(&["core.gate.exact-path"]),
    ]
}

#[rustfmt::skip]
fn debug_cases() -> Vec<Case> {
    let mut v = Vec::new();
    v.push(Case::steps("debug/manifest-shape", Tier::BlackBox, "GET /debug/manifest", debug_manifest_shape).checks(&["core.debug.manifest.sniffed", "core.debug.manifest.encoding", "core.debug.manifest.keys", "core.debug.manifest.arrays", "core.debug.manifest.ids", "core.json.uuid"]));
    v.push(Case::steps("debug/logs-shape", Tier::BlackBox, "GET /debug/logs", debug_logs_shape).checks(&["core.debug.logs.body", "core.debug.logs.empty", "core.debug.logs.open-error", "core.http.empty-body-no-type"]));
    v.push(Case::exchange(
        "debug/magicsock-shape",
        Tier::BlackBox,
        "GET /debug/magicsock",
        Request::get("/debug/magicsock"),
        Expect::status(200)
            .header("content-type", "text/html; charset=utf-8")
            .contains("<h1>magicsock</h1>"),
    ).checks(&["core.debug.magicsock.html"]));
    let logging = "GET /debug/magicsock/debug-logging/{state}";
    for (name, states, word, rule) in [
        ("true", ["1", "t", "T", "TRUE", "true", "True"], "true", "core.debug.logging.true"),
        ("false", ["0", "f", "F", "FALSE", "false", "False"], "false", "core.debug.logging.false"),
    ] {
        v.push(
            Case::steps(
                format!("debug/debug-logging-{name}"),
                Tier::BlackBox,
                logging,
                move |ctx| async move {
                    for s in states {
                        let req = Request::get(&format!("/debug/magicsock/debug-logging/{s}"));
                        let body = format!("updated magicsock debug logging to {word}");
                        ctx.exchange(&req, &Expect::sniffed_text(200, &body))
                            .await?;
                    }
                    Ok(Verdict::Pass)
                },
            )
            .changes(Effect::ChangesSettings)
            .checks(&[rule, "core.debug.logging.text"]),
        );
    }
    for (name, state, shown) in [
        ("debug/debug-logging-invalid", "blah", "\"blah\""),
        ("debug/debug-logging-invalid-case", "tRUE", "\"tRUE\""),
        ("debug/debug-logging-invalid-yes", "yes", "\"yes\""),
    ] {
        v.push(black_box_exchange(
            name,
            logging,
            Request::get(&format!("/debug/magicsock/debug-logging/{state}")),
            Expect::sniffed_text(400, &format!("invalid state {shown}, must be a boolean")),
        ).checks(&["core.debug.logging.invalid", "core.debug.logging.text"]));
    }
    v.push(Case::steps("debug/prometheus-shape", Tier::BlackBox, "GET /debug/prometheus", debug_prometheus_shape).checks(&["core.debug.prometheus.content-type", "core.debug.prometheus.text-format", "core.debug.prometheus.counters"]));
    v
}

async fn netcheck_shape(ctx: Arc<Ctx>) -> StepResult {
    let ctx = &ctx;
    let req = Request::get("/api/v0/netcheck");
    let resp = ctx.send(&req).await?;
    let v = check_go_json(&resp).map_err(|e| ctx.failure(&req, e))?;
    if resp.status == 500 {
        if v["message"] != "Failed to run interfaces report" {
            return Err(ctx.failure(&req, format!("500 body {v}")));
        }
        return Ok(Verdict::Pass);
    }
    if resp.status != 200 {
        return Err(ctx.failure(&req, format!("status {} (want 200)", resp.status)));
    }
    let keys: Vec<&str> = json_keys(&v);
    let want = [
        "severity",
        "warnings",
        "dismissed",
        "net_info",
        "interfaces",
    ];
    if keys != want {
        return Err(ctx
            .failure(&req, "AgentNetcheckReport keys differ (order matters)")
            .with_diff(&want.join("\n"), &keys.join("\n")));
    }
    if v["severity"] != "ok" || !v["warnings"].is_null() || v["dismissed"] != false {
        return Err(ctx.failure(
            &req,
            "top level must be severity \"ok\", warnings null, dismissed false",
        ));
    }
    let ikeys: Vec<&str> = json_keys(&v["interfaces"]);
    if ikeys != ["severity", "warnings", "dismissed", "interfaces"] {
        return Err(ctx.failure(&req, format!("interfaces report keys {ikeys:?}")));
    }
    Ok(Verdict::Pass)
}

async fn listening_ports_shape(ctx: Arc<Ctx>) -> StepResult {
    let req = Request::get("/api/v0/listening-ports");
    let resp = ctx.send(&req).await?;
    ports_body(&ctx, &req, &resp)?;
    Ok(Verdict::Pass)
}

async fn listening_ports_no_port_below_9(ctx: Arc<Ctx>) -> StepResult {
    let req = Request::get("/api/v0/listening-ports");
    let resp = ctx.send(&req).await?;
    let Some(ports) = ports_body(&ctx, &req, &resp)? else {
        return Ok(Verdict::Skip("the port getter fails (500)".into()));
    };
    if let Some(p) = ports.iter().find(|p| p["port"].as_u64().unwrap_or(0) < 9) {
        return Err(ctx.failure(&req, format!("reported {p}: ports below 9 must be dropped")));
    }
    Ok(Verdict::Pass)
}

async fn listening_ports_no_ignored_port(ctx: Arc<Ctx>) -> StepResult {
    let req = Request::get("/api/v0/listening-ports");
    let resp = ctx.send(&req).await?;
    let Some(ports) = ports_body(&ctx, &req, &resp)? else {
        return Ok(Verdict::Skip("the port getter fails (500)".into()));
    };
    if let Some(p) = ports
        .iter()
        .find(|p| DEFAULT_IGNORED.contains(&p["port"].as_u64().unwrap_or(0)))
    {
        return Err(ctx.failure(
            &req,
            format!("reported {p}: ports in the ignore set (6060, 2112, 2113) must be dropped"),
        ));
    }
    Ok(Verdict::Pass)
}

async fn gating_matches_manifest(ctx: Arc<Ctx>) -> StepResult {
    gate(&ctx).await?;
    Ok(Verdict::Pass)
}

async fn gating_all_standard_methods(ctx: Arc<Ctx>) -> StepResult {
    let g = gate(&ctx).await?;
    let body = match g {
        Gate::Mounted => return Ok(Verdict::Skip("the containers API is mounted".into())),
        Gate::NotEnabled => GATE_NOT_ENABLED,
        Gate::NotSupported => GATE_NOT_SUPPORTED,
    };
    for m in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"] {
        let req = Request::new(m, "/api/v0/containers?x=1");
        ctx.exchange(&req, &Expect::json(403, body)).await?;
    }
    let req = Request::new("HEAD", "/api/v0/containers");
    ctx.exchange(
        &req,
        &Expect::status(403).header("content-type", JSON_CT).body(""),
    )
    .await?;
    Ok(Verdict::Pass)
}

async fn gating_exact_path_only(ctx: Arc<Ctx>) -> StepResult {
    if gate(&ctx).await? == Gate::Mounted {
        return Ok(Verdict::Skip("the containers API is mounted".into()));
    }
    for p in [
        "/api/v0/containers/",
        "/api/v0/containers/watch",
        "/api/v0/containers/devcontainers/x/recreate",
    ] {
        ctx.exchange(&Request::get(p), &Expect::not_found()).await?;
        ctx.exchange(&Request::new("POST", p), &Expect::not_found())
            .await?;
    }
    Ok(Verdict::Pass)
}

async fn debug_manifest_shape(ctx: Arc<Ctx>) -> StepResult {
    let req = Request::get("/debug/manifest");
    let resp = ctx
        .exchange(&req, &Expect::status(200).header("content-type", TEXT_CT))
        .await
        .map_err(|mut f| {
            f.reason
                .push_str(" (Go sniffs the JSON body: text/plain, not application/json)");
            f
        })?;
    let val = go_encoded(&resp.body).map_err(|e| ctx.failure(&req, e))?;
    let keys: Vec<&str> = json_keys(&val);
    if keys != MANIFEST_KEYS {
        return Err(ctx
            .failure(
                &req,
                "manifest keys differ from agentsdk.Manifest (order matters)",
            )
            .with_diff(&MANIFEST_KEYS.join("\n"), &keys.join("\n")));
    }
    for k in ["apps", "metadata", "scripts", "devcontainers"] {
        if !val[k].is_array() {
            return Err(ctx.failure(&req, format!("{k} is {} (always an array)", val[k])));
        }
    }
    for k in ["parent_id", "agent_id", "workspace_id"] {
        let ok = val[k]
            .as_str()
            .is_some_and(|s| uuid::Uuid::parse_str(s).is_ok() && s == s.to_lowercase());
        if !ok {
            return Err(ctx.failure(&req, format!("{k} is {} (a lowercase UUID)", val[k])));
        }
    }
    Ok(Verdict::Pass)
}

async fn debug_logs_shape(ctx: Arc<Ctx>) -> StepResult {
    let req = Request::get("/debug/logs");
    let resp = ctx.send(&req).await?;
    match resp.status {
        200 if resp.body.is_empty() => {
            ctx.exchange(
                &req,
                &Expect::status(200)
                    .no_header("content-type")
                    .header("content-length", "0"),
            )
            .await?;
        }
        200 => {
            if resp.header("content-type").is_none() {
                return Err(ctx.failure(&req, "non-empty log body without a sniffed Content-Type"));
            }
        }
        500 => {
            ctx.exchange(&req, &Expect::status(500).header("content-type", TEXT_CT))
                .await?;
            let t = resp.text();
            if !t.starts_with("could not open log file: ") || t.ends_with('\n') {
                return Err(ctx.failure(
                    &req,
                    format!(
                        "500 body {t:?} (want \"could not open log file: <err>\" without newline)"
                    ),
                ));
            }
        }
        s => return Err(ctx.failure(&req, format!("status {s} (want 200 or 500)"))),
    }
    Ok(Verdict::Pass)
}

async fn debug_prometheus_shape(ctx: Arc<Ctx>) -> StepResult {
    let req = Request::get("/debug/prometheus");
    let resp = ctx
        .exchange(
            &req,
            &Expect::status(200).header("content-type", "text/plain"),
        )
        .await?;
    let text = resp.text();
    for line in text.lines() {
        let ok = line.starts_with("# HELP ")
            || line.starts_with("# TYPE ")
            || line.split(' ').count() >= 2 && !line.starts_with('#');
        if !ok {
            return Err(ctx.failure(&req, format!("line {line:?} is not Prometheus text format")));
        }
    }
    if !text.contains("# TYPE agent_reconnecting_pty_connections_total counter\n") {
        return Err(ctx.failure(
            &req,
            "agent_reconnecting_pty_connections_total counter missing",
        ));
    }
    Ok(Verdict::Pass)
}
