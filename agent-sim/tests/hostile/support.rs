//! The simulator as a child process (its own memory, sockets and stderr to measure), and a raw
//! HTTP/1.1 client that can send bytes no well-behaved client would.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `agent-sim` binary, ended with SIGTERM (then SIGKILL) when dropped.
pub struct SimProcess {
    child: Child,
    pub addr: SocketAddr,
    _scenario: tempfile_path::TempPath,
}

mod tempfile_path {
    /// A scenario file removed when dropped.
    pub struct TempPath(pub std::path::PathBuf);

    impl Drop for TempPath {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }
}

/// How the child's stderr is wired.
pub enum Stderr {
    /// Discarded.
    Null,
    /// A pipe that this side never reads.
    UnreadPipe,
}

impl SimProcess {
    /// Starts `agent-sim` on `scenario` (JSON) and a free loopback port; `env` adds variables.
    pub fn start(scenario: &serde_json::Value, stderr: Stderr, env: &[(&str, &str)]) -> Self {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("agent-sim-hostile-{}-{n}.json", std::process::id()));
        std::fs::write(&path, scenario.to_string()).expect("write scenario");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_agent-sim"));
        cmd.arg("--scenario")
            .arg(&path)
            .args(["--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(match stderr {
                Stderr::Null => Stdio::null(),
                Stderr::UnreadPipe => Stdio::piped(),
            });
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn agent-sim");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("stdout");
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("ready line");
        let url = line
            .trim()
            .strip_prefix("agent-sim listening on http://")
            .unwrap_or_else(|| panic!("unexpected ready line {line:?}"));
        let addr = url.parse().expect("address");
        Self {
            child,
            addr,
            _scenario: tempfile_path::TempPath(path),
        }
    }

    /// The child's stderr, when it is a pipe.
    pub fn take_stderr(&mut self) -> Option<std::process::ChildStderr> {
        self.child.stderr.take()
    }

    /// Sends SIGTERM and waits for the exit; how long it took, `None` after 10 s.
    pub fn terminate(&mut self) -> Option<Duration> {
        let started = Instant::now();
        // SAFETY: signalling our own child by pid.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        while started.elapsed() < Duration::from_secs(10) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return Some(started.elapsed());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        None
    }

    /// Whether the process is still running.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    fn proc_path(&self, what: &str) -> String {
        format!("/proc/{}/{what}", self.child.id())
    }

    /// Resident memory in KiB (`VmRSS`).
    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(self.proc_path("status")).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    }

    /// Open sockets (file descriptors that are sockets), the listener included.
    pub fn sockets(&self) -> usize {
        let Ok(dir) = std::fs::read_dir(self.proc_path("fd")) else {
            return 0;
        };
        dir.filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
            .filter(|target| target.to_string_lossy().starts_with("socket:"))
            .count()
    }

    /// A well-formed GET with `Connection: close`; the status and body.
    pub fn get(&self, path: &str) -> Option<(u16, Vec<u8>)> {
        let req = format!("GET {path} HTTP/1.1\r\nHost: sim\r\nConnection: close\r\n\r\n");
        let reply = exchange(self.addr, req.as_bytes(), Duration::from_secs(10));
        Some((reply.status?, reply.body))
    }
}

impl Drop for SimProcess {
    fn drop(&mut self) {
        // SAFETY: signalling our own child by pid.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if !matches!(self.child.try_wait(), Ok(None)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What came back for raw request bytes on a socket (the router-level `Reply` is `tests/common`'s).
#[derive(Debug, Default)]
pub struct RawReply {
    /// The response's status, if a status line arrived.
    pub status: Option<u16>,
    /// Everything after the header block (chunked framing included), up to the cap.
    pub body: Vec<u8>,
    /// The client stopped waiting before the server finished.
    pub gave_up: bool,
}

/// How much of a response the client keeps.
const KEEP: usize = 1 << 20;

/// Sends `bytes` on a new connection and reads until the server closes it or `patience`
/// runs out. Requests are expected to carry `Connection: close` (or to be cut off).
pub fn exchange(addr: SocketAddr, bytes: &[u8], patience: Duration) -> RawReply {
    let mut reply = RawReply::default();
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_secs(5)) else {
        return reply;
    };
    let deadline = Instant::now() + patience;
    let _ = stream.set_write_timeout(Some(patience));
    // The server may answer (and close) before reading everything: keep what it says.
    let _ = stream.write_all(bytes);
    let mut raw = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            reply.gave_up = true;
            break;
        }
        let _ = stream.set_read_timeout(Some(left));
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                if raw.len() < KEEP {
                    raw.extend_from_slice(&buf[..n]);
                }
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                reply.gave_up = true;
                break;
            }
            Err(_) => break,
        }
    }
    if let Some(head_end) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
        let head = String::from_utf8_lossy(&raw[..head_end]);
        reply.status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok());
        reply.body = raw[head_end + 4..].to_vec();
    }
    reply
}

/// The campaign's scenario: every section populated, nothing that touches this machine
/// (memory files, scripted processes), so hostile bodies cannot run commands or write disks.
pub fn safe_scenario() -> serde_json::Value {
    let mut s = agent_sim::Scenario::fixture("containers-running")
        .expect("fixture")
        .to_value();
    s["name"] = "hostile".into();
    s["processes"] = serde_json::json!({
        "mode": "scripted",
        "scripts": [{ "command": "echo hello", "output": "hello\n", "exit_code": 0 }]
    });
    s["files"] = serde_json::json!({
        "backend": "memory",
        "entries": { "/home/coder/README.md": "hello\n", "/home/coder/src/main.go": "package main\n" }
    });
    s
}
