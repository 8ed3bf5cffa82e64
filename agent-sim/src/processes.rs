//! The process manager behind `/api/v0/processes`: a table of processes, each with its
//! head/tail output buffer and exit state, started either for real (`exec`, [`exec`]) or from
//! the scenario's scripts (`scripted`, [`scripted`]). Both backends look the same on the wire.
//! Exited processes are reaped by the list call only; every process group started is killed on
//! `reset` and `shutdown`, so nothing outlives the simulator.

pub mod env;
pub mod exec;
pub mod headtail;
mod process;
pub mod scripted;

use process::{Backend, Shared, Status};
pub use process::{
    Process, ProcessInfo, Signal, SignalError, Snapshot, StartError, StartRequest, LIST_CAP,
    MAX_WAIT, REAP_AGE_SECS, WAIT_DELAY,
};

use crate::scenario::processes::ProcessMode;
use crate::scenario::Scenario;
use headtail::HeadTailBuffer;
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

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
                let backend = Backend::Exec { pgid };
                let proc = self
                    .register(&id, &req, workdir, chat_id, backend)
                    .inspect_err(|_| exec::kill_group(pgid, libc::SIGKILL))?;
                tokio::spawn(exec::supervise(Arc::downgrade(&self.shared), proc, spawned));
            }
            ProcessMode::Scripted => {
                let workdir = env::scripted_workdir(&req.workdir, &scenario.manifest.directory);
                let plan = scripted::plan_for(&scenario.processes, &req.command);
                let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
                let backend = Backend::Scripted { signals: tx };
                let proc = self.register(&id, &req, workdir, chat_id, backend)?;
                proc.buf.write(plan.initial_output.as_bytes());
                tokio::spawn(scripted::run(Arc::downgrade(&self.shared), proc, plan, rx));
            }
        }
        Ok(id)
    }

    /// Builds a running process and puts it in the table (an exec one's group too), unless
    /// the manager was closed meanwhile.
    fn register(
        &self,
        id: &str,
        req: &StartRequest,
        workdir: String,
        chat_id: Option<String>,
        backend: Backend,
    ) -> Result<Arc<Process>, StartError> {
        let started_at_unix = self.shared.now_unix();
        let mut t = self.shared.table();
        if t.closed {
            return Err(StartError::Closed);
        }
        if let Backend::Exec { pgid } = backend {
            t.groups.insert(pgid);
        }
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
        Ok(proc)
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
