//! Fleet mode: N simulated agents in one process, one listener each, every agent with its own
//! id (and, with `--vary`, its own ports, names or containers) and its own control API, the
//! route tables shared. The first agent also serves the fleet index at `/__sim/fleet`.
//!
//! Limits are checked before anything is bound: the file-descriptor soft limit is raised to
//! the hard limit, and a fleet that cannot fit (descriptors, ephemeral ports, fixed port
//! range) is refused with the numbers.

use crate::app;
use crate::scenario::{Scenario, ScenarioError};
use crate::servers::Servers;
use crate::state::AppState;
use axum::body::Bytes;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use tokio::net::TcpListener;
use uuid::Uuid;

/// File descriptors kept free besides one listener per agent (stdio, epoll, client
/// connections).
pub const FD_RESERVE: u64 = 256;

/// What differs between agents besides their id and port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Vary {
    /// Each agent's static listening ports are shifted by its index.
    Ports,
    /// Each agent also gets its own workspace id, workspace name and agent name.
    Ids,
    /// Each agent's containers and devcontainers get ids and names suffixed with its index.
    Containers,
}

impl std::str::FromStr for Vary {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "ports" => Ok(Self::Ports),
            "ids" => Ok(Self::Ids),
            "containers" => Ok(Self::Containers),
            other => Err(format!(
                "unknown --vary {other:?}: want ports, ids or containers"
            )),
        }
    }
}

/// How to start a fleet.
#[derive(Debug, Clone)]
pub struct FleetConfig {
    /// How many agents.
    pub count: usize,
    /// The scenario every agent starts from (varied per agent by `vary`).
    pub scenario: Scenario,
    /// What differs between agents besides their id and port.
    pub vary: Vec<Vary>,
    /// The address every agent listens on.
    pub ip: IpAddr,
    /// First port; agent `n` listens on `base_port + n`. `0`: free ports.
    pub base_port: u16,
}

impl FleetConfig {
    /// `count` agents on free ports of 127.0.0.1, varying only ids and ports.
    pub fn new(count: usize, scenario: Scenario) -> Self {
        Self {
            count,
            scenario,
            vary: Vec::new(),
            ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
            base_port: 0,
        }
    }
}

/// Why a fleet could not start.
#[derive(Debug, thiserror::Error)]
pub enum FleetError {
    /// `count` was 0.
    #[error("a fleet needs at least one agent")]
    Empty,
    /// Not enough file descriptors for one listener per agent.
    #[error(
        "{count} agents need {need} file descriptors (one listener each plus {FD_RESERVE}), \
         but the hard limit is {hard}; raise it (ulimit -Hn, limits.conf, systemd LimitNOFILE) \
         or ask for at most {max} agents"
    )]
    FdLimit {
        /// Agents asked for.
        count: usize,
        /// Descriptors they need.
        need: u64,
        /// The hard limit.
        hard: u64,
        /// The most agents the limit allows.
        max: u64,
    },
    /// Not enough ephemeral ports for one free port per agent.
    #[error("{count} agents on free ports need {count} ephemeral ports, but {range} gives only {available}")]
    EphemeralPorts {
        /// Agents asked for.
        count: usize,
        /// The ephemeral port range.
        range: String,
        /// How many ports it has.
        available: u64,
    },
    /// Fixed ports from `base_port` would go past 65535.
    #[error("{count} agents from port {base} would go past port 65535")]
    PortRange {
        /// Agents asked for.
        count: usize,
        /// The first port.
        base: u16,
    },
    /// The file-descriptor limit could not be read or raised.
    #[error("cannot raise the file-descriptor limit: {0}")]
    Rlimit(std::io::Error),
    /// An agent's listener could not be bound.
    #[error("agent {n}: cannot listen on {addr}: {source}")]
    Bind {
        /// The agent's index.
        n: usize,
        /// The address it asked for.
        addr: SocketAddr,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// An agent's varied scenario is invalid.
    #[error("agent {n}: {source}")]
    Scenario {
        /// The agent's index.
        n: usize,
        /// What is wrong with its scenario.
        #[source]
        source: ScenarioError,
    },
    /// The configuration is refused.
    #[error(transparent)]
    Config(#[from] crate::exposure::SimConfigError),
}

/// One running agent of a fleet.
#[derive(Debug, Clone)]
pub struct FleetAgent {
    /// The agent's index, from 0.
    pub n: usize,
    /// The agent's id (its manifest `agent_id`).
    pub agent_id: Uuid,
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its state (scenario, journal, stores).
    pub state: AppState,
}

impl FleetAgent {
    /// `http://IP:PORT` of the agent.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// A running fleet; dropping it stops every agent.
#[derive(Debug)]
pub struct Fleet {
    agents: Vec<FleetAgent>,
    servers: Servers,
}

/// `(soft, hard)` RLIMIT_NOFILE after raising the soft limit to the hard one.
#[cfg(unix)]
pub fn raise_fd_limit() -> std::io::Result<(u64, u64)> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit only read and write the struct we pass.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    if lim.rlim_cur < lim.rlim_max {
        let raised = libc::rlimit {
            rlim_cur: lim.rlim_max,
            rlim_max: lim.rlim_max,
        };
        // SAFETY: as above.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
            lim.rlim_cur = lim.rlim_max;
        }
    }
    // `rlim_t` is u64 on Linux but not everywhere.
    #[allow(clippy::unnecessary_cast)]
    Ok((lim.rlim_cur as u64, lim.rlim_max as u64))
}

#[cfg(not(unix))]
pub fn raise_fd_limit() -> std::io::Result<(u64, u64)> {
    Ok((u64::MAX, u64::MAX))
}

/// Checks that `count` agents fit under a descriptor hard limit.
pub fn check_fd_limit(count: usize, hard: u64) -> Result<(), FleetError> {
    let need = count as u64 + FD_RESERVE;
    if need > hard {
        return Err(FleetError::FdLimit {
            count,
            need,
            hard,
            max: hard.saturating_sub(FD_RESERVE),
        });
    }
    Ok(())
}

/// The kernel's ephemeral port range as text and size, when readable.
fn ephemeral_ports() -> Option<(String, u64)> {
    let (lo, size) = ephemeral_range()?;
    Some((
        format!("ip_local_port_range {lo}-{}", lo + size - 1),
        u64::from(size),
    ))
}

/// Checks every limit a fleet of `config.count` agents must fit in; raises the descriptor soft
/// limit on the way.
pub fn preflight(config: &FleetConfig) -> Result<(), FleetError> {
    let count = config.count;
    if count == 0 {
        return Err(FleetError::Empty);
    }
    if config.base_port == 0 {
        if let Some((range, available)) = ephemeral_ports() {
            if count as u64 > available {
                return Err(FleetError::EphemeralPorts {
                    count,
                    range,
                    available,
                });
            }
        }
    } else if u64::from(config.base_port) + count as u64 - 1 > 65_535 {
        return Err(FleetError::PortRange {
            count,
            base: config.base_port,
        });
    }
    crate::exposure::check_exec_exposure(
        &config.scenario,
        SocketAddr::new(config.ip, config.base_port),
        false,
    )?;
    let (_soft, hard) = raise_fd_limit().map_err(FleetError::Rlimit)?;
    check_fd_limit(count, hard)
}

/// Agent `n`'s variant of a UUID: the last 32 bits plus `n`, so agent 0 keeps the original.
pub fn nth_uuid(base: Uuid, n: usize) -> Uuid {
    let v = base.as_u128();
    let low = (v as u32).wrapping_add(n as u32);
    Uuid::from_u128((v & !0xFFFF_FFFF) | u128::from(low))
}

/// Agent `n`'s scenario.
pub fn agent_scenario(base: &Scenario, n: usize, vary: &[Vary]) -> Result<Scenario, ScenarioError> {
    let mut s = base.clone();
    s.manifest.agent_id = nth_uuid(base.manifest.agent_id, n);
    if vary.contains(&Vary::Ids) {
        s.manifest.workspace_id = nth_uuid(base.manifest.workspace_id, n);
        s.manifest.workspace_name = format!("{}-{n}", base.manifest.workspace_name);
        s.manifest.agent_name = format!("{}-{n}", base.manifest.agent_name);
    }
    if vary.contains(&Vary::Ports) {
        for p in &mut s.listening_ports.ports {
            let shifted = u64::from(p.port) + n as u64;
            // Wrap past 65535 into the unprivileged range.
            p.port = if shifted > 65_535 {
                (1024 + (shifted - 65_536) % (65_536 - 1024)) as u16
            } else {
                shifted as u16
            };
        }
    }
    if vary.contains(&Vary::Containers) {
        s = vary_containers(s, n)?;
    }
    Ok(s)
}

/// Suffixes container ids and names, and devcontainer names, with the agent's index. Done on
/// the JSON form so it follows the scenario format whatever the containers' Rust types are.
fn vary_containers(s: Scenario, n: usize) -> Result<Scenario, ScenarioError> {
    let mut v = s.to_value();
    let suffix = |obj: &mut serde_json::Value, field: &str, sep: &str| {
        if let Some(serde_json::Value::String(text)) = obj.get_mut(field) {
            text.push_str(&format!("{sep}{n}"));
        }
    };
    if let Some(dc) = v.get_mut("devcontainers") {
        if let Some(serde_json::Value::Array(list)) = dc.get_mut("containers") {
            for c in list {
                suffix(c, "id", "");
                suffix(c, "name", "-");
            }
        }
        if let Some(serde_json::Value::Array(list)) = dc.get_mut("devcontainers") {
            for d in list {
                suffix(d, "name", "-");
            }
        }
    }
    Scenario::from_value(&format!("fleet agent {n}"), v)
}

/// The fleet index body: `[{"n":0,"agent_id":"…","url":"http://…"},…]`.
fn index_json(agents: &[FleetAgent]) -> Bytes {
    #[derive(serde::Serialize)]
    struct Entry {
        n: usize,
        agent_id: Uuid,
        url: String,
    }
    let list: Vec<Entry> = agents
        .iter()
        .map(|a| Entry {
            n: a.n,
            agent_id: a.agent_id,
            url: a.url(),
        })
        .collect();
    Bytes::from(crate::gojson::to_vec(&list))
}

/// Fleets up to this size bind port 0 (the kernel's choice); larger ones pick free ports
/// themselves, because the kernel's search for a free ephemeral port gets slower with every
/// port taken (10,000 binds to port 0 take half a minute).
pub const SMALL_FLEET: usize = 64;

/// Walks the ephemeral port range from a per-process starting point, binding the next free
/// port.
struct PortCursor {
    lo: u32,
    size: u32,
    next: u32,
}

impl PortCursor {
    fn new() -> Self {
        let (lo, size) = ephemeral_range().unwrap_or((32_768, 28_232));
        let next = (std::process::id().wrapping_mul(7_919)) % size;
        Self { lo, size, next }
    }

    async fn bind_next(&mut self, ip: IpAddr, n: usize) -> Result<TcpListener, FleetError> {
        let mut last = None;
        for _ in 0..self.size {
            let port = (self.lo + self.next) as u16;
            self.next = (self.next + 1) % self.size;
            let addr = SocketAddr::new(ip, port);
            match TcpListener::bind(addr).await {
                Ok(l) => return Ok(l),
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::AddrInUse | std::io::ErrorKind::PermissionDenied
                    ) =>
                {
                    last = Some((addr, e));
                }
                Err(source) => return Err(FleetError::Bind { n, addr, source }),
            }
        }
        let (addr, source) = last.unwrap_or_else(|| {
            (
                SocketAddr::new(ip, 0),
                std::io::Error::from(std::io::ErrorKind::AddrNotAvailable),
            )
        });
        Err(FleetError::Bind { n, addr, source })
    }
}

fn ephemeral_range() -> Option<(u32, u32)> {
    let text = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").ok()?;
    let mut it = text.split_whitespace().map(|s| s.parse::<u32>().ok());
    let (lo, hi) = (it.next()??, it.next()??);
    (hi >= lo && hi <= 65_535).then_some((lo, hi - lo + 1))
}

impl Fleet {
    /// Checks the limits, binds every listener, then starts serving.
    pub async fn start(config: FleetConfig) -> Result<Fleet, FleetError> {
        preflight(&config)?;
        let mut agents = Vec::with_capacity(config.count);
        let mut listeners = Vec::with_capacity(config.count);
        let mut ports = PortCursor::new();
        for n in 0..config.count {
            let scenario = agent_scenario(&config.scenario, n, &config.vary)
                .map_err(|source| FleetError::Scenario { n, source })?;
            let listener = if config.base_port == 0 && config.count > SMALL_FLEET {
                ports.bind_next(config.ip, n).await?
            } else {
                let port = if config.base_port == 0 {
                    0
                } else {
                    config.base_port + n as u16
                };
                let addr = SocketAddr::new(config.ip, port);
                TcpListener::bind(addr)
                    .await
                    .map_err(|source| FleetError::Bind { n, addr, source })?
            };
            let addr = listener.local_addr().map_err(|source| FleetError::Bind {
                n,
                addr: SocketAddr::new(config.ip, 0),
                source,
            })?;
            let agent_id = scenario.manifest.agent_id;
            agents.push(FleetAgent {
                n,
                agent_id,
                addr,
                state: AppState::new(scenario),
            });
            listeners.push(listener);
        }
        let index = index_json(&agents);
        let mut servers = Servers::default();
        for (agent, listener) in agents.iter().zip(listeners) {
            let mut app = app::router(agent.state.clone());
            if agent.n == 0 {
                let index = index.clone();
                app = Router::new()
                    .route(
                        "/__sim/fleet",
                        get(move || {
                            let index = index.clone();
                            async move { fleet_index(index) }
                        }),
                    )
                    .fallback_service(app);
            }
            servers.spawn(listener, app);
        }
        Ok(Fleet { agents, servers })
    }

    /// The agents, in index order.
    pub fn agents(&self) -> &[FleetAgent] {
        &self.agents
    }

    /// Stops accepting, lets in-flight requests finish, stops every agent's processes.
    pub async fn shutdown(mut self) {
        self.servers.stop();
        for a in &self.agents {
            a.state.faults().shutdown();
        }
        self.servers.join().await;
        for a in &self.agents {
            a.state.shutdown();
        }
    }
}

impl Drop for Fleet {
    fn drop(&mut self) {
        self.servers.stop();
        for a in &self.agents {
            a.state.shutdown();
        }
    }
}

fn fleet_index(index: Bytes) -> Response {
    (
        [(
            http::header::CONTENT_TYPE,
            crate::response::JSON_CONTENT_TYPE,
        )],
        index,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fd_limit_failure_names_count_and_limit() {
        let e = check_fd_limit(10_000, 1024).unwrap_err().to_string();
        assert!(
            e.contains("10000 agents need 10256 file descriptors"),
            "{e}"
        );
        assert!(e.contains("hard limit is 1024"), "{e}");
        assert!(e.contains("at most 768 agents"), "{e}");
        assert!(check_fd_limit(768, 1024).is_ok());
    }

    #[test]
    fn ids_ports_and_containers_vary() {
        let base = Scenario::builtin_default();
        let a0 = agent_scenario(&base, 0, &[]).unwrap();
        assert_eq!(a0.manifest.agent_id, base.manifest.agent_id);
        let a7 = agent_scenario(&base, 7, &[Vary::Ids, Vary::Ports]).unwrap();
        assert_ne!(a7.manifest.agent_id, base.manifest.agent_id);
        assert_eq!(
            a7.manifest.agent_id.as_u128() - base.manifest.agent_id.as_u128(),
            7
        );
        assert_eq!(a7.manifest.agent_name, "main-7");
        assert_eq!(a7.listening_ports.ports[0].port, 3007);
        let mut doc = base.to_value();
        doc["devcontainers"]["containers"] = serde_json::json!([{
            "id": "abc", "name": "web"
        }]);
        let with_containers = Scenario::from_value("test", doc).unwrap();
        let c3 = agent_scenario(&with_containers, 3, &[Vary::Containers]).unwrap();
        let c3 = &c3.to_value()["devcontainers"]["containers"][0];
        assert_eq!(c3["id"], "abc3");
        assert_eq!(c3["name"], "web-3");
    }

    #[test]
    fn fixed_ports_past_65535_are_refused() {
        let mut c = FleetConfig::new(100, Scenario::builtin_default());
        c.base_port = 65_500;
        let e = preflight(&c).unwrap_err().to_string();
        assert_eq!(e, "100 agents from port 65500 would go past port 65535");
        assert!(matches!(
            preflight(&FleetConfig::new(0, Scenario::builtin_default())),
            Err(FleetError::Empty)
        ));
    }
}
