//! JUnit XML via quick-junit: one test suite per tier, one `testcase` per case; failures carry
//! the reason, the diff and the curl reproducer; skipped cases their reason.

use crate::case::Tier;
use crate::runner::{Outcome, Report};
use quick_junit::{NonSuccessKind, Property, TestCase, TestCaseStatus, TestSuite};

/// Renders the JUnit XML document.
pub fn render(report: &Report) -> String {
    let mut doc = quick_junit::Report::new("agent-conformance");
    for tier in Tier::ALL {
        let mut suite = TestSuite::new(tier.as_str());
        suite.add_property(Property::new("target", report.target.as_str()));
        suite.add_property(Property::new("seed", report.seed.to_string()));
        suite.add_property(Property::new(
            "snapshot_version",
            report.snapshot_version.as_str(),
        ));
        let ran = report.tiers.contains(&tier);
        suite.add_property(Property::new("tier_run", ran.to_string()));
        for r in report.results.iter().filter(|r| r.tier == tier) {
            let status = match &r.outcome {
                Outcome::Passed => TestCaseStatus::success(),
                Outcome::Skipped(why) => {
                    let mut s = TestCaseStatus::skipped();
                    s.set_message(why.as_str());
                    s
                }
                Outcome::Failed(f) | Outcome::ExpectedFailure(f) => {
                    if matches!(r.outcome, Outcome::ExpectedFailure(_)) {
                        let mut s = TestCaseStatus::skipped();
                        s.set_message(format!("expected failure: {}", f.reason));
                        s
                    } else {
                        let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                        s.set_message(f.reason.as_str());
                        s.set_type("conformance");
                        let mut text = String::new();
                        if let Some(req) = &f.request {
                            text.push_str(&format!("request:\n{req}\n\n"));
                        }
                        if let Some(d) = &f.diff {
                            text.push_str(&format!("diff (- expected, + actual):\n{d}\n"));
                        }
                        if let Some(c) = &f.curl {
                            text.push_str(&format!("reproduce: {c}\n"));
                        }
                        s.set_description(text);
                        s
                    }
                }
            };
            let mut tc = TestCase::new(r.name.as_str(), status);
            tc.set_classname(format!("{}.{}", tier.as_str(), r.route));
            tc.set_time(r.duration);
            suite.add_test_case(tc);
        }
        doc.add_test_suite(suite);
    }
    doc.to_string().unwrap_or_default()
}
