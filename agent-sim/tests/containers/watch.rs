//! `GET /api/v0/containers/watch` (§4, §11.2) with a real websocket client against a started
//! simulator, the 426 answer to plain requests, and readers that never read.

use crate::common::*;
use crate::{base, DC1};
use agent_sim::Sim;
use futures::{SinkExt, StreamExt};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{connect_async, MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

async fn open(sim: &Sim) -> Ws {
    let (ws, resp) = connect_async(format!("ws://{}/api/v0/containers/watch", sim.addr()))
        .await
        .unwrap();
    assert_eq!(resp.status(), 101);
    assert_eq!(
        resp.headers().get("upgrade").and_then(|v| v.to_str().ok()),
        Some("websocket")
    );
    ws
}

/// The next text frame (pings are skipped), within `wait`.
async fn next_text_within(ws: &mut Ws, wait: Duration) -> Option<String> {
    tokio::time::timeout(wait, async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Text(t))) => return t.to_string(),
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                other => panic!("expected a text frame, got {other:?}"),
            }
        }
    })
    .await
    .ok()
}

async fn next_text(ws: &mut Ws) -> String {
    next_text_within(ws, Duration::from_secs(3))
        .await
        .expect("no message")
}

/// The close frame the server sends next.
async fn next_close(ws: &mut Ws) -> (CloseCode, String) {
    let msg = tokio::time::timeout(Duration::from_secs(3), ws.next())
        .await
        .expect("no close");
    match msg {
        Some(Ok(Message::Close(Some(f)))) => (f.code, f.reason.to_string()),
        other => panic!("expected a close frame, got {other:?}"),
    }
}

fn status_of(text: &str, id: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(text).unwrap();
    v["devcontainers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == id)
        .map(|d| d["status"].as_str().unwrap().to_string())
        .unwrap_or_default()
}

#[tokio::test]
async fn first_message_is_the_list_as_get_answers_it() {
    let sim = Sim::start(fixture("containers-running")).await.unwrap();
    let mut ws = open(&sim).await;
    assert_eq!(
        next_text(&mut ws).await,
        crate::list::containers_running_body()
    );
}

#[tokio::test]
async fn recreate_is_followed_from_starting_to_running() {
    let sim = Sim::start(scenario(&base(
        r#","timings":{"recreate_ms":150,"stop_ms":0,"remove_ms":0}"#,
    )))
    .await
    .unwrap();
    let mut ws = open(&sim).await;
    assert_eq!(status_of(&next_text(&mut ws).await, DC1), "running");
    let r = reqwest::Client::new()
        .post(format!(
            "{}/api/v0/containers/devcontainers/{DC1}/recreate",
            sim.url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let starting = next_text(&mut ws).await;
    assert_eq!(status_of(&starting, DC1), "starting");
    assert!(starting.ends_with('\n'));
    assert_eq!(status_of(&next_text(&mut ws).await, DC1), "running");
    // A delete: stopping, deleting, gone.
    let r = reqwest::Client::new()
        .delete(format!(
            "{}/api/v0/containers/devcontainers/{DC1}",
            sim.url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let mut seen = Vec::new();
    while let Some(t) = next_text_within(&mut ws, Duration::from_millis(300)).await {
        seen.push(status_of(&t, DC1));
    }
    assert_eq!(seen.last().map(String::as_str), Some(""), "{seen:?}");
}

#[tokio::test]
async fn control_api_changes_reach_watchers_by_the_equals_rule() {
    let sim = Sim::start(scenario(&base(""))).await.unwrap();
    let mut ws = open(&sim).await;
    next_text(&mut ws).await;
    let client = reqwest::Client::new();
    // A change only to a container no devcontainer uses: not broadcast.
    let r = client
        .patch(format!("{}/__sim/scenario", sim.control_url()))
        .body(r#"{"devcontainers":{"warnings":["w"]}}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        next_text_within(&mut ws, Duration::from_millis(300)).await,
        None
    );
    // A new devcontainer is.
    let mut s = scenario(&base(""));
    s.devcontainers.warnings = vec!["w".into()];
    s.devcontainers.devcontainers.push(
        serde_json::from_str(
            r#"{"id":"55555555-5555-4555-8555-555555555555","name":"new","workspace_folder":"/workspaces/new"}"#,
        )
        .unwrap(),
    );
    sim.set_scenario(s).unwrap();
    let text = next_text(&mut ws).await;
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["devcontainers"].as_array().unwrap().len(), 5);
    assert_eq!(v["warnings"], serde_json::json!(["w"]));
}

#[tokio::test]
async fn lister_error_at_connect_closes_normally_without_a_message() {
    let sim = Sim::start(scenario(r#"{"devcontainers":{"list_error":"boom"}}"#))
        .await
        .unwrap();
    let mut ws = open(&sim).await;
    assert_eq!(
        next_close(&mut ws).await,
        (CloseCode::Normal, String::new())
    );
}

#[tokio::test]
async fn a_data_message_closes_with_policy_violation() {
    let sim = Sim::start(scenario(&base(""))).await.unwrap();
    let mut ws = open(&sim).await;
    next_text(&mut ws).await;
    ws.send(Message::Text("hello".into())).await.unwrap();
    assert_eq!(
        next_close(&mut ws).await,
        (CloseCode::Policy, "unexpected data message".to_string())
    );
}

#[tokio::test]
async fn pings_follow_the_scenario_interval() {
    let sim = Sim::start(scenario(&base(r#","timings":{"ping_ms":100}"#)))
        .await
        .unwrap();
    let mut ws = open(&sim).await;
    next_text(&mut ws).await;
    let started = Instant::now();
    let mut pings = 0;
    while pings < 2 {
        match tokio::time::timeout(Duration::from_secs(3), ws.next()).await {
            Ok(Some(Ok(Message::Ping(_)))) => pings += 1,
            other => panic!("expected a ping, got {other:?}"),
        }
    }
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(150), "{took:?}");
    assert!(took < Duration::from_secs(2), "{took:?}");
}

const NOT_UPGRADE: &str = "WebSocket protocol violation: Connection header \"\" does not contain Upgrade\n{\"message\":\"Failed to upgrade connection to websocket.\",\"detail\":\"failed to accept WebSocket connection: WebSocket protocol violation: Connection header \\\"\\\" does not contain Upgrade\"}\n";

#[tokio::test]
async fn a_plain_get_is_426_with_the_library_text_and_the_handler_json() {
    let r = get(&scenario(&base("")), "/api/v0/containers/watch").await;
    assert_eq!(r.status, 426);
    assert_eq!(r.text(), NOT_UPGRADE);
    assert_eq!(r.header("content-type"), Some(TEXT));
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(r.header("upgrade"), Some("websocket"));
    assert_eq!(r.header("connection"), Some("Upgrade"));
    // Same on the wire.
    let sim = Sim::start(scenario(&base(""))).await.unwrap();
    let r = reqwest::get(format!("{}/api/v0/containers/watch", sim.url()))
        .await
        .unwrap();
    assert_eq!(r.status(), 426);
    assert_eq!(r.text().await.unwrap(), NOT_UPGRADE);
}

#[tokio::test]
async fn a_bad_version_or_foreign_origin_is_refused() {
    let sim = Sim::start(scenario(&base(""))).await.unwrap();
    let client = reqwest::Client::new();
    let url = format!("{}/api/v0/containers/watch", sim.url());
    let upgrade = |b: reqwest::RequestBuilder| {
        b.header("connection", "Upgrade")
            .header("upgrade", "websocket")
            .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
    };
    let r = upgrade(client.get(&url))
        .header("sec-websocket-version", "8")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.headers().get("sec-websocket-version").unwrap(), "13");
    assert_eq!(r.text().await.unwrap(), "unsupported WebSocket protocol version (only 13 is supported): \"8\"\n{\"message\":\"Failed to upgrade connection to websocket.\",\"detail\":\"failed to accept WebSocket connection: unsupported WebSocket protocol version (only 13 is supported): \\\"8\\\"\"}\n");
    let r = upgrade(client.get(&url))
        .header("sec-websocket-version", "13")
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let host = sim.addr().to_string();
    assert_eq!(
        r.text().await.unwrap(),
        format!("request Origin \"evil.example\" is not authorized for Host \"{host}\"\n{{\"message\":\"Failed to upgrade connection to websocket.\",\"detail\":\"failed to accept WebSocket connection: request Origin \\\"evil.example\\\" is not authorized for Host \\\"{host}\\\"\"}}\n")
    );
}

async fn wait_tasks(sim_state: &agent_sim::AppState, want: usize) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while sim_state.containers().live_tasks() != want {
        assert!(
            Instant::now() < deadline,
            "live tasks {} != {want}",
            sim_state.containers().live_tasks()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundreds_of_sockets_that_never_read_block_nothing_and_leak_nothing() {
    let sim = Sim::start(scenario(&base(
        r#","timings":{"recreate_ms":0,"stop_ms":0,"remove_ms":0}"#,
    )))
    .await
    .unwrap();
    let state = sim.state().clone();
    let mut idle = Vec::new();
    for _ in 0..300 {
        idle.push(open(&sim).await);
    }
    wait_tasks(&state, 300).await;
    let mut reader = open(&sim).await;
    next_text(&mut reader).await;
    // Many changes while nobody reads.
    let client = reqwest::Client::new();
    for _ in 0..20 {
        let t = Instant::now();
        let r = client
            .post(format!(
                "{}/api/v0/containers/devcontainers/{DC1}/recreate",
                sim.url()
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 202);
        assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
        crate::Api {
            state: state.clone(),
        }
        .wait_status(DC1, "running")
        .await;
    }
    // The one reader still gets the latest state.
    let mut last = String::new();
    while let Some(t) = next_text_within(&mut reader, Duration::from_millis(300)).await {
        last = t;
    }
    assert_eq!(
        last.as_bytes(),
        get_body(&sim, "/api/v0/containers").await.as_slice()
    );
    drop(idle);
    drop(reader);
    wait_tasks(&state, 0).await;
}

async fn get_body(sim: &Sim, path: &str) -> Vec<u8> {
    reqwest::get(format!("{}{path}", sim.url()))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_reader_gets_coalesced_updates_in_bounded_memory() {
    // ~100 KiB per list, so a reader that stops reading fills the socket buffers fast.
    let containers: Vec<String> = (0..200)
        .map(|i| {
            format!(
                r#"{{"id":"c{i}","labels":{{"note":"{}"}}}}"#,
                "x".repeat(400)
            )
        })
        .collect();
    let sim = Sim::start(scenario(&format!(
        r#"{{"devcontainers":{{"containers":[{}]}}}}"#,
        containers.join(",")
    )))
    .await
    .unwrap();
    let state = sim.state().clone();
    let mut stalled = open(&sim).await;
    let rss_before = rss_kib();
    let store = state.containers();
    for _ in 0..300 {
        store.broadcast();
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    // The API is not held up by the stalled socket.
    let t = Instant::now();
    assert!(get_body(&sim, "/api/v0/containers").await.len() > 80_000);
    assert!(t.elapsed() < Duration::from_secs(2));
    let grown = rss_kib().saturating_sub(rss_before);
    assert!(grown < 128 * 1024, "RSS grew {grown} KiB");
    // Reading again: fewer lists than broadcasts (coalesced), ending with the current one.
    let mut n = 0;
    let mut last = String::new();
    while let Some(t) = next_text_within(&mut stalled, Duration::from_millis(500)).await {
        n += 1;
        last = t;
    }
    assert!((2..300).contains(&n), "{n} lists");
    assert_eq!(
        last.as_bytes(),
        get_body(&sim, "/api/v0/containers").await.as_slice()
    );
    drop(stalled);
    wait_tasks(&state, 0).await;
}

#[tokio::test]
async fn shutdown_ends_every_socket_and_operation() {
    let sim = Sim::start(scenario(&base(
        r#","timings":{"recreate_ms":60000,"stop_ms":0,"remove_ms":0}"#,
    )))
    .await
    .unwrap();
    let state = sim.state().clone();
    let mut sockets = Vec::new();
    for _ in 0..20 {
        let mut ws = open(&sim).await;
        next_text(&mut ws).await;
        sockets.push(ws);
    }
    // A recreate that would take a minute.
    let r = reqwest::Client::new()
        .post(format!(
            "{}/api/v0/containers/devcontainers/{DC1}/recreate",
            sim.url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    wait_tasks(&state, 21).await;
    drop(sim);
    wait_tasks(&state, 0).await;
    for ws in &mut sockets {
        let end = tokio::time::timeout(Duration::from_secs(3), async {
            loop {
                match ws.next().await {
                    Some(Ok(Message::Close(f))) => return f.map(|f| f.code),
                    Some(Ok(_)) => continue,
                    _ => return None,
                }
            }
        })
        .await
        .expect("socket not closed");
        assert!(matches!(end, Some(CloseCode::Normal) | None), "{end:?}");
    }
}

#[tokio::test]
async fn an_upgrade_without_a_connection_to_take_over_is_501() {
    // Through `oneshot` there is no socket to hijack: Go's `http.Hijacker` failure.
    let req = http::Request::builder()
        .uri("/api/v0/containers/watch")
        .header("host", "agent")
        .header("connection", "Upgrade")
        .header("upgrade", "websocket")
        .header("sec-websocket-version", "13")
        .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
        .body(axum::body::Body::empty())
        .unwrap();
    let resp = tower::ServiceExt::oneshot(
        agent_sim::router(agent_sim::AppState::new(scenario(&base("")))),
        req,
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), 501);
    let body = http_body_util::BodyExt::collect(resp.into_body())
        .await
        .unwrap()
        .to_bytes();
    assert_eq!(
        String::from_utf8_lossy(&body),
        "Not Implemented\n{\"message\":\"Failed to upgrade connection to websocket.\",\"detail\":\"failed to accept WebSocket connection: http.ResponseWriter does not implement http.Hijacker\"}\n"
    );
}

#[tokio::test]
async fn a_client_close_is_answered_and_the_task_ends() {
    let sim = Sim::start(scenario(&base(""))).await.unwrap();
    let state = sim.state().clone();
    let mut ws = open(&sim).await;
    next_text(&mut ws).await;
    ws.close(None).await.unwrap();
    let reply = tokio::time::timeout(Duration::from_secs(3), ws.next())
        .await
        .expect("no close reply");
    assert!(matches!(reply, Some(Ok(Message::Close(_)))), "{reply:?}");
    wait_tasks(&state, 0).await;
}
