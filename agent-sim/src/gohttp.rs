//! Go's `net/http` and chi rules the router relies on, written once: the methods chi knows,
//! the path chi routes on (`URL.RawPath` or `URL.Path`) and how it splits it, Go's answer to an
//! unparsable request, and Go's response framing (`Content-Length` up to 2048 bytes, chunked
//! above). Beside `gojson`, `gostr` and `gotime`: wire rules, no routes and no state.

use crate::response;
use axum::body::Body;
use axum::response::Response;
use http::{Method, StatusCode};
use std::borrow::Cow;

/// The methods chi knows; any other method is answered 405 without `Allow`.
pub const STANDARD_METHODS: [Method; 9] = [
    Method::CONNECT,
    Method::DELETE,
    Method::GET,
    Method::HEAD,
    Method::OPTIONS,
    Method::PATCH,
    Method::POST,
    Method::PUT,
    Method::TRACE,
];

/// Splits a path the way chi does: `/` (or nothing) has no segments, `/a/b` is `["a", "b"]`,
/// `/a/` is `["a", ""]`.
pub fn path_segments(path: &str) -> Vec<&str> {
    if path == "/" || path.is_empty() {
        Vec::new()
    } else {
        path.strip_prefix('/').unwrap_or(path).split('/').collect()
    }
}

/// Characters Go's `url.PathEscape`-style path encoding leaves alone.
fn go_path_unescaped(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'-' | b'_'
                | b'.'
                | b'~'
                | b'$'
                | b'&'
                | b'+'
                | b','
                | b'/'
                | b':'
                | b';'
                | b'='
                | b'@'
        )
}

/// The path chi routes on: Go's `URL.RawPath` when the raw path is not the canonical escaping
/// of the decoded one, else the decoded `URL.Path`. `None` when the escapes are invalid (Go's
/// server answers `400 Bad Request` before any handler runs). Go's bytes: a decoded path need
/// not be UTF-8 (the router matches its text, `gostr::text`: a route's static segments never
/// hold U+FFFD, and a `/` is never replaced, so the segments are those of the bytes).
pub fn routing_path_bytes(raw: &str) -> Option<Cow<'_, [u8]>> {
    if !raw.contains('%') {
        return Some(Cow::Borrowed(raw.as_bytes()));
    }
    let bytes = raw.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let ok = i + 2 < bytes.len()
                && bytes[i + 1].is_ascii_hexdigit()
                && bytes[i + 2].is_ascii_hexdigit();
            if !ok {
                return None;
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    let decoded = percent_encoding::percent_decode_str(raw).collect::<Vec<u8>>();
    let mut canonical = String::with_capacity(raw.len());
    for &b in &decoded {
        if go_path_unescaped(b) {
            canonical.push(b as char);
        } else {
            canonical.push_str(&format!("%{b:02X}"));
        }
    }
    if canonical == raw {
        Some(Cow::Owned(decoded))
    } else {
        Some(Cow::Borrowed(bytes))
    }
}

/// Go's server answer to an unparsable request line.
pub fn bad_request() -> Response {
    let mut resp = response::bytes_with_type(
        StatusCode::BAD_REQUEST,
        "400 Bad Request",
        Some(response::TEXT_CONTENT_TYPE),
    );
    resp.headers_mut().insert(
        http::header::CONNECTION,
        http::HeaderValue::from_static("close"),
    );
    resp
}

/// Bodies up to this size are sent with `Content-Length`, larger ones chunked (Go's
/// `net/http` buffers 2048 bytes before it commits to a framing).
pub const GO_BUFFER_SIZE: usize = 2048;

/// Response extension: the handler set `Content-Length` itself (as read-file does), so Go
/// keeps it whatever the size and [`frame`] leaves the response alone.
#[derive(Debug, Clone, Copy)]
pub struct ExplicitContentLength;

/// Response extension: drop the connection instead of sending this response (the `reset`
/// fault); the server honours it.
#[derive(Debug, Clone, Copy)]
pub struct CloseConnection;

/// Applies Go's framing: a body larger than [`GO_BUFFER_SIZE`] loses its `Content-Length` and
/// is streamed, so hyper sends it chunked. Bodies that are already streams are left alone.
pub fn frame(resp: Response) -> Response {
    if resp.extensions().get::<ExplicitContentLength>().is_some() {
        return resp;
    }
    // Three digits or fewer is always within the buffer: the common case is never parsed.
    let too_big = resp
        .headers()
        .get(http::header::CONTENT_LENGTH)
        .filter(|v| v.len() > 3)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .is_some_and(|n| n > GO_BUFFER_SIZE);
    if !too_big {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    parts.headers.remove(http::header::CONTENT_LENGTH);
    let stream = http_body_util::BodyStream::new(body);
    Response::from_parts(
        parts,
        Body::from_stream(futures::StreamExt::map(stream, |f| {
            f.map(|frame| frame.into_data().unwrap_or_default())
        })),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chi_splits_paths_into_segments() {
        assert!(path_segments("/").is_empty());
        assert_eq!(path_segments("/a/b"), ["a", "b"]);
        assert_eq!(path_segments("/a/"), ["a", ""]);
    }

    #[test]
    fn routing_path_follows_go_raw_path_rules() {
        let routed = |raw: &'static str| routing_path_bytes(raw).map(|p| p.into_owned());
        assert_eq!(
            routed("/api/v0/netcheck").as_deref(),
            Some(&b"/api/v0/netcheck"[..])
        );
        assert!(matches!(
            routing_path_bytes("/api/v0/netcheck"),
            Some(Cow::Borrowed(_))
        ));
        assert_eq!(
            routed("/api/v0/listening%2Dports").as_deref(),
            Some(&b"/api/v0/listening%2Dports"[..])
        );
        assert_eq!(routed("/a%20b").as_deref(), Some(&b"/a b"[..]));
        assert_eq!(routed("/a%2Fb").as_deref(), Some(&b"/a%2Fb"[..]));
        assert_eq!(routed("/a%zz"), None);
        assert_eq!(routed("/a%2"), None);
        // Go's decoded path keeps bytes that are not UTF-8.
        assert_eq!(
            routed("/p/%FF%E2%82/x").as_deref(),
            Some(&b"/p/\xff\xe2\x82/x"[..])
        );
        assert_eq!(routed("/p/%ff").as_deref(), Some(&b"/p/%ff"[..]));
    }
}
