//! How one request compared, and the comparison as a `Report` so that the console, JSON,
//! JUnit and HTML reports of a normal run serve it too: same → passed, a difference →
//! failed (or expected failure when listed in `--expected-differences`).

use super::normalize::Side;
use super::requests::Item;
use crate::case::Tier;
use crate::failure::Failure;
use crate::runner::{CaseResult, Outcome, Report};
use std::collections::BTreeSet;
use std::time::Duration;

/// What the other side of a comparison is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reference {
    /// A live agent at this URL.
    Live(String),
    /// A saved baseline in this folder.
    Baseline(std::path::PathBuf),
}

impl Reference {
    pub fn describe(&self) -> String {
        match self {
            Reference::Live(url) => format!("reference {url}"),
            Reference::Baseline(dir) => format!("baseline {}", dir.display()),
        }
    }
}

/// The verdict on one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Same,
    /// Both answered, differently.
    Differs,
    /// Only the target answered (the reference failed, or the baseline has no answer).
    OnlyTarget,
    /// Only the reference answered.
    OnlyReference,
}

impl Verdict {
    pub fn of(target: &Side, reference: Option<&Side>) -> Self {
        match (target, reference) {
            (_, Some(r)) if crate::snapshot::same(target.text(), r.text()) => Verdict::Same,
            (Side::Answered(_), None | Some(Side::NoAnswer(_))) => Verdict::OnlyTarget,
            (Side::NoAnswer(_), Some(Side::Answered(_))) => Verdict::OnlyReference,
            // Both failed, differently; or no baseline and no answer.
            _ => Verdict::Differs,
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            Verdict::Same => "same",
            Verdict::Differs => "differs",
            Verdict::OnlyTarget => "only the target answered",
            Verdict::OnlyReference => "only the reference answered",
        }
    }
}

/// One request's comparison.
#[derive(Debug, Clone)]
pub struct Compared {
    pub item: Item,
    pub target: Side,
    /// `None`: the baseline has no answer for this request.
    pub reference: Option<Side>,
    pub verdict: Verdict,
    /// curl lines that send the request to each side.
    pub curl: String,
    pub duration: Duration,
}

impl Compared {
    /// The reference's side of the diff.
    fn reference_text(&self) -> &str {
        self.reference
            .as_ref()
            .map_or("(no answer saved)\n", Side::text)
    }

    /// Unified diff reference → target.
    pub fn diff(&self) -> String {
        crate::diff::unified_labelled(
            ("reference", self.reference_text()),
            ("target", self.target.text()),
        )
    }

    fn failure(&self) -> Failure {
        let mut f =
            Failure::new(self.verdict.label()).with_diff(self.reference_text(), self.target.text());
        f.diff = Some(self.diff());
        f.request = Some(self.item.request.line());
        f.curl = Some(self.curl.clone());
        f
    }

    /// As a case result of a run.
    pub fn result(&self, expected: &BTreeSet<String>) -> CaseResult {
        let listed = expected.contains(&self.item.name);
        let outcome = match (&self.verdict, listed) {
            (Verdict::Same, _) => Outcome::Passed,
            (_, true) => Outcome::ExpectedFailure(self.failure()),
            (_, false) => Outcome::Failed(self.failure()),
        };
        CaseResult {
            name: self.item.name.clone(),
            tier: Tier::BlackBox,
            route: self.item.route.clone(),
            rules: Vec::new(),
            unexpected_pass: listed && outcome == Outcome::Passed,
            outcome,
            duration: self.duration,
        }
    }
}

/// The comparison as a run's report (`snapshot_version` names the reference).
pub fn report(
    target: &str,
    reference: &Reference,
    compared: &[Compared],
    expected: &BTreeSet<String>,
    duration: Duration,
) -> Report {
    Report {
        target: target.to_string(),
        control: None,
        tiers: vec![Tier::BlackBox],
        seed: 0,
        snapshot_version: reference.describe(),
        duration,
        results: compared.iter().map(|c| c.result(expected)).collect(),
        not_run: 0,
    }
}

/// The console line of one request: verdict, name, and for a difference the diff and the
/// curl lines that reproduce it.
pub fn console_line(c: &Compared, expected: &BTreeSet<String>) -> String {
    let listed = expected.contains(&c.item.name);
    let mark = match (&c.verdict, listed) {
        (Verdict::Same, _) => "SAME ",
        (_, true) => "XDIFF",
        (Verdict::Differs, false) => "DIFF ",
        (_, false) => "ONLY ",
    };
    let mut s = format!("{mark} {} ({})", c.item.name, c.item.request.line());
    if c.verdict != Verdict::Same {
        s.push_str(&format!(": {}", c.verdict.label()));
        if !listed {
            for line in c.diff().lines() {
                s.push_str("\n      ");
                s.push_str(line);
            }
        }
        s.push_str("\n      reproduce: ");
        s.push_str(&c.curl);
    }
    s
}

/// `N same, N differ, N only one side answered` (and the expected ones).
pub fn summary(compared: &[Compared], expected: &BTreeSet<String>) -> String {
    let count = |f: &dyn Fn(&Compared) -> bool| compared.iter().filter(|c| f(c)).count();
    let listed = |c: &Compared| expected.contains(&c.item.name);
    format!(
        "{} same, {} differ, {} only one side answered, {} expected differences",
        count(&|c| c.verdict == Verdict::Same),
        count(&|c| c.verdict == Verdict::Differs && !listed(c)),
        count(&|c| matches!(c.verdict, Verdict::OnlyTarget | Verdict::OnlyReference) && !listed(c)),
        count(&|c| c.verdict != Verdict::Same && listed(c)),
    )
}

/// Whether any difference is not listed as expected (exit 1).
pub fn unexpected(compared: &[Compared], expected: &BTreeSet<String>) -> bool {
    compared
        .iter()
        .any(|c| c.verdict != Verdict::Same && !expected.contains(&c.item.name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answered(t: &str) -> Side {
        Side::Answered(t.to_string())
    }

    #[test]
    fn verdicts() {
        let a = answered("status: 200\n");
        let b = answered("status: 404\n");
        let none = Side::NoAnswer("transport: x\n".into());
        assert_eq!(Verdict::of(&a, Some(&a)), Verdict::Same);
        assert_eq!(Verdict::of(&a, Some(&b)), Verdict::Differs);
        assert_eq!(Verdict::of(&a, Some(&none)), Verdict::OnlyTarget);
        assert_eq!(Verdict::of(&a, None), Verdict::OnlyTarget);
        assert_eq!(Verdict::of(&none, Some(&a)), Verdict::OnlyReference);
        assert_eq!(Verdict::of(&none, Some(&none)), Verdict::Same);
    }
}
