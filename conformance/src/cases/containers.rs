//! Black-box cases for the mounted containers API (containers.md §2-§6): the list's shape and
//! its spellings, the sub-router's 404/405 answers, the recreate/delete id errors with their
//! exact bodies, and the watch route's handshake refusals (a plain GET, a wrong version, no key,
//! a foreign origin). Each is skipped (with the reason) when the agent gates the feature.

use crate::case::{Case, Group, StepResult, Tier, Verdict};
use crate::context::Ctx;
use crate::expect::{check_go_json, json_keys, Expect};
use crate::failure::Failure;
use crate::http::Request;
use std::sync::Arc;

use super::core::require_mounted;
use super::devcontainers::envelope;

const LIST: &str = "GET /api/v0/containers";
const RECREATE: &str = "POST /api/v0/containers/devcontainers/{id}/recreate";
const DELETE: &str = "DELETE /api/v0/containers/devcontainers/{id}";
const WATCH: &str = "GET /api/v0/containers/watch";

/// Runs `f` only when the containers API is mounted.
async fn mounted<F, Fut>(ctx: Arc<Ctx>, f: F) -> Result<Verdict, Failure>
where
    F: FnOnce(Arc<Ctx>) -> Fut,
    Fut: std::future::Future<Output = Result<Verdict, Failure>>,
{
    if let Some(skip) = require_mounted(&ctx).await? {
        return Ok(skip);
    }
    f(ctx).await
}

fn exchange_case(name: &str, route: &str, req: Request, expect: Expect) -> Case {
    Case::steps(name, Tier::BlackBox, route, move |ctx| {
        let (req, expect) = (req.clone(), expect.clone());
        mounted(ctx, move |ctx| async move {
            ctx.exchange(&req, &expect).await?;
            Ok(Verdict::Pass)
        })
    })
}

/// An id no agent knows.
const ID: &str = "0b7c2a44-1d55-4c0e-9e8f-3a2b1c0d9e8f";

fn missing_id(verb: &str) -> String {
    format!("{{\"message\":\"Missing devcontainer ID\",\"detail\":\"Devcontainer ID is required to {verb} a devcontainer.\"}}\n")
}

fn unknown_id(id: &str) -> String {
    format!("{{\"message\":\"Devcontainer not found.\",\"detail\":\"Could not find devcontainer with ID: \\\"{id}\\\"\"}}\n")
}

/// `GET /watch` with the upgrade headers a websocket client sends, minus `drop`, plus `extra`.
fn handshake(drop: &str, extra: &[(&str, &str)]) -> Request {
    let mut req = Request::get("/api/v0/containers/watch");
    let base = [
        ("Connection", "Upgrade"),
        ("Upgrade", "websocket"),
        ("Sec-WebSocket-Version", "13"),
        ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
    ];
    for (k, v) in base.iter().filter(|(k, _)| *k != drop).chain(extra) {
        req.headers.push((k.to_string(), v.to_string()));
    }
    req
}

/// The library's refusal of a handshake: `status`, its error text and a newline, then the
/// handler's JSON naming the same error.
fn refused(status: u16, error: &str) -> Expect {
    let json = envelope(
        "Failed to upgrade connection to websocket.",
        &format!("failed to accept WebSocket connection: {error}"),
    );
    Expect::status(status)
        .header("content-type", "text/plain; charset=utf-8")
        .body(format!("{error}\n{json}"))
}

/// Every mounted-API case.
#[rustfmt::skip]
pub fn cases() -> Vec<Case> {
    let recreate = |id: &str| format!("/api/v0/containers/devcontainers/{id}/recreate");
    let devcontainer = |id: &str| format!("/api/v0/containers/devcontainers/{id}");
    vec![
        Case::steps("containers/api/list-shape", Tier::BlackBox, LIST, |ctx| mounted(ctx, list_shape))
            .checks(&["containers.list.ok-200", "containers.list.key-order", "containers.encoding.json-content-type", "containers.encoding.go-json"]),
        Case::steps("containers/api/list-same-at-every-spelling", Tier::BlackBox, LIST, |ctx| mounted(ctx, list_spellings))
            .checks(&["containers.routing.list-root", "containers.routing.query-ignored"]),
        exchange_case("containers/api/405-list-post", LIST, Request::new("POST", "/api/v0/containers"), Expect::get_only_405())
            .checks(&["containers.routing.405-list"]),
        exchange_case("containers/api/405-list-head", LIST, Request::new("HEAD", "/api/v0/containers"), Expect::get_only_405())
            .checks(&["containers.routing.405-head"]),
        exchange_case("containers/api/405-watch-post", WATCH, Request::new("POST", "/api/v0/containers/watch"), Expect::get_only_405())
            .checks(&["containers.routing.405-watch"]),
        exchange_case("containers/api/405-recreate-get", RECREATE, Request::get(&recreate(ID)), Expect::status(405).header("allow", "POST").body(""))
            .checks(&["containers.routing.405-recreate"]),
        exchange_case("containers/api/405-delete-post", DELETE, Request::new("POST", &devcontainer(ID)), Expect::status(405).header("allow", "DELETE").body(""))
            .checks(&["containers.routing.405-delete"]),
        exchange_case("containers/api/404-devcontainers-bare", "404", Request::get("/api/v0/containers/devcontainers"), Expect::not_found())
            .checks(&["containers.routing.devcontainers-bare-404"]),
        exchange_case("containers/api/404-watch-trailing-slash", "404", Request::get("/api/v0/containers/watch/"), Expect::not_found())
            .checks(&["containers.routing.watch-trailing-slash-404"]),
        exchange_case("containers/api/404-recreate-trailing-slash", "404", Request::new("POST", &format!("{}/", recreate(ID))), Expect::not_found())
            .checks(&["containers.routing.recreate-trailing-slash-404"]),
        exchange_case("containers/api/404-unknown-subpath", "404", Request::get("/api/v0/containers/devcontainers/x/logs"), Expect::not_found())
            .checks(&["containers.routing.unknown-404"]),
        exchange_case("containers/api/recreate-missing-id", RECREATE, Request::new("POST", "/api/v0/containers/devcontainers//recreate"), Expect::json(400, &missing_id("recreate")))
            .checks(&["containers.recreate.missing-id-400", "containers.routing.empty-id-segment", "containers.encoding.error-envelope"]),
        exchange_case("containers/api/delete-missing-id", DELETE, Request::new("DELETE", "/api/v0/containers/devcontainers//"), Expect::json(400, &missing_id("delete")))
            .checks(&["containers.delete.missing-id-400", "containers.routing.empty-id-segment"]),
        exchange_case("containers/api/recreate-unknown-id", RECREATE, Request::new("POST", &recreate(ID)), Expect::json(404, &unknown_id(ID)))
            .checks(&["containers.recreate.not-found-404", "containers.encoding.error-envelope"]),
        exchange_case("containers/api/recreate-non-uuid-id", RECREATE, Request::new("POST", &recreate("Not-A-UUID")), Expect::json(404, &unknown_id("Not-A-UUID")))
            .checks(&["containers.recreate.non-canonical-id-404"]),
        exchange_case("containers/api/delete-unknown-id-trailing-slash", DELETE, Request::new("DELETE", &format!("{}/", devcontainer(ID))), Expect::json(404, &unknown_id(ID)))
            .checks(&["containers.routing.delete-trailing-slash", "containers.delete.not-found-404"]),
        exchange_case(
            "containers/api/watch-refuses-plain-get", WATCH, Request::get("/api/v0/containers/watch"),
            refused(426, "WebSocket protocol violation: Connection header \"\" does not contain Upgrade").header("connection", "Upgrade").header("upgrade", "websocket"),
        )
        .checks(&["containers.watch.plain-get-426", "containers.watch.426-headers", "containers.watch.426-body"]),
        exchange_case("containers/api/watch-refuses-version-8", WATCH, handshake("Sec-WebSocket-Version", &[("Sec-WebSocket-Version", "8")]), refused(400, "unsupported WebSocket protocol version (only 13 is supported): \"8\""))
            .checks(&["containers.watch.bad-version-400"]),
        exchange_case("containers/api/watch-refuses-missing-key", WATCH, handshake("Sec-WebSocket-Key", &[]), refused(400, "WebSocket protocol violation: missing Sec-WebSocket-Key"))
            .checks(&["containers.watch.missing-key-400"]),
        exchange_case("containers/api/watch-refuses-foreign-origin", WATCH, handshake("", &[("Origin", "https://elsewhere.example")]), Expect::status(403).header("content-type", "text/plain; charset=utf-8").contains("request Origin \\\"elsewhere.example\\\" is not authorized for Host "))
            .checks(&["containers.watch.foreign-origin-403"]),
    ]
    .into_iter()
    .map(|c| c.in_group(Group::Devcontainers))
    .collect()
}

/// The list answers the same at `/api/v0/containers`, with a trailing slash and with a query
/// (read twice around them: a change may fall in between).
async fn list_spellings(ctx: Arc<Ctx>) -> StepResult {
    let plain = Request::get("/api/v0/containers");
    let before = ctx.send(&plain).await?;
    for path in ["/api/v0/containers/", "/api/v0/containers?label=a%3Db"] {
        let req = Request::get(path);
        let resp = ctx.send(&req).await?;
        if resp.status == 200 && resp.body == before.body {
            continue;
        }
        let after = ctx.send(&plain).await?;
        if resp.status != 200 || resp.body != after.body {
            let f = Failure::new(format!(
                "{path} answers {} and not the list GET /api/v0/containers answers",
                resp.status
            ))
            .with_diff(&after.text(), &resp.text());
            return Err(ctx.attach(&req, f));
        }
    }
    Ok(Verdict::Pass)
}

/// The list is `{devcontainers, containers[, warnings]}` in that order, arrays or null.
async fn list_shape(ctx: Arc<Ctx>) -> StepResult {
    let req = Request::get("/api/v0/containers");
    let resp = ctx.send(&req).await?;
    let v = check_go_json(&resp).map_err(|e| ctx.failure(&req, e))?;
    let keys: Vec<&str> = json_keys(&v);
    let ok_keys = keys == ["devcontainers", "containers"]
        || keys == ["devcontainers", "containers", "warnings"];
    let arr_or_null = |k: &str| v[k].is_null() || v[k].is_array();
    if resp.status != 200 || !ok_keys || !arr_or_null("devcontainers") || !arr_or_null("containers")
    {
        return Err(ctx.failure(&req, format!("status {} body {v}: want 200 {{devcontainers, containers[, warnings]}} in that order, arrays or null", resp.status)));
    }
    Ok(Verdict::Pass)
}
