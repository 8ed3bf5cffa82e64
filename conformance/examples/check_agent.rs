//! Checking an agent implementation from `cargo test`: start the agent in the same program
//! (here agent-sim stands in for yours; start your own server the same way and pass its URL),
//! run the conformance suite against it with `conformance::run`, and fail the test with the
//! failing cases' console lines.
//!
//! Run with `cargo test -p conformance --example check_agent` (it also runs as part of
//! `cargo test --workspace`); `cargo run -p conformance --example check_agent` prints every
//! case's line.

use conformance::{report, run, RunConfig, Tier};

/// Runs the black-box tier (what any agent reached by URL must pass) against `url`.
async fn check(url: &str) -> conformance::Report {
    let mut config = RunConfig::new(url);
    config.tier = Some(Tier::BlackBox);
    config.property_cases = 4;
    run(config, |_| {}).await.expect("the agent is reachable")
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let agent = agent_sim::Sim::builder()
        .start()
        .await
        .expect("agent starts");
    let report = check(&agent.url()).await;
    for r in &report.results {
        println!("{}", report::case_line(r));
    }
    for line in report::closing_lines(&report) {
        println!("{line}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn my_agent_passes_the_black_box_tier() {
        let agent = agent_sim::Sim::builder().start().await.unwrap();
        let report = check(&agent.url()).await;
        let failures: Vec<String> = report
            .results
            .iter()
            .filter(|r| r.outcome.label() == "failed")
            .map(report::case_line)
            .collect();
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        assert!(report.count("passed") > 0, "{}", report.summary_line());
        // Every case ran against the agent: its journal saw the requests.
        assert!(!agent.received_requests().await.is_empty());
    }
}
