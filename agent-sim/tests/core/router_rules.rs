//! Router rules (`core.md` §1.4, §1.5, §2, §3): 404, 405, HEAD, non-standard methods, the
//! `/api/v0` catch-all, raw paths, Recover, JSON writing, Go framing on the wire.

use crate::common::*;
use agent_sim::routes::AgentRoutes;
use agent_sim::routing::Routes;
use agent_sim::{AppState, Sim};
use std::io::{Read, Write};

#[tokio::test]
async fn hello_is_36_bytes_of_json() {
    let r = get(&fixture("default"), "/").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, b"{\"message\":\"Hello from the agent!\"}\n");
    assert_eq!(r.header("content-type"), Some(JSON));
    assert_eq!(r.header("content-length"), Some("36"));
}

#[tokio::test]
async fn query_strings_are_ignored() {
    let r = get(&fixture("default"), "/?a=1&b=%3Cx%3E").await;
    assert_eq!(r.body, b"{\"message\":\"Hello from the agent!\"}\n");
}

#[tokio::test]
async fn unknown_paths_are_go_not_found() {
    let s = fixture("devcontainers-disabled");
    for path in [
        "/nope",
        "/api/v0",
        "/api/v0/",
        "/api/v0/foo",
        "/api/v0/listening-ports/",
        "/api/v0/netcheck/x",
        "/api/v0/containers/",
        "/api/v0/containers/watch",
        "/api/v0/containers/devcontainers/x/recreate",
        "/api/v0/listening%2Dports",
        "/api/v0/git/status",
        "/api/v0/desktop",
        "/__sim2/health",
        "/debug",
        "/debug/",
        "/debug/unknown",
        "/debug/logs/",
        "/debug/magicsock/",
        "/debug/manifest/",
        "/debug/prometheus/",
        "/debug/magicsock/debug-logging",
        "/debug/magicsock/debug-logging/",
        "/debug/magicsock/debug-logging/true/",
        "/debug/magicsock/debug-logging/a/b",
        "//api/v0/netcheck",
        "//",
    ] {
        assert_not_found(&get(&s, path).await, path);
    }
}

#[tokio::test]
async fn wrong_method_is_405_with_allow_get() {
    let s = fixture("default");
    for path in [
        "/",
        "/api/v0/listening-ports",
        "/api/v0/netcheck",
        "/debug/logs",
        "/debug/magicsock",
        "/debug/magicsock/debug-logging/true",
        "/debug/manifest",
        "/debug/prometheus",
    ] {
        for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE"] {
            let r = send(&s, method, path).await;
            assert_method_not_allowed(&r, &["GET"], &format!("{method} {path}"));
        }
    }
}

#[tokio::test]
async fn non_standard_methods_are_405_without_allow() {
    let s = fixture("devcontainers-disabled");
    for path in [
        "/",
        "/nope",
        "/api/v0/listening-ports",
        "/api/v0/containers",
    ] {
        for method in ["FOO", "PROPFIND", "get"] {
            let r = send(&s, method, path).await;
            assert_method_not_allowed(&r, &[], &format!("{method} {path}"));
        }
    }
}

#[tokio::test]
async fn invalid_escapes_are_rejected_like_go_server() {
    let r = get(&fixture("default"), "/api/v0/%zz").await;
    assert_eq!(r.status, 400);
    assert_eq!(r.text(), "400 Bad Request");
}

fn recover_app(state: AppState) -> axum::Router {
    async fn boom() -> &'static str {
        panic!("handler exploded")
    }
    async fn fine() -> &'static str {
        "ok"
    }
    let routes = Routes::new().get("/boom", boom).get("/fine", fine);
    agent_sim::agent_router_with(state, std::sync::Arc::new(AgentRoutes::fixed(routes)))
}

/// TestRecover: no panic → 200; panic → 500 with the agent's body.
#[tokio::test]
async fn recover_turns_panics_into_the_agent_500() {
    let state = AppState::new(fixture("default"));
    let r = send_to(recover_app(state.clone()), "GET", "/fine", "").await;
    assert_eq!(r.status, 200);
    let r = send_to(recover_app(state.clone()), "GET", "/boom", "").await;
    assert_eq!(r.status, 500);
    assert_eq!(
        r.body,
        b"{\"message\":\"An internal server error occurred.\"}\n"
    );
    assert_eq!(r.body.len(), 49);
    assert_eq!(r.header("content-type"), Some(JSON));
    // The server keeps serving, and the journal saw the 500.
    let r = send_to(recover_app(state.clone()), "GET", "/fine", "").await;
    assert_eq!(r.status, 200);
    let statuses: Vec<_> = state
        .journal()
        .entries(&Default::default())
        .iter()
        .map(|e| e.status)
        .collect();
    assert_eq!(statuses, [Some(200), Some(500), Some(200)]);
}

/// Raw bytes from a real socket: Go's header casing, `Content-Length` for small bodies,
/// chunked for bodies over 2048 bytes.
fn raw_get(addr: std::net::SocketAddr, path: &str) -> String {
    raw_request(addr, "GET", path)
}

fn raw_request(addr: std::net::SocketAddr, method: &str, path: &str) -> String {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test]
async fn wire_framing_matches_go() {
    let mut big = fixture("default");
    big.manifest.directory = "x".repeat(3000);
    let sim = Sim::start(big).await.unwrap();
    let addr = sim.addr();
    let (small, large, nf) = tokio::task::spawn_blocking(move || {
        (
            raw_get(addr, "/"),
            raw_get(addr, "/debug/manifest"),
            raw_get(addr, "/nope"),
        )
    })
    .await
    .unwrap();
    assert!(small.starts_with("HTTP/1.1 200 OK\r\n"), "{small}");
    assert!(small.contains("\r\nContent-Type: application/json; charset=utf-8\r\n"));
    assert!(small.contains("\r\nContent-Length: 36\r\n"));
    assert!(small.contains("\r\nDate: "));
    assert!(small.ends_with("\r\n\r\n{\"message\":\"Hello from the agent!\"}\n"));
    assert!(
        large.contains("\r\nTransfer-Encoding: chunked\r\n"),
        "{large}"
    );
    assert!(!large.contains("Content-Length"));
    assert!(large.contains("\r\nContent-Type: text/plain; charset=utf-8\r\n"));
    assert!(
        nf.contains("\r\nX-Content-Type-Options: nosniff\r\n"),
        "{nf}"
    );
    assert!(nf.ends_with("\r\n\r\n404 page not found\n"));
}

/// HEAD on the gate: the 403 status and headers, no body on the wire.
#[tokio::test]
async fn head_responses_carry_no_body_on_the_wire() {
    let sim = Sim::start(fixture("devcontainers-disabled")).await.unwrap();
    let addr = sim.addr();
    let head = tokio::task::spawn_blocking(move || raw_request(addr, "HEAD", "/api/v0/containers"))
        .await
        .unwrap();
    assert!(head.starts_with("HTTP/1.1 403 Forbidden\r\n"), "{head}");
    assert!(head.contains("\r\nContent-Type: application/json; charset=utf-8\r\n"));
    assert!(head.ends_with("\r\n\r\n"), "{head:?}");
}

mod robustness {
    use crate::common::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        /// No request of any shape makes the router panic: every answer is one of the agent's.
        #[test]
        fn any_request_gets_an_agent_answer(
            method in prop::sample::select(vec!["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "FOO"]),
            segs in prop::collection::vec("[a-zA-Z0-9%._~{}-]{0,8}", 0..6),
            query in "[a-z=&]{0,10}",
            body in ".{0,64}",
        ) {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            let path = format!("/{}", segs.join("/"));
            let uri = if query.is_empty() { path.clone() } else { format!("{path}?{query}") };
            if uri.parse::<http::Uri>().is_err() {
                return Ok(());
            }
            let app = agent_sim::router(agent_sim::AppState::new(fixture("default")));
            let r = rt.block_on(send_to(app, method, &uri, &body));
            prop_assert_ne!(r.text(), "{\"message\":\"An internal server error occurred.\"}\n", "{} {}", method, uri);
        }
    }
}
