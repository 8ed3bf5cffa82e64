//! The `agent-conformance` binary: exit codes 0/1/2, the per-case lines with their `[n/N]`
//! counter and the closing lines (recap of failed cases, then the summary), the seed and
//! timing lines, the three report files, `--expected-failures`, and case selection and output
//! (`--list`, `--exclude`, `--fail-fast`, `--quiet`, `--color`, `--read-only`), the checked
//! `--fixtures`/`--snapshots` overrides, `--version` and completions.

mod common;

use std::process::Output;

use common::{conformance_command, run_conformance};

/// Whether `out` has the line of case `name` with verdict `word` and an `[n/total]` counter.
fn case_line(out: &str, word: &str, name: &str, total: usize) -> bool {
    out.lines().any(|l| {
        l.strip_prefix(word)
            .and_then(|r| r.strip_prefix(" ["))
            .and_then(|r| r.split_once(&format!("/{total}] {name} (")))
            .is_some_and(|(n, _)| {
                n.trim()
                    .parse::<usize>()
                    .is_ok_and(|n| (1..=total).contains(&n))
            })
    })
}

async fn default_sim() -> agent_sim::Sim {
    agent_sim::Sim::start(common::fixture("default"))
        .await
        .unwrap()
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

#[test]
fn unreachable_target_is_one_line_and_exit_2() {
    let out = conformance_command()
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
    let out = conformance_command()
        .args(["--target", "http://127.0.0.1:1", "--filter", "("])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passing_run_writes_reports_and_exits_0() {
    let sim = default_sim().await;
    let dir = std::env::temp_dir().join(format!("conformance-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (j, x, h) = (dir.join("r.json"), dir.join("r.xml"), dir.join("r.html"));
    let out = run_conformance(vec![
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
    assert!(case_line(&stdout, "PASS ", "hello/get", 3), "{stdout}");
    assert!(
        lines[1..4].iter().all(|l| l.starts_with("PASS  [")),
        "{stdout}"
    );
    assert!(
        !stdout.contains('\x1b'),
        "no colour off a terminal: {stdout}"
    );
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
    let out = run_conformance(args.clone()).await;
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(case_line(&stdout, "FAIL ", "hello/get", 2), "{stdout}");
    assert!(
        stdout.ends_with("failed cases (1):\n    hello/get\n1 passed, 1 failed, 0 skipped\n"),
        "the recap comes just before the summary: {stdout}"
    );
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
    let out = run_conformance(args2).await;
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(case_line(&stdout, "XFAIL", "hello/get", 2), "{stdout}");
    assert!(
        stdout.contains("listed as expected failures but now passing: router/404/unknown-path"),
        "{stdout}"
    );
    std::fs::remove_file(&list).unwrap();
}

fn text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn list_prints_name_tier_route_of_the_selected_cases() {
    let out = conformance_command()
        .args(["--list", "--tier", "local", "--exclude", "processes"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out);
    let rows: Vec<Vec<&str>> = stdout
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(rows.len(), 6, "{stdout}");
    for r in &rows {
        assert!(r[0].starts_with("local/listening-ports/"), "{stdout}");
        assert_eq!(r[1], "local");
    }
    assert!(stdout.contains("GET /api/v0/listening-ports"), "{stdout}");
    let all = text(
        &conformance_command()
            .args(["--list", "--filter", "^snapshot/default/"])
            .output()
            .unwrap(),
    );
    assert_eq!(
        all.lines().count(),
        conformance::cases::controlled::ROUTES.len(),
        "{all}"
    );
    assert!(all.lines().all(|l| l.contains(" controlled ")), "{all}");
}

#[test]
fn overrides_that_hold_nothing_are_usage_errors() {
    let empty = std::env::temp_dir().join(format!("conformance-empty-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let missing = empty.join("missing");
    for (flag, dir, want) in [
        ("--snapshots", &empty, "holds no .snap file"),
        ("--fixtures", &empty, "holds no .json fixture"),
        ("--snapshots", &missing, "No such file"),
        ("--fixtures", &missing, "No such file"),
    ] {
        let out = conformance_command()
            .args(["--target", "http://127.0.0.1:1", flag])
            .arg(dir)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{flag} {}", dir.display());
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(
            err.contains(&dir.display().to_string()) && err.contains(want),
            "{err}"
        );
        assert!(out.stdout.is_empty());
    }
    std::fs::remove_dir_all(&empty).unwrap();
}

#[test]
fn version_names_the_snapshot_set() {
    let out = conformance_command().arg("--version").output().unwrap();
    assert_eq!(
        text(&out),
        format!(
            "agent-conformance {} (snapshot set {})\n",
            env!("CARGO_PKG_VERSION"),
            conformance::snapshot::SnapshotSet::Embedded.version()
        )
    );
}

#[test]
fn completions_for_bash_zsh_and_fish() {
    for shell in ["bash", "zsh", "fish"] {
        let out = conformance_command()
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(out.status.success(), "{shell}");
        let script = text(&out);
        assert!(
            script.contains("agent-conformance") && script.contains("read-only"),
            "{shell}: {script}"
        );
    }
}

/// A broken `GET /` (so `hello/get` fails) in front of agent-sim.
async fn broken_hello() -> common::Mutant {
    common::mutant(
        common::fixture("default"),
        None,
        std::sync::Arc::new(|_, p: &str, r: &mut common::MResp| {
            if p == "/" {
                r.set_text("{\"message\":\"Hi\"}\n");
            }
        }),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_fast_quiet_exclude_and_colour() {
    let m = broken_hello().await;
    let filter = "^(hello/get|router/404/unknown-path|debug/manifest-shape)$";
    // --fail-fast, one job: nothing starts after the failing first case.
    let out = run_conformance(s(&[
        "--target",
        &m.url,
        "--filter",
        filter,
        "--jobs",
        "1",
        "--fail-fast",
    ]))
    .await;
    let stdout = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(!stdout.contains("PASS"), "{stdout}");
    assert!(
        stdout.contains("\n2 cases not run (--fail-fast: the run stopped at the first failure)\n"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("0 passed, 1 failed, 0 skipped\n"),
        "{stdout}"
    );
    // --quiet: the failure and the closing lines only.
    let out = run_conformance(s(&["--target", &m.url, "--filter", filter, "--quiet"])).await;
    let stdout = text(&out);
    let lines: Vec<&str> = stdout
        .lines()
        .filter(|l| !l.starts_with("      "))
        .collect();
    assert!(case_line(lines[0], "FAIL ", "hello/get", 3), "{stdout}");
    assert!(lines[1].starts_with("target "), "{stdout}");
    assert_eq!(
        &lines[2..],
        [
            "failed cases (1):",
            "    hello/get",
            "2 passed, 1 failed, 0 skipped"
        ]
    );
    // --exclude takes the failing case out.
    let out = run_conformance(s(&[
        "--target",
        &m.url,
        "--filter",
        filter,
        "--exclude",
        "^hello/",
    ]))
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).ends_with("\n2 passed, 0 failed, 0 skipped\n"));
    // --color always colours the verdicts (even with NO_COLOR: the flag is explicit), never not.
    let args = s(&["--target", &m.url, "--filter", filter, "--color", "always"]);
    let out = tokio::task::spawn_blocking(move || {
        conformance_command()
            .args(args)
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = text(&out);
    assert!(stdout.contains("\x1b[1m\x1b[31mFAIL \x1b[0m"), "{stdout:?}");
    assert!(
        stdout.ends_with("\n2 passed, 1 failed, 0 skipped\n"),
        "the summary stays plain"
    );
    let out = run_conformance(s(&[
        "--target", &m.url, "--filter", filter, "--color", "never",
    ]))
    .await;
    assert!(!text(&out).contains('\x1b'));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_skips_every_case_that_changes_the_agent() {
    let sim = default_sim().await;
    let report = std::env::temp_dir().join(format!("read-only-{}.json", std::process::id()));
    let out = run_conformance(vec![
        "--target".into(),
        sim.url(),
        "--tier".into(),
        "black-box".into(),
        "--read-only".into(),
        "--json".into(),
        report.display().to_string(),
    ])
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    std::fs::remove_file(&report).unwrap();
    let cases = json["cases"].as_array().unwrap();
    let reason = |name: &str| {
        cases
            .iter()
            .find(|c| c["name"] == name)
            .map(|c| {
                (
                    c["result"].as_str().unwrap_or_default().to_string(),
                    c["skip_reason"].as_str().unwrap_or_default().to_string(),
                )
            })
            .unwrap_or_else(|| panic!("no case {name}"))
    };
    for (name, what) in [
        ("files/write-read-round-trip", "writes files on the agent"),
        ("process/exec/exit-codes", "starts processes on the agent"),
        (
            "debug/debug-logging-true",
            "changes a runtime setting of the agent",
        ),
    ] {
        assert_eq!(
            reason(name),
            (
                "skipped".to_string(),
                format!("--read-only: this case {what}")
            )
        );
    }
    assert_eq!(reason("hello/get").0, "passed");
    let conformance_cases = conformance::cases::all(&conformance::fixtures::embedded());
    for c in conformance_cases
        .iter()
        .filter(|c| c.tier == conformance::Tier::BlackBox)
    {
        let (outcome, why) = reason(&c.name);
        if c.effect.is_some() {
            assert!(
                outcome == "skipped" && why.starts_with("--read-only: "),
                "{}",
                c.name
            );
        }
    }
}

#[test]
fn rules_lists_each_rule_with_its_cases_and_rule_selects_cases() {
    let out = conformance_command()
        .args(["rules", "--filter", "^files\\.edit\\.diff\\.hunk-merge$"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(
        stdout.starts_with("files.edit.diff.hunk-merge  black-box"),
        "{stdout}"
    );
    assert!(stdout.contains("files.md §4.6"), "{stdout}");

    let json: serde_json::Value = serde_json::from_slice(
        &conformance_command()
            .args([
                "rules",
                "--json",
                "--filter",
                "^files\\.edit\\.diff\\.hunk-merge$",
            ])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let cases: Vec<&str> = json["rules"][0]["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(cases.contains(&"files/edit/diff/merged-hunk"), "{json}");

    // --rule runs exactly the cases the matrix names for the rule.
    let listed = text(
        &conformance_command()
            .args(["--list", "--rule", "^files\\.edit\\.diff\\.hunk-merge$"])
            .output()
            .unwrap(),
    );
    let names: Vec<&str> = listed
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(names, cases, "{listed}");

    let bad = conformance_command()
        .args(["rules", "--filter", "("])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--filter"));
}
