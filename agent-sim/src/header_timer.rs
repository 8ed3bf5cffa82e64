//! The timer behind the header-read timeout of one connection (Go's `ReadHeaderTimeout`,
//! which hyper enforces as `header_read_timeout`). hyper asks its timer for a fresh sleep each
//! time it starts reading a request head and drops it once the head is in; with
//! `hyper_util`'s `TokioTimer` every request allocates a tokio timer, inserts it into the
//! timer wheel and removes it again.
//!
//! [`ConnTimer`] gives each connection one tokio sleep for its whole life: the sleeps hyper
//! gets ([`HeadSleep`]) only carry their deadline and are checked against the shared one when
//! polled (a head that is already buffered never touches it). A shared deadline left by an
//! earlier head fires first and is then moved on, so the timer wheel is touched about once
//! per timeout, not once per request. The deadline hyper computes and the moment the
//! connection is closed are the same as with `TokioTimer`; a shared sleep that fires after
//! its head arrived only wakes the connection task once for nothing.

use hyper::rt::{Sleep, Timer};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

/// One connection's timer; see the module docs.
#[derive(Debug, Clone)]
pub(crate) struct ConnTimer {
    shared: Arc<Mutex<Shared>>,
}

/// The connection's tokio sleep, and the task it last registered (the connection's).
#[derive(Debug)]
struct Shared {
    sleep: Pin<Box<tokio::time::Sleep>>,
    polled_by: Option<Waker>,
}

impl ConnTimer {
    /// A timer whose shared sleep is created now (not registered until polled).
    pub(crate) fn new() -> Self {
        // Far enough never to fire before the first head resets it.
        let idle = tokio::time::Instant::now() + Duration::from_secs(365 * 24 * 3600);
        Self {
            shared: Arc::new(Mutex::new(Shared {
                sleep: Box::pin(tokio::time::sleep_until(idle)),
                polled_by: None,
            })),
        }
    }
}

impl Timer for ConnTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Sleep>> {
        self.sleep_until(self.now() + duration)
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn Sleep>> {
        Box::pin(HeadSleep {
            deadline: deadline.into(),
            shared: Arc::clone(&self.shared),
        })
    }

    fn now(&self) -> Instant {
        // tokio's clock, so a paused test clock applies (as with `TokioTimer`).
        tokio::time::Instant::now().into()
    }

    fn reset(&self, sleep: &mut Pin<Box<dyn Sleep>>, new_deadline: Instant) {
        match sleep.as_mut().downcast_mut_pin::<HeadSleep>() {
            Some(mut head) => head.deadline = new_deadline.into(),
            None => *sleep = self.sleep_until(new_deadline),
        }
    }
}

/// A sleep until `deadline`, kept by the connection's shared tokio sleep.
pub(crate) struct HeadSleep {
    deadline: tokio::time::Instant,
    shared: Arc<Mutex<Shared>>,
}

impl Future for HeadSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut shared = self.shared.lock().unwrap_or_else(PoisonError::into_inner);
        // An earlier deadline is moved to now; a later one is left to fire first (it is a
        // past head's) and moved when it does, so a busy connection moves it about once per
        // timeout instead of once per request.
        if shared.sleep.deadline() > self.deadline {
            shared.sleep.as_mut().reset(self.deadline);
            shared.polled_by = None;
        }
        // Still in the wheel with this task to wake: nothing to register again.
        let registered = shared
            .polled_by
            .as_ref()
            .is_some_and(|w| w.will_wake(cx.waker()));
        if registered && !shared.sleep.is_elapsed() {
            return Poll::Pending;
        }
        if poll_registering(&mut shared.sleep, cx).is_ready() {
            if tokio::time::Instant::now() >= self.deadline {
                return Poll::Ready(());
            }
            shared.sleep.as_mut().reset(self.deadline);
            if poll_registering(&mut shared.sleep, cx).is_ready() {
                return Poll::Ready(());
            }
        }
        shared.polled_by = Some(cx.waker().clone());
        Poll::Pending
    }
}

impl Sleep for HeadSleep {}

/// Polls `sleep` outside tokio's cooperative budget, so that a pending answer always means
/// it is in the timer wheel with `cx`'s waker (an exhausted budget would answer pending
/// without registering it, and the next poll would be skipped).
fn poll_registering(sleep: &mut Pin<Box<tokio::time::Sleep>>, cx: &mut Context<'_>) -> Poll<()> {
    let unconstrained = tokio::task::unconstrained(sleep.as_mut());
    std::pin::pin!(unconstrained).poll(cx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::Instant as TokioInstant;

    const MS: Duration = Duration::from_millis(1);

    /// Awaits `sleep` and checks it ended at its deadline (not before; late by a loaded
    /// machine's margin at most).
    async fn ends_after(sleep: Pin<Box<dyn Sleep>>, start: TokioInstant, after: Duration) {
        sleep.await;
        let took = start.elapsed();
        assert!(took >= after, "ended after {took:?}, before {after:?}");
        assert!(
            took < after + Duration::from_secs(5),
            "ended after {took:?}"
        );
    }

    /// Polls `sleep` once (as hyper does when the head is not in yet); it must be pending.
    async fn poll_once(sleep: &mut Pin<Box<dyn Sleep>>) {
        std::future::poll_fn(|cx| {
            assert!(sleep.as_mut().poll(cx).is_pending());
            Poll::Ready(())
        })
        .await;
    }

    #[tokio::test]
    async fn a_sleep_ends_at_its_deadline() {
        let timer = ConnTimer::new();
        let start = TokioInstant::now();
        ends_after(timer.sleep(50 * MS), start, 50 * MS).await;
    }

    #[tokio::test]
    async fn an_earlier_sleep_moves_the_shared_deadline_back() {
        let timer = ConnTimer::new();
        let mut later = timer.sleep(Duration::from_secs(30));
        poll_once(&mut later).await;
        drop(later);
        let start = TokioInstant::now();
        ends_after(timer.sleep(50 * MS), start, 50 * MS).await;
    }

    #[tokio::test]
    async fn a_later_sleep_outlasts_a_past_heads_deadline() {
        let timer = ConnTimer::new();
        let mut first = timer.sleep(20 * MS);
        poll_once(&mut first).await;
        drop(first);
        let start = TokioInstant::now();
        ends_after(timer.sleep(200 * MS), start, 200 * MS).await;
    }

    #[tokio::test]
    async fn polled_again_by_its_task_it_still_ends_at_its_deadline() {
        let timer = ConnTimer::new();
        let start = TokioInstant::now();
        let mut sleep = timer.sleep(50 * MS);
        poll_once(&mut sleep).await;
        poll_once(&mut sleep).await;
        ends_after(sleep, start, 50 * MS).await;
    }

    #[tokio::test]
    async fn reset_moves_a_sleep() {
        let timer = ConnTimer::new();
        let start = TokioInstant::now();
        let mut sleep = timer.sleep(Duration::from_secs(30));
        timer.reset(&mut sleep, timer.now() + 50 * MS);
        ends_after(sleep, start, 50 * MS).await;
    }
}
