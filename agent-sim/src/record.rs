//! `agent-sim record`: reads a live agent with requests that change nothing and writes a
//! scenario that reproduces it. The routes read are `live::ROUTES` (and, with `--files`,
//! `list-directory`/`read-file`); each answer fills the section it reveals (`sections`,
//! `files`); the result is served once in-process and compared with what the agent answered
//! (`verify`). What the scenario cannot express is listed in its `description` and on stderr.

pub mod files;
pub mod live;
pub mod sections;
pub mod verify;

use crate::Scenario;
use live::{Answer, Live, LiveError};
use std::path::PathBuf;
use std::time::Duration;

/// `agent-sim record` arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct RecordArgs {
    /// The live agent's base URL, e.g. http://127.0.0.1:4
    #[arg(long = "from", value_name = "URL")]
    pub from: String,
    /// Write the scenario here (default: stdout).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Also record this subtree of the agent's file system (repeatable).
    #[arg(long = "files", value_name = "PATH")]
    pub files: Vec<String>,
    /// At most this many file-system entries over all --files subtrees.
    #[arg(long, default_value_t = files::Budget::default().max_entries)]
    pub max_files: usize,
    /// At most this many file bytes over all --files subtrees.
    #[arg(long, default_value_t = files::Budget::default().max_bytes)]
    pub max_file_bytes: u64,
    /// Timeout of each request, in milliseconds.
    #[arg(long, default_value_t = 30_000)]
    pub timeout_ms: u64,
}

/// A recording: the scenario, and what it could not express.
#[derive(Debug, Clone)]
pub struct Recording {
    pub scenario: Scenario,
    pub notes: Vec<String>,
}

/// Why no recording was made.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error(transparent)]
    Live(#[from] LiveError),
    #[error(transparent)]
    Verify(#[from] verify::VerifyError),
    #[error("the recorded scenario does not validate: {0}")]
    Invalid(#[from] crate::ScenarioError),
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// What no GET reveals, so no recording holds it.
const NOT_RECORDED: &str = "Not recorded (no request that changes nothing reveals it): \
running processes, /debug/prometheus, the magicsock debug-logging switch, the ignore-ports \
setting beyond the ports listed, file modes and symlinks.";

/// Reads the agent at `from` and builds the scenario.
pub async fn record_agent(
    from: &str,
    roots: &[String],
    budget: files::Budget,
    timeout: Duration,
) -> Result<Recording, RecordError> {
    let live = Live::new(from, timeout)?;
    let mut notes = Vec::new();
    let mut answers: Vec<(&'static str, Answer)> = Vec::new();
    let mut first_error = None;
    for route in live::ROUTES {
        match live.get(route).await {
            Ok(answer) => answers.push((route, answer)),
            Err(e) => {
                notes.push(format!("{e}; the section keeps its default"));
                first_error.get_or_insert(e);
            }
        }
    }
    if let (true, Some(e)) = (answers.is_empty(), first_error) {
        return Err(e.into());
    }
    let mut scenario = Scenario {
        name: "recorded".into(),
        ..Scenario::default()
    };
    for (route, answer) in &answers {
        let fill = match *route {
            "/debug/manifest" => sections::manifest,
            "/api/v0/listening-ports" => sections::listening_ports,
            "/api/v0/netcheck" => sections::netcheck,
            "/api/v0/containers" => sections::containers,
            "/debug/logs" => sections::logs,
            _ => sections::magicsock,
        };
        fill(answer, &mut scenario, &mut notes);
    }
    files::record(&live, roots, budget, &mut scenario, &mut notes).await?;
    verify::check(&scenario, &answers, &mut notes).await?;
    scenario.description = description(&live.base(), &notes);
    // What `agent-sim validate` will read.
    let text = to_json(&scenario);
    let scenario = Scenario::from_json("the recorded scenario", &text)?;
    Ok(Recording { scenario, notes })
}

fn description(from: &str, notes: &[String]) -> String {
    let mut d = format!("Recorded from {from} by agent-sim record. {NOT_RECORDED}");
    if notes.is_empty() {
        d.push_str(" Every recorded route is reproduced.");
    } else {
        d.push_str(" Left out or not expressible:");
        for n in notes {
            d.push_str("\n- ");
            d.push_str(n);
        }
    }
    d
}

/// The scenario file's text.
pub fn to_json(scenario: &Scenario) -> String {
    let mut text = serde_json::to_string_pretty(scenario).unwrap_or_default();
    text.push('\n');
    text
}

/// The command: record, print the notes on stderr, write the file (or stdout).
pub async fn run(args: RecordArgs) -> Result<(), RecordError> {
    let budget = files::Budget {
        max_entries: args.max_files,
        max_bytes: args.max_file_bytes,
    };
    let timeout = Duration::from_millis(args.timeout_ms.max(1));
    let rec = record_agent(&args.from, &args.files, budget, timeout).await?;
    for n in &rec.notes {
        eprintln!("agent-sim record: {n}");
    }
    let text = to_json(&rec.scenario);
    match &args.out {
        Some(path) => {
            std::fs::write(path, text).map_err(|source| RecordError::Write {
                path: path.display().to_string(),
                source,
            })?;
            eprintln!(
                "agent-sim record: wrote {} ({} notes); serve it with agent-sim --scenario {}",
                path.display(),
                rec.notes.len(),
                path.display()
            );
        }
        None => print!("{text}"),
    }
    Ok(())
}
