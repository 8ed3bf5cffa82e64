//! The Dev Containers state behind /api/v0/containers: containers and devcontainers as data
//! ([`state`]), the recreate and delete operations run on a simulated clock, and the broadcast
//! that watch sockets ([`watch`]) follow. Every task this store starts ends when its work is
//! done, when the data it works on is replaced, or at [`ContainerStore::shutdown`].

pub mod names;
pub mod state;
pub mod watch;
pub mod wire;

use crate::gotime::GoTime;
use crate::scenario::containers::DevcontainersConfig;
use crate::scenario::Scenario;
use state::{DeletePlan, RecreatePlan, Refusal, State, StepFailure};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use wire::ListResponse;

/// How a delete ended, when it did not end with 204.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeleteError {
    Refused(Refusal),
    Failed(StepFailure),
    /// The simulator shut down while the delete ran.
    Closed,
}

/// The containers API's state, shared by the handlers, the operations and the watchers.
#[derive(Clone)]
pub struct ContainerStore {
    shared: Arc<Shared>,
}

struct Shared {
    state: Mutex<State>,
    /// The scenario section in force, to tell what a new scenario changes.
    config: Mutex<DevcontainersConfig>,
    /// Bumped on every broadcast; each watcher holds one receiver (a buffer of one, coalesced).
    updates: tokio::sync::watch::Sender<u64>,
    /// Cancelled by `shutdown`: every task ends.
    shutdown: CancellationToken,
    /// Cancelled when the data is replaced: pending recreates of the old data end.
    epoch_token: Mutex<CancellationToken>,
    live_tasks: AtomicUsize,
    /// When the simulated first refresh is done (`initialUpdateDone`).
    ready_at: Mutex<tokio::time::Instant>,
}

impl std::fmt::Debug for ContainerStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContainerStore")
            .field("live_tasks", &self.live_tasks())
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Counts a running task for as long as it lives.
pub struct TaskGuard(Arc<Shared>);

impl Drop for TaskGuard {
    fn drop(&mut self) {
        self.0.live_tasks.fetch_sub(1, Ordering::SeqCst);
    }
}

impl ContainerStore {
    /// Builds the state for a newly started simulator.
    pub fn new(scenario: &Scenario) -> Self {
        let shutdown = CancellationToken::new();
        let (updates, _) = tokio::sync::watch::channel(0);
        Self {
            shared: Arc::new(Shared {
                state: Mutex::new(State::load(&scenario.devcontainers, 0)),
                config: Mutex::new(scenario.devcontainers.clone()),
                updates,
                epoch_token: Mutex::new(shutdown.child_token()),
                shutdown,
                live_tasks: AtomicUsize::new(0),
                ready_at: Mutex::new(ready_at(&scenario.devcontainers)),
            }),
        }
    }

    /// A new scenario was put in force (PUT/PATCH, `Sim::set_scenario`). New devcontainers
    /// replace the old ones (operations in flight on them are dropped); a new lister answer
    /// (containers, warnings, error) is taken like one of the agent's refreshes; new timings
    /// and failures apply to the next operations. Watchers hear of it when the devcontainers
    /// changed (the agent's `Equals` rule).
    pub fn apply_scenario(&self, scenario: &Scenario) {
        let new = &scenario.devcontainers;
        let old = std::mem::replace(&mut *lock(&self.shared.config), new.clone());
        if old.devcontainers != new.devcontainers {
            self.reload(new, false);
            return;
        }
        let mut st = lock(&self.shared.state);
        let before = st.devcontainer_view();
        if old.containers != new.containers
            || old.warnings != new.warnings
            || old.list_error != new.list_error
        {
            st.refresh(new);
        }
        if old.timings != new.timings || old.failures != new.failures {
            st.set_settings(new);
        }
        let changed = !same_devcontainers(&before, &st.devcontainer_view());
        drop(st);
        if changed {
            self.broadcast();
        }
    }

    /// `POST /__sim/reset`: back to the start scenario, forgetting run-time state.
    pub fn reset(&self, scenario: &Scenario) {
        *lock(&self.shared.config) = scenario.devcontainers.clone();
        *lock(&self.shared.ready_at) = ready_at(&scenario.devcontainers);
        self.reload(&scenario.devcontainers, true);
    }

    fn reload(&self, cfg: &DevcontainersConfig, always_broadcast: bool) {
        let fresh_token = self.shared.shutdown.child_token();
        std::mem::replace(&mut *lock(&self.shared.epoch_token), fresh_token).cancel();
        let mut st = lock(&self.shared.state);
        let before = st.devcontainer_view();
        *st = State::load(cfg, st.epoch + 1);
        let changed = !same_devcontainers(&before, &st.devcontainer_view());
        drop(st);
        if changed || always_broadcast {
            self.broadcast();
        }
    }

    /// The simulator is shutting down (signal, drop of the handle): operations and watch
    /// sockets end, and requests get 503 "API closed".
    pub fn shutdown(&self) {
        self.shared.shutdown.cancel();
    }

    pub fn is_closed(&self) -> bool {
        self.shared.shutdown.is_cancelled()
    }

    /// A token cancelled at shutdown.
    pub fn closed(&self) -> CancellationToken {
        self.shared.shutdown.clone()
    }

    /// `ensureInitialUpdateDoneMW`: waits for the first refresh; false when the API closed
    /// first (503 "API closed").
    pub async fn ready(&self) -> bool {
        let at = *lock(&self.shared.ready_at);
        let closed = self.closed();
        if closed.is_cancelled() {
            return false;
        }
        tokio::select! {
            () = closed.cancelled() => false,
            () = tokio::time::sleep_until(at) => true,
        }
    }

    /// How often a watch socket pings (`devcontainers.timings.ping_ms` in force; validation
    /// refuses 0, and the floor of 1 ms keeps a zero period, which `tokio::time::interval`
    /// panics on, out whatever path the scenario took).
    pub fn ping_interval(&self) -> Duration {
        Duration::from_millis(lock(&self.shared.config).timings.ping_ms.max(1))
    }

    /// Tasks (operations and watch sockets) alive now.
    pub fn live_tasks(&self) -> usize {
        self.shared.live_tasks.load(Ordering::SeqCst)
    }

    pub fn task_guard(&self) -> TaskGuard {
        self.shared.live_tasks.fetch_add(1, Ordering::SeqCst);
        TaskGuard(self.shared.clone())
    }

    /// `getContainers`: the list, or the lister's error text.
    pub fn snapshot(&self) -> Result<ListResponse, String> {
        lock(&self.shared.state).snapshot()
    }

    /// A copy of the state, for inspection.
    pub fn state(&self) -> State {
        lock(&self.shared.state).clone()
    }

    /// Follows broadcasts: `changed()` fires after each one (several coalesce into one).
    pub fn subscribe(&self) -> tokio::sync::watch::Receiver<u64> {
        self.shared.updates.subscribe()
    }

    /// `broadcastUpdatesLocked`: a non-blocking notify of every watcher.
    pub fn broadcast(&self) {
        self.shared.updates.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Starts a recreate: checks and `starting` now, the outcome after the simulated time.
    pub fn recreate(&self, id: &str) -> Result<RecreatePlan, Refusal> {
        let plan = lock(&self.shared.state).begin_recreate(id)?;
        self.broadcast();
        let token = lock(&self.shared.epoch_token).clone();
        let store = self.clone();
        let guard = self.task_guard();
        let task_plan = plan.clone();
        tokio::spawn(async move {
            let _guard = guard;
            if !sleep_unless(&token, task_plan.delay).await {
                return;
            }
            let changed = lock(&store.shared.state).finish_recreate(&task_plan, GoTime::now());
            if changed {
                store.broadcast();
            }
        });
        Ok(plan)
    }

    /// Runs a delete to its end (the agent's handler is synchronous). The steps run in their
    /// own task, so a client that goes away does not leave the devcontainer half-deleted.
    pub async fn delete(&self, id: &str) -> Result<(), DeleteError> {
        let plan = lock(&self.shared.state)
            .begin_delete(id)
            .map_err(DeleteError::Refused)?;
        self.broadcast();
        let (tx, rx) = tokio::sync::oneshot::channel();
        let store = self.clone();
        let guard = self.task_guard();
        tokio::spawn(async move {
            let _guard = guard;
            let result = store.run_delete(&plan).await;
            let _ = tx.send(result);
        });
        rx.await.unwrap_or(Err(DeleteError::Closed))
    }

    async fn run_delete(&self, plan: &DeletePlan) -> Result<(), DeleteError> {
        let closed = self.closed();
        if !sleep_unless(&closed, plan.stop_delay).await {
            return Err(DeleteError::Closed);
        }
        let step = lock(&self.shared.state).delete_stopped(plan);
        self.broadcast();
        step.map_err(DeleteError::Failed)?;
        if !sleep_unless(&closed, plan.remove_delay).await {
            return Err(DeleteError::Closed);
        }
        let step = lock(&self.shared.state).delete_removed(plan);
        self.broadcast();
        step.map_err(DeleteError::Failed)
    }
}

fn ready_at(cfg: &DevcontainersConfig) -> tokio::time::Instant {
    tokio::time::Instant::now() + Duration::from_millis(cfg.ready_after_ms)
}

/// Sleeps `d` unless `token` is cancelled first; true when the time ran out.
async fn sleep_unless(token: &CancellationToken, d: Duration) -> bool {
    if token.is_cancelled() {
        return false;
    }
    if d.is_zero() {
        return true;
    }
    tokio::select! {
        () = token.cancelled() => false,
        () = tokio::time::sleep(d) => true,
    }
}

/// `maps.EqualFunc(..., Equals)` over two folder-sorted views.
fn same_devcontainers(a: &[wire::Devcontainer], b: &[wire::Devcontainer]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.workspace_folder == y.workspace_folder && x.equals(y))
}
