//! The runner: probes the target, detects the tiers it can run (or takes the forced one),
//! runs the selected cases one by one (a panicking or failing case never stops the run),
//! applies the expected-failures list, and restores the scenario it found.

use crate::case::{Case, CaseKind, Failure, Tier, Verdict};
use crate::context::Ctx;
use crate::fixtures::Fixture;
use crate::http::{Client, HttpError, Request};
use regex::Regex;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

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
    /// Leave out cases whose names match (library use: e.g. exec cases against a scripted sim).
    pub exclude: Option<Regex>,
    /// Seed of the property cases.
    pub seed: u64,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Cases expected to fail (reported as expected failures).
    pub expected_failures: BTreeSet<String>,
    /// Scenarios the controlled tier puts in force.
    pub fixtures: Vec<Fixture>,
    /// Where the expected-response snapshots live.
    pub snapshots_dir: PathBuf,
    /// How many inputs each property case tries.
    pub property_cases: u32,
}

impl RunConfig {
    /// A run of every allowed tier against `target`, with the defaults.
    pub fn new(target: &str) -> Self {
        Self {
            target: target.trim_end_matches('/').to_string(),
            control: None,
            tier: None,
            filter: None,
            exclude: None,
            seed: 0,
            timeout: Duration::from_millis(5000),
            expected_failures: BTreeSet::new(),
            fixtures: Vec::new(),
            snapshots_dir: crate::fixtures::default_dir("snapshots"),
            property_cases: 32,
        }
    }
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

/// Runs the suite; `on_result` sees each case as it finishes.
pub async fn run(
    config: RunConfig,
    mut on_result: impl FnMut(&CaseResult),
) -> Result<Report, RunError> {
    let started = Instant::now();
    let client = Client::new(config.timeout);
    if let Err(HttpError::Connect { reason, .. }) =
        client.send(&config.target, &Request::get("/")).await
    {
        return Err(RunError::Unreachable {
            target: config.target.clone(),
            reason,
        });
    }
    let detected = detect(&config, &client).await;
    let mut runnable: Vec<(Tier, Result<(), String>)> = Vec::new();
    for (tier, avail) in detected {
        let state = match config.tier {
            Some(forced) if forced != tier => Err(format!("not selected (--tier {forced})")),
            Some(_) => Ok(()),
            None => avail.map_err(|why| format!("{tier} tier not available: {why}")),
        };
        runnable.push((tier, state));
    }
    let tier_state = |t: Tier| {
        runnable
            .iter()
            .find(|(x, _)| *x == t)
            .map(|(_, s)| s.clone())
            .unwrap_or(Err("unknown tier".into()))
    };
    let controlled = tier_state(Tier::Controlled).is_ok();
    let ctx = Arc::new(Ctx {
        target: config.target.clone(),
        control: controlled.then(|| config.control.clone().unwrap_or(config.target.clone())),
        client: client.clone(),
        seed: config.seed,
        fixtures: config.fixtures.clone(),
        snapshots_dir: config.snapshots_dir.clone(),
        property_cases: config.property_cases,
    });
    let saved = if controlled {
        saved_scenario(&ctx).await
    } else {
        None
    };
    let cases: Vec<Case> = crate::cases::all(&config.fixtures)
        .into_iter()
        .filter(|c| config.filter.as_ref().is_none_or(|re| re.is_match(&c.name)))
        .filter(|c| {
            !config
                .exclude
                .as_ref()
                .is_some_and(|re| re.is_match(&c.name))
        })
        .collect();
    let mut results = Vec::new();
    let mut tiers_run = BTreeSet::new();
    for case in cases {
        let t0 = Instant::now();
        let outcome = match tier_state(case.tier) {
            Err(why) => Outcome::Skipped(why),
            Ok(()) => {
                tiers_run.insert(case.tier);
                run_case(&ctx, &case).await
            }
        };
        let listed = config.expected_failures.contains(&case.name);
        let (outcome, unexpected_pass) = match outcome {
            Outcome::Failed(f) if listed => (Outcome::ExpectedFailure(f), false),
            Outcome::Passed if listed => (Outcome::Passed, true),
            o => (o, false),
        };
        let r = CaseResult {
            name: case.name.clone(),
            tier: case.tier,
            route: case.route.clone(),
            outcome,
            duration: t0.elapsed(),
            unexpected_pass,
        };
        on_result(&r);
        results.push(r);
    }
    if let Some(s) = saved {
        let _ = ctx.put_scenario(&s).await;
    }
    Ok(Report {
        target: config.target.clone(),
        control: ctx.control.clone(),
        tiers: tiers_run.into_iter().collect(),
        seed: config.seed,
        snapshot_version: crate::snapshot::version(&config.snapshots_dir),
        duration: started.elapsed(),
        results,
    })
}

/// The scenario in force before the run, to put back after it.
async fn saved_scenario(ctx: &Ctx) -> Option<String> {
    let resp = ctx
        .control_call(&Request::get("/__sim/scenario"))
        .await
        .ok()?;
    Some(resp.text())
}

/// Runs one case in its own task so that a panic is a failure, not the end of the run.
async fn run_case(ctx: &Arc<Ctx>, case: &Case) -> Outcome {
    let ctx2 = ctx.clone();
    let kind = case.kind.clone();
    let task = tokio::spawn(async move {
        match kind {
            CaseKind::Exchange { request, expect } => ctx2
                .exchange(&request, &expect)
                .await
                .map(|_| Verdict::Pass),
            CaseKind::Steps(f) => f(ctx2).await,
        }
    });
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
