//! Assembles the axum `Router`s: the agent API (route table + Recover + journal/metrics), the
//! control API under `/__sim`, or both on one listener.

use crate::capture::Tap;
use crate::control;
use crate::journal::FaultTag;
use crate::router::dispatch;
use crate::routes::AgentRoutes;
use crate::state::AppState;
use axum::extract::Request;
use axum::response::Response;
use axum::Router;
use futures::FutureExt;
use http::Method;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Instant, SystemTime};

/// What a [`crate::Sim`] serves on its agent port: the agent API, and the control API unless
/// it has a listener of its own. The same routes as [`router`] and [`agent_router`], but the
/// `/__sim` prefix is checked directly: an axum `Router` would match every agent request
/// against its catch-all fallback route and allocate the route's parameters.
pub(crate) fn served(state: AppState, with_control: bool) -> Served<impl AgentStack> {
    Served {
        control: with_control.then(|| control::router(state.clone())),
        agent: agent_service(state, shared_routes()),
    }
}

/// See [`served`].
#[derive(Clone)]
pub(crate) struct Served<A> {
    control: Option<Router>,
    agent: A,
}

/// Whether `path` is the control API's (what `Router::nest("/__sim", …)` captures).
fn is_control(path: &str) -> bool {
    path.strip_prefix("/__sim")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

impl<A> tower::Service<Request> for Served<A>
where
    A: tower::Service<Request, Response = Response, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    type Future =
        futures::future::Either<A::Future, axum::routing::future::RouteFuture<Infallible>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        if let Some(control) = &mut self.control {
            if tower::Service::<Request>::poll_ready(control, cx).is_pending() {
                return Poll::Pending;
            }
        }
        self.agent.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        match &mut self.control {
            Some(control) if is_control(req.uri().path()) => {
                futures::future::Either::Right(control.call(req))
            }
            _ => futures::future::Either::Left(self.agent.call(req)),
        }
    }
}

/// The agent API and the control API on one router (the default single-listener setup).
pub fn router(state: AppState) -> Router {
    control::router(state.clone()).fallback_service(agent_service(state, shared_routes()))
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

/// What the agent's tower stack is, spelled once: a cloneable, thread-safe service whose
/// future can be spawned.
pub(crate) trait AgentStack:
    tower::Service<Request, Response = Response, Error = Infallible, Future: Send + 'static>
    + Clone
    + Send
    + Sync
    + 'static
{
}

impl<T> AgentStack for T where
    T: tower::Service<Request, Response = Response, Error = Infallible, Future: Send + 'static>
        + Clone
        + Send
        + Sync
        + 'static
{
}

/// The agent API as one tower stack, outermost first: journal and metrics, fault injection,
/// Recover (with the fault layer's panic point inside it), then routing. Composed once with
/// `ServiceBuilder` rather than `Router::layer`, which would wrap and box every layer again.
/// Routing runs when the request is handed in; only the handler's own future is boxed.
fn agent_service(state: AppState, routes: Arc<AgentRoutes>) -> impl AgentStack {
    let dispatch_state = state.clone();
    let service = tower::service_fn(move |req: Request| {
        let table = routes.for_containers(dispatch_state.containers_enabled());
        dispatch(table, dispatch_state.clone(), req).map(Ok::<_, Infallible>)
    });
    tower::ServiceBuilder::new()
        .layer(tower::layer::layer_fn({
            let state = state.clone();
            move |inner| Record {
                inner,
                state: state.clone(),
            }
        }))
        .layer(crate::faults::layer(state.clone()))
        .layer(tower::layer::layer_fn(move |inner| {
            crate::recover::Recover::new(inner, state.clone())
        }))
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
    control::router(state)
}

/// Journal and metrics for every agent request, as a plain tower service (axum's `from_fn`
/// would box and clone the whole inner stack on every request).
#[derive(Clone)]
struct Record<S> {
    inner: S,
    state: AppState,
}

impl<S> tower::Service<Request> for Record<S>
where
    S: tower::Service<Request, Response = Response, Error = Infallible>,
    S::Future: Unpin,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Recorded<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request) -> Self::Future {
        let started = Instant::now();
        let arrived = SystemTime::now();
        let method = req.method().clone();
        let uri = req.uri().clone();
        let tap = crate::capture::tap(&mut req, self.state.journal().body_limit());
        Recorded {
            inner: self.inner.call(req),
            state: self.state.clone(),
            request: Some((started, arrived, method, uri, tap)),
        }
    }
}

/// The future of [`Record`]: the inner answer, then the journal entry and the metrics hit.
/// The inner future is `Unpin` (the stack below boxes the handler), so no pin projection.
pub(crate) struct Recorded<F> {
    inner: F,
    state: AppState,
    /// Taken when the answer is recorded.
    request: Option<(Instant, SystemTime, Method, http::Uri, Tap)>,
}

impl<F> Future for Recorded<F>
where
    F: Future<Output = Result<Response, Infallible>> + Unpin,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let resp = match Pin::new(&mut this.inner).poll(cx) {
            Poll::Ready(Ok(resp)) => resp,
            Poll::Ready(Err(e)) => match e {},
            Poll::Pending => return Poll::Pending,
        };
        if let Some((started, arrived, method, uri, tap)) = this.request.take() {
            let status = resp.status().as_u16();
            // As the agent's Logger middleware does, at debug level.
            tracing::debug!(method = %method, path = %uri.path(), status, "request");
            this.state.metrics().observe(&method, uri.path(), status);
            let request = crate::journal::Request {
                arrived,
                method,
                uri,
                // A reset sends nothing: no status.
                status: resp
                    .extensions()
                    .get::<crate::server::CloseConnection>()
                    .is_none()
                    .then_some(status),
                duration_ms: started.elapsed().as_secs_f64() * 1000.0,
                fault: resp.extensions().get::<FaultTag>().map(|t| t.0.clone()),
            };
            this.state
                .journal()
                .record_captured(request, Some(tap.finish()));
        }
        Poll::Ready(Ok(resp))
    }
}
