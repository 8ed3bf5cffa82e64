//! `POST /api/v0/write-file`: resolve symlinks, `mkdir -p` the parent (0755), write the body
//! atomically (temp file + rename in the same directory, old mode kept).

use super::query::{Parser, Values};
use crate::api_error::ApiError;
use crate::files::errno::Errno;
use crate::files::ops;
use crate::files::resolve::require_absolute;
use crate::files::resolve::resolve_path;
use crate::files::tree::Tree;
use crate::files::vpath;
use crate::gostr;
use crate::state::AppState;
use crate::with_tree;
use axum::extract::{RawQuery, Request, State};
use axum::response::Response;
use http::StatusCode;

pub async fn write_file(
    State(state): State<AppState>,
    RawQuery(q): RawQuery,
    req: Request,
) -> Result<Response, ApiError> {
    let vals = Values::parse(q.as_deref().unwrap_or_default());
    let mut p = Parser::new(&vals);
    let path = p.string("path", true);
    p.finish()?;
    let go_path = vals.get_bytes("path").unwrap_or_default();
    require_absolute(go_path)
        .map_err(|e| super::reply::msg(StatusCode::BAD_REQUEST, &e.to_string()))?;
    let body = super::reply::read_body(req.into_body()).await;
    let suffix = super::reply::temp_suffix();
    let outcome = with_tree!(state.files(), |t| write(t, &path, body.as_ref(), &suffix));
    outcome.map_err(|(status, m)| super::reply::msg(status, &m))?;
    let wrote = format!("Successfully wrote to {}", gostr::quote_bytes(go_path));
    Ok(crate::response::message(StatusCode::OK, &wrote, ""))
}

/// Steps 3–9 of the handler on one backend.
fn write<T: Tree>(
    t: &mut T,
    path: &str,
    body: Result<&bytes::Bytes, &String>,
    suffix: &str,
) -> Result<(), (StatusCode, String)> {
    let resolved = resolve_path(t, path).map_err(|e| {
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("resolve symlink {}: {e}", gostr::quote(path)),
        )
    })?;
    ops::mkdir_all(t, &vpath::dir(&resolved), 0o755).map_err(|e| {
        let status = match e.err {
            Errno::PermissionDenied => StatusCode::FORBIDDEN,
            Errno::NotADirectory => StatusCode::BAD_REQUEST,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        (status, e.to_string())
    })?;
    let data = body.map_err(|e| {
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("write {resolved}: {e}"),
        )
    })?;
    ops::write_atomic(t, &resolved, data, suffix).map_err(|e| {
        (
            StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            e.to_string(),
        )
    })
}
