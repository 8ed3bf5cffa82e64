//! `GET /api/v0/netcheck`: the scenario's `AgentNetcheckReport`.

use crate::response;
use crate::state::AppState;
use axum::extract::State;
use axum::response::Response;
use http::StatusCode;

pub async fn netcheck(State(state): State<AppState>) -> Response {
    let scenario = state.scenario();
    response::json(StatusCode::OK, &scenario.netcheck)
}
