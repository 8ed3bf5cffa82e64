//! Local tier: the agent runs on this host, so the suite opens real TCP listeners (random
//! ports, the ignore-set ports and a port below 9 where it can bind them, an IPv6-only one)
//! and checks which ones `/api/v0/listening-ports` reports. With a control API, the scenario
//! is switched to `listening_ports.source = "os"` first. The processes the agent starts are
//! looked for on the host ([`super::local_processes`]). Every local case is in the scenario
//! group (it patches the scenario, and the agent's port scan cache is shared).

use crate::case::{Case, Effect, Group, StepResult, Tier, Verdict};
use crate::context::Ctx;
use crate::expect::check_go_json;
use crate::failure::Failure;
use crate::http::Request;
use crate::listeners::Listeners;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

/// The agent caches a scan for 1 s.
const CACHE: Duration = Duration::from_millis(1100);

/// Every local case.
#[rustfmt::skip]
pub fn cases() -> Vec<Case> {
    let route = "GET /api/v0/listening-ports";
    vec![
        Case::steps("local/listening-ports/reports-opened-ports", Tier::Local, route, opened_ports).checks(&["core.ports.ipv4-listeners"]),
        Case::steps("local/listening-ports/filters-low-and-ignored", Tier::Local, route, filtered_ports).checks(&["core.ports.minimum", "core.ports.default-ignored"]),
        Case::steps("local/listening-ports/ipv6-only-not-reported", Tier::Local, route, ipv6_only).checks(&["core.ports.ipv6-only-hidden"]),
        Case::steps("local/listening-ports/one-entry-per-port", Tier::Local, route, one_entry_per_port).checks(&["core.ports.dedupe-by-port"]),
        Case::steps("local/listening-ports/process-name-and-network", Tier::Local, route, process_name_and_network).checks(&["core.ports.process-name", "core.ports.ipv4-listeners"]),
        Case::steps("local/listening-ports/scan-cached-for-a-second", Tier::Local, route, scan_cached_for_a_second).checks(&["core.ports.scan-cache"]),
        Case::steps("local/processes/visible-to-host", Tier::Local, "POST /api/v0/processes/start", super::local_processes::visible_to_host)
            .changes(Effect::StartsProcesses)
            .checks(&["processes.start.sh-c", "processes.signal.sent", "processes.signal.kill-sigkill"]),
    ]
    .into_iter()
    .map(|c| c.in_group(Group::Scenario))
    .collect()
}

/// With a control API, makes the agent scan the OS.
async fn use_os_ports(ctx: &Ctx) -> Result<(), Failure> {
    if ctx.control.is_some() {
        ctx.patch_scenario(&json!({
            "listening_ports": {"source": "os", "ports": [], "error": null},
            "ignore_ports": [6060, 2112, 2113],
            "faults": []
        }))
        .await?;
    }
    Ok(())
}

/// The report's entries (200 required).
async fn entries(ctx: &Ctx) -> Result<(Request, Vec<Value>), Failure> {
    let req = Request::get("/api/v0/listening-ports");
    let resp = ctx.send(&req).await?;
    if resp.status != 200 {
        return Err(ctx.failure(
            &req,
            format!("status {} (want 200): {}", resp.status, resp.text()),
        ));
    }
    let v = check_go_json(&resp).map_err(|e| ctx.failure(&req, e))?;
    let list = v["ports"].as_array().cloned().unwrap_or_default();
    Ok((req, list))
}

/// The ports of the report's entries.
fn ports_of(entries: &[Value]) -> BTreeSet<u64> {
    entries.iter().filter_map(|p| p["port"].as_u64()).collect()
}

/// The ports the report lists.
async fn reported(ctx: &Ctx) -> Result<(Request, BTreeSet<u64>), Failure> {
    let (req, list) = entries(ctx).await?;
    Ok((req, ports_of(&list)))
}

/// Reads the report's entries; if `want` is not all there, the agent answered from a scan
/// older than the listeners: reads once more when that scan has surely expired (`CACHE` after
/// binding).
async fn reported_with(
    ctx: &Ctx,
    listeners: &Listeners,
    want: &[u64],
) -> Result<(Request, Vec<Value>), Failure> {
    let (req, list) = entries(ctx).await?;
    let ports = ports_of(&list);
    if want.iter().all(|p| ports.contains(p)) {
        return Ok((req, list));
    }
    tokio::time::sleep_until((listeners.bound_at + CACHE).into()).await;
    entries(ctx).await
}

async fn opened_ports(ctx: Arc<Ctx>) -> StepResult {
    let ctx = &*ctx;
    use_os_ports(ctx).await?;
    let l = ctx.local_listeners().await;
    let want: Vec<u64> = l.opened.iter().map(|(_, p)| *p).collect();
    let (req, list) = reported_with(ctx, &l, &want).await?;
    let ports = ports_of(&list);
    let missing: Vec<u64> = want
        .iter()
        .filter(|p| !ports.contains(p))
        .copied()
        .collect();
    if !missing.is_empty() {
        return Err(ctx.failure(
            &req,
            format!("IPv4 listeners on {missing:?} opened by the suite are not reported (reported: {ports:?})"),
        ));
    }
    Ok(Verdict::Pass)
}

async fn filtered_ports(ctx: Arc<Ctx>) -> StepResult {
    let ctx = &*ctx;
    use_os_ports(ctx).await?;
    let l = ctx.local_listeners().await;
    let bound: Vec<u64> = l.filtered.iter().map(|(_, p)| *p).collect();
    let (req, list) = reported_with(ctx, &l, &l.marker()).await?;
    let ports = ports_of(&list);
    let bad: Vec<u64> = ports
        .iter()
        .filter(|p| **p < 9 || [6060, 2112, 2113].contains(*p))
        .copied()
        .collect();
    if !bad.is_empty() {
        return Err(ctx.failure(
            &req,
            format!("reported {bad:?}: ports below 9 and in the ignore set must be dropped (the suite bound {bound:?})"),
        ));
    }
    Ok(Verdict::Pass)
}

async fn ipv6_only(ctx: Arc<Ctx>) -> StepResult {
    let ctx = &*ctx;
    use_os_ports(ctx).await?;
    let l = ctx.local_listeners().await;
    let Some((_, _, port)) = &l.v6 else {
        return Ok(Verdict::Skip(
            "cannot bind an IPv6 loopback socket here".into(),
        ));
    };
    let (req, list) = reported_with(ctx, &l, &l.marker()).await?;
    if ports_of(&list).contains(port) {
        return Err(ctx.failure(
            &req,
            format!("reported IPv6-only port {port}: the agent reads /proc/net/tcp only (IPv4)"),
        ));
    }
    Ok(Verdict::Pass)
}

async fn one_entry_per_port(ctx: Arc<Ctx>) -> StepResult {
    let ctx = &*ctx;
    use_os_ports(ctx).await?;
    let l = ctx.local_listeners().await;
    let Some((_, _, port)) = &l.shared else {
        return Ok(Verdict::Skip("cannot listen on 127.0.0.2 here".into()));
    };
    let (req, list) = reported_with(ctx, &l, &[*port]).await?;
    let n = list
        .iter()
        .filter(|p| p["port"].as_u64() == Some(*port))
        .count();
    if n != 1 {
        return Err(ctx.failure(
            &req,
            format!("port {port} (listened on by 127.0.0.1 and 127.0.0.2) appears {n} times (want once)"),
        ));
    }
    Ok(Verdict::Pass)
}

/// This process's `comm` as the kernel shows it (what go-netstat reads from `stat`).
fn own_comm() -> Option<String> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let (start, end) = (stat.find('(')?, stat.rfind(')')?);
    Some(stat[start + 1..end].to_string())
}

async fn process_name_and_network(ctx: Arc<Ctx>) -> StepResult {
    let ctx = &*ctx;
    use_os_ports(ctx).await?;
    let Some(comm) = own_comm() else {
        return Ok(Verdict::Skip("no /proc/self/stat here".into()));
    };
    let l = ctx.local_listeners().await;
    let want: Vec<u64> = l.opened.iter().map(|(_, p)| *p).collect();
    let (req, list) = reported_with(ctx, &l, &want).await?;
    for e in list
        .iter()
        .filter(|e| e["port"].as_u64().is_some_and(|p| want.contains(&p)))
    {
        let name = e["process_name"].as_str().unwrap_or("?");
        // The agent names the owner only when it may inspect it (same user); else "". A comm
        // with a space is also reported as "" (go-netstat splits `stat` on spaces).
        let ok_name = name.is_empty() || (name == comm && !comm.contains(' '));
        if !ok_name || e["network"] != "tcp" {
            return Err(ctx.failure(
                &req,
                format!("entry {e}: want network \"tcp\" and process_name {comm:?} (this suite's comm) or \"\""),
            ));
        }
    }
    Ok(Verdict::Pass)
}

/// A scan younger than a second answers: a listener bound right after a fresh scan is missing
/// from the next report (sent well within the second) and present once the second is over.
async fn scan_cached_for_a_second(ctx: Arc<Ctx>) -> StepResult {
    let ctx = &*ctx;
    use_os_ports(ctx).await?;
    reported(ctx).await?;
    tokio::time::sleep(CACHE).await;
    // Older than the cache: this request scans afresh.
    let fresh = std::time::Instant::now();
    reported(ctx).await?;
    let answered = std::time::Instant::now();
    let Ok(late) = tokio::net::TcpListener::bind("127.0.0.1:0").await else {
        return Ok(Verdict::Skip("cannot bind a listener".into()));
    };
    let port = late.local_addr().map(|a| u64::from(a.port())).unwrap_or(0);
    let sent = std::time::Instant::now();
    let (req, cached) = reported(ctx).await?;
    if sent - fresh > Duration::from_millis(800) {
        return Ok(Verdict::Skip(
            "the agent answers too slowly to tell its cache".into(),
        ));
    }
    if cached.contains(&port) {
        return Err(ctx.failure(
            &req,
            format!("port {port}, bound after a scan less than a second old, is already reported: the scan is not cached for 1 s"),
        ));
    }
    tokio::time::sleep_until((answered + CACHE).into()).await;
    let (req, again) = reported(ctx).await?;
    if !again.contains(&port) {
        return Err(ctx.failure(
            &req,
            format!("port {port} is still missing more than a second after the cached scan"),
        ));
    }
    drop(late);
    Ok(Verdict::Pass)
}
