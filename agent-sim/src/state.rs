//! The simulator's shared state: the scenario in force (swapped atomically, so a request keeps
//! the scenario it started with), the start scenario for resets, the journal, metrics, and the
//! per-area stores (processes, files, containers).

use crate::containers::ContainerStore;
use crate::fault_plan::FaultState;
use crate::files::FileStore;
use crate::journal::Journal;
use crate::metrics::Metrics;
use crate::portscan::OsPortScanner;
use crate::processes::ProcessManager;
use crate::scenario::{Scenario, ScenarioError};
use arc_swap::ArcSwap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// One simulated agent's state, shared by its routers: the scenario in force, the request
/// journal and everything the routes keep between requests. Build one with [`AppState::new`]
/// to serve [`router`](crate::router) in your own server; a [`Sim`](crate::Sim) makes its own.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    scenario: ArcSwap<Scenario>,
    /// What the request path asks of every scenario, kept beside it so that a request
    /// needs no look at the scenario for it: whether it has fault rules, whether the
    /// containers API is enabled. Written whenever a scenario is put in force.
    has_fault_rules: AtomicBool,
    containers_enabled: AtomicBool,
    /// Held while a scenario is put in force, so that edits apply one after the other.
    edit: std::sync::Mutex<()>,
    initial: ArcSwap<Scenario>,
    journal: Journal,
    metrics: Metrics,
    port_scanner: OsPortScanner,
    magicsock_debug_logging: AtomicBool,
    processes: ProcessManager,
    files: FileStore,
    containers: ContainerStore,
    faults: FaultState,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("scenario", &self.scenario().name)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// A fresh agent serving `scenario` (not validated here: see [`Scenario::validate`]).
    pub fn new(scenario: Scenario) -> Self {
        Self::with_journal_capacity(scenario, crate::journal::DEFAULT_CAPACITY)
    }

    /// [`AppState::new`] with a journal keeping the newest `capacity` requests.
    pub fn with_journal_capacity(scenario: Scenario, capacity: usize) -> Self {
        let shared = Arc::new(scenario);
        let scenario = &*shared;
        let inner = Inner {
            processes: ProcessManager::new(scenario),
            files: FileStore::new(scenario),
            containers: ContainerStore::new(scenario),
            faults: FaultState::new(scenario),
            // One copy, shared until a new scenario is put in force.
            initial: ArcSwap::new(Arc::clone(&shared)),
            has_fault_rules: AtomicBool::new(!scenario.faults.is_empty()),
            containers_enabled: AtomicBool::new(scenario.containers_enabled()),
            scenario: ArcSwap::new(shared),
            edit: std::sync::Mutex::new(()),
            journal: Journal::with_capacity(capacity),
            metrics: Metrics::default(),
            port_scanner: OsPortScanner::default(),
            magicsock_debug_logging: AtomicBool::new(false),
        };
        Self {
            inner: Arc::new(inner),
        }
    }

    /// The scenario in force now; hold on to it for the whole request.
    pub fn scenario(&self) -> Arc<Scenario> {
        self.inner.scenario.load_full()
    }

    /// A cheap look at the scenario in force (no reference count is taken), for synchronous
    /// checks on the request path; do not hold it across an `.await`.
    pub(crate) fn peek_scenario(&self) -> arc_swap::Guard<Arc<Scenario>> {
        self.inner.scenario.load()
    }

    /// The scenario given at start (what `POST /__sim/reset` returns to).
    pub fn initial_scenario(&self) -> Arc<Scenario> {
        self.inner.initial.load_full()
    }

    fn edit_lock(&self) -> std::sync::MutexGuard<'_, ()> {
        self.inner.edit.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Puts an already validated scenario in force.
    pub fn set_scenario(&self, scenario: Scenario) {
        let _edit = self.edit_lock();
        self.apply(scenario);
    }

    /// Puts in force what `edit` makes of the scenario in force, if it succeeds. Edits (the
    /// control API's `PUT` and `PATCH`, `Sim::update_scenario`) run one at a time, so none is
    /// lost to another made at the same moment. Returns the scenario now in force.
    pub(crate) fn edit_scenario(
        &self,
        edit: impl FnOnce(&Scenario) -> Result<Scenario, ScenarioError>,
    ) -> Result<Arc<Scenario>, ScenarioError> {
        let _edit = self.edit_lock();
        let next = Arc::new(edit(&self.scenario())?);
        self.apply_shared(Arc::clone(&next));
        Ok(next)
    }

    fn apply(&self, scenario: Scenario) {
        self.apply_shared(Arc::new(scenario));
    }

    fn apply_shared(&self, scenario: Arc<Scenario>) {
        self.inner.processes.apply_scenario(&scenario);
        self.inner.files.apply_scenario(&scenario);
        self.inner.containers.apply_scenario(&scenario);
        self.inner.faults.reseed(&scenario);
        self.put_in_force(scenario);
    }

    fn put_in_force(&self, scenario: Arc<Scenario>) {
        let inner = &self.inner;
        let faults = !scenario.faults.is_empty();
        inner.has_fault_rules.store(faults, Ordering::Release);
        let containers = scenario.containers_enabled();
        inner
            .containers_enabled
            .store(containers, Ordering::Release);
        inner.scenario.store(scenario);
    }

    /// Whether the scenario in force has fault rules (no look at the scenario).
    pub(crate) fn has_fault_rules(&self) -> bool {
        self.inner.has_fault_rules.load(Ordering::Acquire)
    }

    /// Whether the scenario in force enables the containers API (no look at the scenario).
    pub(crate) fn containers_enabled(&self) -> bool {
        self.inner.containers_enabled.load(Ordering::Acquire)
    }

    /// Back to the start scenario; clears the journal, metrics, processes, files, containers.
    pub fn reset(&self) {
        let _edit = self.edit_lock();
        let initial = self.initial_scenario();
        self.inner.processes.reset(&initial);
        self.inner.files.reset(&initial);
        self.inner.containers.reset(&initial);
        self.inner.faults.reseed(&initial);
        self.put_in_force(initial);
        self.inner.journal.clear();
        self.inner.metrics.reset();
        self.inner
            .magicsock_debug_logging
            .store(false, std::sync::atomic::Ordering::Relaxed);
    }

    /// Stops everything that outlives requests (child processes, watchers).
    pub fn shutdown(&self) {
        self.inner.processes.shutdown();
        self.inner.files.shutdown();
        self.inner.containers.shutdown();
        self.inner.faults.shutdown();
    }

    #[doc(hidden)]
    pub fn journal(&self) -> &Journal {
        &self.inner.journal
    }

    pub(crate) fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    pub(crate) fn port_scanner(&self) -> &OsPortScanner {
        &self.inner.port_scanner
    }

    pub(crate) fn magicsock_debug_logging(&self) -> &AtomicBool {
        &self.inner.magicsock_debug_logging
    }

    #[doc(hidden)]
    pub fn processes(&self) -> &ProcessManager {
        &self.inner.processes
    }

    #[doc(hidden)]
    pub fn files(&self) -> &FileStore {
        &self.inner.files
    }

    #[doc(hidden)]
    pub fn containers(&self) -> &ContainerStore {
        &self.inner.containers
    }

    /// The seeded fault generator (reseeded with every scenario put in force and on reset).
    pub(crate) fn faults(&self) -> &FaultState {
        &self.inner.faults
    }
}
