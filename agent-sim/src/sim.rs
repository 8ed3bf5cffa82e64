//! The library handle: start a simulator in-process, read its URL, change its scenario (whole,
//! in place, or for a scope), read what it received and verify expectations. Dropping the
//! handle shuts the server down, kills its child processes and checks the expectations.

use crate::app;
use crate::journal::{JournalEntry, JournalFilter, ReceivedRequest};
use crate::scenario::{Scenario, ScenarioError};
use crate::servers::Servers;
use crate::state::AppState;
use crate::verify::{Expectation, VerificationError};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;

/// Why a simulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// An address could not be bound (or a given listener could not be used).
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// The scenario is invalid (the same checks as `PUT /__sim/scenario`).
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// The configuration is refused (`exec` processes on a non-loopback address).
    #[error(transparent)]
    Config(#[from] crate::exposure::SimConfigError),
}

/// Builds a [`Sim`]: `Sim::builder().scenario(s).start().await`. By default the simulator
/// serves the built-in default scenario, the agent API and the control API on one free port
/// of 127.0.0.1.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use agent_sim::{Scenario, Sim};
/// let sim = Sim::builder()
///     .scenario(Scenario::fixture("sub-agent")?)
///     .journal_capacity(100)
///     .start()
///     .await?;
/// // A sub-agent has no containers API: the route answers 403.
/// let status = reqwest::get(format!("{}/api/v0/containers", sim.url())).await?.status();
/// assert_eq!(status, 403);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct SimBuilder {
    scenario: Scenario,
    listen: SocketAddr,
    listener: Option<std::net::TcpListener>,
    control_listen: Option<SocketAddr>,
    journal_capacity: usize,
    body_limit: usize,
    allow_remote_exec: bool,
}

impl Default for SimBuilder {
    fn default() -> Self {
        Self {
            scenario: Scenario::builtin_default(),
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            listener: None,
            control_listen: None,
            journal_capacity: crate::journal::DEFAULT_CAPACITY,
            body_limit: crate::journal::DEFAULT_BODY_LIMIT,
            allow_remote_exec: false,
        }
    }
}

impl SimBuilder {
    /// The scenario to serve (default: the built-in default scenario); validated by
    /// [`start`](Self::start).
    pub fn scenario(mut self, scenario: Scenario) -> Self {
        self.scenario = scenario;
        self
    }

    /// Agent API address (default `127.0.0.1:0`, a free port).
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// Serve the agent API on a listener the caller already bound (instead of
    /// [`listen`](Self::listen)), e.g. to know the port before the simulator starts.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    /// let addr = listener.local_addr()?;
    /// let sim = agent_sim::Sim::builder().listener(listener).start().await?;
    /// assert_eq!(sim.addr(), addr);
    /// # Ok(()) }
    /// ```
    pub fn listener(mut self, listener: std::net::TcpListener) -> Self {
        self.listener = Some(listener);
        self
    }

    /// Serve the control API only on this address (then `/__sim` 404s on the agent port).
    pub fn control_listen(mut self, addr: SocketAddr) -> Self {
        self.control_listen = Some(addr);
        self
    }

    /// How many requests the journal keeps, newest last (default 10 000).
    pub fn journal_capacity(mut self, n: usize) -> Self {
        self.journal_capacity = n;
        self
    }

    /// How many bytes of each request body the journal keeps for
    /// [`Sim::received_requests`] (default 16 KiB; 0 keeps none).
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// Allow `exec` process mode on a non-loopback address.
    pub fn allow_remote_exec(mut self, allow: bool) -> Self {
        self.allow_remote_exec = allow;
        self
    }

    /// Validates the scenario, binds, and starts serving. Must be called inside a Tokio
    /// runtime; the server runs on it until the [`Sim`] is dropped or shut down.
    pub async fn start(self) -> Result<Sim, StartError> {
        self.scenario.validate("SimBuilder::start")?;
        // Refused before anything is bound: the address asked for, or the given listener's.
        let exposed = match &self.listener {
            Some(l) => l.local_addr().unwrap_or(self.listen),
            None => self.listen,
        };
        crate::exposure::check_exec_exposure(&self.scenario, exposed, self.allow_remote_exec)?;
        let listener = match self.listener {
            Some(l) => from_std(l)?,
            None => bind(self.listen).await?,
        };
        let addr = listener.local_addr().map_err(|source| StartError::Bind {
            addr: self.listen,
            source,
        })?;
        let control_listener = match self.control_listen {
            Some(addr) => Some(bind(addr).await?),
            None => None,
        };
        let state = AppState::with_journal_capacity(self.scenario, self.journal_capacity);
        state.journal().set_body_limit(self.body_limit);
        let mut servers = Servers::default();
        let mut control_addr = None;
        let agent_app = if let Some(cl) = control_listener {
            control_addr = cl.local_addr().ok();
            servers.spawn(cl, app::control_router(state.clone()));
            app::served(state.clone(), false)
        } else {
            app::served(state.clone(), true)
        };
        servers.spawn(listener, agent_app);
        Ok(Sim {
            addr,
            control_addr,
            state,
            servers,
        })
    }
}

async fn bind(addr: SocketAddr) -> Result<TcpListener, StartError> {
    TcpListener::bind(addr)
        .await
        .map_err(|source| StartError::Bind { addr, source })
}

/// A caller's listener, made non-blocking and handed to Tokio.
fn from_std(listener: std::net::TcpListener) -> Result<TcpListener, StartError> {
    let addr = listener
        .local_addr()
        .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
    let fail = |source| StartError::Bind { addr, source };
    listener.set_nonblocking(true).map_err(fail)?;
    TcpListener::from_std(listener).map_err(fail)
}

/// A running simulator: the agent API (and its control API under `/__sim/`) on a loopback
/// port, answering from a [`Scenario`] as the real agent would.
///
/// Like wiremock-rs's `MockServer`: start one per test, point the code under test at
/// [`url`](Self::url), then look at [`received_requests`](Self::received_requests) or register
/// [`expect`](Self::expect)ations, which are checked by [`verify`](Self::verify) and when the
/// `Sim` is dropped.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use agent_sim::Sim;
/// let sim = Sim::builder().start().await?;
/// sim.expect("GET /api/v0/listening-ports").times(1);
///
/// let body = reqwest::get(format!("{}/api/v0/listening-ports", sim.url()))
///     .await?
///     .text()
///     .await?;
/// assert!(body.starts_with("{\"ports\":["), "{body}");
///
/// let received = sim.received_requests().await;
/// assert_eq!(received[0].path, "/api/v0/listening-ports");
/// assert_eq!(received[0].status, Some(200));
/// sim.verify().await;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Sim {
    addr: SocketAddr,
    control_addr: Option<SocketAddr>,
    state: AppState,
    servers: Servers,
}

impl Sim {
    /// A [`SimBuilder`] with the defaults.
    pub fn builder() -> SimBuilder {
        SimBuilder::default()
    }

    /// Starts a simulator on a free loopback port with `scenario`.
    pub async fn start(scenario: Scenario) -> Result<Sim, StartError> {
        Self::builder().scenario(scenario).start().await
    }

    /// `http://IP:PORT` of the agent API.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The agent API's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://IP:PORT` of the control API (the agent URL unless `control_listen` was given).
    pub fn control_url(&self) -> String {
        format!("http://{}", self.control_addr.unwrap_or(self.addr))
    }

    /// The scenario in force now.
    pub fn scenario(&self) -> Arc<Scenario> {
        self.state.scenario()
    }

    /// Replaces the scenario after the same validation as `PUT /__sim/scenario`.
    pub fn set_scenario(&self, scenario: Scenario) -> Result<(), ScenarioError> {
        scenario.validate("Sim::set_scenario")?;
        self.state.edit_scenario(|_| Ok(scenario)).map(|_| ())
    }

    /// Edits the scenario in force in place: `edit` changes a copy, which is validated and
    /// put in force in one step, as `PATCH /__sim/scenario` does (concurrent edits apply one
    /// after the other). An invalid result changes nothing and is returned as the error.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use agent_sim::{FaultRule, Sim};
    /// let sim = Sim::builder().start().await?;
    /// sim.update_scenario(|s| {
    ///     s.manifest.agent_name = "builder".into();
    ///     s.faults.push(FaultRule::status("GET /api/v0/netcheck", 503, "down\n"));
    /// })
    /// .await?;
    /// let resp = reqwest::get(format!("{}/api/v0/netcheck", sim.url())).await?;
    /// assert_eq!(resp.status(), 503);
    ///
    /// // A rule that can never match is refused, and nothing changes.
    /// let err = sim
    ///     .update_scenario(|s| s.faults = vec![FaultRule::reset("GET /api/v0/netchek")])
    ///     .await
    ///     .unwrap_err();
    /// assert_eq!(err.path(), "faults[0].route");
    /// assert_eq!(sim.scenario().faults.len(), 1);
    /// # Ok(()) }
    /// ```
    pub async fn update_scenario(
        &self,
        edit: impl FnOnce(&mut Scenario),
    ) -> Result<(), ScenarioError> {
        self.state
            .edit_scenario(|current| edited(current, "Sim::update_scenario", edit))
            .map(|_| ())
    }

    /// Like [`update_scenario`](Self::update_scenario), for a scope: the returned guard puts
    /// the scenario that was in force before back when it is dropped (as
    /// [`set_scenario`](Self::set_scenario) would, whatever was changed in between).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use agent_sim::{FaultRule, Sim};
    /// let sim = Sim::builder().start().await?;
    /// {
    ///     let _down = sim
    ///         .scoped_scenario(|s| s.faults.push(FaultRule::reset("* /*")))
    ///         .await?;
    ///     assert!(reqwest::get(sim.url()).await.is_err());
    /// }
    /// assert_eq!(reqwest::get(sim.url()).await?.status(), 200);
    /// # Ok(()) }
    /// ```
    pub async fn scoped_scenario(
        &self,
        edit: impl FnOnce(&mut Scenario),
    ) -> Result<ScopedScenario, ScenarioError> {
        let mut previous = None;
        self.state.edit_scenario(|current| {
            let next = edited(current, "Sim::scoped_scenario", edit)?;
            previous = Some(current.clone());
            Ok(next)
        })?;
        Ok(ScopedScenario {
            state: self.state.clone(),
            previous,
        })
    }

    /// The request journal, oldest first, as `GET /__sim/requests` serves it.
    pub fn requests(&self) -> Vec<JournalEntry> {
        self.state.journal().entries(&JournalFilter::default())
    }

    /// The requests the journal holds, oldest first, with their headers and bodies (each body
    /// up to [`SimBuilder::body_limit`]; the journal keeps the newest
    /// [`SimBuilder::journal_capacity`] requests).
    pub async fn received_requests(&self) -> Vec<ReceivedRequest> {
        self.state.journal().received()
    }

    /// Registers an expectation on the requests matching `route`, a `"METHOD /pattern"` as
    /// fault rules take (`"POST /api/v0/processes/start"`, `"GET /api/v0/processes/{id}/output"`,
    /// `"* /api/v0/*"`), counted from now on. It expects at least one call until
    /// [`Expectation::times`], [`Expectation::at_least`], [`Expectation::at_most`] or
    /// [`Expectation::never`] says otherwise. [`verify`](Self::verify) checks every
    /// expectation, and so does dropping the `Sim` (unless the thread is already panicking).
    ///
    /// # Panics
    ///
    /// If `route` is not a valid pattern or matches none of the agent's routes (a typo must
    /// not make an expectation that is trivially met); [`try_expect`](Self::try_expect)
    /// returns the error instead.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use agent_sim::Sim;
    /// let sim = Sim::builder().start().await?;
    /// sim.expect("POST /api/v0/processes/start").times(1);
    /// sim.expect("POST /api/v0/processes/{id}/signal").never();
    /// let resp = reqwest::Client::new()
    ///     .post(format!("{}/api/v0/processes/start", sim.url()))
    ///     .json(&serde_json::json!({ "command": "echo hi" }))
    ///     .send()
    ///     .await?;
    /// assert_eq!(resp.status(), 200);
    /// sim.verify().await;
    /// # Ok(()) }
    /// ```
    pub fn expect(&self, route: &str) -> Expectation {
        match self.try_expect(route) {
            Ok(e) => e,
            Err(e) => panic!("Sim::expect({route:?}): {e}"),
        }
    }

    /// [`expect`](Self::expect), returning an invalid route's error instead of panicking.
    pub fn try_expect(&self, route: &str) -> Result<Expectation, ScenarioError> {
        let journal = self.state.journal();
        journal
            .expectations()
            .register(route, journal.next_seq())
            .map_err(|e| ScenarioError::invalid("Sim::expect", "route", e.to_string()))
    }

    /// Checks every expectation registered with [`expect`](Self::expect).
    ///
    /// # Panics
    ///
    /// If one is not met, with a message naming each unmet expectation and listing the
    /// matching requests the journal still holds.
    pub async fn verify(&self) {
        if let Err(e) = self.try_verify().await {
            panic!("{e}");
        }
    }

    /// [`verify`](Self::verify), returning the failure instead of panicking.
    pub async fn try_verify(&self) -> Result<(), VerificationError> {
        self.check_expectations()
    }

    fn check_expectations(&self) -> Result<(), VerificationError> {
        let journal = self.state.journal();
        journal
            .expectations()
            .check(&journal.received(), |r| (r.seq, &r.method, &r.path))
    }

    /// The simulator's state, to serve the same agent through [`router`](crate::router) too.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Stops accepting, lets in-flight requests finish, kills child processes; then checks
    /// the expectations as dropping does.
    pub async fn shutdown(mut self) {
        self.servers.stop();
        // Hung requests (the `hang` fault) would never finish: end them now.
        self.state.faults().shutdown();
        self.servers.join().await;
        self.state.shutdown();
    }
}

/// A copy of `current` changed by `edit`, validated.
fn edited(
    current: &Scenario,
    origin: &str,
    edit: impl FnOnce(&mut Scenario),
) -> Result<Scenario, ScenarioError> {
    let mut next = current.clone();
    edit(&mut next);
    next.validate(origin)?;
    Ok(next)
}

impl Drop for Sim {
    fn drop(&mut self) {
        self.servers.stop();
        self.state.shutdown();
        if std::thread::panicking() {
            return;
        }
        if let Err(e) = self.check_expectations() {
            panic!("{e}");
        }
    }
}

/// The guard [`Sim::scoped_scenario`] returns: while it lives, the edited scenario is in
/// force; dropping it puts the previous one back.
#[derive(Debug)]
#[must_use = "the previous scenario is put back as soon as the guard is dropped"]
pub struct ScopedScenario {
    state: AppState,
    previous: Option<Scenario>,
}

impl Drop for ScopedScenario {
    fn drop(&mut self) {
        if let Some(previous) = self.previous.take() {
            self.state.set_scenario(previous);
        }
    }
}
