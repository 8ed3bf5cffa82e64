//! The list's contents against a known lister answer (containers.md §3, §7, §8), controlled
//! tier: a crafted scenario is put in force and `GET /api/v0/containers` compared byte for byte
//! with what the agent writes for it (field order, omitted and `null` fields, sorting,
//! detection, names); `null` against `[]`; the lister's error and its clearing.
//!
//! They are controlled-only: the lister's answer (containers, warnings, an error) and the
//! known devcontainers can only be chosen through the scenario.

use crate::case::{Case, StepResult, Tier, Verdict};
use crate::context::Ctx;
use crate::expect::{check_go_json, Expect};
use crate::failure::Failure;
use crate::http::Request;
use serde_json::{json, Value};
use std::sync::Arc;

use super::devcontainers::{envelope, LIST};

/// Every list-content case.
#[rustfmt::skip]
pub fn cases() -> Vec<Case> {
    vec![
        Case::steps("containers/controlled/list-model", Tier::Controlled, LIST, list_model)
            .checks(&[
                "containers.list.ok-200", "containers.list.containers-unfiltered", "containers.list.warnings-listed",
                "containers.list.devcontainers-sorted", "containers.list.ignored-hidden", "containers.list.agent-attached",
                "containers.types.container-field-order", "containers.types.port-field-order", "containers.types.port-omitempty",
                "containers.types.created-at", "containers.types.devcontainer-field-order", "containers.types.config-path-omitempty",
                "containers.types.subagent-id-null", "containers.types.dirty-present", "containers.types.container-omitempty",
                "containers.types.error-omitempty", "containers.types.status-enum",
                "containers.state.detect-labelled", "containers.state.test-run-skipped", "containers.state.status-from-container",
                "containers.state.stopped-without-container", "containers.state.name-from-folder",
                "containers.encoding.go-json",
            ]),
        Case::steps("containers/controlled/list-null-or-empty", Tier::Controlled, LIST, list_null_or_empty)
            .checks(&[
                "containers.list.containers-null", "containers.list.containers-empty", "containers.list.devcontainers-null",
                "containers.list.devcontainers-empty-when-all-ignored", "containers.list.warnings-omitted",
            ]),
        Case::steps("containers/controlled/list-error-then-cleared", Tier::Controlled, LIST, list_error_then_cleared)
            .checks(&["containers.list.error-500", "containers.list.error-cleared", "containers.encoding.error-envelope"]),
    ]
}

/// A container as the scenario gives it (the lister's answer).
fn container(
    id: &str,
    created_at: &str,
    name: &str,
    labels: Value,
    running: bool,
    ports: Value,
) -> Value {
    json!({
        "created_at": created_at, "id": id, "name": name, "image": "a<b>&c", "labels": labels,
        "running": running, "ports": ports, "status": if running { "running" } else { "exited with code 1" },
        "volumes": {},
    })
}

const KNOWN_A: &str = "1a2b3c4d-0000-4000-8000-00000000000a";
const KNOWN_B: &str = "1a2b3c4d-0000-4000-8000-00000000000b";
const IGNORED: &str = "1a2b3c4d-0000-4000-8000-00000000000c";
const SUBAGENT: &str = "1a2b3c4d-0000-4000-8000-0000000000aa";
const AGENT: &str = "1a2b3c4d-0000-4000-8000-0000000000bb";
/// Stands for the random id the agent gives the detected devcontainer.
const DETECTED: &str = "<detected>";

/// Lister order on purpose unsorted: a runtime-detected devcontainer (`/srv/My_App`), a plain
/// stopped container, a test-run container, an ignored devcontainer's container, the known
/// `/workspace/a`'s container. Known: `/workspace/b` (no container), `/workspace/a` (with a
/// Terraform sub-agent id and a sub-agent), `/a/ignored`.
fn model_scenario() -> Value {
    let cfg = "/srv/My_App/.devcontainer/devcontainer.json";
    let containers = json!([
        container(
            "c2",
            "2026-06-01T10:00:00.120000000Z",
            "zeta",
            json!({"devcontainer.local_folder": "/srv/My_App", "devcontainer.config_file": cfg}),
            true,
            json!([{"port": 8080, "network": "tcp"}])
        ),
        container(
            "c1",
            "2026-05-30T08:00:00Z",
            "alpha",
            json!({}),
            false,
            json!([{"port": 5432, "network": "tcp", "host_ip": "127.0.0.1", "host_port": 5432}])
        ),
        container(
            "c3",
            "2026-05-30T08:00:00Z",
            "testrun",
            json!({"devcontainer.local_folder": "/workspace/test1", "devcontainer.is_test_run": "true"}),
            true,
            json!([])
        ),
        container(
            "c4",
            "2026-05-30T08:00:00Z",
            "ign",
            json!({"devcontainer.local_folder": "/a/ignored"}),
            true,
            json!([])
        ),
        container(
            "c5",
            "2026-05-30T08:00:00Z",
            "known",
            json!({"devcontainer.local_folder": "/workspace/a"}),
            true,
            json!([])
        ),
    ]);
    json!({
        "name": "containers-list-model",
        "devcontainers": {
            "enabled": true,
            "containers": containers,
            "warnings": ["second warning", "first warning"],
            "devcontainers": [
                {"id": KNOWN_B, "name": "known-b", "workspace_folder": "/workspace/b", "status": "stopped"},
                {"id": KNOWN_A, "name": "known-a", "workspace_folder": "/workspace/a",
                 "config_path": "/workspace/a/.devcontainer/devcontainer.json", "subagent_id": SUBAGENT,
                 "status": "running", "agent": {"id": AGENT, "name": "known-a", "directory": "/workspaces/a"}},
                {"id": IGNORED, "name": "ignored", "workspace_folder": "/a/ignored", "status": "stopped", "ignored": true},
            ],
        },
    })
}

/// What the agent writes for [`model_scenario`] (containers.md §3, §7, §8), the detected
/// devcontainer's id as [`DETECTED`].
fn model_body() -> String {
    let img = "a\\u003cb\\u003e\\u0026c";
    let c = |id: &str, at: &str, name: &str, labels: &str, running: bool, ports: &str| {
        let status = if running {
            "running"
        } else {
            "exited with code 1"
        };
        format!("{{\"created_at\":\"{at}\",\"id\":\"{id}\",\"name\":\"{name}\",\"image\":\"{img}\",\"labels\":{labels},\"running\":{running},\"ports\":{ports},\"status\":\"{status}\",\"volumes\":{{}}}}")
    };
    let c2 = c("c2", "2026-06-01T10:00:00.12Z", "zeta",
        "{\"devcontainer.config_file\":\"/srv/My_App/.devcontainer/devcontainer.json\",\"devcontainer.local_folder\":\"/srv/My_App\"}",
        true, "[{\"port\":8080,\"network\":\"tcp\"}]");
    let c1 = c(
        "c1",
        "2026-05-30T08:00:00Z",
        "alpha",
        "{}",
        false,
        "[{\"port\":5432,\"network\":\"tcp\",\"host_ip\":\"127.0.0.1\",\"host_port\":5432}]",
    );
    let c3 = c("c3", "2026-05-30T08:00:00Z", "testrun",
        "{\"devcontainer.is_test_run\":\"true\",\"devcontainer.local_folder\":\"/workspace/test1\"}", true, "[]");
    let c4 = c(
        "c4",
        "2026-05-30T08:00:00Z",
        "ign",
        "{\"devcontainer.local_folder\":\"/a/ignored\"}",
        true,
        "[]",
    );
    let c5 = c(
        "c5",
        "2026-05-30T08:00:00Z",
        "known",
        "{\"devcontainer.local_folder\":\"/workspace/a\"}",
        true,
        "[]",
    );
    let detected = format!("{{\"id\":\"{DETECTED}\",\"name\":\"my-app\",\"workspace_folder\":\"/srv/My_App\",\"config_path\":\"/srv/My_App/.devcontainer/devcontainer.json\",\"subagent_id\":null,\"status\":\"running\",\"dirty\":false,\"container\":{c2}}}");
    let known_a = format!("{{\"id\":\"{KNOWN_A}\",\"name\":\"known-a\",\"workspace_folder\":\"/workspace/a\",\"config_path\":\"/workspace/a/.devcontainer/devcontainer.json\",\"subagent_id\":\"{SUBAGENT}\",\"status\":\"running\",\"dirty\":false,\"container\":{c5},\"agent\":{{\"id\":\"{AGENT}\",\"name\":\"known-a\",\"directory\":\"/workspaces/a\"}}}}");
    let known_b = format!("{{\"id\":\"{KNOWN_B}\",\"name\":\"known-b\",\"workspace_folder\":\"/workspace/b\",\"subagent_id\":null,\"status\":\"stopped\",\"dirty\":false}}");
    format!("{{\"devcontainers\":[{detected},{known_a},{known_b}],\"containers\":[{c2},{c1},{c3},{c4},{c5}],\"warnings\":[\"second warning\",\"first warning\"]}}\n")
}

/// The list body with the detected devcontainer's id (a canonical UUID none of the scenario's)
/// replaced by [`DETECTED`].
fn redact_detected(body: &str) -> Result<String, String> {
    let v: Value = serde_json::from_str(body).map_err(|e| format!("body is not JSON: {e}"))?;
    let id = v["devcontainers"]
        .as_array()
        .and_then(|a| a.iter().find(|d| d["workspace_folder"] == "/srv/My_App"))
        .and_then(|d| d["id"].as_str())
        .ok_or("no devcontainer detected for the container labelled /srv/My_App")?;
    let canonical = uuid::Uuid::parse_str(id).is_ok_and(|u| u.hyphenated().to_string() == id);
    if !canonical || [KNOWN_A, KNOWN_B, IGNORED].contains(&id) {
        return Err(format!(
            "the detected devcontainer's id {id:?} is not a fresh canonical UUID"
        ));
    }
    Ok(body.replace(
        &format!("\"id\":\"{id}\""),
        &format!("\"id\":\"{DETECTED}\""),
    ))
}

async fn list_model(ctx: Arc<Ctx>) -> StepResult {
    ctx.put_scenario(&model_scenario().to_string()).await?;
    let req = Request::get("/api/v0/containers");
    let resp = ctx.send(&req).await?;
    let want = model_body();
    check_go_json(&resp).map_err(|e| ctx.failure(&req, e))?;
    let got = redact_detected(&resp.text()).map_err(|e| ctx.failure(&req, e))?;
    if resp.status != 200 || got != want {
        let f = Failure::new(format!(
            "status {}: want 200 and the list exactly as the agent writes it for this scenario",
            resp.status
        ));
        return Err(ctx.attach(&req, f.with_diff(&want, &got)));
    }
    Ok(Verdict::Pass)
}

/// Puts `devcontainers` in force and requires the list to be exactly `want`.
async fn list_is(ctx: &Ctx, devcontainers: Value, want: &str) -> Result<(), Failure> {
    let scenario = json!({"name": "containers-list-null-or-empty", "devcontainers": devcontainers});
    ctx.put_scenario(&scenario.to_string()).await?;
    ctx.exchange(
        &Request::get("/api/v0/containers"),
        &Expect::json(200, want),
    )
    .await
    .map(|_| ())
}

async fn list_null_or_empty(ctx: Arc<Ctx>) -> StepResult {
    list_is(
        &ctx,
        json!({"containers": null}),
        "{\"devcontainers\":null,\"containers\":null}\n",
    )
    .await?;
    list_is(
        &ctx,
        json!({"containers": []}),
        "{\"devcontainers\":null,\"containers\":[]}\n",
    )
    .await?;
    let ignored = json!([{"id": IGNORED, "workspace_folder": "/a/ignored", "ignored": true}]);
    list_is(
        &ctx,
        json!({"containers": [], "devcontainers": ignored}),
        "{\"devcontainers\":[],\"containers\":[]}\n",
    )
    .await?;
    Ok(Verdict::Pass)
}

async fn list_error_then_cleared(ctx: Arc<Ctx>) -> StepResult {
    let error = "run docker ps: exit status 1: \"Cannot connect to the Docker daemon\"";
    let scenario = json!({"name": "containers-list-error", "devcontainers": {"list_error": error}});
    ctx.put_scenario(&scenario.to_string()).await?;
    let req = Request::get("/api/v0/containers");
    ctx.exchange(
        &req,
        &Expect::json(500, &envelope("Could not get containers", error)),
    )
    .await?;
    ctx.patch_scenario(&json!({"devcontainers": {"list_error": null}}))
        .await?;
    ctx.exchange(
        &req,
        &Expect::json(200, "{\"devcontainers\":null,\"containers\":[]}\n"),
    )
    .await?;
    Ok(Verdict::Pass)
}
