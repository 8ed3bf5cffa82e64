//! The process API as the cases drive it: start a command (or a whole request body), read its
//! output with or without `?wait=true`, poll until it exits, signal it, and read the list, each
//! answer checked to be Go's JSON. Every helper turns a surprise into a [`Failure`].

use crate::context::Ctx;
use crate::expect::{check_go_json, json_keys};
use crate::failure::Failure;
use crate::http::{Request, Response};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// The routes, as the coverage table names them.
pub const START: &str = "POST /api/v0/processes/start";
pub const OUTPUT: &str = "GET /api/v0/processes/{id}/output";
pub const SIGNAL: &str = "POST /api/v0/processes/{id}/signal";
pub const LIST: &str = "GET /api/v0/processes/list";

/// How often [`poll_exit`] asks.
const POLL: Duration = Duration::from_millis(50);

pub fn post_json(path: &str, body: &str) -> Request {
    Request::new("POST", path).with_body("application/json", body.as_bytes().to_vec())
}

/// Sends `req` and parses the answer as Go's JSON.
pub async fn send_json(ctx: &Ctx, req: &Request) -> Result<(Response, Value), Failure> {
    let resp = ctx.send(req).await?;
    let v = check_go_json(&resp).map_err(|e| ctx.failure(req, e))?;
    Ok((resp, v))
}

/// Starts `command`, returns its id.
pub async fn start(ctx: &Ctx, command: &str) -> Result<String, Failure> {
    start_with(ctx, &json!({ "command": command }), &[]).await
}

/// Starts a process with this request body and extra headers, returns its id (checked to be
/// `{id: uuid, started: true}`).
pub async fn start_with(
    ctx: &Ctx,
    body: &Value,
    headers: &[(&str, &str)],
) -> Result<String, Failure> {
    let mut req = post_json("/api/v0/processes/start", &body.to_string());
    for (k, v) in headers {
        req.headers.push((k.to_string(), v.to_string()));
    }
    let (resp, v) = send_json(ctx, &req).await?;
    if resp.status != 200 || v["started"] != true {
        return Err(ctx.failure(&req, format!("status {}: {}", resp.status, resp.text())));
    }
    let id = v["id"].as_str().unwrap_or_default().to_string();
    if json_keys(&v) != ["id", "started"] || uuid::Uuid::parse_str(&id).is_err() {
        return Err(ctx.failure(
            &req,
            format!("start body {v} is not {{id: uuid, started: true}}"),
        ));
    }
    Ok(id)
}

/// `GET …/{id}/output` with `query` (`""` or `?wait=…`): the 200 answer.
pub async fn output(ctx: &Ctx, id: &str, query: &str) -> Result<(Request, Value), Failure> {
    let req = Request::get(&format!("/api/v0/processes/{id}/output{query}"));
    let (resp, v) = send_json(ctx, &req).await?;
    if resp.status != 200 {
        return Err(ctx.failure(&req, format!("status {} (want 200)", resp.status)));
    }
    Ok((req, v))
}

/// `GET …/{id}/output?wait=true`, checked to be a finished process.
pub async fn wait_output(ctx: &Ctx, id: &str) -> Result<(Request, Value), Failure> {
    let (req, v) = output(ctx, id, "?wait=true").await?;
    if v["running"] != false {
        return Err(ctx.failure(&req, format!("{v}: want running false after ?wait=true")));
    }
    Ok((req, v))
}

/// Polls the output without waiting until the process has exited or `limit` passed: the
/// first answer with `running:false` (or the last one) and the time it took.
pub async fn poll_exit(
    ctx: &Ctx,
    id: &str,
    limit: Duration,
) -> Result<(Request, Value, Duration), Failure> {
    let began = Instant::now();
    loop {
        let (req, v) = output(ctx, id, "").await?;
        if v["running"] == false || began.elapsed() > limit {
            return Ok((req, v, began.elapsed()));
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Polls until the output contains `needle` (the process is ready) or `limit` passed.
pub async fn wait_for_output(
    ctx: &Ctx,
    id: &str,
    needle: &str,
    limit: Duration,
) -> Result<Value, Failure> {
    let began = Instant::now();
    loop {
        let (req, v) = output(ctx, id, "").await?;
        if v["output"].as_str().is_some_and(|o| o.contains(needle)) {
            return Ok(v);
        }
        if began.elapsed() > limit || v["running"] == false {
            return Err(ctx.failure(&req, format!("{v}: no {needle:?} in the output")));
        }
        tokio::time::sleep(POLL).await;
    }
}

/// `POST …/{id}/signal` with `{"signal": sig}` and extra headers.
pub fn signal_request(id: &str, sig: &str) -> Request {
    post_json(
        &format!("/api/v0/processes/{id}/signal"),
        &json!({ "signal": sig }).to_string(),
    )
}

/// The exact 200 answer to a delivered signal.
pub fn sent_body(sig: &str, id: &str) -> String {
    format!("{{\"message\":\"Signal \\\"{sig}\\\" sent to process \\\"{id}\\\".\"}}\n")
}

/// The exact 404 answer for an id the agent does not know (or does not show this chat).
pub fn not_found_body(id: &str) -> String {
    format!("{{\"message\":\"Process \\\"{id}\\\" not found.\"}}\n")
}

/// The exact 409 answer to a signal for a process that has exited.
pub fn not_running_body(id: &str) -> String {
    format!("{{\"message\":\"Process \\\"{id}\\\" is not running.\"}}\n")
}

/// Kills `id`, whatever its state (cleanup; the answer is not checked).
pub async fn kill_quietly(ctx: &Ctx, id: &str) {
    let _ = ctx.send(&signal_request(id, "kill")).await;
}

/// `GET /list` with extra headers: the `processes` array.
pub async fn list(ctx: &Ctx, headers: &[(&str, &str)]) -> Result<(Request, Vec<Value>), Failure> {
    let mut req = Request::get("/api/v0/processes/list");
    for (k, v) in headers {
        req.headers.push((k.to_string(), v.to_string()));
    }
    let (resp, v) = send_json(ctx, &req).await?;
    match v["processes"].as_array() {
        Some(a) if resp.status == 200 => Ok((req, a.clone())),
        _ => Err(ctx.failure(
            &req,
            format!("status {}: {v} has no \"processes\" array", resp.status),
        )),
    }
}

/// The list entry of `id`, if listed.
pub fn entry<'a>(list: &'a [Value], id: &str) -> Option<&'a Value> {
    list.iter().find(|p| p["id"] == id)
}

/// `got` must be `want`; otherwise a failure saying `why`, with both sides' diff.
pub fn expect_value(
    ctx: &Ctx,
    req: &Request,
    got: &Value,
    want: &Value,
    why: &str,
) -> Result<(), Failure> {
    if got == want {
        return Ok(());
    }
    let pretty = |v: &Value| serde_json::to_string_pretty(v).unwrap_or_default();
    Err(ctx
        .failure(req, why.to_string())
        .with_diff(&pretty(want), &pretty(got)))
}
