//! The `agent-conformance` binary: exit codes 0/1/2, the per-case lines and closing line, the
//! seed and timing lines, the three report files, `--expected-failures`.

mod common;

use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_agent-conformance"))
}

async fn run_bin(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || bin().args(args).output().unwrap())
        .await
        .unwrap()
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

#[test]
fn unreachable_target_is_one_line_and_exit_2() {
    let out = bin()
        .args(["--target", "http://127.0.0.1:1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("agent-conformance: target http://127.0.0.1:1 is unreachable:"),
        "{err}"
    );
}

#[test]
fn bad_filter_is_a_usage_error() {
    let out = bin()
        .args(["--target", "http://127.0.0.1:1", "--filter", "("])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passing_run_writes_reports_and_exits_0() {
    let sim = agent_sim::Sim::start(common::fixture("default"))
        .await
        .unwrap();
    let dir = std::env::temp_dir().join(format!("conformance-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (j, x, h) = (dir.join("r.json"), dir.join("r.xml"), dir.join("r.html"));
    let out = run_bin(vec![
        "--target".into(),
        sim.url(),
        "--filter".into(),
        "^(hello/get|router/404/unknown-path|snapshot/sub-agent/hello|local/nothing)$".into(),
        "--seed".into(),
        "5".into(),
        "--json".into(),
        j.display().to_string(),
        "--junit".into(),
        x.display().to_string(),
        "--html".into(),
        h.display().to_string(),
    ])
    .await;
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "seed 5");
    assert!(lines[1].starts_with("PASS  hello/get ("), "{stdout}");
    assert!(lines.iter().any(|l| l.contains("wall time")), "{stdout}");
    assert_eq!(*lines.last().unwrap(), "3 passed, 0 failed, 0 skipped");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&j).unwrap()).unwrap();
    assert_eq!(json["schema"], "agent-conformance/report/v1");
    assert_eq!(json["seed"], 5);
    assert_eq!(
        json["tiers"],
        serde_json::json!(["black-box", "controlled"])
    );
    assert!(json["snapshot_version"]
        .as_str()
        .unwrap()
        .contains("-snapshots-"));
    let xml = std::fs::read_to_string(&x).unwrap();
    assert!(xml.contains("<testcase name=\"hello/get\""), "{xml}");
    let html = std::fs::read_to_string(&h).unwrap();
    assert!(html.contains("Coverage by route") && html.contains("<code>GET /</code>"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_exit_1_unless_listed_as_expected() {
    let m = common::mutant(
        common::fixture("default"),
        None,
        std::sync::Arc::new(|_, p: &str, r: &mut common::MResp| {
            if p == "/" {
                r.set_text("{\"message\":\"Hi\"}\n");
            }
        }),
    )
    .await;
    let args = s(&[
        "--target",
        &m.url,
        "--filter",
        "^(hello/get|router/404/unknown-path)$",
    ]);
    let out = run_bin(args.clone()).await;
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("FAIL  hello/get"), "{stdout}");
    assert!(
        stdout.contains("reproduce: curl -sS -i --path-as-is"),
        "{stdout}"
    );
    assert!(
        stdout.contains("-{\"message\":\"Hello from the agent!\"}⏎"),
        "{stdout}"
    );
    assert_eq!(
        stdout.lines().last().unwrap(),
        "1 passed, 1 failed, 0 skipped"
    );

    let list = std::env::temp_dir().join(format!("xfail-{}", std::process::id()));
    std::fs::write(&list, "# known\nhello/get\nrouter/404/unknown-path\n").unwrap();
    let mut args2 = args;
    args2.extend(s(&["--expected-failures", &list.display().to_string()]));
    let out = run_bin(args2).await;
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("XFAIL hello/get"), "{stdout}");
    assert!(
        stdout.contains("listed as expected failures but now passing: router/404/unknown-path"),
        "{stdout}"
    );
    std::fs::remove_file(&list).unwrap();
}
