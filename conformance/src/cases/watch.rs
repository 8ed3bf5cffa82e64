//! The containers watch websocket (containers.md §4): the first text frame is the list exactly
//! as `GET /api/v0/containers` answers it (JSON and its newline), and a change of the
//! devcontainers (a recreate; in the controlled tier, a devcontainer added to the scenario)
//! sends a new frame with the new state. The plain-GET refusal is in `containers`.

use crate::case::{Case, Effect, Group, StepResult, Tier, Verdict};
use crate::context::Ctx;
use crate::expect::go_encoded;
use crate::failure::Failure;
use crate::http::Request;
use futures::StreamExt;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::core::{gate, Gate};
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

/// Every watch case.
#[rustfmt::skip]
pub fn cases() -> Vec<Case> {
    vec![
        Case::steps("containers/watch/first-frame-is-list", Tier::BlackBox, WATCH, black_box_first_frame_is_list),
        Case::steps("containers/watch/frame-after-recreate", Tier::BlackBox, WATCH, black_box_frame_after_recreate)
        .changes(Effect::RecreatesDevcontainers),
        Case::steps("containers/watch/controlled-first-frame-is-list", Tier::Controlled, WATCH, controlled_first_frame_is_list),
        Case::steps("containers/watch/controlled-frame-after-recreate", Tier::Controlled, WATCH, controlled_frame_after_recreate)
        .changes(Effect::RecreatesDevcontainers),
        Case::steps("containers/watch/controlled-frame-after-scenario-change", Tier::Controlled, WATCH, controlled_frame_after_scenario_change),
    ]
    .into_iter()
    .map(|c| c.in_group(Group::Devcontainers))
    .collect()
}

async fn black_box_first_frame_is_list(ctx: Arc<Ctx>) -> StepResult {
    if gate(&ctx).await? != Gate::Mounted {
        return Ok(Verdict::Skip("the containers API is gated (403)".into()));
    }
    first_frame_is_list(&ctx).await
}

async fn black_box_frame_after_recreate(ctx: Arc<Ctx>) -> StepResult {
    if gate(&ctx).await? != Gate::Mounted {
        return Ok(Verdict::Skip("the containers API is gated (403)".into()));
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
