//! Black-box cases for the mounted containers API (containers.md): the list's shape, the
//! sub-router's 404/405 answers, the recreate/delete id errors with their exact bodies, and the
//! watch route refusing a plain GET. Each is skipped (with the reason) when the agent gates the
//! feature.

use crate::case::{Case, Group, StepResult, Tier, Verdict};
use crate::context::Ctx;
use crate::expect::{check_go_json, Expect};
use crate::failure::Failure;
use crate::http::Request;
use std::sync::Arc;

use super::core::{gate, Gate};

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
    if gate(&ctx).await? != Gate::Mounted {
        return Ok(Verdict::Skip("the containers API is gated (403)".into()));
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

/// Every mounted-API case.
pub fn cases() -> Vec<Case> {
    let id = "0b7c2a44-1d55-4c0e-9e8f-3a2b1c0d9e8f";
    vec![
        Case::steps("containers/api/list-shape", Tier::BlackBox, LIST, |ctx| mounted(ctx, list_shape)),
        exchange_case(
            "containers/api/405-recreate-get",
            RECREATE,
            Request::get(&format!("/api/v0/containers/devcontainers/{id}/recreate")),
            Expect::status(405).header("allow", "POST").body(""),
        ),
        exchange_case(
            "containers/api/405-delete-post",
            DELETE,
            Request::new("POST", &format!("/api/v0/containers/devcontainers/{id}")),
            Expect::status(405).header("allow", "DELETE").body(""),
        ),
        exchange_case(
            "containers/api/404-devcontainers-bare",
            "404",
            Request::get("/api/v0/containers/devcontainers"),
            Expect::not_found(),
        ),
        exchange_case(
            "containers/api/404-watch-trailing-slash",
            "404",
            Request::get("/api/v0/containers/watch/"),
            Expect::not_found(),
        ),
        exchange_case(
            "containers/api/recreate-missing-id",
            RECREATE,
            Request::new("POST", "/api/v0/containers/devcontainers//recreate"),
            Expect::json(400, "{\"message\":\"Missing devcontainer ID\",\"detail\":\"Devcontainer ID is required to recreate a devcontainer.\"}\n"),
        ),
        exchange_case(
            "containers/api/delete-missing-id",
            DELETE,
            Request::new("DELETE", "/api/v0/containers/devcontainers//"),
            Expect::json(400, "{\"message\":\"Missing devcontainer ID\",\"detail\":\"Devcontainer ID is required to delete a devcontainer.\"}\n"),
        ),
        exchange_case(
            "containers/api/recreate-unknown-id",
            RECREATE,
            Request::new("POST", &format!("/api/v0/containers/devcontainers/{id}/recreate")),
            Expect::json(404, &format!("{{\"message\":\"Devcontainer not found.\",\"detail\":\"Could not find devcontainer with ID: \\\"{id}\\\"\"}}\n")),
        ),
        exchange_case(
            "containers/api/watch-refuses-plain-get",
            WATCH,
            Request::get("/api/v0/containers/watch"),
            Expect::status(426)
                .header("content-type", "text/plain; charset=utf-8")
                .contains("{\"message\":\"Failed to upgrade connection to websocket.\",\"detail\":\"failed to accept WebSocket connection: WebSocket protocol violation: "),
        ),
    ]
    .into_iter()
    .map(|c| c.in_group(Group::Devcontainers))
    .collect()
}

/// The list is `{devcontainers, containers[, warnings]}` in that order, arrays or null.
async fn list_shape(ctx: Arc<Ctx>) -> StepResult {
    let req = Request::get("/api/v0/containers");
    let resp = ctx.send(&req).await?;
    let v = check_go_json(&resp).map_err(|e| ctx.failure(&req, e))?;
    let keys: Vec<&str> = v
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    let ok_keys = keys == ["devcontainers", "containers"]
        || keys == ["devcontainers", "containers", "warnings"];
    let arr_or_null = |k: &str| v[k].is_null() || v[k].is_array();
    if resp.status != 200 || !ok_keys || !arr_or_null("devcontainers") || !arr_or_null("containers")
    {
        return Err(ctx.failure(&req, format!("status {} body {v}: want 200 {{devcontainers, containers[, warnings]}} in that order, arrays or null", resp.status)));
    }
    Ok(Verdict::Pass)
}
