//! `/api/v0/processes`: start, list, output and signal processes, with the agent's statuses,
//! messages and checking order (`processes.md` §3). Bodies are decoded as Go's
//! `json.Decoder` would; process output goes on the wire as Go encodes a byte string.

use crate::api_error::ApiError;
use crate::godecode::{self, for_each_field, DecodeError, Fill};
use crate::gojson::json_string;
use crate::gostr::{quote, quote_bytes};
use crate::gourl::Values;
use crate::processes::{ProcessInfo, Signal, SignalError, Snapshot, StartRequest, MAX_WAIT};
use crate::response::{self, JSON_CONTENT_TYPE};
use crate::router::{PathParams, Routes};
use crate::scenario::Scenario;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::State;
use axum::response::Response;
use http::{HeaderMap, StatusCode, Uri};
use serde::Serialize;
use std::mem::take;

/// The process API mounted at `/api/v0/processes` (paths relative to the mount).
pub fn routes() -> Routes<AppState> {
    Routes::new()
        .post("/start", start)
        .get("/list", list)
        .get("/{id}/output", output)
        .post("/{id}/signal", signal)
}

/// The chat-header middleware's context: the canonical `Coder-Chat-Id`, when chat scoping is
/// on and the header parses as a UUID.
fn chat_context(scenario: &Scenario, headers: &HeaderMap) -> Option<String> {
    if !scenario.processes.chat_scoping {
        return None;
    }
    let raw = headers.get("coder-chat-id")?.to_str().ok()?;
    uuid::Uuid::parse_str(raw.trim())
        .ok()
        .map(|u| u.hyphenated().to_string())
}

async fn read_body(body: Body) -> Result<bytes::Bytes, DecodeError> {
    axum::body::to_bytes(body, usize::MAX)
        .await
        .map_err(|_| DecodeError("unexpected EOF".into()))
}

/// 400 `Request body must be valid JSON.` with the decoder's error.
fn bad_json(err: DecodeError) -> ApiError {
    ApiError::bad_json(err.0)
}

/// `Process %q not found.`, the id quoted as Go holds it (path bytes that are not UTF-8 print
/// as `\xNN`).
fn not_found(id: &[u8]) -> ApiError {
    ApiError::message(
        StatusCode::NOT_FOUND,
        format!("Process {} not found.", quote_bytes(id)),
    )
}

/// `workspacesdk.StartProcessRequest`.
fn decode_start(body: &[u8]) -> Result<StartRequest, DecodeError> {
    const STRUCT: &str = "StartProcessRequest";
    let v = godecode::parse(body)?;
    let mut f = Fill::default();
    let mut req = StartRequest::default();
    let members = f.top_level(&v, "workspacesdk.StartProcessRequest");
    let fields = ["command", "workdir", "env", "background"];
    // `null` and type errors leave a field as it was (`Option::None`).
    for_each_field(members, &fields, |name, v| match name {
        "command" => req.command = f.string(v, STRUCT, name).unwrap_or(take(&mut req.command)),
        "workdir" => req.workdir = f.string(v, STRUCT, name).unwrap_or(take(&mut req.workdir)),
        "env" => f.string_map_into(&mut req.env, v, STRUCT, name),
        _ => req.background = f.bool(v, STRUCT, name).unwrap_or(req.background),
    });
    f.finish(req)
}

/// `workspacesdk.SignalProcessRequest`: the signal name.
fn decode_signal(body: &[u8]) -> Result<String, DecodeError> {
    let v = godecode::parse(body)?;
    let mut f = Fill::default();
    let mut signal = String::new();
    let members = f.top_level(&v, "workspacesdk.SignalProcessRequest");
    for_each_field(members, &["signal"], |name, v| {
        if let Some(s) = f.string(v, "SignalProcessRequest", name) {
            signal = s;
        }
    });
    f.finish(signal)
}

#[derive(Serialize)]
struct StartProcessResponse<'a> {
    id: &'a str,
    started: bool,
}

async fn start(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let scenario = state.scenario();
    let req = read_body(body)
        .await
        .and_then(|b| decode_start(&b))
        .map_err(bad_json)?;
    if req.command.is_empty() {
        return Err(ApiError::message(
            StatusCode::BAD_REQUEST,
            "Command is required.",
        ));
    }
    let chat = chat_context(&scenario, &headers);
    let id = state
        .processes()
        .start(&scenario, req, chat)
        .await
        .map_err(|e| {
            ApiError::detail(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Failed to start process.",
                e.to_string(),
            )
        })?;
    let started = StartProcessResponse {
        id: &id,
        started: true,
    };
    Ok(response::json(StatusCode::OK, &started))
}

#[derive(Serialize)]
struct ListProcessesResponse {
    processes: Vec<ProcessInfo>,
}

async fn list(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let scenario = state.scenario();
    let chat = chat_context(&scenario, &headers);
    let processes = state.processes().list(chat.as_deref());
    response::json(StatusCode::OK, &ListProcessesResponse { processes })
}

/// `ProcessOutputResponse` as Go encodes it; the output bytes may be invalid UTF-8.
pub fn output_body(snap: &Snapshot) -> Vec<u8> {
    let mut out = Vec::with_capacity(snap.output.text.len() + 128);
    out.extend_from_slice(b"{\"output\":");
    json_string(&snap.output.text, &mut out);
    if let Some(t) = &snap.output.truncation {
        out.extend_from_slice(b",\"truncated\":");
        out.extend_from_slice(&crate::gojson::to_vec_compact(t));
    }
    out.extend_from_slice(format!(",\"running\":{}", snap.running).as_bytes());
    if let Some(code) = snap.exit_code {
        out.extend_from_slice(format!(",\"exit_code\":{code}").as_bytes());
    }
    out.extend_from_slice(b"}\n");
    out
}

async fn output(
    State(state): State<AppState>,
    params: PathParams,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, ApiError> {
    let scenario = state.scenario();
    let id = params.get("id").unwrap_or_default().to_string();
    let go_id = params.get_bytes("id").unwrap_or_default();
    let chat = chat_context(&scenario, &headers);
    let proc = state.processes().get(&id).ok_or_else(|| not_found(go_id))?;
    if let (Some(chat), Some(owner)) = (chat.as_deref(), proc.chat_id()) {
        if chat != owner {
            return Err(not_found(go_id));
        }
    }
    if Values::parse(uri.query().unwrap_or_default()).get("wait") == Some("true") {
        proc.wait_exit(MAX_WAIT).await;
    }
    let snap = proc.snapshot();
    let body = output_body(&snap);
    Ok(response::bytes_with_type(
        StatusCode::OK,
        body,
        Some(JSON_CONTENT_TYPE),
    ))
}

async fn signal(
    State(state): State<AppState>,
    params: PathParams,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let scenario = state.scenario();
    let id = params.get("id").unwrap_or_default().to_string();
    let go_id = params.get_bytes("id").unwrap_or_default();
    // 1. A foreign chat's process is hidden, before the body is read.
    if let Some(chat) = chat_context(&scenario, &headers) {
        if let Some(proc) = state.processes().get(&id) {
            if proc.chat_id().is_some_and(|owner| owner != chat) {
                return Err(not_found(go_id));
            }
        }
    }
    // 2–4. The body.
    let name = read_body(body)
        .await
        .and_then(|b| decode_signal(&b))
        .map_err(bad_json)?;
    if name.is_empty() {
        return Err(ApiError::message(
            StatusCode::BAD_REQUEST,
            "Signal is required.",
        ));
    }
    let sig = Signal::parse(&name).ok_or_else(|| {
        ApiError::message(
            StatusCode::BAD_REQUEST,
            format!(
                "Unsupported signal {}. Use \"kill\" or \"terminate\".",
                quote(&name)
            ),
        )
    })?;
    // 5–8. The process.
    state.processes().signal(&id, sig).map_err(|e| match e {
        SignalError::NotFound => not_found(go_id),
        SignalError::NotRunning => ApiError::message(
            StatusCode::CONFLICT,
            format!("Process {} is not running.", quote_bytes(go_id)),
        ),
        SignalError::Os(detail) => ApiError::detail(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Failed to signal process.",
            detail,
        ),
    })?;
    let sent = format!(
        "Signal {} sent to process {}.",
        quote(&name),
        quote_bytes(go_id)
    );
    Ok(response::message(StatusCode::OK, &sent, ""))
}
