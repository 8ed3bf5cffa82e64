//! The `/debug/...` routes: logs, magicsock page, magicsock debug-logging toggle, manifest and
//! Prometheus metrics, with the content types Go gives them (mostly sniffed).

use crate::api_error::ApiError;
use crate::router::PathParams;
use crate::state::AppState;
use crate::{gojson, gostr, response};
use axum::extract::State;
use axum::response::Response;
use http::StatusCode;
use std::sync::atomic::Ordering;

/// `/debug/logs` sends at most the first 10 MiB of the log file.
pub const MAX_LOG_BYTES: usize = 10 * 1024 * 1024;

/// The 500 body for a missing log file is `LOG_OPEN_FAILED`, the path, `LOG_MISSING`.
pub const LOG_OPEN_FAILED: &str = "could not open log file: open ";
pub const LOG_MISSING: &str = ": no such file or directory";

pub async fn logs(State(state): State<AppState>) -> Response {
    let scenario = state.scenario();
    match scenario.debug.log_bytes() {
        None => response::sniffed(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("{LOG_OPEN_FAILED}{}{LOG_MISSING}", scenario.debug.log_path),
        ),
        Some(bytes) => {
            let body = bytes[..bytes.len().min(MAX_LOG_BYTES)].to_vec();
            response::sniffed(StatusCode::OK, body)
        }
    }
}

pub async fn magicsock(State(state): State<AppState>) -> Response {
    let scenario = state.scenario();
    response::bytes_with_type(
        StatusCode::OK,
        scenario.debug.magicsock.clone(),
        Some("text/html; charset=utf-8"),
    )
}

/// Go's `strconv.ParseBool`.
pub fn parse_go_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

pub async fn magicsock_debug_logging(
    State(state): State<AppState>,
    params: PathParams,
) -> Result<Response, ApiError> {
    let raw = params.get("state").unwrap_or_default();
    let on = parse_go_bool(raw).ok_or_else(|| {
        // Quoted as Go holds the path parameter: bytes that are not UTF-8 print as `\xNN`.
        let go_raw = params.get_bytes("state").unwrap_or_default();
        let invalid = format!(
            "invalid state {}, must be a boolean",
            gostr::quote_bytes(go_raw)
        );
        ApiError::from(response::sniffed(StatusCode::BAD_REQUEST, invalid))
    })?;
    state.magicsock_debug_logging().store(on, Ordering::Relaxed);
    tracing::info!(enabled = on, "updated magicsock debug logging");
    let updated = format!("updated magicsock debug logging to {on}");
    Ok(response::sniffed(StatusCode::OK, updated))
}

pub async fn manifest(State(state): State<AppState>) -> Response {
    let scenario = state.scenario();
    response::sniffed(StatusCode::OK, gojson::to_vec(&scenario.manifest))
}

pub async fn prometheus(State(state): State<AppState>) -> Response {
    response::bytes_with_type(StatusCode::OK, state.metrics().render(), Some("text/plain"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_bool_accepts_go_spellings_only() {
        for t in ["1", "t", "T", "TRUE", "true", "True"] {
            assert_eq!(parse_go_bool(t), Some(true));
        }
        for f in ["0", "f", "F", "FALSE", "false", "False"] {
            assert_eq!(parse_go_bool(f), Some(false));
        }
        for bad in ["", "yes", "tRUE", "blah", "2"] {
            assert_eq!(parse_go_bool(bad), None);
        }
    }
}
