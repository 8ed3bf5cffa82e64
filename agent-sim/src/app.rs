//! Assembles the axum `Router`s: the agent API (route table + Recover + journal/metrics), the
//! control API under `/__sim`, or both on one listener.

use crate::control;
use crate::journal::{now_rfc3339, FaultTag, JournalEntry};
use crate::router::{dispatch, recover_panic};
use crate::routes::AgentRoutes;
use crate::state::AppState;
use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use axum::Router;
use std::sync::Arc;
use std::time::Instant;
use tower_http::catch_panic::CatchPanicLayer;

/// The agent API and the control API on one router (the default single-listener setup).
pub fn router(state: AppState) -> Router {
    Router::new()
        .nest("/__sim", control::routes(state.clone()))
        .fallback_service(agent_service(state, shared_routes()))
}

/// Only the agent API: `/__sim/...` answers the agent's own 404.
pub fn agent_router(state: AppState) -> Router {
    agent_router_with(state, shared_routes())
}

/// The agent's layers (journal, faults, Recover, framing) around another route table; tests
/// use it to serve routes the agent does not have (a panicking handler).
pub fn agent_router_with(state: AppState, routes: Arc<AgentRoutes>) -> Router {
    Router::new().fallback_service(agent_service(state, routes))
}

/// The agent API as one tower stack, outermost first: journal and metrics, fault injection,
/// Recover (with the fault layer's panic point inside it), then routing. Composed once with
/// `ServiceBuilder` rather than `Router::layer`, which would wrap and box every layer again.
fn agent_service(
    state: AppState,
    routes: Arc<AgentRoutes>,
) -> impl tower::Service<
    Request,
    Response = Response,
    Error = std::convert::Infallible,
    Future = impl Send + 'static,
> + Clone
       + Send
       + Sync
       + 'static {
    let dispatch_state = state.clone();
    let service = tower::service_fn(move |req: Request| {
        let state = dispatch_state.clone();
        let routes = routes.clone();
        // Boxed here so the layers above move a pointer, not the whole routing future.
        let fut: futures::future::BoxFuture<'static, _> = Box::pin(async move {
            let scenario = state.scenario();
            Ok::<_, std::convert::Infallible>(
                dispatch(routes.for_scenario(&scenario), state, req).await,
            )
        });
        fut
    });
    tower::ServiceBuilder::new()
        .layer(RecordLayer(state.clone()))
        .layer(crate::faults::layer(state))
        .map_response(IntoResponse::into_response)
        .layer(CatchPanicLayer::custom(recover_panic))
        .layer(crate::faults::PanicPoint)
        .service(service)
}

/// The agent's route tables, built once per process and shared by every router (a fleet of
/// agents keeps one copy).
fn shared_routes() -> Arc<AgentRoutes> {
    static ROUTES: std::sync::OnceLock<Arc<AgentRoutes>> = std::sync::OnceLock::new();
    ROUTES
        .get_or_init(|| Arc::new(AgentRoutes::default()))
        .clone()
}

/// Only the control API, for `--control-listen`.
pub fn control_router(state: AppState) -> Router {
    Router::new().nest("/__sim", control::routes(state))
}

/// Journal and metrics for every agent request, as a plain tower layer (axum's `from_fn`
/// would box and clone the whole inner stack on every request).
#[derive(Clone)]
struct RecordLayer(AppState);

impl<S> tower::Layer<S> for RecordLayer {
    type Service = Record<S>;

    fn layer(&self, inner: S) -> Record<S> {
        Record {
            inner,
            state: self.0.clone(),
        }
    }
}

#[derive(Clone)]
struct Record<S> {
    inner: S,
    state: AppState,
}

impl<S> tower::Service<Request> for Record<S>
where
    S: tower::Service<Request, Response = Response, Error = std::convert::Infallible>,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = std::convert::Infallible;
    type Future = futures::future::BoxFuture<'static, Result<Response, std::convert::Infallible>>;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let started = Instant::now();
        let time = now_rfc3339();
        let method = req.method().to_string();
        let path = req.uri().path().to_string();
        let query = req.uri().query().unwrap_or_default().to_string();
        let state = self.state.clone();
        let fut = self.inner.call(req);
        Box::pin(async move {
            let resp = fut.await?;
            let status = resp.status().as_u16();
            state.metrics().observe(&method, &path, status);
            state.journal().record(JournalEntry {
                seq: 0,
                time,
                method,
                path,
                query,
                // A reset sends nothing: no status.
                status: resp
                    .extensions()
                    .get::<crate::server::CloseConnection>()
                    .is_none()
                    .then_some(status),
                duration_ms: started.elapsed().as_secs_f64() * 1000.0,
                fault: resp.extensions().get::<FaultTag>().map(|t| t.0.clone()),
            });
            Ok(resp)
        })
    }
}
