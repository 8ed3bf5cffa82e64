//! The example CI workflow (`examples/ci/agent-conformance.yml`) stays runnable: the
//! `agent-conformance` command it runs is accepted by the real command line, checks a remote
//! agent the safe way (black-box tier, `--read-only`) and writes the JUnit report the workflow
//! keeps; the workflow installs the binary and forwards the agent's port 4.

use conformance::case::Tier;
use std::path::Path;

fn workflow() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/ci/agent-conformance.yml");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The `agent-conformance …` commands of the workflow's `run:` steps, continuation lines
/// (`\`) joined, split into words.
fn commands(yaml: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in yaml.lines() {
        let t = line.trim();
        let t = t.strip_prefix("run:").map(str::trim).unwrap_or(t);
        match current.as_mut() {
            Some(cmd) => {
                cmd.push(' ');
                cmd.push_str(t.trim_end_matches('\\'))
            }
            None if t.starts_with("agent-conformance ") => {
                current = Some(t.trim_end_matches('\\').to_string())
            }
            None => continue,
        }
        if !t.ends_with('\\') {
            if let Some(cmd) = current.take() {
                out.push(cmd.split_whitespace().map(str::to_string).collect());
            }
        }
    }
    out
}

#[test]
fn the_example_workflow_runs_a_command_the_cli_accepts() {
    let yaml = workflow();
    let cmds = commands(&yaml);
    assert_eq!(cmds.len(), 1, "{cmds:?}");
    let cli = conformance::cli::parse_from(&cmds[0]).unwrap_or_else(|e| panic!("{cmds:?}: {e}"));
    let run = cli.run;
    assert!(cli.command.is_none());
    assert_eq!(run.target.as_deref(), Some("http://127.0.0.1:4000"));
    assert_eq!(run.tier, Some(Tier::BlackBox));
    assert!(run.read_only);
    let junit = run
        .reports
        .junit
        .expect("the workflow writes a JUnit report");
    let kept = yaml
        .split("uses: actions/upload-artifact")
        .nth(1)
        .expect("the workflow keeps the reports");
    assert!(kept.contains(junit.to_str().unwrap()), "{kept}");
    assert!(
        yaml.contains("cargo install --locked --git"),
        "installs the binary"
    );
    assert!(yaml.contains("coder port-forward \"$WORKSPACE\" --tcp 4000:4"));
}

#[test]
fn a_broken_command_would_be_caught() {
    let cmds = commands(
        "      - run: |\n          agent-conformance --target x \\\n            --no-such-flag\n",
    );
    assert_eq!(
        cmds,
        [["agent-conformance", "--target", "x", "--no-such-flag"]]
    );
    assert!(conformance::cli::parse_from(&cmds[0]).is_err());
}
