//! The `agent-sim` command line: the ready line, validate, bad scenarios, address in use,
//! graceful shutdown on SIGTERM.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_agent-sim");

fn fixtures() -> String {
    format!("{}/../fixtures", env!("CARGO_MANIFEST_DIR"))
}

fn temp_file(name: &str, text: &str) -> std::path::PathBuf {
    let p = std::env::temp_dir().join(format!("agent-sim-cli-{}-{name}", std::process::id()));
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn validate_reports_each_file() {
    let bad = temp_file(
        "bad.json",
        r#"{"listening_ports":{"ports":[{"port":99999}]}}"#,
    );
    let out = Command::new(BIN)
        .args(["validate", &format!("{}/default.json", fixtures())])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("ok    "), "{stdout}");
    assert!(
        stdout.contains(&format!("error {}: at listening_ports.ports[0].port: invalid value: integer `99999`, expected u16", bad.display())),
        "{stdout}"
    );
    std::fs::remove_file(bad).unwrap();
}

#[test]
fn validate_accepts_every_fixture() {
    let files: Vec<_> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    assert!(files.len() >= 5);
    let out = Command::new(BIN)
        .arg("validate")
        .args(&files)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn bad_scenario_exits_before_binding() {
    let bad = temp_file("typo.json", r#"{"manifest":{"agent_nmae":"x"}}"#);
    let out = super::common::run_sim([std::ffi::OsStr::new("--scenario"), bad.as_os_str()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "{}: at manifest.agent_nmae: unknown field `agent_nmae`",
            bad.display()
        )),
        "{stderr}"
    );
    std::fs::remove_file(bad).unwrap();
}

#[test]
fn address_in_use_exits_non_zero() {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    let out = Command::new(BIN)
        .args(["--listen", &addr])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("cannot listen on {addr}: ")),
        "{stderr}"
    );
}

#[test]
fn ready_line_then_sigterm_exits_zero() {
    let started = Instant::now();
    let (mut child, line) = super::common::spawn_ready(
        Command::new(BIN)
            .args(["--scenario", &format!("{}/default.json", fixtures())])
            .stderr(Stdio::null()),
    );
    let url = line
        .strip_prefix("agent-sim listening on http://127.0.0.1:")
        .unwrap_or_else(|| panic!("ready line: {line:?}"));
    assert!(url.trim_end().parse::<u16>().is_ok(), "{line:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(st) = child.try_wait().unwrap() {
            assert_eq!(st.code(), Some(0));
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("agent-sim did not exit on SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `agent-sim fixtures | head -1`: a reader that stops early ends the listing quietly.
#[test]
fn listing_to_a_closed_pipe_is_not_a_crash() {
    for args in [
        &["fixtures"][..],
        &["validate", "../fixtures/default.json"][..],
    ] {
        let mut child = std::process::Command::new(BIN)
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?}: {:?} {stderr}", out.status);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}
