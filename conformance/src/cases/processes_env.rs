//! Cases for what a started process gets (processes.md §4.2–4.3, §2.4): the agent's predefined
//! variables (`CODER_AGENT_TOKEN` among them), the request's env on top, the working directory;
//! and, with the control API, the manifest's variables and directory and the chat scoping a
//! `Coder-Chat-Id` header turns on.

use crate::case::{Case, Effect, StepResult, Tier, Verdict};
use crate::context::Ctx;
use crate::expect::Expect;
use crate::failure::Failure;
use crate::http::Request;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

use super::process_api::{
    entry, list, not_found_body, not_running_body, signal_request, start, start_with, wait_output,
    LIST, START,
};

#[rustfmt::skip]
pub fn cases() -> Vec<Case> {
    vec![
        Case::steps("process/exec/env/agent-variables", Tier::BlackBox, START, env_agent_variables).checks(&["processes.env.coder", "processes.env.workspace-names", "processes.env.git-ssh", "processes.env.cs-disable", "processes.env.agent-env", "processes.env.script-bin-path"]),
        Case::steps("process/exec/env/agent-token", Tier::BlackBox, START, env_agent_token).checks(&["processes.env.agent-token"]),
        Case::steps("process/exec/env/request-overrides", Tier::BlackBox, START, env_request_overrides).checks(&["processes.env.request", "processes.env.request-overrides"]),
        Case::steps("process/exec/workdir-relative", Tier::BlackBox, LIST, workdir_relative).checks(&["processes.workdir.relative"]),
    ]
}

/// Cases that need the control API (they switch the scenario's settings; the runner puts every
/// controlled case in `Group::Scenario`).
#[rustfmt::skip]
pub fn controlled_cases() -> Vec<Case> {
    vec![
        // The chat middleware is a profile switch of agent-sim (processes.md Appendix C).
        Case::steps("process/chat/scoping", Tier::Controlled, LIST, chat_scoping).checks(&["processes.chat.header-uuid", "processes.chat.list-filter", "processes.chat.output-foreign", "processes.chat.signal-foreign-first", "processes.chat.chatless-open", "processes.chat.env", "processes.chat.canonical"]),
        // The manifest's directory and variables come from coderd: only a scenario sets them.
        Case::steps("process/workdir/manifest", Tier::Controlled, START, workdir_manifest).checks(&["processes.workdir.configured", "processes.workdir.home", "processes.env.manifest-vars"]),
    ]
    .into_iter()
    .map(|c| c.changes(Effect::StartsProcesses))
    .collect()
}

/// Runs `env` (with this request env) and parses its `KEY=VALUE` lines. The session token is
/// left out: it must not end up in a report.
async fn process_env(
    ctx: &Ctx,
    env: &BTreeMap<&str, &str>,
) -> Result<(Request, BTreeMap<String, String>), Failure> {
    let body = json!({"command": "unset CODER_AGENT_TOKEN; env", "env": env});
    let id = start_with(ctx, &body, &[]).await?;
    let (req, v) = wait_output(ctx, &id).await?;
    let vars = v["output"]
        .as_str()
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Ok((req, vars))
}

async fn env_agent_variables(ctx: Arc<Ctx>) -> StepResult {
    let (req, vars) = process_env(&ctx, &BTreeMap::new()).await?;
    let get = |k: &str| vars.get(k).map(String::as_str).unwrap_or_default();
    let first_path = get("PATH").split(':').next().unwrap_or_default();
    let problems: Vec<&str> = [
        (get("CODER") == "true", "CODER=true"),
        (
            !get("CODER_WORKSPACE_NAME").is_empty(),
            "a CODER_WORKSPACE_NAME",
        ),
        (
            !get("CODER_WORKSPACE_AGENT_NAME").is_empty(),
            "a CODER_WORKSPACE_AGENT_NAME",
        ),
        (
            get("GIT_SSH_COMMAND").ends_with(" gitssh --"),
            "GIT_SSH_COMMAND=<agent> gitssh --",
        ),
        (
            get("CS_DISABLE_GETTING_STARTED_OVERRIDE") == "true",
            "CS_DISABLE_GETTING_STARTED_OVERRIDE=true",
        ),
        (!get("HOME").is_empty(), "the agent's HOME"),
        (
            first_path.ends_with("/coder-script-data/bin"),
            "PATH starting with …/coder-script-data/bin",
        ),
    ]
    .into_iter()
    .filter(|(ok, _)| !ok)
    .map(|(_, want)| want)
    .collect();
    if !problems.is_empty() {
        return Err(ctx.failure(
            &req,
            format!("the process's env lacks {}", problems.join(", ")),
        ));
    }
    Ok(Verdict::Pass)
}

async fn env_agent_token(ctx: Arc<Ctx>) -> StepResult {
    // Only whether it is set comes back, never the token itself.
    let cmd = "if [ -n \"${CODER_AGENT_TOKEN:-}\" ]; then echo set; else echo unset; fi";
    let id = start(&ctx, cmd).await?;
    let (req, v) = wait_output(&ctx, &id).await?;
    if v["output"] != "set\n" {
        return Err(ctx.failure(
            &req,
            "the process's env has no CODER_AGENT_TOKEN (the agent's session token)",
        ));
    }
    Ok(Verdict::Pass)
}

async fn env_request_overrides(ctx: Arc<Ctx>) -> StepResult {
    let env = BTreeMap::from([
        ("CODER", "overridden"),
        ("CONFORMANCE_REQUEST_VAR", "a b=c"),
    ]);
    let (req, vars) = process_env(&ctx, &env).await?;
    let got = (vars.get("CODER"), vars.get("CONFORMANCE_REQUEST_VAR"));
    if got != (Some(&"overridden".to_string()), Some(&"a b=c".to_string())) {
        return Err(ctx.failure(
            &req,
            format!("CODER, CONFORMANCE_REQUEST_VAR = {got:?}: the request env must win"),
        ));
    }
    Ok(Verdict::Pass)
}

async fn workdir_relative(ctx: Arc<Ctx>) -> StepResult {
    let id = start_with(&ctx, &json!({"command": "pwd", "workdir": "."}), &[]).await?;
    let (req, v) = wait_output(&ctx, &id).await?;
    if !v["output"].as_str().is_some_and(|o| o.starts_with('/')) || v["exit_code"] != 0 {
        return Err(ctx.failure(&req, format!("{v}: workdir \".\" is the agent's cwd")));
    }
    let (req, entries) = list(&ctx, &[]).await?;
    match entry(&entries, &id) {
        Some(e) if e["workdir"] == "." => Ok(Verdict::Pass),
        other => Err(ctx.failure(&req, format!("{other:?}: want workdir \".\" as given"))),
    }
}

/// Starts `command` with a chat header (`None`: without one), returns its id.
async fn start_as(ctx: &Ctx, chat: Option<&str>, body: Value) -> Result<String, Failure> {
    let headers: Vec<(&str, &str)> = chat.map(|c| ("Coder-Chat-Id", c)).into_iter().collect();
    start_with(ctx, &body, &headers).await
}

/// The ids `/list` shows to a caller with this chat header.
async fn listed_ids(ctx: &Ctx, chat: Option<&str>) -> Result<Vec<String>, Failure> {
    let headers: Vec<(&str, &str)> = chat.map(|c| ("Coder-Chat-Id", c)).into_iter().collect();
    let (_, entries) = list(ctx, &headers).await?;
    Ok(entries
        .iter()
        .filter_map(|e| e["id"].as_str().map(String::from))
        .collect())
}

fn as_chat(mut req: Request, chat: &str) -> Request {
    req.headers.push(("Coder-Chat-Id".into(), chat.into()));
    req
}

async fn chat_scoping(ctx: Arc<Ctx>) -> StepResult {
    ctx.patch_scenario(&json!({"processes": {"mode": "exec", "chat_scoping": true}}))
        .await?;
    let result = chat_steps(&ctx).await;
    ctx.patch_scenario(&json!({"processes": {"chat_scoping": false}}))
        .await?;
    result
}

async fn chat_steps(ctx: &Ctx) -> StepResult {
    let a = uuid::Uuid::new_v4().to_string();
    let b = uuid::Uuid::new_v4().to_string();
    let cmd = json!({"command": "printf %s \"$CODER_CHAT_ID\"", "env": {"CODER_CHAT_ID": "mine"}});
    let in_a = start_as(ctx, Some(&a), cmd).await?;
    let (req, v) = wait_output(ctx, &in_a).await?;
    if v["output"] != a.as_str() {
        return Err(ctx.failure(&req, format!("{v}: CODER_CHAT_ID must be the chat {a}")));
    }
    let upper = a.to_uppercase();
    let in_a_upper = start_as(ctx, Some(&upper), json!({"command": "exit 0"})).await?;
    let chatless = start_as(ctx, None, json!({"command": "exit 0"})).await?;
    wait_output(ctx, &chatless).await?;
    let list_req = Request::get("/api/v0/processes/list");
    let seen_by_a = listed_ids(ctx, Some(&a)).await?;
    let mine = [in_a.clone(), in_a_upper.clone()];
    if seen_by_a.len() != 2 || mine.iter().any(|id| !seen_by_a.contains(id)) {
        return Err(ctx.failure(
            &list_req,
            format!("chat {a} sees {seen_by_a:?}: want {mine:?}"),
        ));
    }
    if !listed_ids(ctx, Some(&b)).await?.is_empty() {
        return Err(ctx.failure(&list_req, format!("a new chat {b} must see nothing")));
    }
    for header in [None, Some("not-a-uuid")] {
        let all = listed_ids(ctx, header).await?;
        if !all.contains(&chatless) || !all.contains(&in_a) {
            return Err(ctx.failure(
                &list_req,
                format!("chat header {header:?} must see every process"),
            ));
        }
    }
    chat_cross_access(ctx, &b, &in_a, &chatless).await
}

/// Chat `b` cannot reach `a`'s process (404 before the body is read) but can reach a
/// chat-less one.
async fn chat_cross_access(ctx: &Ctx, b: &str, of_a: &str, chatless: &str) -> StepResult {
    let nf = not_found_body(of_a);
    let read = as_chat(Request::get(&format!("/api/v0/processes/{of_a}/output")), b);
    ctx.exchange(&read, &Expect::json(404, &nf)).await?;
    let empty_body = as_chat(
        Request::new("POST", &format!("/api/v0/processes/{of_a}/signal")),
        b,
    );
    ctx.exchange(&empty_body, &Expect::json(404, &nf)).await?;
    let read = as_chat(
        Request::get(&format!("/api/v0/processes/{chatless}/output")),
        b,
    );
    ctx.exchange(&read, &Expect::status(200)).await?;
    let not_running = not_running_body(chatless);
    let sig = as_chat(signal_request(chatless, "kill"), b);
    ctx.exchange(&sig, &Expect::json(409, &not_running)).await?;
    Ok(Verdict::Pass)
}

async fn workdir_manifest(ctx: Arc<Ctx>) -> StepResult {
    let scenario = ctx.control_call(&Request::get("/__sim/scenario")).await?;
    let before: Value = serde_json::from_slice(&scenario.body).unwrap_or_default();
    let restore = json!({"manifest": {
        "directory": before["manifest"]["directory"],
        "environment_variables": before["manifest"]["environment_variables"],
    }});
    let result = manifest_steps(&ctx).await;
    ctx.patch_scenario(&restore).await?;
    result
}

async fn manifest_steps(ctx: &Ctx) -> StepResult {
    let show = "printf '%s|%s|%s' \"$(pwd)\" \"$HOME\" \"$FROM_MANIFEST\"";
    for (directory, from_home) in [("/no/such/dir", true), ("/", false)] {
        ctx.patch_scenario(&json!({"processes": {"mode": "exec"}, "manifest": {
            "directory": directory,
            "environment_variables": {"FROM_MANIFEST": "m:$HOME"},
        }}))
        .await?;
        let id = start(ctx, show).await?;
        let (req, v) = wait_output(ctx, &id).await?;
        let out = v["output"].as_str().unwrap_or_default().to_string();
        let parts: Vec<&str> = out.split('|').collect();
        let [pwd, home, var] = parts.as_slice() else {
            return Err(ctx.failure(&req, format!("{v}: want pwd|HOME|FROM_MANIFEST")));
        };
        let want_dir = if from_home { *home } else { directory };
        if *pwd != want_dir || *var != format!("m:{home}") {
            return Err(ctx.failure(
                &req,
                format!("manifest directory {directory:?}: ran in {pwd:?} with FROM_MANIFEST={var:?} (want {want_dir:?}, m:$HOME expanded)"),
            ));
        }
        let (req, entries) = list(ctx, &[]).await?;
        if entry(&entries, &id).map(|e| &e["workdir"]) != Some(&json!(want_dir)) {
            return Err(ctx.failure(
                &req,
                format!("/list must report the workdir used, {want_dir:?}"),
            ));
        }
    }
    Ok(Verdict::Pass)
}
