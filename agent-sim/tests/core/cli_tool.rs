//! The `agent-sim` command line as an installed tool: `--scenario builtin:NAME` serves an
//! embedded fixture from any directory, `agent-sim fixtures` lists them, shell completions,
//! `fleet` takes the top-level `--scenario` and `--log-format` and rejects the options that do
//! not apply to it, and an unreadable scenario file is reported once.

use std::io::Read;
use std::process::{Child, Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_agent-sim");

/// Starts agent-sim with `args` from the temp directory (no `fixtures/` there), returns the
/// child and its first stdout line.
fn start(args: &[&str], stderr: Stdio) -> (Child, String) {
    super::common::spawn_ready(
        Command::new(BIN)
            .args(args)
            .current_dir(std::env::temp_dir())
            .env_remove("AGENT_SIM_SCENARIO")
            .env_remove("AGENT_SIM_LISTEN")
            .stderr(stderr),
    )
}

fn stop(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// `GET url/api/v0/containers`: status and body.
fn containers(base: &str) -> (u16, String) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let r = reqwest::get(format!("{base}/api/v0/containers"))
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    })
}

const SUB_AGENT_403: &str = "{\"message\":\"Dev Container feature not supported.\",\"detail\":\"Dev Container integration inside other Dev Containers is explicitly not supported.\"}\n";

#[test]
fn builtin_scenario_is_served_from_any_directory() {
    let (child, line) = start(&["--scenario", "builtin:sub-agent"], Stdio::null());
    let url = line
        .strip_prefix("agent-sim listening on ")
        .unwrap_or_else(|| panic!("ready line: {line:?}"))
        .to_string();
    let (status, body) = containers(&url);
    stop(child);
    assert_eq!(status, 403);
    assert_eq!(body, SUB_AGENT_403);
}

#[test]
fn fixtures_lists_every_shipped_fixture_with_its_description() {
    let out = Command::new(BIN)
        .arg("fixtures")
        .current_dir(std::env::temp_dir())
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let names: Vec<&str> = stdout
        .lines()
        .map(|l| l.split_whitespace().next().unwrap_or_default())
        .collect();
    assert_eq!(names, agent_sim::scenario::fixtures::names());
    let sub = stdout
        .lines()
        .find(|l| l.starts_with("sub-agent "))
        .unwrap();
    let description = agent_sim::Scenario::fixture("sub-agent")
        .unwrap()
        .description;
    assert!(sub.ends_with(&description), "{sub}");
}

#[test]
fn an_unreadable_scenario_file_is_reported_once() {
    let missing =
        std::env::temp_dir().join(format!("no-such-scenario-{}.json", std::process::id()));
    let out = super::common::run_sim([std::ffi::OsStr::new("--scenario"), missing.as_os_str()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        stderr,
        format!(
            "agent-sim: {}: cannot read: No such file or directory (os error 2)\n",
            missing.display()
        )
    );
}

#[test]
fn completions_for_bash_zsh_and_fish() {
    for shell in ["bash", "zsh", "fish"] {
        let out = Command::new(BIN)
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(out.status.success(), "{shell}");
        let script = String::from_utf8(out.stdout).unwrap();
        assert!(
            script.contains("agent-sim")
                && script.contains("fixtures")
                && script.contains("--scenario"),
            "{shell}: {script}"
        );
    }
}

#[test]
fn fleet_takes_the_top_level_scenario_and_log_format() {
    let (mut child, line) = start(
        &[
            "--scenario",
            "builtin:sub-agent",
            "--log-format",
            "json",
            "fleet",
            "--count",
            "1",
        ],
        Stdio::piped(),
    );
    let parts: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(parts.len(), 4, "{line}");
    let (status, body) = containers(parts[3]);
    let mut stderr = child.stderr.take().unwrap();
    // SIGTERM, so that the (non-blocking) log writer flushes before the process ends.
    let term = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    child.wait().unwrap();
    let mut logs = String::new();
    stderr.read_to_string(&mut logs).unwrap();
    assert_eq!((status, body.as_str()), (403, SUB_AGENT_403));
    let first = logs.lines().next().unwrap_or_default();
    let v: serde_json::Value = serde_json::from_str(first)
        .unwrap_or_else(|e| panic!("log line {first:?} is not JSON: {e}"));
    assert!(v["fields"]["message"].is_string(), "{first}");
}

#[test]
fn fleet_rejects_what_does_not_apply_to_it() {
    for (args, want) in [
        (
            vec!["--listen", "127.0.0.1:0", "fleet", "--count", "1"],
            "agent-sim: --listen does not apply to `fleet` (its agents listen on --ip and --base-port)\n",
        ),
        (
            vec!["--control-listen", "127.0.0.1:0", "fleet", "--count", "1"],
            "agent-sim: --control-listen does not apply to `fleet` (its agents listen on --ip and --base-port)\n",
        ),
        (
            vec!["--scenario", "builtin:default", "fleet", "--count", "1", "--scenario", "builtin:faults"],
            "agent-sim: --scenario is given twice (before and after `fleet`): give it once\n",
        ),
    ] {
        let out = Command::new(BIN).args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(String::from_utf8(out.stderr).unwrap(), want);
        assert!(out.stdout.is_empty());
    }
}
