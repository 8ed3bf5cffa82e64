//! `GET /api/v0/read-file`: raw bytes from `offset` (at most `limit`), `Content-Type` from the
//! requested path's extension, an explicit `Content-Length`.

use super::query::{Parser, Values};
use crate::api_error::ApiError;
use crate::files::errno::PathError;
use crate::files::mime;
use crate::files::ops::{self, Opened};
use crate::files::resolve::require_absolute;
use crate::gohttp::ExplicitContentLength;
use crate::state::AppState;
use crate::with_tree;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use http::StatusCode;

pub async fn read_file(
    State(state): State<AppState>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    let vals = Values::parse(q.as_deref().unwrap_or_default());
    let mut p = Parser::new(&vals);
    let path = p.string("path", true);
    let offset = p.positive_i64("offset", 0) as u64;
    let limit = p.positive_i64("limit", 0) as u64;
    p.finish()?;
    require_absolute(vals.get_bytes("path").unwrap_or_default())
        .map_err(|e| super::reply::msg(StatusCode::BAD_REQUEST, &e.to_string()))?;
    let range = |m: &crate::files::tree::Meta| {
        let limit = if limit == 0 { m.size } else { limit };
        (offset, m.size.saturating_sub(offset).min(limit))
    };
    let opened = with_tree!(state.files(), |t| match ops::open(t, &path, &range) {
        Ok(Opened::File(f)) => Ok(Some(f.data)),
        Ok(Opened::Dir(..)) => Ok(None),
        Err(e) => Err(e),
    });
    let data = opened
        .map_err(|e| {
            super::reply::msg(
                super::reply::os_status(&e),
                &PathError::new("open", path.as_str(), e).to_string(),
            )
        })?
        .ok_or_else(|| {
            super::reply::msg(StatusCode::BAD_REQUEST, &format!("open {path}: not a file"))
        })?;
    {
        {
            let mut resp = crate::response::bytes_with_type(
                StatusCode::OK,
                data,
                Some(mime::content_type(&path)),
            );
            resp.extensions_mut().insert(ExplicitContentLength);
            Ok(resp)
        }
    }
}
