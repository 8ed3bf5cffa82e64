//! The JSON report, schema `agent-conformance/report/v1` (documented in the README; fields are
//! only ever added, never renamed or removed, within v1).

use crate::case::Failure;
use crate::runner::Report;
use serde::Serialize;

pub const SCHEMA: &str = "agent-conformance/report/v1";

#[derive(Debug, Serialize)]
pub struct JsonReport<'a> {
    pub schema: &'static str,
    pub target: &'a str,
    pub control: Option<&'a str>,
    pub tiers: Vec<&'static str>,
    pub seed: u64,
    pub snapshot_version: &'a str,
    pub duration_ms: u64,
    pub summary: Summary,
    pub cases: Vec<JsonCase<'a>>,
}

#[derive(Debug, Serialize)]
pub struct Summary {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    pub expected_failures: usize,
}

#[derive(Debug, Serialize)]
pub struct JsonCase<'a> {
    pub name: &'a str,
    pub tier: &'static str,
    pub route: &'a str,
    /// `passed` | `failed` | `skipped` | `expected-failure`
    pub result: &'static str,
    pub duration_ms: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skip_reason: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<&'a Failure>,
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
    use crate::case::{Failure, Tier};
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
            serde_json::json!({"name": "a", "tier": "controlled", "route": "GET /", "result": "failed", "duration_ms": 1.234, "failure": {"reason": "r"}, "listed_as_expected_failure_but_passed": false})
        );
    }
}
