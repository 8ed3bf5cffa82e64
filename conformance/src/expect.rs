//! Expectations on one response: status, headers (value, absence, every value), and the body
//! (exact bytes, a substring, or Go-encoded JSON checked by a validator). A mismatch becomes a
//! [`Failure`] with expected and actual renderings and their diff.

use crate::failure::Failure;
use crate::http::Response;
use serde_json::Value;
use std::fmt::Write as _;
use std::sync::Arc;

pub const JSON_CT: &str = "application/json; charset=utf-8";
pub const TEXT_CT: &str = "text/plain; charset=utf-8";
pub const NOT_FOUND_BODY: &str = "404 page not found\n";

pub type Validator = Arc<dyn Fn(&Value) -> Result<(), String> + Send + Sync>;

/// A rule for one header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderRule {
    /// Present exactly once with this value.
    Is(String),
    /// Not present.
    Absent,
}

/// A rule for the body.
#[derive(Clone)]
pub enum BodyRule {
    Any,
    Exact(Vec<u8>),
    Contains(String),
    /// `application/json; charset=utf-8`, Go's compact encoding with the trailing newline, and
    /// the validator's rules on the decoded value.
    GoJson(Validator),
}

/// What a response must look like.
#[derive(Clone)]
pub struct Expect {
    pub status: u16,
    pub headers: Vec<(String, HeaderRule)>,
    pub body: BodyRule,
}

impl Expect {
    pub fn status(status: u16) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: BodyRule::Any,
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers
            .push((name.to_ascii_lowercase(), HeaderRule::Is(value.to_string())));
        self
    }

    pub fn no_header(mut self, name: &str) -> Self {
        self.headers
            .push((name.to_ascii_lowercase(), HeaderRule::Absent));
        self
    }

    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = BodyRule::Exact(body.into());
        self
    }

    pub fn contains(mut self, s: &str) -> Self {
        self.body = BodyRule::Contains(s.to_string());
        self
    }

    pub fn go_json<F>(mut self, f: F) -> Self
    where
        F: Fn(&Value) -> Result<(), String> + Send + Sync + 'static,
    {
        self.body = BodyRule::GoJson(Arc::new(f));
        self
    }

    /// chi/Go `http.NotFound`.
    pub fn not_found() -> Self {
        Self::status(404)
            .header("content-type", TEXT_CT)
            .header("x-content-type-options", "nosniff")
            .header("content-length", "19")
            .body(NOT_FOUND_BODY)
    }

    /// chi 405 on a GET-only route: one `Allow: GET`, empty body, no content type.
    pub fn get_only_405() -> Self {
        Self::status(405)
            .header("allow", "GET")
            .no_header("content-type")
            .header("content-length", "0")
            .body("")
    }

    /// chi 405 for a method outside its method map: no `Allow`.
    pub fn nonstandard_405() -> Self {
        Self::status(405)
            .no_header("allow")
            .no_header("content-type")
            .header("content-length", "0")
            .body("")
    }

    /// A Go `httpapi.Write` JSON response with exactly this body.
    pub fn json(status: u16, body: &str) -> Self {
        Self::status(status)
            .header("content-type", JSON_CT)
            .header("content-length", &body.len().to_string())
            .body(body)
    }

    /// A text body written without an explicit content type (Go sniffs text/plain).
    pub fn sniffed_text(status: u16, body: &str) -> Self {
        Self::status(status)
            .header("content-type", TEXT_CT)
            .body(body)
    }

    /// Checks `resp`; the failure carries a rendering of both sides restricted to what the
    /// expectation looks at.
    pub fn check(&self, resp: &Response) -> Result<(), Failure> {
        let mut problems = Vec::new();
        if resp.status != self.status {
            problems.push(format!("status {} (want {})", resp.status, self.status));
        }
        for (name, rule) in &self.headers {
            let values = resp.header_all(name);
            match rule {
                HeaderRule::Is(v) => {
                    if values.len() != 1 || values[0] != v {
                        problems.push(format!("header {name}: {values:?} (want [{v:?}])"));
                    }
                }
                HeaderRule::Absent => {
                    if !values.is_empty() {
                        problems.push(format!("header {name}: {values:?} (want absent)"));
                    }
                }
            }
        }
        match &self.body {
            BodyRule::Any => {}
            BodyRule::Exact(b) => {
                if &resp.body != b {
                    problems.push("body differs".to_string());
                }
            }
            BodyRule::Contains(s) => {
                if !resp.text().contains(s.as_str()) {
                    problems.push(format!("body does not contain {s:?}"));
                }
            }
            BodyRule::GoJson(f) => {
                if let Err(e) = check_go_json(resp).and_then(|v| f(&v)) {
                    problems.push(e);
                }
            }
        }
        if problems.is_empty() {
            return Ok(());
        }
        Err(Failure::new(problems.join("; ")).with_diff(&self.render(), &self.render_actual(resp)))
    }

    /// The expectation as a response-shaped text.
    pub fn render(&self) -> String {
        let mut s = format!("status: {}\n", self.status);
        for (name, rule) in &self.headers {
            match rule {
                HeaderRule::Is(v) => {
                    let _ = writeln!(s, "{name}: {v}");
                }
                HeaderRule::Absent => {
                    let _ = writeln!(s, "{name}: (absent)");
                }
            }
        }
        s.push('\n');
        match &self.body {
            BodyRule::Any => s.push_str("(any body)"),
            BodyRule::Exact(b) => s.push_str(&show_body(b)),
            BodyRule::Contains(t) => {
                let _ = write!(s, "(a body containing {t:?})");
            }
            BodyRule::GoJson(_) => s.push_str("(Go-encoded JSON, see reason)"),
        }
        s
    }

    /// The actual response seen through the same headers as the expectation.
    pub fn render_actual(&self, resp: &Response) -> String {
        let mut s = format!("status: {}\n", resp.status);
        for (name, _) in &self.headers {
            let values = resp.header_all(name);
            if values.is_empty() {
                let _ = writeln!(s, "{name}: (absent)");
            }
            for v in values {
                let _ = writeln!(s, "{name}: {v}");
            }
        }
        s.push('\n');
        match &self.body {
            BodyRule::Exact(_) => s.push_str(&show_body(&resp.body)),
            _ => s.push_str(&show_body(&resp.body)),
        }
        s
    }
}

/// A body as text, with a visible marker for the trailing newline (or its absence).
pub fn show_body(b: &[u8]) -> String {
    let t = String::from_utf8_lossy(b);
    match t.strip_suffix('\n') {
        Some(rest) => format!("{rest}⏎\n"),
        None if t.is_empty() => "(empty body)".to_string(),
        None => format!("{t}(no trailing newline)"),
    }
}

/// JSON content type, parses, and re-encodes with Go's encoder to the same bytes.
pub fn check_go_json(resp: &Response) -> Result<Value, String> {
    let ct = resp.header("content-type").unwrap_or("(absent)");
    if ct != JSON_CT {
        return Err(format!("content-type {ct:?} (want {JSON_CT:?})"));
    }
    go_encoded(&resp.body)
}

/// Parses `body` and checks it is exactly what Go's `json.Encoder` writes for that value.
pub fn go_encoded(body: &[u8]) -> Result<Value, String> {
    let v: Value = serde_json::from_slice(body).map_err(|e| format!("body is not JSON: {e}"))?;
    let again = agent_sim::gojson::to_vec(&v);
    // Go writes each invalid UTF-8 byte as the escape `\ufffd` but a real U+FFFD raw; after
    // parsing both are the same character, so compare with the escapes resolved.
    let resolved;
    let body_cmp: &[u8] = if body.windows(6).any(|w| w == b"\\ufffd") {
        resolved = String::from_utf8_lossy(body).replace("\\ufffd", "\u{fffd}");
        resolved.as_bytes()
    } else {
        body
    };
    if again != body_cmp {
        let why = if !body.ends_with(b"\n") {
            "missing the trailing newline Go's encoder writes"
        } else {
            "not Go's compact encoding (spacing, escaping or number format)"
        };
        return Err(format!(
            "JSON body {why}: got {:?}, Go writes {:?}",
            String::from_utf8_lossy(body),
            String::from_utf8_lossy(&again)
        ));
    }
    Ok(v)
}

/// The keys of a JSON object, in wire order (none for anything else).
pub fn json_keys(v: &serde_json::Value) -> Vec<&str> {
    v.as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, headers: &[(&str, &str)], body: &str) -> Response {
        Response {
            status,
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn not_found_passes_and_fails_on_missing_nosniff() {
        let ok = resp(
            404,
            &[
                ("content-type", TEXT_CT),
                ("x-content-type-options", "nosniff"),
                ("content-length", "19"),
            ],
            NOT_FOUND_BODY,
        );
        assert!(Expect::not_found().check(&ok).is_ok());
        let bad = resp(
            404,
            &[("content-type", TEXT_CT), ("content-length", "19")],
            NOT_FOUND_BODY,
        );
        let f = Expect::not_found().check(&bad).unwrap_err();
        assert!(f.reason.contains("x-content-type-options"), "{}", f.reason);
        assert!(f.diff.unwrap().contains("-x-content-type-options: nosniff"));
    }

    #[test]
    fn go_json_rejects_missing_newline_and_spaces() {
        assert!(go_encoded(b"{\"a\":1}\n").is_ok());
        assert!(go_encoded(b"{\"a\":1}").unwrap_err().contains("newline"));
        assert!(go_encoded(b"{\"a\": 1}\n").is_err());
        assert!(go_encoded(b"{\"a\":\"<\"}\n").is_err());
        assert!(go_encoded(b"{\"a\":\"\\ufffd\"}\n").is_ok());
    }
}
