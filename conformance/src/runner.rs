//! The runner: probes the target, detects the tiers it can run (or takes the forced one),
//! selects the cases (`--filter`, `--exclude`), and runs them tier after tier — black-box,
//! controlled, then local with the scenario found at the start put back — up to `jobs` at a
//! time. Cases of one [`Group`] (shared state on the agent) run one after another, in order;
//! a case may hand its group on early ([`crate::lease::release_group`]) once what is left of it no longer
//! depends on that state. A panicking or failing case never stops the run (unless
//! `fail_fast`); results come back in case order, with the expected-failures list applied,
//! and the scenario found at the start is restored.

use crate::case::{Case, CaseKind, Group, Tier, Verdict};
use crate::context::Ctx;
use crate::failure::Failure;
use crate::fixtures::Fixture;
use crate::http::{Client, HttpError, Request};
use crate::snapshot::SnapshotSet;
use futures::StreamExt;
use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};

/// Everything a run needs.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// The agent's base URL, e.g. `http://127.0.0.1:4000`.
    pub target: String,
    /// The control API's base URL, when it is not the target's.
    pub control: Option<String>,
    /// Run only this tier (default: every tier the target allows).
    pub tier: Option<Tier>,
    /// Run only cases whose names match.
    pub filter: Option<Regex>,
    /// Leave out cases whose names match.
    pub exclude: Option<Regex>,
    /// Run only cases that check a rule whose id matches.
    pub rule: Option<Regex>,
    /// Seed of the property cases.
    pub seed: u64,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Cases expected to fail (reported as expected failures).
    pub expected_failures: BTreeSet<String>,
    /// Scenarios the controlled tier puts in force.
    pub fixtures: Vec<Fixture>,
    /// Where the expected-response snapshots come from (embedded, or a folder).
    pub snapshots: SnapshotSet,
    /// How many inputs each property case tries.
    pub property_cases: u32,
    /// How many cases may run at once (at least 1).
    pub jobs: usize,
    /// Start no case after the first failure.
    pub fail_fast: bool,
    /// Skip every case that changes something on the agent.
    pub read_only: bool,
}

impl RunConfig {
    /// A run of every case against `target` with the embedded fixtures and snapshots, one job
    /// per CPU.
    pub fn new(target: &str) -> Self {
        Self {
            target: target.trim_end_matches('/').to_string(),
            control: None,
            tier: None,
            filter: None,
            exclude: None,
            rule: None,
            seed: 0,
            timeout: Duration::from_millis(5000),
            expected_failures: BTreeSet::new(),
            fixtures: crate::fixtures::embedded(),
            snapshots: SnapshotSet::Embedded,
            property_cases: 32,
            jobs: default_jobs(),
            fail_fast: false,
            read_only: false,
        }
    }

    /// The cases `--filter`, `--exclude` and `--rule` select, in run order within each tier.
    pub fn select(&self) -> Vec<Case> {
        crate::cases::all(&self.fixtures)
            .into_iter()
            .filter(|c| self.filter.as_ref().is_none_or(|re| re.is_match(&c.name)))
            .filter(|c| !self.exclude.as_ref().is_some_and(|re| re.is_match(&c.name)))
            .filter(|c| {
                self.rule
                    .as_ref()
                    .is_none_or(|re| c.rules.iter().any(|r| re.is_match(r)))
            })
            .collect()
    }
}

/// The number of CPUs (1 if it cannot be told).
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// How one case ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The case passed.
    Passed,
    /// The case failed.
    Failed(Failure),
    /// The case does not apply to this target (why).
    Skipped(String),
    /// Failed, but listed in `--expected-failures`.
    ExpectedFailure(Failure),
}

impl Outcome {
    /// `passed`, `failed`, `skipped` or `expected-failure`.
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Failed(_) => "failed",
            Outcome::Skipped(_) => "skipped",
            Outcome::ExpectedFailure(_) => "expected-failure",
        }
    }

    /// The failure, for a failed or expected-failed case.
    pub fn failure(&self) -> Option<&Failure> {
        match self {
            Outcome::Failed(f) | Outcome::ExpectedFailure(f) => Some(f),
            _ => None,
        }
    }
}

/// One case's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseResult {
    /// The case name.
    pub name: String,
    /// Its tier.
    pub tier: Tier,
    /// The route it covers.
    pub route: String,
    /// The ids of the spec rules it checks.
    pub rules: Vec<&'static str>,
    /// How it ended.
    pub outcome: Outcome,
    /// How long it took.
    pub duration: Duration,
    /// Listed as an expected failure but passed: the list can shrink.
    pub unexpected_pass: bool,
}

/// The whole run.
#[derive(Debug, Clone)]
pub struct Report {
    /// The agent URL tested.
    pub target: String,
    /// The control API URL used, if any.
    pub control: Option<String>,
    /// Tiers whose cases ran.
    pub tiers: Vec<Tier>,
    /// Seed of the property cases.
    pub seed: u64,
    /// Version of the expected-response snapshots.
    pub snapshot_version: String,
    /// How long the run took.
    pub duration: Duration,
    /// Every case's result, in run order.
    pub results: Vec<CaseResult>,
    /// Selected cases that never started (`fail_fast` after a failure).
    pub not_run: usize,
}

impl Report {
    /// How many cases ended with this [`Outcome::label`].
    pub fn count(&self, label: &str) -> usize {
        self.results
            .iter()
            .filter(|r| r.outcome.label() == label)
            .count()
    }

    /// `N passed, N failed, N skipped`.
    pub fn summary_line(&self) -> String {
        format!(
            "{} passed, {} failed, {} skipped",
            self.count("passed"),
            self.count("failed"),
            self.count("skipped")
        )
    }

    /// Whether any case failed (expected failures aside).
    pub fn failed(&self) -> bool {
        self.count("failed") > 0
    }

    /// The names of the failed cases (not the expected failures), in case order.
    pub fn failed_names(&self) -> Vec<&str> {
        self.results
            .iter()
            .filter(|r| matches!(r.outcome, Outcome::Failed(_)))
            .map(|r| r.name.as_str())
            .collect()
    }
}

/// Why a run could not start.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The target did not accept a connection.
    #[error("target {target} is unreachable: {reason}")]
    Unreachable { target: String, reason: String },
}

/// Whether `url`'s host is this machine.
pub fn is_loopback(url: &str) -> bool {
    let Ok(u) = reqwest::Url::parse(url) else {
        return false;
    };
    let host = u.host_str().unwrap_or("");
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Tier availability: `Ok(())` when it can run, else why not.
async fn detect(config: &RunConfig, client: &Client) -> Vec<(Tier, Result<(), String>)> {
    let control = config.control.clone().unwrap_or(config.target.clone());
    let controlled = match client.send(&control, &Request::get("/__sim/health")).await {
        Ok(r) if r.status == 200 => Ok(()),
        Ok(r) => Err(format!("{control}/__sim/health answered {}", r.status)),
        Err(e) => Err(format!("{control}/__sim/health: {e}")),
    };
    let local = if is_loopback(&config.target) {
        Ok(())
    } else {
        Err(format!("{} is not on this host", config.target))
    };
    vec![
        (Tier::BlackBox, Ok(())),
        (Tier::Local, local),
        (Tier::Controlled, controlled),
    ]
}

/// Runs the suite; `on_result` sees each case as it finishes (in completion order; the
/// report lists them in case order).
pub async fn run(
    config: RunConfig,
    mut on_result: impl FnMut(&CaseResult),
) -> Result<Report, RunError> {
    let started = Instant::now();
    let client = Client::new(config.timeout);
    check_reachable(&config, &client).await?;
    let tier_state = tier_states(&config, detect(&config, &client).await);
    let runs = |t: Tier| tier_state.get(&t).is_some_and(|s| s.is_ok());
    let controlled = runs(Tier::Controlled);
    let ctx = Arc::new(run_context(&config, client, controlled));
    let saved = if controlled {
        saved_scenario(&ctx).await
    } else {
        None
    };
    let cases = config.select();
    if runs(Tier::Local) && cases.iter().any(|c| c.tier == Tier::Local) {
        // Bound now, they are older than the agent's port scan cache when the tier runs.
        ctx.local_listeners().await;
    }
    let shared = Shared {
        ctx: ctx.clone(),
        expected_failures: Arc::new(config.expected_failures.clone()),
        read_only: config.read_only,
        stop: Arc::new(AtomicBool::new(false)),
        fail_fast: config.fail_fast,
    };
    let (tx, mut rx) = mpsc::unbounded_channel::<(usize, CaseResult)>();
    let indexed: Vec<(usize, Case)> = cases.into_iter().enumerate().collect();
    let selected = indexed.len();
    let driver = async {
        run_tiers(
            &shared,
            &indexed,
            &tier_state,
            saved.as_ref(),
            config.jobs,
            &tx,
        )
        .await;
        drop(tx);
    };
    let mut results: Vec<(usize, CaseResult)> = Vec::new();
    let consumer = async {
        while let Some((i, r)) = rx.recv().await {
            on_result(&r);
            results.push((i, r));
        }
    };
    futures::join!(driver, consumer);
    results.sort_by_key(|(i, _)| *i);
    let results: Vec<CaseResult> = results.into_iter().map(|(_, r)| r).collect();
    if let Some(s) = saved {
        let _ = ctx.put_scenario(&s).await;
    }
    let tiers = results
        .iter()
        .filter(|r| runs(r.tier))
        .map(|r| r.tier)
        .collect::<BTreeSet<_>>();
    Ok(Report {
        target: config.target.clone(),
        control: ctx.control.clone(),
        tiers: tiers.into_iter().collect(),
        seed: config.seed,
        snapshot_version: config.snapshots.version(),
        duration: started.elapsed(),
        not_run: selected - results.len(),
        results,
    })
}

/// Runs the selected cases tier by tier (black-box, controlled, local); a tier that cannot
/// run reports its cases as skipped with the reason.
async fn run_tiers(
    shared: &Shared,
    indexed: &[(usize, Case)],
    tier_state: &BTreeMap<Tier, Result<(), String>>,
    saved: Option<&String>,
    jobs: usize,
    tx: &Sink,
) {
    for tier in [Tier::BlackBox, Tier::Controlled, Tier::Local] {
        let phase: Vec<(usize, Case)> = indexed
            .iter()
            .filter(|(_, c)| c.tier == tier)
            .cloned()
            .collect();
        let state = tier_state
            .get(&tier)
            .cloned()
            .unwrap_or(Err("unknown tier".into()));
        if tier == Tier::Local && state.is_ok() && !phase.is_empty() {
            // The controlled tier leaves the last fixture in force.
            if let Some(s) = saved {
                let _ = shared.ctx.put_scenario(s).await;
            }
        }
        run_phase(shared, phase, state, jobs.max(1), tx).await;
    }
}

/// A target that cannot be connected to ends the run before it starts.
async fn check_reachable(config: &RunConfig, client: &Client) -> Result<(), RunError> {
    match client.send(&config.target, &Request::get("/")).await {
        Err(HttpError::Connect { reason, .. }) => Err(RunError::Unreachable {
            target: config.target.clone(),
            reason,
        }),
        _ => Ok(()),
    }
}

/// Whether each tier runs (`Ok`) or why not: `--tier` first, then what [`detect`] found.
fn tier_states(
    config: &RunConfig,
    detected: Vec<(Tier, Result<(), String>)>,
) -> BTreeMap<Tier, Result<(), String>> {
    detected
        .into_iter()
        .map(|(tier, avail)| {
            let state = match config.tier {
                Some(forced) if forced != tier => Err(format!("not selected (--tier {forced})")),
                Some(_) => Ok(()),
                None => avail.map_err(|why| format!("{tier} tier not available: {why}")),
            };
            (tier, state)
        })
        .collect()
}

/// The run's context: the control API only when the controlled tier runs.
fn run_context(config: &RunConfig, client: Client, controlled: bool) -> Ctx {
    Ctx {
        control: controlled.then(|| config.control.clone().unwrap_or(config.target.clone())),
        seed: config.seed,
        fixtures: config.fixtures.clone(),
        snapshots: config.snapshots.clone(),
        property_cases: config.property_cases,
        ..Ctx::new(&config.target, client)
    }
}

/// What every case of a run shares besides the context.
struct Shared {
    ctx: Arc<Ctx>,
    expected_failures: Arc<BTreeSet<String>>,
    read_only: bool,
    /// Set by the first failure under `fail_fast`: no case starts after it.
    stop: Arc<AtomicBool>,
    fail_fast: bool,
}

type Sink = mpsc::UnboundedSender<(usize, CaseResult)>;

/// Runs one tier's cases: each group is one unit (its cases in order), every other case its
/// own unit; up to `jobs` units at once.
async fn run_phase(
    shared: &Shared,
    cases: Vec<(usize, Case)>,
    state: Result<(), String>,
    jobs: usize,
    tx: &Sink,
) {
    let mut units: Vec<Vec<(usize, Case)>> = Vec::new();
    let mut groups: BTreeMap<Group, usize> = BTreeMap::new();
    for (i, case) in cases {
        match case.group {
            Some(g) => match groups.get(&g) {
                Some(&u) => units[u].push((i, case)),
                None => {
                    groups.insert(g, units.len());
                    units.push(vec![(i, case)]);
                }
            },
            None => units.push(vec![(i, case)]),
        }
    }
    futures::stream::iter(units)
        .for_each_concurrent(jobs, |unit| run_unit(shared, unit, &state, tx))
        .await;
}

/// Runs a unit's cases one after another; a case that releases its group early is awaited
/// after the others have started.
async fn run_unit(
    shared: &Shared,
    unit: Vec<(usize, Case)>,
    state: &Result<(), String>,
    tx: &Sink,
) {
    let mut detached = Vec::new();
    for (i, case) in unit {
        if shared.stop.load(Ordering::SeqCst) {
            break;
        }
        let (release_tx, release_rx) = oneshot::channel();
        let mut task = tokio::spawn(run_one(
            shared.ctx.clone(),
            case,
            state.clone(),
            shared.read_only,
            shared.expected_failures.clone(),
            release_tx,
        ));
        let finished = tokio::select! {
            biased;
            r = &mut task => Some(r),
            Ok(()) = release_rx => None,
        };
        match finished {
            Some(r) => deliver(shared, i, r, tx),
            None => detached.push((i, task)),
        }
    }
    for (i, task) in detached {
        let r = task.await;
        deliver(shared, i, r, tx);
    }
}

fn deliver(shared: &Shared, i: usize, r: Result<CaseResult, tokio::task::JoinError>, tx: &Sink) {
    let Ok(r) = r else {
        // `run_one` catches the case's own panic; this task is never aborted.
        return;
    };
    if shared.fail_fast && matches!(r.outcome, Outcome::Failed(_)) {
        shared.stop.store(true, Ordering::SeqCst);
    }
    let _ = tx.send((i, r));
}

/// One case: skipped if its tier does not run or `--read-only` rules it out, else run;
/// the expected-failures list applied.
async fn run_one(
    ctx: Arc<Ctx>,
    case: Case,
    state: Result<(), String>,
    read_only: bool,
    expected_failures: Arc<BTreeSet<String>>,
    release: oneshot::Sender<()>,
) -> CaseResult {
    let t0 = Instant::now();
    let outcome = match (state, case.effect) {
        (Err(why), _) => Outcome::Skipped(why),
        (Ok(()), Some(effect)) if read_only => Outcome::Skipped(effect.read_only_skip()),
        (Ok(()), _) => run_case(&ctx, &case, release).await,
    };
    let listed = expected_failures.contains(&case.name);
    let (outcome, unexpected_pass) = match outcome {
        Outcome::Failed(f) if listed => (Outcome::ExpectedFailure(f), false),
        Outcome::Passed if listed => (Outcome::Passed, true),
        o => (o, false),
    };
    CaseResult {
        name: case.name,
        tier: case.tier,
        route: case.route,
        rules: case.rules,
        outcome,
        duration: t0.elapsed(),
        unexpected_pass,
    }
}

/// The scenario in force before the run, to put back after it.
async fn saved_scenario(ctx: &Ctx) -> Option<String> {
    let resp = ctx
        .control_call(&Request::get("/__sim/scenario"))
        .await
        .ok()?;
    Some(resp.text())
}

/// Runs one case in its own task so that a panic is a failure, not the end of the run; in
/// that task, [`crate::lease::release_group`] fires `release`.
async fn run_case(ctx: &Arc<Ctx>, case: &Case, release: oneshot::Sender<()>) -> Outcome {
    let ctx2 = ctx.clone();
    let kind = case.kind.clone();
    let task = tokio::spawn(crate::lease::hold(release, async move {
        match kind {
            CaseKind::Exchange { request, expect } => ctx2
                .exchange(&request, &expect)
                .await
                .map(|_| Verdict::Pass),
            CaseKind::Steps(f) => f(ctx2).await,
        }
    }));
    match task.await {
        Ok(Ok(Verdict::Pass)) => Outcome::Passed,
        Ok(Ok(Verdict::Skip(why))) => Outcome::Skipped(why),
        Ok(Err(f)) => Outcome::Failed(f),
        Err(e) => Outcome::Failed(Failure::new(format!("the case crashed: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        assert!(is_loopback("http://127.0.0.1:4"));
        assert!(is_loopback("http://localhost:4"));
        assert!(is_loopback("http://[::1]:4"));
        assert!(!is_loopback("http://10.0.0.1:4"));
    }
}
