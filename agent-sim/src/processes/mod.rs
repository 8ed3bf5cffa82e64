//! The process manager behind `/api/v0/processes`: a table of processes, each with its
//! head/tail output buffer and exit state, started either for real (`exec`, [`exec`]) or from
//! the scenario's scripts (`scripted`, [`scripted`]). Both backends look the same on the wire.
//! Exited processes are reaped by the list call only; every process group started is killed on
//! `reset` and `shutdown`, so nothing outlives the simulator.

pub mod env;
pub mod exec;
pub mod headtail;
pub mod scripted;

use crate::scenario::processes::ProcessMode;
use crate::scenario::Scenario;
use headtail::{HeadTailBuffer, Output};
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

    fn number(self) -> libc::c_int {
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
struct Status {
    running: bool,
    exit_code: Option<i32>,
    exited_at_unix: Option<i64>,
}

/// How a process is driven.
#[derive(Debug)]
enum Backend {
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
    id: String,
    command: String,
    workdir: String,
    background: bool,
    chat_id: Option<String>,
    started_at_unix: i64,
    /// Start order, to break `started_at_unix` ties newest first.
    seq: u64,
    status: Mutex<Status>,
    buf: HeadTailBuffer,
    backend: Backend,
    waiters: AtomicUsize,
}

/// Counts a waiter down when its wait ends or is dropped.
struct WaiterGuard<'a>(&'a AtomicUsize);

impl Drop for WaiterGuard<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Process {
    fn status(&self) -> Status {
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
    fn finish(&self, exit_code: i32, now_unix: i64) {
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

    fn info(&self) -> ProcessInfo {
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
struct Table {
    closed: bool,
    procs: HashMap<String, Arc<Process>>,
    /// Every exec process group that may still have members.
    groups: HashSet<i32>,
    next_seq: u64,
}

#[derive(Debug, Default)]
struct Shared {
    table: Mutex<Table>,
    /// Seconds added to the wall clock (lets tests and simulations age processes).
    clock_offset: AtomicI64,
}

impl Shared {
    fn table(&self) -> MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn now_unix(&self) -> i64 {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        secs + self.clock_offset.load(Ordering::Relaxed)
    }

    /// Forgets a process group once it has no members left.
    fn prune_group(&self, pgid: i32) {
        if !exec::group_alive(pgid) {
            self.table().groups.remove(&pgid);
        }
    }
}

/// The process table of one simulator.
#[derive(Debug, Default)]
pub struct ProcessManager {
    shared: Arc<Shared>,
}

impl ProcessManager {
    /// Builds the state for a newly started simulator.
    pub fn new(_scenario: &Scenario) -> Self {
        Self::default()
    }

    /// A new scenario was put in force: the mode and scripts apply to the next starts, and
    /// processes already started keep running.
    pub fn apply_scenario(&self, _scenario: &Scenario) {}

    /// `POST /__sim/reset`: kills every process group and scripted process, forgets them all.
    pub fn reset(&self, _scenario: &Scenario) {
        let (procs, groups) = {
            let mut t = self.shared.table();
            (std::mem::take(&mut t.procs), std::mem::take(&mut t.groups))
        };
        kill_all(procs.values(), &groups);
    }

    /// The simulator is stopping: later starts fail with `manager is closed`, and every
    /// process group started gets SIGKILL, synchronously.
    pub fn shutdown(&self) {
        let (procs, groups) = {
            let mut t = self.shared.table();
            t.closed = true;
            (
                t.procs.values().cloned().collect::<Vec<_>>(),
                t.groups.clone(),
            )
        };
        kill_all(procs.iter(), &groups);
    }

    /// Moves this manager's clock forward (for tests and simulations of long runs).
    pub fn advance_clock(&self, secs: i64) {
        self.shared.clock_offset.fetch_add(secs, Ordering::Relaxed);
    }

    /// The process groups that still have members (exec mode).
    pub fn live_groups(&self) -> Vec<i32> {
        let mut t = self.shared.table();
        t.groups.retain(|g| exec::group_alive(*g));
        t.groups.iter().copied().collect()
    }

    /// Starts a process as the scenario's mode says; returns its id.
    pub async fn start(
        &self,
        scenario: &Scenario,
        req: StartRequest,
        chat_id: Option<String>,
    ) -> Result<String, StartError> {
        if self.shared.table().closed {
            return Err(StartError::Closed);
        }
        let id = uuid::Uuid::new_v4().to_string();
        match scenario.processes.mode {
            ProcessMode::Exec => {
                let workdir = env::resolve_workdir(&req.workdir, &scenario.manifest.directory);
                let envs = env::process_env(scenario, &req.env, chat_id.as_deref());
                let spawned = exec::spawn(&req.command, &workdir, &envs)?;
                let pgid = spawned.pid;
                let started = self.shared.now_unix();
                let proc = {
                    let mut t = self.shared.table();
                    if t.closed {
                        drop(t);
                        exec::kill_group(pgid, libc::SIGKILL);
                        return Err(StartError::Closed);
                    }
                    let proc = Self::new_process(
                        &mut t,
                        &id,
                        &req,
                        workdir,
                        chat_id,
                        started,
                        Backend::Exec { pgid },
                    );
                    t.groups.insert(pgid);
                    proc
                };
                tokio::spawn(exec::supervise(Arc::downgrade(&self.shared), proc, spawned));
            }
            ProcessMode::Scripted => {
                let workdir = env::scripted_workdir(&req.workdir, &scenario.manifest.directory);
                let plan = scripted::plan_for(&scenario.processes, &req.command);
                let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
                let started = self.shared.now_unix();
                let proc = {
                    let mut t = self.shared.table();
                    if t.closed {
                        return Err(StartError::Closed);
                    }
                    Self::new_process(
                        &mut t,
                        &id,
                        &req,
                        workdir,
                        chat_id,
                        started,
                        Backend::Scripted { signals: tx },
                    )
                };
                proc.buf.write(plan.initial_output.as_bytes());
                tokio::spawn(scripted::run(Arc::downgrade(&self.shared), proc, plan, rx));
            }
        }
        Ok(id)
    }

    /// Builds a running process and puts it in the table (the caller holds the lock).
    #[allow(clippy::too_many_arguments)]
    fn new_process(
        t: &mut Table,
        id: &str,
        req: &StartRequest,
        workdir: String,
        chat_id: Option<String>,
        started_at_unix: i64,
        backend: Backend,
    ) -> Arc<Process> {
        t.next_seq += 1;
        let proc = Arc::new(Process {
            id: id.to_string(),
            command: req.command.clone(),
            workdir,
            background: req.background,
            chat_id,
            started_at_unix,
            seq: t.next_seq,
            status: Mutex::new(Status {
                running: true,
                ..Status::default()
            }),
            buf: HeadTailBuffer::new(),
            backend,
            waiters: AtomicUsize::new(0),
        });
        t.procs.insert(proc.id.clone(), proc.clone());
        proc
    }

    /// The process with this id, if it has not been reaped.
    pub fn get(&self, id: &str) -> Option<Arc<Process>> {
        self.shared.table().procs.get(id).cloned()
    }

    /// `GET /list`: reap, filter by chat, running first then newest first, at most 10.
    pub fn list(&self, chat_id: Option<&str>) -> Vec<ProcessInfo> {
        let now = self.shared.now_unix();
        let mut procs: Vec<Arc<Process>> = {
            let mut t = self.shared.table();
            t.procs.retain(|_, p| {
                let st = p.status();
                st.running || st.exited_at_unix.is_none_or(|at| now - at <= REAP_AGE_SECS)
            });
            t.groups.retain(|g| exec::group_alive(*g));
            t.procs.values().cloned().collect()
        };
        if let Some(chat) = chat_id {
            procs.retain(|p| p.chat_id.as_deref() == Some(chat));
        }
        let mut infos: Vec<(u64, ProcessInfo)> = procs.iter().map(|p| (p.seq, p.info())).collect();
        infos.sort_by(|(sa, a), (sb, b)| {
            b.running
                .cmp(&a.running)
                .then(b.started_at_unix.cmp(&a.started_at_unix))
                .then(sb.cmp(sa))
        });
        infos.truncate(LIST_CAP);
        infos.into_iter().map(|(_, i)| i).collect()
    }

    /// `POST /{id}/signal` after the body checks: unknown id, not running, then delivery.
    pub fn signal(&self, id: &str, sig: Signal) -> Result<(), SignalError> {
        let proc = self.get(id).ok_or(SignalError::NotFound)?;
        if !proc.running() {
            return Err(SignalError::NotRunning);
        }
        match &proc.backend {
            Backend::Exec { pgid } => exec::signal_group(*pgid, sig.number())
                .map_err(|e| SignalError::Os(format!("{} process: {e}", sig.name()))),
            Backend::Scripted { signals } => {
                // The task is gone only once the process has exited, which the check above
                // saw as running: the same race the agent reports as `no such process`.
                signals.send(sig).map_err(|_| {
                    SignalError::Os(format!("{} process: no such process", sig.name()))
                })
            }
        }
    }
}

/// SIGKILL to every group and an immediate kill to every scripted process.
fn kill_all<'a>(procs: impl Iterator<Item = &'a Arc<Process>>, groups: &HashSet<i32>) {
    for pgid in groups {
        exec::kill_group(*pgid, libc::SIGKILL);
    }
    for p in procs {
        if let Backend::Scripted { signals } = &p.backend {
            let _ = signals.send(Signal::Kill);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signal_names_are_exact() {
        assert_eq!(Signal::parse("kill"), Some(Signal::Kill));
        assert_eq!(Signal::parse("terminate"), Some(Signal::Terminate));
        assert_eq!(Signal::parse("KILL"), None);
        assert_eq!(Signal::parse("SIGTERM"), None);
    }

    #[test]
    fn start_errors_display_as_details() {
        assert_eq!(StartError::Closed.to_string(), "manager is closed");
        assert_eq!(
            StartError::Spawn("exec: \"sh\": executable file not found in $PATH".into())
                .to_string(),
            "start process: exec: \"sh\": executable file not found in $PATH"
        );
    }
}
