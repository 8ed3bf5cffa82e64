//! Recreate and delete (§5, §6, §9, §11.3, §11.4): every answer byte for byte, the statuses a
//! client sees over time, and bad ids.

use crate::common::*;
use crate::{base, Api, DC1, DC2, DC3, DC4};

const FAST: &str = r#","timings":{"recreate_ms":40,"stop_ms":20,"remove_ms":20}"#;

fn recreate_uri(id: &str) -> String {
    format!("/api/v0/containers/devcontainers/{id}/recreate")
}

fn delete_uri(id: &str) -> String {
    format!("/api/v0/containers/devcontainers/{id}")
}

fn assert_json(r: &Reply, status: u16, body: &str) {
    assert_eq!(r.status, status, "{}", r.text());
    assert_eq!(r.header("content-type"), Some(JSON));
    assert_eq!(r.text(), format!("{body}\n"));
}

#[tokio::test]
async fn recreate_missing_id_is_400() {
    let api = Api::new(&base(FAST));
    let r = api.call("POST", &recreate_uri("")).await;
    assert_json(
        &r,
        400,
        r#"{"message":"Missing devcontainer ID","detail":"Devcontainer ID is required to recreate a devcontainer."}"#,
    );
}

#[tokio::test]
async fn unknown_and_malformed_ids_are_404_never_400() {
    let api = Api::new(&base(FAST));
    for (id, shown) in [
        ("7c9e6679-7425-40de-944b-e07fc1f90ae7".to_string(), None),
        (DC1.to_uppercase(), None),
        (format!("%7B{DC1}%7D"), Some(format!("{{{DC1}}}"))),
        (format!("urn:uuid:{DC1}"), None),
        ("container-1".into(), None),
        ("test-devcontainer-1".into(), None),
        ("not-a-uuid".into(), None),
        ("a%20b".into(), Some("a b".to_string())),
    ] {
        let shown = shown.unwrap_or_else(|| id.clone());
        let want = format!(
            r#"{{"message":"Devcontainer not found.","detail":"Could not find devcontainer with ID: \"{shown}\""}}"#
        );
        assert_json(&api.call("POST", &recreate_uri(&id)).await, 404, &want);
        assert_json(&api.call("DELETE", &delete_uri(&id)).await, 404, &want);
    }
    // Nothing changed.
    let dcs = api.devcontainers().await;
    assert_eq!(dcs.len(), 4);
}

#[tokio::test]
async fn recreate_is_202_then_409_then_running_with_a_new_container() {
    let api = Api::new(&base(FAST));
    let r = api.call("POST", &recreate_uri(DC1)).await;
    assert_json(
        &r,
        202,
        r#"{"message":"Devcontainer recreation initiated","detail":"Recreation process for devcontainer \"test-devcontainer-1\" has started."}"#,
    );
    let r = api.call("POST", &recreate_uri(DC1)).await;
    assert_json(
        &r,
        409,
        r#"{"message":"Unable to recreate transitioning devcontainer","detail":"Devcontainer \"test-devcontainer-1\" is currently starting and cannot be restarted."}"#,
    );
    // Delete during recreate.
    let r = api.call("DELETE", &delete_uri(DC1)).await;
    assert_json(
        &r,
        409,
        r#"{"message":"Unable to delete transitioning devcontainer","detail":"Devcontainer \"test-devcontainer-1\" is currently starting and cannot be deleted."}"#,
    );
    let starting = api
        .devcontainers()
        .await
        .into_iter()
        .find(|d| d["id"] == DC1)
        .unwrap();
    assert_eq!(starting["status"], "starting");
    assert!(starting.get("container").is_none(), "{starting}");
    assert!(starting.get("error").is_none(), "{starting}");
    let running = api.wait_status(DC1, "running").await;
    let c = &running["container"];
    assert_ne!(c["id"], "container-1");
    assert_eq!(c["running"], true);
    assert_eq!(c["name"], "test-friendly");
    assert_eq!(running["dirty"], false);
    assert!(running.get("error").is_none());
    // The old container was replaced in the list.
    let list: serde_json::Value =
        serde_json::from_slice(&api.get("/api/v0/containers").await.body).unwrap();
    let ids: Vec<_> = list["containers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].clone())
        .collect();
    assert_eq!(ids, vec![c["id"].clone()]);
    // And it can be recreated again.
    assert_eq!(api.call("POST", &recreate_uri(DC1)).await.status, 202);
}

#[tokio::test]
async fn recreate_of_stopped_and_error_devcontainers_is_accepted() {
    let api = Api::new(&base(FAST));
    assert_eq!(api.call("POST", &recreate_uri(DC2)).await.status, 202);
    let dc = api.wait_status(DC2, "running").await;
    // A devcontainer that had no container gets one labelled with its folder.
    assert_eq!(
        dc["container"]["labels"]["devcontainer.local_folder"],
        "/workspaces/two"
    );
}

#[tokio::test]
async fn a_configured_failure_leaves_error_then_the_next_recreate_clears_it() {
    let api = Api::new(&base(&format!(
        r#"{FAST},"failures":[{{"workspace_folder":"/workspaces/one","step":"recreate","error":"devcontainer CLI error","times":1}}]"#
    )));
    assert_eq!(api.call("POST", &recreate_uri(DC1)).await.status, 202);
    let dc = api.wait_status(DC1, "error").await;
    assert_eq!(dc["error"], "devcontainer CLI error");
    assert_eq!(dc["container"]["id"], "container-1");
    // error is not transitioning: recreate is accepted and clears the error at once.
    assert_eq!(api.call("POST", &recreate_uri(DC1)).await.status, 202);
    let dc = api.wait_status(DC1, "starting").await;
    assert!(dc.get("error").is_none());
    let dc = api.wait_status(DC1, "running").await;
    assert!(dc.get("error").is_none());
}

#[tokio::test]
async fn a_lifecycle_script_failure_is_running_with_the_error() {
    let api = Api::new(&base(&format!(
        r#"{FAST},"failures":[{{"workspace_folder":"/workspaces/one","step":"recreate","error":"postCreateCommand failed with exit code 1","container_created":true}}]"#
    )));
    assert_eq!(api.call("POST", &recreate_uri(DC1)).await.status, 202);
    let dc = api.wait_status(DC1, "running").await;
    assert_eq!(dc["error"], "postCreateCommand failed with exit code 1");
    assert_ne!(dc["container"]["id"], "container-1");
}

#[tokio::test]
async fn terraform_defined_devcontainers_can_be_rebuilt() {
    let api = Api::new(&format!(
        r#"{{"devcontainers":{{"timings":{{"recreate_ms":30}},"devcontainers":[{{"id":"{DC1}","name":"tf","workspace_folder":"/w/tf","subagent_id":"{DC2}","status":"running"}}]}}}}"#
    ));
    assert_eq!(api.call("POST", &recreate_uri(DC1)).await.status, 202);
    assert_eq!(api.call("POST", &recreate_uri(DC1)).await.status, 409);
    let dc = api.wait_status(DC1, "running").await;
    assert_eq!(dc["subagent_id"], DC2);
}

#[tokio::test]
async fn frozen_transitions_refuse_both_operations() {
    let api = Api::new(&base(FAST));
    assert_json(
        &api.call("DELETE", &delete_uri(DC3)).await,
        409,
        r#"{"message":"Unable to delete transitioning devcontainer","detail":"Devcontainer \"starting-one\" is currently starting and cannot be deleted."}"#,
    );
    assert_json(
        &api.call("DELETE", &format!("{}/", delete_uri(DC4))).await,
        409,
        r#"{"message":"Unable to delete transitioning devcontainer","detail":"Devcontainer \"stopping-one\" is currently deleting and cannot be deleted."}"#,
    );
    assert_json(
        &api.call("POST", &recreate_uri(DC4)).await,
        409,
        r#"{"message":"Unable to recreate transitioning devcontainer","detail":"Devcontainer \"stopping-one\" is currently deleting and cannot be restarted."}"#,
    );
}

#[tokio::test]
async fn delete_missing_id_is_400() {
    let api = Api::new(&base(FAST));
    assert_json(
        &api.call("DELETE", "/api/v0/containers/devcontainers//")
            .await,
        400,
        r#"{"message":"Missing devcontainer ID","detail":"Devcontainer ID is required to delete a devcontainer."}"#,
    );
}

#[tokio::test]
async fn delete_with_and_without_container_is_204_and_gone() {
    let api = Api::new(&base(FAST));
    for (id, uri) in [
        (DC1, delete_uri(DC1)),
        (DC2, format!("{}/", delete_uri(DC2))),
    ] {
        let r = api.call("DELETE", &uri).await;
        assert_eq!(r.status, 204, "{}", r.text());
        assert!(r.body.is_empty());
        assert_eq!(r.header("content-type"), Some(JSON));
        let dcs = api.devcontainers().await;
        assert!(dcs.iter().all(|d| d["id"] != id), "{dcs:?}");
        // Deleted ones are gone for good.
        assert_eq!(api.call("POST", &recreate_uri(id)).await.status, 404);
        assert_eq!(api.call("DELETE", &delete_uri(id)).await.status, 404);
    }
    // The container went with its devcontainer.
    let list: serde_json::Value =
        serde_json::from_slice(&api.get("/api/v0/containers").await.body).unwrap();
    assert_eq!(list["containers"], serde_json::json!([]));
}

#[tokio::test]
async fn delete_of_the_last_devcontainer_leaves_null() {
    let api = Api::new(&format!(
        r#"{{"devcontainers":{{"devcontainers":[{{"id":"{DC1}","workspace_folder":"/w"}}]}}}}"#
    ));
    assert_eq!(api.call("DELETE", &delete_uri(DC1)).await.status, 204);
    assert_eq!(
        api.get("/api/v0/containers").await.text(),
        "{\"devcontainers\":null,\"containers\":[]}\n"
    );
}

#[tokio::test]
async fn delete_step_failures_are_500_and_leave_error() {
    for (step, message) in [
        ("stop", "An error occurred stopping the container"),
        ("remove", "An error occurred removing the container"),
        ("agent_delete", "An error occurred deleting the agent"),
    ] {
        let api = Api::new(&format!(
            r#"{{"devcontainers":{{"timings":{{"stop_ms":0,"remove_ms":0}},
            "containers":[{{"id":"container-1","running":true,"labels":{{"devcontainer.local_folder":"/w"}}}}],
            "devcontainers":[{{"id":"{DC1}","name":"d","workspace_folder":"/w","status":"running","agent":{{"id":"{DC2}","name":"d","directory":"/workspaces/w"}}}}],
            "failures":[{{"workspace_folder":"/w","step":"{step}","error":"{step} error","times":1}}]}}}}"#
        ));
        let r = api.call("DELETE", &delete_uri(DC1)).await;
        assert_json(
            &r,
            500,
            &format!(r#"{{"message":"{message}","detail":"{step} error"}}"#),
        );
        let dc = api.wait_status(DC1, "error").await;
        assert_eq!(dc["error"], format!("{step} error"));
        // error is not transitioning: a second delete goes through.
        assert_eq!(
            api.call("DELETE", &delete_uri(DC1)).await.status,
            204,
            "{step}"
        );
    }
}

#[tokio::test]
async fn delete_shows_stopping_then_deleting_while_it_runs() {
    let api = Api::new(&base(
        r#","timings":{"recreate_ms":40,"stop_ms":150,"remove_ms":150}"#,
    ));
    let state = api.state.clone();
    let del = tokio::spawn(async move {
        send_to(agent_sim::router(state), "DELETE", &delete_uri(DC1), "").await
    });
    let dc = api.wait_status(DC1, "stopping").await;
    assert!(dc.get("error").is_none());
    assert_json(
        &api.call("POST", &recreate_uri(DC1)).await,
        409,
        r#"{"message":"Unable to recreate transitioning devcontainer","detail":"Devcontainer \"test-devcontainer-1\" is currently stopping and cannot be restarted."}"#,
    );
    api.wait_status(DC1, "deleting").await;
    assert_eq!(api.call("DELETE", &delete_uri(DC1)).await.status, 409);
    assert_eq!(del.await.unwrap().status, 204);
    assert!(api.devcontainers().await.iter().all(|d| d["id"] != DC1));
}

#[tokio::test]
async fn closed_api_answers_503() {
    let api = Api::new(&base(FAST));
    api.state.shutdown();
    let want =
        r#"{"message":"API closed","detail":"The API is closed and cannot process requests."}"#;
    assert_json(&api.get("/api/v0/containers").await, 503, want);
    assert_json(&api.call("POST", &recreate_uri(DC1)).await, 503, want);
    assert_json(&api.call("DELETE", &delete_uri(DC1)).await, 503, want);
    assert_json(&api.get("/api/v0/containers/watch").await, 503, want);
}

#[tokio::test]
async fn scenario_changes_and_reset_replace_the_data() {
    let api = Api::new(&base(FAST));
    assert_eq!(api.call("DELETE", &delete_uri(DC2)).await.status, 204);
    // Only timings change: run-time state is kept.
    let r = send_to(
        agent_sim::router(api.state.clone()),
        "PATCH",
        "/__sim/scenario",
        r#"{"devcontainers":{"timings":{"recreate_ms":10}}}"#,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(api.devcontainers().await.len(), 3);
    // A reset brings the start data back.
    let r = send_to(
        agent_sim::router(api.state.clone()),
        "POST",
        "/__sim/reset",
        "",
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    assert_eq!(api.devcontainers().await.len(), 4);
    // The containers change (the agent's refresh): devcontainer 1 follows its container.
    let r = send_to(
        agent_sim::router(api.state.clone()),
        "PATCH",
        "/__sim/scenario",
        r#"{"devcontainers":{"containers":[{"id":"container-9","running":false,"labels":{"devcontainer.local_folder":"/workspaces/one"}}]}}"#,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let dc = api.wait_status(DC1, "stopped").await;
    assert_eq!(dc["container"]["id"], "container-9");
}

#[tokio::test]
async fn requests_wait_for_the_first_refresh_and_close_gives_503() {
    let api = Api::new(r#"{"devcontainers":{"ready_after_ms":300}}"#);
    let t = std::time::Instant::now();
    let r = api.get("/api/v0/containers").await;
    assert_eq!(r.status, 200);
    assert!(
        t.elapsed() >= std::time::Duration::from_millis(250),
        "{:?}",
        t.elapsed()
    );
    // A reset starts the wait again; closing the API while a request waits answers 503.
    let state = api.state.clone();
    state.reset();
    let waiting = tokio::spawn(async move {
        send_to(agent_sim::router(state), "GET", "/api/v0/containers", "").await
    });
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    api.state.shutdown();
    let r = waiting.await.unwrap();
    assert_json(
        &r,
        503,
        r#"{"message":"API closed","detail":"The API is closed and cannot process requests."}"#,
    );
}
