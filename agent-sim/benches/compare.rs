//! Side-by-side benchmark: `agent-sim` versus a bare axum server and a wiremock mock server
//! returning the same bytes, the release binary's time to its ready line, and memory per idle
//! agent in fleet mode. Prints a markdown report and writes it to `BENCHMARKS.md` at the top
//! of the workspace.
//!
//! Run: `cargo bench -p agent-sim --bench compare` (all traffic on 127.0.0.1; every phase is
//! bounded by a fixed request count and a time limit).

use agent_sim::{Scenario, Sim};
use axum::body::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::TokioIo;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Keep-alive connections of the load generator.
const CONNECTIONS: usize = 4;
/// Measured requests per target, route and round.
const REQUESTS: usize = 10_000;
/// Requests thrown away first on each target and route.
const WARMUP: usize = 2_000;
/// Rounds per target and route, interleaved; medians are reported, and the ratio to bare
/// axum is the median of the per-round ratios (each round runs every target back to back, so
/// load from other processes hits them alike).
const ROUNDS: usize = 9;
/// Upper bound on any single load phase.
const PHASE_LIMIT: Duration = Duration::from_secs(30);
/// Spawns of the release binary for the ready-line timing.
const STARTS: usize = 20;

const ROUTES: [&str; 2] = ["/", "/api/v0/listening-ports"];

#[derive(Debug, Clone)]
struct Answer {
    content_type: String,
    body: Bytes,
}

#[derive(Debug, Clone, Copy)]
struct LoadResult {
    rps: f64,
    p50: Duration,
    p99: Duration,
}

/// One keep-alive connection's worth of a load phase.
async fn connection(
    addr: SocketAddr,
    path: &'static str,
    remaining: Arc<AtomicUsize>,
    expect: Bytes,
) -> Vec<Duration> {
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.set_nodelay(true).unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let mut lat = Vec::new();
    while remaining
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
        .is_ok()
    {
        let req = http::Request::get(path)
            .header(http::header::HOST, addr.to_string())
            .body(Empty::<Bytes>::new())
            .unwrap();
        sender.ready().await.unwrap();
        let t = Instant::now();
        let resp = sender.send_request(req).await.unwrap();
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        lat.push(t.elapsed());
        assert_eq!(body, expect, "{addr}{path} answered other bytes");
    }
    lat
}

async fn load(addr: SocketAddr, path: &'static str, n: usize, expect: &Bytes) -> LoadResult {
    let remaining = Arc::new(AtomicUsize::new(n));
    let started = Instant::now();
    let tasks: Vec<_> = (0..CONNECTIONS)
        .map(|_| tokio::spawn(connection(addr, path, remaining.clone(), expect.clone())))
        .collect();
    let mut lat = Vec::with_capacity(n);
    for t in tasks {
        lat.extend(
            tokio::time::timeout(PHASE_LIMIT, t)
                .await
                .expect("load phase over its time limit")
                .unwrap(),
        );
    }
    let wall = started.elapsed();
    lat.sort_unstable();
    let pct = |p: f64| lat[((lat.len() as f64 * p) as usize).min(lat.len() - 1)];
    LoadResult {
        rps: n as f64 / wall.as_secs_f64(),
        p50: pct(0.50),
        p99: pct(0.99),
    }
}

async fn fetch(addr: SocketAddr, path: &str) -> Answer {
    let r = reqwest::get(format!("http://{addr}{path}")).await.unwrap();
    let content_type = r.headers()["content-type"].to_str().unwrap().to_string();
    Answer {
        content_type,
        body: r.bytes().await.unwrap(),
    }
}

/// Calls per route for the in-process router cost.
const INPROC: usize = 100_000;

/// Mean µs per `oneshot` call through `router`.
async fn inproc(router: &axum::Router, path: &str) -> f64 {
    use tower::ServiceExt;
    let t = Instant::now();
    for _ in 0..INPROC {
        let req = http::Request::get(path)
            .body(axum::body::Body::empty())
            .unwrap();
        let resp = router.clone().oneshot(req).await.unwrap();
        let _ = resp.into_body().collect().await.unwrap();
    }
    t.elapsed().as_secs_f64() * 1e6 / INPROC as f64
}

fn bare_router(answers: &[(&'static str, Answer)]) -> axum::Router {
    let mut app = axum::Router::new();
    for (path, a) in answers {
        let a = a.clone();
        app = app.route(
            path,
            axum::routing::get(move || {
                let a = a.clone();
                async move {
                    (
                        [(http::header::CONTENT_TYPE, a.content_type.clone())],
                        a.body.clone(),
                    )
                }
            }),
        );
    }
    app
}

async fn bare_axum(answers: &[(&'static str, Answer)]) -> SocketAddr {
    let app = bare_router(answers);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    if std::env::var_os("COMPARE_BARE_ON_SIM_SERVER").is_some() {
        // Diagnostic: the bare router behind agent-sim's own connection handling.
        tokio::spawn(agent_sim::server::serve(
            listener,
            app,
            std::future::pending(),
        ));
    } else {
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    }
    addr
}

async fn wiremock_server(answers: &[(&'static str, Answer)]) -> wiremock::MockServer {
    use wiremock::matchers::{method, path};
    let server = wiremock::MockServer::start().await;
    for (p, a) in answers {
        wiremock::Mock::given(method("GET"))
            .and(path(*p))
            .respond_with(
                wiremock::ResponseTemplate::new(200).set_body_raw(a.body.to_vec(), &a.content_type),
            )
            .mount(&server)
            .await;
    }
    server
}

fn median<T: PartialOrd + Copy>(mut v: Vec<T>) -> T {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1000.0)
}

/// Time from spawn to the ready line, `STARTS` times.
fn startup_times(bin: &str) -> Vec<Duration> {
    let mut out = Vec::with_capacity(STARTS);
    for _ in 0..STARTS {
        let t = Instant::now();
        let mut child = Command::new(bin)
            .args(["--listen", "127.0.0.1:0"])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        out.push(t.elapsed());
        assert!(
            line.starts_with("agent-sim listening on http://127.0.0.1:"),
            "{line}"
        );
        child.kill().unwrap();
        child.wait().unwrap();
    }
    out.sort_unstable();
    out
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// Starts `fleet --count n`; returns (time to the last agent line, RSS in KiB when idle).
fn fleet(bin: &str, n: usize) -> (Duration, u64) {
    let t = Instant::now();
    let mut child = Command::new(bin)
        .args(["fleet", "--count", &n.to_string()])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    for i in 0..n {
        line.clear();
        reader.read_line(&mut line).unwrap();
        assert!(line.starts_with(&format!("agent {i} ")), "{line}");
    }
    let ready = t.elapsed();
    std::thread::sleep(Duration::from_millis(300));
    let rss = rss_kib(child.id());
    child.kill().unwrap();
    child.wait().unwrap();
    (ready, rss)
}

/// Wall times of agent-conformance against a freshly started simulator — the full default run
/// (cases in parallel), the same one case at a time (`--jobs 1`), the controlled tier alone —
/// when that binary was built next to agent-sim; otherwise how to measure them. Table rows.
fn conformance_run(bin: &str) -> String {
    let how = "measure with `cargo build --release -p agent-sim -p conformance`, \
               `target/release/agent-sim &` (read the URL from its ready line), then \
               `time target/release/agent-conformance --target URL`";
    let conf = std::path::Path::new(bin).with_file_name("agent-conformance");
    if !conf.exists() {
        return format!(
            "conformance run wall time against a local simulator | not measured: \
             `agent-conformance` was not built next to `agent-sim`; {how}"
        );
    }
    let runs: [(&str, &[&str]); 3] = [
        ("full default run (`agent-conformance --target URL`)", &[]),
        ("full run one case at a time (`--jobs 1`)", &["--jobs", "1"]),
        (
            "controlled tier (`--tier controlled`)",
            &["--tier", "controlled"],
        ),
    ];
    let rows: Vec<String> = runs
        .iter()
        .map(|(what, args)| conformance_once(bin, &conf, what, args, how))
        .collect();
    rows.join(" |\n| ")
}

/// One timed agent-conformance run against a simulator of its own.
fn conformance_once(
    bin: &str,
    conf: &std::path::Path,
    what: &str,
    args: &[&str],
    how: &str,
) -> String {
    let mut sim = Command::new(bin)
        .args(["--listen", "127.0.0.1:0"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(sim.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .trim_start_matches("agent-sim listening on ")
        .to_string();
    let t = Instant::now();
    let mut run = Command::new(conf)
        .args(["--target", &url])
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let limit = Duration::from_secs(600);
    let status = loop {
        if let Some(status) = run.try_wait().unwrap() {
            break Some(status);
        }
        if t.elapsed() > limit {
            run.kill().unwrap();
            run.wait().unwrap();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let wall = t.elapsed();
    sim.kill().unwrap();
    sim.wait().unwrap();
    match status {
        Some(s) => format!(
            "conformance {what} against a local simulator, exit {} | {:.2} s",
            s.code().map_or("signal".into(), |c| c.to_string()),
            wall.as_secs_f64()
        ),
        None => format!(
            "conformance {what} against a local simulator | over the {} s limit; {how}",
            limit.as_secs()
        ),
    }
}

fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|l| l.trim_start_matches([' ', '\t', ':']).to_string())
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or("?".into(), |k| {
            format!("{:.1} GiB", k as f64 / 1024.0 / 1024.0)
        });
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load = load
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ");
    format!(
        "{model}, {cores} cores available, {mem} RAM, Linux {}; load average {load} when the \
         run started (the machine is shared with other jobs)",
        kernel.trim()
    )
}

fn main() {
    // `cargo bench` passes `--bench`; nothing to parse.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    // COMPARE_LOAD_ONLY=1: only the load phases, printed, BENCHMARKS.md left alone.
    let load_only = std::env::var_os("COMPARE_LOAD_ONLY").is_some();
    let report = rt.block_on(run(load_only));
    println!("{report}");
    if load_only || std::env::var_os("COMPARE_PROFILE_ROUTER").is_some() {
        return;
    }
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../BENCHMARKS.md");
    // The instruction counts are the `instructions` bench's section: kept as they are.
    let old = std::fs::read_to_string(path).unwrap_or_default();
    let kept = match (
        old.find("<!-- instructions: begin -->"),
        old.find("<!-- instructions: end -->"),
    ) {
        (Some(b), Some(e)) if b < e => &old[b..e + "<!-- instructions: end -->".len()],
        _ => "",
    };
    let report = format!("{}\n\n{kept}\n", report.trim_end());
    std::fs::write(path, report).unwrap();
    eprintln!("wrote {path}");
}

async fn run(load_only: bool) -> String {
    let bin = env!("CARGO_BIN_EXE_agent-sim");
    if let Some(path) = std::env::var_os("COMPARE_PROFILE_ROUTER") {
        profile_router_only(path.to_str()).await;
        return String::new();
    }
    let sim = Sim::builder()
        .scenario(Scenario::builtin_default())
        .journal_capacity(1000)
        .start()
        .await
        .unwrap();
    let mut answers = Vec::new();
    for path in ROUTES {
        answers.push((path, fetch(sim.addr(), path).await));
    }
    let axum_addr = bare_axum(&answers).await;
    let mock = wiremock_server(&answers).await;
    let targets = [
        ("agent-sim", sim.addr()),
        ("bare axum", axum_addr),
        ("wiremock", *mock.address()),
    ];
    let mut md = String::new();
    let _ = writeln!(md, "# Benchmarks\n");
    let _ = writeln!(
        md,
        "Generated by `cargo bench -p agent-sim --bench compare` (agent-sim/benches/compare.rs) in \
         one invocation; all traffic on 127.0.0.1.\n\nMachine: {}. The load generator runs in the \
         same process and on the same 2 cores as the servers under test, so absolute numbers \
         are a floor; the ratios are what matter.\n\nReliability under hostile input (the \
         100,000-request bad-input campaign, stalled log readers, vanished clients): \
         [RELIABILITY.md](RELIABILITY.md).\n",
        machine()
    );
    throughput_section(&mut md, &targets, &answers).await;
    inproc_section(&mut md, &answers).await;
    drop(sim);
    drop(mock);
    if !load_only {
        process_sections(&mut md, bin);
    }
    md
}

/// Diagnostic: only the in-process agent-sim router, for a profiler; `path` is the route
/// (`/` unless it names one of ROUTES).
async fn profile_router_only(path: Option<&str>) {
    let path = ROUTES.into_iter().find(|r| path == Some(*r)).unwrap_or("/");
    let r = agent_sim::router(agent_sim::AppState::with_journal_capacity(
        Scenario::builtin_default(),
        1000,
    ));
    for _ in 0..10 {
        eprintln!("{:.2} µs", inproc(&r, path).await);
    }
}

/// Requests per second and latency of each server per route, interleaved rounds.
async fn throughput_section(
    md: &mut String,
    targets: &[(&str, SocketAddr)],
    answers: &[(&'static str, Answer)],
) {
    let _ = writeln!(
        *md,
        "## Throughput and latency\n\nhyper HTTP/1.1 client, {CONNECTIONS} keep-alive connections, \
         {REQUESTS} requests per round after {WARMUP} warm-up requests, {ROUNDS} interleaved \
         rounds (agent-sim, bare axum, wiremock back to back); medians over the rounds, and \
         \"vs bare axum\" is the median of the per-round throughput ratios. Every answer is \
         checked to be the same bytes. agent-sim runs the \
         built-in default scenario with its journal and metrics on, as shipped.\n"
    );
    let _ = writeln!(
        *md,
        "| route | server | requests/s | p50 ms | p99 ms | vs bare axum |\n|---|---|---:|---:|---:|---:|"
    );
    // agent-sim's "vs bare axum" per route, for the verdict under the table.
    let mut sim_ratios = Vec::new();
    for &(path, ref answer) in answers {
        for (_, addr) in targets {
            load(*addr, path, WARMUP, &answer.body).await;
        }
        let mut rounds: Vec<Vec<LoadResult>> = vec![Vec::new(); targets.len()];
        for _ in 0..ROUNDS {
            for (i, (_, addr)) in targets.iter().enumerate() {
                rounds[i].push(load(*addr, path, REQUESTS, &answer.body).await);
            }
        }
        for (i, (name, _)) in targets.iter().enumerate() {
            let r = &rounds[i];
            let ratios: Vec<f64> = r
                .iter()
                .zip(&rounds[1])
                .map(|(a, b)| a.rps / b.rps)
                .collect();
            let ratio = median(ratios);
            if i == 0 {
                sim_ratios.push((path, ratio));
            }
            let _ = writeln!(
                *md,
                "| `GET {path}` | {name} | {:.0} | {} | {} | {:.2} |",
                median(r.iter().map(|x| x.rps).collect()),
                ms(median(r.iter().map(|x| x.p50).collect())),
                ms(median(r.iter().map(|x| x.p99).collect())),
                ratio
            );
        }
    }
    let missed: Vec<String> = sim_ratios
        .iter()
        // As printed: two decimals.
        .filter(|(_, r)| (r * 100.0).round() < 90.0)
        .map(|(p, r)| format!("`GET {p}` at {r:.2}"))
        .collect();
    let _ = writeln!(
        *md,
        "\nTarget (agent-sim at least 0.9 of bare axum): {}.",
        if missed.is_empty() {
            "met on this run for both routes".to_string()
        } else {
            format!("missed on this run for {}", missed.join(" and "))
        }
    );
}

/// The in-process cost of each router alone.
async fn inproc_section(md: &mut String, answers: &[(&'static str, Answer)]) {
    let _ = writeln!(
        *md,
        "\nIn-process cost of the router alone (`tower::ServiceExt::oneshot`, no network, \
         {INPROC} calls, body collected):\n\n| route | agent-sim µs/request | bare axum µs/request |\n|---|---:|---:|"
    );
    let sim_router = agent_sim::router(agent_sim::AppState::with_journal_capacity(
        Scenario::builtin_default(),
        1000,
    ));
    let bare_router = bare_router(answers);
    for &(path, _) in answers {
        let a = inproc(&sim_router, path).await;
        let b = inproc(&bare_router, path).await;
        let _ = writeln!(*md, "| `GET {path}` | {a:.2} | {b:.2} |");
    }
}

/// Start-up time, fleet memory and a conformance run, each with the release binary.
fn process_sections(md: &mut String, bin: &str) {
    let starts = startup_times(bin);
    let _ = writeln!(
        *md,
        "\n## Start-up\n\nRelease binary, spawned {STARTS} times with `--listen 127.0.0.1:0`; \
         time from `spawn()` to reading `agent-sim listening on …` on its stdout (target: under \
         20 ms).\n\n| min ms | median ms | max ms |\n|---:|---:|---:|\n| {} | {} | {} |",
        ms(starts[0]),
        ms(starts[starts.len() / 2]),
        ms(starts[starts.len() - 1])
    );

    let (_, base_rss) = fleet(bin, 1);
    let _ = writeln!(
        *md,
        "\n## Fleet mode\n\n`agent-sim fleet --count N` (built-in scenario, free ports); start = \
         spawn to the last `agent …` line; RSS from `/proc/PID/status` 300 ms later, idle; per \
         agent = (RSS(N) − RSS(1)) / (N − 1). RSS with one agent: {base_rss} KiB.\n\n\
         | agents | start ms | RSS MiB | KiB per idle agent |\n|---:|---:|---:|---:|"
    );
    for n in [1_000, 10_000] {
        let (ready, rss) = fleet(bin, n);
        let per = (rss.saturating_sub(base_rss)) as f64 / (n - 1) as f64;
        let _ = writeln!(
            *md,
            "| {n} | {} | {:.1} | {per:.1} |",
            ms(ready),
            rss as f64 / 1024.0
        );
    }

    let _ = writeln!(
        *md,
        "\n## Conformance run\n\n| measure | value |\n|---|---|\n| {} |",
        conformance_run(bin)
    );
}
