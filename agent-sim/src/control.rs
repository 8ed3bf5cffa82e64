//! The control API under `/__sim/`: an index of its routes, read, replace and merge-patch the
//! scenario (validated first, a bad one changes nothing), reset, the request journal, health.

use crate::journal::JournalFilter;
use crate::scenario::{Scenario, ScenarioError};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use http::StatusCode;
use serde_json::{json, Value};

/// The control API's routes, as `GET /__sim/` lists them: method(s), path, what it does.
pub(crate) const ROUTES: &[(&str, &str, &str)] = &[
    ("GET", "/__sim/", "this index"),
    ("GET", "/__sim/scenario", "the scenario in force"),
    (
        "PUT",
        "/__sim/scenario",
        "replace the scenario (validated; a bad one changes nothing)",
    ),
    (
        "PATCH",
        "/__sim/scenario",
        "merge-patch the scenario (RFC 7396; validated, applied atomically)",
    ),
    (
        "POST",
        "/__sim/reset",
        "back to the start scenario; clears the journal, processes, files and containers",
    ),
    (
        "GET",
        "/__sim/requests",
        "the request journal, oldest first (?path=&method= filter)",
    ),
    ("DELETE", "/__sim/requests", "clear the request journal"),
    ("GET", "/__sim/health", "liveness"),
];

/// The control API under `/__sim` (the index answers at `/__sim` and `/__sim/`).
pub(crate) fn router(state: AppState) -> Router {
    Router::new()
        .nest("/__sim", routes(state.clone()))
        .route("/__sim/", get(index).with_state(state))
}

/// The largest scenario the control API takes: room for a log file past `/debug/logs`'
/// 10 MiB limit (axum's default 2 MB body limit would refuse it).
pub const SCENARIO_BODY_LIMIT: usize = 32 * 1024 * 1024;

fn routes(state: AppState) -> Router {
    Router::new()
        .route("/", get(index))
        .route(
            "/scenario",
            get(get_scenario)
                .put(put_scenario)
                .patch(patch_scenario)
                .layer(axum::extract::DefaultBodyLimit::max(SCENARIO_BODY_LIMIT)),
        )
        .route("/reset", post(reset))
        .route("/requests", get(get_requests).delete(clear_requests))
        .route("/health", get(health))
        .with_state(state)
}

/// A control API error: `{"error": "...", "path": "..."}`.
fn bad_request(err: &ScenarioError) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({ "error": err.to_string(), "path": err.path() })),
    )
        .into_response()
}

async fn get_scenario(State(state): State<AppState>) -> Response {
    Json(state.scenario().to_value()).into_response()
}

/// `GET /__sim/`: the control API's routes and the scenario in force.
async fn index(State(state): State<AppState>) -> Response {
    let routes: Vec<Value> = ROUTES
        .iter()
        .map(|(method, path, what)| json!({ "method": method, "path": path, "description": what }))
        .collect();
    Json(json!({
        "service": "agent-sim control API",
        "scenario": state.scenario().name,
        "routes": routes,
    }))
    .into_response()
}

/// The answer to a scenario edit: the scenario now in force, or why nothing changed.
fn edited(result: Result<std::sync::Arc<Scenario>, ScenarioError>) -> Response {
    match result {
        Ok(s) => Json(s.to_value()).into_response(),
        Err(e) => bad_request(&e),
    }
}

async fn put_scenario(State(state): State<AppState>, body: Bytes) -> Response {
    let text = String::from_utf8_lossy(&body);
    edited(state.edit_scenario(|_| Scenario::from_json("PUT /__sim/scenario", &text)))
}

async fn patch_scenario(State(state): State<AppState>, body: Bytes) -> Response {
    const ORIGIN: &str = "PATCH /__sim/scenario";
    let patch: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return bad_request(&ScenarioError::invalid(ORIGIN, ".", e.to_string())),
    };
    edited(state.edit_scenario(|current| {
        let mut doc = current.to_value();
        json_patch::merge(&mut doc, &patch);
        Scenario::from_value(ORIGIN, doc)
    }))
}

async fn reset(State(state): State<AppState>) -> Response {
    state.reset();
    Json(json!({ "status": "reset", "scenario": state.scenario().name })).into_response()
}

async fn get_requests(
    State(state): State<AppState>,
    Query(filter): Query<JournalFilter>,
) -> Response {
    Json(state.journal().entries(&filter)).into_response()
}

async fn clear_requests(State(state): State<AppState>) -> StatusCode {
    state.journal().clear();
    StatusCode::NO_CONTENT
}

async fn health() -> Response {
    Json(json!({ "status": "ok" })).into_response()
}
