//! The control API (`agent-sim.md` §4): scenario get/put/patch with validation, reset, the
//! journal with filters, health, and the separate control listener.

use crate::common::*;
use agent_sim::{AppState, Sim};
use serde_json::{json, Value};

fn app(state: &AppState) -> axum::Router {
    agent_sim::router(state.clone())
}

async fn json_of(state: &AppState, method: &str, uri: &str, body: &str) -> (u16, Value) {
    let r = send_to(app(state), method, uri, body).await;
    let v = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
    (r.status.as_u16(), v)
}

#[tokio::test]
async fn put_replaces_and_bad_put_changes_nothing() {
    let state = AppState::new(fixture("default"));
    let (st, _) = json_of(
        &state,
        "PUT",
        "/__sim/scenario",
        r#"{"name":"x","devcontainers":{"enabled":false}}"#,
    )
    .await;
    assert_eq!(st, 200);
    let r = send_to(app(&state), "GET", "/api/v0/containers", "").await;
    assert_eq!(r.status, 403);

    for (body, path) in [
        (
            r#"{"listening_ports":{"ports":[{"port":70000}]}}"#,
            "listening_ports.ports[0].port",
        ),
        (
            r#"{"manifest":{"agent_id":"not-a-uuid"}}"#,
            "manifest.agent_id",
        ),
        (r#"{"nmae":"typo"}"#, "nmae"),
        (
            r#"{"manifest":{"apps":[{"id":"00000000-0000-0000-0000-000000000000","slug":"a","bogus":1}]}}"#,
            "manifest.apps[0].bogus",
        ),
        ("{not json", "."),
    ] {
        let (st, v) = json_of(&state, "PUT", "/__sim/scenario", body).await;
        assert_eq!(st, 400, "{body}");
        assert_eq!(v["path"], path, "{body}: {v}");
        assert!(
            v["error"]
                .as_str()
                .unwrap()
                .starts_with("PUT /__sim/scenario: at "),
            "{v}"
        );
    }
    assert_eq!(state.scenario().name, "x");
}

#[tokio::test]
async fn patch_is_a_merge_patch_and_validated() {
    let state = AppState::new(fixture("default"));
    let (st, v) = json_of(
        &state,
        "PATCH",
        "/__sim/scenario",
        r#"{"listening_ports":{"ports":[{"process_name":"go","network":"tcp","port":8080}]}}"#,
    )
    .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["name"], "default");
    let r = send_to(app(&state), "GET", "/api/v0/listening-ports", "").await;
    assert_eq!(
        r.text(),
        "{\"ports\":[{\"process_name\":\"go\",\"network\":\"tcp\",\"port\":8080}]}\n"
    );
    let (st, v) = json_of(
        &state,
        "PATCH",
        "/__sim/scenario",
        r#"{"ignore_ports":[-1]}"#,
    )
    .await;
    assert_eq!(st, 400);
    assert_eq!(v["path"], "ignore_ports[0]");
    let r = send_to(app(&state), "GET", "/api/v0/listening-ports", "").await;
    assert!(r.text().contains("8080"), "unchanged after a bad patch");
}

#[tokio::test]
async fn reset_restores_the_start_scenario_and_clears_the_journal() {
    let state = AppState::new(fixture("default"));
    json_of(
        &state,
        "PATCH",
        "/__sim/scenario",
        r#"{"devcontainers":{"enabled":false}}"#,
    )
    .await;
    send_to(app(&state), "GET", "/", "").await;
    assert_eq!(state.journal().len(), 1);
    let (st, v) = json_of(&state, "POST", "/__sim/reset", "").await;
    assert_eq!(st, 200);
    assert_eq!(v["scenario"], "default");
    assert!(state.journal().is_empty());
    assert!(state.scenario().devcontainers.enabled);
}

#[tokio::test]
async fn journal_records_and_filters() {
    let state = AppState::new(fixture("default"));
    send_to(app(&state), "GET", "/?q=1", "").await;
    send_to(app(&state), "POST", "/", "").await;
    send_to(app(&state), "GET", "/nope", "").await;
    let (_, all) = json_of(&state, "GET", "/__sim/requests", "").await;
    let all = all.as_array().unwrap().clone();
    assert_eq!(all.len(), 3, "control requests are not journaled");
    assert_eq!(all[0]["path"], "/");
    assert_eq!(all[0]["query"], "q=1");
    assert_eq!(all[0]["status"], 200);
    assert_eq!(all[1]["status"], 405);
    assert!(all[0]["duration_ms"].as_f64().unwrap() >= 0.0);
    let (_, f) = json_of(&state, "GET", "/__sim/requests?path=/&method=POST", "").await;
    assert_eq!(f, json!([all[1]]));
    let r = send_to(app(&state), "DELETE", "/__sim/requests", "").await;
    assert_eq!(r.status, 204);
    assert!(state.journal().is_empty());
}

#[tokio::test]
async fn journal_is_bounded() {
    let state = AppState::with_journal_capacity(fixture("default"), 5);
    for _ in 0..12 {
        send_to(app(&state), "GET", "/", "").await;
    }
    let e = state.journal().entries(&Default::default());
    assert_eq!(e.len(), 5);
    assert_eq!(e.last().unwrap().seq, 12);
}

#[tokio::test]
async fn health_and_scenario_get() {
    let state = AppState::new(fixture("ports-filtering"));
    let (st, v) = json_of(&state, "GET", "/__sim/health", "").await;
    assert_eq!((st, v), (200, json!({"status": "ok"})));
    let (_, v) = json_of(&state, "GET", "/__sim/scenario", "").await;
    assert_eq!(v["name"], "ports-filtering");
    // What GET returns is a valid scenario that round-trips.
    let again = agent_sim::Scenario::from_value("t", v).unwrap();
    assert_eq!(again, *state.scenario());
}

#[tokio::test]
async fn separate_control_listener_hides_sim_from_the_agent_port() {
    let sim = Sim::builder()
        .scenario(fixture("default"))
        .control_listen("127.0.0.1:0".parse().unwrap())
        .start()
        .await
        .unwrap();
    assert_ne!(sim.url(), sim.control_url());
    let c = reqwest::Client::new();
    let r = c
        .get(format!("{}/__sim/health", sim.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.text().await.unwrap(), NOT_FOUND);
    let r = c
        .get(format!("{}/__sim/health", sim.control_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = c
        .get(format!("{}/", sim.control_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404, "the control port serves no agent routes");
}

#[tokio::test]
async fn the_control_root_lists_its_routes_and_the_scenario() {
    let state = AppState::new(fixture("sub-agent"));
    for uri in ["/__sim/", "/__sim"] {
        let (st, v) = json_of(&state, "GET", uri, "").await;
        assert_eq!(st, 200, "{uri}");
        assert_eq!(v["scenario"], state.scenario().name.as_str(), "{uri}");
        let routes = v["routes"].as_array().unwrap();
        for (method, path) in [
            ("GET", "/__sim/scenario"),
            ("PATCH", "/__sim/scenario"),
            ("POST", "/__sim/reset"),
            ("DELETE", "/__sim/requests"),
            ("GET", "/__sim/health"),
        ] {
            assert!(
                routes
                    .iter()
                    .any(|r| r["method"] == method && r["path"] == path),
                "{method} {path} in {v}"
            );
        }
    }
    // Every listed route answers something other than 404/405.
    let (_, v) = json_of(&state, "GET", "/__sim/", "").await;
    for r in v["routes"].as_array().unwrap() {
        let (method, path) = (r["method"].as_str().unwrap(), r["path"].as_str().unwrap());
        if method == "GET" {
            let (st, _) = json_of(&state, method, path, "").await;
            assert_eq!(st, 200, "{method} {path}");
        }
    }
}

#[tokio::test]
async fn the_control_root_is_served_on_a_separate_control_listener() {
    let sim = Sim::builder()
        .control_listen("127.0.0.1:0".parse().unwrap())
        .start()
        .await
        .unwrap();
    let r = reqwest::get(format!("{}/__sim/", sim.control_url()))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["scenario"], sim.scenario().name.as_str());
}

#[tokio::test]
async fn a_scenario_with_a_log_past_ten_mib_is_taken() {
    let state = AppState::new(fixture("default"));
    let logs = "x".repeat(10 * 1024 * 1024 + 7);
    let body = json!({"name": "big-log", "debug": {"logs": logs}}).to_string();
    let (st, v) = json_of(&state, "PUT", "/__sim/scenario", &body).await;
    assert_eq!(st, 200, "{v}");
    let r = send_to(app(&state), "GET", "/debug/logs", "").await;
    assert_eq!(r.body.len(), 10 * 1024 * 1024);
}
