//! `/api/v0/containers`: the gate the agent installs when Dev Containers are off (403 "not
//! supported" for sub-agents, 403 "not enabled" otherwise, exact path only), and the mounted
//! containers API when they are on.

use crate::response;
use crate::router::Routes;
use crate::state::AppState;
use axum::extract::State;
use axum::response::Response;
use http::StatusCode;

pub const NOT_SUPPORTED_MESSAGE: &str = "Dev Container feature not supported.";
pub const NOT_SUPPORTED_DETAIL: &str =
    "Dev Container integration inside other Dev Containers is explicitly not supported.";
pub const NOT_ENABLED_MESSAGE: &str = "Dev Container feature not enabled.";
pub const NOT_ENABLED_DETAIL: &str =
    "To enable this feature, set CODER_AGENT_DEVCONTAINERS_ENABLE=true in your template.";

/// The exact-path handler for every standard method when the containers API is not mounted.
pub async fn gate(State(state): State<AppState>) -> Response {
    if state.scenario().is_sub_agent() {
        response::message(
            StatusCode::FORBIDDEN,
            NOT_SUPPORTED_MESSAGE,
            NOT_SUPPORTED_DETAIL,
        )
    } else {
        response::message(
            StatusCode::FORBIDDEN,
            NOT_ENABLED_MESSAGE,
            NOT_ENABLED_DETAIL,
        )
    }
}

/// The containers API mounted at `/api/v0/containers` (paths relative to the mount).
pub fn routes() -> Routes {
    Routes::new().get("/", list)
}

/// `GET /api/v0/containers`: the scenario's containers and devcontainers.
async fn list(State(state): State<AppState>) -> Response {
    let scenario = state.scenario();
    #[derive(serde::Serialize)]
    struct ListResponse<'a> {
        containers: &'a [serde_json::Value],
        devcontainers: &'a [serde_json::Value],
    }
    response::json(
        StatusCode::OK,
        &ListResponse {
            containers: &scenario.devcontainers.containers,
            devcontainers: &scenario.devcontainers.devcontainers,
        },
    )
}
