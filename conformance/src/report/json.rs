//! The JSON report, schema `agent-conformance/report/v1` (documented in the README; fields are
//! only ever added, never renamed or removed, within v1).

use crate::failure::Failure;
use crate::runner::Report;
use serde::Serialize;

/// The schema id written in every report.
pub const SCHEMA: &str = "agent-conformance/report/v1";

/// The JSON report document (see the README for the schema).
#[derive(Debug, Serialize)]
pub struct JsonReport<'a> {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// The agent URL tested.
    pub target: &'a str,
    /// The control API URL, if one was used.
    pub control: Option<&'a str>,
    /// The tiers whose cases ran.
    pub tiers: Vec<&'static str>,
    /// The seed of the property cases.
    pub seed: u64,
    /// The version of the expected-response snapshots.
    pub snapshot_version: &'a str,
    /// How long the run took.
    pub duration_ms: u64,
    /// The counts per result.
    pub summary: Summary,
    /// Every case, in run order.
    pub cases: Vec<JsonCase<'a>>,
}

/// How many cases ended each way.
#[derive(Debug, Serialize)]
pub struct Summary {
    /// Cases that passed.
    pub passed: usize,
    /// Cases that failed (not counting expected failures).
    pub failed: usize,
    /// Cases that did not apply.
    pub skipped: usize,
    /// Cases that failed as the expected-failures list says.
    pub expected_failures: usize,
}

/// One case's result.
#[derive(Debug, Serialize)]
pub struct JsonCase<'a> {
    /// The case name.
    pub name: &'a str,
    /// Its tier.
    pub tier: &'static str,
    /// The route it covers (`METHOD /pattern`).
    pub route: &'a str,
    /// The ids of the spec rules the case checks (`agent-conformance rules`).
    pub rules: &'a [&'static str],
    /// `passed` | `failed` | `skipped` | `expected-failure`
    pub result: &'static str,
    /// How long it took.
    pub duration_ms: f64,
    /// Why it was skipped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skip_reason: Option<&'a str>,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<&'a Failure>,
    /// It passed although listed as an expected failure (the list can shrink).
    pub listed_as_expected_failure_but_passed: bool,
}

/// Builds the report document.
pub fn build(report: &Report) -> JsonReport<'_> {
    JsonReport {
        schema: SCHEMA,
        target: &report.target,
        control: report.control.as_deref(),
        tiers: report.tiers.iter().map(|t| t.as_str()).collect(),
        seed: report.seed,
        snapshot_version: &report.snapshot_version,
        duration_ms: report.duration.as_millis() as u64,
        summary: Summary {
            passed: report.count("passed"),
            failed: report.count("failed"),
            skipped: report.count("skipped"),
            expected_failures: report.count("expected-failure"),
        },
        cases: report
            .results
            .iter()
            .map(|r| JsonCase {
                name: &r.name,
                tier: r.tier.as_str(),
                route: &r.route,
                rules: &r.rules,
                result: r.outcome.label(),
                duration_ms: (r.duration.as_secs_f64() * 1e6).round() / 1e3,
                skip_reason: match &r.outcome {
                    crate::runner::Outcome::Skipped(w) => Some(w.as_str()),
                    _ => None,
                },
                failure: r.outcome.failure(),
                listed_as_expected_failure_but_passed: r.unexpected_pass,
            })
            .collect(),
    }
}

/// Pretty JSON text.
pub fn render(report: &Report) -> String {
    serde_json::to_string_pretty(&build(report)).unwrap_or_default() + "\n"
}

#[cfg(test)]
mod tests {
    use crate::case::Tier;
    use crate::failure::Failure;
    use crate::runner::{CaseResult, Outcome, Report};
    use std::time::Duration;

    #[test]
    fn schema_v1_keys() {
        let report = Report {
            not_run: 0,
            target: "http://h".into(),
            control: Some("http://h".into()),
            tiers: vec![Tier::BlackBox, Tier::Controlled],
            seed: 3,
            snapshot_version: "v".into(),
            duration: Duration::from_millis(1500),
            results: vec![CaseResult {
                name: "a".into(),
                tier: Tier::Controlled,
                route: "GET /".into(),
                rules: vec!["core.hello.body"],
                outcome: Outcome::Failed(Failure::new("r")),
                duration: Duration::from_micros(1234),
                unexpected_pass: false,
            }],
        };
        let v: serde_json::Value = serde_json::from_str(&super::render(&report)).unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "schema",
                "target",
                "control",
                "tiers",
                "seed",
                "snapshot_version",
                "duration_ms",
                "summary",
                "cases"
            ]
        );
        assert_eq!(v["schema"], "agent-conformance/report/v1");
        assert_eq!(v["tiers"], serde_json::json!(["black-box", "controlled"]));
        assert_eq!(
            v["summary"],
            serde_json::json!({"passed": 0, "failed": 1, "skipped": 0, "expected_failures": 0})
        );
        assert_eq!(
            v["cases"][0],
            serde_json::json!({"name": "a", "tier": "controlled", "route": "GET /", "rules": ["core.hello.body"], "result": "failed", "duration_ms": 1.234, "failure": {"reason": "r"}, "listed_as_expected_failure_but_passed": false})
        );
    }
}
