//! The fault planner: which of the scenario's rules hit one request, drawn from the agent's
//! seeded generator. Pure decisions; the tower layer that carries them out is `faults`.
//!
//! Every rule whose route matches takes one draw and fires when the draw is below its
//! probability. Latency rules add their delay and let later rules apply; the first other rule
//! that fires decides the answer. The generator is reseeded whenever a scenario is put in
//! force or the simulator is reset, so the same requests in the same order meet the same
//! faults.

use crate::scenario::faults::FaultKind;
use crate::scenario::{FaultRule, Scenario};
use crate::seeded::SplitMix64;
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::watch;

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

    /// A receiver that sees `true` once [`shutdown`](Self::shutdown) was called.
    pub fn stopped(&self) -> watch::Receiver<bool> {
        self.stop.subscribe()
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

/// Response extension naming the fault injected into a request, read by the journal.
#[derive(Debug, Clone)]
pub struct FaultTag(pub String);
