//! Reports of a run: the console lines, JSON (stable schema), JUnit XML and an HTML page.

pub mod html;
pub mod json;
pub mod junit;

use crate::runner::{CaseResult, Outcome, Report};
use std::fmt::Write as _;

/// The console line of one case: result, name, time.
pub fn case_line(r: &CaseResult) -> String {
    let ms = r.duration.as_secs_f64() * 1000.0;
    let mut s = match &r.outcome {
        Outcome::Passed if r.unexpected_pass => format!(
            "PASS  {} ({ms:.1} ms) [listed as expected failure: remove it from the list]",
            r.name
        ),
        Outcome::Passed => format!("PASS  {} ({ms:.1} ms)", r.name),
        Outcome::Failed(f) => format!("FAIL  {} ({ms:.1} ms): {}", r.name, f.reason),
        Outcome::ExpectedFailure(f) => format!("XFAIL {} ({ms:.1} ms): {}", r.name, f.reason),
        Outcome::Skipped(why) => format!("SKIP  {} ({ms:.1} ms): {why}", r.name),
    };
    if let Outcome::Failed(f) = &r.outcome {
        if let Some(d) = &f.diff {
            for line in d.lines() {
                let _ = write!(s, "\n      {line}");
            }
        } else if let Some(a) = &f.actual {
            for line in a.lines() {
                let _ = write!(s, "\n      {line}");
            }
        }
        if let Some(c) = &f.curl {
            let _ = write!(s, "\n      reproduce: {c}");
        }
    }
    s
}

/// The lines printed after the cases (the last one is `N passed, N failed, N skipped`).
pub fn closing_lines(report: &Report) -> Vec<String> {
    let tiers: Vec<&str> = report.tiers.iter().map(|t| t.as_str()).collect();
    let mut v = vec![format!(
        "target {}, tiers run: {}, seed {}, snapshots {}, wall time {:.2} s",
        report.target,
        if tiers.is_empty() {
            "none".to_string()
        } else {
            tiers.join(", ")
        },
        report.seed,
        report.snapshot_version,
        report.duration.as_secs_f64()
    )];
    let xfail = report.count("expected-failure");
    if xfail > 0 {
        v.push(format!(
            "{xfail} expected failures (listed, not counted as failed)"
        ));
    }
    let shrink: Vec<&str> = report
        .results
        .iter()
        .filter(|r| r.unexpected_pass)
        .map(|r| r.name.as_str())
        .collect();
    if !shrink.is_empty() {
        v.push(format!(
            "listed as expected failures but now passing: {}",
            shrink.join(", ")
        ));
    }
    v.push(report.summary_line());
    v
}
