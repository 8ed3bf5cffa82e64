//! One `GET /api/v0/containers/watch` socket after the upgrade (`watchContainers`): the list
//! at once, then a fresh list after every broadcast, as newline-terminated text frames. The
//! server never reads data (a data message closes with 1008), pings every 15 s (the scenario's
//! `devcontainers.timings.ping_ms`), and holds at
//! most one pending update per socket: a reader that never reads blocks only its own socket,
//! and updates that arrive meanwhile coalesce into one.

use super::ContainerStore;
use crate::gojson;
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use std::time::Duration;

/// StatusPolicyViolation, sent when the client sends a data message.
pub const CLOSE_POLICY_VIOLATION: u16 = 1008;
pub const CLOSE_NORMAL: u16 = 1000;
/// How long a closing handshake may take before the socket is simply dropped.
const CLOSE_GRACE: Duration = Duration::from_secs(1);

/// The list as the socket sends it (the JSON document and its newline), or `None` in the
/// lister's error state.
fn frame(store: &ContainerStore) -> Option<Message> {
    let list = store.snapshot().ok()?;
    let text = String::from_utf8(gojson::to_vec(&list)).ok()?;
    Some(Message::Text(text.into()))
}

async fn close(mut socket: WebSocket, code: u16, reason: &'static str) {
    let msg = Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }));
    let _ = tokio::time::timeout(CLOSE_GRACE, socket.send(msg)).await;
}

/// Serves one upgraded socket until the client leaves or the simulator shuts down.
pub async fn serve(store: ContainerStore, mut socket: WebSocket) {
    let _guard = store.task_guard();
    let closed = store.closed();
    let mut updates = store.subscribe();
    updates.mark_unchanged();
    let Some(first) = frame(&store) else {
        // `getContainers` failed: the handler returns and the socket closes normally.
        return close(socket, CLOSE_NORMAL, "").await;
    };
    tokio::select! {
        () = closed.cancelled() => return,
        sent = socket.send(first) => if sent.is_err() { return },
    }
    let every = store.ping_interval();
    let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    loop {
        let out = tokio::select! {
            () = closed.cancelled() => return close(socket, CLOSE_NORMAL, "").await,
            changed = updates.changed() => {
                if changed.is_err() {
                    return;
                }
                // In the error state the update is skipped and the socket stays open.
                match frame(&store) {
                    Some(m) => m,
                    None => continue,
                }
            }
            incoming = socket.recv() => match incoming {
                None | Some(Err(_)) => return,
                Some(Ok(Message::Close(_))) => {
                    // Send the queued reply to the client's close frame before leaving.
                    let _ = tokio::time::timeout(CLOSE_GRACE, futures::SinkExt::flush(&mut socket)).await;
                    return;
                }
                Some(Ok(Message::Text(_) | Message::Binary(_))) => {
                    return close(socket, CLOSE_POLICY_VIOLATION, "unexpected data message").await;
                }
                Some(Ok(_)) => continue,
            },
            _ = ping.tick() => Message::Ping(Default::default()),
        };
        tokio::select! {
            () = closed.cancelled() => return,
            sent = socket.send(out) => if sent.is_err() { return },
        }
    }
}
