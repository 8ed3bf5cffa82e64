//! The HTTP side of the suite: a request as data, a fully read response, and a client that
//! turns every way a target can misbehave (hang, reset, garbage, slow, closed mid-body) into a
//! clear one-line reason instead of a panic or a stuck run.

use futures::StreamExt;
use std::fmt::Write as _;
use std::time::Duration;

/// Responses larger than this are cut and reported as an error (no agent route sends more
/// than the 10 MiB log file), so a target that streams without end cannot exhaust memory.
pub const MAX_BODY: usize = 16 * 1024 * 1024;

/// One request, relative to the target (`path` includes the query string).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
}

impl Request {
    pub fn new(method: &str, path: &str) -> Self {
        Self {
            method: method.to_string(),
            path: path.to_string(),
            headers: Vec::new(),
            body: None,
        }
    }

    pub fn get(path: &str) -> Self {
        Self::new("GET", path)
    }

    pub fn with_body(mut self, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        self.headers
            .push(("Content-Type".to_string(), content_type.to_string()));
        self.body = Some(body.into());
        self
    }

    /// `GET /path` style summary.
    pub fn line(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    /// A readable rendering for reports: request line, headers, body.
    pub fn render(&self, base: &str) -> String {
        let mut s = format!("{} {}{}\n", self.method, base, self.path);
        for (k, v) in &self.headers {
            let _ = writeln!(s, "{k}: {v}");
        }
        if let Some(b) = &self.body {
            let _ = write!(s, "\n{}", String::from_utf8_lossy(b));
        }
        s
    }

    /// A `curl` command that sends the same request.
    pub fn curl(&self, base: &str) -> String {
        let mut s = String::from("curl -sS -i --path-as-is");
        if self.method == "HEAD" {
            s.push_str(" --head");
        } else if self.method != "GET" || self.body.is_some() {
            let _ = write!(s, " -X {}", self.method);
        }
        for (k, v) in &self.headers {
            let _ = write!(s, " -H {}", shell_quote(&format!("{k}: {v}")));
        }
        if let Some(b) = &self.body {
            let _ = write!(
                s,
                " --data-binary {}",
                shell_quote(&String::from_utf8_lossy(b))
            );
        }
        let _ = write!(s, " {}", shell_quote(&format!("{base}{}", self.path)));
        s
    }
}

/// Single-quotes `s` for a POSIX shell.
pub fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// A response read to the end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    /// Header names lower-cased, in arrival order, repeated headers kept.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a header.
    pub fn header_all(&self, name: &str) -> Vec<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .filter(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Status, the headers that matter and the body, for reports.
    pub fn render(&self) -> String {
        let mut s = format!("status: {}\n", self.status);
        for (k, v) in &self.headers {
            if k != "date" {
                let _ = writeln!(s, "{k}: {v}");
            }
        }
        let _ = write!(s, "\n{}", self.text());
        s
    }
}

/// Why no complete response could be read.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum HttpError {
    #[error("cannot connect to {url}: {reason}")]
    Connect { url: String, reason: String },
    #[error("no complete response within {ms} ms (the target hangs or is too slow)")]
    Timeout { ms: u64 },
    #[error("response body still arriving after {ms} ms ({read} bytes read; the body never ends or is too slow)")]
    Streaming { ms: u64, read: usize },
    #[error("connection failed before a response: {0}")]
    NoResponse(String),
    #[error("response body cut off after {read} bytes: {reason}")]
    BodyCut { read: usize, reason: String },
    #[error("response body larger than {} MiB: the suite reads at most that much of a response", MAX_BODY >> 20)]
    TooLarge,
    #[error("invalid request: {0}")]
    Invalid(String),
}

impl HttpError {
    /// The kind of transport failure, without numbers that vary (for snapshots).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Connect { .. } => "cannot connect",
            Self::Timeout { .. } => "no response (the agent hangs until the client gives up)",
            Self::Streaming { .. } => "response body never ends",
            Self::NoResponse(_) => "connection closed before a response",
            Self::BodyCut { .. } => "response body cut off",
            Self::TooLarge => "response body too large",
            Self::Invalid(_) => "invalid request",
        }
    }

    /// Whether the target could not be reached at all (the CLI's exit 2).
    pub fn is_unreachable(&self) -> bool {
        matches!(self, Self::Connect { .. })
    }
}

/// Sends requests with a per-request timeout covering headers and the whole body.
#[derive(Debug, Clone)]
pub struct Client {
    inner: reqwest::Client,
    timeout: Duration,
}

impl Client {
    pub fn new(timeout: Duration) -> Self {
        let inner = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(4)
            .build()
            .unwrap_or_default();
        Self { inner, timeout }
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The same connection pool with another per-request timeout.
    pub fn with_timeout(&self, timeout: Duration) -> Self {
        Self {
            inner: self.inner.clone(),
            timeout,
        }
    }

    /// Sends `req` to `base` (e.g. `http://127.0.0.1:4`) and reads the whole response.
    pub async fn send(&self, base: &str, req: &Request) -> Result<Response, HttpError> {
        let ms = self.timeout.as_millis() as u64;
        // Body bytes read so far, to tell a hung target from one whose body never ends.
        let read = std::sync::atomic::AtomicUsize::new(0);
        match tokio::time::timeout(self.timeout, self.send_inner(base, req, &read)).await {
            Ok(r) => r,
            Err(_) => match read.load(std::sync::atomic::Ordering::Relaxed) {
                0 => Err(HttpError::Timeout { ms }),
                read => Err(HttpError::Streaming { ms, read }),
            },
        }
    }

    async fn send_inner(
        &self,
        base: &str,
        req: &Request,
        read: &std::sync::atomic::AtomicUsize,
    ) -> Result<Response, HttpError> {
        let url = format!("{base}{}", req.path);
        let method = reqwest::Method::from_bytes(req.method.as_bytes())
            .map_err(|e| HttpError::Invalid(format!("method {:?}: {e}", req.method)))?;
        let parsed = reqwest::Url::parse(&url)
            .map_err(|e| HttpError::Invalid(format!("url {url:?}: {e}")))?;
        let mut builder = self.inner.request(method, parsed);
        for (k, v) in &req.headers {
            builder = builder.header(k, v);
        }
        if let Some(b) = &req.body {
            builder = builder.body(b.clone());
        }
        let resp = builder.send().await.map_err(|e| {
            if e.is_connect() {
                HttpError::Connect {
                    url: base.to_string(),
                    reason: chain(&e),
                }
            } else {
                HttpError::NoResponse(chain(&e))
            }
        })?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let mut body = Vec::new();
        let mut stream = resp.bytes_stream();
        while let Some(chunk) = stream.next().await {
            match chunk {
                Ok(c) => {
                    if body.len() + c.len() > MAX_BODY {
                        return Err(HttpError::TooLarge);
                    }
                    body.extend_from_slice(&c);
                    read.store(body.len(), std::sync::atomic::Ordering::Relaxed);
                }
                Err(e) => {
                    return Err(HttpError::BodyCut {
                        read: body.len(),
                        reason: chain(&e),
                    })
                }
            }
        }
        Ok(Response {
            status,
            headers,
            body,
        })
    }
}

/// An error and its sources on one line.
fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(src) = cur {
        let t = src.to_string();
        if !s.contains(&t) {
            let _ = write!(s, ": {t}");
        }
        cur = src.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curl_quotes_and_uses_head_flag() {
        let r = Request::new("HEAD", "/it's");
        assert_eq!(
            r.curl("http://h"),
            "curl -sS -i --path-as-is --head 'http://h/it'\\''s'"
        );
        let r = Request::new("POST", "/x").with_body("application/json", "{}");
        assert_eq!(
            r.curl("http://h"),
            "curl -sS -i --path-as-is -X POST -H 'Content-Type: application/json' --data-binary '{}' 'http://h/x'"
        );
    }
}
