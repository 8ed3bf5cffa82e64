//! Broken agents: each one is agent-sim behind a proxy that gets exactly one behaviour wrong,
//! and each must be caught by the named case (listed in conformance/MUTANTS.md). The test
//! fails naming every mutant that escaped.

#[path = "../common/mod.rs"]
mod common;
mod containers;
mod core;
mod files;
mod processes;
mod spec;

use conformance::runner::Outcome;
use futures::stream::{self, StreamExt};
use spec::Spec;
use std::collections::BTreeSet;
use std::sync::Arc;

/// Every mutant, chapter by chapter.
fn specs() -> Vec<Spec> {
    let mut v = core::specs();
    v.extend(processes::specs());
    v.extend(files::specs());
    v.extend(containers::specs());
    v
}

/// How many mutants run at once (each is its own agent and proxy).
const AT_ONCE: usize = 4;

/// Runs the mutant's catching case against it: `Ok(reason)` when caught.
async fn run_one(s: &Spec) -> Result<String, String> {
    let m = common::mutant_ws(
        common::fixture(s.fixture),
        s.rewrite.clone(),
        s.mutate.clone(),
        s.ws.clone(),
    )
    .await;
    let filter = format!("^{}$", regex::escape(s.case));
    let report = common::run_filtered(&m.url, &filter, 3000).await;
    match report.results.first().map(|r| r.outcome.clone()) {
        Some(Outcome::Failed(f)) => Ok(f.reason.chars().take(160).collect()),
        other => Err(format!("{} (case {}): {other:?}", s.name, s.case)),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_mutant_is_caught_by_its_case() {
    let specs = specs();
    assert!(specs.len() >= 150, "{} mutants", specs.len());
    let outcomes: Vec<(&Spec, Result<String, String>)> = stream::iter(&specs)
        .map(|s| async move { (s, run_one(s).await) })
        .buffered(AT_ONCE)
        .collect()
        .await;
    let mut escaped = Vec::new();
    for (s, outcome) in outcomes {
        match outcome {
            Ok(reason) => eprintln!("caught | {} | {} | {reason}", s.name, s.case),
            Err(e) => escaped.push(e),
        }
    }
    assert!(escaped.is_empty(), "mutants not caught: {escaped:#?}");
}

/// The same cases pass through an identity proxy, so a mutant's failure is its own doing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identity_proxy_passes_every_catching_case() {
    let specs = specs();
    let fixtures: BTreeSet<&str> = specs.iter().map(|s| s.fixture).collect();
    for fx in fixtures {
        let m = common::mutant_ws(common::fixture(fx), None, Arc::new(|_, _, _| {}), None).await;
        let names: BTreeSet<String> = specs
            .iter()
            .filter(|s| s.fixture == fx)
            .map(|s| regex::escape(s.case))
            .collect();
        let filter = format!("^({})$", names.into_iter().collect::<Vec<_>>().join("|"));
        let report = common::run_filtered(&m.url, &filter, 3000).await;
        for r in &report.results {
            assert!(
                matches!(r.outcome, Outcome::Passed),
                "{fx}: {} {:?}",
                r.name,
                r.outcome
            );
        }
    }
}

/// Each mutant names the rules it breaks, and its catching case exists and checks one of them.
#[test]
fn every_mutant_breaks_a_rule_its_case_checks() {
    let rules: BTreeSet<String> = conformance::rules::all()
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|r| r.id)
        .collect();
    let cases = conformance::cases::all(&conformance::fixtures::embedded());
    let mut problems = Vec::new();
    let mut names = BTreeSet::new();
    for s in specs() {
        if !names.insert(s.name) {
            problems.push(format!("{}: two mutants have this name", s.name));
        }
        if s.breaks.is_empty() {
            problems.push(format!("{}: names no rule it breaks", s.name));
        }
        for id in s.breaks.iter().filter(|id| !rules.contains(**id)) {
            problems.push(format!("{}: unknown rule {id}", s.name));
        }
        match cases.iter().find(|c| c.name == s.case) {
            None => problems.push(format!("{}: no case named {}", s.name, s.case)),
            Some(c) if !c.rules.iter().any(|r| s.breaks.contains(r)) => problems.push(format!(
                "{}: case {} checks none of the rules the mutant breaks ({})",
                s.name,
                s.case,
                s.breaks.join(", ")
            )),
            Some(_) => {}
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

const BEGIN: &str = "<!-- mutants: begin -->\n";
const END: &str = "<!-- mutants: end -->";

/// The generated part of MUTANTS.md: the score and one row per mutant.
fn mutants_table(specs: &[Spec]) -> String {
    let n = specs.len();
    let mut s = format!(
        "**Mutation score: {n} / {n} caught (100 %)** (the test fails when one escapes).\n\n\
         | # | mutant | rules it breaks | caught by |\n|---|---|---|---|\n"
    );
    for (i, m) in specs.iter().enumerate() {
        let rules: Vec<String> = m.breaks.iter().map(|r| format!("`{r}`")).collect();
        s.push_str(&format!(
            "| {} | {} | {} | `{}` |\n",
            i + 1,
            m.name.replace('|', "\\|"),
            rules.join("<br>"),
            m.case
        ));
    }
    s
}

#[test]
fn mutants_md_lists_every_mutant() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("MUTANTS.md");
    let have = std::fs::read_to_string(&path).expect("read MUTANTS.md");
    let (head, rest) = have
        .split_once(BEGIN)
        .expect("MUTANTS.md has the begin marker");
    let (_, tail) = rest.split_once(END).expect("MUTANTS.md has the end marker");
    let want = format!("{head}{BEGIN}{}{END}{tail}", mutants_table(&specs()));
    if std::env::var_os("UPDATE_MUTANTS").is_some() {
        std::fs::write(&path, &want).expect("write MUTANTS.md");
        return;
    }
    assert!(
        have == want,
        "conformance/MUTANTS.md is stale: run `UPDATE_MUTANTS=1 cargo test -p conformance --test mutants mutants_md`"
    );
}
