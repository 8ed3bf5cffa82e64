//! The agent's `httpmw.Recover` as a tower layer: a panic while a handler is called or while
//! its future runs is answered with the agent's 500 (`routing::recover_panic`) and, unless a
//! `panic` fault injected it, counted on `/debug/prometheus`. Written here rather than taken
//! from `tower_http::catch_panic`, which re-boxes every response body (twice, with axum's
//! `IntoResponse` after it) on every request.

use crate::faults::INJECTED_PANIC;
use crate::state::AppState;
use axum::extract::Request;
use axum::response::Response;
use std::any::Any;
use std::convert::Infallible;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};

/// A service wrapped in the Recover middleware.
#[derive(Clone)]
pub(crate) struct Recover<S> {
    inner: S,
    state: AppState,
}

impl<S> Recover<S> {
    /// Wraps `inner`; panics are counted on `state`'s metrics.
    pub(crate) fn new(inner: S, state: AppState) -> Self {
        Self { inner, state }
    }
}

/// The 500 for a panic, counted when it was not injected.
fn answer(state: &AppState, panic: Box<dyn Any + Send + 'static>) -> Response {
    if panic.downcast_ref::<&str>() != Some(&INJECTED_PANIC) {
        state.metrics().panicked();
    }
    crate::routing::recover_panic(panic)
}

impl<S> tower::Service<Request> for Recover<S>
where
    S: tower::Service<Request, Response = Response, Error = Infallible>,
    S::Future: Unpin,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Recovering<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        match catch_unwind(AssertUnwindSafe(|| self.inner.call(req))) {
            Ok(inner) => Recovering::Running {
                inner,
                state: self.state.clone(),
            },
            Err(panic) => Recovering::Answered(Some(answer(&self.state, panic))),
        }
    }
}

/// The future of [`Recover`].
pub(crate) enum Recovering<F> {
    Running { inner: F, state: AppState },
    Answered(Option<Response>),
}

impl<F> Future for Recovering<F>
where
    F: Future<Output = Result<Response, Infallible>> + Unpin,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.get_mut() {
            Recovering::Running { inner, state } => {
                match catch_unwind(AssertUnwindSafe(|| Pin::new(&mut *inner).poll(cx))) {
                    Ok(polled) => polled,
                    Err(panic) => Poll::Ready(Ok(answer(state, panic))),
                }
            }
            Recovering::Answered(resp) => Poll::Ready(Ok(resp.take().unwrap_or_default())),
        }
    }
}
