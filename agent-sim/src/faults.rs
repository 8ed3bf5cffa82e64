//! Fault injection as a tower layer: per-route latency, status, reset, hang and panic, drawn
//! from the scenario's seed.
//!
//! [`layer`] sits between the journal middleware (outside) and the Recover layer (inside).
//! For each request it walks the scenario's `faults` in order; every rule whose route matches
//! takes one draw from the agent's seeded generator ([`FaultState`]), and fires when the draw
//! is below its probability. Latency rules add their delay and let later rules apply; the
//! first other rule that fires decides the answer. The generator is reseeded whenever a
//! scenario is put in force or the simulator is reset, so the same requests in the same order
//! meet the same faults.
//!
//! Every faulted response carries a [`FaultTag`] naming the kinds that hit it (`latency`,
//! `status`, `latency+reset`, …). A `reset` answer carries [`CloseConnection`], so the server
//! drops the connection instead. A `panic` is raised by [`PanicPoint`], inside the Recover
//! layer. A request whose future is dropped before it answers (a `hang`, or a client that gave
//! up during a delay) is journaled by a guard with status `null`. The control API under
//! `/__sim` is never faulted.

use crate::journal::FaultTag;
use crate::peer::PeerSocket;
use crate::scenario::faults::FaultKind;
use crate::scenario::{FaultRule, Scenario};
use crate::server::CloseConnection;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use futures::future::{BoxFuture, Either};
use http::StatusCode;
use std::convert::Infallible;
use std::sync::Mutex;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tower::{Layer, Service};

/// SplitMix64: a tiny, fully specified generator, so a seed replays the same draws on every
/// build and platform.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

/// Per-agent fault state: the seeded generator and the signal that ends hung requests.
#[derive(Debug)]
pub struct FaultState {
    rng: Mutex<SplitMix64>,
    stop: watch::Sender<bool>,
}

impl FaultState {
    pub fn new(scenario: &Scenario) -> Self {
        Self {
            rng: Mutex::new(SplitMix64::new(scenario.seed)),
            stop: watch::Sender::new(false),
        }
    }

    /// Restarts the draws from `scenario.seed` (a scenario put in force, or a reset).
    pub fn reseed(&self, scenario: &Scenario) {
        *self.lock() = SplitMix64::new(scenario.seed);
    }

    /// Ends every hung request (their connections are closed) and any that hang later.
    pub fn shutdown(&self) {
        self.stop.send_replace(true);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SplitMix64> {
        self.rng.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Decides what the scenario's rules do to one request.
    pub fn plan(&self, rules: &[FaultRule], method: &http::Method, path: &str) -> Plan {
        let mut plan = Plan::default();
        let mut rng = None;
        for rule in rules {
            if !rule.route.matches(method, path) {
                continue;
            }
            let rng = rng.get_or_insert_with(|| self.lock());
            if rng.next_f64() >= rule.probability {
                continue;
            }
            plan.kinds.push(rule.kind);
            match rule.kind {
                FaultKind::Latency => {
                    let ms = rule.latency_ms(rng.next_u64());
                    plan.delay += Duration::from_millis(ms);
                }
                FaultKind::Status => {
                    plan.answer = Answer::Status {
                        status: rule.status.unwrap_or(500),
                        body: rule.body.clone(),
                    };
                    break;
                }
                FaultKind::Reset => {
                    plan.answer = Answer::Reset;
                    break;
                }
                FaultKind::Hang => {
                    plan.answer = Answer::Hang;
                    break;
                }
                FaultKind::Panic => {
                    plan.answer = Answer::Panic;
                    break;
                }
            }
        }
        plan
    }
}

/// What happens to one request.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Plan {
    /// The kinds of the rules that fired, in order.
    pub kinds: Vec<FaultKind>,
    /// Total delay before answering.
    pub delay: Duration,
    pub answer: Answer,
}

/// How a faulted request is answered after its delay.
#[derive(Debug, Default, Clone, PartialEq)]
pub enum Answer {
    /// By the route, as usual.
    #[default]
    Route,
    Status {
        status: u16,
        body: Option<serde_json::Value>,
    },
    Reset,
    Hang,
    Panic,
}

impl Plan {
    /// The journal's name for it: the kinds joined with `+`.
    pub fn tag(&self) -> String {
        self.kinds
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join("+")
    }
}

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
        let scenario = self.state.peek_scenario();
        if scenario.faults.is_empty() {
            return Either::Left(self.inner.call(req));
        }
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
            let mut stop = state.faults().stop.subscribe();
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
    crate::router::frame(resp)
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
    headers: http::HeaderMap,
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
            headers: req.headers().clone(),
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
                headers: std::mem::take(&mut self.headers)
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
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
            std::panic::panic_any(INJECTED_PANIC);
        }
        self.inner.call(req)
    }
}
