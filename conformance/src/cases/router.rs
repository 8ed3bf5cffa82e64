//! Black-box cases for the router rules (core.md §1.4): chi's 404 and 405 answers, HEAD not
//! mapped to GET, non-standard methods, the `/api/v0` catch-all, trailing slashes, percent
//! escapes, double slashes, and the query string being ignored.

use crate::case::{Case, Tier};
use crate::expect::Expect;
use crate::http::Request;

const HELLO: &str = "{\"message\":\"Hello from the agent!\"}\n";

fn router_exchange(name: &str, route: &str, req: Request, expect: Expect) -> Case {
    Case::exchange(format!("router/{name}"), Tier::BlackBox, route, req, expect)
}

/// Paths no route matches: (case name, path) → 404.
#[rustfmt::skip]
const NOT_FOUND: &[(&str, &str)] = &[
    ("404/unknown-path", "/nope"),
    ("404/api-v0-bare", "/api/v0"),
    ("404/api-v0-slash", "/api/v0/"),
    ("404/api-v0-unknown", "/api/v0/foo"),
    ("404/listening-ports-trailing-slash", "/api/v0/listening-ports/"),
    ("404/netcheck-subpath", "/api/v0/netcheck/x"),
    ("404/percent-escape", "/api/v0/listening%2Dports"),
    ("404/double-slash", "//api/v0/netcheck"),
    ("404/unknown-v0-prefix-git-like", "/api/v0/unknown/deeper"),
    ("404/debug-bare", "/debug"),
    ("404/debug-slash", "/debug/"),
    ("404/debug-unknown", "/debug/unknown"),
    ("404/debug-logs-trailing-slash", "/debug/logs/"),
    ("404/debug-magicsock-trailing-slash", "/debug/magicsock/"),
    ("404/debug-manifest-trailing-slash", "/debug/manifest/"),
    ("404/debug-prometheus-trailing-slash", "/debug/prometheus/"),
    ("404/debug-logging-no-state", "/debug/magicsock/debug-logging"),
    ("404/debug-logging-empty-state", "/debug/magicsock/debug-logging/"),
    ("404/debug-logging-state-trailing-slash", "/debug/magicsock/debug-logging/true/"),
    ("404/debug-logging-two-segments", "/debug/magicsock/debug-logging/a/b"),
    ("404/sim-prefix-is-not-agent", "/__sim_not_a_route"),
];

/// A wrong standard method on a GET-only route: (case name, method, path, route) → 405
/// `Allow: GET`.
#[rustfmt::skip]
const WRONG_METHOD: &[(&str, &str, &str, &str)] = &[
    ("405/hello-post", "POST", "/", "GET /"),
    ("405/hello-put", "PUT", "/", "GET /"),
    ("405/hello-delete", "DELETE", "/", "GET /"),
    ("405/hello-head", "HEAD", "/", "GET /"),
    ("405/hello-options", "OPTIONS", "/", "GET /"),
    ("405/listening-ports-post", "POST", "/api/v0/listening-ports", "GET /api/v0/listening-ports"),
    ("405/listening-ports-put", "PUT", "/api/v0/listening-ports", "GET /api/v0/listening-ports"),
    ("405/listening-ports-head", "HEAD", "/api/v0/listening-ports", "GET /api/v0/listening-ports"),
    ("405/netcheck-post", "POST", "/api/v0/netcheck", "GET /api/v0/netcheck"),
    ("405/netcheck-head", "HEAD", "/api/v0/netcheck", "GET /api/v0/netcheck"),
    ("405/debug-logs-post", "POST", "/debug/logs", "GET /debug/logs"),
    ("405/debug-magicsock-post", "POST", "/debug/magicsock", "GET /debug/magicsock"),
    ("405/debug-logging-put", "PUT", "/debug/magicsock/debug-logging/true", "GET /debug/magicsock/debug-logging/{state}"),
    ("405/debug-manifest-head", "HEAD", "/debug/manifest", "GET /debug/manifest"),
    ("405/debug-prometheus-delete", "DELETE", "/debug/prometheus", "GET /debug/prometheus"),
];

/// A method that is not standard: (case name, method, path, route) → chi's 405 without
/// `Allow`.
#[rustfmt::skip]
const NONSTANDARD_METHOD: &[(&str, &str, &str, &str)] = &[
    ("405/nonstandard-method-hello", "FOO", "/", "GET /"),
    ("405/nonstandard-method-listening-ports", "PROPFIND", "/api/v0/listening-ports", "GET /api/v0/listening-ports"),
    ("405/nonstandard-method-unknown-path", "FOO", "/nope", "404"),
    ("405/nonstandard-method-containers", "FOO", "/api/v0/containers", "ANY /api/v0/containers"),
];

/// Every router-rule case.
pub fn cases() -> Vec<Case> {
    let not_found = NOT_FOUND
        .iter()
        .map(|&(name, path)| router_exchange(name, "404", Request::get(path), Expect::not_found()));
    let wrong_method = WRONG_METHOD.iter().map(|&(name, method, path, route)| {
        router_exchange(
            name,
            route,
            Request::new(method, path),
            Expect::get_only_405(),
        )
    });
    let nonstandard = NONSTANDARD_METHOD
        .iter()
        .map(|&(name, method, path, route)| {
            router_exchange(
                name,
                route,
                Request::new(method, path),
                Expect::nonstandard_405(),
            )
        });
    let query_ignored = router_exchange(
        "query-string-ignored",
        "GET /",
        Request::get("/?x=1&y=%zz"),
        Expect::json(200, HELLO),
    );
    not_found
        .chain(wrong_method)
        .chain(nonstandard)
        .chain([query_ignored])
        .collect()
}
