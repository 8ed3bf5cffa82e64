//! The request journal: a bounded, newest-last record of the agent requests the simulator
//! answered (method, path, query, status, duration, time, and the fault that hit it, if any),
//! served by `GET /__sim/requests` and `Sim::requests()`.
//!
//! The request path hands over a [`Request`] (arrival time as a clock reading, method as an
//! `http::Method`); the RFC 3339 time and the method string of a [`JournalEntry`] are only
//! written when the journal is read.

use http::Method;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::SystemTime;

/// Entries kept by default before the oldest are dropped.
pub const DEFAULT_CAPACITY: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JournalEntry {
    /// Sequence number, increasing over the simulator's life (survives `DELETE`).
    pub seq: u64,
    /// When the request arrived, RFC 3339 UTC.
    pub time: String,
    pub method: String,
    pub path: String,
    pub query: String,
    /// Status sent; `null` when no response was sent (connection reset, hang).
    pub status: Option<u16>,
    pub duration_ms: f64,
    /// The fault injected into this request, if any (e.g. `latency`, `reset`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault: Option<String>,
}

/// Filters for [`Journal::entries`].
#[derive(Debug, Clone, Default, Deserialize)]
pub struct JournalFilter {
    pub path: Option<String>,
    pub method: Option<String>,
}

impl JournalFilter {
    fn matches(&self, e: &Kept) -> bool {
        self.path.as_deref().is_none_or(|p| e.request.path == p)
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
    pub method: Method,
    pub path: String,
    pub query: String,
    /// Status sent; `None` when no response was sent (connection reset, hang).
    pub status: Option<u16>,
    pub duration_ms: f64,
    /// The fault injected into this request, if any.
    pub fault: Option<String>,
}

/// A request as the journal keeps it: with its sequence number.
#[derive(Debug)]
struct Kept {
    seq: u64,
    request: Request,
}

impl Kept {
    fn to_entry(&self) -> JournalEntry {
        let r = &self.request;
        JournalEntry {
            seq: self.seq,
            time: rfc3339(r.arrived),
            method: r.method.as_str().to_string(),
            path: r.path.clone(),
            query: r.query.clone(),
            status: r.status,
            duration_ms: r.duration_ms,
            fault: r.fault.clone(),
        }
    }
}

#[derive(Debug)]
pub struct Journal {
    entries: Mutex<VecDeque<Kept>>,
    capacity: usize,
    seq: AtomicU64,
}

impl Default for Journal {
    fn default() -> Self {
        Self::with_capacity(DEFAULT_CAPACITY)
    }
}

impl Journal {
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            // Grown on demand: an idle agent (fleet mode) keeps no buffer.
            entries: Mutex::new(VecDeque::new()),
            capacity: capacity.max(1),
            seq: AtomicU64::new(0),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<Kept>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Appends a request (its `seq` is assigned here), dropping the oldest beyond capacity.
    pub fn record(&self, request: Request) {
        let seq = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
        let mut q = self.lock();
        if q.len() >= self.capacity {
            q.pop_front();
        }
        q.push_back(Kept { seq, request });
    }

    pub fn entries(&self, filter: &JournalFilter) -> Vec<JournalEntry> {
        self.lock()
            .iter()
            .filter(|e| filter.matches(e))
            .map(Kept::to_entry)
            .collect()
    }

    pub fn clear(&self) {
        self.lock().clear();
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Now as RFC 3339 UTC with milliseconds.
pub fn now_rfc3339() -> String {
    rfc3339(SystemTime::now())
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
            path: path.into(),
            query: String::new(),
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

    #[test]
    fn time_format() {
        let t = now_rfc3339();
        assert_eq!(t.len(), 24, "{t}");
        assert!(t.ends_with('Z'));
    }
}

/// Response extension naming the fault injected into a request, read by the journal.
#[derive(Debug, Clone)]
pub struct FaultTag(pub String);
