//! A self-contained HTML page (inline CSS, no scripts or external files): run facts, a
//! per-route coverage table, then the cases with failures first, each failure with its
//! request, diff, expected and actual responses, and curl reproducer.

use crate::runner::{CaseResult, Outcome, Report};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Escapes text for HTML.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const STYLE: &str = "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}\
td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}.failed{background:#fdd}\
.passed{background:#dfd}.skipped{background:#eee}.expected-failure{background:#ffd}\
pre{background:#f6f6f6;padding:6px;overflow:auto}";

/// Renders the page.
pub fn render(report: &Report) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>agent-conformance: {}</title><style>{STYLE}</style></head><body>\n",
        esc(&report.target)
    );
    let tiers: Vec<&str> = report.tiers.iter().map(|t| t.as_str()).collect();
    let _ = write!(
        s,
        "<h1>agent-conformance</h1>\n<p>target <code>{}</code>; tiers run: {}; seed {}; snapshots {}; {:.2} s</p>\n<p><b>{}</b></p>\n",
        esc(&report.target),
        esc(&tiers.join(", ")),
        report.seed,
        esc(&report.snapshot_version),
        report.duration.as_secs_f64(),
        esc(&report.summary_line())
    );
    coverage_table(&mut s, report);
    s.push_str("</table>\n<h2>Cases (failures first)</h2>\n<table><tr><th>case</th><th>tier</th><th>route</th><th>result</th><th>ms</th></tr>\n");
    let mut order: Vec<_> = report.results.iter().collect();
    order.sort_by_key(|r| match r.outcome {
        Outcome::Failed(_) => 0,
        Outcome::ExpectedFailure(_) => 1,
        Outcome::Skipped(_) => 3,
        Outcome::Passed => 2,
    });
    cases_table(&mut s, &order);
    s.push_str("</table>\n<h2>Details</h2>\n");
    details(&mut s, &order);
    s.push_str("</body></html>\n");
    s
}

/// The coverage table: passed, failed and skipped cases per route.
fn coverage_table(s: &mut String, report: &Report) {
    let mut routes: BTreeMap<&str, [usize; 3]> = BTreeMap::new();
    for r in &report.results {
        let e = routes.entry(r.route.as_str()).or_default();
        match r.outcome {
            Outcome::Passed => e[0] += 1,
            Outcome::Failed(_) | Outcome::ExpectedFailure(_) => e[1] += 1,
            Outcome::Skipped(_) => e[2] += 1,
        }
    }
    s.push_str("<h2>Coverage by route</h2>\n<table><tr><th>route</th><th>passed</th><th>failed</th><th>skipped</th></tr>\n");
    for (route, [p, f, k]) in &routes {
        let class = if *f > 0 {
            "failed"
        } else if *p > 0 {
            "passed"
        } else {
            "skipped"
        };
        let _ = writeln!(
            s,
            "<tr class=\"{class}\"><td><code>{}</code></td><td>{p}</td><td>{f}</td><td>{k}</td></tr>",
            esc(route)
        );
    }
}

/// One row per case, in `order`, linking to its details.
fn cases_table(s: &mut String, order: &[&CaseResult]) {
    for r in order {
        let label = r.outcome.label();
        let _ = writeln!(
            s,
            "<tr class=\"{label}\"><td><a href=\"#{id}\">{name}</a></td><td>{}</td><td><code>{}</code></td><td>{label}</td><td>{:.1}</td></tr>",
            r.tier,
            esc(&r.route),
            r.duration.as_secs_f64() * 1000.0,
            id = esc(&r.name),
            name = esc(&r.name),
        );
    }
}

/// The failures' request, diff, expected, actual and reproducer, and the skip reasons.
fn details(s: &mut String, order: &[&CaseResult]) {
    for r in order {
        match &r.outcome {
            Outcome::Failed(f) | Outcome::ExpectedFailure(f) => {
                let _ = write!(
                    s,
                    "<h3 id=\"{}\" class=\"{}\">{} — {}</h3>\n<p>{}</p>\n",
                    esc(&r.name),
                    r.outcome.label(),
                    esc(&r.name),
                    r.outcome.label(),
                    esc(&f.reason)
                );
                for (title, part) in [
                    ("request", &f.request),
                    ("diff (- expected, + actual)", &f.diff),
                    ("expected", &f.expected),
                    ("actual", &f.actual),
                    ("reproduce", &f.curl),
                ] {
                    if let Some(p) = part {
                        let _ = writeln!(s, "<h4>{title}</h4><pre>{}</pre>", esc(p));
                    }
                }
            }
            Outcome::Skipped(why) => {
                let _ = writeln!(
                    s,
                    "<p id=\"{}\" class=\"skipped\">{} skipped: {}</p>",
                    esc(&r.name),
                    esc(&r.name),
                    esc(why)
                );
            }
            Outcome::Passed => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::Tier;
    use crate::failure::Failure;
    use crate::runner::{CaseResult, Report};
    use std::time::Duration;

    fn result(name: &str, route: &str, outcome: Outcome) -> CaseResult {
        CaseResult {
            name: name.into(),
            tier: Tier::BlackBox,
            route: route.into(),
            rules: Vec::new(),
            outcome,
            duration: Duration::from_millis(1),
            unexpected_pass: false,
        }
    }

    #[test]
    fn failures_first_coverage_and_escaping() {
        let mut f = Failure::new("body <differs>").with_diff("a\n", "b\n");
        f.curl = Some("curl 'http://h/'".into());
        let report = Report {
            not_run: 0,
            target: "http://h".into(),
            control: None,
            tiers: vec![Tier::BlackBox],
            seed: 3,
            snapshot_version: "1-snapshots-x".into(),
            duration: Duration::from_secs(1),
            results: vec![
                result("ok/one", "GET /", Outcome::Passed),
                result("bad/two", "GET /x", Outcome::Failed(f)),
                result("skip/three", "GET /", Outcome::Skipped("why".into())),
            ],
        };
        let html = render(&report);
        let bad = html.find("<a href=\"#bad/two\">").unwrap();
        let ok = html.find("<a href=\"#ok/one\">").unwrap();
        assert!(bad < ok, "failures come first");
        assert!(html.contains(
            "<tr class=\"failed\"><td><code>GET /x</code></td><td>0</td><td>1</td><td>0</td></tr>"
        ));
        assert!(html.contains(
            "<tr class=\"passed\"><td><code>GET /</code></td><td>1</td><td>0</td><td>1</td></tr>"
        ));
        assert!(html.contains("body &lt;differs&gt;"));
        assert!(html.contains("<pre>curl 'http://h/'</pre>"));
        assert!(html.contains("seed 3") && html.contains("1-snapshots-x"));
        assert!(!html.contains("<script") && !html.contains("http-equiv"));
    }
}
