//! Every named rule of the spec (`conformance/rules/*.toml`) is checked by a case or says why
//! HTTP cannot check it, every case names the rules it checks, and `COVERAGE.md` is the
//! matrix as it stands. `UPDATE_COVERAGE=1 cargo test -p conformance --test coverage` rewrites it.

use conformance::{cases, coverage, fixtures, rules};
use std::path::Path;

fn matrix() -> coverage::Coverage {
    let rules = rules::all().unwrap_or_else(|e| panic!("{e}"));
    let cases = cases::all(&fixtures::embedded());
    let m = coverage::matrix(&rules, &cases);
    let problems = m.problems();
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    m
}

#[test]
fn every_rule_has_a_case_or_a_reason() {
    let m = matrix();
    let unchecked = m.unchecked().count();
    assert!(
        unchecked * 10 <= m.rows.len(),
        "{unchecked} of {} rules are marked unchecked: that list must stay short",
        m.rows.len()
    );
}

#[test]
fn every_case_names_the_rules_it_checks() {
    let silent: Vec<String> = cases::all(&fixtures::embedded())
        .into_iter()
        .filter(|c| c.rules.is_empty())
        .map(|c| c.name)
        .collect();
    assert!(silent.is_empty(), "cases that name no rule: {silent:#?}");
}

#[test]
fn coverage_md_is_the_current_matrix() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("COVERAGE.md");
    let want = matrix().markdown();
    if std::env::var_os("UPDATE_COVERAGE").is_some() {
        std::fs::write(&path, &want).expect("write COVERAGE.md");
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "conformance/COVERAGE.md is stale: run `UPDATE_COVERAGE=1 cargo test -p conformance --test coverage`"
    );
}
