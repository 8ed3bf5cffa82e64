//! Parallel runs: cases run `--jobs` at a time, the groups that share state on the agent one
//! after another, and the verdicts are those of a run one case at a time, whatever the seed.

mod common;

use agent_sim::{Scenario, Sim};
use conformance::runner::Report;

async fn full_run(url: &str, seed: u64, jobs: usize) -> Report {
    common::run_suite(url, |config| {
        config.seed = seed;
        config.jobs = jobs;
        config.property_cases = 8;
    })
    .await
}

fn verdicts(r: &Report) -> Vec<(String, String)> {
    r.results
        .iter()
        .map(|c| (c.name.clone(), c.outcome.label().to_string()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_runs_give_the_verdicts_of_serial_runs() {
    let sim = Sim::start(Scenario::fixture("default").unwrap())
        .await
        .unwrap();
    for seed in [1, 2] {
        let serial = full_run(&sim.url(), seed, 1).await;
        let parallel = full_run(&sim.url(), seed, 8).await;
        assert_eq!(
            serial.tiers.len(),
            3,
            "all tiers run against a local agent-sim"
        );
        assert!(serial.count("passed") > 300, "{}", serial.summary_line());
        assert_eq!(verdicts(&serial), verdicts(&parallel), "seed {seed}");
        // Several cases were in flight at once: their times add up to more than the run's.
        let busy: std::time::Duration = parallel.results.iter().map(|c| c.duration).sum();
        assert!(
            busy > parallel.duration,
            "{busy:?} <= {:?}",
            parallel.duration
        );
    }
}
