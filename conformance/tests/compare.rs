//! `agent-conformance compare` end to end against in-process agent-sims: an agent against
//! itself, against another fixture, against a proxy that alters one byte of one route, a saved
//! baseline's round trip with `.snap.new` files and `--accept`, and the command's exit codes.

mod common;

use agent_sim::{Scenario, Sim};
use common::{fixture, mutant, MResp};
use conformance::compare::outcome::Verdict;
use conformance::compare::requests::request_set;
use conformance::compare::{compare, CompareArgs, Comparison};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

fn args(target: &str) -> CompareArgs {
    CompareArgs {
        target: target.to_string(),
        reference: None,
        against: None,
        save: None,
        accept: false,
        allow_writes: false,
        expected_differences: None,
        reports: Default::default(),
        timeout_ms: 5000,
    }
}

async fn against_reference(target: &str, reference: &str, allow_writes: bool) -> Comparison {
    let mut a = args(target);
    a.reference = Some(reference.to_string());
    a.allow_writes = allow_writes;
    compare(&a, |_, _| {}).await.expect("compare")
}

fn differing(c: &Comparison) -> BTreeSet<String> {
    c.compared
        .iter()
        .filter(|c| c.verdict != Verdict::Same)
        .map(|c| c.item.name.clone())
        .collect()
}

/// Names of the read requests that are `GET` of one of `paths` (query ignored).
fn gets_of(paths: &[&str]) -> BTreeSet<String> {
    request_set(false, "/tmp/x")
        .into_iter()
        .filter(|i| {
            let path = i.request.path.split('?').next().unwrap_or("");
            i.request.method == "GET" && paths.contains(&path)
        })
        .map(|i| i.name)
        .collect()
}

/// A simulator serving the default scenario and one serving the fixture `other`.
async fn default_and(other: &str) -> (Sim, Sim) {
    let a = Sim::start(Scenario::builtin_default()).await.unwrap();
    let b = Sim::start(fixture(other)).await.unwrap();
    (a, b)
}

fn temp_dir(tag: &str) -> PathBuf {
    std::env::temp_dir().join(format!("compare-{tag}-{}", uuid::Uuid::new_v4().simple()))
}

#[tokio::test]
async fn an_agent_against_itself_has_no_difference() {
    let (a, b) = default_and("default").await;
    let c = against_reference(&a.url(), &b.url(), true).await;
    assert!(c.compared.len() > 40, "{} requests", c.compared.len());
    assert_eq!(differing(&c), BTreeSet::new());
    assert!(!c.failed());
    a.shutdown().await;
    b.shutdown().await;
}

#[tokio::test]
async fn another_fixture_differs_on_exactly_its_routes() {
    // ports-error changes the ports getter (500) and removes the log file.
    let (a, b) = default_and("ports-error").await;
    let c = against_reference(&a.url(), &b.url(), false).await;
    let want = gets_of(&["/api/v0/listening-ports", "/debug/logs"]);
    assert!(!want.is_empty());
    assert_eq!(differing(&c), want);
    assert!(c.failed());
    let listed = c
        .compared
        .iter()
        .find(|c| c.verdict == Verdict::Differs)
        .unwrap();
    assert!(
        listed.curl.contains(&a.url()) && listed.curl.contains(&b.url()),
        "{}",
        listed.curl
    );
    a.shutdown().await;
    b.shutdown().await;
}

#[tokio::test]
async fn a_proxy_that_alters_one_byte_of_one_route_differs_there_only() {
    let netcheck = |m: &http::Method, p: &str| m == http::Method::GET && p == "/api/v0/netcheck";
    let flip = Arc::new(move |m: &http::Method, p: &str, r: &mut MResp| {
        if netcheck(m, p) {
            if let Some(b) = r.body.iter_mut().find(|b| **b == b'o') {
                *b = b'0';
            }
        }
    });
    let proxy = mutant(Scenario::builtin_default(), None, flip).await;
    let sim = Sim::start(Scenario::builtin_default()).await.unwrap();
    let c = against_reference(&proxy.url, &sim.url(), false).await;
    let want = gets_of(&["/api/v0/netcheck"]);
    assert!(!want.is_empty());
    assert_eq!(differing(&c), want);
    let d = c
        .compared
        .iter()
        .find(|c| c.verdict == Verdict::Differs)
        .unwrap();
    let diff = d.diff();
    assert!(diff.contains("\"severity\": \"0k\""), "{diff}");
    sim.shutdown().await;
}

#[tokio::test]
async fn a_saved_baseline_round_trips_and_differences_become_snap_new() {
    let dir = temp_dir("baseline");
    let a = Sim::start(Scenario::builtin_default()).await.unwrap();
    let mut save = args(&a.url());
    save.save = Some(dir.clone());
    let saved = compare(&save, |_, _| {}).await.unwrap();
    let snaps = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(snaps, saved.compared.len());

    let mut against = args(&a.url());
    against.against = Some(dir.clone());
    let same = compare(&against, |_, _| {}).await.unwrap();
    assert_eq!(differing(&same), BTreeSet::new());
    assert!(!same.failed());

    let b = Sim::start(fixture("ports-error")).await.unwrap();
    let mut review = args(&b.url());
    review.against = Some(dir.clone());
    let changed = compare(&review, |_, _| {}).await.unwrap();
    let want = gets_of(&["/api/v0/listening-ports", "/debug/logs"]);
    assert_eq!(differing(&changed), want);
    let new: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.unwrap().file_name().into_string().ok())
        .filter(|n| n.ends_with(".snap.new"))
        .collect();
    let want_files: BTreeSet<String> = want
        .iter()
        .map(|n| format!("{}.snap.new", conformance::compare::baseline::stem(n)))
        .collect();
    assert_eq!(new, want_files);

    review.accept = true;
    let accepted = compare(&review, |_, _| {}).await.unwrap();
    assert_eq!(accepted.accepted.len(), want.len());
    assert!(!accepted.failed());
    review.accept = false;
    let after = compare(&review, |_, _| {}).await.unwrap();
    assert_eq!(differing(&after), BTreeSet::new());
    std::fs::remove_dir_all(&dir).unwrap();
    a.shutdown().await;
    b.shutdown().await;
}

#[tokio::test]
async fn the_command_exits_1_on_a_difference_unless_it_is_expected() {
    let (a, b) = default_and("ports-error").await;
    let dir = temp_dir("cli");
    std::fs::create_dir_all(&dir).unwrap();
    let json = dir.join("report.json");
    let (target, reference) = (a.url(), b.url());
    let run = |extra: Vec<String>| {
        let mut args: Vec<String> = ["compare", "--target", &target, "--reference", &reference]
            .map(String::from)
            .to_vec();
        args.extend(extra);
        common::run_conformance(args)
    };
    let (junit, html) = (dir.join("report.xml"), dir.join("report.html"));
    let reports = vec![
        "--json".into(),
        json.display().to_string(),
        "--junit".into(),
        junit.display().to_string(),
        "--html".into(),
        html.display().to_string(),
    ];
    let out = run(reports).await;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("DIFF  routes/listening-ports (GET /api/v0/listening-ports): differs"),
        "{stdout}"
    );
    assert!(stdout.contains("+++ target"), "{stdout}");
    assert!(stdout.contains("reproduce: curl "), "{stdout}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(
        report["summary"]["failed"].as_u64(),
        Some(gets_of(&["/api/v0/listening-ports", "/debug/logs"]).len() as u64),
        "{report}"
    );

    for report in [&junit, &html] {
        let text = std::fs::read_to_string(report).unwrap();
        assert!(
            text.contains("routes/listening-ports"),
            "{}",
            report.display()
        );
    }
    let listed = dir.join("expected.txt");
    let names: Vec<String> = gets_of(&["/api/v0/listening-ports", "/debug/logs"])
        .into_iter()
        .collect();
    std::fs::write(&listed, format!("# known\n{}\n", names.join("\n"))).unwrap();
    let out = run(vec![
        "--expected-differences".into(),
        listed.display().to_string(),
    ])
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    std::fs::remove_dir_all(&dir).unwrap();
    a.shutdown().await;
    b.shutdown().await;
}

#[tokio::test]
async fn a_reference_that_does_not_answer_is_only_the_target_answering() {
    // The same agent, except that it resets /debug/logs and answers /debug/manifest with 503.
    let mut faulty = Scenario::builtin_default().to_value();
    faulty["faults"] = serde_json::json!([
        { "route": "GET /debug/logs", "kind": "reset" },
        { "route": "GET /debug/manifest", "kind": "status", "status": 503 }
    ]);
    let faulty = Scenario::from_value("faulty", faulty).unwrap();
    let a = Sim::start(Scenario::builtin_default()).await.unwrap();
    let b = Sim::start(faulty).await.unwrap();
    let verdicts = |c: &Comparison| -> Vec<(String, Verdict)> {
        c.compared
            .iter()
            .filter(|c| c.item.name.starts_with("routes/"))
            .map(|c| (c.item.name.clone(), c.verdict.clone()))
            .collect()
    };
    let expect = |logs: Verdict| {
        let mut v: Vec<(String, Verdict)> = conformance::compare::requests::ROUTE_READS
            .iter()
            .map(|(name, ..)| (name.to_string(), Verdict::Same))
            .collect();
        v.push(("routes/list-directory-root".into(), Verdict::Same));
        for (name, verdict) in &mut v {
            match name.as_str() {
                "routes/debug-logs" => *verdict = logs.clone(),
                "routes/debug-manifest" => *verdict = Verdict::Differs,
                _ => {}
            }
        }
        v
    };
    let c = against_reference(&a.url(), &b.url(), false).await;
    assert_eq!(verdicts(&c), expect(Verdict::OnlyTarget));
    let c = against_reference(&b.url(), &a.url(), false).await;
    assert_eq!(verdicts(&c), expect(Verdict::OnlyReference));
    let logs = c
        .compared
        .iter()
        .find(|c| c.item.name == "routes/debug-logs")
        .unwrap();
    assert!(
        logs.target.text().contains("transport: "),
        "{:?}",
        logs.target
    );
    a.shutdown().await;
    b.shutdown().await;
}
