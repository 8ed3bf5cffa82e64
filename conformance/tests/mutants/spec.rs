//! A mutant as data: its name, the fixture it runs, the case that must catch it, the rules it
//! breaks, and what the proxy changes (a response, a request, or the watch socket's frames);
//! plus the constructors and path tests the chapter lists share.

pub(crate) use crate::common::{MResp, Mutation, Rewrite, WsMutation};
pub(crate) use http::{Method, StatusCode};
pub(crate) use std::sync::atomic::{AtomicBool, Ordering};
pub(crate) use std::sync::Arc;

pub(crate) struct Spec {
    pub(crate) name: &'static str,
    pub(crate) fixture: &'static str,
    /// The case that must fail (exact name).
    pub(crate) case: &'static str,
    pub(crate) rewrite: Option<Rewrite>,
    pub(crate) mutate: Mutation,
    /// Changes the watch socket's text frames.
    pub(crate) ws: Option<WsMutation>,
    /// The ids of the spec rules it breaks (`conformance/rules/*.toml`).
    pub(crate) breaks: Vec<&'static str>,
}

impl Spec {
    /// Names the rules the mutant breaks.
    pub(crate) fn breaks(mut self, rules: &[&'static str]) -> Self {
        self.breaks.extend_from_slice(rules);
        self
    }
}

/// A mutant that alters nothing yet.
fn unchanged(name: &'static str, fixture: &'static str, case: &'static str) -> Spec {
    Spec {
        name,
        fixture,
        case,
        rewrite: None,
        mutate: Arc::new(|_, _, _| {}),
        ws: None,
        breaks: Vec::new(),
    }
}

/// Alters the answers: `f` sees each request's method and path and the response.
pub(crate) fn on(
    name: &'static str,
    fixture: &'static str,
    case: &'static str,
    f: impl Fn(&Method, &str, &mut MResp) + Send + Sync + 'static,
) -> Spec {
    Spec {
        mutate: Arc::new(f),
        ..unchanged(name, fixture, case)
    }
}

/// Alters the requests before agent-sim sees them.
pub(crate) fn rewrite(
    name: &'static str,
    fixture: &'static str,
    case: &'static str,
    rw: impl Fn(&mut axum::extract::Request) + Send + Sync + 'static,
) -> Spec {
    Spec {
        rewrite: Some(Arc::new(rw)),
        ..unchanged(name, fixture, case)
    }
}

/// The watch socket's `n`th frame through `f` (`None` drops it).
pub(crate) fn frames(
    name: &'static str,
    fixture: &'static str,
    case: &'static str,
    f: impl Fn(usize, String) -> Option<String> + Send + Sync + 'static,
) -> Spec {
    Spec {
        ws: Some(Arc::new(f)),
        ..unchanged(name, fixture, case)
    }
}

pub(crate) fn is_recreate(m: &Method, p: &str) -> bool {
    m == Method::POST && p.starts_with(DEVCONTAINERS) && p.ends_with("/recreate")
}

pub(crate) fn is_delete(m: &Method, p: &str) -> bool {
    m == Method::DELETE && p.starts_with(DEVCONTAINERS)
}

pub(crate) const DEVCONTAINERS: &str = "/api/v0/containers/devcontainers/";

pub(crate) fn path_is(path: &str, want: &str) -> bool {
    path.split('?').next() == Some(want)
}

/// Replaces `from` by `to` in the body of responses to `want`.
pub(crate) fn replace_in(
    name: &'static str,
    fixture: &'static str,
    case: &'static str,
    want: &'static str,
    from: &'static str,
    to: &'static str,
) -> Spec {
    on(name, fixture, case, move |_, p, r| {
        if path_is(p, want) {
            let t = r.text().replace(from, to);
            r.set_text(&t);
        }
    })
}

/// Replaces `from` by `to` in the body of responses to paths starting with `prefix`.
pub(crate) fn replace_in_prefix(
    name: &'static str,
    fixture: &'static str,
    case: &'static str,
    prefix: &'static str,
    from: &'static str,
    to: &'static str,
) -> Spec {
    on(name, fixture, case, move |_, p, r| {
        if p.starts_with(prefix) {
            let t = r.text().replace(from, to);
            r.set_text(&t);
        }
    })
}

pub(crate) fn agent_gate_not_enabled() -> String {
    conformance::cases::core::GATE_NOT_ENABLED.to_string()
}
