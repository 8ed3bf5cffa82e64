//! The control API under `/__sim/`: read, replace and merge-patch the scenario (validated first,
//! a bad one changes nothing), reset, the request journal, health.

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

pub fn routes(state: AppState) -> Router {
    Router::new()
        .route(
            "/scenario",
            get(get_scenario).put(put_scenario).patch(patch_scenario),
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

async fn put_scenario(State(state): State<AppState>, body: Bytes) -> Response {
    let text = String::from_utf8_lossy(&body);
    match Scenario::from_json("PUT /__sim/scenario", &text) {
        Ok(s) => {
            state.set_scenario(s);
            Json(state.scenario().to_value()).into_response()
        }
        Err(e) => bad_request(&e),
    }
}

async fn patch_scenario(State(state): State<AppState>, body: Bytes) -> Response {
    const ORIGIN: &str = "PATCH /__sim/scenario";
    let patch: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return bad_request(&ScenarioError::invalid(ORIGIN, ".", e.to_string())),
    };
    let mut doc = state.scenario().to_value();
    json_patch::merge(&mut doc, &patch);
    match Scenario::from_value(ORIGIN, doc) {
        Ok(s) => {
            state.set_scenario(s);
            Json(state.scenario().to_value()).into_response()
        }
        Err(e) => bad_request(&e),
    }
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
