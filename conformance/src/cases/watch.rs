//! The containers watch websocket (containers.md §4): the first text frame is the list exactly
//! as `GET /api/v0/containers` answers it (JSON and its newline), and a change of the
//! devcontainers (a recreate; in the controlled tier, a devcontainer added to the scenario)
//! sends a new frame with the new state, and a change of the plain containers alone does not.
//! The server reads no data: a data message closes the socket with 1008, a close frame is
//! answered; it pings; in the lister's error state it closes at once (1000) or skips updates.
//! The handshake refusals are in `containers`.

use crate::case::{Case, Effect, Group, StepResult, Tier, Verdict};
use crate::context::Ctx;
use crate::expect::go_encoded;
use crate::failure::Failure;
use crate::http::Request;
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::core::require_mounted;
use super::devcontainers::{self as dc, list};

pub const WATCH: &str = "GET /api/v0/containers/watch";
const PATH: &str = "/api/v0/containers/watch";
/// How long a frame may take after the change that causes it.
const FRAME_WAIT: Duration = Duration::from_secs(5);

type Socket = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

fn watch_req() -> Request {
    Request::get(PATH)
}

/// The target's `ws://` URL for the watch route.
fn ws_url(target: &str) -> String {
    let rest = target
        .strip_prefix("http://")
        .map(|r| format!("ws://{r}"))
        .or_else(|| {
            target
                .strip_prefix("https://")
                .map(|r| format!("wss://{r}"))
        })
        .unwrap_or_else(|| target.to_string());
    format!("{rest}{PATH}")
}

/// Opens the socket (the upgrade must succeed within the request timeout).
async fn connect(ctx: &Ctx) -> Result<Socket, Failure> {
    let url = ws_url(&ctx.target);
    let req = watch_req();
    match tokio::time::timeout(
        ctx.client.timeout(),
        tokio_tungstenite::connect_async(url.as_str()),
    )
    .await
    {
        Ok(Ok((socket, _))) => Ok(socket),
        Ok(Err(e)) => Err(ctx.failure(&req, format!("websocket upgrade failed: {e}"))),
        Err(_) => Err(ctx.failure(
            &req,
            format!(
                "no websocket upgrade within {} ms",
                ctx.client.timeout().as_millis()
            ),
        )),
    }
}

/// The next data frame (pings and pongs skipped); a binary frame, a close or silence fails.
async fn next_text(ctx: &Ctx, ws: &mut Socket, wait: Duration) -> Result<String, Failure> {
    let req = watch_req();
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let msg = match tokio::time::timeout_at(deadline, ws.next()).await {
            Err(_) => {
                return Err(ctx.failure(&req, format!("no frame within {} ms", wait.as_millis())))
            }
            Ok(None) => return Err(ctx.failure(&req, "the socket closed without a frame")),
            Ok(Some(Err(e))) => return Err(ctx.failure(&req, format!("websocket error: {e}"))),
            Ok(Some(Ok(m))) => m,
        };
        match msg {
            Message::Text(t) => return Ok(t.to_string()),
            Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => continue,
            Message::Binary(b) => {
                return Err(ctx.failure(
                    &req,
                    format!("a binary frame of {} bytes (want text frames)", b.len()),
                ))
            }
            Message::Close(c) => {
                return Err(ctx.failure(&req, format!("the socket closed ({c:?}) without a frame")))
            }
        }
    }
}

/// A frame must be a list exactly as `GET` encodes it: Go's JSON with the trailing newline.
fn frame_value(ctx: &Ctx, frame: &str) -> Result<Value, Failure> {
    go_encoded(frame.as_bytes())
        .map_err(|e| ctx.failure(&watch_req(), format!("frame {frame:?}: {e}")))
}

/// The first frame equals the list body, byte for byte. The list is read before and after
/// the socket opens; the frame must equal one of them (a change may fall in between).
async fn first_frame_is_list(ctx: &Ctx) -> Result<Verdict, Failure> {
    let (_, before, _) = list(ctx).await?;
    let mut ws = connect(ctx).await?;
    let frame = next_text(ctx, &mut ws, FRAME_WAIT).await?;
    let _ = ws.close(None).await;
    let (_, after, _) = list(ctx).await?;
    if frame.as_bytes() == before.body || frame.as_bytes() == after.body {
        return Ok(Verdict::Pass);
    }
    let f = Failure::new(format!(
        "{PATH}: the first frame differs from the GET /api/v0/containers body"
    ))
    .with_diff(&after.text(), &frame);
    Err(ctx.attach(&watch_req(), f))
}

/// Reads frames until one satisfies `want` (a coalesced update may come first).
async fn frame_where(
    ctx: &Ctx,
    ws: &mut Socket,
    what: &str,
    want: impl Fn(&Value) -> bool,
) -> Result<Value, Failure> {
    let deadline = tokio::time::Instant::now() + FRAME_WAIT;
    let mut last = String::new();
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let frame = match next_text(ctx, ws, left).await {
            Ok(f) => f,
            Err(mut f) => {
                f.reason = format!(
                    "{} while waiting for a frame with {what} (last frame: {last})",
                    f.reason
                );
                return Err(f);
            }
        };
        let v = frame_value(ctx, &frame)?;
        if want(&v) {
            return Ok(v);
        }
        last = frame;
    }
}

fn status_of(v: &Value, id: &str) -> Option<String> {
    v["devcontainers"].as_array().and_then(|a| {
        a.iter()
            .find(|d| d["id"] == id)
            .and_then(|d| d["status"].as_str().map(str::to_string))
    })
}

/// After a recreate, a frame shows the devcontainer `starting`.
async fn frame_after_recreate(ctx: &Ctx, target: &dc::Dc) -> Result<Verdict, Failure> {
    let mut ws = connect(ctx).await?;
    let first = next_text(ctx, &mut ws, FRAME_WAIT).await?;
    frame_value(ctx, &first)?;
    dc::start_recreate(ctx, target).await?;
    let id = target.id.clone();
    frame_where(
        ctx,
        &mut ws,
        &format!("devcontainer {id} \"starting\""),
        |v| status_of(v, &id).as_deref() == Some("starting"),
    )
    .await?;
    let _ = ws.close(None).await;
    Ok(Verdict::Pass)
}

/// The next close frame's code and reason (pings skipped; text frames skipped when
/// `frames_allowed`, else a failure), within `wait`.
async fn next_close(
    ctx: &Ctx,
    ws: &mut Socket,
    wait: Duration,
    frames_allowed: bool,
) -> Result<(u16, String), Failure> {
    let req = watch_req();
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let msg = match tokio::time::timeout_at(deadline, ws.next()).await {
            Err(_) => {
                return Err(ctx.failure(
                    &req,
                    format!("no close frame within {} ms", wait.as_millis()),
                ))
            }
            Ok(None) => return Err(ctx.failure(&req, "the socket ended without a close frame")),
            Ok(Some(Err(e))) => return Err(ctx.failure(&req, format!("websocket error: {e}"))),
            Ok(Some(Ok(m))) => m,
        };
        match msg {
            Message::Close(Some(f)) => return Ok((u16::from(f.code), f.reason.to_string())),
            Message::Close(None) => return Ok((1005, String::new())),
            Message::Text(t) if !frames_allowed => {
                return Err(ctx.failure(&req, format!("a frame {t:?} where a close was due")))
            }
            _ => continue,
        }
    }
}

/// Nothing but pings for `quiet`: a frame or a close fails.
async fn expect_silence(
    ctx: &Ctx,
    ws: &mut Socket,
    quiet: Duration,
    why: &str,
) -> Result<(), Failure> {
    let deadline = tokio::time::Instant::now() + quiet;
    loop {
        match tokio::time::timeout_at(deadline, ws.next()).await {
            Err(_) => return Ok(()),
            Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => continue,
            Ok(other) => {
                return Err(ctx.failure(
                    &watch_req(),
                    format!("{why}: want no message and an open socket, got {other:?}"),
                ))
            }
        }
    }
}

/// Opens the socket and reads its first frame.
async fn connect_past_first(ctx: &Ctx) -> Result<(Socket, Value), Failure> {
    let mut ws = connect(ctx).await?;
    let first = next_text(ctx, &mut ws, FRAME_WAIT).await?;
    let v = frame_value(ctx, &first)?;
    Ok((ws, v))
}

/// A data message from the client: the server closes with 1008 (policy violation).
async fn data_message_closes_1008(ctx: &Ctx) -> Result<Verdict, Failure> {
    let (mut ws, _) = connect_past_first(ctx).await?;
    ws.send(Message::Text("hello".into()))
        .await
        .map_err(|e| ctx.failure(&watch_req(), format!("sending a data message: {e}")))?;
    let (code, reason) = next_close(ctx, &mut ws, FRAME_WAIT, true).await?;
    if code != 1008 {
        return Err(ctx.failure(
            &watch_req(),
            format!("after a data message the socket closed with {code} {reason:?} (want 1008, policy violation)"),
        ));
    }
    Ok(Verdict::Pass)
}

/// A close frame from the client is answered with a close frame.
async fn client_close_answered(ctx: &Ctx) -> Result<Verdict, Failure> {
    let (mut ws, _) = connect_past_first(ctx).await?;
    let bye = CloseFrame {
        code: CloseCode::Normal,
        reason: "".into(),
    };
    ws.send(Message::Close(Some(bye)))
        .await
        .map_err(|e| ctx.failure(&watch_req(), format!("sending a close frame: {e}")))?;
    next_close(ctx, &mut ws, FRAME_WAIT, true).await?;
    Ok(Verdict::Pass)
}

/// Every watch case.
#[rustfmt::skip]
pub fn cases() -> Vec<Case> {
    vec![
        Case::steps("containers/watch/first-frame-is-list", Tier::BlackBox, WATCH, black_box_first_frame_is_list)
            .checks(&["containers.watch.first-frame-list", "containers.watch.text-frames", "containers.watch.frame-newline"]),
        Case::steps("containers/watch/frame-after-recreate", Tier::BlackBox, WATCH, black_box_frame_after_recreate)
            .checks(&["containers.watch.frame-on-change"])
            .changes(Effect::RecreatesDevcontainers),
        Case::steps("containers/watch/controlled-first-frame-is-list", Tier::Controlled, WATCH, controlled_first_frame_is_list)
            .checks(&["containers.watch.first-frame-list", "containers.watch.text-frames", "containers.watch.frame-newline"]),
        Case::steps("containers/watch/controlled-frame-after-recreate", Tier::Controlled, WATCH, controlled_frame_after_recreate)
            .checks(&["containers.watch.frame-on-change"])
            .changes(Effect::RecreatesDevcontainers),
        Case::steps("containers/watch/controlled-frame-after-scenario-change", Tier::Controlled, WATCH, controlled_frame_after_scenario_change)
            .checks(&["containers.watch.frame-on-change", "containers.watch.frame-is-current-list"]),
        Case::steps("containers/watch/data-message-closes-1008", Tier::BlackBox, WATCH, black_box_data_message_closes_1008)
            .checks(&["containers.watch.data-message-1008"]),
        Case::steps("containers/watch/client-close-answered", Tier::BlackBox, WATCH, black_box_client_close_answered)
            .checks(&["containers.watch.client-close-answered"]),
        Case::steps("containers/watch/controlled-data-message-closes-1008", Tier::Controlled, WATCH, controlled_data_message_closes_1008)
            .checks(&["containers.watch.data-message-1008"]),
        Case::steps("containers/watch/controlled-pings", Tier::Controlled, WATCH, controlled_pings)
            .checks(&["containers.watch.pings"]),
        Case::steps("containers/watch/controlled-no-frame-for-containers-only", Tier::Controlled, WATCH, controlled_no_frame_for_containers_only)
            .checks(&["containers.watch.no-frame-for-containers-only"]),
        Case::steps("containers/watch/controlled-error-at-connect-closes", Tier::Controlled, WATCH, controlled_error_at_connect_closes)
            .checks(&["containers.watch.error-at-connect-closes"]),
        Case::steps("containers/watch/controlled-error-update-skipped", Tier::Controlled, WATCH, controlled_error_update_skipped)
            .checks(&["containers.watch.error-update-skipped"]),
    ]
    .into_iter()
    .map(|c| c.in_group(Group::Devcontainers))
    .collect()
}

async fn black_box_first_frame_is_list(ctx: Arc<Ctx>) -> StepResult {
    if let Some(skip) = require_mounted(&ctx).await? {
        return Ok(skip);
    }
    first_frame_is_list(&ctx).await
}

async fn black_box_frame_after_recreate(ctx: Arc<Ctx>) -> StepResult {
    if let Some(skip) = require_mounted(&ctx).await? {
        return Ok(skip);
    }
    let (_, _, v) = list(&ctx).await?;
    let settled: Vec<dc::Dc> = v["devcontainers"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|d| matches!(d["status"].as_str(), Some("running" | "stopped" | "error")))
        .map(|d| dc::Dc {
            id: d["id"].as_str().unwrap_or_default().to_string(),
            name: d["name"].as_str().unwrap_or_default().to_string(),
            status: d["status"].as_str().unwrap_or_default().to_string(),
            value: d,
        })
        .collect();
    let Some(target) = settled.first() else {
        return Ok(Verdict::Skip(
            "the agent lists no settled devcontainer to recreate".into(),
        ));
    };
    frame_after_recreate(&ctx, target).await
}

async fn black_box_data_message_closes_1008(ctx: Arc<Ctx>) -> StepResult {
    if let Some(skip) = require_mounted(&ctx).await? {
        return Ok(skip);
    }
    data_message_closes_1008(&ctx).await
}

async fn black_box_client_close_answered(ctx: Arc<Ctx>) -> StepResult {
    if let Some(skip) = require_mounted(&ctx).await? {
        return Ok(skip);
    }
    client_close_answered(&ctx).await
}

async fn controlled_data_message_closes_1008(ctx: Arc<Ctx>) -> StepResult {
    if let Err(skip) = dc::setup(&ctx, dc::SLOW_MS).await? {
        return Ok(skip);
    }
    data_message_closes_1008(&ctx).await
}

/// Controlled: the agent pings every 15 s (`httpapi.HeartbeatInterval`); the scenario's
/// `timings.ping_ms` shortens that so the case need not wait a quarter of a minute.
async fn controlled_pings(ctx: Arc<Ctx>) -> StepResult {
    if let Err(skip) = dc::setup(&ctx, dc::SLOW_MS).await? {
        return Ok(skip);
    }
    ctx.patch_scenario(&json!({"devcontainers": {"timings": {"ping_ms": 150}}}))
        .await?;
    let (mut ws, _) = connect_past_first(&ctx).await?;
    let deadline = tokio::time::Instant::now() + FRAME_WAIT;
    loop {
        match tokio::time::timeout_at(deadline, ws.next()).await {
            Ok(Some(Ok(Message::Ping(_)))) => break,
            Ok(Some(Ok(Message::Text(_) | Message::Pong(_) | Message::Frame(_)))) => continue,
            other => {
                return Err(ctx.failure(
                    &watch_req(),
                    format!(
                        "no ping within {} ms of the 150 ms interval: {other:?}",
                        FRAME_WAIT.as_millis()
                    ),
                ))
            }
        }
    }
    let _ = ws.close(None).await;
    Ok(Verdict::Pass)
}

/// Controlled: the case adds a plain container, which only the scenario can do.
async fn controlled_no_frame_for_containers_only(ctx: Arc<Ctx>) -> StepResult {
    if let Err(skip) = dc::setup(&ctx, dc::SLOW_MS).await? {
        return Ok(skip);
    }
    let (mut ws, first) = connect_past_first(&ctx).await?;
    let mut containers = first["containers"].as_array().cloned().unwrap_or_default();
    containers.push(json!({"created_at": "2026-05-30T08:00:00Z", "id": "e0e0e0e0e0e0", "name": "plain",
        "image": "busybox:latest", "labels": {}, "running": true, "ports": [], "status": "running", "volumes": {}}));
    ctx.patch_scenario(&json!({"devcontainers": {"containers": containers}}))
        .await?;
    expect_silence(
        &ctx,
        &mut ws,
        Duration::from_millis(400),
        "after a plain container appeared",
    )
    .await?;
    // The socket still follows the devcontainers: a new one is sent, with the plain container.
    let mut known = dc::fixture_list(&ctx);
    known.push(dc::marker_devcontainer());
    ctx.patch_scenario(&json!({"devcontainers": {"devcontainers": known}}))
        .await?;
    let marker = dc::marker_devcontainer()["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let v = frame_where(&ctx, &mut ws, "the added devcontainer", |v| {
        status_of(v, &marker).is_some()
    })
    .await?;
    if !v["containers"]
        .as_array()
        .is_some_and(|a| a.iter().any(|c| c["id"] == "e0e0e0e0e0e0"))
    {
        return Err(ctx.failure(
            &watch_req(),
            format!("the frame after the change lacks the plain container: {v}"),
        ));
    }
    let _ = ws.close(None).await;
    Ok(Verdict::Pass)
}

/// Controlled: the lister's error state is set through the scenario.
async fn controlled_error_at_connect_closes(ctx: Arc<Ctx>) -> StepResult {
    if let Err(skip) = dc::setup(&ctx, dc::SLOW_MS).await? {
        return Ok(skip);
    }
    ctx.patch_scenario(&json!({"devcontainers": {"list_error": "run docker ps: exit status 1"}}))
        .await?;
    let mut ws = connect(&ctx).await?;
    let (code, reason) = next_close(&ctx, &mut ws, FRAME_WAIT, false).await?;
    if code != 1000 {
        return Err(ctx.failure(
            &watch_req(),
            format!("in the error state the socket closed with {code} {reason:?} (want 1000, normal closure)"),
        ));
    }
    Ok(Verdict::Pass)
}

/// Controlled: the lister's error state is set through the scenario, together with a change
/// of the devcontainers that would otherwise send a frame.
async fn controlled_error_update_skipped(ctx: Arc<Ctx>) -> StepResult {
    if let Err(skip) = dc::setup(&ctx, dc::SLOW_MS).await? {
        return Ok(skip);
    }
    let (mut ws, _) = connect_past_first(&ctx).await?;
    let mut known = dc::fixture_list(&ctx);
    known.push(dc::marker_devcontainer());
    ctx.patch_scenario(&json!({"devcontainers": {"list_error": "run docker ps: exit status 1", "devcontainers": known}}))
        .await?;
    expect_silence(
        &ctx,
        &mut ws,
        Duration::from_millis(400),
        "after an update in the error state",
    )
    .await?;
    let _ = ws.close(None).await;
    Ok(Verdict::Pass)
}

async fn controlled_first_frame_is_list(ctx: Arc<Ctx>) -> StepResult {
    if let Err(skip) = dc::setup(&ctx, dc::SLOW_MS).await? {
        return Ok(skip);
    }
    first_frame_is_list(&ctx).await
}

async fn controlled_frame_after_recreate(ctx: Arc<Ctx>) -> StepResult {
    match dc::setup(&ctx, dc::SLOW_MS).await? {
        Ok(d) => frame_after_recreate(&ctx, &d).await,
        Err(skip) => Ok(skip),
    }
}

async fn controlled_frame_after_scenario_change(ctx: Arc<Ctx>) -> StepResult {
    if let Err(skip) = dc::setup(&ctx, dc::SLOW_MS).await? {
        return Ok(skip);
    }
    let mut ws = connect(&ctx).await?;
    let first = next_text(&ctx, &mut ws, FRAME_WAIT).await?;
    let v = frame_value(&ctx, &first)?;
    let mut known = v["devcontainers"].as_array().cloned().unwrap_or_default();
    let added = json!({
        "id": "5e1d0c3b-7a9f-4b2e-8d6c-1f0e9d8c7b6a",
        "name": "added",
        "workspace_folder": "/workspace/added",
        "status": "stopped"
    });
    // The scenario's devcontainers are the listed ones plus a new one (a merge patch
    // replaces the whole array).
    for d in &mut known {
        if let Some(o) = d.as_object_mut() {
            o.remove("container");
        }
    }
    known.push(added);
    ctx.patch_scenario(&json!({"devcontainers": {"devcontainers": known}}))
        .await?;
    let v = frame_where(&ctx, &mut ws, "the added devcontainer", |v| {
        status_of(v, "5e1d0c3b-7a9f-4b2e-8d6c-1f0e9d8c7b6a").as_deref() == Some("stopped")
    })
    .await?;
    let _ = ws.close(None).await;
    let (_, resp, _) = list(&ctx).await?;
    if agent_sim::gojson::to_vec(&v) != resp.body {
        let f = Failure::new(format!(
            "{PATH}: the frame after the change differs from the list"
        ))
        .with_diff(
            &resp.text(),
            &String::from_utf8_lossy(&agent_sim::gojson::to_vec(&v)),
        );
        return Err(ctx.attach(&watch_req(), f));
    }
    Ok(Verdict::Pass)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn websocket_url_of_the_target() {
        assert_eq!(
            ws_url("http://127.0.0.1:4"),
            "ws://127.0.0.1:4/api/v0/containers/watch"
        );
        assert_eq!(ws_url("https://h"), "wss://h/api/v0/containers/watch");
    }
}
