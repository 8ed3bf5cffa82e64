//! Test helpers: a broken agent built as a proxy in front of an in-process agent-sim that
//! alters one behaviour (request rewrite and/or response mutation), and a run of the suite
//! restricted to some cases.

#![allow(dead_code)]

use agent_sim::{AppState, Scenario};
use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use axum::Router;
use bytes::Bytes;
use conformance::fixtures::{self, workspace_dir};
use conformance::runner::{run, Report, RunConfig};
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use http_body_util::BodyExt;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tower::ServiceExt;

/// A response the mutation may change.
pub struct MResp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl MResp {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn set_text(&mut self, s: &str) {
        self.body = s.as_bytes().to_vec();
    }
    pub fn set_header(&mut self, k: &'static str, v: &str) {
        self.headers.insert(k, HeaderValue::from_str(v).unwrap());
    }
}

pub type Mutation = Arc<dyn Fn(&Method, &str, &mut MResp) + Send + Sync>;
pub type Rewrite = Arc<dyn Fn(&mut Request) + Send + Sync>;

/// A broken agent on a loopback port; dropping it stops the server.
pub struct Mutant {
    pub url: String,
    pub state: AppState,
    task: JoinHandle<()>,
}

impl Drop for Mutant {
    fn drop(&mut self) {
        self.task.abort();
        self.state.shutdown();
    }
}

/// Serves agent-sim (with its control API) through `rewrite` and `mutate`.
pub async fn mutant(scenario: Scenario, rewrite: Option<Rewrite>, mutate: Mutation) -> Mutant {
    let state = AppState::new(scenario);
    let inner = agent_sim::router(state.clone());
    let app = Router::new().fallback(move |mut req: Request| {
        let inner = inner.clone();
        let rewrite = rewrite.clone();
        let mutate = mutate.clone();
        async move {
            let method = req.method().clone();
            let path = req
                .uri()
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_default();
            let control = path.starts_with("/__sim/");
            if !control {
                if let Some(rw) = &rewrite {
                    rw(&mut req);
                }
            }
            let resp = inner.oneshot(req).await.unwrap();
            let (parts, body) = resp.into_parts();
            let body: Bytes = body.collect().await.unwrap().to_bytes();
            let mut m = MResp {
                status: parts.status,
                headers: parts.headers,
                body: body.to_vec(),
            };
            if !control {
                mutate(&method, &path, &mut m);
            }
            m.headers.remove("content-length");
            m.headers.remove("transfer-encoding");
            let mut out = Response::new(Body::from(m.body));
            *out.status_mut() = m.status;
            *out.headers_mut() = m.headers;
            out
        }
    });
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(agent_sim::server::serve(
        listener,
        app,
        std::future::pending(),
    ));
    Mutant { url, state, task }
}

/// A fixture's scenario by name.
pub fn fixture(name: &str) -> Scenario {
    Scenario::from_file(
        workspace_dir()
            .join("fixtures")
            .join(format!("{name}.json")),
    )
    .unwrap()
}

/// Runs the cases whose names match `filter` against `url` (control API on the same URL).
pub async fn run_filtered(url: &str, filter: &str, timeout_ms: u64) -> Report {
    let mut config = RunConfig::new(url);
    config.filter = Some(regex::Regex::new(filter).unwrap());
    config.fixtures = fixtures::load(&workspace_dir().join("fixtures")).unwrap();
    config.snapshots_dir = workspace_dir().join("snapshots");
    config.timeout = Duration::from_millis(timeout_ms);
    config.seed = 11;
    config.property_cases = 48;
    run(config, |_| {}).await.unwrap()
}
