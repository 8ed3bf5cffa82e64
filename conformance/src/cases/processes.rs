//! Black-box cases for the process API (processes.md): its routing, request-body and signal
//! errors with their exact bodies, and — in `process/exec/…` — that it really runs `sh -c`:
//! output and exit codes round-trip, a killed shell reports −1, and the head/tail buffer's
//! truncation marker and line cuts are exact.

use crate::case::{Case, Effect, Group, StepResult, Tier, Verdict};
use crate::context::Ctx;
use crate::expect::{check_go_json, Expect};
use crate::failure::Failure;
use crate::http::Request;
use serde_json::{json, Value};
use std::sync::Arc;

const START: &str = "POST /api/v0/processes/start";
const OUTPUT: &str = "GET /api/v0/processes/{id}/output";
const SIGNAL: &str = "POST /api/v0/processes/{id}/signal";
const LIST: &str = "GET /api/v0/processes/list";

fn process_exchange(name: &str, route: &str, req: Request, expect: Expect) -> Case {
    Case::exchange(
        format!("process/{name}"),
        Tier::BlackBox,
        route,
        req,
        expect,
    )
}

fn post_json(path: &str, body: &str) -> Request {
    Request::new("POST", path).with_body("application/json", body.as_bytes().to_vec())
}

/// Starts `command`, returns its id.
pub async fn start(ctx: &Ctx, command: &str) -> Result<String, Failure> {
    let req = post_json(
        "/api/v0/processes/start",
        &json!({ "command": command }).to_string(),
    );
    let resp = ctx.send(&req).await?;
    let v = check_go_json(&resp).map_err(|e| ctx.failure(&req, e))?;
    if resp.status != 200 || v["started"] != true {
        return Err(ctx.failure(&req, format!("status {}: {}", resp.status, resp.text())));
    }
    let keys: Vec<&str> = v
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    let id = v["id"].as_str().unwrap_or_default().to_string();
    if keys != ["id", "started"] || uuid::Uuid::parse_str(&id).is_err() {
        return Err(ctx.failure(
            &req,
            format!("start body {v} is not {{id: uuid, started: true}}"),
        ));
    }
    Ok(id)
}

/// `GET …/{id}/output?wait=true`, checked to be a finished process.
pub async fn wait_output(ctx: &Ctx, id: &str) -> Result<(Request, Value), Failure> {
    let req = Request::get(&format!("/api/v0/processes/{id}/output?wait=true"));
    let resp = ctx.send(&req).await?;
    let v = check_go_json(&resp).map_err(|e| ctx.failure(&req, e))?;
    if resp.status != 200 || v["running"] != false {
        return Err(ctx.failure(
            &req,
            format!(
                "status {}: {} (want 200, running false)",
                resp.status,
                resp.text()
            ),
        ));
    }
    Ok((req, v))
}

/// Every process case.
#[rustfmt::skip]
pub fn cases() -> Vec<Case> {
    let mut v = vec![
        process_exchange("routes/404-root", "404", Request::get("/api/v0/processes"), Expect::not_found()),
        process_exchange("routes/404-root-slash", "404", Request::get("/api/v0/processes/"), Expect::not_found()),
        process_exchange(
            "routes/405-start-get",
            START,
            Request::get("/api/v0/processes/start"),
            Expect::status(405).header("allow", "POST").no_header("content-type").body(""),
        ),
        process_exchange(
            "routes/405-list-post",
            LIST,
            Request::new("POST", "/api/v0/processes/list"),
            Expect::get_only_405(),
        ),
        process_exchange(
            "routes/405-signal-get",
            SIGNAL,
            Request::get("/api/v0/processes/x/signal"),
            Expect::status(405).header("allow", "POST").body(""),
        ),
        process_exchange(
            "start/empty-body",
            START,
            Request::new("POST", "/api/v0/processes/start"),
            Expect::json(400, "{\"message\":\"Request body must be valid JSON.\",\"detail\":\"EOF\"}\n"),
        ),
        process_exchange(
            "start/invalid-json",
            START,
            post_json("/api/v0/processes/start", "{invalid json"),
            Expect::json(400, "{\"message\":\"Request body must be valid JSON.\",\"detail\":\"invalid character 'i' looking for beginning of object key string\"}\n"),
        ),
        process_exchange(
            "start/empty-command",
            START,
            post_json("/api/v0/processes/start", "{\"command\":\"\"}"),
            Expect::json(400, "{\"message\":\"Command is required.\"}\n"),
        ),
        process_exchange(
            "output/unknown-id",
            OUTPUT,
            Request::get("/api/v0/processes/nope/output"),
            Expect::json(404, "{\"message\":\"Process \\\"nope\\\" not found.\"}\n"),
        ),
        process_exchange(
            "output/list-as-id",
            OUTPUT,
            Request::get("/api/v0/processes/list/output"),
            Expect::json(404, "{\"message\":\"Process \\\"list\\\" not found.\"}\n"),
        ),
        process_exchange(
            "signal/unsupported-before-lookup",
            SIGNAL,
            post_json("/api/v0/processes/nope/signal", "{\"signal\":\"INT\"}"),
            Expect::json(400, "{\"message\":\"Unsupported signal \\\"INT\\\". Use \\\"kill\\\" or \\\"terminate\\\".\"}\n"),
        ),
        process_exchange(
            "signal/required",
            SIGNAL,
            post_json("/api/v0/processes/nope/signal", "{}"),
            Expect::json(400, "{\"message\":\"Signal is required.\"}\n"),
        ),
        process_exchange(
            "signal/unknown-id",
            SIGNAL,
            post_json("/api/v0/processes/nope/signal", "{\"signal\":\"kill\"}"),
            Expect::json(404, "{\"message\":\"Process \\\"nope\\\" not found.\"}\n"),
        ),
        Case::steps("process/list-shape", Tier::BlackBox, LIST, list_shape),
    ];
    // They start processes, and the list they check holds ten entries, running first.
    v.extend(exec_cases().into_iter().map(|c| {
        c.changes(Effect::StartsProcesses)
            .in_group(Group::Processes)
    }));
    v
}

#[rustfmt::skip]
fn exec_cases() -> Vec<Case> {
    vec![
        Case::steps("process/exec/output-round-trip", Tier::BlackBox, OUTPUT, exec_output_round_trip),
        Case::steps("process/exec/exit-codes", Tier::BlackBox, OUTPUT, exec_exit_codes),
        Case::steps("process/exec/kill-reports-minus-1", Tier::BlackBox, SIGNAL, exec_kill_reports_minus_1),
        Case::steps("process/exec/list-entry", Tier::BlackBox, LIST, exec_list_entry),
        Case::steps("process/exec/truncation-marker", Tier::BlackBox, OUTPUT, exec_truncation_marker),
        Case::steps("process/exec/long-line-cut", Tier::BlackBox, OUTPUT, exec_long_line_cut),
    ]
}

async fn list_shape(ctx: Arc<Ctx>) -> StepResult {
    let req = Request::get("/api/v0/processes/list");
    let resp = ctx.send(&req).await?;
    let v = check_go_json(&resp).map_err(|e| ctx.failure(&req, e))?;
    let Some(list) = v["processes"].as_array() else {
        return Err(ctx.failure(&req, format!("{v} has no \"processes\" array")));
    };
    if resp.status != 200 || list.len() > 10 {
        return Err(ctx.failure(
            &req,
            format!(
                "status {}, {} entries (at most 10)",
                resp.status,
                list.len()
            ),
        ));
    }
    Ok(Verdict::Pass)
}

async fn exec_output_round_trip(ctx: Arc<Ctx>) -> StepResult {
    let id = start(&ctx, "printf 'a<b>&\\n'; printf 'err\\n' >&2").await?;
    let (req, v) = wait_output(&ctx, &id).await?;
    let want = json!({"output": "a<b>&\nerr\n", "running": false, "exit_code": 0});
    if v != want {
        return Err(ctx
            .failure(&req, "stdout and stderr must come back merged, exit 0")
            .with_diff(&want.to_string(), &v.to_string()));
    }
    Ok(Verdict::Pass)
}

async fn exec_exit_codes(ctx: Arc<Ctx>) -> StepResult {
    for (cmd, code) in [
        ("exit 3", 3),
        ("exit 300", 44),
        ("definitely-not-a-command-4f2a", 127),
    ] {
        let id = start(&ctx, cmd).await?;
        let (req, v) = wait_output(&ctx, &id).await?;
        if v["exit_code"] != code {
            return Err(ctx.failure(
                &req,
                format!("`{cmd}` exit_code {} (want {code})", v["exit_code"]),
            ));
        }
    }
    Ok(Verdict::Pass)
}

async fn exec_kill_reports_minus_1(ctx: Arc<Ctx>) -> StepResult {
    let id = start(&ctx, "sleep 30").await?;
    let sig = post_json(
        &format!("/api/v0/processes/{id}/signal"),
        "{\"signal\":\"kill\"}",
    );
    let sent = format!("{{\"message\":\"Signal \\\"kill\\\" sent to process \\\"{id}\\\".\"}}\n");
    ctx.exchange(&sig, &Expect::json(200, &sent)).await?;
    let (req, v) = wait_output(&ctx, &id).await?;
    if v["exit_code"] != -1 {
        return Err(ctx.failure(
            &req,
            format!(
                "exit_code {} after kill (want -1, no 128+N)",
                v["exit_code"]
            ),
        ));
    }
    let again = format!("{{\"message\":\"Process \\\"{id}\\\" is not running.\"}}\n");
    ctx.exchange(&sig, &Expect::json(409, &again)).await?;
    Ok(Verdict::Pass)
}

async fn exec_list_entry(ctx: Arc<Ctx>) -> StepResult {
    let id = start(&ctx, "exit 0").await?;
    wait_output(&ctx, &id).await?;
    let req = Request::get("/api/v0/processes/list");
    let resp = ctx.send(&req).await?;
    let v = check_go_json(&resp).map_err(|e| ctx.failure(&req, e))?;
    let entry = v["processes"]
        .as_array()
        .and_then(|a| a.iter().find(|p| p["id"] == id.as_str()).cloned());
    let Some(e) = entry else {
        return Err(ctx.failure(&req, format!("process {id} missing from the list")));
    };
    let keys: Vec<&str> = e
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    let want_a = [
        "id",
        "command",
        "workdir",
        "background",
        "running",
        "exit_code",
        "started_at_unix",
        "exited_at_unix",
    ];
    let ok = keys == want_a || keys == [&want_a[..2], &want_a[3..]].concat();
    if !ok || e["command"] != "exit 0" || e["exit_code"] != 0 || e["running"] != false {
        return Err(ctx.failure(
            &req,
            format!("entry {e} is not an exited ProcessInfo with exit_code 0 in wire order"),
        ));
    }
    Ok(Verdict::Pass)
}

async fn exec_truncation_marker(ctx: Arc<Ctx>) -> StepResult {
    let cmd = "for i in $(seq 1 1155); do echo \"line-$i-padding-to-make-this-longer-than-fifty-characters-total\"; done";
    let id = start(&ctx, cmd).await?;
    let (req, v) = wait_output(&ctx, &id).await?;
    let want = json!({"original_bytes": 75123, "retained_bytes": 32801, "omitted_bytes": 42355, "strategy": "head_tail"});
    if v["truncated"] != want {
        return Err(ctx
            .failure(&req, "truncation info differs")
            .with_diff(&want.to_string(), &v["truncated"].to_string()));
    }
    let out = v["output"].as_str().unwrap_or_default();
    let marker = "line-254-padding-to-make-this-longer-than-fifty\n\n... [omitted 42355 bytes] ...\n\nke-this-longer-than-fifty-characters-total\nline-907-";
    if out.len() != 32801 || !out.contains(marker) {
        return Err(ctx.failure(
            &req,
            format!(
                "output ({} bytes) lacks the exact head/tail seam {marker:?}",
                out.len()
            ),
        ));
    }
    Ok(Verdict::Pass)
}

async fn exec_long_line_cut(ctx: Arc<Ctx>) -> StepResult {
    let id = start(&ctx, "head -c 2548 /dev/zero | tr '\\0' m; echo").await?;
    let (req, v) = wait_output(&ctx, &id).await?;
    let want = format!("{} ... [truncated]\n", "m".repeat(2032));
    if v["output"] != want.as_str() || v.get("truncated").is_some() {
        return Err(ctx.failure(&req, "a 2548-byte line must be cut to 2032 bytes + \" ... [truncated]\" with no truncation info").with_diff(&want, v["output"].as_str().unwrap_or_default()));
    }
    Ok(Verdict::Pass)
}
