//! `scripted` mode: the `processes-scripted` fixture's responses (snapshots), output arriving
//! in chunks over time, signals, unmatched commands, and wire equality with `exec` mode.

use crate::common::processes::*;
use agent_sim::Scenario;
use std::time::{Duration, Instant};

fn fixture() -> Scenario {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/processes-scripted.json"
    );
    Scenario::from_file(path).unwrap()
}

fn scripted(json: &str) -> Agent {
    Agent::new(Scenario::from_json("test", json).unwrap())
}

/// Replaces ids and timestamps so a list body can be snapshotted.
fn redact_list(body: &str, ids: &[(&str, &str)]) -> String {
    let mut out = body.to_string();
    for (id, name) in ids {
        out = out.replace(id, name);
    }
    let re_time = |s: &str, key: &str| {
        let mut res = String::new();
        let mut rest = s;
        let pat = format!("\"{key}\":");
        while let Some(i) = rest.find(&pat) {
            res.push_str(&rest[..i + pat.len()]);
            rest = &rest[i + pat.len()..];
            let n = rest.chars().take_while(|c| c.is_ascii_digit()).count();
            res.push_str("<unix>");
            rest = &rest[n..];
        }
        res.push_str(rest);
        res
    };
    re_time(&re_time(&out, "started_at_unix"), "exited_at_unix")
}

#[tokio::test]
async fn fixture_responses_snapshot() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../../../snapshots/agent-sim");
    settings.set_prepend_module_to_snapshot(false);
    let _snapshots = settings.bind_to_scope();
    let a = Agent::new(fixture());
    let mut ids = Vec::new();
    for (name, command) in [
        ("echo_hello", "echo hello"),
        ("make_test", "make test"),
        ("make_lint", "make lint"),
        ("html", "cat <big> & echo"),
        ("unmatched", "npm run build --watch"),
    ] {
        let id = a.start(command).await;
        let r = a
            .get(&format!("/api/v0/processes/{id}/output?wait=true"))
            .await;
        assert_eq!(r.status, 200);
        insta::assert_snapshot!(format!("scripted_output_{name}"), r.text());
        ids.push((id, name));
    }
    let sleeping = a.start("sleep 300").await;
    insta::assert_snapshot!(
        "scripted_output_sleep_running",
        a.output(&sleeping).await.text()
    );
    let signal = a.signal(&sleeping, "terminate").await;
    insta::assert_snapshot!(
        "scripted_signal_terminate",
        signal.text().replace(&sleeping, "<sleep>")
    );
    a.wait_exit(&sleeping).await;
    ids.push((sleeping, "sleep"));
    let list = a.get("/api/v0/processes/list").await.text();
    let names: Vec<(&str, &str)> = ids.iter().map(|(i, n)| (i.as_str(), *n)).collect();
    insta::assert_snapshot!("scripted_list", redact_list(&list, &names));
}

#[tokio::test]
async fn chunks_arrive_over_time() {
    let a = Agent::new(fixture());
    let started = Instant::now();
    let id = a.start("make test").await;
    assert_eq!(
        a.output(&id).await.text(),
        "{\"output\":\"go test ./...\\n\",\"running\":true}\n"
    );
    tokio::time::sleep(Duration::from_millis(150)).await;
    let before = started.elapsed();
    let mid = a.output(&id).await.json();
    let after = started.elapsed();
    // Only meaningful when the request was served between the first and second chunk.
    if before >= Duration::from_millis(100) && after < Duration::from_millis(200) {
        assert_eq!(mid["running"], true);
        assert_eq!(mid["output"], "go test ./...\nok  \tcoder/agent\t0.412s\n");
    }
    let done = a
        .get(&format!("/api/v0/processes/{id}/output?wait=true"))
        .await;
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(300) && took < Duration::from_secs(3),
        "{took:?}"
    );
    assert_eq!(
        done.text(),
        "{\"output\":\"go test ./...\\nok  \\tcoder/agent\\t0.412s\\nok  \\tcoder/agent/agentproc\\t1.087s\\n\",\"running\":false,\"exit_code\":0}\n"
    );
}

#[tokio::test]
async fn signals_end_scripted_processes() {
    let a = Agent::new(fixture());
    let id = a.start("sleep 300").await;
    assert_eq!(a.signal(&id, "kill").await.status, 200);
    assert_eq!(
        a.wait_exit(&id).await.text(),
        "{\"output\":\"\",\"running\":false,\"exit_code\":-1}\n"
    );
    assert_json_error(
        &a.signal(&id, "kill").await,
        409,
        &format!("Process \"{id}\" is not running."),
        None,
    );
    // A script that ignores SIGTERM needs a kill.
    let id = a.start("trap '' TERM; sleep 300").await;
    assert_eq!(a.signal(&id, "terminate").await.status, 200);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(a.output(&id).await.json()["running"], true);
    assert_eq!(a.signal(&id, "kill").await.status, 200);
    assert_eq!(a.wait_exit(&id).await.json()["exit_code"], -1);
}

#[tokio::test]
async fn scripted_and_exec_look_the_same_on_the_wire() {
    let exec = Agent::exec();
    let script = scripted(
        r#"{"processes":{"mode":"scripted","scripts":[
            {"command":"echo hi; exit 3","output":"hi\n","exit_code":3}]}}"#,
    );
    for command in ["echo hi; exit 3", "no-such-command-xyz --flag", "   "] {
        let e = exec.start(command).await;
        let s = script.start(command).await;
        let eo = exec
            .get(&format!("/api/v0/processes/{e}/output?wait=true"))
            .await;
        let so = script
            .get(&format!("/api/v0/processes/{s}/output?wait=true"))
            .await;
        assert_eq!(eo.text(), so.text(), "{command}");
        assert_eq!(eo.headers["content-type"], so.headers["content-type"]);
        let el = exec.list().await;
        let sl = script.list().await;
        let strip = |v: &serde_json::Value| {
            let mut v = v.clone();
            for k in ["id", "started_at_unix", "exited_at_unix", "workdir"] {
                v.as_object_mut().unwrap().remove(k);
            }
            v
        };
        assert_eq!(strip(&el[0]), strip(&sl[0]));
    }
    assert_eq!(
        script.get("/api/v0/processes/nope/output").await.text(),
        exec.get("/api/v0/processes/nope/output").await.text()
    );
}

#[tokio::test]
async fn scripted_errors_match_exec() {
    let a = Agent::new(fixture());
    assert_json_error(
        &a.post("/api/v0/processes/start", r#"{"command":""}"#).await,
        400,
        "Command is required.",
        None,
    );
    assert_eq!(a.list().await.len(), 0);
    a.state.shutdown();
    assert_json_error(
        &a.post("/api/v0/processes/start", r#"{"command":"echo hello"}"#)
            .await,
        500,
        "Failed to start process.",
        Some("manager is closed"),
    );
}

#[tokio::test]
async fn mode_switch_applies_to_next_starts() {
    let a = Agent::new(fixture());
    let scripted_id = a.start("sleep 300").await;
    a.state.set_scenario(exec_scenario());
    let id = a.start("echo real").await;
    assert_eq!(a.wait_exit(&id).await.json()["output"], "real\n");
    assert_eq!(a.output(&scripted_id).await.json()["running"], true);
    // Reset kills and forgets both kinds.
    let r = a.post("/__sim/reset", "").await;
    assert!(r.status.is_success(), "{}", r.text());
    assert!(a.list().await.is_empty());
}
