//! `POST /api/v0/list-directory`: the directory from `?path=` (verbatim) or the body's
//! components relative to `/` or `$HOME`; directories first, then files, by name bytes.

use super::query::{Parser, Values};
use crate::api_error::ApiError;
use crate::files::errno::PathError;
use crate::files::ops::{self, Opened};
use crate::files::vpath;
use crate::godecode::{self, for_each_field, DecodeError, Fill};
use crate::gostr;
use crate::response;
use crate::state::AppState;
use crate::with_tree;
use axum::extract::{RawQuery, Request, State};
use axum::response::Response;
use http::StatusCode;
use serde::Serialize;

/// `workspacesdk.LSRequest`.
#[derive(Debug, Default)]
struct LsRequest {
    path: Vec<String>,
    relativity: String,
}

/// `workspacesdk.LSRequest`.
fn decode(body: &[u8]) -> Result<LsRequest, DecodeError> {
    let v = godecode::parse(body)?;
    let mut f = Fill::default();
    let mut req = LsRequest::default();
    let members = f.top_level(&v, "workspacesdk.LSRequest");
    for_each_field(members, &["path", "relativity"], |name, x| match name {
        "path" => {
            req.path = f.list(x, "LSRequest", "path", "[]string", |f, item| {
                f.string(item, "LSRequest", "path").unwrap_or_default()
            })
        }
        _ => {
            let ty = "workspacesdk.LSRelativity";
            if let Some(r) = f.string_as(x, "LSRequest", "relativity", ty) {
                req.relativity = r;
            }
        }
    });
    f.finish(req)
}

#[derive(Serialize)]
struct LsFile {
    name: String,
    absolute_path_string: String,
    is_dir: bool,
}

#[derive(Serialize)]
struct LsResponse {
    absolute_path: Vec<String>,
    absolute_path_string: String,
    contents: Vec<LsFile>,
}

pub async fn list_directory(
    State(state): State<AppState>,
    RawQuery(q): RawQuery,
    req: Request,
) -> Result<Response, ApiError> {
    let vals = Values::parse(q.as_deref().unwrap_or_default());
    let mut p = Parser::new(&vals);
    let query_path = p.string("path", false);
    p.finish()?;
    let raw = super::reply::read_body(req.into_body())
        .await
        .map_err(|e| super::reply::bad_json(&e))?;
    let ls = decode(&raw).map_err(|e| super::reply::bad_json(&e.0))?;
    let go_path = vals.get_bytes("path").unwrap_or_default();
    let dir = directory(&state, (query_path, go_path), &ls)?;
    let internal = |m: String| super::reply::msg(StatusCode::INTERNAL_SERVER_ERROR, &m);
    let nothing = |_: &crate::files::tree::Meta| (0, 0);
    let listed = with_tree!(state.files(), |t| match ops::open(t, &dir, &nothing) {
        Ok(Opened::Dir(d, _)) => Ok(Some(ops::list(t, &d).unwrap_or_default())),
        Ok(Opened::File(_)) => Ok(None),
        Err(e) => Err(e),
    });
    let mut entries = match listed {
        Err(e) => {
            return Err(super::reply::msg(
                super::reply::os_status(&e),
                &format!(
                    "failed to open directory {}: {}",
                    gostr::quote(&dir),
                    PathError::new("open", dir.as_str(), e)
                ),
            ))
        }
        Ok(None) => {
            return Err(internal(format!(
                "path {} is not a directory",
                gostr::quote(&dir)
            )))
        }
        Ok(Some(entries)) => entries,
    };
    entries.sort_by(|(an, ad), (bn, bd)| bd.cmp(ad).then_with(|| an.as_bytes().cmp(bn.as_bytes())));
    let contents = entries
        .into_iter()
        .map(|(name, is_dir)| LsFile {
            absolute_path_string: vpath::join(&[dir.as_str(), name.as_str()]),
            name,
            is_dir,
        })
        .collect();
    let absolute_path = dir
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let listing = LsResponse {
        absolute_path,
        absolute_path_string: dir,
        contents,
    };
    Ok(response::json(StatusCode::OK, &listing))
}

/// The directory to list: `?path=` when given (absolute), else `path` under `relativity`.
/// `query_path` comes as text and as Go holds it (its bytes, quoted in the error).
fn directory(
    state: &AppState,
    (query_path, go_path): (String, &[u8]),
    ls: &LsRequest,
) -> Result<String, ApiError> {
    let internal = |m: String| super::reply::msg(StatusCode::INTERNAL_SERVER_ERROR, &m);
    if !query_path.is_empty() {
        if !vpath::is_abs(&query_path) {
            return Err(internal(format!(
                "path must be absolute: {}",
                gostr::quote_bytes(go_path)
            )));
        }
        return Ok(query_path);
    }
    let base = match ls.relativity.as_str() {
        "root" => "/".to_string(),
        "home" => state.files().home().ok_or_else(|| {
            internal("failed to get user home directory: $HOME is not defined".into())
        })?,
        other => {
            return Err(internal(format!(
                "unsupported relativity type {}",
                gostr::quote(other)
            )))
        }
    };
    let mut parts = vec![base];
    parts.extend(ls.path.iter().cloned());
    Ok(vpath::join(&parts))
}
