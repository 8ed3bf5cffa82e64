//! Instructions per request, counted by valgrind's callgrind: a speed figure that does not
//! depend on how busy the machine is. For each route, agent-sim (the built-in default
//! scenario, served as the `agent-sim` binary serves it: journal, metrics, fault check,
//! Recover, Go header casing, the 20 s header-read timeout) and a bare axum server answering
//! the same bytes (`agent_sim::baseline`, checked by agent-sim/tests/core/baseline_bytes.rs)
//! each run in a child process under callgrind; one keep-alive connection sends
//! `FEW` and then `MANY` requests, and the difference divided by `MANY - FEW` is the cost of a
//! request with start-up, warm-up and shutdown subtracted. Only user-space instructions count
//! (callgrind does not see the kernel).
//!
//! `cargo bench -p agent-sim --bench instructions` prints the table and writes it into
//! BENCHMARKS.md between the `instructions` markers. For profiling: `INSTR_KEEP=DIR` keeps the
//! callgrind files (with `--dump-instr=yes`) for `callgrind_annotate`; `INSTR_ONLY=agent-sim`
//! (or `bare axum`) and `INSTR_ROUTE=/` measure one server or route and leave BENCHMARKS.md
//! alone. Without valgrind it says so and exits.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Requests in the short and the long run; their difference is what is measured.
const FEW: usize = 500;
const MANY: usize = 3500;

const ROUTES: [&str; 2] = ["/", "/api/v0/listening-ports"];
const SERVERS: [&str; 2] = ["agent-sim", "bare axum"];

/// Where the bench's own section of BENCHMARKS.md starts and ends.
const BEGIN: &str = "<!-- instructions: begin -->";
const END: &str = "<!-- instructions: end -->";

/// What the table does not say: what the baseline is, the figures before and after each
/// change, where agent-sim's remaining instructions go (profiled with `INSTR_KEEP` and
/// `callgrind_annotate`, 2026-12-02).
const ANALYSIS: &str = "
Target: at most 1.15× on both routes. The baseline (`agent_sim::baseline`) is an axum `Router` \
served the way `axum::serve` serves it, plus hyper's `title_case_headers`, the one option \
agent-sim's bytes need: before, the bench served it with `axum::serve` itself, which writes \
`content-type` where agent-sim (and Go) write `Content-Type`, and so skipped the title-case \
writer (about 870 instructions per request) that agent-sim cannot. The test \
`baseline_bytes` (agent-sim/tests/core) reads both servers' raw responses from a socket and \
compares them byte for byte except the `Date` value. The baseline has no header-read timeout: \
that is agent-sim's cost, counted against it.

Per request, `GET /` and `GET /api/v0/listening-ports`:

| step | agent-sim | baseline | ratio |
|---|---|---|---|
| before | 16587, 18245 | 13601, 14014 (lower-case names) | 1.22×, 1.30× |
| (a) agent-sim cheaper, same baseline | 15049, 16009 | 13601, 14014 | 1.11×, 1.14× |
| (a) + (b) baseline answering the same bytes | 15049, 16009 | 14435, 14933 | 1.04×, 1.07× |

(One run; three runs of the same build gave agent-sim 15016–15087 and 15967–16009, the \
baseline 14435–14682 and 14918–15123: the table above is a fresh run.) (a) took about 1540 and 2240 instructions off agent-sim without changing what it sends: the chi \
table finds a route without parameters by comparing the whole path instead of splitting it \
into a vector and scanning every route (most of the listening-ports difference); hyper's \
header-read timer, a tokio sleep allocated, inserted into the timer wheel and removed per \
request, is one sleep per connection that a head only moves when its deadline is earlier \
(`header_timer.rs`; the 20 s timeout is unchanged and tested in \
agent-sim/tests/core/header_timeout.rs); `Content-Length` values up to 4096 and the two usual \
`Content-Type` values are static (no formatting, allocation or per-byte validation); a \
handler's future, which axum already boxes, is not boxed a second time; whether the scenario \
has fault rules or enables containers is a flag beside it (no scenario load per layer), and \
expectations are counted only once one is registered; the captured body is wrapped in place.

Where agent-sim's remaining extra instructions go, per `GET /`: the request journal, captured \
headers and metrics about 900 (the entry, the header list, the arrival's wall-clock and \
monotonic readings and the answer's, the journal's growth, the metrics vector); the header-read \
timer about 300 (hyper's per-head box and clock reading, the runtime checking the timer wheel \
when it parks); the chi dispatch about 250 (method check, routing path, the route, the handler \
call); graceful shutdown and the client-socket task-local, polled with the connection, about \
190; the fault, Recover and panic-point layers about 200; Go's framing check about 130. \
agent-sim builds its response with fewer instructions than axum's `IntoResponse`, which offsets \
some of this.
";

fn main() {
    if let Ok(which) = std::env::var("INSTR_SERVE") {
        serve(&which);
        return;
    }
    if Command::new("valgrind").arg("--version").output().is_err() {
        println!("valgrind is not installed: no instruction counts (apt-get install valgrind)");
        return;
    }
    let keep = std::env::var_os("INSTR_KEEP").map(PathBuf::from);
    let only = std::env::var("INSTR_ONLY").ok();
    let only_route = std::env::var("INSTR_ROUTE").ok();
    let partial = only.is_some() || only_route.is_some();
    let mut rows = Vec::new();
    for route in ROUTES {
        if only_route.as_deref().is_some_and(|r| r != route) {
            continue;
        }
        let mut per_request = Vec::new();
        for server in SERVERS {
            if only.as_deref().is_some_and(|o| o != server) {
                per_request.push(f64::NAN);
                continue;
            }
            let few = count(server, route, FEW, keep.as_deref());
            let many = count(server, route, MANY, keep.as_deref());
            let n = (many.saturating_sub(few)) as f64 / (MANY - FEW) as f64;
            eprintln!("{server} GET {route}: {few} / {many} instructions → {n:.0} per request");
            per_request.push(n);
        }
        rows.push((route, per_request[0], per_request[1]));
    }
    let table = render(&rows);
    println!("{table}");
    if partial {
        return;
    }
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../BENCHMARKS.md");
    let old = std::fs::read_to_string(path).unwrap_or_default();
    let new = match (old.find(BEGIN), old.find(END)) {
        (Some(b), Some(e)) if b < e => format!("{}{table}{}", &old[..b], &old[e + END.len()..]),
        _ => format!("{}\n{table}", old.trim_end()),
    };
    if std::fs::write(path, new).is_ok() {
        eprintln!("wrote {path}");
    }
}

/// The markdown section, markers included.
fn render(rows: &[(&str, f64, f64)]) -> String {
    let mut s = format!(
        "{BEGIN}\n## Instructions per request\n\nGenerated by `cargo bench -p agent-sim --bench \
         instructions` (agent-sim/benches/instructions.rs): user-space instructions counted by \
         valgrind's callgrind, one keep-alive connection, ({MANY} − {FEW}) requests after \
         start-up and warm-up, each server in its own process. The machine's load does not change \
         the figures; the multi-threaded runtime's scheduling moves them by about 1% (up to \
         about 200 instructions) from one run to the next.\n\n| route | agent-sim | bare axum | ratio |\n\
         |---|---:|---:|---:|\n"
    );
    for (route, sim, axum) in rows {
        s.push_str(&format!(
            "| `GET {route}` | {sim:.0} | {axum:.0} | {:.2}× |\n",
            sim / axum
        ));
    }
    s.push_str(ANALYSIS);
    s.push_str(&format!("{END}\n"));
    s
}

/// Total instructions of a child serving `requests` requests to `route`.
fn count(server: &str, route: &str, requests: usize, keep: Option<&Path>) -> u64 {
    let dir = std::env::temp_dir().join(format!("agent-sim-instr-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let tag = format!(
        "{}-{}-{requests}",
        server.replace(' ', "-"),
        route.trim_matches('/').replace('/', "-")
    );
    let out = keep.unwrap_or(&dir).join(format!("callgrind.{tag}.out"));
    let mut child = Command::new("valgrind")
        .args([
            "--tool=callgrind",
            &format!("--dump-instr={}", if keep.is_some() { "yes" } else { "no" }),
            &format!("--callgrind-out-file={}", out.display()),
        ])
        .arg(std::env::current_exe().expect("own path"))
        .env("INSTR_SERVE", server)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("valgrind");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("the child's address");
    let addr: SocketAddr = line.trim().parse().expect("address");
    drive(addr, route, requests);
    drop(child.stdin.take()); // the child exits when its stdin closes
    let _ = child.wait();
    let text = std::fs::read_to_string(&out).expect("callgrind output");
    if keep.is_none() {
        let _ = std::fs::remove_file(&out);
    }
    text.lines()
        .find_map(|l| {
            l.strip_prefix("summary:")
                .or_else(|| l.strip_prefix("totals:"))
        })
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .expect("a summary line")
}

/// Sends `requests` GETs on one keep-alive connection, reading each answer in full.
fn drive(addr: SocketAddr, route: &str, requests: usize) {
    let mut conn = TcpStream::connect(addr).expect("connect");
    let _ = conn.set_nodelay(true);
    let req = format!("GET {route} HTTP/1.1\r\nHost: bench\r\n\r\n");
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    for _ in 0..requests {
        conn.write_all(req.as_bytes()).expect("send");
        buf.clear();
        let body_start = loop {
            let n = conn.read(&mut chunk).expect("read");
            assert!(n > 0, "connection closed");
            buf.extend_from_slice(&chunk[..n]);
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
        };
        let head = String::from_utf8_lossy(&buf[..body_start]).to_ascii_lowercase();
        let len: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse().ok())
            .expect("a Content-Length");
        while buf.len() < body_start + len {
            let n = conn.read(&mut chunk).expect("read");
            assert!(n > 0, "connection closed");
            buf.extend_from_slice(&chunk[..n]);
        }
    }
}

/// Child: serve on a free port (printed), until stdin closes.
fn serve(which: &str) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let addr = match which {
            "agent-sim" => {
                let sim = agent_sim::Sim::builder()
                    .scenario(agent_sim::Scenario::builtin_default())
                    .start()
                    .await
                    .expect("agent-sim");
                let addr = sim.addr();
                std::mem::forget(sim);
                addr
            }
            _ => bare_axum().await,
        };
        println!("{addr}");
        let _ = std::io::stdout().flush();
        tokio::task::spawn_blocking(|| {
            let mut sink = Vec::new();
            let _ = std::io::stdin().read_to_end(&mut sink);
        })
        .await
        .expect("stdin");
    });
    std::process::exit(0);
}

/// The bare axum baseline (`agent_sim::baseline`) on a free port.
async fn bare_axum() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(agent_sim::baseline::serve(listener));
    addr
}
