//! Cases as data: a name, a tier, the route it covers, and either one request with its
//! expectation or a short async procedure (for cases that need several requests).

use crate::context::Ctx;
use crate::expect::Expect;
use crate::failure::Failure;
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

/// Shared state on the agent that some cases change: the cases of one group never overlap
/// (the runner runs them one after another, in order), the others run concurrently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Group {
    /// The scenario in force (every controlled case puts or patches one).
    Scenario,
    /// The local tier's listeners and the agent's one-second port scan cache.
    LocalPorts,
    /// The devcontainer state machine (recreate, delete) and what lists or watches it.
    Devcontainers,
    /// The process list (ten entries at most, running first): cases that start processes.
    Processes,
}

/// What a case changes on the agent; `--read-only` skips every case that changes something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Creates, edits and removes files (in a scratch directory under `/tmp`).
    WritesFiles,
    /// Starts processes (`sh -c`), and may signal them.
    StartsProcesses,
    /// Recreates or deletes devcontainers.
    RecreatesDevcontainers,
    /// Changes a runtime setting of the agent (magicsock debug logging).
    ChangesSettings,
}

impl Effect {
    /// The skip reason under `--read-only`.
    pub fn read_only_skip(self) -> String {
        let what = match self {
            Effect::WritesFiles => "writes files on the agent",
            Effect::StartsProcesses => "starts processes on the agent",
            Effect::RecreatesDevcontainers => "recreates or deletes devcontainers",
            Effect::ChangesSettings => "changes a runtime setting of the agent",
        };
        format!("--read-only: this case {what}")
    }
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
    /// The shared state it changes or depends on (its cases are serialized).
    pub group: Option<Group>,
    /// What it changes on the agent, if anything.
    pub effect: Option<Effect>,
    /// The ids of the spec rules it checks (`rules/*.toml`, `COVERAGE.md`).
    pub rules: Vec<&'static str>,
}

impl fmt::Debug for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Case")
            .field("name", &self.name)
            .field("tier", &self.tier)
            .field("route", &self.route)
            .field("group", &self.group)
            .field("effect", &self.effect)
            .field("rules", &self.rules)
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
            group: None,
            effect: None,
            rules: Vec::new(),
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
            group: None,
            effect: None,
            rules: Vec::new(),
        }
    }

    /// Puts the case in `group` (serialized with the group's other cases).
    pub fn in_group(mut self, group: Group) -> Self {
        self.group = Some(group);
        self
    }

    /// Names the spec rules the case checks (ids from `rules/*.toml`).
    pub fn checks(mut self, rules: &[&'static str]) -> Self {
        self.rules.extend_from_slice(rules);
        self
    }

    /// Declares what the case changes on the agent (skipped under `--read-only`).
    pub fn changes(mut self, effect: Effect) -> Self {
        self.effect = Some(effect);
        self
    }
}
