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

/// Paths no route matches: (case name, path, the rule that makes it a 404) → 404.
#[rustfmt::skip]
const NOT_FOUND: &[(&str, &str, &str)] = &[
    ("404/unknown-path", "/nope", "core.router.not-found.status"),
    ("404/api-v0-bare", "/api/v0", "core.router.api-v0-catch-all"),
    ("404/api-v0-slash", "/api/v0/", "core.router.api-v0-catch-all"),
    ("404/api-v0-unknown", "/api/v0/foo", "core.router.api-v0-catch-all"),
    ("404/listening-ports-trailing-slash", "/api/v0/listening-ports/", "core.router.trailing-slash"),
    ("404/netcheck-subpath", "/api/v0/netcheck/x", "core.router.subpath"),
    ("404/percent-escape", "/api/v0/listening%2Dports", "core.router.raw-path"),
    ("404/double-slash", "//api/v0/netcheck", "core.router.no-path-cleaning"),
    ("404/unknown-v0-prefix-git-like", "/api/v0/unknown/deeper", "core.router.api-v0-catch-all"),
    ("404/debug-bare", "/debug", "core.router.debug-unknown"),
    ("404/debug-slash", "/debug/", "core.router.debug-unknown"),
    ("404/debug-unknown", "/debug/unknown", "core.router.debug-unknown"),
    ("404/debug-logs-trailing-slash", "/debug/logs/", "core.router.trailing-slash"),
    ("404/debug-magicsock-trailing-slash", "/debug/magicsock/", "core.router.trailing-slash"),
    ("404/debug-manifest-trailing-slash", "/debug/manifest/", "core.router.trailing-slash"),
    ("404/debug-prometheus-trailing-slash", "/debug/prometheus/", "core.router.trailing-slash"),
    ("404/debug-logging-no-state", "/debug/magicsock/debug-logging", "core.router.param-not-empty"),
    ("404/debug-logging-empty-state", "/debug/magicsock/debug-logging/", "core.router.param-not-empty"),
    ("404/debug-logging-state-trailing-slash", "/debug/magicsock/debug-logging/true/", "core.router.param-one-segment"),
    ("404/debug-logging-two-segments", "/debug/magicsock/debug-logging/a/b", "core.router.param-one-segment"),
    ("404/sim-prefix-is-not-agent", "/__sim_not_a_route", "core.router.not-found.status"),
    ("404/netcheck-trailing-slash", "/api/v0/netcheck/", "core.router.trailing-slash"),
    ("404/listening-ports-case", "/api/v0/Listening-Ports", "core.router.not-found.status"),
    ("404/debug-percent-escape", "/debug/%6Cogs", "core.router.raw-path"),
];

/// A wrong standard method on a GET-only route: (case name, method, path, route, the rule
/// that makes it a 405) → 405 `Allow: GET`.
#[rustfmt::skip]
const WRONG_METHOD: &[(&str, &str, &str, &str, &str)] = &[
    ("405/hello-post", "POST", "/", "GET /", "core.hello.get-only"),
    ("405/hello-put", "PUT", "/", "GET /", "core.hello.get-only"),
    ("405/hello-delete", "DELETE", "/", "GET /", "core.hello.get-only"),
    ("405/hello-head", "HEAD", "/", "GET /", "core.router.head-not-get"),
    ("405/hello-options", "OPTIONS", "/", "GET /", "core.hello.get-only"),
    ("405/hello-patch", "PATCH", "/", "GET /", "core.hello.get-only"),
    ("405/hello-trace", "TRACE", "/", "GET /", "core.hello.get-only"),
    ("405/listening-ports-post", "POST", "/api/v0/listening-ports", "GET /api/v0/listening-ports", "core.router.mount-405"),
    ("405/listening-ports-put", "PUT", "/api/v0/listening-ports", "GET /api/v0/listening-ports", "core.router.mount-405"),
    ("405/listening-ports-head", "HEAD", "/api/v0/listening-ports", "GET /api/v0/listening-ports", "core.router.head-not-get"),
    ("405/netcheck-post", "POST", "/api/v0/netcheck", "GET /api/v0/netcheck", "core.router.mount-405"),
    ("405/netcheck-head", "HEAD", "/api/v0/netcheck", "GET /api/v0/netcheck", "core.router.head-not-get"),
    ("405/debug-logs-post", "POST", "/debug/logs", "GET /debug/logs", "core.router.debug-405"),
    ("405/debug-magicsock-post", "POST", "/debug/magicsock", "GET /debug/magicsock", "core.router.debug-405"),
    ("405/debug-logging-put", "PUT", "/debug/magicsock/debug-logging/true", "GET /debug/magicsock/debug-logging/{state}", "core.router.debug-405"),
    ("405/debug-manifest-head", "HEAD", "/debug/manifest", "GET /debug/manifest", "core.router.head-not-get"),
    ("405/debug-prometheus-delete", "DELETE", "/debug/prometheus", "GET /debug/prometheus", "core.router.debug-405"),
    ("405/debug-logs-patch", "PATCH", "/debug/logs", "GET /debug/logs", "core.router.debug-405"),
    ("405/debug-logging-head", "HEAD", "/debug/magicsock/debug-logging/false", "GET /debug/magicsock/debug-logging/{state}", "core.router.head-not-get"),
];

/// A method that is not standard: (case name, method, path, route, rule) → chi's 405
/// without `Allow`.
#[rustfmt::skip]
const NONSTANDARD_METHOD: &[(&str, &str, &str, &str, &str)] = &[
    ("405/nonstandard-method-hello", "FOO", "/", "GET /", "core.router.nonstandard-method"),
    ("405/nonstandard-method-listening-ports", "PROPFIND", "/api/v0/listening-ports", "GET /api/v0/listening-ports", "core.router.nonstandard-method"),
    ("405/nonstandard-method-unknown-path", "FOO", "/nope", "404", "core.router.nonstandard-method"),
    ("405/nonstandard-method-lowercase-get", "get", "/", "GET /", "core.router.nonstandard-method"),
    ("405/nonstandard-method-debug", "PURGE", "/debug/logs", "GET /debug/logs", "core.router.nonstandard-method"),
    ("405/nonstandard-method-containers", "FOO", "/api/v0/containers", "ANY /api/v0/containers", "core.gate.nonstandard-method"),
];

/// What every 404 case checks besides its own rule.
const NOT_FOUND_RULES: [&str; 4] = [
    "core.router.not-found.status",
    "core.router.not-found.body",
    "core.router.not-found.content-type",
    "core.router.not-found.nosniff",
];

/// What every 405 case checks besides its own rule.
const WRONG_METHOD_RULES: [&str; 3] = [
    "core.router.method-not-allowed.status",
    "core.router.method-not-allowed.allow",
    "core.router.method-not-allowed.empty",
];

/// A method table's row (name, method, path, route, rule) as a case expecting `expect`.
fn method_case(
    &(name, method, path, route, rule): &(&str, &str, &str, &str, &'static str),
    expect: Expect,
    common: &[&'static str],
) -> Case {
    router_exchange(name, route, Request::new(method, path), expect)
        .checks(common)
        .checks(&[rule])
}

/// Every router-rule case.
pub fn cases() -> Vec<Case> {
    let not_found = NOT_FOUND.iter().map(|&(name, path, rule)| {
        router_exchange(name, "404", Request::get(path), Expect::not_found())
            .checks(&NOT_FOUND_RULES)
            .checks(&[rule])
    });
    let wrong_method = WRONG_METHOD
        .iter()
        .map(|row| method_case(row, Expect::get_only_405(), &WRONG_METHOD_RULES));
    let nonstandard = NONSTANDARD_METHOD.iter().map(|row| {
        method_case(
            row,
            Expect::nonstandard_405(),
            &["core.router.method-not-allowed.empty"],
        )
    });
    let query_ignored = router_exchange(
        "query-string-ignored",
        "GET /",
        Request::get("/?x=1&y=%zz"),
        Expect::json(200, HELLO),
    )
    .checks(&["core.router.query-ignored", "core.hello.body"]);
    not_found
        .chain(wrong_method)
        .chain(nonstandard)
        .chain([query_ignored])
        .collect()
}
