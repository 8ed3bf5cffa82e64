//! Logs on stderr that never hold up serving. Lines go through a bounded queue to a writer
//! thread (`tracing-appender`'s non-blocking writer, lossy): when nobody reads stderr (a pipe
//! a test harness drains only at the end, a CI step that buffers), the queue fills and further
//! lines are dropped and counted instead of blocking a request in `write(2)`. Panic messages
//! take the same path. The count is on `/debug/prometheus` as
//! `agent_sim_log_lines_dropped_total` (once non-zero), and one line at shutdown says it.

use std::io::IsTerminal;
use std::sync::OnceLock;
use std::time::Duration;
use tracing_appender::non_blocking::{ErrorCounter, NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::util::SubscriberInitExt;

/// How many lines may wait for a slow stderr before lines are dropped.
pub const QUEUED_LINES: usize = 1024;

/// How long shutdown waits for queued lines to reach a stderr that may never be read.
pub const FLUSH_WAIT: Duration = Duration::from_millis(1500);

static DROPPED: OnceLock<ErrorCounter> = OnceLock::new();

/// The format of log lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines (colours only on a terminal).
    Text,
    /// One JSON object per line.
    Json,
}

/// Lines dropped so far because stderr was not being read (0 before [`init`]).
pub fn dropped_lines() -> u64 {
    DROPPED.get().map_or(0, |c| c.dropped_lines() as u64)
}

/// Flushes what it can when dropped, without waiting on a stalled stderr for long, and says
/// how many lines were dropped.
#[must_use = "logs are flushed when the guard is dropped"]
pub struct LogGuard {
    worker: Option<WorkerGuard>,
    format: LogFormat,
}

impl Drop for LogGuard {
    fn drop(&mut self) {
        // The worker's own flush waits on write(2); let it do so on a thread of its own. The
        // drop count is written after the queue is flushed, straight to stderr: put in the
        // queue, it could be the line a still-full queue drops.
        let Some(worker) = self.worker.take() else {
            return;
        };
        let format = self.format;
        let (done_tx, done_rx) = std::sync::mpsc::channel();
        let flush = std::thread::Builder::new()
            .name("agent-sim-log-flush".into())
            .spawn(move || {
                drop(worker);
                let dropped = dropped_lines();
                if dropped > 0 {
                    let direct = subscriber(format, std::io::stderr);
                    tracing::subscriber::with_default(direct, || {
                        tracing::warn!(
                            dropped,
                            "log lines were dropped because stderr was not being read"
                        );
                    });
                }
                let _ = done_tx.send(());
            });
        if flush.is_ok() {
            let _ = done_rx.recv_timeout(FLUSH_WAIT);
        }
    }
}

/// The fmt subscriber of `format` writing to `writer`, filtered by `RUST_LOG` (default
/// `info`).
fn subscriber<W>(format: LogFormat, writer: W) -> Box<dyn tracing::Subscriber + Send + Sync>
where
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(std::io::stderr().is_terminal());
    match format {
        LogFormat::Text => Box::new(builder.finish()),
        LogFormat::Json => Box::new(builder.json().finish()),
    }
}

/// Installs the global subscriber (filter from `RUST_LOG`, default `info`) writing to stderr
/// through the non-blocking writer, and a panic hook that logs through it too (the default
/// hook writes to stderr directly, and would block a worker thread on a full pipe).
pub fn init(format: LogFormat) -> LogGuard {
    let (writer, worker) = NonBlockingBuilder::default()
        .lossy(true)
        .buffered_lines_limit(QUEUED_LINES)
        .thread_name("agent-sim-log")
        .finish(std::io::stderr());
    let _ = DROPPED.set(writer.error_counter());
    // `try_init` also routes the `log` crate's records (tungstenite's) into tracing.
    let installed = subscriber(format, writer).try_init();
    if installed.is_ok() {
        std::panic::set_hook(Box::new(|info| {
            tracing::error!(panic = %info, "panic");
        }));
    }
    LogGuard {
        worker: Some(worker),
        format,
    }
}
