//! Request expectations, as wiremock-rs has them: `sim.expect("POST /api/v0/processes/start")
//! .times(1)` counts the requests matching a route pattern (the `"METHOD /pattern"` text fault
//! rules use) from the moment it is registered; `Sim::verify` and dropping the `Sim` check
//! every expectation and panic with what was received for the routes that fell short or
//! went over.

use crate::scenario::faults::{PatternError, RoutePattern};
use http::Method;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// How many matching requests an expectation allows, both ends inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Bounds {
    min: u64,
    max: Option<u64>,
}

impl Bounds {
    fn allows(self, n: u64) -> bool {
        n >= self.min && self.max.is_none_or(|max| n <= max)
    }
}

impl fmt::Display for Bounds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let times = |n: u64| if n == 1 { "time" } else { "times" };
        match (self.min, self.max) {
            (min, Some(max)) if min == max => write!(f, "exactly {min} {}", times(min)),
            (0, Some(max)) => write!(f, "at most {max} {}", times(max)),
            (min, Some(max)) => write!(f, "between {min} and {max} times"),
            (min, None) => write!(f, "at least {min} {}", times(min)),
        }
    }
}

/// One registered expectation: its route, its bounds and its count.
#[derive(Debug)]
struct Registered {
    route: RoutePattern,
    /// The journal sequence number of the first request it counts.
    from_seq: u64,
    bounds: Mutex<Bounds>,
    count: AtomicU64,
}

impl Registered {
    fn bounds(&self) -> Bounds {
        *self.bounds.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The expectations of one simulator (kept by its journal, which counts every request).
#[derive(Debug, Default)]
pub struct Expectations {
    list: Mutex<Vec<Arc<Registered>>>,
    /// Whether `list` has ever had an entry (entries are never removed): most simulators
    /// register none, and their requests then skip the lock.
    any: AtomicBool,
}

impl Expectations {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Arc<Registered>>> {
        self.list.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Counts one request against every expectation whose route matches it.
    pub fn observe(&self, method: &Method, path: &str) {
        if !self.any.load(Ordering::Acquire) {
            return;
        }
        for e in self.lock().iter() {
            if e.route.matches(method, path) {
                e.count.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Registers an expectation for `route`, counting requests from journal number `from_seq`
    /// on; it starts as "at least once".
    pub fn register(&self, route: &str, from_seq: u64) -> Result<Expectation, PatternError> {
        let route = RoutePattern::parse(route)?;
        let registered = Arc::new(Registered {
            route,
            from_seq,
            bounds: Mutex::new(Bounds { min: 1, max: None }),
            count: AtomicU64::new(0),
        });
        let mut list = self.lock();
        list.push(Arc::clone(&registered));
        self.any.store(true, Ordering::Release);
        drop(list);
        Ok(Expectation(registered))
    }

    /// Checks every expectation; `received` lists the journal for the failure message, `key`
    /// gives each entry's sequence number, method and path.
    pub fn check<R: fmt::Display>(
        &self,
        received: &[R],
        key: impl Fn(&R) -> (u64, &Method, &str),
    ) -> Result<(), VerificationError> {
        let failures: Vec<Failure> = self
            .lock()
            .iter()
            .filter_map(|e| {
                let bounds = e.bounds();
                let count = e.count.load(Ordering::Relaxed);
                (!bounds.allows(count)).then(|| Failure {
                    route: e.route.to_string(),
                    bounds,
                    count,
                    received: received
                        .iter()
                        .filter(|r| {
                            let (seq, method, path) = key(r);
                            seq >= e.from_seq && e.route.matches(method, path)
                        })
                        .map(ToString::to_string)
                        .collect(),
                })
            })
            .collect();
        if failures.is_empty() {
            Ok(())
        } else {
            Err(VerificationError { failures })
        }
    }
}

/// An expectation registered by `Sim::expect`: by default the route must be called at least
/// once; [`times`](Self::times), [`at_least`](Self::at_least), [`at_most`](Self::at_most) and
/// [`never`](Self::never) change that. It stays registered (and is checked when the `Sim`
/// drops) whether or not this handle is kept.
#[derive(Debug, Clone)]
pub struct Expectation(Arc<Registered>);

impl Expectation {
    fn set(self, min: u64, max: Option<u64>) -> Self {
        *self.0.bounds.lock().unwrap_or_else(|p| p.into_inner()) = Bounds { min, max };
        self
    }

    /// The route must be called exactly `n` times.
    pub fn times(self, n: u64) -> Self {
        self.set(n, Some(n))
    }

    /// The route must be called `n` times or more.
    pub fn at_least(self, n: u64) -> Self {
        self.set(n, None)
    }

    /// The route may be called `n` times at most (zero included).
    pub fn at_most(self, n: u64) -> Self {
        self.set(0, Some(n))
    }

    /// The route must not be called at all.
    pub fn never(self) -> Self {
        self.set(0, Some(0))
    }

    /// How many matching requests were received since the expectation was registered.
    pub fn count(&self) -> u64 {
        self.0.count.load(Ordering::Relaxed)
    }
}

/// One unmet expectation.
#[derive(Debug, Clone)]
struct Failure {
    route: String,
    bounds: Bounds,
    count: u64,
    /// The matching requests still in the journal, one line each.
    received: Vec<String>,
}

/// Why `Sim::try_verify` failed: the expectations that were not met, each with the matching
/// requests the journal still holds.
#[derive(Debug, Clone, thiserror::Error)]
pub struct VerificationError {
    failures: Vec<Failure>,
}

impl fmt::Display for VerificationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "agent-sim: verifications failed:")?;
        for fail in &self.failures {
            let times = if fail.count == 1 { "time" } else { "times" };
            write!(
                f,
                "- expected {} to be called {}, it was called {} {times}",
                fail.route, fail.bounds, fail.count
            )?;
            if fail.received.is_empty() {
                writeln!(f, ".")?;
            } else {
                writeln!(f, ". Received:")?;
                for line in &fail.received {
                    writeln!(f, "    {line}")?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::ReceivedRequest;

    #[test]
    fn bounds_read_as_sentences() {
        let b = |min, max| Bounds { min, max }.to_string();
        assert_eq!(b(1, Some(1)), "exactly 1 time");
        assert_eq!(b(2, Some(2)), "exactly 2 times");
        assert_eq!(b(0, Some(0)), "exactly 0 times");
        assert_eq!(b(3, None), "at least 3 times");
        assert_eq!(b(0, Some(4)), "at most 4 times");
        assert_eq!(b(1, Some(4)), "between 1 and 4 times");
    }

    const NONE: &[ReceivedRequest] = &[];

    fn key(r: &ReceivedRequest) -> (u64, &Method, &str) {
        (r.seq, &r.method, &r.path)
    }

    #[test]
    fn counts_matching_requests_against_their_bounds() {
        let all = Expectations::default();
        let start = all.register("POST /api/v0/processes/start", 1).unwrap();
        let never = all.register("GET /debug/logs", 1).unwrap().never();
        all.observe(&Method::POST, "/api/v0/processes/start");
        all.observe(&Method::GET, "/api/v0/processes/start");
        assert_eq!(start.count(), 1);
        assert_eq!(never.count(), 0);
        assert!(all.check(NONE, key).is_ok());
        let _twice = start.clone().times(2);
        let err = all.check(NONE, key).unwrap_err().to_string();
        assert!(
            err.contains("expected POST /api/v0/processes/start to be called exactly 2 times, it was called 1 time."),
            "{err}"
        );
        all.observe(&Method::GET, "/debug/logs");
        let err = all.check(NONE, key).unwrap_err().to_string();
        assert!(
            err.contains("GET /debug/logs to be called exactly 0 times, it was called 1 time"),
            "{err}"
        );
    }

    #[test]
    fn routes_are_checked_like_fault_rules() {
        let all = Expectations::default();
        let e = all.register("POST /api/v0/process/start", 1).unwrap_err();
        assert!(
            e.to_string().contains("never matches an agent route"),
            "{e}"
        );
    }
}
