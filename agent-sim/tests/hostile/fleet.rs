//! A hostile request to one agent of a fleet leaves every other agent serving: the bodies
//! that once aborted the whole process, and a slice of the campaign, go to agent 0 while the
//! others are checked.

use super::generate::{self, Ids};
use super::support::exchange;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::Duration;

fn hello(addr: SocketAddr) -> Option<u16> {
    exchange(
        addr,
        b"GET / HTTP/1.1\r\nHost: sim\r\nConnection: close\r\n\r\n",
        Duration::from_secs(10),
    )
    .status
}

#[test]
fn one_attacked_agent_leaves_the_fleet_serving() {
    let path = std::env::temp_dir().join(format!("agent-sim-fleet-{}.json", std::process::id()));
    std::fs::write(&path, r#"{"name":"fleet","processes":{"mode":"scripted"}}"#).expect("write");
    let mut child = Command::new(env!("CARGO_BIN_EXE_agent-sim"))
        .args(["fleet", "--count", "4", "--scenario"])
        .arg(&path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn fleet");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let agents: Vec<SocketAddr> = (0..4)
        .map(|_| {
            let line = lines.next().expect("agent line").expect("utf-8");
            let url = line.rsplit(' ').next().unwrap_or_default();
            url.trim_start_matches("http://").parse().expect("address")
        })
        .collect();

    let deep = b"[".repeat(3_000_000);
    let mut attack = Vec::new();
    for route in ["/api/v0/processes/start", "/api/v0/processes/x/signal"] {
        let mut req = format!(
            "POST {route} HTTP/1.1\r\nHost: sim\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            deep.len()
        )
        .into_bytes();
        req.extend_from_slice(&deep);
        attack.push(req);
    }
    let ids = Ids(vec!["x".into()]);
    attack.extend((0..300).map(|i| generate::request(7, i, &ids).bytes));
    for (i, req) in attack.iter().enumerate() {
        let _ = exchange(agents[0], req, Duration::from_millis(300));
        if i % 50 == 0 {
            for a in &agents[1..] {
                assert_eq!(hello(*a), Some(200), "agent {a} after {i} attacks");
            }
        }
    }
    assert!(
        matches!(child.try_wait(), Ok(None)),
        "the fleet process died"
    );
    for a in &agents {
        assert_eq!(hello(*a), Some(200), "agent {a}");
    }
    // SAFETY: signalling our own child by pid.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let _ = child.wait();
    let _ = std::fs::remove_file(&path);
}
