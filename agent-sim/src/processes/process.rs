//! One process and the table it lives in: the types the manager and both backends (`exec`,
//! `scripted`) share, with the API's limits.

use super::headtail::{HeadTailBuffer, Output};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// Exited processes older than this (strictly) are removed by `GET /list`.
pub const REAP_AGE_SECS: i64 = 5 * 60;
/// `GET /list` returns at most this many processes.
pub const LIST_CAP: usize = 10;
/// How long `?wait=true` blocks at most.
pub const MAX_WAIT: Duration = Duration::from_secs(5 * 60);
/// Go's `cmd.WaitDelay`: how long the pipe may stay open after the shell exited.
pub const WAIT_DELAY: Duration = Duration::from_secs(5);

/// A start request after decoding (`workspacesdk.StartProcessRequest`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StartRequest {
    pub command: String,
    pub workdir: String,
    pub env: BTreeMap<String, String>,
    pub background: bool,
}

/// Why a start failed; `Display` is the 500's `detail`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StartError {
    #[error("manager is closed")]
    Closed,
    #[error("start process: {0}")]
    Spawn(String),
}

/// The two signals the API accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    Kill,
    Terminate,
}

impl Signal {
    /// `"kill"` / `"terminate"` exactly (case-sensitive).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "kill" => Some(Self::Kill),
            "terminate" => Some(Self::Terminate),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Kill => "kill",
            Self::Terminate => "terminate",
        }
    }

    pub(super) fn number(self) -> libc::c_int {
        match self {
            Self::Kill => libc::SIGKILL,
            Self::Terminate => libc::SIGTERM,
        }
    }
}

/// Why a signal was not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignalError {
    #[error("process not found")]
    NotFound,
    #[error("process is not running")]
    NotRunning,
    /// `kill process: <err>` / `terminate process: <err>`.
    #[error("{0}")]
    Os(String),
}

/// `workspacesdk.ProcessInfo`, in wire order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProcessInfo {
    pub id: String,
    pub command: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub workdir: String,
    pub background: bool,
    pub running: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    pub started_at_unix: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exited_at_unix: Option<i64>,
}

/// A consistent read of one process: exit state first, then the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub running: bool,
    pub exit_code: Option<i32>,
    pub output: Output,
}

#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Status {
    pub(super) running: bool,
    pub(super) exit_code: Option<i32>,
    pub(super) exited_at_unix: Option<i64>,
}

/// How a process is driven.
#[derive(Debug)]
pub(super) enum Backend {
    /// A real `sh`, leader of its own process group.
    Exec { pgid: i32 },
    /// A scripted process: signals go to its task.
    Scripted {
        signals: tokio::sync::mpsc::UnboundedSender<Signal>,
    },
}

/// One started process.
#[derive(Debug)]
pub struct Process {
    pub(super) id: String,
    pub(super) command: String,
    pub(super) workdir: String,
    pub(super) background: bool,
    pub(super) chat_id: Option<String>,
    pub(super) started_at_unix: i64,
    /// Start order, to break `started_at_unix` ties newest first.
    pub(super) seq: u64,
    pub(super) status: Mutex<Status>,
    pub(super) buf: HeadTailBuffer,
    pub(super) backend: Backend,
    pub(super) waiters: AtomicUsize,
}

/// Counts a waiter down when its wait ends or is dropped.
pub(super) struct WaiterGuard<'a>(&'a AtomicUsize);

impl Drop for WaiterGuard<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Process {
    pub(super) fn status(&self) -> Status {
        *self.status.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// The chat the process was started under (chat scoping only).
    pub fn chat_id(&self) -> Option<&str> {
        self.chat_id.as_deref()
    }

    pub fn running(&self) -> bool {
        self.status().running
    }

    /// Records the exit: state first, then the buffer is closed (which wakes waiters), so
    /// `running:false` always comes with the final output.
    pub(super) fn finish(&self, exit_code: i32, now_unix: i64) {
        {
            let mut st = self.status.lock().unwrap_or_else(|e| e.into_inner());
            if !st.running {
                return;
            }
            st.running = false;
            st.exited_at_unix = Some(now_unix);
            st.exit_code = Some(exit_code);
        }
        self.buf.close();
    }

    /// Waits until the process has exited or `limit` passes. Dropping the future (the client
    /// went away) ends the wait.
    pub async fn wait_exit(&self, limit: Duration) {
        self.waiters.fetch_add(1, Ordering::Relaxed);
        let _guard = WaiterGuard(&self.waiters);
        let _ = tokio::time::timeout(limit, self.buf.closed()).await;
    }

    /// How many `?wait=true` requests are blocked on this process right now.
    pub fn waiters(&self) -> usize {
        self.waiters.load(Ordering::Relaxed)
    }

    /// Exit state first, then the buffer (`processes.md` §3.3 step 4).
    pub fn snapshot(&self) -> Snapshot {
        let st = self.status();
        Snapshot {
            running: st.running,
            exit_code: st.exit_code,
            output: self.buf.output(),
        }
    }

    pub(super) fn info(&self) -> ProcessInfo {
        let st = self.status();
        ProcessInfo {
            id: self.id.clone(),
            command: self.command.clone(),
            workdir: self.workdir.clone(),
            background: self.background,
            running: st.running,
            exit_code: st.exit_code,
            started_at_unix: self.started_at_unix,
            exited_at_unix: st.exited_at_unix,
        }
    }
}

#[derive(Debug, Default)]
pub(super) struct Table {
    pub(super) closed: bool,
    pub(super) procs: HashMap<String, Arc<Process>>,
    /// Every exec process group that may still have members.
    pub(super) groups: HashSet<i32>,
    pub(super) next_seq: u64,
}

#[derive(Debug, Default)]
pub(super) struct Shared {
    pub(super) table: Mutex<Table>,
    /// Seconds added to the wall clock (lets tests and simulations age processes).
    pub(super) clock_offset: AtomicI64,
}

impl Shared {
    pub(super) fn table(&self) -> MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn now_unix(&self) -> i64 {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        secs + self.clock_offset.load(Ordering::Relaxed)
    }
}
