//! The bad-input campaign: thousands of hostile requests (`HOSTILE_REQUESTS`, default 10,000;
//! seed from `HOSTILE_SEED`, printed) against an `agent-sim` process, then the checks: it is
//! alive, `GET /` answers, no 5xx outside those the spec names for a route, no handler panic
//! reached the Recover layer, and resident memory is back near where it started.

use super::generate::{self, Hostile, Ids};
use super::support::{exchange, safe_scenario, SimProcess, Stderr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Concurrent clients.
const CLIENTS: usize = 16;

/// How far resident memory may stay above its level after warm-up (allocator slack).
const RSS_SLACK_KIB: u64 = 6 * 1024;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// What the campaign saw that it must not see.
fn verdict(h: &Hostile, status: Option<u16>, body: &[u8]) -> Option<String> {
    let status = status?;
    if status < 500 {
        return None;
    }
    let recover_body = body
        .windows(b"An internal server error occurred.".len())
        .any(|w| w == b"An internal server error occurred.");
    if status == 500 && h.route.may_500 && !recover_body {
        return None;
    }
    Some(format!(
        "{status} for {} ({:?}): {}",
        h.label,
        h.kind,
        String::from_utf8_lossy(&body[..body.len().min(300)])
    ))
}

#[test]
fn hostile_requests_never_take_the_simulator_down() {
    let seed = env_or("HOSTILE_SEED", 0x5EED_0011);
    let count = env_or("HOSTILE_REQUESTS", 10_000) as usize;
    println!("hostile campaign: seed {seed}, {count} requests (HOSTILE_SEED / HOSTILE_REQUESTS replay it)");
    let scenario = safe_scenario();
    let mut ids: Vec<String> = scenario["devcontainers"]["devcontainers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["id"].as_str().map(str::to_string))
        .collect();
    ids.extend(["true", "0", "blah", "..", "%2F"].map(str::to_string));
    let ids = Arc::new(Ids(ids));
    let mut sim = SimProcess::start(&scenario, Stderr::Null, &[]);
    let addr = sim.addr;

    // Warm up every route once with a plain request, then take the memory baseline.
    for r in generate::ROUTES.iter().filter(|r| r.method == "GET") {
        let path = r.path.replace("{id}", "x");
        let _ = sim.get(&path);
    }
    let rss_before = sim.rss_kib();

    let started = Instant::now();
    let next = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(Mutex::new(Vec::<String>::new()));
    let answered = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (next, failures, answered, ids) = (
                next.clone(),
                failures.clone(),
                answered.clone(),
                ids.clone(),
            );
            std::thread::spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    return;
                }
                let h = generate::request(seed, i, &ids);
                let reply = exchange(addr, &h.bytes, h.patience);
                if reply.status.is_some() {
                    answered.fetch_add(1, Ordering::Relaxed);
                }
                if let Some(f) = verdict(&h, reply.status, &reply.body) {
                    let mut fs = failures.lock().unwrap_or_else(|p| p.into_inner());
                    fs.push(format!("request {i} (seed {seed}): {f}"));
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("client thread");
    }
    let elapsed = started.elapsed();
    println!(
        "hostile campaign: {count} requests in {:.1} s, {} answered with a status",
        elapsed.as_secs_f64(),
        answered.load(Ordering::Relaxed)
    );

    assert!(
        sim.alive(),
        "agent-sim died during the campaign (seed {seed})"
    );
    let (status, body) = sim.get("/").expect("GET / after the campaign");
    assert_eq!(
        (status, body.as_slice()),
        (200, &b"{\"message\":\"Hello from the agent!\"}\n"[..]),
        "seed {seed}"
    );
    let failures = failures.lock().unwrap_or_else(|p| p.into_inner());
    assert!(
        failures.is_empty(),
        "{} unexpected 5xx answers (seed {seed}); first ones:\n{}",
        failures.len(),
        failures
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    let (_, metrics) = sim.get("/debug/prometheus").expect("metrics");
    let metrics = String::from_utf8_lossy(&metrics);
    assert!(
        !metrics.contains("agent_sim_handler_panics_total"),
        "handler panics reached the Recover layer (seed {seed}):\n{metrics}"
    );

    // What the campaign wrote and started is released by a reset; memory must come back.
    let (status, _) = exchange(
        addr,
        b"POST /__sim/reset HTTP/1.1\r\nHost: sim\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        std::time::Duration::from_secs(10),
    )
    .status
    .map(|s| (s, ()))
    .expect("reset");
    assert_eq!(status, 200);
    let rss_after = sim.rss_kib();
    println!("hostile campaign: resident memory {rss_before} KiB before, {rss_after} KiB after");
    assert!(
        rss_after <= rss_before + RSS_SLACK_KIB,
        "resident memory grew from {rss_before} KiB to {rss_after} KiB (seed {seed})"
    );
}
