//! The upstream `api_test.go` cases (`processes.md` §6.2) through the real router with a real
//! `sh`, plus the spec's error texts, routing rules and exit-code rules, byte for byte.

use crate::common::processes::*;
use agent_sim::Scenario;
use serde_json::json;
use std::time::Duration;

// ---- Start ----

#[tokio::test]
async fn start_foreground_and_background() {
    let a = Agent::exec();
    let r = a
        .post("/api/v0/processes/start", r#"{"command":"echo hello"}"#)
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.headers["content-type"], "application/json; charset=utf-8");
    let text = r.text();
    let id = r.json()["id"].as_str().unwrap().to_string();
    assert_eq!(text, format!("{{\"id\":\"{id}\",\"started\":true}}\n"));
    let u = uuid::Uuid::parse_str(&id).unwrap();
    assert_eq!(u.get_version_num(), 4);
    assert_eq!(u.hyphenated().to_string(), id);
    let bg = a
        .start_json(json!({"command":"echo background","background":true}))
        .await;
    assert_ne!(bg, id);
    a.wait_exit(&bg).await;
    let list = a.list().await;
    let info = list.iter().find(|p| p["id"] == bg.as_str()).unwrap();
    assert_eq!(info["background"], true);
}

#[tokio::test]
async fn start_body_errors() {
    let a = Agent::exec();
    let cases: &[(&str, &str, Option<&str>)] = &[
        (r#"{"command":""}"#, "Command is required.", None),
        ("{}", "Command is required.", None),
        ("null", "Command is required.", None),
        (
            "{invalid json",
            "Request body must be valid JSON.",
            Some("invalid character 'i' looking for beginning of object key string"),
        ),
        ("", "Request body must be valid JSON.", Some("EOF")),
        (
            r#"{"command":1}"#,
            "Request body must be valid JSON.",
            Some("json: cannot unmarshal number into Go struct field StartProcessRequest.command of type string"),
        ),
        (r#"{"command":"echo"#, "Request body must be valid JSON.", Some("unexpected EOF")),
    ];
    for (body, message, detail) in cases {
        let r = a.post("/api/v0/processes/start", body).await;
        assert_json_error(&r, 400, message, *detail);
    }
    // Nothing was started.
    assert!(a.list().await.is_empty());
}

#[tokio::test]
async fn start_go_decoding_rules() {
    let a = Agent::exec();
    // Keys match case-insensitively, unknown keys are ignored, trailing bytes are ignored.
    let r = a
        .post(
            "/api/v0/processes/start",
            r#"{"COMMAND":"echo  spaced","Background":true,"extra":[1,2]} trailing"#,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let id = r.json()["id"].as_str().unwrap().to_string();
    let out = a.wait_exit(&id).await;
    assert_eq!(
        out.text(),
        "{\"output\":\"spaced\\n\",\"running\":false,\"exit_code\":0}\n"
    );
    // Invalid UTF-8 in the body becomes U+FFFD, as Go's decoder does.
    let r = a
        .call(
            http::Method::POST,
            "/api/v0/processes/start",
            Some(b"{\"command\":\"echo \xff\"}"),
        )
        .await;
    assert_eq!(r.status, 200);
    let id = r.json()["id"].as_str().unwrap().to_string();
    a.wait_exit(&id).await;
    let list = a.list().await;
    let info = list.iter().find(|p| p["id"] == id.as_str()).unwrap();
    assert_eq!(info["command"], "echo \u{FFFD}");
    // A command of only spaces is accepted and runs.
    let id = a.start("   ").await;
    assert_eq!(
        a.wait_exit(&id).await.text(),
        "{\"output\":\"\",\"running\":false,\"exit_code\":0}\n"
    );
}

#[tokio::test]
async fn start_custom_workdir() {
    let a = Agent::exec();
    let dir = temp_dir("workdir");
    let id = a
        .start_json(json!({"command":"touch marker.txt && ls marker.txt","workdir":dir}))
        .await;
    let out = a.wait_exit(&id).await.json();
    assert_eq!(out["exit_code"], 0);
    assert_eq!(out["output"], "marker.txt\n");
    assert!(dir.join("marker.txt").exists());
    let list = a.list().await;
    assert_eq!(list[0]["workdir"], dir.display().to_string());
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn start_custom_env_and_env_hook() {
    let n = std::process::id();
    let mut s = exec_scenario();
    s.manifest.environment_variables = Some(
        [
            (
                format!("TEST_UPDATE_ENV_{n}"),
                "injected_by_hook".to_string(),
            ),
            (format!("TEST_OVERRIDE_{n}"), "from_hook".to_string()),
        ]
        .into(),
    );
    let a = Agent::new(s);
    let id = a
        .start_json(json!({
            "command": format!("printenv TEST_PROC_ENV_{n}"),
            "env": { format!("TEST_PROC_ENV_{n}"): "custom_value_12345" }
        }))
        .await;
    let out = a.wait_exit(&id).await.json();
    assert_eq!(out["exit_code"], 0);
    assert_eq!(out["output"].as_str().unwrap().trim(), "custom_value_12345");

    let id = a.start(&format!("printenv TEST_UPDATE_ENV_{n}")).await;
    let out = a.wait_exit(&id).await.json();
    assert_eq!(
        (out["exit_code"].clone(), out["output"].clone()),
        (json!(0), json!("injected_by_hook\n"))
    );

    let id = a
        .start_json(json!({
            "command": format!("printenv TEST_OVERRIDE_{n}"),
            "env": { format!("TEST_OVERRIDE_{n}"): "from_request" }
        }))
        .await;
    assert_eq!(a.wait_exit(&id).await.json()["output"], "from_request\n");

    // The hook's predefined variables; no chat id without chat scoping.
    let id = a
        .start(r#"echo "$CODER $CODER_WORKSPACE_AGENT_NAME ${CODER_CHAT_ID:-none}""#)
        .await;
    assert_eq!(a.wait_exit(&id).await.json()["output"], "true main none\n");
}

#[tokio::test]
async fn start_default_workdir_rules() {
    let home = std::env::var("HOME").unwrap();
    // DefaultWorkDirIsHome: no configured directory.
    let mut s = exec_scenario();
    s.manifest.directory = String::new();
    let a = Agent::new(s);
    let id = a.start("pwd").await;
    let out = a.wait_exit(&id).await.json();
    assert_eq!(a.list().await[0]["workdir"], home.as_str());
    assert_eq!(
        std::fs::canonicalize(out["output"].as_str().unwrap().trim()).unwrap(),
        std::fs::canonicalize(&home).unwrap()
    );

    // DefaultWorkDirFromClosure.
    let dir = temp_dir("closure");
    let mut s = exec_scenario();
    s.manifest.directory = dir.display().to_string();
    let a = Agent::new(s);
    let id = a.start("touch marker.txt && ls marker.txt").await;
    let out = a.wait_exit(&id).await.json();
    assert_eq!(
        (out["exit_code"].clone(), out["output"].clone()),
        (json!(0), json!("marker.txt\n"))
    );
    assert_eq!(a.list().await[0]["workdir"], dir.display().to_string());
    std::fs::remove_dir_all(&dir).unwrap();

    // DefaultWorkDirClosureNonExistentFallsBackToHome.
    let mut s = exec_scenario();
    s.manifest.directory = "/no/such/agent/dir".into();
    let a = Agent::new(s);
    let id = a.start("true").await;
    a.wait_exit(&id).await;
    assert_eq!(a.list().await[0]["workdir"], home.as_str());
}

#[tokio::test]
async fn start_spawn_failures() {
    let a = Agent::exec();
    let sh = agent_sim::processes::exec::look_path("sh").unwrap();
    let r = a
        .post(
            "/api/v0/processes/start",
            r#"{"command":"true","workdir":"/no/such/dir"}"#,
        )
        .await;
    let detail = format!("start process: fork/exec {sh}: no such file or directory");
    assert_json_error(&r, 500, "Failed to start process.", Some(&detail));

    let r = a
        .post(
            "/api/v0/processes/start",
            r#"{"command":"true","workdir":"/etc/hostname"}"#,
        )
        .await;
    let detail = format!("start process: fork/exec {sh}: not a directory");
    assert_json_error(&r, 500, "Failed to start process.", Some(&detail));

    // A missing command is not a start error: sh exits 127.
    let id = a.start("no-such-command-xyz").await;
    assert_eq!(
        a.wait_exit(&id).await.text(),
        "{\"output\":\"sh: 1: no-such-command-xyz: not found\\n\",\"running\":false,\"exit_code\":127}\n"
    );

    // A command larger than the kernel's single-argument limit.
    let huge = "x".repeat(200 * 1024);
    let r = a
        .post(
            "/api/v0/processes/start",
            &json!({ "command": huge }).to_string(),
        )
        .await;
    let detail = format!("start process: fork/exec {sh}: argument list too long");
    assert_json_error(&r, 500, "Failed to start process.", Some(&detail));

    // After shutdown every start fails.
    a.state.shutdown();
    let r = a
        .post("/api/v0/processes/start", r#"{"command":"true"}"#)
        .await;
    assert_json_error(
        &r,
        500,
        "Failed to start process.",
        Some("manager is closed"),
    );
}

// ---- List ----

#[tokio::test]
async fn list_no_processes() {
    let a = Agent::exec();
    let r = a.get("/api/v0/processes/list").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), "{\"processes\":[]}\n");
}

#[tokio::test]
async fn list_mixed_running_and_exited() {
    let a = Agent::exec();
    let done = a.start("echo done").await;
    a.wait_exit(&done).await;
    let bg = a
        .start_json(json!({"command":"sleep 300","background":true}))
        .await;
    let list = a.list().await;
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["id"], bg.as_str());
    assert_eq!(list[0]["running"], true);
    assert!(list[0].get("exit_code").is_none() && list[0].get("exited_at_unix").is_none());
    assert_eq!(list[1]["id"], done.as_str());
    assert_eq!(list[1]["running"], false);
    assert_eq!(list[1]["exit_code"], 0);
    assert!(
        list[1]["exited_at_unix"].as_i64().unwrap() >= list[1]["started_at_unix"].as_i64().unwrap()
    );
    // Byte layout of one entry, in Go's field order.
    let raw = a.get("/api/v0/processes/list").await.text();
    let home = std::env::var("HOME").unwrap();
    let entry = format!(
        "{{\"id\":\"{bg}\",\"command\":\"sleep 300\",\"workdir\":\"{home}\",\"background\":true,\"running\":true,\"started_at_unix\":{}}}",
        list[0]["started_at_unix"]
    );
    assert!(
        raw.starts_with(&format!("{{\"processes\":[{entry},")),
        "{raw}"
    );
    let r = a.signal(&bg, "kill").await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn list_sort_and_limit() {
    let a = Agent::exec();
    for i in 0..12 {
        let id = a.start(&format!("echo proc-{i}")).await;
        a.wait_exit(&id).await;
    }
    let list = a.list().await;
    assert_eq!(list.len(), 10);
    let times: Vec<i64> = list
        .iter()
        .map(|p| p["started_at_unix"].as_i64().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "{times:?}");
}

#[tokio::test]
async fn list_running_processes_sorted_first() {
    let a = Agent::exec();
    let done = a.start("echo done").await;
    a.wait_exit(&done).await;
    let running = a.start("sleep 300").await;
    let list = a.list().await;
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["id"], running.as_str());
    assert_eq!(list[1]["id"], done.as_str());
}

#[tokio::test]
async fn list_reaps_long_exited_processes() {
    let a = Agent::exec();
    let old = a.start("echo old").await;
    a.wait_exit(&old).await;
    let running = a.start("sleep 300").await;
    a.state.processes().advance_clock(298);
    // Not more than 5 minutes yet.
    assert_eq!(a.list().await.len(), 2);
    a.state.processes().advance_clock(4);
    // Output and signal still work until a list call reaps.
    assert_eq!(a.output(&old).await.status, 200);
    let list = a.list().await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["id"], running.as_str());
    assert_json_error(
        &a.output(&old).await,
        404,
        &format!("Process \"{old}\" not found."),
        None,
    );
    assert_json_error(
        &a.signal(&old, "kill").await,
        404,
        &format!("Process \"{old}\" not found."),
        None,
    );
}

fn chat_scenario() -> Scenario {
    Scenario::from_json(
        "test",
        r#"{"processes":{"mode":"exec","chat_scoping":true}}"#,
    )
    .unwrap()
}

const CHAT_A: &str = "6f1c8a44-0a52-4c3f-9c1e-5b8e0d2f7a11";
const CHAT_B: &str = "0d9e4b2a-7c61-4f3e-8a5d-2c1b0e9f6a22";

#[tokio::test]
async fn list_filter_by_chat_id() {
    let base = Agent::new(chat_scenario());
    let a = base.as_chat(Some(CHAT_A));
    let b = base.as_chat(Some(CHAT_B));
    let mut a_ids = vec![a.start("echo chat-a").await, a.start("echo chat-a-2").await];
    let b_id = b.start("echo chat-b").await;
    for id in a_ids.iter().chain([&b_id]) {
        base.wait_exit(id).await;
    }
    let mut got: Vec<String> = a
        .list()
        .await
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect();
    got.sort();
    a_ids.sort();
    assert_eq!(got, a_ids);
    let got: Vec<_> = b.list().await.iter().map(|p| p["id"].clone()).collect();
    assert_eq!(got, vec![json!(b_id)]);
    assert_eq!(base.list().await.len(), 3);
    // A fresh chat sees nothing; an unparsable header means no chat context.
    assert!(base
        .as_chat(Some(&uuid::Uuid::new_v4().to_string()))
        .list()
        .await
        .is_empty());
    assert_eq!(base.as_chat(Some("not-a-uuid")).list().await.len(), 3);
    // Uppercase ids are the same chat.
    assert_eq!(
        base.as_chat(Some(&CHAT_B.to_uppercase()))
            .list()
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn chat_id_reaches_the_process_env() {
    let base = Agent::new(chat_scenario());
    let a = base.as_chat(Some(CHAT_A));
    let id = a
        .start_json(json!({"command":"printenv CODER_CHAT_ID","env":{"CODER_CHAT_ID":"mine"}}))
        .await;
    assert_eq!(
        a.wait_exit(&id).await.json()["output"],
        format!("{CHAT_A}\n")
    );
}

#[tokio::test]
async fn chat_scoping_is_off_by_default() {
    let base = Agent::exec();
    let a = base.as_chat(Some(CHAT_A));
    let id = a.start("printenv CODER_CHAT_ID").await;
    assert_eq!(a.wait_exit(&id).await.json()["exit_code"], 1);
    assert_eq!(base.as_chat(Some(CHAT_B)).list().await.len(), 1);
    assert_eq!(base.as_chat(Some(CHAT_B)).output(&id).await.status, 200);
}

/// `CODER_AGENT_TOKEN` is the scenario's session token (a placeholder unless set), and a
/// request's env still overrides it.
#[tokio::test]
async fn agent_token_reaches_the_process_env() {
    let default = Agent::exec();
    let id = default.start("printenv CODER_AGENT_TOKEN").await;
    let want = format!("{}\n", agent_sim::scenario::processes::DEFAULT_AGENT_TOKEN);
    assert_eq!(default.wait_exit(&id).await.json()["output"], want);

    let scenario = Scenario::from_json(
        "test",
        r#"{"processes":{"mode":"exec","agent_token":"scenario-token"}}"#,
    )
    .unwrap();
    let a = Agent::new(scenario);
    let id = a.start("printenv CODER_AGENT_TOKEN").await;
    assert_eq!(a.wait_exit(&id).await.json()["output"], "scenario-token\n");
    let id = a
        .start_json(
            json!({"command":"printenv CODER_AGENT_TOKEN","env":{"CODER_AGENT_TOKEN":"mine"}}),
        )
        .await;
    assert_eq!(a.wait_exit(&id).await.json()["output"], "mine\n");
}

// ---- Output ----

#[tokio::test]
async fn output_exited_process() {
    let a = Agent::exec();
    let id = a.start("echo hello-output").await;
    let r = a.wait_exit(&id).await;
    assert_eq!(r.headers["content-type"], "application/json; charset=utf-8");
    assert_eq!(
        r.text(),
        "{\"output\":\"hello-output\\n\",\"running\":false,\"exit_code\":0}\n"
    );
}

#[tokio::test]
async fn output_running_process() {
    let a = Agent::exec();
    let id = a.start("sleep 300").await;
    let r = a.output(&id).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), "{\"output\":\"\",\"running\":true}\n");
}

#[tokio::test]
async fn output_nonexistent_process() {
    let a = Agent::exec();
    let r = a.output("nonexistent-id-12345").await;
    assert_json_error(&r, 404, "Process \"nonexistent-id-12345\" not found.", None);
    // Static segments don't clash with the id; ids are %q-quoted.
    let r = a.get("/api/v0/processes/list/output").await;
    assert_json_error(&r, 404, "Process \"list\" not found.", None);
    let r = a.get("/api/v0/processes/a%22b%5C/output").await;
    assert_json_error(&r, 404, "Process \"a\\\"b\\\\\" not found.", None);
    // A non-canonical escape reaches the handler still escaped (chi routes on RawPath).
    let r = a.get("/api/v0/processes/a%2Fb/output").await;
    assert_json_error(&r, 404, "Process \"a%2Fb\" not found.", None);
    // Go's decoded path keeps bytes that are not UTF-8, and %q prints them as \xNN; a
    // lowercase escape is not canonical, so chi routes on the raw path and keeps it escaped.
    let r = a.get("/api/v0/processes/%FF%E2%82/output").await;
    assert_json_error(&r, 404, "Process \"\\xff\\xe2\\x82\" not found.", None);
    let r = a.get("/api/v0/processes/%ff/output").await;
    assert_json_error(&r, 404, "Process \"%ff\" not found.", None);
}

#[tokio::test]
async fn output_chat_id_enforcement() {
    let base = Agent::new(chat_scenario());
    let a = base.as_chat(Some(CHAT_A));
    let id = a
        .start_json(json!({"command":"echo secret","background":true}))
        .await;
    a.wait_exit(&id).await;
    let r = base.as_chat(Some(CHAT_B)).output(&id).await;
    assert_json_error(&r, 404, &format!("Process \"{id}\" not found."), None);
    assert_eq!(base.output(&id).await.status, 200);
    // Chat-less processes are readable by any chat.
    let free = base.start("echo free").await;
    base.wait_exit(&free).await;
    assert_eq!(base.as_chat(Some(CHAT_B)).output(&free).await.status, 200);
    // Signal: foreign chat 404 comes before the body is read.
    let running = a.start("sleep 300").await;
    let r = base
        .as_chat(Some(CHAT_B))
        .post(&format!("/api/v0/processes/{running}/signal"), "{bad")
        .await;
    assert_json_error(&r, 404, &format!("Process \"{running}\" not found."), None);
    assert_eq!(a.signal(&running, "kill").await.status, 200);
}

#[tokio::test]
async fn output_wait_for_exit() {
    let a = Agent::exec();
    let id = a.start("echo hello-wait && sleep 0.1").await;
    let r = a
        .get(&format!("/api/v0/processes/{id}/output?wait=true"))
        .await;
    assert_eq!(
        r.text(),
        "{\"output\":\"hello-wait\\n\",\"running\":false,\"exit_code\":0}\n"
    );
    // WaitAlreadyExited.
    let r = a
        .get(&format!("/api/v0/processes/{id}/output?wait=true"))
        .await;
    assert_eq!(r.json()["running"], false);
    // Only exactly `true` waits.
    let id = a.start("sleep 300").await;
    for q in ["wait=1", "wait=True", "wait=yes"] {
        let r = a.get(&format!("/api/v0/processes/{id}/output?{q}")).await;
        assert_eq!(r.text(), "{\"output\":\"\",\"running\":true}\n");
    }
}

#[tokio::test]
async fn output_wait_timeout_leaves_the_process_running() {
    let a = Agent::exec();
    let id = a.start("sleep 300").await;
    let waited = tokio::time::timeout(
        Duration::from_millis(200),
        a.get(&format!("/api/v0/processes/{id}/output?wait=true")),
    )
    .await;
    assert!(waited.is_err(), "wait returned before the exit");
    assert_eq!(a.output(&id).await.json()["running"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn output_concurrent_waiters() {
    let a = Agent::exec();
    let id = a.start("sleep 300").await;
    let path = format!("/api/v0/processes/{id}/output?wait=true");
    let w1 = a.get(&path);
    let w2 = a.get(&path);
    let killer = async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(a.signal(&id, "kill").await.status, 200);
    };
    let (r1, r2, ()) = tokio::join!(w1, w2, killer);
    for r in [r1, r2] {
        assert_eq!(r.status, 200);
        assert_eq!(
            r.text(),
            "{\"output\":\"\",\"running\":false,\"exit_code\":-1}\n"
        );
    }
}

// ---- Signal ----

#[tokio::test]
async fn signal_kill_and_terminate_running() {
    let a = Agent::exec();
    for sig in ["kill", "terminate"] {
        let id = a.start("sleep 300").await;
        let r = a.signal(&id, sig).await;
        assert_json_error(
            &r,
            200,
            &format!("Signal \"{sig}\" sent to process \"{id}\"."),
            None,
        );
        let out = a.wait_exit(&id).await;
        assert_eq!(
            out.text(),
            "{\"output\":\"\",\"running\":false,\"exit_code\":-1}\n"
        );
    }
}

#[tokio::test]
async fn signal_errors_in_order() {
    let a = Agent::exec();
    let r = a.signal("nonexistent-id-12345", "kill").await;
    assert_json_error(&r, 404, "Process \"nonexistent-id-12345\" not found.", None);
    // The body is checked before the id.
    let path = "/api/v0/processes/nonexistent-id-12345/signal";
    assert_json_error(
        &a.post(path, "").await,
        400,
        "Request body must be valid JSON.",
        Some("EOF"),
    );
    assert_json_error(
        &a.post(path, r#"{"signal":""}"#).await,
        400,
        "Signal is required.",
        None,
    );
    assert_json_error(&a.post(path, "{}").await, 400, "Signal is required.", None);
    assert_json_error(
        &a.post(path, r#"{"signal":"SIGFOO"}"#).await,
        400,
        "Unsupported signal \"SIGFOO\". Use \"kill\" or \"terminate\".",
        None,
    );
    assert_json_error(
        &a.post(path, r#"{"signal":"KILL"}"#).await,
        400,
        "Unsupported signal \"KILL\". Use \"kill\" or \"terminate\".",
        None,
    );
    assert_json_error(
        &a.post(path, r#"{"signal":7}"#).await,
        400,
        "Request body must be valid JSON.",
        Some("json: cannot unmarshal number into Go struct field SignalProcessRequest.signal of type string"),
    );
    // AlreadyExitedProcess: 409.
    let id = a.start("echo done").await;
    a.wait_exit(&id).await;
    assert_json_error(
        &a.signal(&id, "kill").await,
        409,
        &format!("Process \"{id}\" is not running."),
        None,
    );
    // EmptySignal on a running process.
    let id = a.start("sleep 300").await;
    assert_json_error(
        &a.post(
            &format!("/api/v0/processes/{id}/signal"),
            r#"{"signal":""}"#,
        )
        .await,
        400,
        "Signal is required.",
        None,
    );
}

#[tokio::test]
async fn signal_reaches_the_whole_group() {
    let a = Agent::exec();
    let id = a.start("sleep 300 & echo $!; wait").await;
    let pid = loop {
        let out = a.output(&id).await.json();
        if let Ok(p) = out["output"].as_str().unwrap().trim().parse::<i32>() {
            break p;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(!pid_dead(pid));
    assert_eq!(a.signal(&id, "terminate").await.status, 200);
    let out = a.wait_exit(&id).await.json();
    assert_eq!(out["exit_code"], -1, "{out}");
    // The background sleep was in the shell's group and got SIGTERM too.
    assert_all_dead(&[pid]);
}

#[tokio::test]
async fn sigterm_ignoring_command_needs_kill() {
    let a = Agent::exec();
    // The shell ignores SIGTERM, and its children inherit that.
    let id = a
        .start("trap '' TERM; echo ready; sh -c 'sleep 300'; echo after")
        .await;
    while a.output(&id).await.json()["output"] != "ready\n" {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(a.signal(&id, "terminate").await.status, 200);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(a.output(&id).await.json()["running"], true);
    assert_eq!(a.signal(&id, "kill").await.status, 200);
    assert_eq!(
        a.wait_exit(&id).await.text(),
        "{\"output\":\"ready\\n\",\"running\":false,\"exit_code\":-1}\n"
    );
}

// ---- Lifecycle ----

#[tokio::test]
async fn lifecycle_start_wait_check_output() {
    let a = Agent::exec();
    let id = a.start("echo lifecycle-test && echo second-line").await;
    assert_eq!(
        a.wait_exit(&id).await.text(),
        "{\"output\":\"lifecycle-test\\nsecond-line\\n\",\"running\":false,\"exit_code\":0}\n"
    );
}

#[tokio::test]
async fn lifecycle_exit_codes() {
    let a = Agent::exec();
    let id = a.start("exit 42").await;
    assert_eq!(
        a.wait_exit(&id).await.text(),
        "{\"output\":\"\",\"running\":false,\"exit_code\":42}\n"
    );
    let id = a.start("exit 300").await;
    assert_eq!(a.wait_exit(&id).await.json()["exit_code"], 44);
    // A shell killed by a signal it did not trap reports -1, not 128+N.
    let id = a.start("kill -9 $$").await;
    assert_eq!(a.wait_exit(&id).await.json()["exit_code"], -1);
}

#[tokio::test]
async fn lifecycle_every_exit_code_round_trips() {
    let a = Agent::exec();
    let mut ids = Vec::new();
    for code in 0..=255 {
        ids.push((code, a.start(&format!("exit {code}")).await));
    }
    for (code, id) in ids {
        let r = a
            .get(&format!("/api/v0/processes/{id}/output?wait=true"))
            .await;
        assert_eq!(
            r.text(),
            format!("{{\"output\":\"\",\"running\":false,\"exit_code\":{code}}}\n")
        );
    }
}

#[tokio::test]
async fn lifecycle_start_signal_verify_exit() {
    let a = Agent::exec();
    let id = a.start("sleep 300").await;
    assert_eq!(a.output(&id).await.json()["running"], true);
    assert_eq!(a.signal(&id, "kill").await.status, 200);
    let out = a.wait_exit(&id).await.json();
    assert_eq!(out["exit_code"], -1);
}

#[tokio::test]
async fn lifecycle_output_exceeds_buffer() {
    let a = Agent::exec();
    let id = a
        .start(r#"for i in $(seq 1 1155); do echo "line-$i-padding-to-make-this-longer-than-fifty-characters-total"; done"#)
        .await;
    let r = a
        .get(&format!("/api/v0/processes/{id}/output?wait=true"))
        .await;
    let mut all = String::new();
    for i in 1..=1155 {
        all.push_str(&format!(
            "line-{i}-padding-to-make-this-longer-than-fifty-characters-total\n"
        ));
    }
    let text = format!(
        "{}\n\n... [omitted 42355 bytes] ...\n\n{}",
        &all[..16384],
        &all[all.len() - 16384..]
    );
    let expected = format!(
        "{{\"output\":{},\"truncated\":{{\"original_bytes\":75123,\"retained_bytes\":32801,\"omitted_bytes\":42355,\"strategy\":\"head_tail\"}},\"running\":false,\"exit_code\":0}}\n",
        serde_json::Value::String(text)
    );
    assert!(r.text() == expected, "output differs");
    // Bodies over 2048 bytes go out chunked, like Go's.
    assert!(r.headers.get("content-length").is_none());
}

#[tokio::test]
async fn lifecycle_stderr_captured() {
    let a = Agent::exec();
    let id = a.start("echo stdout-msg && echo stderr-msg >&2").await;
    assert_eq!(
        a.wait_exit(&id).await.text(),
        "{\"output\":\"stdout-msg\\nstderr-msg\\n\",\"running\":false,\"exit_code\":0}\n"
    );
    // stdin is /dev/null.
    let id = a.start("cat; echo eof").await;
    assert_eq!(a.wait_exit(&id).await.json()["output"], "eof\n");
}

#[tokio::test]
async fn output_bytes_are_go_encoded() {
    let a = Agent::exec();
    let id = a
        .start(r"printf '<a&b> \342\200\250 \377\342\202 \303\251'")
        .await;
    assert_eq!(
        a.wait_exit(&id).await.text(),
        "{\"output\":\"\\u003ca\\u0026b\\u003e \\u2028 \\ufffd\\ufffd\\ufffd é\",\"running\":false,\"exit_code\":0}\n"
    );
}

#[tokio::test]
async fn wait_delay_when_a_descendant_holds_the_pipe() {
    let a = Agent::exec();
    let started = std::time::Instant::now();
    let id = a.start("echo before; sleep 30 & echo $!").await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(a.output(&id).await.json()["running"], true);
    let out = a
        .get(&format!("/api/v0/processes/{id}/output?wait=true"))
        .await
        .json();
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(4900) && took < Duration::from_secs(15),
        "{took:?}"
    );
    assert_eq!(out["exit_code"], -1);
    let text = out["output"].as_str().unwrap().to_string();
    assert!(text.starts_with("before\n"));
    let pid: i32 = text.lines().nth(1).unwrap().parse().unwrap();
    // The descendant is still running until the group is killed.
    assert!(!pid_dead(pid));
    a.state.shutdown();
    assert_all_dead(&[pid]);
}

// ---- Routing ----

#[tokio::test]
async fn routing_follows_chi() {
    let a = Agent::exec();
    for path in [
        "/api/v0/processes",
        "/api/v0/processes/",
        "/api/v0/processes/x",
        "/api/v0/processes/x/y",
    ] {
        let r = a.get(path).await;
        assert_eq!(r.status, 404, "{path}");
        assert_eq!(r.text(), "404 page not found\n");
        assert_eq!(r.headers["x-content-type-options"], "nosniff");
    }
    for (method, path, allow) in [
        (http::Method::GET, "/api/v0/processes/start", "POST"),
        (http::Method::POST, "/api/v0/processes/list", "GET"),
        (http::Method::GET, "/api/v0/processes/x/signal", "POST"),
        (http::Method::DELETE, "/api/v0/processes/x/output", "GET"),
        (http::Method::HEAD, "/api/v0/processes/list", "GET"),
    ] {
        let r = a.call(method.clone(), path, None).await;
        assert_eq!(r.status, 405, "{method} {path}");
        assert_eq!(r.headers["allow"], allow);
        assert!(r.body.is_empty());
    }
}
