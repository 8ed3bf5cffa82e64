//! Fleet mode: agents with their own ids and ports, the index at the first agent's
//! `/__sim/fleet`, per-agent control, and the command line's fail-fast on limits.

use agent_sim::fleet::{Fleet, FleetConfig, Vary};
use agent_sim::Scenario;
use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

#[tokio::test]
async fn agents_have_their_own_ids_ports_and_control() {
    let mut config = FleetConfig::new(20, Scenario::builtin_default());
    config.vary = vec![Vary::Ports];
    let fleet = Fleet::start(config).await.unwrap();
    let agents = fleet.agents();
    assert_eq!(agents.len(), 20);
    let ids: HashSet<_> = agents.iter().map(|a| a.agent_id).collect();
    let ports: HashSet<_> = agents.iter().map(|a| a.addr.port()).collect();
    assert_eq!((ids.len(), ports.len()), (20, 20));

    let c = client();
    // The index lists every agent, in order.
    let r = c
        .get(format!("{}/__sim/fleet", agents[0].url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-type"],
        "application/json; charset=utf-8"
    );
    let index: Vec<serde_json::Value> = r.json().await.unwrap();
    assert_eq!(index.len(), 20);
    for (e, a) in index.iter().zip(agents) {
        assert_eq!(e["n"], a.n);
        assert_eq!(e["agent_id"], a.agent_id.to_string());
        assert_eq!(e["url"], a.url());
    }
    // Only the first agent serves it; the others answer the agent's 404.
    let r = c
        .get(format!("{}/__sim/fleet", agents[1].url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);

    // Each agent answers with its own manifest and ports.
    let m: serde_json::Value = c
        .get(format!("{}/debug/manifest", agents[5].url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(m["agent_id"], agents[5].agent_id.to_string());
    let p: serde_json::Value = c
        .get(format!("{}/api/v0/listening-ports", agents[5].url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(p["ports"][0]["port"], 3005);

    // Per-agent control: a fault on agent 3 leaves agent 4 alone.
    let r = c
        .patch(format!("{}/__sim/scenario", agents[3].url()))
        .body(r#"{"faults":[{"route":"GET /","kind":"status","status":503}]}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let s3 = c.get(format!("{}/", agents[3].url())).send().await.unwrap();
    let s4 = c.get(format!("{}/", agents[4].url())).send().await.unwrap();
    assert_eq!((s3.status().as_u16(), s4.status().as_u16()), (503, 200));
    assert_eq!(agents[3].state.journal().len(), 1);
    assert_eq!(agents[4].state.journal().len(), 1);
    assert_eq!(agents[0].state.journal().len(), 0);
    fleet.shutdown().await;
}

#[test]
fn the_fleet_command_prints_one_line_per_agent() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_agent-sim"))
        .args(["fleet", "--count", "50", "--vary", "ids,ports"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let lines: Vec<String> = BufReader::new(stdout)
        .lines()
        .take(50)
        .map(Result::unwrap)
        .collect();
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(lines.len(), 50);
    for (n, line) in lines.iter().enumerate() {
        let parts: Vec<_> = line.split(' ').collect();
        assert_eq!(parts.len(), 4, "{line}");
        assert_eq!(parts[0], "agent");
        assert_eq!(parts[1], n.to_string());
        assert!(uuid::Uuid::parse_str(parts[2]).is_ok(), "{line}");
        assert!(parts[3].starts_with("http://127.0.0.1:"), "{line}");
    }
}

#[test]
fn a_fleet_beyond_the_fd_limit_fails_fast_with_the_reason() {
    // Lower the hard limit for the child only, through the shell's ulimit.
    let out = Command::new("sh")
        .args([
            "-c",
            &format!(
                "ulimit -n 512 && exec '{}' fleet --count 1000",
                env!("CARGO_BIN_EXE_agent-sim")
            ),
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "nothing bound, nothing printed");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("1000 agents need 1256 file descriptors")
            && err.contains("the hard limit is 512"),
        "{err}"
    );
}
