//! The rule-coverage matrix: which cases check each named rule of the spec, and which rules no
//! case checks. `COVERAGE.md` is this matrix as markdown; the `coverage` test fails when a rule
//! has no case and no reason why HTTP cannot check it, or when a case names an unknown rule.

use crate::case::{Case, Tier};
use crate::rules::Rule;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// One rule and the cases that check it.
#[derive(Debug, Clone)]
pub struct Row {
    /// The rule.
    pub rule: Rule,
    /// Checking cases, in run order: name and tier.
    pub cases: Vec<(String, Tier)>,
}

impl Row {
    /// The least control a checking case needs (black-box before local before controlled).
    pub fn best_tier(&self) -> Option<Tier> {
        self.cases.iter().map(|(_, t)| *t).min()
    }
}

/// The matrix, rule by rule in the lists' order.
#[derive(Debug, Clone)]
pub struct Coverage {
    /// Every rule with its cases.
    pub rows: Vec<Row>,
    /// Cases naming a rule that does not exist: case name and id.
    pub unknown: Vec<(String, &'static str)>,
}

/// Builds the matrix of `rules` and the `cases` that name them.
pub fn matrix(rules: &[Rule], cases: &[Case]) -> Coverage {
    let mut by_rule: BTreeMap<&str, Vec<(String, Tier)>> = BTreeMap::new();
    let known: BTreeSet<&str> = rules.iter().map(|r| r.id.as_str()).collect();
    let mut unknown = Vec::new();
    for c in cases {
        for id in &c.rules {
            if known.contains(id) {
                by_rule
                    .entry(id)
                    .or_default()
                    .push((c.name.clone(), c.tier));
            } else {
                unknown.push((c.name.clone(), *id));
            }
        }
    }
    let rows = rules
        .iter()
        .map(|r| Row {
            rule: r.clone(),
            cases: by_rule.remove(r.id.as_str()).unwrap_or_default(),
        })
        .collect();
    Coverage { rows, unknown }
}

impl Coverage {
    /// Each problem, named: a case naming a rule that does not exist, a rule no case checks
    /// that has no `unchecked` reason, or a rule with such a reason that a case does check.
    pub fn problems(&self) -> Vec<String> {
        let mut problems: Vec<String> = self
            .unknown
            .iter()
            .map(|(case, id)| format!("case {case} names the unknown rule {id}"))
            .collect();
        for row in &self.rows {
            match (&row.rule.unchecked, row.cases.first()) {
                (None, None) => problems.push(format!(
                    "rule {} ({}) has no case; write one, or say in `unchecked` why HTTP cannot check it",
                    row.rule.id, row.rule.spec
                )),
                (Some(_), Some((case, _))) => problems.push(format!(
                    "rule {} is marked unchecked but {case} checks it; drop the reason",
                    row.rule.id
                )),
                _ => {}
            }
        }
        problems
    }

    /// The rows whose id matches `filter` (all without one).
    pub fn select<'a>(&'a self, filter: Option<&'a regex::Regex>) -> impl Iterator<Item = &'a Row> {
        self.rows
            .iter()
            .filter(move |r| filter.is_none_or(|re| re.is_match(&r.rule.id)))
    }

    /// `agent-conformance rules`: one line per rule: id, the least control a checking case
    /// needs (or `unchecked`), the number of cases, the spec section and the statement.
    pub fn lines(&self, filter: Option<&regex::Regex>) -> String {
        let rows: Vec<&Row> = self.select(filter).collect();
        let width = rows.iter().map(|r| r.rule.id.len()).max().unwrap_or(0);
        let mut s = String::new();
        for r in rows {
            let tier = r.best_tier().map_or("unchecked", Tier::as_str);
            let _ = writeln!(
                s,
                "{:width$}  {tier:10}  {:>2} case(s)  {}  {}",
                r.rule.id,
                r.cases.len(),
                r.rule.spec,
                r.rule.rule
            );
        }
        s
    }

    /// `agent-conformance rules --json`.
    pub fn json(&self, filter: Option<&regex::Regex>) -> serde_json::Value {
        let rules: Vec<serde_json::Value> = self
            .select(filter)
            .map(|r| {
                serde_json::json!({
                    "id": r.rule.id,
                    "spec": r.rule.spec,
                    "rule": r.rule.rule,
                    "unchecked": r.rule.unchecked,
                    "cases": r.cases.iter().map(|(name, tier)| {
                        serde_json::json!({ "name": name, "tier": tier.as_str() })
                    }).collect::<Vec<_>>(),
                })
            })
            .collect();
        serde_json::json!({ "rules": rules })
    }

    /// Rules whose least-control checking case is in `tier`.
    pub fn count_best(&self, tier: Tier) -> usize {
        self.rows
            .iter()
            .filter(|r| r.best_tier() == Some(tier))
            .count()
    }

    /// Rules no case can check over HTTP.
    pub fn unchecked(&self) -> impl Iterator<Item = &Row> {
        self.rows.iter().filter(|r| r.rule.unchecked.is_some())
    }

    /// The matrix as `COVERAGE.md`.
    pub fn markdown(&self) -> String {
        let mut s = String::new();
        let total = self.rows.len();
        let _ = writeln!(s, "# Rule coverage\n");
        let _ = writeln!(
            s,
            "Generated from `conformance/rules/*.toml` and the cases' `checks(…)` lists by\n\
             `UPDATE_COVERAGE=1 cargo test -p conformance --test coverage`; do not edit by hand.\n"
        );
        let _ = writeln!(
            s,
            "**{total} rules**: {} checked by a black-box case, {} at best by a local one, {} only \
             by a controlled one (the case says why), {} not checkable over HTTP.\n",
            self.count_best(Tier::BlackBox),
            self.count_best(Tier::Local),
            self.count_best(Tier::Controlled),
            self.unchecked().count()
        );
        let mut chapter = "";
        for row in &self.rows {
            let ch = row.rule.id.split('.').next().unwrap_or_default();
            if ch != chapter {
                chapter = ch;
                let n = self
                    .rows
                    .iter()
                    .filter(|r| r.rule.id.split('.').next() == Some(ch))
                    .count();
                let _ = writeln!(s, "\n## {ch}.md ({n} rules)\n");
                let _ = writeln!(s, "| rule | spec | statement | checked by |");
                let _ = writeln!(s, "|---|---|---|---|");
            }
            let checked_by = match &row.rule.unchecked {
                Some(why) => format!("*not over HTTP:* {}", cell(why)),
                None => row
                    .cases
                    .iter()
                    .map(|(name, tier)| format!("`{name}` ({tier})"))
                    .collect::<Vec<_>>()
                    .join("<br>"),
            };
            let _ = writeln!(
                s,
                "| `{}` | {} | {} | {checked_by} |",
                row.rule.id,
                cell(&row.rule.spec),
                cell(&row.rule.rule)
            );
        }
        s
    }
}

/// Text safe inside a markdown table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expect::Expect;
    use crate::http::Request;

    fn rule(id: &str, unchecked: Option<&str>) -> Rule {
        Rule {
            id: id.into(),
            spec: "core.md §3".into(),
            rule: "a | b".into(),
            unchecked: unchecked.map(Into::into),
        }
    }

    fn case(name: &str, tier: Tier, rules: &[&'static str]) -> Case {
        Case::exchange(name, tier, "GET /", Request::get("/"), Expect::status(200)).checks(rules)
    }

    #[test]
    fn each_problem_is_named() {
        let rules = [
            rule("core.a.x", None),
            rule("core.a.y", Some("needs the host")),
        ];
        let cases = [case("c1", Tier::Controlled, &["core.a.y", "core.a.z"])];
        let problems = matrix(&rules, &cases).problems();
        assert_eq!(problems.len(), 3, "{problems:#?}");
        assert!(problems[0].contains("unknown rule core.a.z"));
        assert!(problems[1].contains("core.a.x (core.md §3) has no case"));
        assert!(problems[2].contains("core.a.y is marked unchecked but c1"));
    }

    #[test]
    fn best_tier_and_markdown() {
        let rules = [rule("core.a.x", None), rule("core.a.y", Some("x|y"))];
        let cases = [
            case("c1", Tier::Controlled, &["core.a.x"]),
            case("c2", Tier::BlackBox, &["core.a.x"]),
        ];
        let m = matrix(&rules, &cases);
        assert!(m.problems().is_empty());
        assert_eq!(m.rows[0].best_tier(), Some(Tier::BlackBox));
        let md = m.markdown();
        assert!(md.contains("**2 rules**: 1 checked by a black-box case, 0 at best by a local one, 0 only by a controlled one (the case says why), 1 not checkable over HTTP."), "{md}");
        assert!(
            md.contains(
                "| `core.a.x` | core.md §3 | a \\| b | `c1` (controlled)<br>`c2` (black-box) |"
            ),
            "{md}"
        );
        assert!(md.contains("*not over HTTP:* x\\|y"), "{md}");
        let re = regex::Regex::new("^core\\.a\\.x$").unwrap();
        let lines = m.lines(Some(&re));
        assert_eq!(
            lines,
            "core.a.x  black-box    2 case(s)  core.md §3  a | b\n"
        );
        let json = m.json(None);
        assert_eq!(
            json["rules"][0]["cases"][1],
            serde_json::json!({"name": "c2", "tier": "black-box"})
        );
        assert_eq!(json["rules"][1]["unchecked"], "x|y");
    }
}
