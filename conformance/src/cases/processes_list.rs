//! Black-box cases for the process list (processes.md §3.2): an entry's fields in wire order
//! while running and once exited, and the order and cap of a list longer than ten. They run
//! in `Group::Processes` and kill what they started.

use crate::case::{Case, StepResult, Tier, Verdict};
use crate::context::Ctx;
use crate::expect::json_keys;
use crate::failure::Failure;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::process_api::{entry, kill_quietly, list, start, start_with, wait_output, LIST};

/// How long processes signalled by earlier cases may take to be reported exited.
const EXIT_LIMIT: Duration = Duration::from_secs(3);

#[rustfmt::skip]
pub fn cases() -> Vec<Case> {
    vec![
        Case::steps("process/exec/list-entry", Tier::BlackBox, LIST, exec_list_entry).checks(&["processes.list.entry-fields", "processes.list.exited-has-exit", "processes.list.command-as-submitted", "processes.list.times"]),
        Case::steps("process/exec/running-entry", Tier::BlackBox, LIST, exec_running_entry).checks(&["processes.list.running-omits-exit", "processes.start.background-flag", "processes.workdir.request"]),
        Case::steps("process/exec/list-order-and-cap", Tier::BlackBox, LIST, exec_list_order_and_cap).checks(&["processes.list.cap-10", "processes.list.cap-keeps-first", "processes.list.running-first", "processes.list.newest-first", "processes.lifetime.no-cap"]),
    ]
}

async fn exec_list_entry(ctx: Arc<Ctx>) -> StepResult {
    let id = start(&ctx, "exit 0").await?;
    wait_output(&ctx, &id).await?;
    let (req, entries) = list(&ctx, &[]).await?;
    let Some(e) = entry(&entries, &id) else {
        return Err(ctx.failure(&req, format!("process {id} missing from the list")));
    };
    let want_a = [
        "id",
        "command",
        "workdir",
        "background",
        "running",
        "exit_code",
        "started_at_unix",
        "exited_at_unix",
    ];
    let k = json_keys(e);
    let ok = k == want_a || k == [&want_a[..2], &want_a[3..]].concat();
    if !ok || e["command"] != "exit 0" || e["exit_code"] != 0 || e["running"] != false {
        return Err(ctx.failure(
            &req,
            format!("entry {e} is not an exited ProcessInfo with exit_code 0 in wire order"),
        ));
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let (started, exited) = (e["started_at_unix"].as_i64(), e["exited_at_unix"].as_i64());
    let plausible = matches!((started, exited), (Some(s), Some(x))
        if x >= s && (now - s).abs() < 24 * 3600);
    if !plausible {
        return Err(ctx.failure(
            &req,
            format!("entry {e}: started_at_unix and exited_at_unix must be Unix seconds, exited ≥ started"),
        ));
    }
    Ok(Verdict::Pass)
}

async fn exec_running_entry(ctx: Arc<Ctx>) -> StepResult {
    let body = json!({"command": "sleep 30", "workdir": "/", "background": true});
    let id = start_with(&ctx, &body, &[]).await?;
    let listed = list(&ctx, &[]).await;
    kill_quietly(&ctx, &id).await;
    let (req, entries) = listed?;
    let Some(e) = entry(&entries, &id) else {
        return Err(ctx.failure(&req, format!("running process {id} missing from the list")));
    };
    let want = [
        "id",
        "command",
        "workdir",
        "background",
        "running",
        "started_at_unix",
    ];
    if json_keys(e) != want
        || e["workdir"] != "/"
        || e["background"] != true
        || e["running"] != true
    {
        return Err(ctx.failure(
            &req,
            format!("entry {e}: want a running background entry in /, no exit fields"),
        ));
    }
    Ok(Verdict::Pass)
}

async fn exec_list_order_and_cap(ctx: Arc<Ctx>) -> StepResult {
    if !no_running_process(&ctx).await? {
        // Running processes come first and are never capped away: the ten newest would not
        // all be the case's own.
        return Ok(Verdict::Skip(
            "other processes are running on the agent".into(),
        ));
    }
    // Three older exited processes, then eight newer ones in two seconds (a pause before each
    // four, so no timestamp ties across those lines) and two running: the ten listed must be
    // exactly the last ten, the newer exited four first.
    for i in 0..3 {
        let id = start(&ctx, &format!("exit {i}")).await?;
        wait_output(&ctx, &id).await?;
    }
    let mut newest = Vec::new();
    for i in 0..8 {
        if i % 4 == 0 {
            tokio::time::sleep(Duration::from_millis(1100)).await;
        }
        let id = start(&ctx, &format!("exit {i}")).await?;
        wait_output(&ctx, &id).await?;
        newest.push(id);
    }
    for _ in 0..2 {
        newest.push(start(&ctx, "sleep 30").await?);
    }
    let listed = list(&ctx, &[]).await;
    for id in &newest[8..] {
        kill_quietly(&ctx, id).await;
    }
    let (req, entries) = listed?;
    check_order_and_cap(&entries, &newest).map_err(|why| {
        let ids: Vec<&Value> = entries.iter().map(|e| &e["id"]).collect();
        ctx.failure(&req, format!("{why} (listed: {ids:?})"))
    })?;
    Ok(Verdict::Pass)
}

/// Whether the list shows no running process, waiting up to [`EXIT_LIMIT`] for processes
/// signalled by earlier cases to be reported exited.
async fn no_running_process(ctx: &Ctx) -> Result<bool, Failure> {
    let began = Instant::now();
    loop {
        let (_, entries) = list(ctx, &[]).await?;
        if entries.iter().all(|e| e["running"] != true) {
            return Ok(true);
        }
        if began.elapsed() > EXIT_LIMIT {
            return Ok(false);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Exactly the ten newest (`newest`, the last two running), running first, each part newest
/// first.
fn check_order_and_cap(entries: &[Value], newest: &[String]) -> Result<(), String> {
    if entries.len() != 10 {
        return Err(format!("{} entries: want exactly 10 of 13+", entries.len()));
    }
    let is_running: Vec<bool> = entries.iter().map(|e| e["running"] == true).collect();
    if is_running.windows(2).any(|w| !w[0] && w[1]) {
        return Err("an exited entry comes before a running one".into());
    }
    let started = |e: &Value| e["started_at_unix"].as_i64().unwrap_or(i64::MIN);
    let ordered = entries
        .windows(2)
        .all(|w| w[0]["running"] != w[1]["running"] || started(&w[0]) >= started(&w[1]));
    if !ordered {
        return Err("started_at_unix increases within the running or the exited part".into());
    }
    if let Some(missing) = newest.iter().find(|id| entry(entries, id).is_none()) {
        return Err(format!("{missing}, one of the ten newest, dropped out"));
    }
    Ok(())
}
