//! The agent's response writers: `httpapi.Write` (JSON with the `codersdk.Response` envelope),
//! Go's `http.NotFound`, chi's 405, the Recover middleware's 500, and plain bodies whose
//! `Content-Type` Go would sniff. Handlers build every response through these functions.

use crate::gojson;
use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;
use http::{header, HeaderValue, Method, StatusCode};
use serde::Serialize;

/// `Content-Type` set by `httpapi.Write`.
pub const JSON_CONTENT_TYPE: &str = "application/json; charset=utf-8";
/// `Content-Type` of Go's `http.NotFound` and of sniffed text.
pub const TEXT_CONTENT_TYPE: &str = "text/plain; charset=utf-8";

/// `codersdk.Response`: `message` always present, `detail` and `validations` omitted when empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ApiResponse {
    pub message: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub validations: Vec<ValidationError>,
}

/// `codersdk.ValidationError`: neither field is omitempty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ValidationError {
    /// The key as it came (Go writes its invalid bytes as `\ufffd`).
    pub field: gojson::GoBytes,
    pub detail: String,
}

impl ApiResponse {
    /// A response with only a message (the unit tests' shorthand).
    #[cfg(test)]
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            ..Self::default()
        }
    }

    pub fn with_detail(message: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            detail: detail.into(),
            validations: Vec::new(),
        }
    }
}

/// `httpapi.Write`: status, `application/json; charset=utf-8`, Go-encoded body with `\n`.
pub fn json<T: Serialize + ?Sized>(status: StatusCode, value: &T) -> Response {
    bytes_with_type(status, gojson::to_vec(value), Some(JSON_CONTENT_TYPE))
}

/// `httpapi.Write` of a `codersdk.Response` with a message and optional detail.
pub fn message(status: StatusCode, message: &str, detail: &str) -> Response {
    json(status, &ApiResponse::with_detail(message, detail))
}

/// `httpapi.InternalServerError(w, nil)` as written by the Recover middleware.
pub fn internal_server_error() -> Response {
    message(
        StatusCode::INTERNAL_SERVER_ERROR,
        "An internal server error occurred.",
        "",
    )
}

/// Go's `http.NotFound`: `404 page not found\n`, text/plain, `X-Content-Type-Options: nosniff`.
pub fn not_found() -> Response {
    http_error(StatusCode::NOT_FOUND, "404 page not found")
}

/// Go's `http.Error(w, text, status)`: text/plain, nosniff, the text plus `\n`.
pub fn http_error(status: StatusCode, text: &str) -> Response {
    let mut resp = bytes_with_type(
        status,
        format!("{text}\n").into_bytes(),
        Some(TEXT_CONTENT_TYPE),
    );
    resp.headers_mut().insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    resp
}

/// chi's 405: one `Allow` header per allowed method, empty body, no `Content-Type`.
pub fn method_not_allowed(allowed: &[Method]) -> Response {
    let mut resp = Response::new(Body::empty());
    *resp.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
    for m in allowed {
        if let Ok(v) = HeaderValue::from_str(m.as_str()) {
            resp.headers_mut().append(header::ALLOW, v);
        }
    }
    resp.headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from_static("0"));
    resp
}

/// A body written without a `Content-Type`, which Go's server then sniffs from the first 512
/// bytes (see [`sniff_content_type`]). An empty body gets no `Content-Type` at all.
pub fn sniffed(status: StatusCode, body: impl Into<Bytes>) -> Response {
    let body = body.into();
    let ct = sniff_content_type(&body);
    bytes_with_type(status, body, ct)
}

/// A body with an explicit `Content-Type`.
pub fn bytes_with_type(
    status: StatusCode,
    body: impl Into<Bytes>,
    content_type: Option<&'static str>,
) -> Response {
    let body = body.into();
    let len = body.len();
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = status;
    if let Some(ct) = content_type {
        resp.headers_mut()
            .insert(header::CONTENT_TYPE, content_type_value(ct));
    }
    resp.headers_mut()
        .insert(header::CONTENT_LENGTH, content_length(len));
    resp
}

/// The header value of a `Content-Type`; the two the agent writes most are checked once, at
/// compile time, instead of on every response.
fn content_type_value(ct: &'static str) -> HeaderValue {
    const JSON: HeaderValue = HeaderValue::from_static(JSON_CONTENT_TYPE);
    const TEXT: HeaderValue = HeaderValue::from_static(TEXT_CONTENT_TYPE);
    if ct == JSON_CONTENT_TYPE {
        JSON
    } else if ct == TEXT_CONTENT_TYPE {
        TEXT
    } else {
        HeaderValue::from_static(ct)
    }
}

/// Lengths whose `Content-Length` value is taken from a table (Go's framing sends bodies up to
/// 2048 bytes with a length, so these are nearly all of them).
const TABLED_LENGTHS: usize = 4096;

/// The `Content-Length` value for `len`. Short lengths come from a table of static values
/// built once, so no value is formatted and allocated per response.
pub fn content_length(len: usize) -> HeaderValue {
    static SMALL: std::sync::OnceLock<Vec<HeaderValue>> = std::sync::OnceLock::new();
    let small = SMALL.get_or_init(|| {
        let lengths = 0..=TABLED_LENGTHS;
        let numbers: Vec<String> = lengths.map(|n| n.to_string()).collect();
        // One string for the whole table, kept for the life of the process.
        let digits: &'static str = Box::leak(numbers.concat().into_boxed_str());
        let mut at = 0;
        numbers
            .iter()
            .map(|n| {
                let value = HeaderValue::from_static(&digits[at..at + n.len()]);
                at += n.len();
                value
            })
            .collect()
    });
    small
        .get(len)
        .cloned()
        .unwrap_or_else(|| HeaderValue::from(len))
}

/// The subset of Go's `http.DetectContentType` that agent bodies can reach: HTML signatures,
/// binary data, and plain text (JSON is not recognised by Go and sniffs as text).
pub fn sniff_content_type(body: &[u8]) -> Option<&'static str> {
    if body.is_empty() {
        return None;
    }
    let data = &body[..body.len().min(512)];
    let first = data
        .iter()
        .position(|b| !matches!(b, b'\t' | b'\n' | b'\x0c' | b'\r' | b' '))
        .unwrap_or(data.len());
    let data_ws = &data[first..];
    const HTML_SIGS: &[&[u8]] = &[
        b"<!DOCTYPE HTML",
        b"<HTML",
        b"<HEAD",
        b"<SCRIPT",
        b"<IFRAME",
        b"<H1",
        b"<DIV",
        b"<FONT",
        b"<TABLE",
        b"<A",
        b"<STYLE",
        b"<TITLE",
        b"<B",
        b"<BODY",
        b"<BR",
        b"<P",
        b"<!--",
    ];
    for sig in HTML_SIGS {
        if data_ws.len() > sig.len()
            && data_ws[..sig.len()].eq_ignore_ascii_case(sig)
            && matches!(data_ws[sig.len()], b' ' | b'>')
        {
            return Some("text/html; charset=utf-8");
        }
    }
    if data_ws.starts_with(b"<?xml") {
        return Some("text/xml; charset=utf-8");
    }
    if data_ws.starts_with(b"%PDF-") {
        return Some("application/pdf");
    }
    let binary = data
        .iter()
        .any(|&b| matches!(b, 0x00..=0x08 | 0x0b | 0x0e..=0x1a | 0x1c..=0x1f));
    if binary {
        Some("application/octet-stream")
    } else {
        Some(TEXT_CONTENT_TYPE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    #[test]
    fn content_length_values_are_the_decimal_length() {
        for len in (0..=TABLED_LENGTHS + 2).chain([10_000, 1 << 40]) {
            assert_eq!(content_length(len), HeaderValue::from(len), "{len}");
        }
    }

    async fn body_of(resp: Response) -> Vec<u8> {
        resp.into_body()
            .collect()
            .await
            .map(|b| b.to_bytes().to_vec())
            .unwrap_or_default()
    }

    #[tokio::test]
    async fn envelope_omits_empty_detail() {
        let resp = message(StatusCode::OK, "Hello from the agent!", "");
        assert_eq!(resp.headers()[header::CONTENT_TYPE], JSON_CONTENT_TYPE);
        assert_eq!(
            body_of(resp).await,
            b"{\"message\":\"Hello from the agent!\"}\n"
        );
    }

    #[tokio::test]
    async fn internal_server_error_is_49_bytes() {
        let body = body_of(internal_server_error()).await;
        assert_eq!(
            body,
            b"{\"message\":\"An internal server error occurred.\"}\n"
        );
        assert_eq!(body.len(), 49);
    }

    #[tokio::test]
    async fn not_found_matches_go() {
        let resp = not_found();
        assert_eq!(resp.status(), 404);
        assert_eq!(resp.headers()[header::CONTENT_TYPE], TEXT_CONTENT_TYPE);
        assert_eq!(resp.headers()["x-content-type-options"], "nosniff");
        assert_eq!(body_of(resp).await, b"404 page not found\n");
    }

    #[test]
    fn sniffing() {
        assert_eq!(sniff_content_type(b""), None);
        assert_eq!(sniff_content_type(b"{\"a\":1}\n"), Some(TEXT_CONTENT_TYPE));
        assert_eq!(
            sniff_content_type(b"<h1>magicsock</h1>"),
            Some("text/html; charset=utf-8")
        );
        assert_eq!(
            sniff_content_type(b"\x00\x01binary"),
            Some("application/octet-stream")
        );
    }
}
