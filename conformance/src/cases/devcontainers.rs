//! The devcontainer status machine (containers.md §5, §6, §9): recreate answers 202 and the
//! list shows `starting`, then `running`; a recreate or a delete while `starting` answers 409;
//! a delete answers 204 and the devcontainer leaves the list; an unknown id answers 404. All
//! bodies are compared byte for byte.
//!
//! Black-box cases use a devcontainer the agent already lists (skipped when there is none)
//! and never delete one: on a real agent that would destroy a workspace's container. The
//! controlled cases load the `containers-running` fixture and make its operations fast with a
//! `PATCH /__sim/scenario` of `devcontainers.timings`. The failure paths (500s, `error`) are in
//! `devcontainer_failures`, which builds on the helpers here.

use crate::case::{Case, Effect, Group, StepResult, Tier, Verdict};
use crate::context::Ctx;
use crate::expect::{check_go_json, Expect, JSON_CT};
use crate::failure::Failure;
use crate::http::{Request, Response};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::core::require_mounted;

pub const LIST: &str = "GET /api/v0/containers";
pub const RECREATE: &str = "POST /api/v0/containers/devcontainers/{id}/recreate";
pub const DELETE: &str = "DELETE /api/v0/containers/devcontainers/{id}";

/// The fixture the controlled cases load.
pub const FIXTURE: &str = "containers-running";
/// How long a black-box recreate may take on a real agent (`devcontainer up` builds images).
pub const BLACK_BOX_RECREATE_BUDGET: Duration = Duration::from_secs(120);
/// How long a controlled recreate may take (the scenario makes it take [`FAST_MS`]).
pub const CONTROLLED_BUDGET: Duration = Duration::from_secs(2);
/// `recreate_ms` when the case waits for the end of the recreate.
pub const FAST_MS: u64 = 150;
/// `recreate_ms` when the case needs the devcontainer to stay `starting` for a while.
pub const SLOW_MS: u64 = 3000;
const POLL: Duration = Duration::from_millis(50);

/// A Go string as `json.Encoder` writes it (HTML escaping on), without the newline.
fn enc(s: &str) -> String {
    let v = agent_sim::gojson::to_vec(&Value::String(s.to_string()));
    String::from_utf8_lossy(&v).trim_end().to_string()
}

/// Go's `%q` for the plain names devcontainers have.
fn go_quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// A `codersdk.Response` body as the agent writes it.
pub fn envelope(message: &str, detail: &str) -> String {
    format!(
        "{{\"message\":{},\"detail\":{}}}\n",
        enc(message),
        enc(detail)
    )
}

/// 202 to a recreate.
pub fn accepted(name: &str) -> String {
    envelope(
        "Devcontainer recreation initiated",
        &format!(
            "Recreation process for devcontainer {} has started.",
            go_quote(name)
        ),
    )
}

/// 409 to a recreate of a transitioning devcontainer.
pub fn recreate_conflict(name: &str, status: &str) -> String {
    envelope(
        "Unable to recreate transitioning devcontainer",
        &format!(
            "Devcontainer {} is currently {status} and cannot be restarted.",
            go_quote(name)
        ),
    )
}

/// 409 to a delete of a transitioning devcontainer.
pub fn delete_conflict(name: &str, status: &str) -> String {
    envelope(
        "Unable to delete transitioning devcontainer",
        &format!(
            "Devcontainer {} is currently {status} and cannot be deleted.",
            go_quote(name)
        ),
    )
}

/// 404 for an id no devcontainer has.
pub fn not_found(id: &str) -> String {
    envelope(
        "Devcontainer not found.",
        &format!("Could not find devcontainer with ID: {}", go_quote(id)),
    )
}

pub fn recreate_req(id: &str) -> Request {
    Request::new(
        "POST",
        &format!("/api/v0/containers/devcontainers/{id}/recreate"),
    )
}

pub fn delete_req(id: &str) -> Request {
    Request::new("DELETE", &format!("/api/v0/containers/devcontainers/{id}"))
}

/// One devcontainer as listed.
#[derive(Debug, Clone)]
pub struct Dc {
    pub id: String,
    pub name: String,
    pub status: String,
    pub value: Value,
}

/// `GET /api/v0/containers`: 200 and Go's encoding required.
pub async fn list(ctx: &Ctx) -> Result<(Request, Response, Value), Failure> {
    let req = Request::get("/api/v0/containers");
    let resp = ctx.send(&req).await?;
    if resp.status != 200 {
        return Err(ctx.failure(
            &req,
            format!("status {} (want 200): {}", resp.status, resp.text()),
        ));
    }
    let v = check_go_json(&resp).map_err(|e| ctx.failure(&req, e))?;
    Ok((req, resp, v))
}

pub fn devcontainers(v: &Value) -> Vec<Dc> {
    v["devcontainers"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|d| Dc {
                    id: d["id"].as_str().unwrap_or_default().to_string(),
                    name: d["name"].as_str().unwrap_or_default().to_string(),
                    status: d["status"].as_str().unwrap_or_default().to_string(),
                    value: d.clone(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The devcontainer with `id` in the current list.
pub async fn find(ctx: &Ctx, id: &str) -> Result<(Request, Option<Dc>), Failure> {
    let (req, _, v) = list(ctx).await?;
    Ok((req, devcontainers(&v).into_iter().find(|d| d.id == id)))
}

fn transitioning(status: &str) -> bool {
    matches!(status, "starting" | "stopping" | "deleting")
}

/// A listed devcontainer that is not transitioning (waiting for one while all are), or why
/// the case does not apply.
async fn settled(ctx: &Ctx) -> Result<Result<Dc, Verdict>, Failure> {
    let started = Instant::now();
    loop {
        let (req, _, v) = list(ctx).await?;
        let all = devcontainers(&v);
        if all.is_empty() {
            return Ok(Err(Verdict::Skip(
                "the agent lists no devcontainer to recreate".into(),
            )));
        }
        if let Some(d) = all.iter().find(|d| !transitioning(&d.status)) {
            return Ok(Ok(d.clone()));
        }
        if started.elapsed() > BLACK_BOX_RECREATE_BUDGET {
            return Err(ctx.failure(
                &req,
                format!(
                    "every devcontainer is still transitioning after {} s",
                    BLACK_BOX_RECREATE_BUDGET.as_secs()
                ),
            ));
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Recreates `dc`, requiring the exact 202, and returns it as it is now (`starting`).
pub async fn start_recreate(ctx: &Ctx, dc: &Dc) -> Result<Dc, Failure> {
    let req = recreate_req(&dc.id);
    ctx.exchange(&req, &Expect::json(202, &accepted(&dc.name)))
        .await?;
    Ok(Dc {
        status: "starting".into(),
        ..dc.clone()
    })
}

/// A devcontainer that is `starting`: one already is, or a settled one is recreated.
async fn starting(ctx: &Ctx) -> Result<Result<Dc, Verdict>, Failure> {
    let (_, _, v) = list(ctx).await?;
    if let Some(d) = devcontainers(&v)
        .into_iter()
        .find(|d| d.status == "starting")
    {
        return Ok(Ok(d));
    }
    match settled(ctx).await? {
        Ok(d) => Ok(Ok(start_recreate(ctx, &d).await?)),
        Err(skip) => Ok(Err(skip)),
    }
}

/// Polls the list until `id` leaves `starting`; its entry then.
pub async fn wait_settled(ctx: &Ctx, id: &str, budget: Duration) -> Result<Dc, Failure> {
    let started = Instant::now();
    loop {
        let (req, found) = find(ctx, id).await?;
        let Some(d) = found else {
            return Err(ctx.failure(
                &req,
                format!("devcontainer {id} left the list during its recreate"),
            ));
        };
        if d.status != "starting" {
            return Ok(d);
        }
        if started.elapsed() > budget {
            return Err(ctx.failure(
                &req,
                format!(
                    "devcontainer {id} is still \"starting\" {} ms after its recreate was accepted",
                    budget.as_millis()
                ),
            ));
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Right after a 202 the list shows the devcontainer `starting`, without an error.
pub async fn check_listed_starting(ctx: &Ctx, dc: &Dc, strict: bool) -> Result<(), Failure> {
    let (req, found) = find(ctx, &dc.id).await?;
    let Some(d) = found else {
        return Err(ctx.failure(&req, format!("devcontainer {} is not listed", dc.id)));
    };
    if d.status != "starting" || d.value.get("error").is_some() {
        return Err(ctx.failure(
            &req,
            format!(
                "after the 202 the devcontainer is {}: want status \"starting\" and no error",
                d.value
            ),
        ));
    }
    // The agent clears the container when the recreate starts; a real agent may relink it at
    // its next refresh (§5.1), so only the controlled tier requires it gone.
    if strict && d.value.get("container").is_some() {
        return Err(ctx.failure(
            &req,
            format!(
                "after the 202 the devcontainer is {}: the container link must be cleared",
                d.value
            ),
        ));
    }
    Ok(())
}

fn when_mounted<F, Fut>(name: &str, route: &str, f: F) -> Case
where
    F: Fn(Arc<Ctx>) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<Verdict, Failure>> + Send + 'static,
{
    let f = Arc::new(f);
    Case::steps(name, Tier::BlackBox, route, move |ctx| {
        let f = f.clone();
        async move {
            if let Some(skip) = require_mounted(&ctx).await? {
                return Ok(skip);
            }
            f(ctx).await
        }
    })
}

/// Every black-box state-machine case, in run order (they share one recreate when run in a
/// row: the first leaves the devcontainer `starting`, the next ones use it).
#[rustfmt::skip]
pub fn black_box_cases() -> Vec<Case> {
    vec![
        when_mounted("containers/state/recreate-accepted", RECREATE, state_recreate_accepted)
            .checks(&["containers.recreate.accepted-202", "containers.recreate.sets-starting", "containers.recreate.accepts-settled"]),
        when_mounted("containers/state/recreate-while-starting", RECREATE, state_recreate_while_starting)
            .checks(&["containers.recreate.transitioning-409"]),
        when_mounted("containers/state/delete-while-starting", DELETE, state_delete_while_starting)
            .checks(&["containers.delete.transitioning-409"]),
        when_mounted("containers/state/recreate-ends", RECREATE, state_recreate_ends)
            .checks(&["containers.recreate.success-running"]),
        when_mounted("containers/api/delete-unknown-id", DELETE, api_delete_unknown_id)
            .checks(&["containers.delete.not-found-404"]),
    ]
    .into_iter()
    .map(|c| {
        let c = c.in_group(Group::Devcontainers);
        if c.name.starts_with("containers/state/") {
            c.changes(Effect::RecreatesDevcontainers)
        } else {
            c
        }
    })
    .collect()
}

/// An id no agent knows.
pub const UNKNOWN_ID: &str = "0b7c2a44-1d55-4c0e-9e8f-3a2b1c0d9e8f";

/// The devcontainers of `fixture`'s scenario, as given.
fn fixture_devcontainers(json: &str) -> Vec<Value> {
    serde_json::from_str::<Value>(json)
        .ok()
        .and_then(|v| v["devcontainers"]["devcontainers"].as_array().cloned())
        .unwrap_or_default()
}

/// The devcontainers of [`FIXTURE`], as given (none when the fixture is missing).
pub fn fixture_list(ctx: &Ctx) -> Vec<Value> {
    ctx.fixtures
        .iter()
        .find(|f| f.name == FIXTURE)
        .map(|f| fixture_devcontainers(&f.json))
        .unwrap_or_default()
}

/// A devcontainer no fixture has: adding it makes a scenario's devcontainers differ.
pub fn marker_devcontainer() -> Value {
    json!({"id": "a9e1c0de-0000-4000-8000-00000000c0de", "workspace_folder": "/agent-conformance/reload"})
}

/// Puts `json` in force so that the agent-sim forgets the run-time containers state (a
/// recreate's new container, a deleted devcontainer): the scenario with one devcontainer more
/// first, then the scenario itself, which reloads the devcontainers from it.
pub async fn put_fresh(ctx: &Ctx, json: &str) -> Result<(), Failure> {
    let mut v: Value = serde_json::from_str(json)
        .map_err(|e| Failure::new(format!("scenario is not JSON: {e}")))?;
    let mut list = fixture_devcontainers(json);
    list.push(marker_devcontainer());
    if !v["devcontainers"].is_object() {
        v["devcontainers"] = json!({});
    }
    v["devcontainers"]["devcontainers"] = Value::Array(list);
    ctx.put_scenario(&v.to_string()).await?;
    ctx.put_scenario(json).await
}

/// The controlled tier's starting point: `containers-running` in force, fresh, with a recreate
/// lasting `recreate_ms`; its first devcontainer (id, name).
pub async fn setup(ctx: &Ctx, recreate_ms: u64) -> Result<Result<Dc, Verdict>, Failure> {
    let Some(f) = ctx.fixtures.iter().find(|f| f.name == FIXTURE) else {
        return Ok(Err(Verdict::Skip(format!("no fixture {FIXTURE}.json"))));
    };
    put_fresh(ctx, &f.json).await?;
    ctx.patch_scenario(&json!({"devcontainers": {"timings": {
        "recreate_ms": recreate_ms, "stop_ms": 50, "remove_ms": 50
    }}}))
    .await?;
    let Some(first) = fixture_devcontainers(&f.json).into_iter().next() else {
        return Ok(Err(Verdict::Skip(format!("{FIXTURE} has no devcontainer"))));
    };
    let id = first["id"].as_str().unwrap_or_default().to_string();
    let (req, found) = find(ctx, &id).await?;
    match found {
        Some(d) => Ok(Ok(d)),
        None => Err(ctx.failure(
            &req,
            format!("devcontainer {id} of fixture {FIXTURE} is not listed"),
        )),
    }
}

pub fn controlled_case<F, Fut>(name: &str, route: &str, recreate_ms: u64, f: F) -> Case
where
    F: Fn(Arc<Ctx>, Dc) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<Verdict, Failure>> + Send + 'static,
{
    let f = Arc::new(f);
    Case::steps(name, Tier::Controlled, route, move |ctx| {
        let f = f.clone();
        async move {
            match setup(&ctx, recreate_ms).await? {
                Ok(dc) => f(ctx, dc).await,
                Err(skip) => Ok(skip),
            }
        }
    })
    .changes(Effect::RecreatesDevcontainers)
}

/// `204`: no body, the JSON content type kept (containers.md §1.4).
pub fn no_content() -> Expect {
    Expect::status(204).header("content-type", JSON_CT).body("")
}

/// Every controlled state-machine case.
#[rustfmt::skip]
pub fn controlled_cases() -> Vec<Case> {
    vec![
        controlled_case("containers/controlled/recreate-starting-then-running", RECREATE, FAST_MS, controlled_recreate_starting_then_running)
            .checks(&["containers.recreate.success-running", "containers.recreate.clears-container", "containers.recreate.sets-starting"]),
        controlled_case("containers/controlled/recreate-twice-409", RECREATE, SLOW_MS, controlled_recreate_twice_409)
            .checks(&["containers.recreate.transitioning-409", "containers.recreate.sets-starting"]),
        controlled_case("containers/controlled/delete-during-recreate-409", DELETE, SLOW_MS, controlled_delete_during_recreate_409)
            .checks(&["containers.delete.transitioning-409"]),
        controlled_case("containers/controlled/delete-204", DELETE, FAST_MS, controlled_delete_204)
            .checks(&["containers.delete.no-content-204", "containers.delete.removed", "containers.encoding.no-content"]),
        controlled_case("containers/controlled/delete-while-stopping-409", DELETE, FAST_MS, controlled_delete_while_stopping_409)
            .checks(&["containers.delete.stopping", "containers.delete.transitioning-409"]),
    ]
}

async fn state_recreate_accepted(ctx: Arc<Ctx>) -> StepResult {
    let dc = match settled(&ctx).await? {
        Ok(d) => d,
        Err(skip) => return Ok(skip),
    };
    let dc = start_recreate(&ctx, &dc).await?;
    check_listed_starting(&ctx, &dc, false).await?;
    Ok(Verdict::Pass)
}

async fn state_recreate_while_starting(ctx: Arc<Ctx>) -> StepResult {
    let dc = match starting(&ctx).await? {
        Ok(d) => d,
        Err(skip) => return Ok(skip),
    };
    let expect = Expect::json(409, &recreate_conflict(&dc.name, "starting"));
    ctx.exchange(&recreate_req(&dc.id), &expect).await?;
    Ok(Verdict::Pass)
}

async fn state_delete_while_starting(ctx: Arc<Ctx>) -> StepResult {
    let dc = match starting(&ctx).await? {
        Ok(d) => d,
        Err(skip) => return Ok(skip),
    };
    let expect = Expect::json(409, &delete_conflict(&dc.name, "starting"));
    ctx.exchange(&delete_req(&dc.id), &expect).await?;
    Ok(Verdict::Pass)
}

async fn state_recreate_ends(ctx: Arc<Ctx>) -> StepResult {
    let dc = match starting(&ctx).await? {
        Ok(d) => d,
        Err(skip) => return Ok(skip),
    };
    let d = wait_settled(&ctx, &dc.id, BLACK_BOX_RECREATE_BUDGET).await?;
    // `devcontainer up` may fail on a real host: then `error` with its text (§5.1).
    let failed_with_text =
        d.status == "error" && d.value["error"].as_str().is_some_and(|e| !e.is_empty());
    if d.status != "running" && !failed_with_text {
        let req = Request::get("/api/v0/containers");
        return Err(ctx.failure(
                    &req,
                    format!(
                        "after \"starting\" the devcontainer is {}: want \"running\" (or \"error\" with the error text)",
                        d.value
                    ),
                ));
    }
    Ok(Verdict::Pass)
}

async fn api_delete_unknown_id(ctx: Arc<Ctx>) -> StepResult {
    let expect = Expect::json(404, &not_found(UNKNOWN_ID));
    ctx.exchange(&delete_req(UNKNOWN_ID), &expect).await?;
    Ok(Verdict::Pass)
}

async fn controlled_recreate_starting_then_running(ctx: Arc<Ctx>, dc: Dc) -> StepResult {
    let old_container = dc.value["container"]["id"].as_str().map(str::to_string);
    let dc = start_recreate(&ctx, &dc).await?;
    check_listed_starting(&ctx, &dc, true).await?;
    let d = wait_settled(&ctx, &dc.id, CONTROLLED_BUDGET).await?;
    let new_container = d.value["container"]["id"].as_str().map(str::to_string);
    if d.status != "running"
        || d.value.get("error").is_some()
        || d.value["dirty"] != false
        || new_container.is_none()
        || new_container == old_container
    {
        return Err(ctx.failure(
                    &Request::get("/api/v0/containers"),
                    format!(
                        "after the recreate the devcontainer is {}: want \"running\", not dirty, no error, linked to a new container",
                        d.value
                    ),
                ));
    }
    Ok(Verdict::Pass)
}

async fn controlled_recreate_twice_409(ctx: Arc<Ctx>, dc: Dc) -> StepResult {
    let dc = start_recreate(&ctx, &dc).await?;
    let expect = Expect::json(409, &recreate_conflict(&dc.name, "starting"));
    ctx.exchange(&recreate_req(&dc.id), &expect).await?;
    Ok(Verdict::Pass)
}

async fn controlled_delete_during_recreate_409(ctx: Arc<Ctx>, dc: Dc) -> StepResult {
    let dc = start_recreate(&ctx, &dc).await?;
    let expect = Expect::json(409, &delete_conflict(&dc.name, "starting"));
    ctx.exchange(&delete_req(&dc.id), &expect).await?;
    Ok(Verdict::Pass)
}

async fn controlled_delete_204(ctx: Arc<Ctx>, dc: Dc) -> StepResult {
    let container = dc.value["container"]["id"].as_str().map(str::to_string);
    ctx.exchange(&delete_req(&dc.id), &no_content()).await?;
    let (req, _, v) = list(&ctx).await?;
    let still = devcontainers(&v).iter().any(|d| d.id == dc.id);
    let kept = v["containers"].as_array().is_some_and(|a| {
        a.iter()
            .any(|c| c["id"].as_str().map(str::to_string) == container)
    });
    if still || kept {
        return Err(ctx.failure(
            &req,
            format!(
                "after the 204 the list still has the devcontainer {} or its container: {v}",
                dc.id
            ),
        ));
    }
    // Gone for good: the id is unknown now.
    ctx.exchange(
        &recreate_req(&dc.id),
        &Expect::json(404, &not_found(&dc.id)),
    )
    .await?;
    Ok(Verdict::Pass)
}

async fn controlled_delete_while_stopping_409(ctx: Arc<Ctx>, dc: Dc) -> StepResult {
    // The delete is synchronous: while the first one waits on `docker stop` (made
    // slow here), a second one sees `stopping`.
    ctx.patch_scenario(&json!({"devcontainers": {"timings": {"stop_ms": 300}}}))
        .await?;
    second_delete_while(&ctx, &dc, "stopping").await
}

/// Starts a delete of `dc` (its slow step made slow by the caller), waits until the list shows
/// `status` (`stopping` or `deleting`), requires the 409 a second delete gets then, and the 204
/// of the first one.
pub async fn second_delete_while(ctx: &Arc<Ctx>, dc: &Dc, status: &str) -> StepResult {
    let first = {
        let ctx = ctx.clone();
        let id = dc.id.clone();
        // It takes the slow step's time: give it time whatever `--timeout-ms` says.
        let client = ctx
            .client
            .with_timeout(ctx.client.timeout().max(CONTROLLED_BUDGET));
        tokio::spawn(async move {
            let req = delete_req(&id);
            client
                .send(&ctx.target, &req)
                .await
                .map_err(|e| ctx.failure(&req, e.to_string()))
        })
    };
    // `stopping` comes before `deleting`: both are steps on the way to the wanted one.
    let before: &[&str] = if status == "deleting" {
        &["running", "stopping"]
    } else {
        &["running"]
    };
    let (req, found) = loop {
        let (req, found) = find(ctx, &dc.id).await?;
        if found
            .as_ref()
            .is_none_or(|d| !before.contains(&d.status.as_str()))
        {
            break (req, found);
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    if found.as_ref().map(|d| d.status.as_str()) != Some(status) {
        return Err(ctx.failure(
            &req,
            format!(
                "during the delete the devcontainer is {:?}: want status {status:?}",
                found.map(|d| d.value)
            ),
        ));
    }
    let expect = Expect::json(409, &delete_conflict(&dc.name, status));
    ctx.exchange(&delete_req(&dc.id), &expect).await?;
    let done = first
        .await
        .map_err(|e| Failure::new(format!("the first delete crashed: {e}")))??;
    no_content()
        .check(&done)
        .map_err(|f| ctx.attach(&delete_req(&dc.id), f))?;
    Ok(Verdict::Pass)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bodies are the spec's (containers.md §9), byte for byte.
    #[test]
    fn bodies_match_the_spec() {
        assert_eq!(
            accepted("project1"),
            "{\"message\":\"Devcontainer recreation initiated\",\"detail\":\"Recreation process for devcontainer \\\"project1\\\" has started.\"}\n"
        );
        assert_eq!(
            recreate_conflict("", "starting"),
            "{\"message\":\"Unable to recreate transitioning devcontainer\",\"detail\":\"Devcontainer \\\"\\\" is currently starting and cannot be restarted.\"}\n"
        );
        assert_eq!(
            delete_conflict("p", "stopping"),
            "{\"message\":\"Unable to delete transitioning devcontainer\",\"detail\":\"Devcontainer \\\"p\\\" is currently stopping and cannot be deleted.\"}\n"
        );
        assert_eq!(
            not_found("x"),
            "{\"message\":\"Devcontainer not found.\",\"detail\":\"Could not find devcontainer with ID: \\\"x\\\"\"}\n"
        );
        // HTML escaping as Go's encoder does it.
        assert!(accepted("a<b").contains("a\\u003cb"));
    }
}
