//! The `agent-conformance` command line, as a clap parser the binary and the tests share
//! (the example CI workflow's command is checked against it). [`command`] adds the snapshot
//! set's version to `--version`.

use crate::case::Tier;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::sync::OnceLock;

/// Checks a Coder workspace agent implementation, reached by URL.
#[derive(Debug, Parser)]
#[command(
    name = "agent-conformance",
    version,
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true,
    after_help = "Examples:\n  agent-conformance --target http://127.0.0.1:4000\n  agent-conformance --target http://127.0.0.1:4000 --tier black-box --read-only --junit report.xml\n  agent-conformance --list --filter '^files/'\n  agent-conformance rules --filter '^files\\.edit\\.'\n  agent-conformance --target http://127.0.0.1:4000 --rule '^files\\.edit\\.diff\\.'\n  agent-conformance completions bash > ~/.local/share/bash-completion/completions/agent-conformance"
)]
pub struct Cli {
    /// A run's options (without a subcommand).
    #[command(flatten)]
    pub run: RunArgs,
    /// What to do instead of a run.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Other things the binary does than a run.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compare a target with a reference agent or a saved baseline, request by request.
    Compare(Box<crate::compare::CompareArgs>),
    /// List the spec's named rules with the cases that check each (the COVERAGE.md matrix).
    Rules(RulesArgs),
    /// Print a shell completion script on stdout.
    Completions {
        /// The shell to complete in.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// `agent-conformance rules`: which cases check which rule.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Only rules whose id matches this regex.
    #[arg(long, value_name = "REGEX")]
    pub filter: Option<String>,
    /// One JSON document (id, spec, rule, unchecked, cases with their tiers) instead of lines.
    #[arg(long)]
    pub json: bool,
}

/// When to colour the verdicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    /// On a terminal, unless NO_COLOR is set.
    Auto,
    /// Always, even when NO_COLOR is set (the flag is explicit).
    Always,
    /// Never.
    Never,
}

impl Color {
    /// Whether to colour, given whether stdout is a terminal and NO_COLOR's value.
    pub fn enabled(self, terminal: bool, no_color: Option<&str>) -> bool {
        match self {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => terminal && no_color.is_none_or(str::is_empty),
        }
    }
}

/// A run (the default when no subcommand is given).
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The agent's base URL, e.g. http://127.0.0.1:4000.
    #[arg(long, required_unless_present = "list")]
    pub target: Option<String>,
    /// The control API base URL (default: the target, as agent-sim serves both).
    #[arg(long)]
    pub control: Option<String>,
    /// Run only this tier (otherwise every tier the target allows).
    #[arg(long, value_enum)]
    pub tier: Option<Tier>,
    /// Run only cases whose name matches this regex.
    #[arg(long, value_name = "REGEX")]
    pub filter: Option<String>,
    /// Leave out cases whose name matches this regex.
    #[arg(long, value_name = "REGEX")]
    pub exclude: Option<String>,
    /// Run only cases that check a spec rule whose id matches this regex (e.g.
    /// '^files\.edit\.diff\.'; `agent-conformance rules` lists the ids).
    #[arg(long, value_name = "REGEX")]
    pub rule: Option<String>,
    /// Print the selected cases (name, tier, route) instead of running them.
    #[arg(long)]
    pub list: bool,
    /// Start no case after the first failure.
    #[arg(long)]
    pub fail_fast: bool,
    /// How many cases run at once (default: the number of CPUs); cases that share state on
    /// the agent run one after another whatever this says.
    #[arg(long, short = 'j', value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
    /// Colour the verdicts: auto (on a terminal, unless NO_COLOR is set), always, never.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    /// Print only the failed cases and the closing lines.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Skip every case that writes files, starts processes, recreates devcontainers or changes
    /// a setting on the agent (for agents you must not touch).
    #[arg(long)]
    pub read_only: bool,
    /// Seed for the property tests (printed; default: from the clock).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Timeout of each request, in milliseconds.
    #[arg(long, default_value_t = 5000)]
    pub timeout_ms: u64,
    /// The report files to write.
    #[command(flatten)]
    pub reports: crate::report::ReportFiles,
    /// File listing case names (one per line, `#` comments) that are known to fail.
    #[arg(long)]
    pub expected_failures: Option<PathBuf>,
    /// Folder of fixture scenarios (default: the fixtures built into the binary).
    #[arg(long, value_name = "DIR")]
    pub fixtures: Option<PathBuf>,
    /// Folder of snapshots (default: the snapshots built into the binary).
    #[arg(long, value_name = "DIR")]
    pub snapshots: Option<PathBuf>,
    /// Generated cases per property.
    #[arg(long, default_value_t = 32)]
    pub property_cases: u32,
}

/// `0.1.0 (snapshot set 198-snapshots-…)`.
pub fn version() -> &'static str {
    static V: OnceLock<String> = OnceLock::new();
    V.get_or_init(|| {
        format!(
            "{} (snapshot set {})",
            env!("CARGO_PKG_VERSION"),
            crate::snapshot::SnapshotSet::Embedded.version()
        )
    })
}

/// The clap command, with the snapshot set in its version.
pub fn command() -> clap::Command {
    Cli::command().version(version())
}

/// Parses a command line (the program name first), as the binary does.
pub fn parse_from<I, T>(args: I) -> Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let matches = command().try_get_matches_from(args)?;
    Cli::from_arg_matches(&matches)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clap_definition_is_consistent() {
        command().debug_assert();
    }

    #[test]
    fn a_run_needs_no_subcommand_and_a_subcommand_no_target() {
        let c = parse_from(["agent-conformance", "--target", "http://127.0.0.1:4"]).unwrap();
        assert_eq!(c.run.target.as_deref(), Some("http://127.0.0.1:4"));
        assert!(c.command.is_none());
        let c = parse_from(["agent-conformance", "completions", "fish"]).unwrap();
        assert!(matches!(c.command, Some(Command::Completions { .. })));
        assert!(parse_from(["agent-conformance", "--list"]).is_ok());
        assert!(parse_from(["agent-conformance"]).is_err());
        assert!(parse_from(["agent-conformance", "--jobs", "0", "--list"]).is_err());
    }

    #[test]
    fn colour_only_on_a_terminal_without_no_color() {
        assert!(Color::Auto.enabled(true, None));
        assert!(Color::Auto.enabled(true, Some("")));
        assert!(!Color::Auto.enabled(true, Some("1")));
        assert!(!Color::Auto.enabled(false, None));
        assert!(Color::Always.enabled(false, Some("1")));
        assert!(!Color::Never.enabled(true, None));
    }
}
