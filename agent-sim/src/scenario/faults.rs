//! Fault rules: per-route latency, status, reset, hang or panic, with a probability.
//!
//! A rule names its route as `"METHOD /path/pattern"`: the method is a standard HTTP method or
//! `*` (any); path segments are literals, `{name}` or `*` (exactly one non-empty segment), and
//! a final `*` matches the rest of the path (zero or more segments). A pattern that can never
//! match one of the agent's routes is rejected, so a typo never silently injects nothing.
//!
//! In code, rules are built with [`FaultRule::latency`], [`FaultRule::status`],
//! [`FaultRule::reset`], [`FaultRule::hang`] and [`FaultRule::panic`], each refined with
//! [`FaultRule::probability`]. The constructors never fail: a rule's route and numbers are
//! checked, with the same messages as a JSON scenario's, when the scenario is validated
//! (`SimBuilder::start`, `Sim::update_scenario`, `Sim::set_scenario`, [`Scenario::validate`]),
//! and the error names the rule (`faults[2].route`).
//!
//! [`Scenario::validate`]: super::Scenario::validate

use super::error::ScenarioError;
use crate::gohttp::{path_segments, STANDARD_METHODS};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::Duration;

/// One fault rule of the scenario's `faults` list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRule {
    /// `"METHOD /path/pattern"`, e.g. `"GET /api/v0/processes/{id}/output"`.
    pub route: RoutePattern,
    /// What the rule does.
    pub kind: FaultKind,
    /// `latency`: fixed delay in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ms: Option<u64>,
    /// `latency`: lower bound of a uniformly drawn delay (inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_ms: Option<u64>,
    /// `latency`: upper bound of a uniformly drawn delay (inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_ms: Option<u64>,
    /// `status`: the status code sent instead of the route's answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// `status`: the body; a JSON string is sent as is (Go sniffs its type), any other JSON
    /// value is sent Go-encoded as `application/json; charset=utf-8`. Absent: empty body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<serde_json::Value>,
    /// Chance in `[0, 1]` that the rule fires on a matching request (default 1).
    #[serde(default = "always")]
    pub probability: f64,
}

fn always() -> f64 {
    1.0
}

impl FaultRule {
    fn new(route: &str, kind: FaultKind) -> Self {
        Self {
            route: RoutePattern::unchecked(route),
            kind,
            ms: None,
            min_ms: None,
            max_ms: None,
            status: None,
            body: None,
            probability: always(),
        }
    }

    /// Delays matching requests by `delay` (whole milliseconds, at most an hour), then lets
    /// them through (later rules still apply).
    ///
    /// ```
    /// use agent_sim::FaultRule;
    /// use std::time::Duration;
    /// let slow = FaultRule::latency("GET /api/v0/listening-ports", Duration::from_millis(250))
    ///     .probability(0.5);
    /// assert_eq!(slow.ms, Some(250));
    /// ```
    pub fn latency(route: &str, delay: Duration) -> Self {
        Self {
            ms: Some(u64::try_from(delay.as_millis()).unwrap_or(u64::MAX)),
            ..Self::new(route, FaultKind::Latency)
        }
    }

    /// Delays matching requests by a uniformly drawn time between `min` and `max`.
    pub fn latency_between(route: &str, min: Duration, max: Duration) -> Self {
        let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        Self {
            min_ms: Some(ms(min)),
            max_ms: Some(ms(max)),
            ..Self::new(route, FaultKind::Latency)
        }
    }

    /// Answers matching requests with `status` and `body` instead of the route: a string body
    /// is sent as is (with Go's sniffed content type), any other JSON value Go-encoded as
    /// `application/json`, `null` (`serde_json::Value::Null`) as an empty body.
    ///
    /// ```
    /// use agent_sim::FaultRule;
    /// let busy = FaultRule::status("POST /api/v0/processes/start", 503, "busy\n");
    /// let json = serde_json::json!({"message": "x"});
    /// let json = FaultRule::status("GET /api/v0/netcheck", 500, json);
    /// assert_eq!(busy.status, Some(503));
    /// assert_eq!(json.body, Some(serde_json::json!({"message": "x"})));
    /// ```
    pub fn status(route: &str, status: u16, body: impl Into<serde_json::Value>) -> Self {
        let body = match body.into() {
            serde_json::Value::Null => None,
            body => Some(body),
        };
        Self {
            status: Some(status),
            body,
            ..Self::new(route, FaultKind::Status)
        }
    }

    /// Closes the connection of matching requests without answering.
    pub fn reset(route: &str) -> Self {
        Self::new(route, FaultKind::Reset)
    }

    /// Never answers matching requests (until the client gives up or the simulator stops).
    pub fn hang(route: &str) -> Self {
        Self::new(route, FaultKind::Hang)
    }

    /// Panics inside the handler stack, so the agent's Recover middleware answers its 500.
    pub fn panic(route: &str) -> Self {
        Self::new(route, FaultKind::Panic)
    }

    /// The chance in `[0, 1]` that the rule fires on a matching request (default 1), drawn
    /// from the scenario's `seed`.
    pub fn probability(mut self, p: f64) -> Self {
        self.probability = p;
        self
    }
}

/// What a rule does to the request it hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FaultKind {
    /// Delay, then answer normally (later rules still apply).
    Latency,
    /// Answer `status` with `body` instead of the route.
    Status,
    /// Close the connection without answering.
    Reset,
    /// Never answer, until the client gives up.
    Hang,
    /// Panic inside the handler stack (the Recover path's 500).
    Panic,
}

impl FaultKind {
    /// The kind's name in a scenario and in the journal (`latency`, `status`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Latency => "latency",
            Self::Status => "status",
            Self::Reset => "reset",
            Self::Hang => "hang",
            Self::Panic => "panic",
        }
    }
}

/// Longest latency a rule may ask for (one hour).
pub const MAX_LATENCY_MS: u64 = 3_600_000;

impl FaultRule {
    /// Checks the rule (`path` is its place in the scenario, e.g. `faults[0]`).
    pub fn validate(&self, origin: &str, path: &str) -> Result<(), ScenarioError> {
        let at = |field: &str| format!("{path}.{field}");
        if let Some(e) = &self.route.error {
            return Err(ScenarioError::invalid(origin, at("route"), e.to_string()));
        }
        if !(0.0..=1.0).contains(&self.probability) {
            return Err(ScenarioError::invalid(
                origin,
                at("probability"),
                format!(
                    "probability must be between 0 and 1, got {}",
                    self.probability
                ),
            ));
        }
        let not_for = |field: &str, present: bool| {
            if present {
                Err(ScenarioError::invalid(
                    origin,
                    at(field),
                    format!("`{field}` does not apply to a {} fault", self.kind.as_str()),
                ))
            } else {
                Ok(())
            }
        };
        let latency_fields = [
            ("ms", self.ms.is_some()),
            ("min_ms", self.min_ms.is_some()),
            ("max_ms", self.max_ms.is_some()),
        ];
        let status_fields = [
            ("status", self.status.is_some()),
            ("body", self.body.is_some()),
        ];
        match self.kind {
            FaultKind::Latency => {
                for (f, p) in status_fields {
                    not_for(f, p)?;
                }
                self.validate_latency(origin, path)
            }
            FaultKind::Status => {
                for (f, p) in latency_fields {
                    not_for(f, p)?;
                }
                match self.status {
                    None => Err(ScenarioError::invalid(
                        origin,
                        at("status"),
                        "a status fault needs `status` (200 to 599)",
                    )),
                    Some(s) if !(200..=599).contains(&s) => Err(ScenarioError::invalid(
                        origin,
                        at("status"),
                        format!("status must be between 200 and 599, got {s}"),
                    )),
                    Some(_) => Ok(()),
                }
            }
            FaultKind::Reset | FaultKind::Hang | FaultKind::Panic => {
                for (f, p) in latency_fields.into_iter().chain(status_fields) {
                    not_for(f, p)?;
                }
                Ok(())
            }
        }
    }

    fn validate_latency(&self, origin: &str, path: &str) -> Result<(), ScenarioError> {
        let bad = |field: &str, msg: String| {
            Err(ScenarioError::invalid(
                origin,
                format!("{path}.{field}"),
                msg,
            ))
        };
        match (self.ms, self.min_ms, self.max_ms) {
            (Some(ms), None, None) if ms <= MAX_LATENCY_MS => Ok(()),
            (Some(ms), None, None) => bad("ms", format!("{ms} ms exceeds {MAX_LATENCY_MS}")),
            (Some(_), _, _) => bad(
                "ms",
                "give either `ms` or `min_ms` and `max_ms`, not both".into(),
            ),
            (None, Some(min), Some(max)) if min > max => bad(
                "min_ms",
                format!("min_ms ({min}) is greater than max_ms ({max})"),
            ),
            (None, Some(_), Some(max)) if max > MAX_LATENCY_MS => {
                bad("max_ms", format!("{max} ms exceeds {MAX_LATENCY_MS}"))
            }
            (None, Some(_), Some(_)) => Ok(()),
            (None, None, Some(_)) => bad("min_ms", "`max_ms` needs `min_ms`".into()),
            (None, Some(_), None) => bad("max_ms", "`min_ms` needs `max_ms`".into()),
            (None, None, None) => bad(
                "ms",
                "a latency fault needs `ms` or `min_ms` and `max_ms`".into(),
            ),
        }
    }

    /// The delay of a latency rule given a uniform draw `r` (any u64).
    pub(crate) fn latency_ms(&self, r: u64) -> u64 {
        match (self.ms, self.min_ms, self.max_ms) {
            (Some(ms), _, _) => ms,
            (None, Some(min), Some(max)) if max >= min => {
                let span = max - min + 1;
                min + r % span
            }
            _ => 0,
        }
    }
}

/// One segment of a route pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PatternSegment {
    /// Exactly this text.
    Literal(String),
    /// `{name}` or `*` in the middle: exactly one non-empty segment.
    One,
    /// `*` as the last segment: the rest of the path, zero or more segments.
    Rest,
}

/// A parsed `"METHOD /path/pattern"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RoutePattern {
    source: String,
    /// `None` for `*` (any method).
    method: Option<http::Method>,
    segments: Vec<PatternSegment>,
    /// Why the pattern is invalid, for one built in code ([`RoutePattern::unchecked`]): it
    /// matches nothing, and validating the rule that holds it fails with this.
    error: Option<PatternError>,
}

impl fmt::Display for RoutePattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

impl From<RoutePattern> for String {
    fn from(p: RoutePattern) -> String {
        p.source
    }
}

/// Why a route pattern was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    /// Not `"METHOD /path"`.
    #[error("route must be \"METHOD /path\", e.g. \"GET /api/v0/listening-ports\"; got {0:?}")]
    Shape(String),
    /// Not `*` nor a standard HTTP method.
    #[error("unknown method {0:?}: want `*` or one of CONNECT, DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT, TRACE")]
    Method(String),
    /// A segment mixing text with `{`, `}` or `*`.
    #[error("bad path segment {0:?}: use literal text, `{{name}}` or `*`")]
    Segment(String),
    /// Well formed, but no request to the agent's routes can match it.
    #[error("route {0:?} never matches an agent route (known routes: {known})", known = known_routes_list())]
    Unknown(String),
}

impl TryFrom<String> for RoutePattern {
    type Error = PatternError;

    fn try_from(source: String) -> Result<Self, PatternError> {
        RoutePattern::parse(&source)
    }
}

impl RoutePattern {
    /// Parses and checks a pattern against the agent's routes.
    pub fn parse(source: &str) -> Result<Self, PatternError> {
        let shape = || PatternError::Shape(source.to_string());
        let (method, path) = source.trim().split_once(' ').ok_or_else(shape)?;
        let path = path.trim();
        if !path.starts_with('/') || path.contains(char::is_whitespace) {
            return Err(shape());
        }
        let method = match method {
            "*" => None,
            m => Some(
                STANDARD_METHODS
                    .iter()
                    .find(|s| s.as_str() == m)
                    .cloned()
                    .ok_or_else(|| PatternError::Method(m.to_string()))?,
            ),
        };
        let raw = path_segments(path);
        let last = raw.len().saturating_sub(1);
        let mut segments = Vec::with_capacity(raw.len());
        for (i, s) in raw.iter().enumerate() {
            let seg = if *s == "*" {
                if i == last {
                    PatternSegment::Rest
                } else {
                    PatternSegment::One
                }
            } else if s.starts_with('{') && s.ends_with('}') && s.len() > 2 {
                PatternSegment::One
            } else if s.contains(['{', '}', '*']) {
                return Err(PatternError::Segment((*s).to_string()));
            } else {
                PatternSegment::Literal((*s).to_string())
            };
            segments.push(seg);
        }
        let pattern = RoutePattern {
            source: source.to_string(),
            method,
            segments,
            error: None,
        };
        if !KNOWN_ROUTES.iter().any(|(m, p)| pattern.overlaps(*m, p)) {
            return Err(PatternError::Unknown(source.to_string()));
        }
        Ok(pattern)
    }

    /// A pattern built in code: parsed now, but an invalid one is kept (matching nothing) and
    /// reported when the rule holding it is validated.
    pub(crate) fn unchecked(source: &str) -> Self {
        Self::parse(source).unwrap_or_else(|e| RoutePattern {
            source: source.to_string(),
            method: None,
            segments: Vec::new(),
            error: Some(e),
        })
    }

    /// Whether a request with this method and (raw) path matches.
    pub fn matches(&self, method: &http::Method, path: &str) -> bool {
        if self.error.is_some() {
            return false;
        }
        if self.method.as_ref().is_some_and(|m| m != method) {
            return false;
        }
        let segs = path_segments(path);
        let mut i = 0;
        for p in &self.segments {
            match p {
                PatternSegment::Rest => return true,
                PatternSegment::Literal(l) => {
                    if segs.get(i) != Some(&l.as_str()) {
                        return false;
                    }
                }
                PatternSegment::One => {
                    if segs.get(i).is_none_or(|s| s.is_empty()) {
                        return false;
                    }
                }
            }
            i += 1;
        }
        i == segs.len()
    }

    /// Whether some request could match both this pattern and the known route `(method, path)`.
    fn overlaps(&self, method: Option<&str>, known: &str) -> bool {
        if let (Some(a), Some(b)) = (&self.method, method) {
            if a.as_str() != b {
                return false;
            }
        }
        let known = path_segments(known);
        let mut i = 0;
        for p in &self.segments {
            match p {
                PatternSegment::Rest => return true,
                PatternSegment::Literal(l) => match known.get(i) {
                    Some(k) if k == l => {}
                    Some(k) if is_param(k) && !l.is_empty() => {}
                    _ => return false,
                },
                PatternSegment::One => match known.get(i) {
                    Some(k) if !k.is_empty() => {}
                    _ => return false,
                },
            }
            i += 1;
        }
        i == known.len()
    }
}

fn is_param(seg: &str) -> bool {
    seg.starts_with('{') && seg.ends_with('}')
}

/// Every route the agent answers with a handler (method `None`: every method), as seen from
/// outside: core routes, the files mount, processes, containers (mounted or gated). The
/// scenario cannot name the route table (it sits above it), so this is its list; the test
/// `routes::tests::fault_validation_knows_exactly_the_route_table` keeps the two equal.
pub const KNOWN_ROUTES: &[(Option<&str>, &str)] = &[
    (Some("GET"), "/"),
    (Some("POST"), "/api/v0/list-directory"),
    (Some("GET"), "/api/v0/resolve-path"),
    (Some("GET"), "/api/v0/read-file"),
    (Some("GET"), "/api/v0/read-file-lines"),
    (Some("POST"), "/api/v0/write-file"),
    (Some("POST"), "/api/v0/edit-files"),
    (Some("POST"), "/api/v0/processes/start"),
    (Some("GET"), "/api/v0/processes/list"),
    (Some("GET"), "/api/v0/processes/{id}/output"),
    (Some("POST"), "/api/v0/processes/{id}/signal"),
    (None, "/api/v0/containers"),
    (Some("GET"), "/api/v0/containers/"),
    (Some("GET"), "/api/v0/containers/watch"),
    (
        Some("POST"),
        "/api/v0/containers/devcontainers/{devcontainer}/recreate",
    ),
    (
        Some("DELETE"),
        "/api/v0/containers/devcontainers/{devcontainer}",
    ),
    (
        Some("DELETE"),
        "/api/v0/containers/devcontainers/{devcontainer}/",
    ),
    (Some("GET"), "/api/v0/listening-ports"),
    (Some("GET"), "/api/v0/netcheck"),
    (Some("GET"), "/debug/logs"),
    (Some("GET"), "/debug/magicsock"),
    (Some("GET"), "/debug/magicsock/debug-logging/{state}"),
    (Some("GET"), "/debug/manifest"),
    (Some("GET"), "/debug/prometheus"),
];

fn known_routes_list() -> String {
    KNOWN_ROUTES
        .iter()
        .map(|(m, p)| format!("{} {p}", m.unwrap_or("*")))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scenario;
    use http::Method;

    fn rule(json: &str) -> Result<Scenario, ScenarioError> {
        Scenario::from_json("test", &format!(r#"{{"faults":[{json}]}}"#))
    }

    fn err_path(json: &str) -> (String, String) {
        let e = rule(json).unwrap_err();
        (e.path().to_string(), e.to_string())
    }

    #[test]
    fn patterns_match_requests() {
        let p = RoutePattern::parse("GET /api/v0/processes/{id}/output").unwrap();
        assert!(p.matches(&Method::GET, "/api/v0/processes/abc/output"));
        assert!(!p.matches(&Method::POST, "/api/v0/processes/abc/output"));
        assert!(!p.matches(&Method::GET, "/api/v0/processes//output"));
        assert!(!p.matches(&Method::GET, "/api/v0/processes/abc/output/x"));
        let any = RoutePattern::parse("* /*").unwrap();
        assert!(any.matches(&Method::DELETE, "/"));
        assert!(any.matches(&Method::GET, "/debug/logs"));
        let rest = RoutePattern::parse("GET /api/v0/*").unwrap();
        assert!(rest.matches(&Method::GET, "/api/v0/netcheck"));
        assert!(rest.matches(&Method::GET, "/api/v0/processes/x/output"));
        assert!(!rest.matches(&Method::GET, "/debug/logs"));
        let root = RoutePattern::parse("GET /").unwrap();
        assert!(root.matches(&Method::GET, "/"));
        assert!(!root.matches(&Method::GET, "/api/v0/netcheck"));
        let mid = RoutePattern::parse("GET /debug/*/debug-logging/{s}").unwrap();
        assert!(mid.matches(&Method::GET, "/debug/magicsock/debug-logging/on"));
        let gate = RoutePattern::parse("PATCH /api/v0/containers").unwrap();
        assert!(gate.matches(&Method::PATCH, "/api/v0/containers"));
    }

    #[test]
    fn round_trips_as_its_source_text() {
        let s = rule(r#"{"route":"GET /debug/logs","kind":"reset"}"#).unwrap();
        assert_eq!(
            s.to_value()["faults"],
            serde_json::json!([{"route":"GET /debug/logs","kind":"reset","probability":1.0}])
        );
    }

    #[test]
    fn unknown_routes_are_rejected_with_the_json_path() {
        for bad in [
            r#"{"route":"GET /api/v0/listening-port","kind":"reset"}"#,
            r#"{"route":"POST /api/v0/listening-ports","kind":"reset"}"#,
            r#"{"route":"GET /nope/*","kind":"reset"}"#,
            r#"{"route":"GET /api/v0/processes/{id}/input","kind":"reset"}"#,
        ] {
            let (path, msg) = err_path(bad);
            assert_eq!(path, "faults[0].route", "{bad}");
            assert!(msg.contains("never matches an agent route"), "{msg}");
        }
        let (path, msg) = err_path(r#"{"route":"FETCH /","kind":"reset"}"#);
        assert_eq!(path, "faults[0].route");
        assert!(msg.contains("unknown method \"FETCH\""), "{msg}");
        let (path, _) = err_path(r#"{"route":"/debug/logs","kind":"reset"}"#);
        assert_eq!(path, "faults[0].route");
        let (path, _) = err_path(r#"{"route":"GET /debug/lo*","kind":"reset"}"#);
        assert_eq!(path, "faults[0].route");
    }

    #[test]
    fn impossible_probabilities_are_rejected_with_the_json_path() {
        for p in ["1.5", "-0.1", "2"] {
            let (path, msg) = err_path(&format!(
                r#"{{"route":"GET /","kind":"reset","probability":{p}}}"#
            ));
            assert_eq!(path, "faults[0].probability");
            assert!(msg.contains("between 0 and 1"), "{msg}");
        }
        let (path, _) = err_path(r#"{"route":"GET /","kind":"reset","probability":"half"}"#);
        assert_eq!(path, "faults[0].probability");
        assert!(rule(r#"{"route":"GET /","kind":"reset","probability":0}"#).is_ok());
        assert!(rule(r#"{"route":"GET /","kind":"reset","probability":1}"#).is_ok());
    }

    #[test]
    fn kind_specific_fields_are_checked() {
        let cases = [
            (r#"{"route":"GET /","kind":"latency"}"#, "faults[0].ms"),
            (
                r#"{"route":"GET /","kind":"latency","min_ms":5,"max_ms":1}"#,
                "faults[0].min_ms",
            ),
            (
                r#"{"route":"GET /","kind":"latency","ms":5,"min_ms":1,"max_ms":9}"#,
                "faults[0].ms",
            ),
            (
                r#"{"route":"GET /","kind":"latency","min_ms":5}"#,
                "faults[0].max_ms",
            ),
            (r#"{"route":"GET /","kind":"status"}"#, "faults[0].status"),
            (
                r#"{"route":"GET /","kind":"status","status":99}"#,
                "faults[0].status",
            ),
            (r#"{"route":"GET /","kind":"reset","ms":5}"#, "faults[0].ms"),
            (
                r#"{"route":"GET /","kind":"hang","status":500}"#,
                "faults[0].status",
            ),
            (r#"{"route":"GET /","kind":"explode"}"#, "faults[0].kind"),
            (
                r#"{"route":"GET /","kind":"reset","probabilty":0.5}"#,
                "faults[0]",
            ),
        ];
        for (json, want) in cases {
            let (path, msg) = err_path(json);
            assert!(path.starts_with(want), "{json}: {path} {msg}");
        }
        let ok = rule(r#"{"route":"GET /","kind":"latency","min_ms":1,"max_ms":3}"#).unwrap();
        let r = &ok.faults[0];
        assert!((0..100).all(|x| (1..=3).contains(&r.latency_ms(x))));
    }

    #[test]
    fn rules_built_in_code_equal_their_json_form() {
        let json = rule(
            r#"{"route":"GET /debug/logs","kind":"latency","ms":250,"probability":0.5},
               {"route":"POST /api/v0/processes/start","kind":"status","status":503,"body":"busy"},
               {"route":"* /api/v0/*","kind":"reset"},
               {"route":"GET /api/v0/netcheck","kind":"hang"},
               {"route":"GET /","kind":"panic","probability":0.25}"#,
        )
        .unwrap();
        let code = vec![
            FaultRule::latency("GET /debug/logs", Duration::from_millis(250)).probability(0.5),
            FaultRule::status("POST /api/v0/processes/start", 503, "busy"),
            FaultRule::reset("* /api/v0/*"),
            FaultRule::hang("GET /api/v0/netcheck"),
            FaultRule::panic("GET /").probability(0.25),
        ];
        assert_eq!(json.faults, code);
        assert_eq!(
            FaultRule::status("GET /", 500, serde_json::Value::Null).body,
            None
        );
        let between =
            FaultRule::latency_between("GET /", Duration::from_millis(1), Duration::from_millis(3));
        assert_eq!((between.min_ms, between.max_ms), (Some(1), Some(3)));
    }

    #[test]
    fn rules_built_in_code_are_checked_when_validated() {
        let mut s = Scenario::default();
        s.faults.push(FaultRule::reset("GET /debug/logs"));
        s.faults
            .push(FaultRule::reset("GET /api/v0/listening-port"));
        let e = s.validate("code").unwrap_err();
        assert_eq!(e.path(), "faults[1].route");
        assert!(
            e.to_string().contains("never matches an agent route"),
            "{e}"
        );
        assert!(!s.faults[1]
            .route
            .matches(&Method::GET, "/api/v0/listening-port"));
        s.faults[1] = FaultRule::reset("GET /").probability(1.5);
        assert_eq!(
            s.validate("code").unwrap_err().path(),
            "faults[1].probability"
        );
        s.faults[1] = FaultRule::latency("GET /", Duration::from_secs(7200));
        assert_eq!(s.validate("code").unwrap_err().path(), "faults[1].ms");
        s.faults[1] = FaultRule::status("GET /", 42, "");
        assert_eq!(s.validate("code").unwrap_err().path(), "faults[1].status");
    }
}
