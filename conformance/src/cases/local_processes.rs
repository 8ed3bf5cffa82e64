//! Local tier, processes: a command started through the process API runs on this host. The
//! suite starts `sleep` with a duration no other process has, finds it in `/proc/*/cmdline`,
//! kills it through the signal route and checks it is gone. With a control API the scenario is
//! switched to `processes.mode = "exec"` first (a scripted agent-sim runs nothing).

use crate::case::{StepResult, Verdict};
use crate::context::Ctx;
use crate::http::Request;
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::process_api::signal_request;
use super::processes::start;

/// How long the process may take to appear, and to disappear after the kill.
const WAIT: Duration = Duration::from_secs(3);

/// Pids of processes whose command line (NULs as spaces) contains `needle`.
pub fn host_pids(needle: &str) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()))
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|b| {
                let line: String = String::from_utf8_lossy(&b).replace('\0', " ");
                line.contains(needle)
            })
        })
        .collect()
}

async fn wait_for(needle: &str, present: bool) -> Vec<u32> {
    let started = Instant::now();
    loop {
        let pids = host_pids(needle);
        if pids.is_empty() != present || started.elapsed() > WAIT {
            return pids;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub async fn visible_to_host(ctx: Arc<Ctx>) -> StepResult {
    let ctx = &*ctx;
    if !std::path::Path::new("/proc/self/cmdline").exists() {
        return Ok(Verdict::Skip("this host has no /proc to look in".into()));
    }
    if ctx.control.is_some() {
        ctx.patch_scenario(&json!({"processes": {"mode": "exec"}}))
            .await?;
    }
    // A duration no other process has: `sleep 30.<9 random digits>`.
    let digits = uuid::Uuid::new_v4().as_u128() % 1_000_000_000;
    let duration = format!("30.{digits:09}");
    let command = format!("sleep {duration}");
    let id = start(ctx, &command).await?;
    let start_req = Request::new("POST", "/api/v0/processes/start");
    let pids = wait_for(&duration, true).await;
    if pids.is_empty() {
        return Err(ctx.failure(
            &start_req,
            format!(
                "process {id} ({command:?}) is not among this host's processes after {} s",
                WAIT.as_secs()
            ),
        ));
    }
    let signal = signal_request(&id, "kill");
    let resp = ctx.send(&signal).await?;
    let left = wait_for(&duration, false).await;
    // Whatever happened, nothing the suite caused keeps running.
    for pid in &left {
        let _ = std::process::Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
    }
    if resp.status != 200 {
        return Err(ctx.failure(
            &signal,
            format!("status {} (want 200): {}", resp.status, resp.text()),
        ));
    }
    if !left.is_empty() {
        return Err(ctx.failure(
            &signal,
            format!(
                "pids {left:?} running {command:?} are still alive {} s after the kill",
                WAIT.as_secs()
            ),
        ));
    }
    Ok(Verdict::Pass)
}
