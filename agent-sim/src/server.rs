//! Serving a `Router` on a TCP listener the way Go's `net/http` does on the wire: HTTP/1.1,
//! header names in canonical case, a 20 s header-read timeout (one timer per connection, see
//! `header_timer`), upgrades (websockets) allowed, graceful shutdown that finishes in-flight
//! requests. A response carrying [`CloseConnection`] is never sent: the
//! connection is closed instead (the `reset` fault).

pub use crate::gohttp::CloseConnection;
use crate::header_timer::ConnTimer;
use crate::peer::PeerSocket;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use std::convert::Infallible;
use std::future::Future;
use std::time::Duration;
use tokio::net::TcpListener;
use tower::ServiceExt;

#[derive(Debug, thiserror::Error)]
#[error("connection closed by fault injection")]
struct Reset;

/// Go's `ReadHeaderTimeout` on the agent's server: a request head must arrive within this
/// long of the connection starting to wait for it, or the connection is closed.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(20);

/// How long in-flight requests get to finish after shutdown is asked for.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Serves `app` (a `Router`, or any service like it) on `listener` until `shutdown` completes.
pub async fn serve<S>(listener: TcpListener, app: S, shutdown: impl Future<Output = ()>)
where
    S: tower::Service<
            axum::extract::Request,
            Response = axum::response::Response,
            Error = Infallible,
        > + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, _peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(conn) => conn,
                Err(e) => {
                    // EMFILE and friends: back off instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let peer = PeerSocket::of(&stream);
        let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
            let app = app.clone();
            async move {
                let resp = match app.oneshot(req.map(axum::body::Body::new)).await {
                    Ok(resp) => resp,
                    Err(e) => match e {},
                };
                if resp.extensions().get::<CloseConnection>().is_some() {
                    return Err(Reset);
                }
                Ok::<_, Reset>(resp)
            }
        });
        let mut builder = Builder::new(TokioExecutor::new());
        builder
            .http1()
            .title_case_headers(true)
            .timer(ConnTimer::new())
            .header_read_timeout(HEADER_READ_TIMEOUT);
        let conn = builder
            .http1_only()
            .serve_connection_with_upgrades(TokioIo::new(stream), service)
            .into_owned();
        let conn = graceful.watch(conn);
        tokio::spawn(peer.serve(async move {
            let _ = conn.await;
        }));
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(SHUTDOWN_GRACE) => {
            tracing::warn!("in-flight requests still running after the grace period");
        }
    }
}
