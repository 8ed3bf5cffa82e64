//! Broken agents: each one is agent-sim behind a proxy that gets exactly one behaviour wrong,
//! and each must be caught by the named case (listed in conformance/MUTANTS.md). The test
//! fails naming every mutant that escaped.

mod common;

use common::{fixture, mutant_ws, MResp, Mutation, Rewrite, WsMutation};
use conformance::runner::Outcome;
use http::{Method, StatusCode};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

struct Spec {
    name: &'static str,
    fixture: &'static str,
    /// The case that must fail (exact name).
    case: &'static str,
    rewrite: Option<Rewrite>,
    mutate: Mutation,
    /// Changes the watch socket's text frames.
    ws: Option<WsMutation>,
}

fn on(
    name: &'static str,
    fixture: &'static str,
    case: &'static str,
    f: impl Fn(&Method, &str, &mut MResp) + Send + Sync + 'static,
) -> Spec {
    Spec {
        name,
        fixture,
        case,
        rewrite: None,
        mutate: Arc::new(f),
        ws: None,
    }
}

fn rewrite(
    name: &'static str,
    fixture: &'static str,
    case: &'static str,
    rw: impl Fn(&mut axum::extract::Request) + Send + Sync + 'static,
) -> Spec {
    Spec {
        name,
        fixture,
        case,
        rewrite: Some(Arc::new(rw)),
        mutate: Arc::new(|_, _, _| {}),
        ws: None,
    }
}

/// The watch socket's `n`th frame through `f` (`None` drops it).
fn frames(
    name: &'static str,
    fixture: &'static str,
    case: &'static str,
    f: impl Fn(usize, String) -> Option<String> + Send + Sync + 'static,
) -> Spec {
    Spec {
        name,
        fixture,
        case,
        rewrite: None,
        mutate: Arc::new(|_, _, _| {}),
        ws: Some(Arc::new(f)),
    }
}

fn is_recreate(m: &Method, p: &str) -> bool {
    m == Method::POST && p.starts_with(DEVCONTAINERS) && p.ends_with("/recreate")
}

fn is_delete(m: &Method, p: &str) -> bool {
    m == Method::DELETE && p.starts_with(DEVCONTAINERS)
}

const DEVCONTAINERS: &str = "/api/v0/containers/devcontainers/";

fn path_is(path: &str, want: &str) -> bool {
    path.split('?').next() == Some(want)
}

/// Replaces `from` by `to` in the body of responses to `want`.
fn replace_in(
    name: &'static str,
    fixture: &'static str,
    case: &'static str,
    want: &'static str,
    from: &'static str,
    to: &'static str,
) -> Spec {
    on(name, fixture, case, move |_, p, r| {
        if path_is(p, want) {
            let t = r.text().replace(from, to);
            r.set_text(&t);
        }
    })
}

fn specs() -> Vec<Spec> {
    vec![
        on(
            "wrong 404 body",
            "default",
            "router/404/unknown-path",
            |_, _, r| {
                if r.status == StatusCode::NOT_FOUND {
                    r.set_text("404 not found\n");
                }
            },
        ),
        on(
            "404 without trailing newline",
            "default",
            "router/404/unknown-path",
            |_, _, r| {
                if r.status == StatusCode::NOT_FOUND {
                    r.set_text("404 page not found");
                }
            },
        ),
        on(
            "404 without nosniff",
            "default",
            "router/404/api-v0-unknown",
            |_, _, r| {
                r.headers.remove("x-content-type-options");
            },
        ),
        on(
            "JSON Content-Type without charset",
            "default",
            "hello/get",
            |_, _, r| {
                if r.headers
                    .get("content-type")
                    .is_some_and(|v| v == "application/json; charset=utf-8")
                {
                    r.set_header("content-type", "application/json");
                }
            },
        ),
        replace_in(
            "wrong hello message",
            "default",
            "hello/get",
            "/",
            "Hello from the agent!",
            "Hello from agent",
        ),
        on(
            "hello without trailing newline",
            "default",
            "hello/get",
            |_, p, r| {
                if p == "/" {
                    let t = r.text();
                    r.set_text(t.trim_end());
                }
            },
        ),
        replace_in(
            "hello indented (WriteIndent)",
            "default",
            "hello/get",
            "/",
            "{\"message\":",
            "{\n\t\"message\": ",
        ),
        replace_in(
            "empty detail present",
            "default",
            "hello/get",
            "/",
            "\"}",
            "\",\"detail\":\"\"}",
        ),
        replace_in(
            "port 8 reported",
            "default",
            "listening-ports/no-port-below-9",
            "/api/v0/listening-ports",
            "{\"ports\":[",
            "{\"ports\":[{\"process_name\":\"x\",\"network\":\"tcp\",\"port\":8},",
        ),
        replace_in(
            "ignored port 6060 reported",
            "default",
            "listening-ports/no-ignored-port",
            "/api/v0/listening-ports",
            "{\"ports\":[",
            "{\"ports\":[{\"process_name\":\"coder\",\"network\":\"tcp\",\"port\":6060},",
        ),
        replace_in(
            "listening-ports error message wrong",
            "ports-error",
            "listening-ports/shape",
            "/api/v0/listening-ports",
            "Could not scan for listening ports.",
            "Could not scan listening ports.",
        ),
        replace_in(
            "empty ports as null",
            "sub-agent",
            "listening-ports/shape",
            "/api/v0/listening-ports",
            "[]",
            "null",
        ),
        on(
            "ports sorted by number",
            "default",
            "property/port-filtering",
            |_, p, r| {
                if path_is(p, "/api/v0/listening-ports") && r.status == StatusCode::OK {
                    let mut v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
                    if let Some(a) = v["ports"].as_array_mut() {
                        a.sort_by_key(|e| e["port"].as_u64());
                    }
                    r.body = agent_sim::gojson::to_vec(&v);
                }
            },
        ),
        on(
            "HTML escaping missing",
            "default",
            "property/port-filtering",
            |_, p, r| {
                if path_is(p, "/api/v0/listening-ports") {
                    let t = r
                        .text()
                        .replace("\\u003c", "<")
                        .replace("\\u003e", ">")
                        .replace("\\u0026", "&");
                    r.set_text(&t);
                }
            },
        ),
        on(
            "gating messages swapped",
            "sub-agent",
            "containers/gating-matches-manifest",
            |_, p, r| {
                if path_is(p, "/api/v0/containers") {
                    let t = r.text();
                    let t = if t.contains("not supported.") {
                        agent_gate_not_enabled()
                    } else {
                        t
                    };
                    r.set_text(&t);
                }
            },
        ),
        on(
            "gating on sub-paths",
            "devcontainers-disabled",
            "containers/gating-exact-path-only",
            |_, p, r| {
                if p.starts_with("/api/v0/containers/") {
                    r.answer_json(StatusCode::FORBIDDEN, &agent_gate_not_enabled());
                }
            },
        ),
        on(
            "gate answers HEAD with 405",
            "devcontainers-disabled",
            "containers/gating-all-standard-methods",
            |m, p, r| {
                if m == Method::HEAD && path_is(p, "/api/v0/containers") {
                    r.status = StatusCode::METHOD_NOT_ALLOWED;
                    r.set_header("allow", "GET");
                    r.body.clear();
                }
            },
        ),
        on(
            "gate only for GET",
            "devcontainers-disabled",
            "containers/gating-all-standard-methods",
            |m, p, r| {
                if m == Method::POST && path_is(p, "/api/v0/containers") {
                    r.status = StatusCode::METHOD_NOT_ALLOWED;
                    r.set_header("allow", "GET");
                    r.headers.remove("content-type");
                    r.body.clear();
                }
            },
        ),
        rewrite(
            "HEAD treated as GET",
            "default",
            "router/405/hello-head",
            |req| {
                if req.method() == Method::HEAD {
                    *req.method_mut() = Method::GET;
                }
            },
        ),
        on(
            "405 without Allow",
            "default",
            "router/405/hello-post",
            |_, _, r| {
                r.headers.remove("allow");
            },
        ),
        on(
            "405 with a text body",
            "default",
            "router/405/listening-ports-post",
            |_, _, r| {
                if r.status == StatusCode::METHOD_NOT_ALLOWED {
                    r.set_header("content-type", "text/plain; charset=utf-8");
                    r.set_text("Method Not Allowed\n");
                }
            },
        ),
        on(
            "non-standard method answered 501",
            "default",
            "router/405/nonstandard-method-hello",
            |m, _, r| {
                if m.as_str() == "FOO" {
                    r.status = StatusCode::NOT_IMPLEMENTED;
                }
            },
        ),
        on(
            "manifest served as application/json",
            "default",
            "debug/manifest-shape",
            |_, p, r| {
                if path_is(p, "/debug/manifest") {
                    r.set_header("content-type", "application/json; charset=utf-8");
                }
            },
        ),
        replace_in(
            "manifest without devcontainers",
            "default",
            "debug/manifest-shape",
            "/debug/manifest",
            ",\"devcontainers\":[]",
            "",
        ),
        replace_in_prefix(
            "debug-logging wrong quoting",
            "default",
            "debug/debug-logging-invalid",
            "/debug/magicsock/debug-logging/",
            "\"",
            "'",
        ),
        on(
            "debug-logging with trailing newline",
            "default",
            "debug/debug-logging-true",
            |_, p, r| {
                if p.starts_with("/debug/magicsock/debug-logging/") {
                    let t = r.text() + "\n";
                    r.set_text(&t);
                }
            },
        ),
        replace_in(
            "debug-logging accepts any case",
            "default",
            "debug/debug-logging-invalid-case",
            "/debug/magicsock/debug-logging/tRUE",
            "invalid state \"tRUE\", must be a boolean",
            "updated magicsock debug logging to true",
        ),
        on(
            "magicsock as text/plain",
            "default",
            "debug/magicsock-shape",
            |_, p, r| {
                if path_is(p, "/debug/magicsock") {
                    r.set_header("content-type", "text/plain; charset=utf-8");
                }
            },
        ),
        on(
            "prometheus with version parameter",
            "default",
            "debug/prometheus-shape",
            |_, p, r| {
                if path_is(p, "/debug/prometheus") {
                    r.set_header("content-type", "text/plain; version=0.0.4; charset=utf-8");
                }
            },
        ),
        replace_in(
            "netcheck severity downgraded",
            "default",
            "netcheck/shape",
            "/api/v0/netcheck",
            "{\"severity\":\"ok\"",
            "{\"severity\":\"warning\"",
        ),
        on(
            "trailing slash served",
            "default",
            "router/404/listening-ports-trailing-slash",
            |_, p, r| {
                if path_is(p, "/api/v0/listening-ports/") {
                    r.answer_json(StatusCode::OK, "{\"ports\":[]}\n");
                }
            },
        ),
        on(
            "percent escapes decoded",
            "default",
            "router/404/percent-escape",
            |_, p, r| {
                if path_is(p, "/api/v0/listening%2Dports") {
                    r.answer_json(StatusCode::OK, "{\"ports\":[]}\n");
                }
            },
        ),
        on(
            "debug logs error with newline",
            "ports-error",
            "debug/logs-shape",
            |_, p, r| {
                if path_is(p, "/debug/logs") && r.status == StatusCode::INTERNAL_SERVER_ERROR {
                    let t = r.text() + "\n";
                    r.set_text(&t);
                }
            },
        ),
        replace_in(
            "sub-agent manifest directory changed",
            "sub-agent",
            "snapshot/sub-agent/debug-manifest",
            "/debug/manifest",
            "/workspaces/app",
            "/workspaces/App",
        ),
        replace_in_prefix(
            "wrong truncation marker",
            "default",
            "process/exec/truncation-marker",
            "/api/v0/processes/",
            "\\n\\n... [omitted ",
            "\\n... [omitted ",
        ),
        replace_in_prefix(
            "wrong line-cut suffix",
            "default",
            "process/exec/long-line-cut",
            "/api/v0/processes/",
            " ... [truncated]",
            "... [truncated]",
        ),
        replace_in_prefix(
            "exit code lost on signal (128+9)",
            "default",
            "process/exec/kill-reports-minus-1",
            "/api/v0/processes/",
            "\"exit_code\":-1",
            "\"exit_code\":137",
        ),
        on(
            "exit code lost",
            "default",
            "property/process-round-trip",
            |_, p, r| {
                if p.starts_with("/api/v0/processes/") && p.contains("/output") {
                    let t = r.text().replace(",\"exit_code\":0}", "}");
                    let t = regex::Regex::new(r#","exit_code":\d+"#)
                        .unwrap()
                        .replace(&t, ",\"exit_code\":0");
                    r.set_text(&t);
                }
            },
        ),
        replace_in_prefix(
            "invalid UTF-8 as '?'",
            "default",
            "property/process-round-trip",
            "/api/v0/processes/",
            "\\ufffd",
            "?",
        ),
        replace_in_prefix(
            "stderr dropped",
            "default",
            "process/exec/output-round-trip",
            "/api/v0/processes/",
            "err\\n",
            "",
        ),
        on(
            "start 405 with Allow: GET",
            "default",
            "process/routes/405-start-get",
            |_, p, r| {
                if path_is(p, "/api/v0/processes/start")
                    && r.status == StatusCode::METHOD_NOT_ALLOWED
                {
                    r.set_header("allow", "GET");
                }
            },
        ),
        replace_in_prefix(
            "process id quoted with single quotes",
            "default",
            "process/output/unknown-id",
            "/api/v0/processes/",
            "Process \\\"nope\\\" not found.",
            "Process 'nope' not found.",
        ),
        replace_in(
            "empty body detail not EOF",
            "default",
            "process/start/empty-body",
            "/api/v0/processes/start",
            "\"detail\":\"EOF\"",
            "\"detail\":\"unexpected EOF\"",
        ),
        on(
            "file read past the limit",
            "default",
            "files/read/offset-limit",
            |_, p, r| {
                // Ignores `limit`: serves from offset to EOF.
                if p.starts_with("/api/v0/read-file?") && p.contains("limit=3") {
                    let t = r.text() + "56789";
                    r.set_text(&t);
                }
            },
        ),
        on(
            "read-file type from content",
            "default",
            "files/write-read-round-trip",
            |_, p, r| {
                if p.starts_with("/api/v0/read-file?") && r.status == StatusCode::OK {
                    r.set_header("content-type", "text/plain; charset=utf-8");
                }
            },
        ),
        on(
            "list-directory files before directories",
            "default",
            "files/list-directory",
            |_, p, r| {
                if p.starts_with("/api/v0/list-directory") && r.status == StatusCode::OK {
                    let mut v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
                    if let Some(a) = v["contents"].as_array_mut() {
                        a.sort_by_key(|e| e["is_dir"].as_bool());
                    }
                    r.body = agent_sim::gojson::to_vec(&v);
                }
            },
        ),
        replace_in_prefix(
            "read-file-lines one-based offset off by one",
            "default",
            "files/read-lines",
            "/api/v0/read-file-lines",
            "2\\tline2",
            "2\\tline3",
        ),
        replace_in_prefix(
            "resolve-path not cleaned",
            "default",
            "files/resolve-path-cleans",
            "/api/v0/resolve-path",
            "/a/b\"",
            "//a/./b/\"",
        ),
        replace_in_prefix(
            "write-file message unquoted",
            "default",
            "files/write-read-round-trip",
            "/api/v0/write-file",
            "Successfully wrote to \\\"",
            "Successfully wrote to \\\"./",
        ),
        replace_in_prefix(
            "edit diff header without path",
            "default",
            "files/edit-with-diff",
            "/api/v0/edit-files",
            "\"diff\":\"--- /tmp",
            "\"diff\":\"--- a/tmp",
        ),
        on(
            "edit success lists files without include_diff",
            "default",
            "property/file-round-trip",
            |_, p, r| {
                if p == "/api/v0/edit-files" && r.status == StatusCode::OK && r.body == b"{}\n" {
                    r.set_text("{\"files\":[]}\n");
                }
            },
        ),
        replace_in(
            "query validations missing",
            "default",
            "files/read/query-errors",
            "/api/v0/read-file",
            ",{\"field\":\"foo\",\"detail\":\"\\\"foo\\\" is not a valid query param\"}",
            "",
        ),
        on(
            "containers list keys swapped",
            "default",
            "containers/api/list-shape",
            |_, p, r| {
                if path_is(p, "/api/v0/containers") && r.status == StatusCode::OK {
                    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
                    let swapped = serde_json::json!({"containers": v["containers"], "devcontainers": v["devcontainers"]});
                    r.body = agent_sim::gojson::to_vec(&swapped);
                }
            },
        ),
        replace_in_prefix(
            "devcontainer id unquoted in not-found detail",
            "default",
            "containers/api/recreate-unknown-id",
            "/api/v0/containers/devcontainers/",
            "ID: \\\"",
            "ID: \\\"x",
        ),
        replace_in_prefix(
            "delete missing-id detail says recreate",
            "default",
            "containers/api/delete-missing-id",
            "/api/v0/containers/devcontainers/",
            "to delete a devcontainer",
            "to recreate a devcontainer",
        ),
        on(
            "watch answers a plain GET with 200",
            "default",
            "containers/api/watch-refuses-plain-get",
            |_, p, r| {
                if path_is(p, "/api/v0/containers/watch") {
                    r.status = StatusCode::OK;
                }
            },
        ),
        on(
            "containers sorted by name",
            "default",
            "property/container-list",
            |_, p, r| {
                if path_is(p, "/api/v0/containers") && r.status == StatusCode::OK {
                    let mut v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
                    if let Some(a) = v["containers"].as_array_mut() {
                        a.sort_by(|x, y| x["name"].as_str().cmp(&y["name"].as_str()));
                    }
                    r.body = agent_sim::gojson::to_vec(&v);
                }
            },
        ),
        on(
            "recreate answers 200 instead of 202",
            "containers-running",
            "containers/state/recreate-accepted",
            |m, p, r| {
                if is_recreate(m, p) && r.status == StatusCode::ACCEPTED {
                    r.status = StatusCode::OK;
                }
            },
        ),
        replace_in_prefix(
            "recreate 202 detail with the name unquoted",
            "containers-running",
            "containers/state/recreate-accepted",
            DEVCONTAINERS,
            "for devcontainer \\\"project1\\\" has",
            "for devcontainer project1 has",
        ),
        replace_in_prefix(
            "recreate 409 message altered",
            "containers-running",
            "containers/state/recreate-while-starting",
            DEVCONTAINERS,
            "and cannot be restarted.",
            "and cannot be recreated.",
        ),
        on(
            "recreate while starting accepted again (202)",
            "containers-running",
            "containers/controlled/recreate-twice-409",
            |m, p, r| {
                if is_recreate(m, p) && r.status == StatusCode::CONFLICT {
                    r.status = StatusCode::ACCEPTED;
                    r.set_text("{\"message\":\"Devcontainer recreation initiated\",\"detail\":\"Recreation process for devcontainer \\\"project1\\\" has started.\"}\n");
                }
            },
        ),
        on(
            "delete during recreate says it cannot be restarted",
            "containers-running",
            "containers/controlled/delete-during-recreate-409",
            |m, p, r| {
                if is_delete(m, p) && r.status == StatusCode::CONFLICT {
                    let t = r
                        .text()
                        .replace("cannot be deleted.", "cannot be restarted.");
                    r.set_text(&t);
                }
            },
        ),
        replace_in_prefix(
            "delete while starting reports the wrong status",
            "containers-running",
            "containers/state/delete-while-starting",
            DEVCONTAINERS,
            "is currently starting and cannot be deleted",
            "is currently stopping and cannot be deleted",
        ),
        {
            // After a recreate, the devcontainer is listed `starting` for ever.
            let recreated = Arc::new(AtomicBool::new(false));
            on(
                "status never leaves starting",
                "containers-running",
                "containers/controlled/recreate-starting-then-running",
                move |m, p, r| {
                    if is_recreate(m, p) && r.status == StatusCode::ACCEPTED {
                        recreated.store(true, Ordering::SeqCst);
                    }
                    if path_is(p, "/api/v0/containers") && recreated.load(Ordering::SeqCst) {
                        let t = r.text().replace(
                            "\"status\":\"running\",\"dirty\"",
                            "\"status\":\"starting\",\"dirty\"",
                        );
                        r.set_text(&t);
                    }
                },
            )
        },
        {
            // A refresh relinks nothing: the recreate's new container is never linked.
            let recreated = Arc::new(AtomicBool::new(false));
            on(
                "recreate ends without a container",
                "containers-running",
                "containers/controlled/recreate-starting-then-running",
                move |m, p, r| {
                    if is_recreate(m, p) && r.status == StatusCode::ACCEPTED {
                        recreated.store(true, Ordering::SeqCst);
                    }
                    if path_is(p, "/api/v0/containers")
                        && r.status == StatusCode::OK
                        && recreated.load(Ordering::SeqCst)
                    {
                        let mut v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
                        if let Some(a) = v["devcontainers"].as_array_mut() {
                            for d in a {
                                if let Some(o) = d.as_object_mut() {
                                    o.remove("container");
                                }
                            }
                        }
                        r.body = agent_sim::gojson::to_vec(&v);
                    }
                },
            )
        },
        on(
            "delete answers 200 with a body",
            "containers-running",
            "containers/controlled/delete-204",
            |m, p, r| {
                if is_delete(m, p) && r.status == StatusCode::NO_CONTENT {
                    r.status = StatusCode::OK;
                    r.set_text("{\"message\":\"Devcontainer deleted.\"}\n");
                }
            },
        ),
        on(
            "delete 204 without Content-Type",
            "containers-running",
            "containers/controlled/delete-204",
            |m, p, r| {
                if is_delete(m, p) && r.status == StatusCode::NO_CONTENT {
                    r.headers.remove("content-type");
                }
            },
        ),
        {
            // The list answered before the delete is served again after it.
            let before = Arc::new(std::sync::Mutex::new(None::<Vec<u8>>));
            let deleted = Arc::new(AtomicBool::new(false));
            on(
                "deleted devcontainer still listed",
                "containers-running",
                "containers/controlled/delete-204",
                move |m, p, r| {
                    if is_delete(m, p) && r.status == StatusCode::NO_CONTENT {
                        deleted.store(true, Ordering::SeqCst);
                    }
                    if path_is(p, "/api/v0/containers") && r.status == StatusCode::OK {
                        let mut b = before.lock().unwrap();
                        if deleted.load(Ordering::SeqCst) {
                            if let Some(old) = b.as_ref() {
                                r.body = old.clone();
                            }
                        } else {
                            *b = Some(r.body.clone());
                        }
                    }
                },
            )
        },
        on(
            "second delete while stopping accepted",
            "containers-running",
            "containers/controlled/delete-while-stopping-409",
            |m, p, r| {
                if is_delete(m, p) && r.status == StatusCode::CONFLICT {
                    r.status = StatusCode::NO_CONTENT;
                    r.body.clear();
                }
            },
        ),
        on(
            "delete of an unknown id answered by the router's 404",
            "containers-running",
            "containers/api/delete-unknown-id",
            |m, p, r| {
                if is_delete(m, p) && r.status == StatusCode::NOT_FOUND {
                    r.set_header("content-type", "text/plain; charset=utf-8");
                    r.set_text("404 page not found\n");
                }
            },
        ),
        frames(
            "watch frames drop the warnings",
            "containers-running",
            "containers/watch/first-frame-is-list",
            |_, t| {
                let mut v: serde_json::Value = serde_json::from_str(&t).unwrap();
                if let Some(o) = v.as_object_mut() {
                    o.remove("warnings");
                }
                Some(String::from_utf8(agent_sim::gojson::to_vec(&v)).unwrap())
            },
        ),
        frames(
            "watch frames without the trailing newline",
            "containers-running",
            "containers/watch/first-frame-is-list",
            |_, t| Some(t.trim_end().to_string()),
        ),
        frames(
            "watch frames indented",
            "default",
            "containers/watch/controlled-first-frame-is-list",
            |_, t| {
                let v: serde_json::Value = serde_json::from_str(&t).unwrap();
                Some(serde_json::to_string_pretty(&v).unwrap() + "\n")
            },
        ),
        frames(
            "watch sends only the first frame",
            "containers-running",
            "containers/watch/frame-after-recreate",
            |n, t| (n == 0).then_some(t),
        ),
        frames(
            "watch frame after a change is the old list",
            "default",
            "containers/watch/controlled-frame-after-scenario-change",
            {
                let first = Arc::new(std::sync::Mutex::new(None::<String>));
                move |_, t| {
                    let mut f = first.lock().unwrap();
                    Some(f.get_or_insert(t).clone())
                }
            },
        ),
        {
            // The signal is sent to no process, and the agent says it was.
            let mut s = rewrite(
                "kill acknowledged but not delivered",
                "default",
                "local/processes/visible-to-host",
                |req| {
                    if req.method() == Method::POST && req.uri().path().ends_with("/signal") {
                        *req.uri_mut() = "/api/v0/processes/nope/signal".parse().unwrap();
                    }
                },
            );
            s.mutate = Arc::new(|m, p, r| {
                if m == Method::POST && p.ends_with("/signal") && r.status == StatusCode::NOT_FOUND
                {
                    r.status = StatusCode::OK;
                }
            });
            s
        },
        rewrite(
            "start runs another command",
            "default",
            "local/processes/visible-to-host",
            |req| {
                if req.method() == Method::POST && req.uri().path() == "/api/v0/processes/start" {
                    *req.body_mut() = axum::body::Body::from("{\"command\":\"true\"}");
                    req.headers_mut().remove("content-length");
                }
            },
        ),
    ]
}

/// Replaces `from` by `to` in the body of responses to paths starting with `prefix`.
fn replace_in_prefix(
    name: &'static str,
    fixture: &'static str,
    case: &'static str,
    prefix: &'static str,
    from: &'static str,
    to: &'static str,
) -> Spec {
    on(name, fixture, case, move |_, p, r| {
        if p.starts_with(prefix) {
            let t = r.text().replace(from, to);
            r.set_text(&t);
        }
    })
}

fn agent_gate_not_enabled() -> String {
    conformance::cases::core::GATE_NOT_ENABLED.to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_mutant_is_caught_by_its_case() {
    let specs = specs();
    assert!(specs.len() >= 25, "{} mutants", specs.len());
    let mut escaped = Vec::new();
    for s in &specs {
        let m = mutant_ws(
            fixture(s.fixture),
            s.rewrite.clone(),
            s.mutate.clone(),
            s.ws.clone(),
        )
        .await;
        let filter = format!("^{}$", regex::escape(s.case));
        let report = common::run_filtered(&m.url, &filter, 3000).await;
        let outcome = report.results.first().map(|r| r.outcome.clone());
        match outcome {
            Some(Outcome::Failed(f)) => {
                let reason: String = f.reason.chars().take(160).collect();
                eprintln!("caught | {} | {} | {reason}", s.name, s.case);
            }
            other => escaped.push(format!("{} (case {}): {other:?}", s.name, s.case)),
        }
    }
    assert!(escaped.is_empty(), "mutants not caught: {escaped:#?}");
}

/// The same cases pass through an identity proxy, so a mutant's failure is its own doing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identity_proxy_passes_every_catching_case() {
    for fx in [
        "default",
        "sub-agent",
        "devcontainers-disabled",
        "ports-error",
        "containers-running",
    ] {
        let m = mutant_ws(fixture(fx), None, Arc::new(|_, _, _| {}), None).await;
        let names: Vec<String> = specs()
            .iter()
            .filter(|s| s.fixture == fx)
            .map(|s| regex::escape(s.case))
            .collect();
        let filter = format!("^({})$", names.join("|"));
        let report = common::run_filtered(&m.url, &filter, 3000).await;
        for r in &report.results {
            assert!(
                matches!(r.outcome, Outcome::Passed),
                "{fx}: {} {:?}",
                r.name,
                r.outcome
            );
        }
    }
}
