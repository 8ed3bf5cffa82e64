//! What every case can reach: the target, the control API, the client with its timeout, the
//! seed, the fixtures and the snapshot set; plus helpers that send a request and turn any
//! problem into a [`Failure`] with the request and a curl reproducer attached.

use crate::expect::Expect;
use crate::failure::Failure;
use crate::fixtures::Fixture;
use crate::http::{Client, Request, Response};
use crate::listeners::Listeners;
use crate::snapshot::SnapshotSet;
use std::sync::Arc;

/// Shared by all cases of one run.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub target: String,
    /// The control API base (`/__sim/...` lives under it), when the controlled tier runs.
    pub control: Option<String>,
    pub client: Client,
    pub seed: u64,
    pub fixtures: Vec<Fixture>,
    pub snapshots: SnapshotSet,
    /// Property-test cases per property.
    pub property_cases: u32,
    /// The local tier's listeners, bound on first use ([`Ctx::local_listeners`]).
    pub local: tokio::sync::OnceCell<Arc<Listeners>>,
}

impl Ctx {
    /// A context for `target` with the embedded fixtures and snapshots, no control API.
    pub fn new(target: &str, client: Client) -> Self {
        Self {
            target: target.trim_end_matches('/').to_string(),
            control: None,
            client,
            seed: 0,
            fixtures: crate::fixtures::embedded(),
            snapshots: SnapshotSet::Embedded,
            property_cases: 32,
            local: Default::default(),
        }
    }

    /// The local tier's listeners, bound now if they are not yet (the runner binds them at
    /// the start of a run that includes the local tier).
    pub async fn local_listeners(&self) -> Arc<Listeners> {
        self.local
            .get_or_init(|| async { Arc::new(Listeners::bind().await) })
            .await
            .clone()
    }

    /// Sends `req` to the target; a transport problem is a failure naming the request.
    pub async fn send(&self, req: &Request) -> Result<Response, Failure> {
        self.client
            .send(&self.target, req)
            .await
            .map_err(|e| self.failure(req, e.to_string()))
    }

    /// Sends `req` and checks it against `expect`.
    pub async fn exchange(&self, req: &Request, expect: &Expect) -> Result<Response, Failure> {
        let resp = self.send(req).await?;
        expect.check(&resp).map_err(|mut f| {
            f.reason = format!("{}: {}", req.line(), f.reason);
            self.attach(req, f)
        })?;
        Ok(resp)
    }

    /// A failure about `req`.
    pub fn failure(&self, req: &Request, reason: impl Into<String>) -> Failure {
        let reason = format!("{}: {}", req.line(), reason.into());
        self.attach(req, Failure::new(reason))
    }

    /// Adds the request rendering and a curl reproducer.
    pub fn attach(&self, req: &Request, mut f: Failure) -> Failure {
        f.request = Some(req.render(&self.target));
        f.curl = Some(req.curl(&self.target));
        f
    }

    /// The control API base or a failure saying it is needed.
    pub fn control(&self) -> Result<&str, Failure> {
        self.control
            .as_deref()
            .ok_or_else(|| Failure::new("this case needs the control API (--control)"))
    }

    /// Sends a request to the control API and requires a 2xx answer.
    pub async fn control_call(&self, req: &Request) -> Result<Response, Failure> {
        let base = self.control()?.to_string();
        let resp = self.client.send(&base, req).await.map_err(|e| {
            let mut f = Failure::new(format!("control API {}: {e}", req.line()));
            f.curl = Some(req.curl(&base));
            f
        })?;
        if !(200..300).contains(&resp.status) {
            let mut f = Failure::new(format!(
                "control API {} answered {}: {}",
                req.line(),
                resp.status,
                resp.text()
            ));
            f.request = Some(req.render(&base));
            f.curl = Some(req.curl(&base));
            return Err(f);
        }
        Ok(resp)
    }

    /// Puts a scenario in force (`PUT /__sim/scenario`).
    pub async fn put_scenario(&self, scenario_json: &str) -> Result<(), Failure> {
        let req = Request::new("PUT", "/__sim/scenario")
            .with_body("application/json", scenario_json.as_bytes().to_vec());
        self.control_call(&req).await.map(|_| ())
    }

    /// Merge-patches the scenario in force (`PATCH /__sim/scenario`).
    pub async fn patch_scenario(&self, patch: &serde_json::Value) -> Result<(), Failure> {
        let req = Request::new("PATCH", "/__sim/scenario")
            .with_body("application/json", patch.to_string().into_bytes());
        self.control_call(&req).await.map(|_| ())
    }
}
