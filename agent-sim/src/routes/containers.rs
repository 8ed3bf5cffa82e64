//! `/api/v0/containers`: the gate the agent installs when Dev Containers are off (403 "not
//! supported" for sub-agents, 403 "not enabled" otherwise, exact path only), and the mounted
//! containers API when they are on (`containers.md` §2-§6): list, watch, recreate, delete.

mod handshake;

use crate::api_error::ApiError;
use crate::containers::state::Refusal;
use crate::containers::{watch as watch_socket, DeleteError};
use crate::response;
use crate::router::{PathParams, Routes};
use crate::scenario::containers::FailingStep;
use crate::state::AppState;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{FromRequestParts, Request, State};
use axum::response::Response;
use http::{HeaderValue, StatusCode};

pub const NOT_SUPPORTED_MESSAGE: &str = "Dev Container feature not supported.";
pub const NOT_SUPPORTED_DETAIL: &str =
    "Dev Container integration inside other Dev Containers is explicitly not supported.";
/// The message of the 500 a failing lister answers (its error is the `detail`).
pub const LIST_FAILED_MESSAGE: &str = "Could not get containers";
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

/// The containers API mounted at `/api/v0/containers` (paths relative to the mount). chi's
/// `Route("/devcontainers/{devcontainer}", ...)` sub-router is spelled out: its DELETE `/`
/// answers with and without the trailing slash.
pub fn routes() -> Routes<AppState> {
    Routes::new()
        .get("/", list)
        .get("/watch", watch)
        .post("/devcontainers/{devcontainer}/recreate", recreate)
        .delete("/devcontainers/{devcontainer}", delete)
        .delete("/devcontainers/{devcontainer}/", delete)
}

pub const API_CLOSED_MESSAGE: &str = "API closed";
pub const API_CLOSED_DETAIL: &str = "The API is closed and cannot process requests.";

/// `ensureInitialUpdateDoneMW`: waits for the simulated first refresh, 503 once the API is
/// closed. (The agent applies it to the sub-router's 404/405 too; here the central router
/// answers those without waiting.)
async fn ready(state: &AppState) -> Result<(), ApiError> {
    if state.containers().ready().await {
        Ok(())
    } else {
        Err(api_closed())
    }
}

/// 503 `API closed`.
fn api_closed() -> ApiError {
    ApiError::detail(
        StatusCode::SERVICE_UNAVAILABLE,
        API_CLOSED_MESSAGE,
        API_CLOSED_DETAIL,
    )
}

/// `GET /`: the list, or 500 "Could not get containers" with the lister's error.
async fn list(State(state): State<AppState>) -> Result<Response, ApiError> {
    ready(&state).await?;
    let list = state
        .containers()
        .snapshot()
        .map_err(|e| ApiError::detail(StatusCode::INTERNAL_SERVER_ERROR, LIST_FAILED_MESSAGE, e))?;
    Ok(response::json(StatusCode::OK, &list))
}

/// `GET /watch`: the websocket, or the library's refusal followed by the handler's JSON.
async fn watch(State(state): State<AppState>, req: Request) -> Result<Response, ApiError> {
    ready(&state).await?;
    let (mut parts, _body) = req.into_parts();
    handshake::verify(&parts).map_err(|rejection| handshake::refuse(&rejection))?;
    let Ok(ws) = WebSocketUpgrade::from_request_parts(&mut parts, &state).await else {
        // No connection to take over (e.g. a request served without a socket).
        return Err(handshake::refuse_not_hijackable().into());
    };
    let store = state.containers().clone();
    let mut resp = ws
        .max_message_size(MAX_INCOMING)
        .max_frame_size(MAX_INCOMING)
        .max_write_buffer_size(MAX_WRITE_BUFFER)
        .on_upgrade(move |socket| watch_socket::serve(store, socket));
    resp.headers_mut().insert(
        http::header::CONNECTION,
        HeaderValue::from_static("Upgrade"),
    );
    Ok(resp)
}

/// The server reads no data; anything bigger than this closes the socket.
const MAX_INCOMING: usize = 32 << 10;
/// A socket whose reader stalls holds at most this much beyond one list.
const MAX_WRITE_BUFFER: usize = 4 << 20;

/// 404 for the `{devcontainer}` path parameter, quoted as Go holds it (bytes that are not
/// UTF-8 print as `\xNN`).
fn not_found(id: &[u8]) -> ApiError {
    ApiError::detail(
        StatusCode::NOT_FOUND,
        "Devcontainer not found.",
        format!(
            "Could not find devcontainer with ID: {}",
            crate::gostr::quote_bytes(id)
        ),
    )
}

/// `POST /devcontainers/{devcontainer}/recreate`.
async fn recreate(State(state): State<AppState>, params: PathParams) -> Result<Response, ApiError> {
    ready(&state).await?;
    let id = params.get("devcontainer").unwrap_or_default();
    let go_id = params.get_bytes("devcontainer").unwrap_or_default();
    let plan = state
        .containers()
        .recreate(id)
        .map_err(|refusal| match refusal {
            Refusal::MissingId => ApiError::detail(
                StatusCode::BAD_REQUEST,
                "Missing devcontainer ID",
                "Devcontainer ID is required to recreate a devcontainer.",
            ),
            Refusal::NotFound => not_found(go_id),
            Refusal::Transitioning { name, status } => ApiError::detail(
                StatusCode::CONFLICT,
                "Unable to recreate transitioning devcontainer",
                format!(
                    "Devcontainer {} is currently {} and cannot be restarted.",
                    crate::gostr::quote(&name),
                    status.as_str()
                ),
            ),
        })?;
    let started = format!(
        "Recreation process for devcontainer {} has started.",
        crate::gostr::quote(&plan.name)
    );
    let initiated = "Devcontainer recreation initiated";
    Ok(response::message(StatusCode::ACCEPTED, initiated, &started))
}

/// `DELETE /devcontainers/{devcontainer}` (trailing `/` optional): waits for the end.
async fn delete(State(state): State<AppState>, params: PathParams) -> Result<Response, ApiError> {
    ready(&state).await?;
    let id = params.get("devcontainer").unwrap_or_default();
    let go_id = params.get_bytes("devcontainer").unwrap_or_default();
    let deleted = state.containers().delete(id).await;
    deleted.map_err(|e| delete_error(e, go_id))?;
    Ok(no_content())
}

/// The agent's answer to a delete of `go_id` (the path parameter's bytes) that did not happen.
fn delete_error(e: DeleteError, go_id: &[u8]) -> ApiError {
    match e {
        DeleteError::Refused(Refusal::MissingId) => ApiError::detail(
            StatusCode::BAD_REQUEST,
            "Missing devcontainer ID",
            "Devcontainer ID is required to delete a devcontainer.",
        ),
        DeleteError::Refused(Refusal::NotFound) => not_found(go_id),
        DeleteError::Refused(Refusal::Transitioning { name, status }) => ApiError::detail(
            StatusCode::CONFLICT,
            "Unable to delete transitioning devcontainer",
            format!(
                "Devcontainer {} is currently {} and cannot be deleted.",
                crate::gostr::quote(&name),
                status.as_str()
            ),
        ),
        DeleteError::Failed(f) => {
            let message = match f.step {
                FailingStep::Stop => "An error occurred stopping the container",
                FailingStep::Remove => "An error occurred removing the container",
                FailingStep::AgentDelete | FailingStep::Recreate => {
                    "An error occurred deleting the agent"
                }
            };
            ApiError::detail(StatusCode::INTERNAL_SERVER_ERROR, message, f.error)
        }
        DeleteError::Closed => api_closed(),
    }
}

/// `httpapi.Write(ctx, w, 204, nil)`: the JSON content type, no body.
fn no_content() -> Response {
    let mut resp = Response::new(axum::body::Body::empty());
    *resp.status_mut() = StatusCode::NO_CONTENT;
    resp.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static(response::JSON_CONTENT_TYPE),
    );
    resp
}
