//! `agent-conformance`: the suite's command line. Exit 0 when nothing failed, 1 when a case
//! failed, 2 on a usage or connection error.

use clap::Parser;
use conformance::case::Tier;
use conformance::report;
use conformance::runner::{run, RunConfig};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Checks a Coder workspace agent implementation, reached by URL.
#[derive(Debug, Parser)]
#[command(
    name = "agent-conformance",
    version,
    args_conflicts_with_subcommands = true
)]
struct Cli {
    /// The agent's base URL, e.g. http://127.0.0.1:4 (required unless a subcommand is given)
    #[arg(long)]
    target: Option<String>,
    /// The control API base URL (default: the target, as agent-sim serves both).
    #[arg(long)]
    control: Option<String>,
    /// Run only this tier (otherwise every tier the target allows).
    #[arg(long, value_enum)]
    tier: Option<Tier>,
    /// Run only cases whose name matches this regex.
    #[arg(long)]
    filter: Option<String>,
    /// Seed for the property tests (printed; default: from the clock).
    #[arg(long)]
    seed: Option<u64>,
    /// Timeout of each request, in milliseconds.
    #[arg(long, default_value_t = 5000)]
    timeout_ms: u64,
    /// Write a JUnit XML report here.
    #[arg(long)]
    junit: Option<PathBuf>,
    /// Write a JSON report here (schema agent-conformance/report/v1).
    #[arg(long)]
    json: Option<PathBuf>,
    /// Write a self-contained HTML report here.
    #[arg(long)]
    html: Option<PathBuf>,
    /// File listing case names (one per line, `#` comments) that are known to fail.
    #[arg(long)]
    expected_failures: Option<PathBuf>,
    /// Folder of fixture scenarios (default: fixtures/ here, else the build's workspace).
    #[arg(long)]
    fixtures: Option<PathBuf>,
    /// Folder of snapshots (default: snapshots/ here, else the build's workspace).
    #[arg(long)]
    snapshots: Option<PathBuf>,
    /// Generated cases per property.
    #[arg(long, default_value_t = 32)]
    property_cases: u32,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Compare a target with a reference agent or a saved baseline, request by request.
    Compare(conformance::compare::CompareArgs),
}

fn usage_error(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("agent-conformance: {msg}");
    ExitCode::from(2)
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Compare(args)) = cli.command {
        return conformance::compare::run(args).await;
    }
    let Some(target) = cli.target else {
        return usage_error("--target URL is required");
    };
    let mut config = RunConfig::new(&target);
    if reqwest::Url::parse(&config.target).is_err() {
        return usage_error(format!("--target {target:?} is not a URL"));
    }
    config.control = cli.control.map(|c| c.trim_end_matches('/').to_string());
    config.tier = cli.tier;
    if let Some(f) = &cli.filter {
        match regex::Regex::new(f) {
            Ok(re) => config.filter = Some(re),
            Err(e) => return usage_error(format!("--filter: {e}")),
        }
    }
    config.seed = cli.seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0)
    });
    config.timeout = Duration::from_millis(cli.timeout_ms.max(1));
    config.property_cases = cli.property_cases;
    if let Some(path) = &cli.expected_failures {
        match std::fs::read_to_string(path) {
            Ok(t) => {
                config.expected_failures = t
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty() && !l.starts_with('#'))
                    .map(str::to_string)
                    .collect::<BTreeSet<_>>()
            }
            Err(e) => return usage_error(format!("--expected-failures {}: {e}", path.display())),
        }
    }
    let fixtures_dir = cli
        .fixtures
        .unwrap_or_else(|| conformance::fixtures::default_dir("fixtures"));
    config.fixtures = match conformance::fixtures::load(&fixtures_dir) {
        Ok(f) => f,
        Err(e) => return usage_error(e),
    };
    if let Some(s) = cli.snapshots {
        config.snapshots_dir = s;
    }
    println!("seed {}", config.seed);
    let report = match run(config, |r| println!("{}", report::case_line(r))).await {
        Ok(r) => r,
        Err(e) => return usage_error(e),
    };
    for (path, text) in [
        (
            &cli.junit,
            cli.junit.as_ref().map(|_| report::junit::render(&report)),
        ),
        (
            &cli.json,
            cli.json.as_ref().map(|_| report::json::render(&report)),
        ),
        (
            &cli.html,
            cli.html.as_ref().map(|_| report::html::render(&report)),
        ),
    ] {
        if let (Some(p), Some(t)) = (path, text) {
            if let Err(e) = std::fs::write(p, t) {
                eprintln!("agent-conformance: cannot write {}: {e}", p.display());
                return ExitCode::from(2);
            }
        }
    }
    for line in report::closing_lines(&report) {
        println!("{line}");
    }
    if report.failed() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
