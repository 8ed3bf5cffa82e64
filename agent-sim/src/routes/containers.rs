//! `/api/v0/containers`: the gate the agent installs when Dev Containers are off (403 "not
//! supported" for sub-agents, 403 "not enabled" otherwise, exact path only), and the mounted
//! containers API when they are on (`containers.md` §2-§6): list, watch, recreate, delete.

mod handshake;

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
async fn closed(state: &AppState) -> Option<Response> {
    (!state.containers().ready().await).then(|| {
        response::message(
            StatusCode::SERVICE_UNAVAILABLE,
            API_CLOSED_MESSAGE,
            API_CLOSED_DETAIL,
        )
    })
}

/// `GET /`: the list, or 500 "Could not get containers" with the lister's error.
async fn list(State(state): State<AppState>) -> Response {
    if let Some(r) = closed(&state).await {
        return r;
    }
    match state.containers().snapshot() {
        Ok(list) => response::json(StatusCode::OK, &list),
        Err(e) => response::message(StatusCode::INTERNAL_SERVER_ERROR, LIST_FAILED_MESSAGE, &e),
    }
}

/// `GET /watch`: the websocket, or the library's refusal followed by the handler's JSON.
async fn watch(State(state): State<AppState>, req: Request) -> Response {
    if let Some(r) = closed(&state).await {
        return r;
    }
    let (mut parts, _body) = req.into_parts();
    if let Err(rejection) = handshake::verify(&parts) {
        return handshake::refuse(&rejection);
    }
    let Ok(ws) = WebSocketUpgrade::from_request_parts(&mut parts, &state).await else {
        // No connection to take over (e.g. a request served without a socket).
        return handshake::refuse_not_hijackable();
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
    resp
}

/// The server reads no data; anything bigger than this closes the socket.
const MAX_INCOMING: usize = 32 << 10;
/// A socket whose reader stalls holds at most this much beyond one list.
const MAX_WRITE_BUFFER: usize = 4 << 20;

fn not_found(id: &str) -> Response {
    response::message(
        StatusCode::NOT_FOUND,
        "Devcontainer not found.",
        &format!(
            "Could not find devcontainer with ID: {}",
            crate::gostr::quote(id)
        ),
    )
}

/// `POST /devcontainers/{devcontainer}/recreate`.
async fn recreate(State(state): State<AppState>, params: PathParams) -> Response {
    if let Some(r) = closed(&state).await {
        return r;
    }
    let id = params.get("devcontainer").unwrap_or_default();
    match state.containers().recreate(id) {
        Ok(plan) => response::message(
            StatusCode::ACCEPTED,
            "Devcontainer recreation initiated",
            &format!(
                "Recreation process for devcontainer {} has started.",
                crate::gostr::quote(&plan.name)
            ),
        ),
        Err(Refusal::MissingId) => response::message(
            StatusCode::BAD_REQUEST,
            "Missing devcontainer ID",
            "Devcontainer ID is required to recreate a devcontainer.",
        ),
        Err(Refusal::NotFound(id)) => not_found(&id),
        Err(Refusal::Transitioning { name, status }) => response::message(
            StatusCode::CONFLICT,
            "Unable to recreate transitioning devcontainer",
            &format!(
                "Devcontainer {} is currently {} and cannot be restarted.",
                crate::gostr::quote(&name),
                status.as_str()
            ),
        ),
    }
}

/// `DELETE /devcontainers/{devcontainer}` (trailing `/` optional): waits for the end.
async fn delete(State(state): State<AppState>, params: PathParams) -> Response {
    if let Some(r) = closed(&state).await {
        return r;
    }
    let id = params.get("devcontainer").unwrap_or_default();
    match state.containers().delete(id).await {
        Ok(()) => no_content(),
        Err(DeleteError::Refused(Refusal::MissingId)) => response::message(
            StatusCode::BAD_REQUEST,
            "Missing devcontainer ID",
            "Devcontainer ID is required to delete a devcontainer.",
        ),
        Err(DeleteError::Refused(Refusal::NotFound(id))) => not_found(&id),
        Err(DeleteError::Refused(Refusal::Transitioning { name, status })) => response::message(
            StatusCode::CONFLICT,
            "Unable to delete transitioning devcontainer",
            &format!(
                "Devcontainer {} is currently {} and cannot be deleted.",
                crate::gostr::quote(&name),
                status.as_str()
            ),
        ),
        Err(DeleteError::Failed(f)) => {
            let message = match f.step {
                FailingStep::Stop => "An error occurred stopping the container",
                FailingStep::Remove => "An error occurred removing the container",
                FailingStep::AgentDelete | FailingStep::Recreate => {
                    "An error occurred deleting the agent"
                }
            };
            response::message(StatusCode::INTERNAL_SERVER_ERROR, message, &f.error)
        }
        Err(DeleteError::Closed) => response::message(
            StatusCode::SERVICE_UNAVAILABLE,
            API_CLOSED_MESSAGE,
            API_CLOSED_DETAIL,
        ),
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
