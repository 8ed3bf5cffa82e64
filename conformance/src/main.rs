//! `agent-conformance`: the suite's command line ([`conformance::cli`]). Exit 0 when nothing
//! failed, 1 when a case failed, 2 on a usage or connection error.

use conformance::cli::{self, Command, RunArgs};
use conformance::report;
use conformance::runner::{run, RunConfig};
use conformance::snapshot::SnapshotSet;
use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

fn usage_error(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("agent-conformance: {msg}");
    ExitCode::from(2)
}

fn regex(flag: &str, value: &Option<String>) -> Result<Option<regex::Regex>, String> {
    value
        .as_deref()
        .map(|f| regex::Regex::new(f).map_err(|e| format!("{flag}: {e}")))
        .transpose()
}

/// The run's configuration from the command line; `Err` is a usage error's message.
fn config(args: &RunArgs) -> Result<RunConfig, String> {
    let target = args.target.clone().unwrap_or_default();
    let mut config = RunConfig::new(&target);
    if !args.list && reqwest::Url::parse(&config.target).is_err() {
        return Err(format!("--target {target:?} is not a URL"));
    }
    config.control = args
        .control
        .as_ref()
        .map(|c| c.trim_end_matches('/').to_string());
    config.tier = args.tier;
    config.filter = regex("--filter", &args.filter)?;
    config.exclude = regex("--exclude", &args.exclude)?;
    config.rule = regex("--rule", &args.rule)?;
    config.seed = args.seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0)
    });
    config.timeout = Duration::from_millis(args.timeout_ms.max(1));
    config.property_cases = args.property_cases;
    if let Some(j) = args.jobs {
        config.jobs = usize::from(j);
    }
    config.fail_fast = args.fail_fast;
    config.read_only = args.read_only;
    if let Some(path) = &args.expected_failures {
        let t = std::fs::read_to_string(path)
            .map_err(|e| format!("--expected-failures {}: {e}", path.display()))?;
        config.expected_failures = t
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_string)
            .collect::<BTreeSet<_>>();
    }
    if let Some(dir) = &args.fixtures {
        config.fixtures =
            conformance::fixtures::load(dir).map_err(|e| format!("--fixtures: {e}"))?;
    }
    if let Some(dir) = &args.snapshots {
        config.snapshots = SnapshotSet::dir(dir).map_err(|e| format!("--snapshots: {e}"))?;
    }
    Ok(config)
}

/// `--list`: the selected cases, one a line: name, tier, route.
fn list(config: &RunConfig) {
    let cases: Vec<_> = config
        .select()
        .into_iter()
        .filter(|c| config.tier.is_none_or(|t| t == c.tier))
        .collect();
    let width = cases.iter().map(|c| c.name.len()).max().unwrap_or(0);
    for c in cases {
        println!("{:width$}  {:10}  {}", c.name, c.tier.as_str(), c.route);
    }
}

/// `agent-conformance rules`: the spec's named rules and the cases that check each.
fn rules(args: &cli::RulesArgs) -> ExitCode {
    let filter = match regex("--filter", &args.filter) {
        Ok(f) => f,
        Err(e) => return usage_error(e),
    };
    let rules = match conformance::rules::all() {
        Ok(r) => r,
        Err(e) => return usage_error(e),
    };
    let cases = conformance::cases::all(&conformance::fixtures::embedded());
    let m = conformance::coverage::matrix(&rules, &cases);
    let text = if args.json {
        serde_json::to_string_pretty(&m.json(filter.as_ref())).unwrap_or_default() + "\n"
    } else {
        m.lines(filter.as_ref())
    };
    // A closed pipe (`| head`) is not an error worth a panic.
    let _ = std::io::stdout().write_all(text.as_bytes());
    ExitCode::SUCCESS
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = match cli::parse_from(std::env::args_os()) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    if let Some(Command::Compare(args)) = cli.command {
        return conformance::compare::run(*args).await;
    }
    if let Some(Command::Rules(args)) = &cli.command {
        return rules(args);
    }
    if let Some(Command::Completions { shell }) = cli.command {
        let mut script = Vec::new();
        clap_complete::generate(shell, &mut cli::command(), "agent-conformance", &mut script);
        // A closed pipe (`| head`) is not an error worth a panic.
        let _ = std::io::stdout().write_all(&script);
        return ExitCode::SUCCESS;
    }
    let args = cli.run;
    let config = match config(&args) {
        Ok(c) => c,
        Err(e) => return usage_error(e),
    };
    if args.list {
        list(&config);
        return ExitCode::SUCCESS;
    }
    let color = args.color.enabled(
        std::io::stdout().is_terminal(),
        std::env::var("NO_COLOR").ok().as_deref(),
    );
    let total = config.select().len();
    if !args.quiet {
        println!("seed {}", config.seed);
    }
    let mut n = 0;
    let on_result = |r: &conformance::runner::CaseResult| {
        n += 1;
        if !args.quiet || matches!(r.outcome, conformance::Outcome::Failed(_)) {
            println!("{}", report::console_line(r, Some((n, total)), color));
        }
    };
    let report = match run(config, on_result).await {
        Ok(r) => r,
        Err(e) => return usage_error(e),
    };
    if let Err(e) = args.reports.write(&report) {
        return usage_error(e);
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
