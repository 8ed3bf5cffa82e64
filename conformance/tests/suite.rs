//! The suite against the reference: the snapshots in `snapshots/` are asserted (and created,
//! for review with `cargo insta review`) from an in-process agent-sim for every fixture × route,
//! then the whole suite runs against agent-sim started with every fixture and must pass.

use agent_sim::{Scenario, Sim};
use conformance::cases::controlled::{capture, snapshot_name, ROUTES};
use conformance::context::Ctx;
use conformance::fixtures;
use conformance::http::Client;
use conformance::runner::{run, Outcome, RunConfig};
use std::time::Duration;

fn all_fixtures() -> Vec<fixtures::Fixture> {
    fixtures::embedded()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshots_match_agent_sim() {
    let sim = Sim::start(Scenario::builtin_default()).await.unwrap();
    let ctx = Ctx {
        control: Some(sim.control_url()),
        property_cases: 0,
        ..Ctx::new(&sim.url(), Client::new(Duration::from_secs(10)))
    };
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    let _guard = settings.bind_to_scope();
    for f in &ctx.fixtures {
        for route in ROUTES {
            let text = capture(&ctx, f, route).await.unwrap();
            insta::assert_snapshot!(snapshot_name(&f.name, route.id), text);
        }
    }
}

fn scenario_is_scripted(json: &str) -> bool {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    v["processes"]["mode"] == "scripted"
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suite_passes_against_agent_sim_for_every_fixture() {
    // One simulator per fixture, all runs at once (they mostly wait on I/O).
    let runs = all_fixtures()
        .into_iter()
        .map(|f| tokio::spawn(check_fixture(f)));
    for r in futures::future::join_all(runs).await {
        if let Err(e) = r {
            std::panic::resume_unwind(e.into_panic());
        }
    }
}

async fn check_fixture(f: fixtures::Fixture) {
    let scenario = Scenario::from_json(&f.name, &f.json).unwrap();
    let sim = Sim::start(scenario).await.unwrap();
    let mut config = RunConfig::new(&sim.url());
    config.seed = 7;
    config.property_cases = 16;
    if scenario_is_scripted(&f.json) {
        // A scripted process API runs nothing: the exec semantics cases do not apply.
        config.exclude = Some(regex::Regex::new("^process/exec/").unwrap());
    }
    if f.name == "faults" {
        config.timeout = std::time::Duration::from_millis(1000);
        let report = run(config, |_| {}).await.unwrap();
        faults_are_caught(&report);
        return;
    }
    let report = run(config, |_| {}).await.unwrap();
    let failed: Vec<String> = report
        .results
        .iter()
        .filter_map(|r| match &r.outcome {
            Outcome::Failed(fl) => Some(format!(
                "{}: {}\n{}",
                r.name,
                fl.reason,
                fl.diff.clone().unwrap_or_default()
            )),
            _ => None,
        })
        .collect();
    assert!(failed.is_empty(), "fixture {}: {failed:#?}", f.name);
    assert_eq!(
        report.tiers.len(),
        3,
        "all three tiers run against a local agent-sim"
    );
    assert!(report.count("passed") > 100, "{}", report.summary_line());
}

/// Against the `faults` fixture (an agent-sim broken on purpose) the black-box cases that
/// touch a faulted route fail, naming it, and nothing else fails.
fn faults_are_caught(report: &conformance::Report) {
    let faulted = [
        "/debug/manifest",
        "/debug/logs",
        "/debug/magicsock",
        "/api/v0/netcheck",
    ];
    let failed: Vec<(&str, &str)> = report
        .results
        .iter()
        .filter_map(|r| match &r.outcome {
            Outcome::Failed(f) => Some((r.name.as_str(), f.reason.as_str())),
            _ => None,
        })
        .collect();
    for (name, reason) in &failed {
        assert!(
            faulted.iter().any(|p| reason.contains(p)),
            "{name} failed for a route without a fault: {reason}"
        );
    }
    for must in [
        "debug/logs-shape",
        "debug/manifest-shape",
        "debug/magicsock-shape",
    ] {
        assert!(
            failed.iter().any(|(n, _)| *n == must),
            "{must} did not catch its fault: {failed:#?}"
        );
    }
    let hang = failed
        .iter()
        .find(|(n, _)| *n == "debug/magicsock-shape")
        .map(|(_, r)| *r)
        .unwrap_or_default();
    assert!(
        hang.contains("no complete response within 1000 ms"),
        "{hang}"
    );
    let reset = failed
        .iter()
        .find(|(n, _)| *n == "debug/logs-shape")
        .map(|(_, r)| *r)
        .unwrap_or_default();
    assert!(
        reset.contains("connection failed before a response"),
        "{reset}"
    );
}
