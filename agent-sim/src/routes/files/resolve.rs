//! `GET /api/v0/resolve-path`: `resolvePath` of `?path=`; a missing file is fine.

use super::query::{Parser, Values};
use crate::api_error::ApiError;
use crate::files::resolve::{require_absolute, resolve_path as resolve, ResolveError};
use crate::response;
use crate::state::AppState;
use crate::with_tree;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use http::StatusCode;
use serde::Serialize;

#[derive(Serialize)]
struct ResolvePathResponse {
    resolved_path: String,
}

pub async fn resolve_path(
    State(state): State<AppState>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    let vals = Values::parse(q.as_deref().unwrap_or_default());
    let mut p = Parser::new(&vals);
    let path = p.string("path", true);
    p.finish()?;
    // The absolute check sees the value's bytes as Go holds them (its message quotes them).
    let result = match require_absolute(vals.get_bytes("path").unwrap_or_default()) {
        Ok(()) => with_tree!(state.files(), |t| resolve(t, &path)),
        Err(e) => Err(e),
    };
    let resolved_path = result.map_err(|e| {
        let status = match &e {
            ResolveError::NotAbsolute(_) => StatusCode::BAD_REQUEST,
            e if e.is_permission() => StatusCode::FORBIDDEN,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        super::reply::msg(status, &e.to_string())
    })?;
    Ok(response::json(
        StatusCode::OK,
        &ResolvePathResponse { resolved_path },
    ))
}
