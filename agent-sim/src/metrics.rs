//! The simulator's request metrics and the `/debug/prometheus` body: the agent registry's
//! always-present counters plus `agent_sim_http_requests_total`, written in the Prometheus text
//! format the way `expfmt.MetricFamilyToText` writes it (HELP even when empty, families sorted).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

#[derive(Debug, Default)]
pub struct Metrics {
    /// (method, route group, status) and its count, in first-seen order: a handful of
    /// entries, scanned without hashing or allocating (sorted when rendered).
    requests: Mutex<Vec<(http::Method, &'static str, u16, u64)>>,
    /// Handler panics the Recover layer answered (injected `panic` faults not counted).
    panics: AtomicU64,
}

/// The agent registry's plain counters, which always appear (with 0 in a fresh agent).
const AGENT_COUNTERS: [&str; 4] = [
    "agent_reconnecting_pty_connections_total",
    "agent_ssh_server_failed_connections_total",
    "agent_ssh_server_sftp_connections_total",
    "agent_ssh_server_sftp_server_errors_total",
];

/// The label of requests outside the known route groups (one static, so one pointer).
static OTHER: &str = "other";

const SIM_REQUESTS: &str = "agent_sim_http_requests_total";
const SIM_PANICS: &str = "agent_sim_handler_panics_total";
const SIM_LOG_DROPS: &str = "agent_sim_log_lines_dropped_total";

impl Metrics {
    pub fn observe(&self, method: &http::Method, path: &str, status: u16) {
        let route = route_label(path);
        let mut m = self.requests.lock().unwrap_or_else(|p| p.into_inner());
        // Route labels are the `KNOWN` constants: the same label is the same pointer.
        let hit = m
            .iter_mut()
            .find(|(m, r, s, _)| *s == status && std::ptr::eq(*r, route) && m == method);
        match hit {
            Some((.., n)) => *n += 1,
            None => m.push((method.clone(), route, status, 1)),
        }
    }

    /// A handler panicked and the Recover layer answered 500.
    pub fn panicked(&self) {
        self.panics.fetch_add(1, Ordering::Relaxed);
    }

    /// Handler panics so far.
    pub fn panics(&self) -> u64 {
        self.panics.load(Ordering::Relaxed)
    }

    pub fn reset(&self) {
        self.requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }

    /// The `/debug/prometheus` body.
    pub fn render(&self) -> String {
        let mut families: BTreeMap<&str, String> = BTreeMap::new();
        for name in AGENT_COUNTERS {
            families.insert(
                name,
                format!("# HELP {name} \n# TYPE {name} counter\n{name} 0\n"),
            );
        }
        let reqs = self.requests.lock().unwrap_or_else(|p| p.into_inner());
        if !reqs.is_empty() {
            let mut s = format!(
                "# HELP {SIM_REQUESTS} Requests answered by the simulated agent API.\n# TYPE {SIM_REQUESTS} counter\n"
            );
            let mut sorted: Vec<_> = reqs.iter().collect();
            sorted.sort_by(|a, b| (a.0.as_str(), a.1, a.2).cmp(&(b.0.as_str(), b.1, b.2)));
            for (method, route, status, n) in sorted {
                let _ = writeln!(
                    s,
                    "{SIM_REQUESTS}{{method=\"{}\",route=\"{}\",status=\"{status}\"}} {n}",
                    escape_label(method.as_str()),
                    escape_label(route)
                );
            }
            families.insert(SIM_REQUESTS, s);
        }
        // The simulator's own trouble counters appear once they are non-zero, so a healthy
        // agent's page stays what the snapshots show.
        for (name, help, n) in [
            (
                SIM_PANICS,
                "Handler panics answered by the Recover layer.",
                self.panics(),
            ),
            (
                SIM_LOG_DROPS,
                "Log lines dropped because stderr was not being read.",
                crate::logging::dropped_lines(),
            ),
        ] {
            if n > 0 {
                families.insert(
                    name,
                    format!("# HELP {name} {help}\n# TYPE {name} counter\n{name} {n}\n"),
                );
            }
        }
        families.into_values().collect()
    }
}

/// Keeps label cardinality bounded: known route prefixes, everything else `other`.
fn route_label(path: &str) -> &'static str {
    static KNOWN: [&str; 11] = [
        "/api/v0/listening-ports",
        "/api/v0/netcheck",
        "/api/v0/containers",
        "/api/v0/processes",
        "/debug/logs",
        "/debug/magicsock/debug-logging",
        "/debug/magicsock",
        "/debug/manifest",
        "/debug/prometheus",
        "/api/v0",
        "/",
    ];
    // The groups under one prefix only (this runs on every request).
    let candidates: &[&'static str] = if path == "/" {
        &KNOWN[10..]
    } else if path.starts_with("/api/v0") {
        &KNOWN[..4]
    } else if path.starts_with("/debug/") {
        &KNOWN[4..9]
    } else {
        &[]
    };
    for k in candidates {
        let under = path.strip_prefix(*k).is_some_and(|r| r.starts_with('/'));
        if path == *k || under {
            return k;
        }
    }
    if path == KNOWN[9] || path.starts_with("/api/v0/") {
        return KNOWN[9];
    }
    OTHER
}

fn escape_label(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_registry_has_plain_counters_sorted() {
        let body = Metrics::default().render();
        assert!(body.starts_with(
            "# HELP agent_reconnecting_pty_connections_total \n# TYPE agent_reconnecting_pty_connections_total counter\nagent_reconnecting_pty_connections_total 0\n"
        ));
        assert!(!body.contains(SIM_REQUESTS));
    }

    #[test]
    fn route_labels() {
        for (path, label) in [
            ("/", "/"),
            ("/api/v0", "/api/v0"),
            ("/api/v0/", "/api/v0"),
            ("/api/v0/list-directory", "/api/v0"),
            ("/api/v0x", "other"),
            ("/api/v0/listening-ports", "/api/v0/listening-ports"),
            ("/api/v0/listening-portsx", "/api/v0"),
            ("/api/v0/containers/watch", "/api/v0/containers"),
            ("/api/v0/processes/1/output", "/api/v0/processes"),
            ("/debug/magicsock", "/debug/magicsock"),
            (
                "/debug/magicsock/debug-logging/t",
                "/debug/magicsock/debug-logging",
            ),
            ("/debug/logs", "/debug/logs"),
            ("/debug", "other"),
            ("/debug/nope", "other"),
            ("//", "other"),
        ] {
            assert_eq!(route_label(path), label, "{path}");
        }
    }

    #[test]
    fn counts_requests_by_route_group() {
        let m = Metrics::default();
        m.observe(&http::Method::GET, "/api/v0/processes/abc/output", 200);
        m.observe(&http::Method::GET, "/api/v0/processes/x", 200);
        m.observe(&http::Method::GET, "/nope", 404);
        let body = m.render();
        assert!(body.contains(
            "agent_sim_http_requests_total{method=\"GET\",route=\"/api/v0/processes\",status=\"200\"} 2\n"
        ));
        assert!(body.contains("route=\"other\",status=\"404\"} 1\n"));
    }
}
