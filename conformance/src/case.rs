//! Cases as data: a name, a tier, the route it covers, and either one request with its
//! expectation or a short async procedure (for cases that need several requests).

use crate::context::Ctx;
use crate::expect::Expect;
use crate::http::Request;
use futures::future::BoxFuture;
use std::fmt;
use std::sync::Arc;

/// What the suite must control to run a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum Tier {
    /// Any agent, reached by URL.
    #[value(name = "black-box")]
    BlackBox,
    /// The agent runs on this host (the suite opens sockets it should see).
    Local,
    /// The target serves the control API (`/__sim/`).
    Controlled,
}

impl Tier {
    /// Every tier, in run order.
    pub const ALL: [Tier; 3] = [Tier::BlackBox, Tier::Local, Tier::Controlled];

    /// The tier's name on the command line and in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::BlackBox => "black-box",
            Tier::Local => "local",
            Tier::Controlled => "controlled",
        }
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A case failed: why, and everything needed to reproduce and understand it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Failure {
    /// Why, in one line.
    pub reason: String,
    /// The request as sent (request line, headers, body).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<String>,
    /// What the agent should have answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    /// What it answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
    /// Unified diff expected → actual.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
    /// A `curl` command reproducing the request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub curl: Option<String>,
}

impl Failure {
    /// A failure with only a reason.
    pub fn new(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
            ..Self::default()
        }
    }

    /// Adds expected/actual and their diff, each cut at [`crate::diff::SHOWN`] bytes so that
    /// a huge answer cannot blow up the reports (the cut is said in the text).
    pub fn with_diff(mut self, expected: &str, actual: &str) -> Self {
        let expected = crate::diff::shown(expected);
        let actual = crate::diff::shown(actual);
        self.diff = Some(crate::diff::unified(&expected, &actual));
        self.expected = Some(expected.into_owned());
        self.actual = Some(actual.into_owned());
        self
    }
}

/// How a multi-step case ended when it did not fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    /// The case does not apply to this target (reason shown).
    Skip(String),
}

pub type StepResult = Result<Verdict, Failure>;
pub type StepFn = Arc<dyn Fn(Arc<Ctx>) -> BoxFuture<'static, StepResult> + Send + Sync>;

/// What a case does.
#[derive(Clone)]
pub enum CaseKind {
    /// One request, one expectation.
    Exchange { request: Request, expect: Expect },
    /// Any number of requests.
    Steps(StepFn),
}

/// One named check.
#[derive(Clone)]
pub struct Case {
    /// Unique name, e.g. `core/hello`.
    pub name: String,
    /// What the suite must control to run it.
    pub tier: Tier,
    /// The route it covers, `METHOD /pattern` (coverage table).
    pub route: String,
    /// What it does: one exchange or a procedure.
    pub kind: CaseKind,
}

impl fmt::Debug for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Case")
            .field("name", &self.name)
            .field("tier", &self.tier)
            .field("route", &self.route)
            .finish()
    }
}

impl Case {
    pub fn exchange(
        name: impl Into<String>,
        tier: Tier,
        route: &str,
        request: Request,
        expect: Expect,
    ) -> Self {
        Self {
            name: name.into(),
            tier,
            route: route.to_string(),
            kind: CaseKind::Exchange { request, expect },
        }
    }

    pub fn steps<F, Fut>(name: impl Into<String>, tier: Tier, route: &str, f: F) -> Self
    where
        F: Fn(Arc<Ctx>) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = StepResult> + Send + 'static,
    {
        Self {
            name: name.into(),
            tier,
            route: route.to_string(),
            kind: CaseKind::Steps(Arc::new(move |ctx| Box::pin(f(ctx)))),
        }
    }
}
