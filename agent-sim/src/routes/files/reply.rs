//! What the files handlers share: the agent's error bodies, the request-body reader and the
//! temp-file suffix.

use crate::api_error::ApiError;
use crate::files::errno::Errno;
use axum::body::Body;
use http::StatusCode;

/// `httpapi.Write(status, codersdk.Response{Message: msg})`.
pub(super) fn msg(status: StatusCode, message: &str) -> ApiError {
    ApiError::message(status, message)
}

/// 400 `Request body must be valid JSON.` with the Go decoder's error as detail.
pub(super) fn bad_json(detail: &str) -> ApiError {
    ApiError::bad_json(detail)
}

/// The agent's status for an OS error: ENOENT 404, EACCES 403, anything else 500.
pub(super) fn os_status(e: &Errno) -> StatusCode {
    match e {
        Errno::NotFound => StatusCode::NOT_FOUND,
        Errno::PermissionDenied => StatusCode::FORBIDDEN,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The whole request body; an error while receiving it is kept as Go-ish text.
pub(super) async fn read_body(body: Body) -> Result<bytes::Bytes, String> {
    axum::body::to_bytes(body, usize::MAX)
        .await
        .map_err(|e| e.to_string())
}

/// The 8 hex characters of a temp file name (first 8 of a random UUIDv4).
pub(super) fn temp_suffix() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..8].to_string()
}
