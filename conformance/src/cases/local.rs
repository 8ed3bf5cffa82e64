//! Local tier: the agent runs on this host, so the suite opens real TCP listeners (random
//! ports, the ignore-set ports and a port below 9 where it can bind them, an IPv6-only one)
//! and checks which ones `/api/v0/listening-ports` reports. With a control API, the scenario
//! is switched to `listening_ports.source = "os"` first. The processes the agent starts are
//! looked for on the host ([`super::local_processes`]). Every local case is in the scenario
//! group (it patches the scenario, and the agent's port scan cache is shared).

use crate::case::{Case, Effect, Group, Tier, Verdict};
use crate::context::Ctx;
use crate::expect::check_go_json;
use crate::failure::Failure;
use crate::http::Request;
use crate::listeners::Listeners;
use serde_json::json;
use std::collections::BTreeSet;
use std::time::Duration;

/// The agent caches a scan for 1 s.
const CACHE: Duration = Duration::from_millis(1100);

/// Every local case.
pub fn cases() -> Vec<Case> {
    let route = "GET /api/v0/listening-ports";
    vec![
        Case::steps(
            "local/listening-ports/reports-opened-ports",
            Tier::Local,
            route,
            |ctx| async move { opened_ports(&ctx).await },
        ),
        Case::steps(
            "local/listening-ports/filters-low-and-ignored",
            Tier::Local,
            route,
            |ctx| async move { filtered_ports(&ctx).await },
        ),
        Case::steps(
            "local/listening-ports/ipv6-only-not-reported",
            Tier::Local,
            route,
            |ctx| async move { ipv6_only(&ctx).await },
        ),
        Case::steps(
            "local/processes/visible-to-host",
            Tier::Local,
            "POST /api/v0/processes/start",
            |ctx| async move { super::local_processes::visible_to_host(&ctx).await },
        )
        .changes(Effect::StartsProcesses)
        .checks(&[
            "processes.start.sh-c",
            "processes.signal.sent",
            "processes.signal.kill-sigkill",
        ]),
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

async fn reported(ctx: &Ctx) -> Result<(Request, BTreeSet<u64>), Failure> {
    let req = Request::get("/api/v0/listening-ports");
    let resp = ctx.send(&req).await?;
    if resp.status != 200 {
        return Err(ctx.failure(
            &req,
            format!("status {} (want 200): {}", resp.status, resp.text()),
        ));
    }
    let v = check_go_json(&resp).map_err(|e| ctx.failure(&req, e))?;
    let ports = v["ports"]
        .as_array()
        .map(|a| a.iter().filter_map(|p| p["port"].as_u64()).collect())
        .unwrap_or_default();
    Ok((req, ports))
}

/// Reads the report; if `want` is not all there, the agent answered from a scan older than
/// the listeners: reads once more when that scan has surely expired (`CACHE` after binding).
async fn reported_with(
    ctx: &Ctx,
    listeners: &Listeners,
    want: &[u64],
) -> Result<(Request, BTreeSet<u64>), Failure> {
    let (req, ports) = reported(ctx).await?;
    if want.iter().all(|p| ports.contains(p)) {
        return Ok((req, ports));
    }
    tokio::time::sleep_until((listeners.bound_at + CACHE).into()).await;
    reported(ctx).await
}

async fn opened_ports(ctx: &Ctx) -> Result<Verdict, Failure> {
    use_os_ports(ctx).await?;
    let l = ctx.local_listeners().await;
    let want: Vec<u64> = l.opened.iter().map(|(_, p)| *p).collect();
    let (req, ports) = reported_with(ctx, &l, &want).await?;
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

async fn filtered_ports(ctx: &Ctx) -> Result<Verdict, Failure> {
    use_os_ports(ctx).await?;
    let l = ctx.local_listeners().await;
    let bound: Vec<u64> = l.filtered.iter().map(|(_, p)| *p).collect();
    let (req, ports) = reported_with(ctx, &l, &l.marker()).await?;
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

async fn ipv6_only(ctx: &Ctx) -> Result<Verdict, Failure> {
    use_os_ports(ctx).await?;
    let l = ctx.local_listeners().await;
    let Some((_, _, port)) = &l.v6 else {
        return Ok(Verdict::Skip(
            "cannot bind an IPv6 loopback socket here".into(),
        ));
    };
    let (req, ports) = reported_with(ctx, &l, &l.marker()).await?;
    if ports.contains(port) {
        return Err(ctx.failure(
            &req,
            format!("reported IPv6-only port {port}: the agent reads /proc/net/tcp only (IPv4)"),
        ));
    }
    Ok(Verdict::Pass)
}
