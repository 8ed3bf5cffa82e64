//! `GET /api/v0/read-file-lines`: numbered lines with caps; 400 only for query errors, every
//! other failure is a 200 `{"success":false,"error":…}` with the agent's sentences.

use super::query::{Parser, Values};
use crate::files::errno::{Errno, PathError};
use crate::files::lines::{format_lines, LineParams};
use crate::files::ops::{self, Opened};
use crate::files::resolve::require_absolute;
use crate::gostr;
use crate::response;
use crate::state::AppState;
use crate::with_tree;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde::Serialize;

/// `workspacesdk.ReadFileLinesResponse`.
#[derive(Serialize, Default)]
struct ReadFileLinesResponse {
    success: bool,
    #[serde(skip_serializing_if = "is_zero_i64")]
    file_size: i64,
    #[serde(skip_serializing_if = "is_zero_usize")]
    total_lines: usize,
    #[serde(skip_serializing_if = "is_zero_usize")]
    lines_read: usize,
    #[serde(skip_serializing_if = "String::is_empty")]
    content: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    error: String,
}

fn is_zero_i64(v: &i64) -> bool {
    *v == 0
}

fn is_zero_usize(v: &usize) -> bool {
    *v == 0
}

fn fail(error: String) -> Response {
    response::json(
        StatusCode::OK,
        &ReadFileLinesResponse {
            error,
            ..Default::default()
        },
    )
}

pub async fn read_file_lines(State(state): State<AppState>, RawQuery(q): RawQuery) -> Response {
    let vals = Values::parse(q.as_deref().unwrap_or_default());
    let mut p = Parser::new(&vals);
    let d = LineParams::default();
    let path = p.string("path", true);
    let params = LineParams {
        offset: p.positive_i64("offset", d.offset),
        limit: p.positive_i64("limit", d.limit),
        max_file_size: p.positive_i64("max_file_size", d.max_file_size),
        max_line_bytes: p.positive_i64("max_line_bytes", d.max_line_bytes),
        max_response_lines: p.positive_i64("max_response_lines", d.max_response_lines),
        max_response_bytes: p.positive_i64("max_response_bytes", d.max_response_bytes),
    };
    if let Err(e) = p.finish() {
        return e.into_response();
    }
    if let Err(e) = require_absolute(vals.get_bytes("path").unwrap_or_default()) {
        return fail(e.to_string());
    }
    let max = params.max_file_size.max(0) as u64;
    let range = |m: &crate::files::tree::Meta| if m.size > max { (0, 0) } else { (0, m.size) };
    let opened = with_tree!(state.files(), |t| match ops::open(t, &path, &range) {
        Ok(Opened::File(f)) => Ok(Some(f)),
        Ok(Opened::Dir(..)) => Ok(None),
        Err(e) => Err(e),
    });
    let file = match opened {
        Err(Errno::NotFound) => return fail(format!("file does not exist: {path}")),
        Err(Errno::PermissionDenied) => return fail(format!("permission denied: {path}")),
        Err(e) => {
            return fail(format!(
                "open file: {}",
                PathError::new("open", path.as_str(), e)
            ))
        }
        Ok(None) => return fail(format!("not a file: {path}")),
        Ok(Some(f)) => f,
    };
    let size = file.meta.size;
    if size > max {
        return fail(format!("file is {size} bytes which exceeds the maximum of {} bytes. Use grep, sed, or awk to extract the content you need, or use offset and limit to read a portion.", params.max_file_size));
    }
    if file.data.is_empty() {
        return response::json(
            StatusCode::OK,
            &ReadFileLinesResponse {
                success: true,
                ..Default::default()
            },
        );
    }
    match format_lines(&file.data, &params) {
        Err(e) => fail(e),
        Ok((total_lines, lines_read, content)) => response::json(
            StatusCode::OK,
            &ReadFileLinesResponse {
                success: true,
                file_size: size as i64,
                total_lines,
                lines_read,
                content: gostr::lossy(&content),
                error: String::new(),
            },
        ),
    }
}
