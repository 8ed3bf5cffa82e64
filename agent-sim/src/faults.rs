//! Fault injection as a tower layer: per-route latency, status, reset, hang and panic, drawn
//! from the scenario's seed.
//!
//! [`layer`] sits between the journal middleware (outside) and the Recover layer (inside).
//! For each request it asks the planner (`fault_plan`: the scenario's rules and the agent's
//! seeded draws) what to do, then waits, answers, resets, hangs or panics accordingly.
//!
//! Every faulted response carries a [`FaultTag`] naming the kinds that hit it (`latency`,
//! `status`, `latency+reset`, …). A `reset` answer carries [`CloseConnection`], so the server
//! drops the connection instead. A `panic` is raised by [`PanicPoint`], inside the Recover
//! layer. A request whose future is dropped before it answers (a `hang`, or a client that gave
//! up during a delay) is journaled by a guard with status `null`. The control API under
//! `/__sim` is never faulted.

use crate::fault_plan::{Answer, FaultTag, Plan};
use crate::gohttp::CloseConnection;
use crate::peer::PeerSocket;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use futures::future::{BoxFuture, Either};
use http::StatusCode;
use std::convert::Infallible;
use std::task::{Context, Poll};
use std::time::Instant;
use tower::{Layer, Service};

/// The fault layer for the agent router.
pub fn layer(state: AppState) -> FaultLayer {
    FaultLayer { state }
}

/// Tower layer injecting the scenario's faults; see the module docs.
#[derive(Clone)]
pub struct FaultLayer {
    state: AppState,
}

impl<S> Layer<S> for FaultLayer {
    type Service = FaultService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        FaultService {
            inner,
            state: self.state.clone(),
        }
    }
}

#[derive(Clone)]
pub struct FaultService<S> {
    inner: S,
    state: AppState,
}

impl<S> Service<Request> for FaultService<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Either<S::Future, BoxFuture<'static, Result<Response, Infallible>>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        // The common case, a scenario without fault rules, is settled without a look at it.
        if !self.state.has_fault_rules() {
            return Either::Left(self.inner.call(req));
        }
        let scenario = self.state.peek_scenario();
        let plan = self
            .state
            .faults()
            .plan(&scenario.faults, req.method(), req.uri().path());
        drop(scenario);
        if plan.kinds.is_empty() {
            return Either::Left(self.inner.call(req));
        }
        // The inner service was made ready for this call; keep that one.
        let clone = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, clone);
        Either::Right(Box::pin(run(inner, self.state.clone(), plan, req)))
    }
}

async fn run<S>(
    mut inner: S,
    state: AppState,
    plan: Plan,
    mut req: Request,
) -> Result<Response, Infallible>
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    let tag = plan.tag();
    let mut guard = Unanswered::new(&state, &req, tag.clone());
    if !plan.delay.is_zero() {
        tokio::time::sleep(plan.delay).await;
    }
    let mut resp = match plan.answer {
        Answer::Route => inner.call(req).await?,
        Answer::Status { status, body } => status_response(status, body),
        Answer::Reset => reset_response(),
        Answer::Hang => {
            tracing::debug!(fault = %tag, "hanging request");
            let mut stop = state.faults().stopped();
            let client = PeerSocket::current();
            let client_gone = async move {
                match client {
                    Some(peer) => peer.closed().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = stop.wait_for(|s| *s) => {}
                // The client gave up: end the request unanswered (journaled with status null)
                // and let the server close the connection.
                () = client_gone => return Ok(reset_response()),
            }
            reset_response()
        }
        Answer::Panic => {
            req.extensions_mut().insert(InjectPanic);
            inner.call(req).await?
        }
    };
    guard.answered();
    resp.extensions_mut().insert(FaultTag(tag));
    Ok(resp)
}

fn status_response(status: u16, body: Option<serde_json::Value>) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let resp = match body {
        None => {
            let mut r = Response::new(Body::empty());
            *r.status_mut() = code;
            r
        }
        Some(serde_json::Value::String(s)) => crate::response::sniffed(code, s),
        Some(v) => crate::response::json(code, &v),
    };
    crate::gohttp::frame(resp)
}

fn reset_response() -> Response {
    let mut resp = StatusCode::INTERNAL_SERVER_ERROR.into_response();
    resp.extensions_mut().insert(CloseConnection);
    resp
}

/// Journals a faulted request that never answered (its future was dropped: the client gave
/// up on a hang or during a delay) with status `null`.
struct Unanswered {
    state: AppState,
    started: Instant,
    entry: Option<crate::journal::Request>,
    /// The headers (a held request's body is never read).
    headers: Vec<(http::HeaderName, http::HeaderValue)>,
}

impl Unanswered {
    fn new(state: &AppState, req: &Request, fault: String) -> Self {
        Self {
            state: state.clone(),
            started: Instant::now(),
            entry: Some(crate::journal::Request {
                arrived: std::time::SystemTime::now(),
                method: req.method().clone(),
                uri: req.uri().clone(),
                status: None,
                duration_ms: 0.0,
                fault: Some(fault),
            }),
            headers: crate::capture::headers_of(req.headers()),
        }
    }

    fn answered(&mut self) {
        self.entry = None;
    }
}

impl Drop for Unanswered {
    fn drop(&mut self) {
        if let Some(mut entry) = self.entry.take() {
            entry.duration_ms = self.started.elapsed().as_secs_f64() * 1000.0;
            let capture = crate::journal::Capture {
                headers: std::mem::take(&mut self.headers),
                ..Default::default()
            };
            self.state.journal().record_captured(entry, Some(capture));
        }
    }
}

/// The payload of an injected panic, so the Recover layer can tell it from a real one.
pub const INJECTED_PANIC: &str = "fault injection: panic";

/// Request extension: [`PanicPoint`] panics on this request.
#[derive(Debug, Clone, Copy)]
pub struct InjectPanic;

/// Layer placed inside the Recover layer: panics on requests a `panic` fault marked, so the
/// agent's own recover path answers.
#[derive(Debug, Clone, Copy, Default)]
pub struct PanicPoint;

impl<S> Layer<S> for PanicPoint {
    type Service = PanicPointService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        PanicPointService { inner }
    }
}

#[derive(Debug, Clone)]
pub struct PanicPointService<S> {
    inner: S,
}

impl<S> Service<Request> for PanicPointService<S>
where
    S: Service<Request>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        if req.extensions().get::<InjectPanic>().is_some() {
            // An unwind without the panic hook: no message, no backtrace capture (which takes
            // seconds in a debug build when RUST_BACKTRACE is set); Recover answers it.
            std::panic::resume_unwind(Box::new(INJECTED_PANIC));
        }
        self.inner.call(req)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    static HOOK_CALLS: AtomicUsize = AtomicUsize::new(0);

    #[test]
    fn an_injected_panic_unwinds_without_the_panic_hook() {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if info.payload().downcast_ref::<&str>() == Some(&INJECTED_PANIC) {
                HOOK_CALLS.fetch_add(1, Ordering::SeqCst);
            }
            previous(info);
        }));
        let mut svc = PanicPointService {
            inner: tower::service_fn(|_: Request| async { Ok::<_, Infallible>(()) }),
        };
        let mut req = Request::new(axum::body::Body::empty());
        req.extensions_mut().insert(InjectPanic);
        let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            drop(svc.call(req));
        }));
        let payload = unwound.expect_err("the call unwinds");
        assert_eq!(payload.downcast_ref::<&str>(), Some(&INJECTED_PANIC));
        assert_eq!(HOOK_CALLS.load(Ordering::SeqCst), 0);
    }
}
