//! The bare axum server the `instructions` bench measures agent-sim against: an axum `Router`
//! answering `GET /` and `GET /api/v0/listening-ports` with the bytes agent-sim answers for
//! the built-in default scenario, served the way `axum::serve` serves it plus the one hyper
//! option those bytes need (header names in Go's canonical case, `Content-Type` rather than
//! `content-type`). Nothing else of agent-sim: no journal, metrics, fault check, Recover,
//! routing rules or header-read timeout. A test checks that both answer the same bytes.

use crate::response::JSON_CONTENT_TYPE;
use axum::body::Body;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::ServiceExt;

/// `GET /`.
const HELLO: &str = "{\"message\":\"Hello from the agent!\"}\n";
/// `GET /api/v0/listening-ports` with the default scenario's ports.
const PORTS: &str = "{\"ports\":[{\"process_name\":\"node\",\"network\":\"tcp\",\"port\":3000}]}\n";

/// The two routes, as plain axum handlers.
pub fn router() -> Router {
    let json = |body: &'static str| ([(http::header::CONTENT_TYPE, JSON_CONTENT_TYPE)], body);
    Router::new()
        .route("/", axum::routing::get(move || async move { json(HELLO) }))
        .route(
            "/api/v0/listening-ports",
            axum::routing::get(move || async move { json(PORTS) }),
        )
}

/// Serves [`router`] on `listener` until the task is dropped.
pub async fn serve(listener: TcpListener) {
    let app = router();
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let service = app
            .clone()
            .map_request(|req: http::Request<Incoming>| req.map(Body::new));
        let service = TowerToHyperService::new(service);
        tokio::spawn(async move {
            let mut builder = Builder::new(TokioExecutor::new());
            builder.http1().title_case_headers(true);
            let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
            let _ = conn.await;
        });
    }
}
