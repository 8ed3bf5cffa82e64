//! No orphans: every process group the simulator started dies when the library handle is
//! dropped, on `POST /__sim/reset`, and when the binary gets SIGTERM. Also the refusal to run
//! `exec` mode on a non-loopback address without `--allow-remote-exec`.

use crate::common::processes::*;
use agent_sim::{Scenario, Sim};
use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};

/// Starts `sleep 300 & …` processes and returns every pid involved (shells and sleeps).
async fn start_tree(base: &str, client: &reqwest::Client, n: usize) -> Vec<i32> {
    let mut ids = Vec::new();
    for _ in 0..n {
        let r = client
            .post(format!("{base}/api/v0/processes/start"))
            .body(r#"{"command":"sleep 300 & echo $!; echo $$; sleep 301"}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let v: serde_json::Value = r.json().await.unwrap();
        ids.push(v["id"].as_str().unwrap().to_string());
    }
    let mut pids = Vec::new();
    for id in ids {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let v: serde_json::Value = client
                .get(format!("{base}/api/v0/processes/{id}/output"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let nums: Vec<i32> = v["output"]
                .as_str()
                .unwrap()
                .lines()
                .filter_map(|l| l.parse().ok())
                .collect();
            if nums.len() == 2 {
                pids.extend(nums);
                break;
            }
            assert!(Instant::now() < deadline);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    for p in &pids {
        assert!(!pid_dead(*p), "{p} should be running");
    }
    pids
}

#[tokio::test]
async fn dropping_the_handle_kills_every_group() {
    let sim = Sim::start(exec_scenario()).await.unwrap();
    let client = reqwest::Client::new();
    let pids = start_tree(&sim.url(), &client, 3).await;
    drop(sim);
    assert_all_dead(&pids);
}

#[tokio::test]
async fn reset_kills_every_group() {
    let sim = Sim::start(exec_scenario()).await.unwrap();
    let client = reqwest::Client::new();
    let pids = start_tree(&sim.url(), &client, 2).await;
    let r = client
        .post(format!("{}/__sim/reset", sim.control_url()))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    assert_all_dead(&pids);
    let list = client
        .get(format!("{}/api/v0/processes/list", sim.url()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(list, "{\"processes\":[]}\n");
    // The manager still works after a reset.
    let pids = start_tree(&sim.url(), &client, 1).await;
    sim.shutdown().await;
    assert_all_dead(&pids);
}

#[tokio::test]
async fn sigterm_to_the_binary_kills_every_group() {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_agent-sim"))
        .args(["--listen", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("agent-sim listening on ")
        .unwrap_or_else(|| panic!("unexpected ready line {line:?}"))
        .to_string();
    let client = reqwest::Client::new();
    let pids = start_tree(&url, &client, 2).await;
    // SAFETY: signalling our own child by pid.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("agent-sim did not exit on SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status:?}");
    assert_all_dead(&pids);
}

#[tokio::test]
async fn exec_mode_refuses_non_loopback_addresses() {
    let addr: std::net::SocketAddr = "0.0.0.0:0".parse().unwrap();
    let err = Sim::builder()
        .scenario(exec_scenario())
        .listen(addr)
        .start()
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("0.0.0.0:0") && text.contains("--allow-remote-exec"),
        "{text}"
    );
    // Scripted mode, loopback, or the explicit opt-in are fine.
    let scripted = Scenario::from_json("t", r#"{"processes":{"mode":"scripted"}}"#).unwrap();
    assert!(agent_sim::check_exec_exposure(&scripted, addr, false).is_ok());
    assert!(agent_sim::check_exec_exposure(&exec_scenario(), addr, true).is_ok());
    let v6: std::net::SocketAddr = "[::1]:0".parse().unwrap();
    assert!(agent_sim::check_exec_exposure(&exec_scenario(), v6, false).is_ok());
    assert!(agent_sim::check_exec_exposure(
        &exec_scenario(),
        "192.0.2.1:4".parse().unwrap(),
        false
    )
    .is_err());
}

#[tokio::test]
async fn a_waiting_client_that_goes_away_ends_its_wait() {
    let sim = Sim::start(exec_scenario()).await.unwrap();
    let client = reqwest::Client::new();
    let v: serde_json::Value = client
        .post(format!("{}/api/v0/processes/start", sim.url()))
        .body(r#"{"command":"sleep 300"}"#)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = v["id"].as_str().unwrap().to_string();
    let proc = sim.state().processes().get(&id).unwrap();
    let waiting = client
        .get(format!(
            "{}/api/v0/processes/{id}/output?wait=true",
            sim.url()
        ))
        .timeout(Duration::from_millis(300))
        .send();
    let probe = async {
        let deadline = Instant::now() + Duration::from_secs(5);
        while proc.waiters() == 0 {
            assert!(Instant::now() < deadline, "the wait never started");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    let (res, ()) = tokio::join!(waiting, probe);
    assert!(res.unwrap_err().is_timeout());
    let deadline = Instant::now() + Duration::from_secs(5);
    while proc.waiters() != 0 {
        assert!(
            Instant::now() < deadline,
            "the server kept waiting for a gone client"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(proc.running());
}

#[test]
fn the_binary_refuses_remote_exec_and_says_why() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_agent-sim"))
        .args(["--listen", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--allow-remote-exec") && stderr.contains("0.0.0.0:0"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty(), "no ready line may be printed");
}
