//! The devcontainer operations' other paths (containers.md §5, §6, §9), controlled tier: a
//! delete whose container stop, container removal or sub-agent deletion fails (500 and the
//! devcontainer in `error`), a recreate that fails (status `error` with the error text, or
//! `running` with it when the container was made), a delete seen while `deleting`, a delete of
//! a devcontainer without a container, the id lookup's exactness and a Terraform-defined
//! devcontainer's rebuild.
//!
//! They are controlled-only: the failures are put in force through the scenario's
//! `devcontainers.failures`, and on a real agent a delete would destroy a workspace's container.

use crate::case::{Case, StepResult, Verdict};
use crate::context::Ctx;
use crate::expect::Expect;
use crate::failure::Failure;
use crate::http::Request;
use serde_json::{json, Value};
use std::sync::Arc;

use super::devcontainers::{
    check_listed_starting, controlled_case, delete_req, envelope, find, fixture_list, no_content,
    not_found, recreate_conflict, recreate_req, second_delete_while, start_recreate, wait_settled,
    Dc, CONTROLLED_BUDGET, DELETE, FAST_MS, RECREATE, SLOW_MS,
};

/// Every failure-path case.
#[rustfmt::skip]
pub fn cases() -> Vec<Case> {
    vec![
        controlled_case("containers/controlled/delete-stop-fails-500", DELETE, FAST_MS, delete_stop_fails)
            .checks(&["containers.delete.stop-failure-500", "containers.delete.failure-sets-error"]),
        controlled_case("containers/controlled/delete-remove-fails-500", DELETE, FAST_MS, delete_remove_fails)
            .checks(&["containers.delete.remove-failure-500", "containers.delete.failure-sets-error"]),
        controlled_case("containers/controlled/delete-agent-fails-500", DELETE, FAST_MS, delete_agent_fails)
            .checks(&["containers.delete.agent-failure-500", "containers.delete.failure-sets-error"]),
        controlled_case("containers/controlled/delete-while-deleting-409", DELETE, FAST_MS, delete_while_deleting)
            .checks(&["containers.delete.deleting", "containers.delete.transitioning-409"]),
        controlled_case("containers/controlled/delete-without-container-204", DELETE, FAST_MS, delete_without_container)
            .checks(&["containers.delete.without-container", "containers.delete.no-content-204", "containers.delete.removed"]),
        controlled_case("containers/controlled/recreate-fails-error", RECREATE, FAST_MS, recreate_fails)
            .checks(&["containers.recreate.failure-error", "containers.recreate.clears-error", "containers.recreate.accepts-settled"]),
        controlled_case("containers/controlled/recreate-script-fails-running", RECREATE, FAST_MS, recreate_script_fails)
            .checks(&["containers.recreate.failure-with-container"]),
        controlled_case("containers/controlled/recreate-uppercase-id-404", RECREATE, SLOW_MS, recreate_uppercase_id)
            .checks(&["containers.recreate.non-canonical-id-404"]),
        controlled_case("containers/controlled/recreate-terraform-defined-202", RECREATE, SLOW_MS, recreate_terraform_defined)
            .checks(&["containers.recreate.terraform-202", "containers.recreate.transitioning-409"]),
    ]
}

/// Puts one failure rule in force for `dc`'s folder.
async fn fail(ctx: &Ctx, dc: &Dc, step: &str, error: &str, extra: Value) -> Result<(), Failure> {
    let mut rule = json!({
        "workspace_folder": dc.value["workspace_folder"],
        "step": step,
        "error": error,
    });
    if let (Some(r), Some(e)) = (rule.as_object_mut(), extra.as_object()) {
        r.extend(e.clone());
    }
    ctx.patch_scenario(&json!({"devcontainers": {"failures": [rule]}}))
        .await
}

/// The listed devcontainer `id` has `status` and `error` (`None`: no `error` key).
async fn require_listed(
    ctx: &Ctx,
    id: &str,
    status: &str,
    error: Option<&str>,
) -> Result<(), Failure> {
    let (req, found) = find(ctx, id).await?;
    let d = found.map(|d| d.value).unwrap_or(Value::Null);
    if d["status"] != status || d.get("error").and_then(Value::as_str) != error {
        return Err(ctx.failure(
            &req,
            format!("the devcontainer is {d}: want status {status:?} and error {error:?}"),
        ));
    }
    Ok(())
}

/// A delete whose `step` fails: 500 with `message` and the error, then `error` in the list.
async fn delete_fails(ctx: &Ctx, dc: &Dc, step: &str, message: &str) -> StepResult {
    let error = format!("{step} error");
    fail(ctx, dc, step, &error, json!({})).await?;
    let expect = Expect::json(500, &envelope(message, &error));
    ctx.exchange(&delete_req(&dc.id), &expect).await?;
    require_listed(ctx, &dc.id, "error", Some(&error)).await?;
    Ok(Verdict::Pass)
}

async fn delete_stop_fails(ctx: Arc<Ctx>, dc: Dc) -> StepResult {
    delete_fails(
        &ctx,
        &dc,
        "stop",
        "An error occurred stopping the container",
    )
    .await
}

async fn delete_remove_fails(ctx: Arc<Ctx>, dc: Dc) -> StepResult {
    delete_fails(
        &ctx,
        &dc,
        "remove",
        "An error occurred removing the container",
    )
    .await
}

async fn delete_agent_fails(ctx: Arc<Ctx>, dc: Dc) -> StepResult {
    delete_fails(
        &ctx,
        &dc,
        "agent_delete",
        "An error occurred deleting the agent",
    )
    .await
}

async fn delete_while_deleting(ctx: Arc<Ctx>, dc: Dc) -> StepResult {
    // The delete is synchronous: while the first one waits on `docker rm` (made slow here), a
    // second one sees `deleting`.
    ctx.patch_scenario(&json!({"devcontainers": {"timings": {"remove_ms": 300}}}))
        .await?;
    second_delete_while(&ctx, &dc, "deleting").await
}

/// The fixture's second devcontainer: known, `stopped`, no container. Failing container steps
/// for its folder would answer 500 if the delete ran them.
async fn delete_without_container(ctx: Arc<Ctx>, _: Dc) -> StepResult {
    let Some(spec) = fixture_list(&ctx).into_iter().nth(1) else {
        return Ok(Verdict::Skip(
            "the fixture has no second devcontainer".into(),
        ));
    };
    let id = spec["id"].as_str().unwrap_or_default().to_string();
    let (req, found) = find(&ctx, &id).await?;
    let Some(dc) = found.filter(|d| d.value.get("container").is_none()) else {
        return Err(ctx.failure(
            &req,
            format!("devcontainer {id} is not listed without a container"),
        ));
    };
    let folder = &dc.value["workspace_folder"];
    let rules = json!([
        {"workspace_folder": folder, "step": "stop", "error": "stop error"},
        {"workspace_folder": folder, "step": "remove", "error": "remove error"},
    ]);
    ctx.patch_scenario(&json!({"devcontainers": {"failures": rules}}))
        .await?;
    ctx.exchange(&delete_req(&dc.id), &no_content()).await?;
    let (req, found) = find(&ctx, &dc.id).await?;
    if let Some(d) = found {
        return Err(ctx.failure(
            &req,
            format!(
                "after the 204 the devcontainer is still listed: {}",
                d.value
            ),
        ));
    }
    ctx.exchange(
        &recreate_req(&dc.id),
        &Expect::json(404, &not_found(&dc.id)),
    )
    .await?;
    Ok(Verdict::Pass)
}

async fn recreate_fails(ctx: Arc<Ctx>, dc: Dc) -> StepResult {
    fail(
        &ctx,
        &dc,
        "recreate",
        "simulated error",
        json!({"times": 1}),
    )
    .await?;
    let dc = start_recreate(&ctx, &dc).await?;
    let d = wait_settled(&ctx, &dc.id, CONTROLLED_BUDGET).await?;
    if d.status != "error" || d.value["error"] != "simulated error" {
        return Err(ctx.failure(
            &Request::get("/api/v0/containers"),
            format!("after a failed rebuild the devcontainer is {}: want status \"error\" and error \"simulated error\"", d.value),
        ));
    }
    // An `error` devcontainer is accepted again, and the new attempt clears the error.
    let again = start_recreate(&ctx, &d).await?;
    check_listed_starting(&ctx, &again, true).await?;
    Ok(Verdict::Pass)
}

async fn recreate_script_fails(ctx: Arc<Ctx>, dc: Dc) -> StepResult {
    let error = "postCreateCommand failed with exit code 1";
    fail(
        &ctx,
        &dc,
        "recreate",
        error,
        json!({"container_created": true}),
    )
    .await?;
    let dc = start_recreate(&ctx, &dc).await?;
    let d = wait_settled(&ctx, &dc.id, CONTROLLED_BUDGET).await?;
    if d.status != "running" || d.value["error"] != error {
        return Err(ctx.failure(
            &Request::get("/api/v0/containers"),
            format!("after a rebuild whose script failed the devcontainer is {}: want status \"running\" and error {error:?}", d.value),
        ));
    }
    Ok(Verdict::Pass)
}

async fn recreate_uppercase_id(ctx: Arc<Ctx>, dc: Dc) -> StepResult {
    let upper = dc.id.to_uppercase();
    ctx.exchange(
        &recreate_req(&upper),
        &Expect::json(404, &not_found(&upper)),
    )
    .await?;
    Ok(Verdict::Pass)
}

async fn recreate_terraform_defined(ctx: Arc<Ctx>, dc: Dc) -> StepResult {
    let mut known = fixture_list(&ctx);
    for d in known.iter_mut().filter(|d| d["id"] == dc.id.as_str()) {
        d["subagent_id"] = json!("3d5f7a9b-1c2e-4f60-8a7b-9c0d1e2f3a4b");
    }
    ctx.patch_scenario(&json!({"devcontainers": {"devcontainers": known}}))
        .await?;
    let dc = start_recreate(&ctx, &dc).await?;
    let expect = Expect::json(409, &recreate_conflict(&dc.name, "starting"));
    ctx.exchange(&recreate_req(&dc.id), &expect).await?;
    Ok(Verdict::Pass)
}
