//! The checks `coder/websocket`'s `Accept` makes before upgrading, in its order, and its
//! answer when one fails: Go's `http.Error` with the library's error text, followed in the
//! same body by the JSON the watch handler writes afterwards (its 500 status is too late to
//! apply, so the library's status stays).

use crate::gostr::{quote as go_quote, quote_bytes};
use crate::response::{self, ApiResponse};
use axum::response::Response;
use http::request::Parts;
use http::{HeaderMap, HeaderValue, Method, StatusCode, Version};

/// A refused handshake: the status, the library's error text, the headers it set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub status: StatusCode,
    pub error: String,
    pub headers: Vec<(&'static str, &'static str)>,
}

impl Rejection {
    fn new(status: StatusCode, error: String) -> Self {
        Self {
            status,
            error,
            headers: Vec::new(),
        }
    }

    fn upgrade_required(error: String) -> Self {
        Self {
            status: StatusCode::UPGRADE_REQUIRED,
            error,
            headers: vec![("connection", "Upgrade"), ("upgrade", "websocket")],
        }
    }
}

/// `headerTokens`: every comma-separated token of every value, trimmed.
fn tokens<'a>(h: &'a HeaderMap, key: &str) -> impl Iterator<Item = &'a str> {
    h.get_all(key)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.trim().split(','))
        .map(str::trim)
}

fn contains_token(h: &HeaderMap, key: &str, token: &str) -> bool {
    tokens(h, key).any(|t| t.eq_ignore_ascii_case(token))
}

/// `r.Header.Get(key)`: the first value, or "".
fn first<'a>(h: &'a HeaderMap, key: &str) -> &'a str {
    h.get(key).and_then(|v| v.to_str().ok()).unwrap_or("")
}

/// `r.Header.Get(key)` as Go holds it: the first value's bytes (obs-text included), or none.
fn first_bytes<'a>(h: &'a HeaderMap, key: &str) -> &'a [u8] {
    h.get(key).map_or(b"", HeaderValue::as_bytes)
}

/// Go `strings.TrimSpace` of a header value (Unicode spaces where it is UTF-8).
fn trim_space(b: &[u8]) -> &[u8] {
    match std::str::from_utf8(b) {
        Ok(s) => s.trim().as_bytes(),
        Err(_) => b.trim_ascii(),
    }
}

/// Whether `s` is `base64.StdEncoding` of exactly 16 bytes (Go skips `\r` and `\n`).
fn is_16_byte_base64(s: &[u8]) -> bool {
    let b: Vec<u8> = s
        .iter()
        .copied()
        .filter(|c| *c != b'\r' && *c != b'\n')
        .collect();
    b.len() == 24
        && b[..22]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'+' || *c == b'/')
        && &b[22..] == b"=="
}

/// The host of an Origin header as Go's `url.Parse` gives it (`""` when it has none).
fn origin_host(origin: &str) -> &str {
    let Some((_, rest)) = origin.split_once("://") else {
        return "";
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    authority.rsplit_once('@').map_or(authority, |(_, h)| h)
}

/// `verifyClientRequest` then `authenticateOrigin` (no `OriginPatterns`), in the library's order.
pub fn verify(parts: &Parts) -> Result<(), Rejection> {
    let h = &parts.headers;
    require_http11(parts.version)?;
    require_upgrade_headers(h)?;
    require_get(&parts.method)?;
    require_version_13(h)?;
    require_one_valid_key(h)?;
    require_same_origin(h)
}

/// A handshake needs HTTP/1.1 at least (426).
fn require_http11(version: Version) -> Result<(), Rejection> {
    if version >= Version::HTTP_11 {
        return Ok(());
    }
    Err(Rejection::new(
        StatusCode::UPGRADE_REQUIRED,
        format!(
            "WebSocket protocol violation: handshake request must be at least HTTP/1.1: {}",
            go_quote(&format!("{version:?}"))
        ),
    ))
}

/// `Connection` must contain `Upgrade`, then `Upgrade` must contain `websocket` (426 with the
/// upgrade headers).
fn require_upgrade_headers(h: &HeaderMap) -> Result<(), Rejection> {
    if !contains_token(h, "connection", "Upgrade") {
        return Err(Rejection::upgrade_required(format!(
            "WebSocket protocol violation: Connection header {} does not contain Upgrade",
            quote_bytes(first_bytes(h, "connection"))
        )));
    }
    if !contains_token(h, "upgrade", "websocket") {
        return Err(Rejection::upgrade_required(format!(
            "WebSocket protocol violation: Upgrade header {} does not contain websocket",
            quote_bytes(first_bytes(h, "upgrade"))
        )));
    }
    Ok(())
}

/// Only a GET upgrades (405).
fn require_get(method: &Method) -> Result<(), Rejection> {
    if method == Method::GET {
        return Ok(());
    }
    Err(Rejection::new(
        StatusCode::METHOD_NOT_ALLOWED,
        format!(
            "WebSocket protocol violation: handshake request method is not GET but {}",
            go_quote(method.as_str())
        ),
    ))
}

/// `Sec-WebSocket-Version` must be 13 (400, naming the supported version).
fn require_version_13(h: &HeaderMap) -> Result<(), Rejection> {
    if first_bytes(h, "sec-websocket-version") == b"13" {
        return Ok(());
    }
    let mut r = Rejection::new(
        StatusCode::BAD_REQUEST,
        format!(
            "unsupported WebSocket protocol version (only 13 is supported): {}",
            quote_bytes(first_bytes(h, "sec-websocket-version"))
        ),
    );
    r.headers.push(("sec-websocket-version", "13"));
    Err(r)
}

/// Exactly one `Sec-WebSocket-Key`, the base64 of 16 bytes (400).
fn require_one_valid_key(h: &HeaderMap) -> Result<(), Rejection> {
    let keys: Vec<&[u8]> = h
        .get_all("sec-websocket-key")
        .iter()
        .map(HeaderValue::as_bytes)
        .collect();
    let bad = |error: String| Err(Rejection::new(StatusCode::BAD_REQUEST, error));
    match keys.as_slice() {
        [] => bad("WebSocket protocol violation: missing Sec-WebSocket-Key".into()),
        [key] if is_16_byte_base64(trim_space(key)) => Ok(()),
        [key] => bad(format!(
            "WebSocket protocol violation: invalid Sec-WebSocket-Key {}, must be a 16 byte base64 encoded string",
            quote_bytes(trim_space(key))
        )),
        _ => bad("WebSocket protocol violation: multiple Sec-WebSocket-Key headers".into()),
    }
}

/// `authenticateOrigin`: an `Origin`, when sent, must name the request's `Host` (403).
fn require_same_origin(h: &HeaderMap) -> Result<(), Rejection> {
    let origin = first(h, "origin");
    if origin.is_empty() {
        return Ok(());
    }
    let host = origin_host(origin);
    let req_host = first(h, "host");
    if host.eq_ignore_ascii_case(req_host) {
        return Ok(());
    }
    let error = if host.is_empty() {
        format!(
            "request Origin {} is not a valid URL with a host",
            go_quote(origin)
        )
    } else {
        format!(
            "request Origin {} is not authorized for Host {}",
            go_quote(host),
            go_quote(req_host)
        )
    };
    Err(Rejection::new(StatusCode::FORBIDDEN, error))
}

/// The bytes on the wire for a refused handshake: `http.Error`, then the handler's JSON.
pub fn refuse(r: &Rejection) -> Response {
    let mut body = format!("{}\n", r.error).into_bytes();
    body.extend(crate::gojson::to_vec(&ApiResponse::with_detail(
        "Failed to upgrade connection to websocket.",
        format!("failed to accept WebSocket connection: {}", r.error),
    )));
    let mut resp = response::bytes_with_type(r.status, body, Some(response::TEXT_CONTENT_TYPE));
    let headers = resp.headers_mut();
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    for (k, v) in &r.headers {
        headers.insert(*k, HeaderValue::from_static(v));
    }
    resp
}

/// The request has no connection to take over (`http.Hijacker` missing): 501.
pub fn refuse_not_hijackable() -> Response {
    let mut r = refuse(&Rejection::new(
        StatusCode::NOT_IMPLEMENTED,
        "http.ResponseWriter does not implement http.Hijacker".into(),
    ));
    // `http.Error` was given the status text, the handler the library's error.
    let body = format!(
        "Not Implemented\n{}",
        String::from_utf8_lossy(&crate::gojson::to_vec(&ApiResponse::with_detail(
            "Failed to upgrade connection to websocket.",
            "failed to accept WebSocket connection: http.ResponseWriter does not implement http.Hijacker",
        )))
    );
    let len = body.len();
    *r.body_mut() = axum::body::Body::from(body);
    r.headers_mut()
        .insert(http::header::CONTENT_LENGTH, HeaderValue::from(len));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(headers: &[(&str, &str)]) -> Parts {
        let mut b = http::Request::builder().uri("/watch");
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(()).unwrap().into_parts().0
    }

    const OK: &[(&str, &str)] = &[
        ("host", "127.0.0.1:1"),
        ("connection", "keep-alive, Upgrade"),
        ("upgrade", "WebSocket"),
        ("sec-websocket-version", "13"),
        ("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="),
    ];

    fn with(extra: &[(&'static str, &'static str)], drop: &str) -> Parts {
        let mut h: Vec<(&str, &str)> = OK.iter().copied().filter(|(k, _)| *k != drop).collect();
        h.extend_from_slice(extra);
        parts(&h)
    }

    #[test]
    fn accepts_a_proper_handshake() {
        assert_eq!(verify(&parts(OK)), Ok(()));
        assert_eq!(
            verify(&with(&[("origin", "http://127.0.0.1:1")], "")),
            Ok(())
        );
    }

    /// Go keeps a header value's bytes (obs-text included): `%q` shows the ones that are not
    /// UTF-8 as `\xNN`.
    #[test]
    fn quotes_header_values_as_go_holds_them() {
        let cases: [(&str, &[u8], &str); 4] = [
            ("connection", b"keep-alive \xff", "WebSocket protocol violation: Connection header \"keep-alive \\xff\" does not contain Upgrade"),
            ("upgrade", b"\xe2\x82", "WebSocket protocol violation: Upgrade header \"\\xe2\\x82\" does not contain websocket"),
            ("sec-websocket-version", b"1\xff", "unsupported WebSocket protocol version (only 13 is supported): \"1\\xff\""),
            ("sec-websocket-key", b" \xffkey ", "WebSocket protocol violation: invalid Sec-WebSocket-Key \"\\xffkey\", must be a 16 byte base64 encoded string"),
        ];
        for (name, value, want) in cases {
            let mut p = with(&[], name);
            let value = HeaderValue::from_bytes(value).unwrap();
            p.headers.insert(http::HeaderName::from_static(name), value);
            assert_eq!(verify(&p).unwrap_err().error, want, "{name}");
        }
    }

    #[test]
    fn refuses_in_the_library_order() {
        let e = verify(&parts(&[])).unwrap_err();
        assert_eq!(e.status, 426);
        assert_eq!(
            e.error,
            "WebSocket protocol violation: Connection header \"\" does not contain Upgrade"
        );
        let e = verify(&with(&[], "upgrade")).unwrap_err();
        assert_eq!(
            e.error,
            "WebSocket protocol violation: Upgrade header \"\" does not contain websocket"
        );
        let e = verify(&with(
            &[("sec-websocket-version", "8")],
            "sec-websocket-version",
        ))
        .unwrap_err();
        assert_eq!(e.status, 400);
        assert_eq!(
            e.error,
            "unsupported WebSocket protocol version (only 13 is supported): \"8\""
        );
        let e = verify(&with(&[], "sec-websocket-key")).unwrap_err();
        assert_eq!(
            e.error,
            "WebSocket protocol violation: missing Sec-WebSocket-Key"
        );
        let e = verify(&with(
            &[("sec-websocket-key", "short")],
            "sec-websocket-key",
        ))
        .unwrap_err();
        assert_eq!(e.error, "WebSocket protocol violation: invalid Sec-WebSocket-Key \"short\", must be a 16 byte base64 encoded string");
        let e = verify(&with(
            &[("sec-websocket-key", " d\u{e9}\u{200b} ")],
            "sec-websocket-key",
        ))
        .unwrap_err();
        assert_eq!(e.error, "WebSocket protocol violation: invalid Sec-WebSocket-Key \"d\u{e9}\\u200b\", must be a 16 byte base64 encoded string");
        let e = verify(&with(
            &[("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")],
            "",
        ))
        .unwrap_err();
        assert_eq!(
            e.error,
            "WebSocket protocol violation: multiple Sec-WebSocket-Key headers"
        );
        let e = verify(&with(&[("origin", "https://evil.example")], "")).unwrap_err();
        assert_eq!(e.status, 403);
        assert_eq!(
            e.error,
            "request Origin \"evil.example\" is not authorized for Host \"127.0.0.1:1\""
        );
        let e = verify(&with(&[("origin", "null")], "")).unwrap_err();
        assert_eq!(
            e.error,
            "request Origin \"null\" is not a valid URL with a host"
        );
    }
}
