//! Reports of a run: the console lines, JSON (stable schema), JUnit XML and an HTML page.

pub mod html;
pub mod json;
pub mod junit;

use crate::runner::{CaseResult, Outcome, Report};
use std::fmt::Write as _;
use std::path::PathBuf;

/// The report files a command line asks for (`--junit`, `--json`, `--html`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ReportFiles {
    /// Write a JUnit XML report here.
    #[arg(long)]
    pub junit: Option<PathBuf>,
    /// Write a JSON report here (schema agent-conformance/report/v1).
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Write a self-contained HTML report here.
    #[arg(long)]
    pub html: Option<PathBuf>,
}

impl ReportFiles {
    /// Writes each report asked for; `Err` names the file that could not be written.
    pub fn write(&self, report: &Report) -> Result<(), String> {
        let files = [
            (&self.junit, junit::render as fn(&Report) -> String),
            (&self.json, json::render),
            (&self.html, html::render),
        ];
        for (path, render) in files {
            if let Some(p) = path {
                std::fs::write(p, render(report))
                    .map_err(|e| format!("cannot write {}: {e}", p.display()))?;
            }
        }
        Ok(())
    }
}

/// The console line of one case: result, name, time.
pub fn case_line(r: &CaseResult) -> String {
    console_line(r, None, false)
}

/// The console line of one case with the `[n/N]` progress counter after the verdict, the
/// verdict coloured if `color`.
pub fn console_line(r: &CaseResult, progress: Option<(usize, usize)>, color: bool) -> String {
    use anstyle::AnsiColor;
    let ms = r.duration.as_secs_f64() * 1000.0;
    let (word, style, detail) = match &r.outcome {
        Outcome::Passed if r.unexpected_pass => (
            "PASS ",
            AnsiColor::Green,
            " [listed as expected failure: remove it from the list]".to_string(),
        ),
        Outcome::Passed => ("PASS ", AnsiColor::Green, String::new()),
        Outcome::Failed(f) => ("FAIL ", AnsiColor::Red, format!(": {}", f.reason)),
        Outcome::ExpectedFailure(f) => ("XFAIL", AnsiColor::Yellow, format!(": {}", f.reason)),
        Outcome::Skipped(why) => ("SKIP ", AnsiColor::Yellow, format!(": {why}")),
    };
    let word = if color {
        let style = anstyle::Style::new().fg_color(Some(style.into())).bold();
        format!("{style}{word}{style:#}")
    } else {
        word.to_string()
    };
    let counter = progress.map_or(String::new(), |(n, total)| {
        let w = total.to_string().len();
        format!("[{n:>w$}/{total}] ")
    });
    let mut s = format!("{word} {counter}{} ({ms:.1} ms){detail}", r.name);
    if let Outcome::Failed(f) = &r.outcome {
        if let Some(d) = &f.diff {
            for line in d.lines() {
                let _ = write!(s, "\n      {line}");
            }
        } else if let Some(a) = &f.actual {
            for line in a.lines() {
                let _ = write!(s, "\n      {line}");
            }
        }
        if let Some(c) = &f.curl {
            let _ = write!(s, "\n      reproduce: {c}");
        }
    }
    s
}

/// The lines printed after the cases (the last one is `N passed, N failed, N skipped`).
pub fn closing_lines(report: &Report) -> Vec<String> {
    let tiers: Vec<&str> = report.tiers.iter().map(|t| t.as_str()).collect();
    let mut v = vec![format!(
        "target {}, tiers run: {}, seed {}, snapshots {}, wall time {:.2} s",
        report.target,
        if tiers.is_empty() {
            "none".to_string()
        } else {
            tiers.join(", ")
        },
        report.seed,
        report.snapshot_version,
        report.duration.as_secs_f64()
    )];
    let xfail = report.count("expected-failure");
    if xfail > 0 {
        v.push(format!(
            "{xfail} expected failures (listed, not counted as failed)"
        ));
    }
    let shrink: Vec<&str> = report
        .results
        .iter()
        .filter(|r| r.unexpected_pass)
        .map(|r| r.name.as_str())
        .collect();
    if !shrink.is_empty() {
        v.push(format!(
            "listed as expected failures but now passing: {}",
            shrink.join(", ")
        ));
    }
    if report.not_run > 0 {
        v.push(format!(
            "{} cases not run (--fail-fast: the run stopped at the first failure)",
            report.not_run
        ));
    }
    let failed = report.failed_names();
    if !failed.is_empty() {
        v.push(format!("failed cases ({}):", failed.len()));
        v.extend(failed.iter().map(|n| format!("    {n}")));
    }
    v.push(report.summary_line());
    v
}
