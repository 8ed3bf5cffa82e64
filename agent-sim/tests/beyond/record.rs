//! `agent-sim record` against the simulator itself: every shipped fixture round-trips (the
//! recorded scenario answers every recorded GET byte for byte), the recorder only ever sends
//! the requests it lists (checked with the journal), faults become notes, and `--files` reads
//! a subtree into the memory tree.

use agent_sim::record::files::Budget;
use agent_sim::record::live::{Answer, Live, LIST_DIRECTORY, READ_FILE, ROUTES};
use agent_sim::record::{record_agent, verify, Recording};
use agent_sim::scenario::fixtures;
use agent_sim::{Scenario, Sim};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(10);

/// Every recorded GET route's answer from the agent at `url`.
pub async fn answers(url: &str) -> Vec<(&'static str, Answer)> {
    let live = Live::new(url, TIMEOUT).expect("a loopback URL");
    let mut out = Vec::new();
    for route in ROUTES {
        out.push((route, live.get(route).await.expect("an answer")));
    }
    out
}

/// Records a simulator serving `s`, serves the recording, and lists the routes whose answers
/// differ (with what differs), and the recording's notes.
pub async fn round_trip(s: &Scenario) -> (Vec<String>, Recording) {
    let sim = Sim::start(s.clone()).await.expect("start");
    let before = answers(&sim.url()).await;
    let rec = record_agent(&sim.url(), &[], Budget::default(), TIMEOUT)
        .await
        .expect("record");
    sim.shutdown().await;
    let again = Sim::start(rec.scenario.clone())
        .await
        .expect("start recorded");
    let after = answers(&again.url()).await;
    again.shutdown().await;
    let diffs = before
        .iter()
        .zip(&after)
        .filter_map(|((route, a), (_, b))| {
            verify::difference(a, b).map(|d| format!("{route}: {d}"))
        })
        .collect();
    (diffs, rec)
}

#[tokio::test]
async fn every_shipped_fixture_round_trips() {
    let mut checked = 0;
    for f in fixtures::all().into_iter().filter(|f| f.name != "faults") {
        let s = Scenario::fixture(f.name).expect("fixture");
        let (diffs, rec) = round_trip(&s).await;
        assert_eq!(diffs, Vec::<String>::new(), "fixture {}", f.name);
        assert_eq!(rec.notes, Vec::<String>::new(), "fixture {}", f.name);
        checked += 1;
    }
    assert!(checked >= 8, "only {checked} fixtures");
}

/// A simulator serving the files-tree fixture, and its recording with `--files /home/coder`.
async fn record_files_tree(budget: Budget) -> (Sim, Recording) {
    let s = Scenario::fixture("files-tree").expect("fixture");
    let sim = Sim::start(s).await.expect("start");
    let rec = record_agent(&sim.url(), &["/home/coder".into()], budget, TIMEOUT)
        .await
        .expect("record");
    (sim, rec)
}

/// Whether one of the recording's notes starts with `prefix`.
fn noted(rec: &Recording, prefix: &str) -> bool {
    rec.notes.iter().any(|n| n.starts_with(prefix))
}

#[tokio::test]
async fn recording_sends_only_the_listed_requests() {
    let (sim, _) = record_files_tree(Budget::default()).await;
    let journal = sim.requests();
    sim.shutdown().await;
    let gets: Vec<&str> = journal
        .iter()
        .filter(|e| e.method == "GET" && e.path != READ_FILE)
        .map(|e| e.path.as_str())
        .collect();
    assert_eq!(gets, ROUTES.to_vec(), "each route once, in order");
    for e in &journal {
        let allowed = (e.method == "GET"
            && (ROUTES.contains(&e.path.as_str()) || e.path == READ_FILE))
            || (e.method == "POST" && e.path == LIST_DIRECTORY);
        assert!(
            allowed,
            "{} {}?{} is not a request record may send",
            e.method, e.path, e.query
        );
    }
    assert!(
        journal.iter().any(|e| e.path == READ_FILE),
        "the files were read"
    );
}

#[tokio::test]
async fn files_subtrees_are_recorded_within_the_budget() {
    let (sim, rec) = record_files_tree(Budget::default()).await;
    let live = Live::new(&sim.url(), TIMEOUT).expect("url");
    let served = Sim::start(rec.scenario.clone())
        .await
        .expect("start recorded");
    let again = Live::new(&served.url(), TIMEOUT).expect("url");
    let files: Vec<&String> = rec
        .scenario
        .files
        .entries
        .iter()
        .filter(|(_, e)| matches!(e, agent_sim::scenario::files::FileEntry::Content(_)))
        .map(|(p, _)| p)
        .collect();
    assert!(!files.is_empty(), "{:?}", rec.scenario.files);
    for path in files {
        let a = live.read_file(path, None).await.expect("live");
        let b = again.read_file(path, None).await.expect("served");
        assert_eq!(verify::difference(&a, &b), None, "{path}");
    }
    let tight = Budget {
        max_entries: 2,
        max_bytes: 1 << 20,
    };
    let small = record_agent(&sim.url(), &["/home/coder".into()], tight, TIMEOUT)
        .await
        .expect("record");
    assert_eq!(small.scenario.files.entries.len(), 2);
    let few_bytes = Budget {
        max_entries: 1000,
        max_bytes: 8,
    };
    let (_, bytes) = record_files_tree(few_bytes).await;
    let read: usize = bytes
        .scenario
        .files
        .entries
        .values()
        .map(|e| match e {
            agent_sim::scenario::files::FileEntry::Content(c) => c.len(),
            _ => 0,
        })
        .sum();
    assert!(read <= 8, "{read} bytes read");
    assert!(noted(&bytes, "--files: stopped at"), "{:?}", bytes.notes);
    assert!(
        noted(&small, "--files: stopped at 2 entries"),
        "{:?}",
        small.notes
    );
    sim.shutdown().await;
    served.shutdown().await;
}

#[tokio::test]
async fn faulted_routes_are_listed_and_the_rest_is_recorded() {
    // A panic on the manifest, a reset on the logs, a hang on magicsock (ended by the timeout,
    // generous enough that the slow ports stay well inside it under load).
    let s = Scenario::fixture("faults").expect("fixture");
    let sim = Sim::start(s).await.expect("start");
    let rec = record_agent(
        &sim.url(),
        &[],
        Budget::default(),
        Duration::from_millis(2000),
    )
    .await
    .expect("record");
    sim.shutdown().await;
    let named = |route: &str| rec.notes.iter().any(|n| n.contains(route));
    for route in ["/debug/manifest", "/debug/logs", "/debug/magicsock"] {
        assert!(named(route), "{route} not in {:?}", rec.notes);
    }
    assert!(!named("/api/v0/listening-ports"), "{:?}", rec.notes);
    for n in &rec.notes {
        assert!(rec.scenario.description.contains(n.as_str()), "{n}");
    }
    let text = agent_sim::record::to_json(&rec.scenario);
    Scenario::from_json("recorded", &text).expect("validates");
}

#[tokio::test]
async fn an_unreachable_agent_is_an_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    drop(listener);
    let err = record_agent(&url, &[], Budget::default(), TIMEOUT)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("/debug/manifest"), "{err}");
}

#[tokio::test]
async fn the_command_writes_a_scenario_that_validate_accepts() {
    let sim = Sim::start(Scenario::fixture("ports-error").expect("fixture"))
        .await
        .expect("start");
    let path =
        std::env::temp_dir().join(format!("recorded-{}.json", uuid::Uuid::new_v4().simple()));
    let bin = env!("CARGO_BIN_EXE_agent-sim");
    let (url, out) = (sim.url(), path.clone());
    let recorded = tokio::task::spawn_blocking(move || {
        std::process::Command::new(bin)
            .args(["record", "--from", &url, "--out"])
            .arg(&out)
            .output()
    })
    .await
    .expect("join")
    .expect("run");
    let stderr = String::from_utf8_lossy(&recorded.stderr).into_owned();
    assert!(recorded.status.success(), "{stderr}");
    assert!(
        stderr.contains("serve it with agent-sim --scenario"),
        "{stderr}"
    );
    let out = path.clone();
    let validated = tokio::task::spawn_blocking(move || {
        std::process::Command::new(bin)
            .arg("validate")
            .arg(&out)
            .output()
    })
    .await
    .expect("join")
    .expect("run");
    assert!(validated.status.success(), "{validated:?}");
    let s = Scenario::from_file(&path).expect("a scenario");
    assert_eq!(
        s.listening_ports.error.as_deref(),
        Some("scan listening ports: open /proc/net/tcp: no such file or directory")
    );
    assert_eq!(s.debug.logs, None);
    std::fs::remove_file(&path).expect("remove");
    sim.shutdown().await;
}
