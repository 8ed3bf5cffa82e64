//! Installed tools work from anywhere: a fresh `git clone` of this repository into a temp
//! directory, `cargo install --path conformance` and `cargo install --path agent-sim` into an
//! empty root, the clone then moved away, and both binaries run from an unrelated directory:
//! agent-sim serves an embedded fixture (`--scenario builtin:default`), agent-conformance runs
//! with its embedded fixtures and snapshots, and gives the verdicts the repository's own build
//! gives against the same agent.
//!
//! What it costs, and how it stays affordable inside `cargo test` on 2 cores:
//! - the installs build with `--debug --offline --locked` into one target directory kept under
//!   this workspace's target (`target/tmp/install-test`), so the dependencies are compiled
//!   once, by the first run (15 minutes measured on the shared 2-core machine while other
//!   builds ran); later runs rebuild only the two crates of the fresh clone: 34 s for the
//!   whole test, measured;
//! - the installed agent-conformance runs a small selection (the black-box hello and router
//!   cases, every snapshot of one fixture, a local case) against the installed agent-sim: a
//!   second or two.
//!
//! The clone holds what is committed: uncommitted changes of the working tree are not in it.
//! So the comparison with the repository's build is on verdicts (name and result), which do
//! not change with an uncommitted edit of a message.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Instant;

/// Runs `cmd`, which must succeed; its stdout, trimmed.
fn run_ok(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{cmd:?}: {stderr}");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn git(dir: &Path, args: &[&str]) -> String {
    run_ok(Command::new("git").arg("-C").arg(dir).args(args))
}

fn cargo_install(src: &Path, krate: &str, root: &Path, target_dir: &Path) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let args = ["install", "--debug", "--offline", "--locked", "--quiet"];
    run_ok(
        Command::new(cargo)
            .args(args)
            .arg("--path")
            .arg(src.join(krate))
            .arg("--root")
            .arg(root)
            .env("CARGO_TARGET_DIR", target_dir)
            .env_remove("RUSTFLAGS"),
    );
}

/// Starts agent-sim, returns it and its URL.
fn start_sim(bin: &Path, cwd: &Path) -> (Child, String) {
    let (child, line) = spawn_ready(
        Command::new(bin)
            .args(["--scenario", "builtin:default"])
            .current_dir(cwd)
            .env_remove("AGENT_SIM_SCENARIO")
            .env_remove("AGENT_SIM_LISTEN")
            .stderr(Stdio::null()),
    );
    let url = line
        .strip_prefix("agent-sim listening on ")
        .unwrap_or_else(|| panic!("ready line: {line:?}"))
        .to_string();
    (child, url)
}

/// Spawns `cmd` with stdout piped; the child and its first stdout line.
fn spawn_ready(cmd: &mut Command) -> (Child, String) {
    use std::io::BufRead;
    let mut child = cmd.stdout(Stdio::piped()).spawn().expect("spawns");
    let first = child
        .stdout
        .take()
        .and_then(|out| std::io::BufReader::new(out).lines().next());
    (child, first.and_then(Result::ok).unwrap_or_default())
}

const SELECTION: &str =
    "^(hello/.*|router/.*|snapshot/default/.*|local/listening-ports/reports-opened-ports)$";

fn conformance(bin: &Path, cwd: &Path, url: &str) -> Output {
    Command::new(bin)
        .args([
            "--target", url, "--filter", SELECTION, "--seed", "9", "--color", "never",
        ])
        .current_dir(cwd)
        .output()
        .unwrap()
}

/// `(verdict, name)` of each case line, sorted.
fn verdicts(out: &Output) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(&out.stdout);
    let mut v: Vec<(String, String)> = text
        .lines()
        .filter_map(|l| {
            let (verdict, rest) = l.split_once(' ')?;
            let (_counter, rest) = rest.split_once("] ")?;
            let name = rest.split(" (").next()?;
            ["PASS", "FAIL", "SKIP", "XFAIL"]
                .contains(&verdict)
                .then(|| (verdict.to_string(), name.to_string()))
        })
        .collect();
    v.sort();
    v
}

#[test]
fn installed_binaries_work_from_anywhere() {
    let started = Instant::now();
    let repo = PathBuf::from(git(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &["rev-parse", "--show-toplevel"],
    ));
    let target_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("install-test");
    let work =
        std::env::temp_dir().join(format!("agent-conformance-install-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    let (src, root, elsewhere) = (work.join("src"), work.join("root"), work.join("elsewhere"));
    std::fs::create_dir_all(&elsewhere).unwrap();
    git(
        &repo,
        &[
            "clone",
            "--quiet",
            repo.to_str().unwrap(),
            src.to_str().unwrap(),
        ],
    );
    for krate in ["conformance", "agent-sim"] {
        cargo_install(&src, krate, &root, &target_dir);
    }
    let built = started.elapsed();
    // The source tree goes away: nothing may be read from it any more.
    std::fs::rename(&src, work.join("moved-away")).unwrap();
    std::fs::remove_dir_all(work.join("moved-away")).unwrap();

    let (sim_bin, conf_bin) = (
        root.join("bin/agent-sim"),
        root.join("bin/agent-conformance"),
    );
    let fixtures = Command::new(&sim_bin)
        .arg("fixtures")
        .current_dir(&elsewhere)
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&fixtures.stdout);
    assert_eq!(
        listed.lines().count(),
        agent_sim::scenario::fixtures::names().len(),
        "{listed}"
    );
    let version = Command::new(&conf_bin).arg("--version").output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&version.stdout),
        format!(
            "agent-conformance {} (snapshot set {})\n",
            env!("CARGO_PKG_VERSION"),
            conformance::snapshot::SnapshotSet::Embedded.version()
        )
    );

    let (mut sim, url) = start_sim(&sim_bin, &elsewhere);
    let installed = conformance(&conf_bin, &elsewhere, &url);
    let in_repo = conformance(
        Path::new(env!("CARGO_BIN_EXE_agent-conformance")),
        &repo,
        &url,
    );
    let _ = sim.kill();
    let _ = sim.wait();
    std::fs::remove_dir_all(&work).unwrap();

    let stdout = String::from_utf8_lossy(&installed.stdout);
    assert_eq!(installed.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("tiers run: black-box, local, controlled"),
        "{stdout}"
    );
    let got = verdicts(&installed);
    let mut selection = conformance::runner::RunConfig::new("http://127.0.0.1:1");
    selection.filter = Some(regex::Regex::new(SELECTION).unwrap());
    assert_eq!(got.len(), selection.select().len(), "{stdout}");
    assert!(
        got.iter()
            .filter(|(_, n)| n.starts_with("snapshot/default/"))
            .count()
            == conformance::cases::controlled::ROUTES.len(),
        "{stdout}"
    );
    assert!(got.iter().all(|(v, _)| v == "PASS"), "{stdout}");
    assert_eq!(got, verdicts(&in_repo));
    eprintln!(
        "install test: clone and installs {:.1} s, whole test {:.1} s",
        built.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
}
