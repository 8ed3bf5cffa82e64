//! Helpers shared by the process API tests: requests through the real router, polling for
//! exit, and a guard that kills every process group a test started.

use super::reply_of;
pub use super::Reply;
use agent_sim::{AppState, Scenario};
use axum::body::Body;
use http::{Method, Request};
use std::time::{Duration, Instant};
use tower::ServiceExt;

/// A simulator state plus its router; dropping it kills every process it started.
pub struct Agent {
    pub state: AppState,
    pub chat: Option<String>,
    owner: bool,
}

impl Drop for Agent {
    fn drop(&mut self) {
        if self.owner {
            self.state.shutdown();
        }
    }
}

pub fn exec_scenario() -> Scenario {
    Scenario::from_json("test", r#"{"processes":{"mode":"exec"}}"#).unwrap()
}

impl Agent {
    pub fn new(scenario: Scenario) -> Self {
        Self {
            state: AppState::new(scenario),
            chat: None,
            owner: true,
        }
    }

    pub fn exec() -> Self {
        Self::new(exec_scenario())
    }

    /// The same agent (not owning its processes), sending `Coder-Chat-Id: chat` (or none).
    pub fn as_chat(&self, chat: Option<&str>) -> Self {
        Self {
            state: self.state.clone(),
            chat: chat.map(str::to_string),
            owner: false,
        }
    }

    pub async fn call(&self, method: Method, path: &str, body: Option<&[u8]>) -> Reply {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(chat) = &self.chat {
            req = req.header("Coder-Chat-Id", chat);
        }
        let req = req
            .body(body.map_or_else(Body::empty, |b| Body::from(b.to_vec())))
            .unwrap();
        let app = agent_sim::router(self.state.clone());
        reply_of(app.oneshot(req).await.unwrap()).await
    }

    pub async fn post(&self, path: &str, body: &str) -> Reply {
        self.call(Method::POST, path, Some(body.as_bytes())).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.call(Method::GET, path, None).await
    }

    /// `startAndGetID`: 200, `started:true`, a non-empty id.
    pub async fn start_json(&self, body: serde_json::Value) -> String {
        let r = self
            .post("/api/v0/processes/start", &body.to_string())
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        let v = r.json();
        assert_eq!(v["started"], true);
        let id = v["id"].as_str().unwrap().to_string();
        assert!(!id.is_empty());
        id
    }

    pub async fn start(&self, command: &str) -> String {
        self.start_json(serde_json::json!({ "command": command }))
            .await
    }

    pub async fn output(&self, id: &str) -> Reply {
        self.get(&format!("/api/v0/processes/{id}/output")).await
    }

    /// `waitForExit`: polls every 50 ms until `running:false` (each poll must be 200).
    pub async fn wait_exit(&self, id: &str) -> Reply {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let r = self.output(id).await;
            assert_eq!(r.status, 200, "{}", r.text());
            if r.json()["running"] == false {
                return r;
            }
            assert!(Instant::now() < deadline, "process {id} did not exit");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn signal(&self, id: &str, sig: &str) -> Reply {
        self.post(
            &format!("/api/v0/processes/{id}/signal"),
            &format!("{{\"signal\":\"{sig}\"}}"),
        )
        .await
    }

    pub async fn list(&self) -> Vec<serde_json::Value> {
        let r = self.get("/api/v0/processes/list").await;
        assert_eq!(r.status, 200);
        r.json()["processes"].as_array().unwrap().clone()
    }
}

/// `{"message":…}` or `{"message":…,"detail":…}` with the trailing newline.
pub fn msg(message: &str, detail: Option<&str>) -> String {
    let mut v = serde_json::Map::new();
    v.insert("message".into(), message.into());
    if let Some(d) = detail {
        v.insert("detail".into(), d.into());
    }
    format!("{}\n", serde_json::Value::Object(v))
}

pub fn assert_json_error(r: &Reply, status: u16, message: &str, detail: Option<&str>) {
    assert_eq!(r.status, status, "{}", r.text());
    assert_eq!(r.headers["content-type"], "application/json; charset=utf-8");
    assert_eq!(r.text(), msg(message, detail));
}

/// Whether a pid is gone (or a zombie, which no longer runs anything).
pub fn pid_dead(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit_once(')')
            .map(|(_, rest)| rest.trim_start().starts_with('Z'))
            .unwrap_or(false),
    }
}

/// Waits up to 5 s for every pid to be dead.
pub fn assert_all_dead(pids: &[i32]) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let alive: Vec<i32> = pids.iter().copied().filter(|p| !pid_dead(*p)).collect();
        if alive.is_empty() {
            return;
        }
        assert!(Instant::now() < deadline, "still alive: {alive:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A fresh directory under the system temp dir.
pub fn temp_dir(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!(
        "agent-sim-proc-{tag}-{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4()
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}
