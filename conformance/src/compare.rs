//! `agent-conformance compare`: sends the same requests to a target and a reference agent (or
//! reads the reference's answers from a saved baseline), normalizes both answers the way
//! snapshots are rendered, and reports per request whether they are the same, differ (with
//! the diff), or only one side answered; every difference comes with the curl lines that
//! reproduce it. `requests` builds the set, `normalize` renders an answer, `outcome`
//! judges and reports, `baseline` saves, reads and accepts snapshot files.

pub mod baseline;
pub mod normalize;
pub mod outcome;
pub mod requests;

use crate::http::{Client, HttpError, Request};
use normalize::normalize;
use outcome::{Compared, Reference, Verdict};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// `agent-conformance compare` arguments.
#[derive(Debug, Clone, clap::Args)]
#[command(
    after_help = "Examples:\n  agent-conformance compare --target http://127.0.0.1:4 --reference http://127.0.0.1:5\n  agent-conformance compare --target http://127.0.0.1:4 --save baseline/\n  agent-conformance compare --target http://127.0.0.1:4 --against baseline/ [--accept]"
)]
pub struct CompareArgs {
    /// The agent under review, e.g. http://127.0.0.1:4
    #[arg(long)]
    pub target: String,
    /// The agent to compare with.
    #[arg(long, conflicts_with = "against", required_unless_present_any = ["against", "save"])]
    pub reference: Option<String>,
    /// Compare with a baseline saved by --save instead of a live reference; differences are
    /// written beside it as .snap.new files.
    #[arg(long, value_name = "DIR")]
    pub against: Option<PathBuf>,
    /// Write the target's normalized answers to DIR as snapshot files.
    #[arg(long, value_name = "DIR", conflicts_with = "against")]
    pub save: Option<PathBuf>,
    /// With --against: take every difference into the baseline (.snap.new → .snap).
    #[arg(long, requires = "against")]
    pub accept: bool,
    /// Also send requests that change the agent, in a scratch directory on each side.
    #[arg(long)]
    pub allow_writes: bool,
    /// File listing request names (one per line, `#` comments) whose difference is expected.
    #[arg(long, value_name = "FILE")]
    pub expected_differences: Option<PathBuf>,
    /// The report files to write.
    #[command(flatten)]
    pub reports: crate::report::ReportFiles,
    /// Timeout of each request, in milliseconds.
    #[arg(long, default_value_t = 5000)]
    pub timeout_ms: u64,
}

/// Why a comparison could not run or finish (the CLI's exit 2).
#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    #[error("--{flag} {value:?} is not a URL")]
    BadUrl { flag: &'static str, value: String },
    #[error("{which} {url} is unreachable: {source}")]
    Unreachable {
        which: &'static str,
        url: String,
        #[source]
        source: HttpError,
    },
    #[error("{path}: {source}")]
    File {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

fn file_error(path: &Path) -> impl FnOnce(std::io::Error) -> CompareError + '_ {
    move |source| CompareError::File {
        path: path.display().to_string(),
        source,
    }
}

/// How a comparison ended.
#[derive(Debug, Clone)]
pub struct Comparison {
    pub compared: Vec<Compared>,
    pub expected: BTreeSet<String>,
    /// `.snap` files taken by `--accept`.
    pub accepted: Vec<PathBuf>,
}

impl Comparison {
    /// Whether a difference is not listed as expected (and was not accepted): exit 1.
    pub fn failed(&self) -> bool {
        self.accepted.is_empty() && outcome::unexpected(&self.compared, &self.expected)
    }
}

fn url(flag: &'static str, value: &str) -> Result<String, CompareError> {
    let trimmed = value.trim_end_matches('/').to_string();
    match reqwest::Url::parse(&trimmed) {
        Ok(_) => Ok(trimmed),
        Err(_) => Err(CompareError::BadUrl {
            flag,
            value: value.to_string(),
        }),
    }
}

/// What the target is compared with: a live reference, a baseline, or nothing (`--save` only).
fn reference(args: &CompareArgs) -> Result<Option<Reference>, CompareError> {
    Ok(match (&args.reference, &args.against) {
        (Some(r), _) => Some(Reference::Live(url("reference", r)?)),
        (None, Some(dir)) => Some(Reference::Baseline(dir.clone())),
        (None, None) => None,
    })
}

/// Fails when `base` cannot be connected to at all.
async fn reachable(client: &Client, which: &'static str, base: &str) -> Result<(), CompareError> {
    match client.send(base, &Request::get("/")).await {
        Err(source) if source.is_unreachable() => Err(CompareError::Unreachable {
            which,
            url: base.to_string(),
            source,
        }),
        _ => Ok(()),
    }
}

fn expected_list(path: Option<&Path>) -> Result<BTreeSet<String>, CompareError> {
    let Some(path) = path else {
        return Ok(BTreeSet::new());
    };
    let text = std::fs::read_to_string(path).map_err(file_error(path))?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect())
}

/// Runs the comparison; `on_result` sees each request as it is compared.
pub async fn compare(
    args: &CompareArgs,
    mut on_result: impl FnMut(&Compared, &BTreeSet<String>),
) -> Result<Comparison, CompareError> {
    let target = url("target", &args.target)?;
    let reference = reference(args)?;
    let expected = expected_list(args.expected_differences.as_deref())?;
    let client = Client::new(Duration::from_millis(args.timeout_ms.max(1)));
    reachable(&client, "target", &target).await?;
    if let Some(Reference::Live(r)) = &reference {
        reachable(&client, "reference", r).await?;
    }
    let scratch = requests::scratch_dir();
    let mut compared = Vec::new();
    for item in requests::request_set(args.allow_writes, &scratch) {
        let started = Instant::now();
        let req = &item.request;
        let mut curl = req.curl(&target);
        let (target_side, reference_side) = match &reference {
            Some(Reference::Live(r)) => {
                let (t, rr) = tokio::join!(client.send(&target, req), client.send(r, req));
                curl = format!("{curl}; {}", req.curl(r));
                (
                    normalize(req, &t, &scratch),
                    Some(normalize(req, &rr, &scratch)),
                )
            }
            Some(Reference::Baseline(dir)) => {
                let t = client.send(&target, req).await;
                (
                    normalize(req, &t, &scratch),
                    baseline::load(dir, &item.name),
                )
            }
            None => (
                normalize(req, &client.send(&target, req).await, &scratch),
                None,
            ),
        };
        if let Some(dir) = &args.save {
            baseline::save(dir, &item.name, &req.line(), &target_side).map_err(file_error(dir))?;
        }
        let verdict = match &reference {
            Some(_) => Verdict::of(&target_side, reference_side.as_ref()),
            None => Verdict::Same,
        };
        if let Some(dir) = &args.against {
            let differing = (verdict != Verdict::Same).then_some(&target_side);
            baseline::record_new(dir, &item.name, &req.line(), differing)
                .map_err(file_error(dir))?;
        }
        let c = Compared {
            item,
            target: target_side,
            reference: reference_side,
            verdict,
            curl,
            duration: started.elapsed(),
        };
        on_result(&c, &expected);
        compared.push(c);
    }
    let accepted = match (&args.against, args.accept) {
        (Some(dir), true) => baseline::accept(dir).map_err(file_error(dir))?,
        _ => Vec::new(),
    };
    Ok(Comparison {
        compared,
        expected,
        accepted,
    })
}

/// The command: compare, print a line per request, write the reports; exit 0 (no unexpected
/// difference), 1 (a difference) or 2 (could not run).
pub async fn run(args: CompareArgs) -> std::process::ExitCode {
    use std::process::ExitCode;
    let started = Instant::now();
    let comparing = args.reference.is_some() || args.against.is_some();
    let result = compare(&args, |c, expected| {
        if comparing {
            println!("{}", outcome::console_line(c, expected));
        }
    })
    .await;
    let done = match result {
        Ok(done) => done,
        Err(e) => {
            eprintln!("agent-conformance compare: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(dir) = &args.save {
        println!("saved {} answers to {}", done.compared.len(), dir.display());
    }
    for path in &done.accepted {
        println!("accepted {}", path.display());
    }
    let Ok(Some(reference)) = reference(&args) else {
        return ExitCode::SUCCESS;
    };
    let report = outcome::report(
        &args.target,
        &reference,
        &done.compared,
        &done.expected,
        started.elapsed(),
    );
    if let Err(e) = args.reports.write(&report) {
        eprintln!("agent-conformance compare: {e}");
        return ExitCode::from(2);
    }
    println!(
        "target {} against {}: {}",
        args.target,
        reference.describe(),
        outcome::summary(&done.compared, &done.expected)
    );
    if done.failed() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
