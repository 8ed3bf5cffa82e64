//! The files API mounted at `/api/v0`: list-directory, resolve-path, read-file,
//! read-file-lines, write-file, edit-files. Its catch-all answers every unknown `/api/v0/...`
//! (the router's 404/405 rules). Each handler lives in its own submodule; query parsing
//! (`httpapi.QueryParamParser`) and JSON bodies (`httpapi.Read`) are shared here.

mod edit;
mod list;
mod query;
mod read;
mod read_lines;
mod resolve;
mod write;

use crate::files::errno::Errno;
use crate::response;
use crate::router::Routes;
use axum::body::Body;
use axum::response::Response;
use http::StatusCode;

/// The files API mounted at `/api/v0` (paths relative to the mount).
pub fn routes() -> Routes {
    Routes::new()
        .post("/list-directory", list::list_directory)
        .get("/resolve-path", resolve::resolve_path)
        .get("/read-file", read::read_file)
        .get("/read-file-lines", read_lines::read_file_lines)
        .post("/write-file", write::write_file)
        .post("/edit-files", edit::edit_files)
}

/// `httpapi.Write(status, codersdk.Response{Message: msg})`.
fn msg(status: StatusCode, message: &str) -> Response {
    response::message(status, message, "")
}

/// 400 `Request body must be valid JSON.` with the Go decoder's error as detail.
fn bad_json(detail: &str) -> Response {
    response::message(
        StatusCode::BAD_REQUEST,
        "Request body must be valid JSON.",
        detail,
    )
}

/// The agent's status for an OS error: ENOENT 404, EACCES 403, anything else 500.
fn os_status(e: &Errno) -> StatusCode {
    match e {
        Errno::NotFound => StatusCode::NOT_FOUND,
        Errno::PermissionDenied => StatusCode::FORBIDDEN,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The whole request body; an error while receiving it is kept as Go-ish text.
async fn read_body(body: Body) -> Result<bytes::Bytes, String> {
    axum::body::to_bytes(body, usize::MAX)
        .await
        .map_err(|e| e.to_string())
}

/// The 8 hex characters of a temp file name (first 8 of a random UUIDv4).
fn temp_suffix() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..8].to_string()
}
