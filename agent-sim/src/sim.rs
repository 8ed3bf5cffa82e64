//! The library handle: start a simulator in-process, read its URL, change its scenario, read
//! its journal. Dropping the handle shuts the server down and kills its child processes.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use agent_sim::{Scenario, Sim};
//! let sim = Sim::builder()
//!     .scenario(Scenario::from_file("fixtures/default.json")?)
//!     .start()
//!     .await?;
//! let body = reqwest::get(format!("{}/", sim.url())).await?.text().await?;
//! assert_eq!(body, "{\"message\":\"Hello from the agent!\"}\n");
//! # Ok(()) }
//! ```

use crate::app;
use crate::journal::{JournalEntry, JournalFilter};
use crate::scenario::{Scenario, ScenarioError};
use crate::server;
use crate::state::AppState;
use std::net::SocketAddr;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Why a simulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Config(#[from] crate::SimConfigError),
}

/// Builds a [`Sim`]: `Sim::builder().scenario(s).listen(addr).start().await`.
#[derive(Debug, Clone)]
pub struct SimBuilder {
    scenario: Scenario,
    listen: SocketAddr,
    control_listen: Option<SocketAddr>,
    journal_capacity: usize,
    allow_remote_exec: bool,
}

impl Default for SimBuilder {
    fn default() -> Self {
        Self {
            scenario: Scenario::builtin_default(),
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            control_listen: None,
            journal_capacity: crate::journal::DEFAULT_CAPACITY,
            allow_remote_exec: false,
        }
    }
}

impl SimBuilder {
    pub fn scenario(mut self, scenario: Scenario) -> Self {
        self.scenario = scenario;
        self
    }

    /// Agent API address (default `127.0.0.1:0`, a free port).
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// Serve the control API only on this address (then `/__sim` 404s on the agent port).
    pub fn control_listen(mut self, addr: SocketAddr) -> Self {
        self.control_listen = Some(addr);
        self
    }

    pub fn journal_capacity(mut self, n: usize) -> Self {
        self.journal_capacity = n;
        self
    }

    /// Allow `exec` process mode on a non-loopback address.
    pub fn allow_remote_exec(mut self, allow: bool) -> Self {
        self.allow_remote_exec = allow;
        self
    }

    pub async fn start(self) -> Result<Sim, StartError> {
        crate::check_exec_exposure(&self.scenario, self.listen, self.allow_remote_exec)?;
        let listener = bind(self.listen).await?;
        let control_listener = match self.control_listen {
            Some(addr) => Some(bind(addr).await?),
            None => None,
        };
        let state = AppState::with_journal_capacity(self.scenario, self.journal_capacity);
        let (tx, rx) = watch::channel(false);
        let mut tasks = Vec::new();
        let addr = listener.local_addr().map_err(|source| StartError::Bind {
            addr: self.listen,
            source,
        })?;
        let mut control_addr = None;
        let agent_app = if let Some(cl) = control_listener {
            control_addr = cl.local_addr().ok();
            tasks.push(tokio::spawn(server::serve(
                cl,
                app::control_router(state.clone()),
                wait_for(rx.clone()),
            )));
            app::agent_router(state.clone())
        } else {
            app::router(state.clone())
        };
        tasks.push(tokio::spawn(server::serve(
            listener,
            agent_app,
            wait_for(rx),
        )));
        Ok(Sim {
            addr,
            control_addr,
            state,
            shutdown: tx,
            tasks,
        })
    }
}

async fn bind(addr: SocketAddr) -> Result<TcpListener, StartError> {
    TcpListener::bind(addr)
        .await
        .map_err(|source| StartError::Bind { addr, source })
}

async fn wait_for(mut rx: watch::Receiver<bool>) {
    let _ = rx.wait_for(|stop| *stop).await;
}

/// A running simulator.
#[derive(Debug)]
pub struct Sim {
    addr: SocketAddr,
    control_addr: Option<SocketAddr>,
    state: AppState,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Sim {
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

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://IP:PORT` of the control API (the agent URL unless `control_listen` was given).
    pub fn control_url(&self) -> String {
        format!("http://{}", self.control_addr.unwrap_or(self.addr))
    }

    /// Replaces the scenario after the same validation as `PUT /__sim/scenario`.
    pub fn set_scenario(&self, scenario: Scenario) -> Result<(), ScenarioError> {
        scenario.validate("Sim::set_scenario")?;
        self.state.set_scenario(scenario);
        Ok(())
    }

    /// The request journal, oldest first.
    pub fn requests(&self) -> Vec<JournalEntry> {
        self.state.journal().entries(&JournalFilter::default())
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Stops accepting, lets in-flight requests finish, kills child processes.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        // Hung requests (the `hang` fault) would never finish: end them now.
        self.state.faults().shutdown();
        for t in std::mem::take(&mut self.tasks) {
            let _ = t.await;
        }
        self.state.shutdown();
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        self.state.shutdown();
    }
}
