//! The local tier's TCP listeners on this host: bound once per run (see
//! `Ctx::local_listeners`) so that the local cases can check which of
//! them the agent's `/api/v0/listening-ports` reports.

use std::time::Instant;
use tokio::net::TcpListener;

/// The listeners of the local tier, bound once per run, as early as the runner can (see
/// `Ctx::local_listeners`): by the time the local cases read the report, the agent's cached
/// scan is usually younger than them, so no case waits for the cache to expire.
#[derive(Debug)]
pub struct Listeners {
    /// When they were bound.
    pub bound_at: Instant,
    /// Two on 127.0.0.1, one on 0.0.0.0: must be reported.
    pub opened: Vec<(TcpListener, u64)>,
    /// Ports below 9 and the ignore set, where they could be bound: must not be reported.
    pub filtered: Vec<(TcpListener, u64)>,
    /// IPv6-only (its number reserved on IPv4 by a socket that never listens).
    pub v6: Option<(tokio::net::TcpSocket, TcpListener, u64)>,
    /// A plain listener whose presence shows the report is fresh.
    pub marker: Option<(TcpListener, u64)>,
    /// One port listened on by two IPv4 addresses (127.0.0.1 and 127.0.0.2): reported once.
    pub shared: Option<(TcpListener, TcpListener, u64)>,
}

impl Listeners {
    /// Binds every listener it can (those it cannot are left out).
    pub async fn bind() -> Self {
        let mut opened = Vec::new();
        for addr in ["127.0.0.1:0", "127.0.0.1:0", "0.0.0.0:0"] {
            opened.extend(bind(addr).await);
        }
        let mut filtered = Vec::new();
        for p in [8u16, 7, 6060, 2112, 2113] {
            filtered.extend(bind(&format!("127.0.0.1:{p}")).await);
        }
        let v6 = ipv6_only_listener();
        let marker = bind("127.0.0.1:0").await;
        let shared = shared_port().await;
        Self {
            bound_at: Instant::now(),
            opened,
            filtered,
            v6,
            marker,
            shared,
        }
    }

    /// The marker listener's port, if it could be bound.
    pub fn marker(&self) -> Vec<u64> {
        self.marker.iter().map(|(_, p)| *p).collect()
    }
}

/// Two listeners on one port number, on 127.0.0.1 and 127.0.0.2 (Linux answers the whole
/// 127/8 on loopback; elsewhere the second bind fails and the pair is left out).
async fn shared_port() -> Option<(TcpListener, TcpListener, u64)> {
    let (first, port) = bind("127.0.0.1:0").await?;
    let (second, _) = bind(&format!("127.0.0.2:{port}")).await?;
    Some((first, second, port))
}

async fn bind(addr: &str) -> Option<(TcpListener, u64)> {
    let l = TcpListener::bind(addr).await.ok()?;
    let port = u64::from(l.local_addr().ok()?.port());
    Some((l, port))
}

/// An IPv6-only listener on a port number that no IPv4 listener can take meanwhile: the
/// number is reserved by an IPv4 socket that is bound but never listens (so it is not among
/// `/proc/net/tcp`'s listeners).
fn ipv6_only_listener() -> Option<(tokio::net::TcpSocket, TcpListener, u64)> {
    let v4 = tokio::net::TcpSocket::new_v4().ok()?;
    v4.bind(std::net::SocketAddr::from((
        std::net::Ipv4Addr::LOCALHOST,
        0,
    )))
    .ok()?;
    let port = v4.local_addr().ok()?.port();
    let v6 = tokio::net::TcpSocket::new_v6().ok()?;
    v6.bind(std::net::SocketAddr::from((
        std::net::Ipv6Addr::LOCALHOST,
        port,
    )))
    .ok()?;
    let l = v6.listen(16).ok()?;
    Some((v4, l, u64::from(port)))
}
