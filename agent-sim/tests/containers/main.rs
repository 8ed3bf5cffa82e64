//! The Dev Containers API through the real router (`containers.md` §2-§6, §11): the list and its
//! JSON shape, recreate and delete with every answer, the watch socket with a real client, the
//! status machine's invariants as a property, and what bad input gets.

#[path = "../common/mod.rs"]
mod common;

mod list;
mod operations;
mod props;
mod watch;

use agent_sim::AppState;
use common::*;

/// One simulator state shared by several requests through the real router.
pub struct Api {
    pub state: AppState,
}

impl Api {
    pub fn new(json: &str) -> Self {
        Self {
            state: AppState::new(scenario(json)),
        }
    }

    pub fn fixture(name: &str) -> Self {
        Self {
            state: AppState::new(fixture(name)),
        }
    }

    pub async fn call(&self, method: &str, uri: &str) -> Reply {
        send_to(agent_sim::router(self.state.clone()), method, uri, "").await
    }

    pub async fn get(&self, uri: &str) -> Reply {
        self.call("GET", uri).await
    }

    /// The devcontainers of `GET /api/v0/containers`, as JSON values.
    pub async fn devcontainers(&self) -> Vec<serde_json::Value> {
        let r = self.get("/api/v0/containers").await;
        assert_eq!(r.status, 200, "{}", r.text());
        let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        v["devcontainers"].as_array().cloned().unwrap_or_default()
    }

    /// Waits (briefly) until the devcontainer `id` shows `status`.
    pub async fn wait_status(&self, id: &str, status: &str) -> serde_json::Value {
        for _ in 0..200 {
            if let Some(dc) = self
                .devcontainers()
                .await
                .into_iter()
                .find(|d| d["id"] == id && d["status"] == status)
            {
                return dc;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!(
            "{id} never became {status}: {:?}",
            self.devcontainers().await
        );
    }
}

pub const DC1: &str = "1a111111-1111-4111-8111-11111111111b";
pub const DC2: &str = "22222222-2222-4222-8222-222222222222";
pub const DC3: &str = "33333333-3333-4333-8333-333333333333";
pub const DC4: &str = "44444444-4444-4444-8444-444444444444";

/// A scenario like the agent tests' fixtures: a running devcontainer with container-1, a
/// stopped one without a container, one frozen in `starting`, one frozen in `deleting`.
/// `extra` is spliced into the `devcontainers` section (timings, failures).
pub fn base(extra: &str) -> String {
    format!(
        r#"{{"devcontainers":{{
        "containers":[{{"created_at":"2026-06-01T10:00:00Z","id":"container-1","name":"test-friendly","image":"test-image:latest","running":true,"status":"running",
            "labels":{{"devcontainer.local_folder":"/workspaces/one","devcontainer.config_file":"/workspaces/one/.devcontainer/devcontainer.json"}}}}],
        "devcontainers":[
            {{"id":"{DC1}","name":"test-devcontainer-1","workspace_folder":"/workspaces/one","config_path":"/workspaces/one/.devcontainer/devcontainer.json","status":"running"}},
            {{"id":"{DC2}","name":"stopped-one","workspace_folder":"/workspaces/two","status":"stopped"}},
            {{"id":"{DC3}","name":"starting-one","workspace_folder":"/workspaces/three","status":"starting"}},
            {{"id":"{DC4}","name":"stopping-one","workspace_folder":"/workspaces/four","status":"deleting"}}
        ]{extra}}}}}"#
    )
}
