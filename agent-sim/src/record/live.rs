//! The recorder's only way to the live agent: the GET routes `agent-sim record` reads, plus
//! `list-directory` and `read-file` for `--files`. Nothing here can send any other request,
//! so a recording never changes the agent.

use std::time::Duration;

/// The GET routes a recording reads, in the order it reads them.
pub const ROUTES: [&str; 6] = [
    "/debug/manifest",
    "/api/v0/listening-ports",
    "/api/v0/netcheck",
    "/api/v0/containers",
    "/debug/logs",
    "/debug/magicsock",
];

/// The files routes `--files` reads (`POST` list-directory only reads).
pub const LIST_DIRECTORY: &str = "/api/v0/list-directory";
pub const READ_FILE: &str = "/api/v0/read-file";

/// What the live agent answered to one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

impl Answer {
    /// The body as text, for notes.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Why the live agent could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    #[error("{url:?} is not a base URL: {reason}")]
    BadUrl { url: String, reason: String },
    #[error("{method} {path}: {reason}")]
    Request {
        method: &'static str,
        path: String,
        /// The error and its causes on one line ("no answer within the timeout" for one).
        reason: String,
    },
}

/// A read-only client for one agent.
#[derive(Debug, Clone)]
pub struct Live {
    base: reqwest::Url,
    client: reqwest::Client,
}

impl Live {
    pub fn new(base: &str, timeout: Duration) -> Result<Self, LiveError> {
        let bad = |reason: String| LiveError::BadUrl {
            url: base.to_string(),
            reason,
        };
        let base =
            reqwest::Url::parse(base.trim_end_matches('/')).map_err(|e| bad(e.to_string()))?;
        if base.scheme() != "http" {
            // The client is built without TLS; agents are reached over plain HTTP (tailnet,
            // `coder port-forward`).
            return Err(bad("the scheme must be http (this build has no TLS)".into()));
        }
        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .build()
            .map_err(|e| bad(e.to_string()))?;
        Ok(Self { base, client })
    }

    /// The base URL, without a trailing slash.
    pub fn base(&self) -> String {
        self.base.as_str().trim_end_matches('/').to_string()
    }

    fn url(&self, path_and_query: &str) -> String {
        format!("{}{path_and_query}", self.base())
    }

    /// `GET` one of `ROUTES`.
    pub async fn get(&self, route: &'static str) -> Result<Answer, LiveError> {
        self.send("GET", route.to_string(), self.client.get(self.url(route)))
            .await
    }

    /// `GET /api/v0/read-file?path=…`, with `&limit=N` when given (at most N bytes).
    pub async fn read_file(&self, path: &str, limit: Option<u64>) -> Result<Answer, LiveError> {
        let mut req = self
            .client
            .get(self.url(READ_FILE))
            .query(&[("path", path)]);
        if let Some(n) = limit {
            req = req.query(&[("limit", n)]);
        }
        self.send("GET", format!("{READ_FILE}?path={path}"), req)
            .await
    }

    /// `POST /api/v0/list-directory` with the path's components relative to `/`.
    pub async fn list_directory(&self, components: &[String]) -> Result<Answer, LiveError> {
        let body = serde_json::json!({ "path": components, "relativity": "root" });
        let req = self.client.post(self.url(LIST_DIRECTORY)).json(&body);
        self.send("POST", LIST_DIRECTORY.to_string(), req).await
    }

    async fn send(
        &self,
        method: &'static str,
        path: String,
        req: reqwest::RequestBuilder,
    ) -> Result<Answer, LiveError> {
        let fail = |e: reqwest::Error| LiveError::Request {
            method,
            path: path.clone(),
            reason: reason(&e),
        };
        let resp = req.send().await.map_err(fail)?;
        let status = resp.status().as_u16();
        let content_type = resp
            .headers()
            .get(http::header::CONTENT_TYPE)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        let body = resp.bytes().await.map_err(fail)?.to_vec();
        Ok(Answer {
            status,
            content_type,
            body,
        })
    }
}

/// A client error and its causes on one line.
fn reason(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        return "no answer within the timeout".into();
    }
    let mut text = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        let t = c.to_string();
        if !text.contains(&t) {
            text.push_str(": ");
            text.push_str(&t);
        }
        cause = c.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_http_base_urls() {
        let t = Duration::from_secs(1);
        assert_eq!(
            Live::new("http://127.0.0.1:4/", t).map(|l| l.base()).ok(),
            Some("http://127.0.0.1:4".to_string())
        );
        for bad in ["https://127.0.0.1:4", "127.0.0.1:4", "ftp://x"] {
            assert!(Live::new(bad, t).is_err(), "{bad}");
        }
    }
}
