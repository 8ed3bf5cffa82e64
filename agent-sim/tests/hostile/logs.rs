//! Logging never blocks serving: with stderr a pipe that nobody reads, thousands of requests
//! that log are all answered, the dropped lines are counted on `/debug/prometheus`, and the
//! process still exits promptly on SIGTERM.

use super::support::{exchange, SimProcess, Stderr};
use std::time::{Duration, Instant};

#[test]
fn an_unread_stderr_pipe_does_not_stall_requests() {
    let scenario = serde_json::json!({ "name": "logs", "processes": { "mode": "scripted" } });
    // Debug level: every request writes a line or two, far more than the pipe (64 KiB) and
    // the writer's queue hold.
    let mut sim = SimProcess::start(&scenario, Stderr::UnreadPipe, &[("RUST_LOG", "debug")]);
    let started = Instant::now();
    for i in 0..3000 {
        let path = if i % 2 == 0 {
            "/debug/magicsock/debug-logging/true"
        } else {
            "/api/v0/listening-ports"
        };
        let req = format!("GET {path} HTTP/1.1\r\nHost: sim\r\nConnection: close\r\n\r\n");
        let reply = exchange(sim.addr, req.as_bytes(), Duration::from_secs(10));
        assert_eq!(
            reply.status,
            Some(200),
            "request {i} after {:?}",
            started.elapsed()
        );
    }
    let (_, metrics) = sim.get("/debug/prometheus").expect("metrics");
    let metrics = String::from_utf8_lossy(&metrics);
    let dropped: u64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("agent_sim_log_lines_dropped_total "))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no drop counter in:\n{metrics}"));
    assert!(dropped > 0);
    assert!(sim.alive());

    // Shutdown does not wait on the pipe for long, and its last line says what was dropped
    // (read here once the reader wakes up).
    let stderr = sim.take_stderr().expect("stderr pipe");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut { stderr }, &mut text);
        text
    });
    let took = sim.terminate().expect("agent-sim exits on SIGTERM");
    assert!(took < Duration::from_secs(5), "exit took {took:?}");
    let text = reader.join().expect("reader");
    let last = text.lines().last().unwrap_or_default();
    assert!(
        last.contains("log lines were dropped because stderr was not being read"),
        "last line: {last:?}"
    );
}
