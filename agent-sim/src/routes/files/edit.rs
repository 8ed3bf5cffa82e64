//! `POST /api/v0/edit-files`: merge same-path entries, reject symlink aliases, compute every
//! file's new content before writing any (highest status, messages joined by `\n`), then
//! write each atomically; `{}` or, with `include_diff`, one unified diff per file.

use crate::api_error::ApiError;
use crate::files::diff;
use crate::files::errno::{Errno, PathError};
use crate::files::matcher::{fuzzy_replace, Edit};
use crate::files::ops::{self, Opened};
use crate::files::resolve::require_absolute;
use crate::files::resolve::resolve_path;
use crate::files::tree::Tree;
use crate::files::vpath;
use crate::godecode::{self, for_each_field, DecodeError, Fill, Value};
use crate::gostr;
use crate::response;
use crate::state::AppState;
use crate::with_tree;
use axum::extract::{Request, State};
use axum::response::Response;
use http::StatusCode;
use serde::Serialize;
use std::mem::take;

/// `workspacesdk.FileEdits`.
#[derive(Debug, Default, Clone)]
struct FileEdits {
    path: String,
    edits: Vec<Edit>,
}

/// `workspacesdk.FileEditRequest`.
#[derive(Debug, Default)]
struct FileEditRequest {
    files: Vec<FileEdits>,
    include_diff: bool,
}

fn fill_edit(f: &mut Fill, v: &Value) -> Edit {
    let mut e = Edit::default();
    let members = f.nested(v, "FileEdits", "files.edits", "workspacesdk.FileEdit");
    for_each_field(
        members,
        &["search", "replace", "replace_all"],
        |name, x| match name {
            "search" => {
                e.search = f
                    .string(x, "FileEdit", "files.edits.search")
                    .unwrap_or(take(&mut e.search))
            }
            "replace" => {
                e.replace = f
                    .string(x, "FileEdit", "files.edits.replace")
                    .unwrap_or(take(&mut e.replace))
            }
            _ => {
                e.replace_all = f
                    .bool(x, "FileEdit", "files.edits.replace_all")
                    .unwrap_or(e.replace_all)
            }
        },
    );
    e
}

fn fill_file(f: &mut Fill, v: &Value) -> FileEdits {
    let mut fe = FileEdits::default();
    let members = f.nested(v, "FileEditRequest", "files", "workspacesdk.FileEdits");
    for_each_field(members, &["path", "edits"], |name, x| match name {
        "path" => {
            fe.path = f
                .string(x, "FileEdits", "files.path")
                .unwrap_or(take(&mut fe.path))
        }
        _ => {
            fe.edits = f.list(
                x,
                "FileEdits",
                "files.edits",
                "[]workspacesdk.FileEdit",
                fill_edit,
            )
        }
    });
    fe
}

/// `workspacesdk.FileEditRequest`.
fn decode_request(body: &[u8]) -> Result<FileEditRequest, DecodeError> {
    let v = godecode::parse(body)?;
    let mut f = Fill::default();
    let mut req = FileEditRequest::default();
    let members = f.top_level(&v, "workspacesdk.FileEditRequest");
    for_each_field(members, &["files", "include_diff"], |name, x| match name {
        "files" => {
            req.files = f.list(
                x,
                "FileEditRequest",
                "files",
                "[]workspacesdk.FileEdits",
                fill_file,
            )
        }
        _ => {
            req.include_diff = f
                .bool(x, "FileEditRequest", "include_diff")
                .unwrap_or(req.include_diff)
        }
    });
    f.finish(req)
}

#[derive(Serialize)]
struct FileEditResult {
    path: String,
    diff: String,
}

#[derive(Serialize)]
struct FileEditResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    files: Option<Vec<FileEditResult>>,
}

pub async fn edit_files(State(state): State<AppState>, req: Request) -> Result<Response, ApiError> {
    let raw = super::reply::read_body(req.into_body())
        .await
        .map_err(|e| super::reply::bad_json(&e))?;
    let request = decode_request(&raw).map_err(|e| super::reply::bad_json(&e.0))?;
    if request.files.is_empty() {
        let none = "must specify at least one file";
        return Err(super::reply::msg(StatusCode::BAD_REQUEST, none));
    }
    let outcome = with_tree!(state.files(), |t| edit(t, &request));
    let results = outcome.map_err(|(status, m)| super::reply::msg(status, &m))?;
    let files = request.include_diff.then_some(results);
    Ok(response::json(StatusCode::OK, &FileEditResponse { files }))
}

/// Content as a Rust string: UTF-8 as is, anything else byte for byte (Latin-1), so that
/// non-UTF-8 files are edited and written back without loss.
fn decode(data: &[u8]) -> (String, bool) {
    match std::str::from_utf8(data) {
        Ok(s) => (s.to_string(), false),
        Err(_) => (data.iter().map(|&b| char::from(b)).collect(), true),
    }
}

fn latin1(s: &str) -> String {
    s.bytes().map(char::from).collect()
}

fn encode(s: &str, bytewise: bool) -> Vec<u8> {
    if bytewise {
        s.chars().map(|c| c as u32 as u8).collect()
    } else {
        s.as_bytes().to_vec()
    }
}

struct Planned {
    path: String,
    resolved: String,
    old: String,
    new: String,
    bytewise: bool,
}

fn edit<T: Tree>(
    t: &mut T,
    request: &FileEditRequest,
) -> Result<Vec<FileEditResult>, (StatusCode, String)> {
    // Merge / alias pass.
    let mut merged: Vec<(String, FileEdits)> = Vec::new();
    for f in &request.files {
        let key = resolve_path(t, &f.path).unwrap_or_else(|_| f.path.clone());
        match merged.iter_mut().find(|(k, _)| *k == key) {
            Some((_, earlier)) if vpath::clean(&earlier.path) == vpath::clean(&f.path) => {
                earlier.edits.extend(f.edits.iter().cloned());
            }
            Some((_, earlier)) => {
                return Err((
                    StatusCode::BAD_REQUEST,
                    format!(
                        "duplicate file path {} aliases {} (same real file): combine edits into a single entry's \"edits\" list",
                        gostr::quote(&f.path),
                        gostr::quote(&earlier.path)
                    ),
                ))
            }
            None => merged.push((key, f.clone())),
        }
    }
    // Phase 1: compute everything in memory.
    let mut failures: Vec<(StatusCode, String)> = Vec::new();
    let mut planned: Vec<Planned> = Vec::new();
    for (_, f) in &merged {
        match plan(t, f) {
            Ok(p) => planned.push(p),
            Err(e) => failures.push(e),
        }
    }
    if !failures.is_empty() {
        let status = failures
            .iter()
            .map(|(s, _)| *s)
            .max()
            .unwrap_or(StatusCode::BAD_REQUEST);
        let m: Vec<String> = failures.into_iter().map(|(_, m)| m).collect();
        return Err((status, m.join("\n")));
    }
    // Phase 2: write each file.
    let mut results = Vec::new();
    for p in planned {
        ops::write_atomic(
            t,
            &p.resolved,
            &encode(&p.new, p.bytewise),
            &super::reply::temp_suffix(),
        )
        .map_err(|e| {
            (
                StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                e.to_string(),
            )
        })?;
        let d = diff::unified(&p.path, &p.old, &p.new);
        let d = if p.bytewise {
            gostr::lossy(&encode(&d, true))
        } else {
            d
        };
        results.push(FileEditResult {
            path: p.path,
            diff: d,
        });
    }
    Ok(results)
}

fn plan<T: Tree>(t: &mut T, f: &FileEdits) -> Result<Planned, (StatusCode, String)> {
    let bad = |m: String| (StatusCode::BAD_REQUEST, m);
    if f.path.is_empty() {
        return Err(bad("\"path\" is required".into()));
    }
    if let Err(e) = require_absolute(f.path.as_bytes()) {
        return Err(bad(e.to_string()));
    }
    if f.edits.is_empty() {
        return Err(bad("must specify at least one edit".into()));
    }
    let resolved = resolve_path(t, &f.path).map_err(|e| {
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("resolve symlink {}: {e}", gostr::quote(&f.path)),
        )
    })?;
    let all = |m: &crate::files::tree::Meta| (0, m.size);
    let data = match ops::open(t, &resolved, &all) {
        Ok(Opened::File(file)) => file.data,
        Ok(Opened::Dir(..)) => return Err(bad(format!("open {resolved}: not a file"))),
        Err(e) => {
            let status = super::reply::os_status(&e);
            let e = if e == Errno::IsADirectory {
                return Err(bad(format!("open {resolved}: not a file")));
            } else {
                e
            };
            return Err((
                status,
                PathError::new("open", resolved.as_str(), e).to_string(),
            ));
        }
    };
    let (old, bytewise) = decode(&data);
    let mut content = old.clone();
    for e in &f.edits {
        let e = if bytewise {
            Edit {
                search: latin1(&e.search),
                replace: latin1(&e.replace),
                replace_all: e.replace_all,
            }
        } else {
            e.clone()
        };
        content = fuzzy_replace(&content, &e).map_err(|m| bad(format!("edit {resolved}: {m}")))?;
    }
    Ok(Planned {
        path: f.path.clone(),
        resolved,
        old,
        new: content,
        bytewise,
    })
}
