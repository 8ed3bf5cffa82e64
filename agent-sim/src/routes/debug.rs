//! The `/debug/...` routes: logs, magicsock page, magicsock debug-logging toggle, manifest and
//! Prometheus metrics, with the content types Go gives them (mostly sniffed).

use crate::api_error::ApiError;
use crate::router::PathParams;
use crate::state::AppState;
use crate::{gohttp, gojson, gostr, response};
use axum::extract::State;
use axum::response::Response;
use http::{StatusCode, Uri};
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
    uri: Uri,
    params: PathParams,
) -> Result<Response, ApiError> {
    let raw = params.get("state").unwrap_or_default();
    let on = parse_go_bool(raw).ok_or_else(|| {
        let invalid = format!(
            "invalid state {}, must be a boolean",
            gostr::quote_bytes(&state_bytes(&uri, raw))
        );
        ApiError::from(response::sniffed(StatusCode::BAD_REQUEST, invalid))
    })?;
    state.magicsock_debug_logging().store(on, Ordering::Relaxed);
    tracing::info!(enabled = on, "updated magicsock debug logging");
    let updated = format!("updated magicsock debug logging to {on}");
    Ok(response::sniffed(StatusCode::OK, updated))
}

/// The `{state}` segment as Go's chi sees it: the last segment of the routing path, whose bytes
/// may be invalid UTF-8 (`%FF` → 0xFF, quoted `\xff`); `param` when the path cannot be read.
fn state_bytes(uri: &Uri, param: &str) -> Vec<u8> {
    gohttp::routing_path_bytes(uri.path())
        .and_then(|p| p.rsplit(|b| *b == b'/').next().map(<[u8]>::to_vec))
        .unwrap_or_else(|| param.as_bytes().to_vec())
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

    #[test]
    fn invalid_state_keeps_go_bytes() {
        let state = |path: &str| {
            let uri: Uri = path.parse().expect("uri");
            gostr::quote_bytes(&state_bytes(&uri, "?"))
        };
        // `%FF` is canonical: Go's URL.Path holds the byte itself, %q shows `\xff`.
        assert_eq!(state("/debug/magicsock/debug-logging/%FF"), "\"\\xff\"");
        // `%74` is not canonical: chi routes on RawPath, the escape stays.
        assert_eq!(state("/debug/magicsock/debug-logging/%74rue"), "\"%74rue\"");
        assert_eq!(state("/debug/magicsock/debug-logging/a%22b"), "\"a\\\"b\"");
        assert_eq!(
            state("/debug/magicsock/debug-logging/%E2%80%A8"),
            "\"\\u2028\""
        );
    }
}
