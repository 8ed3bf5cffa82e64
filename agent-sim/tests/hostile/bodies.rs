//! The bodies that used to abort the process, through the real router: deep nesting on every
//! route that decodes JSON answers the agent's 400 with Go's text.

use agent_sim::{AppState, Scenario};
use axum::body::Body;
use http::Request;
use http_body_util::BodyExt;
use tower::ServiceExt;

async fn post(path: &str, body: Vec<u8>) -> (u16, String) {
    let mut scenario = Scenario::fixture("default").expect("fixture");
    scenario.processes.mode = agent_sim::scenario::processes::ProcessMode::Scripted;
    let app = agent_sim::router(AppState::new(scenario));
    let req = Request::post(path).body(Body::from(body)).expect("request");
    let resp = app.oneshot(req).await.expect("infallible");
    let status = resp.status().as_u16();
    let body = resp.into_body().collect().await.expect("body").to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

fn bad_json(detail: &str) -> String {
    format!("{{\"message\":\"Request body must be valid JSON.\",\"detail\":\"{detail}\"}}\n")
}

const ROUTES: [&str; 4] = [
    "/api/v0/processes/start",
    "/api/v0/processes/abc/signal",
    "/api/v0/list-directory",
    "/api/v0/edit-files",
];

#[tokio::test]
async fn ten_thousand_brackets_are_an_unexpected_eof() {
    // Exactly Go's limit: accepted by the scanner, then the body ends.
    for route in ROUTES {
        let (status, body) = post(route, vec![b'['; 10_000]).await;
        assert_eq!((status, body), (400, bad_json("unexpected EOF")), "{route}");
    }
}

#[tokio::test]
async fn deeper_nesting_is_gos_max_depth_error() {
    for route in ROUTES {
        let objects = b"{\"a\":".repeat(50_000);
        let (status, body) = post(route, objects).await;
        assert_eq!(
            (status, body),
            (400, bad_json("invalid character '{' exceeded max depth")),
            "{route}"
        );
        let (status, body) = post(route, vec![b'['; 2_000_000]).await;
        assert_eq!(
            (status, body),
            (400, bad_json("invalid character '[' exceeded max depth")),
            "{route}"
        );
    }
}
