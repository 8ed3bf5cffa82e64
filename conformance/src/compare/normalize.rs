//! An answer as a comparison sees it: the snapshot rendering (request line, status, the
//! headers that matter, the body pretty-printed) with volatile values replaced by the
//! snapshots' placeholders and the scratch directory by `SCRATCH_PLACEHOLDER`; a request
//! that got no complete response renders as its transport failure.

use super::requests::SCRATCH_PLACEHOLDER;
use crate::http::{HttpError, Request, Response};
use crate::snapshot;

/// One side's normalized answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Side {
    /// A complete response, rendered.
    Answered(String),
    /// No complete response (the rendering says which transport failure).
    NoAnswer(String),
}

impl Side {
    pub fn text(&self) -> &str {
        match self {
            Side::Answered(t) | Side::NoAnswer(t) => t,
        }
    }

    /// A saved rendering: a transport failure renders with a `transport:` line.
    pub fn from_saved(text: String) -> Self {
        if text
            .lines()
            .nth(1)
            .is_some_and(|l| l.starts_with("transport: "))
        {
            Side::NoAnswer(text)
        } else {
            Side::Answered(text)
        }
    }
}

/// Renders what `req` got, with `scratch` replaced.
pub fn normalize(req: &Request, got: &Result<Response, HttpError>, scratch: &str) -> Side {
    let shown = Request {
        path: req.path.replace(scratch, SCRATCH_PLACEHOLDER),
        ..req.clone()
    };
    match got {
        Ok(resp) => {
            let text = snapshot::render(&shown, resp).replace(scratch, SCRATCH_PLACEHOLDER);
            Side::Answered(text)
        }
        Err(e) => Side::NoAnswer(snapshot::render_error(&shown, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volatile_values_and_the_scratch_dir_are_replaced() {
        let req = Request::get("/api/v0/read-file?path=/tmp/s1/a");
        let resp = Response {
            status: 200,
            headers: vec![
                ("content-type".into(), "application/json".into()),
                ("date".into(), "today".into()),
            ],
            body: br#"{"pid":42,"path":"/tmp/s1/a"}"#.to_vec(),
        };
        let side = normalize(&req, &Ok(resp), "/tmp/s1");
        let text = side.text();
        assert!(
            text.starts_with("request: GET /api/v0/read-file?path=[scratch]/a\n"),
            "{text}"
        );
        assert!(text.contains("\"pid\": \"[pid]\""), "{text}");
        assert!(text.contains("\"path\": \"[scratch]/a\""), "{text}");
        assert!(!text.contains("today"), "{text}");
        let failed = normalize(&req, &Err(HttpError::Timeout { ms: 5 }), "/tmp/s1");
        assert!(matches!(failed, Side::NoAnswer(_)));
        assert_eq!(Side::from_saved(failed.text().to_string()), failed);
    }
}
