//! Controlled tier, snapshots: every fixture is put in force through `PUT /__sim/scenario`,
//! every route is requested, and the redacted rendering is compared with the reviewed snapshot
//! `snapshots/<fixture>__<route>.snap`.

use crate::case::{Case, Effect, Tier, Verdict};
use crate::context::Ctx;
use crate::failure::Failure;
use crate::fixtures::Fixture;
use crate::http::Request;
use crate::snapshot;
use std::sync::Arc;

/// One snapshotted request: (id used in names, route for coverage, request).
pub struct SnapRoute {
    pub id: &'static str,
    pub route: &'static str,
    pub method: &'static str,
    /// The path, or for `RUN` the command started through the process API (the snapshot then
    /// holds the start answer and the `?wait=true` output, the id shown as `[process-id]`).
    pub path: &'static str,
    /// JSON body sent with the request.
    pub body: Option<&'static str>,
}

const fn snap_post(
    id: &'static str,
    route: &'static str,
    path: &'static str,
    body: &'static str,
) -> SnapRoute {
    SnapRoute {
        id,
        route,
        method: "POST",
        path,
        body: Some(body),
    }
}

const fn snap_route(
    id: &'static str,
    route: &'static str,
    method: &'static str,
    path: &'static str,
) -> SnapRoute {
    SnapRoute {
        id,
        route,
        method,
        path,
        body: None,
    }
}

/// Every route requested for every fixture.
pub const ROUTES: &[SnapRoute] = &[
    snap_route("hello", "GET /", "GET", "/"),
    snap_route("hello-post", "GET /", "POST", "/"),
    snap_route("not-found", "404", "GET", "/api/v0/nope"),
    snap_route(
        "listening-ports",
        "GET /api/v0/listening-ports",
        "GET",
        "/api/v0/listening-ports",
    ),
    snap_route(
        "netcheck",
        "GET /api/v0/netcheck",
        "GET",
        "/api/v0/netcheck",
    ),
    snap_route("debug-logs", "GET /debug/logs", "GET", "/debug/logs"),
    snap_route(
        "debug-magicsock",
        "GET /debug/magicsock",
        "GET",
        "/debug/magicsock",
    ),
    snap_route(
        "debug-logging-true",
        "GET /debug/magicsock/debug-logging/{state}",
        "GET",
        "/debug/magicsock/debug-logging/true",
    ),
    snap_route(
        "debug-logging-invalid",
        "GET /debug/magicsock/debug-logging/{state}",
        "GET",
        "/debug/magicsock/debug-logging/blah",
    ),
    snap_route(
        "debug-manifest",
        "GET /debug/manifest",
        "GET",
        "/debug/manifest",
    ),
    snap_route(
        "debug-prometheus",
        "GET /debug/prometheus",
        "GET",
        "/debug/prometheus",
    ),
    snap_route(
        "containers-get",
        "ANY /api/v0/containers",
        "GET",
        "/api/v0/containers",
    ),
    snap_route(
        "containers-post",
        "ANY /api/v0/containers",
        "POST",
        "/api/v0/containers",
    ),
    snap_route(
        "process-start-empty-body",
        "POST /api/v0/processes/start",
        "POST",
        "/api/v0/processes/start",
    ),
    snap_route(
        "process-output-unknown",
        "GET /api/v0/processes/{id}/output",
        "GET",
        "/api/v0/processes/nope/output",
    ),
    snap_route(
        "process-run-echo",
        "POST /api/v0/processes/start",
        "RUN",
        "echo hello",
    ),
    snap_route(
        "process-run-exit-3",
        "POST /api/v0/processes/start",
        "RUN",
        "exit 3",
    ),
    snap_route(
        "files-read-readme",
        "GET /api/v0/read-file",
        "GET",
        "/api/v0/read-file?path=/home/coder/README.md&offset=0&limit=0",
    ),
    snap_route(
        "files-read-lines",
        "GET /api/v0/read-file-lines",
        "GET",
        "/api/v0/read-file-lines?path=/home/coder/project/main.go&offset=2&limit=3",
    ),
    snap_route(
        "files-resolve-link",
        "GET /api/v0/resolve-path",
        "GET",
        "/api/v0/resolve-path?path=/home/coder/link-plans/PLAN.md",
    ),
    snap_post(
        "files-list-home",
        "POST /api/v0/list-directory",
        "/api/v0/list-directory",
        "{\"path\":[],\"relativity\":\"home\"}",
    ),
    snap_route(
        "containers-subpath",
        "ANY /api/v0/containers",
        "GET",
        "/api/v0/containers/",
    ),
];

/// Per-request timeout of snapshot captures.
pub const SNAPSHOT_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(1000);

/// How long a snapshot request may go unanswered before the scenario group moves on without
/// it (the agent has long taken it in: a loopback agent answers in milliseconds).
pub const DETACH_AFTER: std::time::Duration = std::time::Duration::from_millis(300);

/// The snapshot name of a route under a fixture.
pub fn snapshot_name(fixture: &str, route: &str) -> String {
    format!("{fixture}__{route}")
}

/// Puts the fixture in force, sends the route's request, renders the response.
pub async fn capture(ctx: &Ctx, fixture: &Fixture, route: &SnapRoute) -> Result<String, Failure> {
    // Earlier cases may have recreated or deleted devcontainers: the containers routes see
    // the fixture's devcontainers afresh.
    let put = if route.path.starts_with("/api/v0/containers") {
        super::devcontainers::put_fresh(ctx, &fixture.json).await
    } else {
        ctx.put_scenario(&fixture.json).await
    };
    put.map_err(|mut f| {
        f.reason = format!("loading fixture {}: {}", fixture.origin, f.reason);
        f
    })?;
    if route.method == "RUN" {
        return run_flow(ctx, route.path).await;
    }
    let req = request_of(route);
    // A fault scenario may hang a route on purpose: waiting the full timeout would only slow
    // the run, and the snapshot records just that no answer came.
    let client = ctx
        .client
        .with_timeout(ctx.client.timeout().min(SNAPSHOT_TIMEOUT));
    // Once the agent has taken the request in, the scenario may change: after `DETACH_AFTER`
    // without an answer the next case starts while this one waits out its timeout.
    let send = client.send(&ctx.target, &req);
    tokio::pin!(send);
    let answer = match tokio::time::timeout(DETACH_AFTER, &mut send).await {
        Ok(a) => a,
        Err(_) => {
            crate::lease::release_group();
            send.await
        }
    };
    Ok(match answer {
        Ok(resp) => snapshot::render(&req, &resp),
        Err(e) => snapshot::render_error(&req, &e),
    })
}

/// Start a command, wait for its output; both answers, the generated id redacted.
async fn run_flow(ctx: &Ctx, command: &str) -> Result<String, Failure> {
    let body = serde_json::json!({ "command": command }).to_string();
    let start = Request::new("POST", "/api/v0/processes/start")
        .with_body("application/json", body.into_bytes());
    let resp = ctx.send(&start).await?;
    let mut text = snapshot::render(&start, &resp);
    let id = serde_json::from_slice::<serde_json::Value>(&resp.body)
        .ok()
        .and_then(|v| v["id"].as_str().map(str::to_string));
    if let Some(id) = id.filter(|i| !i.is_empty()) {
        let out = Request::get(&format!("/api/v0/processes/{id}/output?wait=true"));
        let resp = ctx.send(&out).await?;
        text.push('\n');
        text.push_str(&snapshot::render(&out, &resp));
        text = text.replace(&id, "[process-id]");
    }
    Ok(text)
}

/// A case per fixture × route.
pub fn cases(fixtures: &[Fixture]) -> Vec<Case> {
    let mut v = Vec::new();
    for f in fixtures {
        for (i, route) in ROUTES.iter().enumerate() {
            let fixture = Arc::new(f.clone());
            let case = Case::steps(
                format!("snapshot/{}/{}", f.name, route.id),
                Tier::Controlled,
                route.route,
                move |ctx| {
                    let fixture = fixture.clone();
                    async move { compare(&ctx, &fixture, &ROUTES[i]).await }
                },
            )
            .checks(&snapshot_rules(&f.name, route.id));
            v.push(if route.method == "RUN" {
                case.changes(Effect::StartsProcesses)
            } else {
                case
            });
        }
    }
    v
}

/// The rules a route's snapshot pins under every fixture (status, the rendered headers,
/// the body and whether it is Go's encoder's bytes).
fn route_rules(route: &str) -> &'static [&'static str] {
    match route {
        "hello" => &[
            "core.hello.body",
            "core.json.content-type",
            "core.json.trailing-newline",
        ],
        "hello-post" => &[
            "core.hello.get-only",
            "core.router.method-not-allowed.allow",
            "core.router.method-not-allowed.empty",
        ],
        "not-found" => &[
            "core.router.api-v0-catch-all",
            "core.router.not-found.body",
            "core.router.not-found.content-type",
            "core.router.not-found.nosniff",
        ],
        "listening-ports" => &[
            "core.ports.shape",
            "core.ports.entry-order",
            "core.ports.getter-order",
        ],
        "netcheck" => &[
            "core.netcheck.keys",
            "core.netcheck.net-info",
            "core.netcheck.interfaces-keys",
            "core.json.field-order",
        ],
        "debug-logs" => &["core.debug.logs.body"],
        "debug-magicsock" => &["core.debug.magicsock.html"],
        "debug-logging-true" => &["core.debug.logging.true", "core.debug.logging.text"],
        "debug-logging-invalid" => &["core.debug.logging.invalid", "core.debug.logging.text"],
        "debug-manifest" => &["core.debug.manifest.keys", "core.debug.manifest.encoding"],
        "debug-prometheus" => &[
            "core.debug.prometheus.content-type",
            "core.debug.prometheus.text-format",
            "core.debug.prometheus.counters",
        ],
        "containers-get" => &[
            "containers.list.ok-200",
            "containers.list.key-order",
            "core.json.content-type",
        ],
        "containers-post" => &["containers.routing.405-list"],
        "containers-subpath" => &["containers.routing.list-root", "core.json.content-type"],
        "process-start-empty-body" => &["processes.body.empty-eof", "core.json.content-type"],
        "process-output-unknown" => &["processes.output.not-found", "core.json.content-type"],
        "process-run-echo" => &["processes.start.response", "processes.output.exited"],
        "process-run-exit-3" => &["processes.exit.status"],
        "files-read-readme" => &["files.read.raw-bytes"],
        "files-read-lines" => &["files.lines.format", "files.lines.offset"],
        "files-resolve-link" => &["files.path.symlink-replaced"],
        "files-list-home" => &["files.list.relativity-home", "files.list.shape"],
        _ => &["core.json.content-type"],
    }
}

/// The rules a snapshot checks: the route's, and what its fixture adds; where the
/// fixture replaces the route's usual answer (an error, a gate, a fault) only the fixture's.
/// Under `faults` the reset of /debug/logs and the hang of /debug/magicsock are agent-sim's own
/// (agent-sim.md, no rule chapter), so those two keep the route's rules.
fn snapshot_rules(fixture: &str, route: &str) -> Vec<&'static str> {
    let replaced = matches!(
        (fixture, route),
        ("ports-error", "listening-ports" | "debug-logs")
            | ("faults", "netcheck" | "debug-manifest")
            | (
                "devcontainers-disabled" | "sub-agent",
                "containers-get" | "containers-post" | "containers-subpath"
            )
    );
    if replaced {
        fixture_rules(fixture, route).to_vec()
    } else {
        [route_rules(route), fixture_rules(fixture, route)].concat()
    }
}

/// What a fixture adds to a route's snapshot: the state it puts the route in.
fn fixture_rules(fixture: &str, route: &str) -> &'static [&'static str] {
    match (fixture, route) {
        ("ports-filtering", "listening-ports") => &[
            "core.ports.minimum",
            "core.ports.ignored",
            "core.ports.keeps-duplicates",
            "core.ports.no-well-known-filter",
        ],
        ("ports-error", "listening-ports") => &[
            "core.ports.error-status",
            "core.ports.error-message",
            "core.ports.error-detail",
        ],
        ("ports-error", "debug-logs") => &["core.debug.logs.open-error"],
        ("sub-agent", "listening-ports") => &["core.ports.empty-array"],
        ("sub-agent", "debug-manifest") => &["core.debug.manifest.ids"],
        ("sub-agent", "containers-get" | "containers-post") => {
            &["core.gate.not-supported", "core.gate.sub-agent-forces-off"]
        }
        ("devcontainers-disabled", "containers-get") => &["core.gate.not-enabled"],
        ("devcontainers-disabled", "containers-post") => {
            &["core.gate.not-enabled", "core.gate.all-methods"]
        }
        ("devcontainers-disabled" | "sub-agent", "containers-subpath") => &["core.gate.exact-path"],
        ("faults", "debug-manifest") => &["core.recover.status", "core.recover.body"],
        ("faults", "netcheck") => &["core.json.content-type", "core.json.trailing-newline"],
        _ => &[],
    }
}

async fn compare(ctx: &Ctx, fixture: &Fixture, route: &SnapRoute) -> Result<Verdict, Failure> {
    let name = snapshot_name(&fixture.name, route.id);
    let path = ctx.snapshots.location(&name);
    let Some(expected) = ctx.snapshots.get(&name) else {
        return Err(Failure::new(format!(
            "no snapshot {path} (run `cargo test -p conformance` and review with `cargo insta review`)"
        )));
    };
    let actual = capture(ctx, fixture, route).await?;
    if snapshot::same(&expected, &actual) {
        return Ok(Verdict::Pass);
    }
    let req = if route.method == "RUN" {
        Request::new("POST", "/api/v0/processes/start")
    } else {
        request_of(route)
    };
    let f = Failure::new(format!(
        "{}: response differs from snapshot {} under fixture {}",
        req.line(),
        path,
        fixture.name
    ))
    .with_diff(expected.trim_end(), actual.trim_end());
    Err(ctx.attach(&req, f))
}

/// The request a (non-`RUN`) snapshot route sends.
fn request_of(route: &SnapRoute) -> Request {
    let req = Request::new(route.method, route.path);
    match route.body {
        Some(b) => req.with_body("application/json", b.as_bytes().to_vec()),
        None => req,
    }
}
