//! The `agent-sim` command: run a simulated agent on a scenario (a file, or a shipped fixture
//! as `builtin:NAME`), run a fleet of them, validate scenario files, list the shipped fixtures,
//! print shell completions.

use agent_sim::logging::LogFormat;
use agent_sim::{Scenario, Sim};
use anyhow::Context;
use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "agent-sim",
    version,
    about = "A simulated Coder workspace agent HTTP API, answering byte for byte from a scenario",
    after_help = "Examples:\n  agent-sim --scenario builtin:sub-agent\n  agent-sim --scenario my-scenario.json\n  agent-sim --listen 127.0.0.1:4000 --control-listen 127.0.0.1:4001\n  agent-sim fixtures\n  agent-sim validate fixtures/*.json\n  agent-sim completions bash > ~/.local/share/bash-completion/completions/agent-sim"
)]
struct Cli {
    /// Address of the agent API; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:0", env = "AGENT_SIM_LISTEN")]
    listen: SocketAddr,
    /// Scenario: a JSON file, or `builtin:NAME` for a shipped fixture (`agent-sim fixtures`
    /// lists them); without it the built-in default scenario is used. Applies to `fleet` too.
    #[arg(long, env = "AGENT_SIM_SCENARIO", value_name = "FILE|builtin:NAME")]
    scenario: Option<String>,
    /// Serve the control API (/__sim/...) only on this address instead of the agent port.
    #[arg(long)]
    control_listen: Option<SocketAddr>,
    /// Log format on stderr (also for `fleet`).
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    /// Allow processes.mode "exec" on a non-loopback address.
    #[arg(long)]
    allow_remote_exec: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check scenario files; print each error with its file and JSON path; exit 1 on any.
    Validate {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Run N simulated agents in one process, one port each; prints
    /// `agent <n> <agent_id> http://IP:PORT` per agent and serves the index at the first
    /// agent's /__sim/fleet.
    Fleet {
        /// Number of agents.
        #[arg(long)]
        count: usize,
        /// Scenario shared by every agent: a file or `builtin:NAME` (default: the top-level
        /// --scenario, else the built-in scenario).
        #[arg(long, value_name = "FILE|builtin:NAME")]
        scenario: Option<String>,
        /// What differs between agents besides id and port: ports, ids, containers
        /// (repeat or comma-separate).
        #[arg(long, value_delimiter = ',')]
        vary: Vec<agent_sim::fleet::Vary>,
        /// Address the agents listen on.
        #[arg(long, default_value = "127.0.0.1")]
        ip: std::net::IpAddr,
        /// First port (agent n gets base+n); 0 picks free ports.
        #[arg(long, default_value_t = 0)]
        base_port: u16,
    },
    /// List the fixtures built into the binary (serve one with --scenario builtin:NAME).
    Fixtures,
    /// Read a live agent with requests that change nothing and write a scenario that
    /// reproduces it; what the scenario cannot express is listed on stderr and in it.
    Record(agent_sim::record::RecordArgs),
    /// Print a shell completion script on stdout.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// Top-level options that do not apply to `fleet` (it has --ip and --base-port).
const NOT_FOR_FLEET: [(&str, &str); 3] = [
    ("listen", "--listen"),
    ("control_listen", "--control-listen"),
    ("allow_remote_exec", "--allow-remote-exec"),
];

/// `agent-sim fixtures`: one line per shipped fixture, name and description.
fn list_fixtures() -> ExitCode {
    let names = agent_sim::scenario::fixtures::names();
    let width = names.iter().map(|n| n.len()).max().unwrap_or(0);
    let mut out = std::io::stdout().lock();
    for name in names {
        let description = Scenario::fixture(name)
            .map(|s| s.description)
            .unwrap_or_default();
        // A reader that stopped early (`| head`) is not an error.
        if writeln!(out, "{name:width$}  {description}").is_err() {
            break;
        }
    }
    ExitCode::SUCCESS
}

/// An error and its causes, each cause shown once (a cause already quoted in the message
/// above it, like a scenario file's I/O error, is not repeated).
fn error_text(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

fn validate(files: &[PathBuf]) -> ExitCode {
    let mut failed = 0;
    for f in files {
        match Scenario::from_file(f) {
            Ok(s) => {
                let _ = writeln!(std::io::stdout(), "ok    {} ({})", f.display(), s.name);
            }
            Err(e) => {
                failed += 1;
                let _ = writeln!(std::io::stdout(), "error {e}");
            }
        }
    }
    if failed > 0 {
        eprintln!("{failed} of {} scenario files invalid", files.len());
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Resolves on SIGINT or SIGTERM. The handlers are installed when this is called, so call it
/// before announcing readiness: a signal sent right after the ready line must not kill us.
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("installing the SIGTERM handler")?;
    #[cfg(unix)]
    let mut int = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
        .context("installing the SIGINT handler")?;
    Ok(async move {
        #[cfg(unix)]
        tokio::select! {
            _ = int.recv() => {}
            _ = term.recv() => {}
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
    })
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let scenario = match &cli.scenario {
        Some(spec) => Scenario::from_spec(spec)?,
        None => Scenario::builtin_default(),
    };
    let name = scenario.name.clone();
    let mut builder = Sim::builder()
        .scenario(scenario)
        .listen(cli.listen)
        .allow_remote_exec(cli.allow_remote_exec);
    if let Some(addr) = cli.control_listen {
        builder = builder.control_listen(addr);
    }
    let sim = builder.start().await?;
    let stop = shutdown_signal()?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "agent-sim listening on {}", sim.url()).context("writing ready line")?;
        if cli.control_listen.is_some() {
            writeln!(out, "agent-sim control on {}", sim.control_url())?;
        }
        out.flush()?;
    }
    tracing::info!(scenario = %name, url = %sim.url(), "serving");
    stop.await;
    tracing::info!("shutting down");
    sim.shutdown().await;
    Ok(())
}

async fn run_fleet(config: agent_sim::fleet::FleetConfig) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let fleet = agent_sim::fleet::Fleet::start(config).await?;
    let stop = shutdown_signal()?;
    {
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        for a in fleet.agents() {
            writeln!(out, "agent {} {} {}", a.n, a.agent_id, a.url()).context("writing agents")?;
        }
        out.flush()?;
    }
    tracing::info!(
        agents = fleet.agents().len(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "fleet serving"
    );
    stop.await;
    tracing::info!("shutting down");
    fleet.shutdown().await;
    Ok(())
}

fn main() -> ExitCode {
    release_large_buffers();
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    match &cli.command {
        Some(Command::Validate { files }) => return validate(files),
        Some(Command::Fixtures) => return list_fixtures(),
        Some(Command::Completions { shell }) => {
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "agent-sim", &mut script);
            // A closed pipe (`| head`) is not an error worth a panic.
            let _ = std::io::stdout().write_all(&script);
            return ExitCode::SUCCESS;
        }
        _ => {}
    }
    if matches!(cli.command, Some(Command::Fleet { .. })) {
        for (id, flag) in NOT_FOR_FLEET {
            if matches.value_source(id) == Some(ValueSource::CommandLine) {
                eprintln!(
                    "agent-sim: {flag} does not apply to `fleet` (its agents listen on --ip and --base-port)"
                );
                return ExitCode::from(2);
            }
        }
    }
    if let Some(Command::Record(args)) = &cli.command {
        return block_on(async { Ok(agent_sim::record::run(args.clone()).await?) });
    }
    let _logs = agent_sim::logging::init(cli.log_format);
    if let Some(Command::Fleet {
        count,
        scenario,
        vary,
        ip,
        base_port,
    }) = cli.command
    {
        if scenario.is_some() && matches.value_source("scenario") == Some(ValueSource::CommandLine)
        {
            eprintln!(
                "agent-sim: --scenario is given twice (before and after `fleet`): give it once"
            );
            return ExitCode::from(2);
        }
        let scenario = match scenario
            .or(cli.scenario)
            .as_deref()
            .map(Scenario::from_spec)
        {
            Some(Ok(s)) => s,
            Some(Err(e)) => {
                eprintln!("agent-sim: {e}");
                return ExitCode::FAILURE;
            }
            None => Scenario::builtin_default(),
        };
        let mut config = agent_sim::fleet::FleetConfig::new(count, scenario);
        config.vary = vary;
        config.ip = ip;
        config.base_port = base_port;
        // Fail fast, before a runtime or a listener exists.
        if let Err(e) = agent_sim::fleet::preflight(&config) {
            eprintln!("agent-sim fleet: {e}");
            return ExitCode::FAILURE;
        }
        return block_on(run_fleet(config));
    }
    block_on(run(cli))
}

/// glibc raises its mmap threshold each time a large block is freed, so after a few large
/// request bodies (a 32 MiB string, megabytes of nesting) later ones come from the heap and
/// stay resident. A fixed threshold keeps every large buffer in its own mapping, returned to
/// the system when it is freed.
fn release_large_buffers() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only adjusts allocator tuning; called before any thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 256 * 1024);
    }
}

fn block_on(fut: impl std::future::Future<Output = anyhow::Result<()>>) -> ExitCode {
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("agent-sim: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(fut) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("agent-sim: {}", error_text(&e));
            ExitCode::FAILURE
        }
    }
}
