//! Black-box cases that start processes (processes.md §3–4): the start answer, output with and
//! without `?wait=`, exit codes, and the signals and what they reach.
//! Every case kills what it started; they run one at a time in `Group::Processes`.

use crate::case::{Case, StepResult, Tier, Verdict};
use crate::context::Ctx;
use crate::expect::{json_keys, Expect};
use crate::http::Request;
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::process_api::{
    expect_value, kill_quietly, not_running_body, output, poll_exit, post_json, sent_body,
    signal_request, start, wait_for_output, wait_output, OUTPUT, SIGNAL, START,
};

/// How long a signalled or short process may take to be reported exited.
const EXIT_LIMIT: Duration = Duration::from_secs(3);

#[rustfmt::skip]
pub fn cases() -> Vec<Case> {
    vec![
        Case::steps("process/exec/output-round-trip", Tier::BlackBox, OUTPUT, exec_output_round_trip).checks(&["processes.start.merged-streams", "processes.output.exited", "processes.output.fields", "processes.response.html-escape"]),
        Case::steps("process/exec/exit-codes", Tier::BlackBox, OUTPUT, exec_exit_codes).checks(&["processes.exit.status", "processes.exit.mod-256", "processes.exit.not-found-127", "processes.start.unknown-command"]),
        Case::steps("process/exec/kill-reports-minus-1", Tier::BlackBox, SIGNAL, exec_kill_reports_minus_1).checks(&["processes.exit.signal-minus-1", "processes.signal.sent", "processes.signal.not-running"]),
        Case::steps("process/exec/start-answer", Tier::BlackBox, START, exec_start_answer).checks(&["processes.start.response", "processes.start.id-uuid", "processes.start.id-unique", "processes.start.immediate", "processes.output.running-snapshot", "processes.output.empty"]),
        Case::steps("process/exec/wait-forms", Tier::BlackBox, OUTPUT, exec_wait_forms).checks(&["processes.output.wait-exact", "processes.output.wait-blocks", "processes.output.wait-exited"]),
        Case::steps("process/exec/output-final", Tier::BlackBox, OUTPUT, exec_output_final).checks(&["processes.output.final"]),
        Case::steps("process/exec/shell", Tier::BlackBox, START, exec_shell).checks(&["processes.start.sh-c", "processes.start.stdin-null", "processes.start.blank-command-runs"]),
        Case::steps("process/exec/own-group", Tier::BlackBox, START, exec_own_group).checks(&["processes.start.own-group"]),
        Case::steps("process/exec/kill-reaches-group", Tier::BlackBox, SIGNAL, exec_kill_reaches_group).checks(&["processes.signal.group"]),
        Case::steps("process/exec/terminate-runs-trap", Tier::BlackBox, SIGNAL, exec_terminate_runs_trap).checks(&["processes.signal.terminate-sigterm", "processes.signal.sent"]),
        Case::steps("process/exec/kill-beats-trap", Tier::BlackBox, SIGNAL, exec_kill_beats_trap).checks(&["processes.signal.kill-sigkill"]),
        Case::steps("process/exec/wait-delay", Tier::BlackBox, OUTPUT, exec_wait_delay).checks(&["processes.exit.wait-delay"]),
        Case::steps("process/exec/workdir-errors", Tier::BlackBox, START, exec_workdir_errors).checks(&["processes.start.workdir-missing", "processes.start.workdir-not-dir"]),
    ]
}
async fn exec_output_round_trip(ctx: Arc<Ctx>) -> StepResult {
    let id = start(&ctx, "printf 'a<b>&\\n'; printf 'err\\n' >&2").await?;
    let (req, v) = wait_output(&ctx, &id).await?;
    let want = json!({"output": "a<b>&\nerr\n", "running": false, "exit_code": 0});
    if v != want || json_keys(&v) != ["output", "running", "exit_code"] {
        return Err(ctx
            .failure(&req, "stdout and stderr must come back merged, exit 0")
            .with_diff(&want.to_string(), &v.to_string()));
    }
    Ok(Verdict::Pass)
}

async fn exec_exit_codes(ctx: Arc<Ctx>) -> StepResult {
    for (cmd, code) in [
        ("exit 3", 3),
        ("exit 300", 44),
        ("definitely-not-a-command-4f2a", 127),
    ] {
        let id = start(&ctx, cmd).await?;
        let (req, v) = wait_output(&ctx, &id).await?;
        if v["exit_code"] != code {
            return Err(ctx.failure(
                &req,
                format!("`{cmd}` exit_code {} (want {code})", v["exit_code"]),
            ));
        }
    }
    Ok(Verdict::Pass)
}

async fn exec_kill_reports_minus_1(ctx: Arc<Ctx>) -> StepResult {
    let id = start(&ctx, "sleep 30").await?;
    let sig = signal_request(&id, "kill");
    ctx.exchange(&sig, &Expect::json(200, &sent_body("kill", &id)))
        .await?;
    let (req, v) = wait_output(&ctx, &id).await?;
    if v["exit_code"] != -1 {
        return Err(ctx.failure(
            &req,
            format!(
                "exit_code {} after kill (want -1, no 128+N)",
                v["exit_code"]
            ),
        ));
    }
    ctx.exchange(&sig, &Expect::json(409, &not_running_body(&id)))
        .await?;
    Ok(Verdict::Pass)
}

async fn exec_start_answer(ctx: Arc<Ctx>) -> StepResult {
    let began = Instant::now();
    let a = start(&ctx, "sleep 30").await?;
    let took = began.elapsed();
    let b = start(&ctx, "sleep 30").await?;
    let snapshot = output(&ctx, &a, "").await;
    kill_quietly(&ctx, &a).await;
    kill_quietly(&ctx, &b).await;
    let (req, v) = snapshot?;
    let start_req = Request::new("POST", "/api/v0/processes/start");
    let parsed = uuid::Uuid::parse_str(&a).ok();
    let canonical = parsed.map(|u| u.hyphenated().to_string());
    if parsed.map(|u| u.get_version_num()) != Some(4) || canonical.as_deref() != Some(a.as_str()) {
        return Err(ctx.failure(&start_req, format!("id {a:?} is not a lowercase UUID v4")));
    }
    if a == b {
        return Err(ctx.failure(&start_req, format!("two starts gave the same id {a}")));
    }
    if took > Duration::from_secs(2) {
        return Err(ctx.failure(&start_req, format!("`sleep 30` took {took:?} to start")));
    }
    let want = json!({"output": "", "running": true});
    if v != want || json_keys(&v) != ["output", "running"] {
        return Err(ctx
            .failure(
                &req,
                "a silent running process: empty output, running, no exit_code",
            )
            .with_diff(&want.to_string(), &v.to_string()));
    }
    Ok(Verdict::Pass)
}

async fn exec_wait_forms(ctx: Arc<Ctx>) -> StepResult {
    let id = start(&ctx, "sleep 30").await?;
    for query in ["?wait=1", "?wait=True", "?wait=TRUE", "?wait=yes"] {
        let began = Instant::now();
        let answer = output(&ctx, &id, query).await;
        if answer.as_ref().map_or(true, |(_, v)| v["running"] != true)
            || began.elapsed() > Duration::from_secs(2)
        {
            kill_quietly(&ctx, &id).await;
            let (req, v) = answer?;
            return Err(ctx.failure(&req, format!("{v}: only wait=true waits")));
        }
    }
    kill_quietly(&ctx, &id).await;
    wait_output(&ctx, &id).await?;
    let id = start(&ctx, "sleep 0.3; echo done").await?;
    let (req, v) = wait_output(&ctx, &id).await?;
    if v["output"] != "done\n" {
        return Err(ctx.failure(&req, format!("{v}: ?wait=true must wait for the exit")));
    }
    let began = Instant::now();
    let (req, again) = wait_output(&ctx, &id).await?;
    if again != v || began.elapsed() > Duration::from_secs(1) {
        return Err(ctx.failure(&req, "?wait=true on an exited process answers at once"));
    }
    Ok(Verdict::Pass)
}

async fn exec_output_final(ctx: Arc<Ctx>) -> StepResult {
    let id = start(&ctx, "printf one; sleep 0.2; printf two >&2; exit 5").await?;
    let (req, v, _) = poll_exit(&ctx, &id, EXIT_LIMIT).await?;
    let want = json!({"output": "onetwo", "running": false, "exit_code": 5});
    let why = "the first running:false answer must hold all the output";
    expect_value(&ctx, &req, &v, &want, why)?;
    Ok(Verdict::Pass)
}

async fn exec_shell(ctx: Arc<Ctx>) -> StepResult {
    let id = start(&ctx, "printf '%s\\n' \"$0\"; cat; echo end").await?;
    let (req, v) = wait_output(&ctx, &id).await?;
    if v["output"] != "sh\nend\n" || v["exit_code"] != 0 {
        return Err(ctx.failure(
            &req,
            format!("{v}: want $0 = sh and cat ending at once on /dev/null"),
        ));
    }
    let id = start(&ctx, "   ").await?;
    let (req, v) = wait_output(&ctx, &id).await?;
    if v["exit_code"] != 0 {
        return Err(ctx.failure(&req, format!("{v}: a blank command runs and exits 0")));
    }
    Ok(Verdict::Pass)
}

async fn exec_own_group(ctx: Arc<Ctx>) -> StepResult {
    let id = start(&ctx, "echo $$ $(cut -d' ' -f5 /proc/$$/stat)").await?;
    let (req, v) = wait_output(&ctx, &id).await?;
    let out = v["output"].as_str().unwrap_or_default();
    let words: Vec<&str> = out.split_whitespace().collect();
    match words.as_slice() {
        [pid, pgrp] if pid.parse::<u32>().is_ok() && pgrp.parse::<u32>().is_ok() => {
            if pid != pgrp {
                return Err(ctx.failure(
                    &req,
                    format!("shell pid {pid} is in group {pgrp}: it must lead its own"),
                ));
            }
            Ok(Verdict::Pass)
        }
        _ => Ok(Verdict::Skip(format!("no /proc on the agent: {out:?}"))),
    }
}

async fn exec_kill_reaches_group(ctx: Arc<Ctx>) -> StepResult {
    let id = start(&ctx, "sleep 30 & sleep 31 & sleep 0.2; echo ready; wait").await?;
    wait_for_output(&ctx, &id, "ready", EXIT_LIMIT).await?;
    let sig = signal_request(&id, "kill");
    ctx.exchange(&sig, &Expect::json(200, &sent_body("kill", &id)))
        .await?;
    let (req, v, took) = poll_exit(&ctx, &id, Duration::from_secs(8)).await?;
    if took > EXIT_LIMIT || v["exit_code"] != -1 {
        return Err(ctx.failure(
            &req,
            format!("{v} after {took:?}: the children holding the pipe must die with the shell"),
        ));
    }
    Ok(Verdict::Pass)
}

async fn exec_terminate_runs_trap(ctx: Arc<Ctx>) -> StepResult {
    // The child runs (and has left the shell's trap behind) before `ready` is printed.
    let cmd = "trap 'echo got-term; exit 7' TERM; sleep 30 & sleep 0.2; echo ready; wait";
    let id = start(&ctx, cmd).await?;
    wait_for_output(&ctx, &id, "ready", EXIT_LIMIT).await?;
    let sig = signal_request(&id, "terminate");
    let sent = ctx
        .exchange(&sig, &Expect::json(200, &sent_body("terminate", &id)))
        .await;
    let (req, v, _) = poll_exit(&ctx, &id, EXIT_LIMIT).await?;
    kill_quietly(&ctx, &id).await;
    sent?;
    let want = json!({"output": "ready\ngot-term\n", "running": false, "exit_code": 7});
    let why = "terminate must send SIGTERM, which the shell's trap handles";
    expect_value(&ctx, &req, &v, &want, why)?;
    Ok(Verdict::Pass)
}

async fn exec_kill_beats_trap(ctx: Arc<Ctx>) -> StepResult {
    let id = start(&ctx, "trap '' TERM; echo ready; sleep 30").await?;
    wait_for_output(&ctx, &id, "ready", EXIT_LIMIT).await?;
    let sig = signal_request(&id, "kill");
    ctx.exchange(&sig, &Expect::json(200, &sent_body("kill", &id)))
        .await?;
    let (req, v, _) = poll_exit(&ctx, &id, EXIT_LIMIT).await?;
    kill_quietly(&ctx, &id).await;
    if v["running"] != false || v["exit_code"] != -1 {
        return Err(ctx.failure(
            &req,
            format!("{v}: kill must send SIGKILL, which no trap ignores"),
        ));
    }
    Ok(Verdict::Pass)
}

async fn exec_wait_delay(ctx: Arc<Ctx>) -> StepResult {
    // The background `sleep` keeps the pipe open past the 5 s WaitDelay and ends by itself a
    // second later (the shell has exited, so there is nothing left to signal).
    let id = start(&ctx, "sleep 6 & echo bg").await?;
    let (req, v, took) = poll_exit(&ctx, &id, Duration::from_secs(9)).await?;
    let want = json!({"output": "bg\n", "running": false, "exit_code": -1});
    if v != want || took < Duration::from_secs(4) {
        return Err(ctx
            .failure(
                &req,
                format!("after {took:?}: running about 5 s, then exit_code -1 with the output"),
            )
            .with_diff(&want.to_string(), &v.to_string()));
    }
    Ok(Verdict::Pass)
}

async fn exec_workdir_errors(ctx: Arc<Ctx>) -> StepResult {
    let missing = format!("/no/such/dir-{}", uuid::Uuid::new_v4());
    for (workdir, tail) in [
        (missing.as_str(), ": no such file or directory"),
        ("/etc/passwd", ": not a directory"),
    ] {
        let req = post_json(
            "/api/v0/processes/start",
            &json!({"command": "exit 0", "workdir": workdir}).to_string(),
        );
        let expect = Expect::status(500).go_json(move |v| {
            let detail = v["detail"].as_str().unwrap_or_default();
            let ok = v["message"] == "Failed to start process."
                && detail.starts_with("start process: fork/exec ")
                && detail.ends_with(tail)
                && json_keys(v) == ["message", "detail"];
            if ok {
                Ok(())
            } else {
                Err(format!(
                    "{v}: want Failed to start process. with a fork/exec …{tail} detail"
                ))
            }
        });
        ctx.exchange(&req, &expect).await?;
    }
    Ok(Verdict::Pass)
}
