//! A running case's hold on its group: the runner starts a grouped case inside [`hold`], and
//! the group's next case waits until the hold is let go, at the end of the case or earlier
//! through [`release_group`] (e.g. once the case only waits for a request the agent may never
//! answer).

use std::future::Future;
use std::sync::Mutex;
use tokio::sync::oneshot;

tokio::task_local! {
    static LEASE: Mutex<Option<oneshot::Sender<()>>>;
}

/// Called by a running case whose remaining work no longer depends on its group's shared
/// state (e.g. a request the agent has taken in and may never answer): the group's next case
/// starts now while this one finishes. Does nothing outside a run.
pub fn release_group() {
    let _ = LEASE.try_with(|l| {
        if let Some(tx) = l.lock().unwrap_or_else(|p| p.into_inner()).take() {
            let _ = tx.send(());
        }
    });
}

/// Runs `case` holding `release`: [`release_group`] inside it fires `release` (the runner also
/// notices its end through the dropped sender).
pub async fn hold<F: Future>(release: oneshot::Sender<()>, case: F) -> F::Output {
    LEASE.scope(Mutex::new(Some(release)), case).await
}
