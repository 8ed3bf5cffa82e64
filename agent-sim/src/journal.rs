//! The request journal: a bounded, newest-last record of the agent requests the simulator
//! answered (method, path, query, status, duration, time, and the fault that hit it, if any),
//! served by `GET /__sim/requests` and `Sim::requests()`. Requests that went through the
//! agent router also keep their headers and the start of their body ([`Capture`]), read as
//! [`ReceivedRequest`]s by `Sim::received_requests()`; every request is also counted by the
//! expectations registered with `Sim::expect`.
//!
//! The request path hands over a [`Request`] (arrival time as a clock reading, method as an
//! `http::Method`); the RFC 3339 time and the method string of a [`JournalEntry`] are only
//! written when the journal is read.

// `FaultTag` is named here by the tower stack (app.rs).
pub use crate::fault_plan::FaultTag;
use crate::verify::Expectations;
use http::{HeaderMap, Method};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::SystemTime;

/// Entries kept by default before the oldest are dropped.
pub const DEFAULT_CAPACITY: usize = 10_000;

/// Request body bytes kept per request by default (see `SimBuilder::body_limit`).
pub const DEFAULT_BODY_LIMIT: usize = 16 * 1024;

/// One journal entry as `GET /__sim/requests` serves it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JournalEntry {
    /// Sequence number, increasing over the simulator's life (survives `DELETE`).
    pub seq: u64,
    /// When the request arrived, RFC 3339 UTC.
    pub time: String,
    /// The request method, e.g. `POST`.
    pub method: String,
    /// The request path as sent (still percent-encoded).
    pub path: String,
    /// The raw query string without `?` (empty when there is none).
    pub query: String,
    /// Status sent; `null` when no response was sent (connection reset, hang).
    pub status: Option<u16>,
    /// Time from arrival to the answer, in milliseconds.
    pub duration_ms: f64,
    /// The fault injected into this request, if any (e.g. `latency`, `reset`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault: Option<String>,
}

/// Filters for [`Journal::entries`].
#[derive(Debug, Clone, Default, Deserialize)]
pub struct JournalFilter {
    /// Only requests to exactly this path.
    pub path: Option<String>,
    /// Only requests with this method (any case).
    pub method: Option<String>,
}

impl JournalFilter {
    fn matches(&self, e: &Kept) -> bool {
        self.path.as_deref().is_none_or(|p| e.request.path() == p)
            && self
                .method
                .as_deref()
                .is_none_or(|m| e.request.method.as_str().eq_ignore_ascii_case(m))
    }
}

/// One answered (or abandoned) request, as the request path records it.
#[derive(Debug, Clone)]
pub struct Request {
    /// When the request arrived.
    pub arrived: SystemTime,
    /// The request method.
    pub method: Method,
    /// The request target as sent: path and query, read when the journal is read (cloning a
    /// `Uri` shares its bytes, so recording copies nothing).
    pub uri: http::Uri,
    /// Status sent; `None` when no response was sent (connection reset, hang).
    pub status: Option<u16>,
    /// Time from arrival to the answer, in milliseconds.
    pub duration_ms: f64,
    /// The fault injected into this request, if any.
    pub fault: Option<String>,
}

impl Request {
    /// The path as sent (still percent-encoded).
    pub fn path(&self) -> &str {
        self.uri.path()
    }

    /// The raw query string without `?` (empty when there is none).
    pub fn query(&self) -> &str {
        self.uri.query().unwrap_or_default()
    }
}

/// What the agent router keeps of a request besides its [`Request`] line: the headers and up
/// to the body limit of the body, as the handler read it.
#[derive(Debug, Clone, Default)]
pub struct Capture {
    /// The request headers, in order (a `HeaderMap` is built only when they are read: a list
    /// costs one allocation per request, a map three).
    pub headers: Vec<(http::HeaderName, http::HeaderValue)>,
    /// The body bytes the handler read, at most the journal's body limit.
    pub body: Vec<u8>,
    /// Whether the body was longer than what is kept.
    pub body_truncated: bool,
}

/// A request as the journal keeps it: with its sequence number and what was captured.
#[derive(Debug)]
struct Kept {
    seq: u64,
    request: Request,
    capture: Option<Capture>,
}

/// A request the simulator received, as `Sim::received_requests()` returns it: the request
/// line, headers and body, and what the simulator did with it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ReceivedRequest {
    /// Sequence number, increasing over the simulator's life (the journal's `seq`).
    pub seq: u64,
    /// When the request arrived.
    pub time: SystemTime,
    /// The request method.
    pub method: Method,
    /// The request path as sent (still percent-encoded).
    pub path: String,
    /// The raw query string without `?` (empty when there is none).
    pub query: String,
    /// The request headers. Empty for a request that never got an answer (a `hang` fault the
    /// client gave up on), which is journaled without them.
    pub headers: HeaderMap,
    /// The request body as the agent read it, at most the body limit
    /// (`SimBuilder::body_limit`, 16 KiB by default); see [`body_truncated`](Self::body_truncated).
    pub body: Vec<u8>,
    /// Whether [`body`](Self::body) holds only the start of a longer body.
    pub body_truncated: bool,
    /// The status sent; `None` when no response was sent (a `reset` or `hang` fault).
    pub status: Option<u16>,
    /// Time from arrival to the answer.
    pub duration: std::time::Duration,
    /// The faults injected into this request, if any (`latency`, `status`, `latency+reset`…).
    pub fault: Option<String>,
}

impl ReceivedRequest {
    /// The body parsed as JSON.
    pub fn body_json<T: serde::de::DeserializeOwned>(&self) -> serde_json::Result<T> {
        serde_json::from_slice(&self.body)
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn body_text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }
}

impl std::fmt::Display for ReceivedRequest {
    /// One line: `#SEQ METHOD PATH[?QUERY] -> STATUS`, then the body (shortened) if any.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "#{} {} {}", self.seq, self.method, self.path)?;
        if !self.query.is_empty() {
            write!(f, "?{}", self.query)?;
        }
        match self.status {
            Some(s) => write!(f, " -> {s}")?,
            None => f.write_str(" -> no response")?,
        }
        if let Some(fault) = &self.fault {
            write!(f, " (fault: {fault})")?;
        }
        if !self.body.is_empty() {
            const SHOWN: usize = 200;
            let text = self.body_text();
            let cut: String = text.chars().take(SHOWN).collect();
            let more = text.chars().count() > SHOWN || self.body_truncated;
            write!(f, " body: {cut}{}", if more { "…" } else { "" })?;
        }
        Ok(())
    }
}

impl Kept {
    fn to_received(&self) -> ReceivedRequest {
        let r = &self.request;
        let capture = self.capture.as_ref();
        ReceivedRequest {
            seq: self.seq,
            time: r.arrived,
            method: r.method.clone(),
            path: r.path().to_string(),
            query: r.query().to_string(),
            headers: capture
                .map(|c| c.headers.iter().cloned().collect())
                .unwrap_or_default(),
            body: capture.map(|c| c.body.clone()).unwrap_or_default(),
            body_truncated: capture.is_some_and(|c| c.body_truncated),
            status: r.status,
            duration: std::time::Duration::from_secs_f64(r.duration_ms.max(0.0) / 1000.0),
            fault: r.fault.clone(),
        }
    }

    fn to_entry(&self) -> JournalEntry {
        let r = &self.request;
        JournalEntry {
            seq: self.seq,
            time: rfc3339(r.arrived),
            method: r.method.as_str().to_string(),
            path: r.path().to_string(),
            query: r.query().to_string(),
            status: r.status,
            duration_ms: r.duration_ms,
            fault: r.fault.clone(),
        }
    }
}

/// The bounded journal; see the module docs.
#[derive(Debug)]
pub struct Journal {
    entries: Mutex<VecDeque<Kept>>,
    capacity: usize,
    seq: AtomicU64,
    body_limit: AtomicUsize,
    expectations: Expectations,
}

impl Default for Journal {
    fn default() -> Self {
        Self::with_capacity(DEFAULT_CAPACITY)
    }
}

impl Journal {
    /// A journal keeping the newest `capacity` requests (at least one).
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            // Grown on demand: an idle agent (fleet mode) keeps no buffer.
            entries: Mutex::new(VecDeque::new()),
            capacity: capacity.max(1),
            seq: AtomicU64::new(0),
            body_limit: AtomicUsize::new(DEFAULT_BODY_LIMIT),
            expectations: Expectations::default(),
        }
    }

    /// Request body bytes kept per request.
    pub fn body_limit(&self) -> usize {
        self.body_limit.load(Ordering::Relaxed)
    }

    /// Changes how many body bytes are kept per request (0: none).
    pub fn set_body_limit(&self, limit: usize) {
        self.body_limit.store(limit, Ordering::Relaxed);
    }

    /// The expectations counting the requests recorded from now on.
    pub fn expectations(&self) -> &Expectations {
        &self.expectations
    }

    /// The sequence number the next request will get.
    pub fn next_seq(&self) -> u64 {
        self.seq.load(Ordering::Relaxed) + 1
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<Kept>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Appends a request (its `seq` is assigned here), dropping the oldest beyond capacity.
    pub fn record(&self, request: Request) {
        self.record_captured(request, None);
    }

    /// Appends a request with its headers and body.
    pub fn record_captured(&self, request: Request, capture: Option<Capture>) {
        self.expectations.observe(&request.method, request.path());
        let mut q = self.lock();
        // Numbered under the lock, so the journal stays in `seq` order.
        let seq = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
        if q.len() >= self.capacity {
            q.pop_front();
        }
        q.push_back(Kept {
            seq,
            request,
            capture,
        });
    }

    /// The kept requests, oldest first, with their headers and bodies.
    pub fn received(&self) -> Vec<ReceivedRequest> {
        self.lock().iter().map(Kept::to_received).collect()
    }

    /// The kept requests that pass `filter`, oldest first.
    pub fn entries(&self, filter: &JournalFilter) -> Vec<JournalEntry> {
        self.lock()
            .iter()
            .filter(|e| filter.matches(e))
            .map(Kept::to_entry)
            .collect()
    }

    /// Forgets every kept request (`DELETE /__sim/requests`); numbering goes on.
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// How many requests are kept.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no request is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// `at` as RFC 3339 UTC with milliseconds, without a date crate. The date-and-seconds part is
/// formatted once per second per thread (a journal read formats every entry).
pub fn rfc3339(at: SystemTime) -> String {
    thread_local! {
        static PREFIX: std::cell::RefCell<(i64, String)> =
            const { std::cell::RefCell::new((i64::MIN, String::new())) };
    }
    let now = at.duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let secs = now.as_secs() as i64;
    let millis = now.subsec_millis();
    let mut out = String::with_capacity(24);
    PREFIX.with(|cell| {
        let mut cached = cell.borrow_mut();
        if cached.0 != secs {
            *cached = (secs, rfc3339_seconds(secs));
        }
        out.push_str(&cached.1);
    });
    out.push('.');
    for d in [millis / 100, millis / 10 % 10, millis % 10] {
        out.push(char::from(b'0' + d as u8));
    }
    out.push('Z');
    out
}

/// `YYYY-MM-DDTHH:MM:SS` for a Unix time in seconds.
fn rfc3339_seconds(secs: i64) -> String {
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = crate::gotime::civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, method: &str) -> Request {
        Request {
            arrived: SystemTime::now(),
            method: method.parse().unwrap(),
            uri: path.parse().unwrap(),
            status: Some(200),
            duration_ms: 0.1,
            fault: None,
        }
    }

    #[test]
    fn bounded_and_newest_last() {
        let j = Journal::with_capacity(3);
        for i in 0..5 {
            j.record(entry(&format!("/{i}"), "GET"));
        }
        let all = j.entries(&JournalFilter::default());
        let paths: Vec<_> = all.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["/2", "/3", "/4"]);
        assert_eq!(all[2].seq, 5);
    }

    #[test]
    fn filters_by_path_and_method() {
        let j = Journal::default();
        j.record(entry("/a", "GET"));
        j.record(entry("/a", "POST"));
        j.record(entry("/b", "GET"));
        let f = JournalFilter {
            path: Some("/a".into()),
            method: Some("post".into()),
        };
        assert_eq!(j.entries(&f).len(), 1);
    }

    #[test]
    fn seconds_format_known_dates() {
        assert_eq!(rfc3339_seconds(0), "1970-01-01T00:00:00");
        assert_eq!(rfc3339_seconds(951_782_400), "2000-02-29T00:00:00");
        assert_eq!(rfc3339_seconds(1_780_747_199), "2026-06-06T11:59:59");
    }

    #[test]
    fn entries_format_the_arrival_time() {
        let j = Journal::default();
        let at = std::time::UNIX_EPOCH + std::time::Duration::from_millis(951_782_400_042);
        j.record(Request {
            arrived: at,
            ..entry("/a", "PATCH")
        });
        let e = &j.entries(&JournalFilter::default())[0];
        assert_eq!(e.time, "2000-02-29T00:00:00.042Z");
        assert_eq!(e.method, "PATCH");
    }
}
