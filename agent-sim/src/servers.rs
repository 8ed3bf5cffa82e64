//! Serving routers until told to stop: the start and shutdown [`Sim`](crate::Sim) and
//! [`Fleet`](crate::fleet::Fleet) share. Each listener gets a task running `server::serve`;
//! one signal stops them all, and [`Servers::join`] waits for in-flight requests to finish.

use crate::server;
use axum::extract::Request;
use axum::response::Response;
use std::convert::Infallible;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// The serving tasks of one simulator (or fleet) and the signal that stops them.
#[derive(Debug)]
pub struct Servers {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Default for Servers {
    fn default() -> Self {
        Self {
            stop: watch::Sender::new(false),
            tasks: Vec::new(),
        }
    }
}

impl Servers {
    /// Serves `app` on `listener` until [`stop`](Self::stop).
    pub fn spawn<S>(&mut self, listener: TcpListener, app: S)
    where
        S: tower::Service<Request, Response = Response, Error = Infallible>
            + Clone
            + Send
            + 'static,
        S::Future: Send + 'static,
    {
        let mut stopped = self.stop.subscribe();
        let signal = async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        };
        self.tasks
            .push(tokio::spawn(server::serve(listener, app, signal)));
    }

    /// Stops accepting on every listener (in-flight requests go on).
    pub fn stop(&self) {
        self.stop.send_replace(true);
    }

    /// Waits until every server has finished its in-flight requests (after [`stop`](Self::stop)).
    pub async fn join(&mut self) {
        for t in std::mem::take(&mut self.tasks) {
            let _ = t.await;
        }
    }
}
