//! `GET /api/v0/containers` (§3, §7, §11.1, §11.5) and the sub-router's routing rules (§2.2).

use crate::common::*;
use crate::{base, Api, DC1};

const C1: &str = r#"{"created_at":"2026-06-01T10:00:00.123456789Z","id":"c1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f80","name":"devcontainer1","image":"busybox:latest","labels":{"devcontainer.config_file":"/home/coder/project1/.devcontainer/devcontainer.json","devcontainer.local_folder":"/home/coder/project1"},"running":true,"ports":[{"port":8080,"network":"tcp","host_ip":"127.0.0.1","host_port":32768}],"status":"running","volumes":{"/home/coder/project1":"/workspaces/project1"}}"#;
const C2: &str = r#"{"created_at":"2026-05-30T08:00:00Z","id":"d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f809","name":"postgres","image":"postgres:16","labels":{},"running":false,"ports":[],"status":"exited with code 1","volumes":{}}"#;

/// The whole `containers-running` list, byte for byte.
pub fn containers_running_body() -> String {
    format!(
        concat!(
            r#"{{"devcontainers":[{{"id":"6b1f2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d","name":"project1","workspace_folder":"/home/coder/project1","config_path":"/home/coder/project1/.devcontainer/devcontainer.json","subagent_id":null,"status":"running","dirty":false,"container":{c1},"agent":{{"id":"9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d","name":"project1","directory":"/workspaces/project1"}}}},"#,
            r#"{{"id":"2f4e6a8c-0b1d-4e3f-a5b7-c9d1e3f5a7b9","name":"known1","workspace_folder":"/workspace/known1","config_path":"/workspace/known1/.devcontainer/devcontainer.json","subagent_id":null,"status":"stopped","dirty":false}}],"#,
            r#""containers":[{c1},{c2}],"warnings":["host port 5432 is mapped to multiple containers on different interfaces: a, b"]}}"#,
            "\n"
        ),
        c1 = C1,
        c2 = C2
    )
}

#[tokio::test]
async fn containers_running_fixture_lists_byte_for_byte() {
    let r = get(&fixture("containers-running"), "/api/v0/containers").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some(JSON));
    assert_eq!(r.text(), containers_running_body());
    // Query strings are ignored; `/api/v0/containers/` is the same route.
    let r2 = get(
        &fixture("containers-running"),
        "/api/v0/containers/?label=x",
    )
    .await;
    assert_eq!(r2.text(), containers_running_body());
}

#[tokio::test]
async fn empty_lister_and_null_lister() {
    let r = get(&scenario("{}"), "/api/v0/containers").await;
    assert_eq!(r.text(), "{\"devcontainers\":null,\"containers\":[]}\n");
    let r = get(
        &scenario(r#"{"devcontainers":{"containers":null}}"#),
        "/api/v0/containers",
    )
    .await;
    assert_eq!(r.text(), "{\"devcontainers\":null,\"containers\":null}\n");
    assert_eq!(r.header("content-length"), Some("41"));
}

#[tokio::test]
async fn lister_error_is_a_500_with_the_raw_error() {
    let s = scenario(
        r#"{"devcontainers":{"list_error":"run docker ps: exit status 1: \"Cannot connect to the Docker daemon\""}}"#,
    );
    let r = get(&s, "/api/v0/containers").await;
    assert_eq!(r.status, 500);
    assert_eq!(r.header("content-type"), Some(JSON));
    assert_eq!(
        r.text(),
        "{\"message\":\"Could not get containers\",\"detail\":\"run docker ps: exit status 1: \\\"Cannot connect to the Docker daemon\\\"\"}\n"
    );
}

#[tokio::test]
async fn devcontainers_sorted_by_folder_ignored_ones_hidden() {
    let s = scenario(
        r#"{"devcontainers":{"containers":null,"devcontainers":[
        {"id":"00000000-0000-4000-8000-00000000000b","name":"b","workspace_folder":"/w/b","config_path":"/w/b/<&>.json","error":"simulated error","status":"error"},
        {"id":"00000000-0000-4000-8000-00000000000a","name":"a","workspace_folder":"/w/A","subagent_id":"00000000-0000-4000-8000-0000000000aa","dirty":true},
        {"id":"00000000-0000-4000-8000-00000000000c","name":"c","workspace_folder":"/w/c","ignored":true}]}}"#,
    );
    let r = get(&s, "/api/v0/containers").await;
    assert_eq!(
        r.text(),
        concat!(
            r#"{"devcontainers":[{"id":"00000000-0000-4000-8000-00000000000a","name":"a","workspace_folder":"/w/A","subagent_id":"00000000-0000-4000-8000-0000000000aa","status":"stopped","dirty":true},"#,
            r#"{"id":"00000000-0000-4000-8000-00000000000b","name":"b","workspace_folder":"/w/b","config_path":"/w/b/\u003c\u0026\u003e.json","subagent_id":null,"status":"error","dirty":false,"error":"simulated error"}],"containers":null}"#,
            "\n"
        )
    );
    // Every known devcontainer ignored: `[]`, not `null`.
    let s = scenario(
        r#"{"devcontainers":{"devcontainers":[{"id":"00000000-0000-4000-8000-00000000000c","workspace_folder":"/w/c","ignored":true}]}}"#,
    );
    let r = get(&s, "/api/v0/containers").await;
    assert_eq!(r.text(), "{\"devcontainers\":[],\"containers\":[]}\n");
}

#[tokio::test]
async fn labelled_containers_are_detected_and_test_runs_skipped() {
    let s = scenario(
        r#"{"devcontainers":{"containers":[
        {"id":"runtime-container-1","name":"rt","running":true,"labels":{"devcontainer.local_folder":"/workspace/runtime1","devcontainer.config_file":"/workspace/runtime1/.devcontainer/devcontainer.json"}},
        {"id":"plain"},
        {"id":"test-run","running":true,"labels":{"devcontainer.local_folder":"/workspace/test1","devcontainer.is_test_run":"true"}}]}}"#,
    );
    let api = Api {
        state: agent_sim::AppState::new(s),
    };
    let dcs = api.devcontainers().await;
    assert_eq!(dcs.len(), 1, "{dcs:?}");
    let dc = &dcs[0];
    assert_eq!(dc["workspace_folder"], "/workspace/runtime1");
    assert_eq!(dc["name"], "runtime1");
    assert_eq!(dc["status"], "running");
    assert_eq!(
        dc["config_path"],
        "/workspace/runtime1/.devcontainer/devcontainer.json"
    );
    assert_eq!(dc["container"]["id"], "runtime-container-1");
    assert!(uuid::Uuid::parse_str(dc["id"].as_str().unwrap()).is_ok());
}

#[tokio::test]
async fn routing_inside_the_mount_follows_chi() {
    let s = scenario(&base(""));
    for path in [
        "/api/v0/containers/devcontainers",
        "/api/v0/containers/devcontainers/",
        "/api/v0/containers/watch/",
        "/api/v0/containers/nope",
        &format!("/api/v0/containers/devcontainers/{DC1}/recreate/"),
        &format!("/api/v0/containers/devcontainers/{DC1}/other"),
    ] {
        for m in ["GET", "POST", "DELETE"] {
            assert_not_found(&send(&s, m, path).await, &format!("{m} {path}"));
        }
    }
    for (m, path, allow) in [
        ("HEAD", "/api/v0/containers".to_string(), "GET"),
        ("POST", "/api/v0/containers/".to_string(), "GET"),
        ("PUT", "/api/v0/containers/watch".to_string(), "GET"),
        ("HEAD", "/api/v0/containers/watch".to_string(), "GET"),
        (
            "GET",
            format!("/api/v0/containers/devcontainers/{DC1}/recreate"),
            "POST",
        ),
        (
            "GET",
            format!("/api/v0/containers/devcontainers/{DC1}"),
            "DELETE",
        ),
        (
            "POST",
            format!("/api/v0/containers/devcontainers/{DC1}/"),
            "DELETE",
        ),
    ] {
        assert_method_not_allowed(&send(&s, m, &path).await, &[allow], &format!("{m} {path}"));
    }
}

#[tokio::test]
async fn the_fixtures_load_and_round_trip_through_the_control_api() {
    for name in ["containers-running", "devcontainers-disabled", "sub-agent"] {
        let s = fixture(name);
        let again = agent_sim::Scenario::from_value("round trip", s.to_value()).unwrap();
        assert_eq!(again, s, "{name}");
    }
    let r = get(&fixture("devcontainers-disabled"), "/api/v0/containers").await;
    assert_eq!(r.status, 403);
    let r = get(&fixture("sub-agent"), "/api/v0/containers").await;
    assert_eq!(r.status, 403);
}
