//! What every agent-sim test binary shares (each includes it as `mod common`): one request
//! helper through the real router, one response type ([`Reply`]: status, headers, body bytes),
//! the fixtures, and the Go/chi answers tests compare against.

#![allow(dead_code)]

pub mod processes;

use agent_sim::{AppState, Scenario};
use axum::body::Body;
use axum::response::Response;
use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    /// Asserts the status and the exact body.
    #[track_caller]
    pub fn is(&self, status: u16, body: &str) {
        assert_eq!(
            (self.status.as_u16(), self.text().as_str()),
            (status, body),
            "unexpected response"
        );
    }

    /// Asserts a `codersdk.Response` with just a message.
    #[track_caller]
    pub fn msg(&self, status: u16, message: &str) {
        let body = format!(
            "{}\n",
            serde_json::to_string(&json!({ "message": message })).unwrap()
        );
        let body = body
            .replace('<', "\\u003c")
            .replace('>', "\\u003e")
            .replace('&', "\\u0026");
        self.is(status, &body);
        assert_eq!(
            self.headers["content-type"],
            "application/json; charset=utf-8"
        );
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect()
    }
}

pub fn fixture(name: &str) -> Scenario {
    let path = format!("{}/../fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
    Scenario::from_file(&path).unwrap_or_else(|e| panic!("{e}"))
}

pub fn scenario(json: &str) -> Scenario {
    Scenario::from_json("test", json).unwrap_or_else(|e| panic!("{e}"))
}

pub async fn send_to(app: axum::Router, method: &str, uri: &str, body: &str) -> Reply {
    let req = Request::builder()
        .method(Method::from_bytes(method.as_bytes()).unwrap())
        .uri(uri)
        .body(Body::from(body.to_string()))
        .unwrap();
    reply_of(app.oneshot(req).await.unwrap()).await
}

/// Reads a whole response: status, headers and body bytes.
pub async fn reply_of(resp: Response) -> Reply {
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

pub async fn send(scenario: &Scenario, method: &str, uri: &str) -> Reply {
    send_to(
        agent_sim::router(AppState::new(scenario.clone())),
        method,
        uri,
        "",
    )
    .await
}

pub async fn get(scenario: &Scenario, uri: &str) -> Reply {
    send(scenario, "GET", uri).await
}

pub const JSON: &str = "application/json; charset=utf-8";
pub const TEXT: &str = "text/plain; charset=utf-8";
pub const NOT_FOUND: &str = "404 page not found\n";

/// Asserts Go's `http.NotFound` exactly.
pub fn assert_not_found(r: &Reply, what: &str) {
    assert_eq!(r.status, 404, "{what}");
    assert_eq!(r.text(), NOT_FOUND, "{what}");
    assert_eq!(r.header("content-type"), Some(TEXT), "{what}");
    assert_eq!(
        r.header("x-content-type-options"),
        Some("nosniff"),
        "{what}"
    );
}

/// Asserts chi's 405 with the given `Allow` values and an empty body.
pub fn assert_method_not_allowed(r: &Reply, allow: &[&str], what: &str) {
    assert_eq!(r.status, 405, "{what}");
    assert_eq!(r.all("allow"), allow, "{what}");
    assert!(r.body.is_empty(), "{what}: body {:?}", r.text());
    assert_eq!(r.header("content-type"), None, "{what}");
}

/// Spawns `cmd` with stdout piped; returns the child and its first stdout line (the ready line
/// of agent-sim), empty if it printed none.
pub fn spawn_ready(cmd: &mut std::process::Command) -> (std::process::Child, String) {
    use std::io::BufRead;
    let mut child = cmd
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawns");
    let first = child
        .stdout
        .take()
        .and_then(|out| std::io::BufReader::new(out).lines().next());
    (child, first.and_then(Result::ok).unwrap_or_default())
}

/// Runs the agent-sim binary with `args` to its end.
pub fn run_sim<I, S>(args: I) -> std::process::Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    std::process::Command::new(env!("CARGO_BIN_EXE_agent-sim"))
        .args(args)
        .output()
        .expect("agent-sim runs")
}
