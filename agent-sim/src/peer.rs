//! Noticing that a client went away while its request is held. Go's server cancels a
//! request's context when its connection's background read sees EOF; a request held by a
//! `hang` fault must likewise end when the client closes, or its socket would sit in
//! CLOSE-WAIT until shutdown. The server runs each connection inside [`PeerSocket::serve`], so
//! [`PeerSocket::current`] names the socket of the request being served (a task-local: nothing
//! is added to the request); [`PeerSocket::closed`] resolves once the peer has shut its side.

use std::os::fd::{AsFd, BorrowedFd, OwnedFd, RawFd};
use tokio::io::unix::AsyncFd;
use tokio::io::Interest;

/// The socket a request arrived on. Valid while the request is being served (the connection
/// owns the socket and outlives the request's future).
#[derive(Debug, Clone, Copy)]
pub struct PeerSocket(RawFd);

tokio::task_local! {
    static CURRENT: PeerSocket;
}

impl PeerSocket {
    /// Runs `conn` (a connection's future) with this socket as [`PeerSocket::current`].
    pub fn serve<F: std::future::Future>(
        self,
        conn: F,
    ) -> impl std::future::Future<Output = F::Output> {
        CURRENT.scope(self, conn)
    }

    /// The socket of the connection whose request is being served, if it came through
    /// [`PeerSocket::serve`] (not for in-process `oneshot` calls).
    pub fn current() -> Option<Self> {
        CURRENT.try_with(|p| *p).ok()
    }

    /// The socket of `conn`.
    pub fn of(conn: &impl AsFd) -> Self {
        use std::os::fd::AsRawFd;
        Self(conn.as_fd().as_raw_fd())
    }

    /// Resolves when the peer has closed (or shut down writing on) the connection. Pending
    /// forever if the socket cannot be watched.
    pub async fn closed(self) {
        match self.watch() {
            Some(watch) => wait_read_closed(&watch).await,
            None => std::future::pending().await,
        }
    }

    /// A duplicate of the socket registered for readiness (the original is registered by the
    /// connection itself, and one descriptor can be registered only once).
    fn watch(self) -> Option<AsyncFd<OwnedFd>> {
        // SAFETY: the descriptor belongs to the connection serving this request, which is
        // alive for as long as the request's future is (see the type's doc).
        let fd = unsafe { BorrowedFd::borrow_raw(self.0) };
        let dup = rustix::io::fcntl_dupfd_cloexec(fd, 0).ok()?;
        // SAFETY: `dup` is a descriptor of our own, owned by the `AsyncFd` and closed only
        // when it is dropped (after deregistration).
        unsafe { AsyncFd::register_with_interest(dup, Interest::READABLE) }.ok()
    }
}

/// Waits for the read-closed readiness (EPOLLRDHUP or EPOLLHUP). Unread bytes (a pipelined
/// request) make the socket readable without closing it; those wake-ups are cleared and the
/// wait goes on, edge-triggered, until the close arrives.
async fn wait_read_closed(watch: &AsyncFd<OwnedFd>) {
    loop {
        let Ok(mut ready) = watch.readable().await else {
            return std::future::pending().await;
        };
        if ready.ready().is_read_closed() {
            return;
        }
        ready.clear_ready();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use tokio::io::AsyncWriteExt;

    #[tokio::test]
    async fn resolves_when_the_peer_closes_even_with_unread_bytes() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut client = tokio::net::TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (server, _) = listener.accept().await.unwrap();
        let peer = PeerSocket::of(&server);
        client.write_all(b"GET / HTTP/1.1\r\n\r\n").await.unwrap();
        let closed = tokio::spawn(peer.closed());
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!closed.is_finished(), "unread bytes are not a close");
        drop(client);
        tokio::time::timeout(Duration::from_secs(5), closed)
            .await
            .expect("the close is noticed")
            .unwrap();
        drop(server);
    }
}
