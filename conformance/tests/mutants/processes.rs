//! Mutants of the process API (processes.md): each proxy gets one rule wrong (a status, a
//! field, an order, a limit off by one, a signal, an environment variable) and names the case
//! that must catch it.

use crate::spec::*;
use serde_json::{json, Value};

pub(crate) fn specs() -> Vec<Spec> {
    let mut v = first_specs();
    v.extend(list_and_output());
    v.extend(buffer());
    v.extend(signals_and_starts());
    v.extend(environment_and_chat());
    v
}

fn first_specs() -> Vec<Spec> {
    vec![
        replace_in_prefix(
            "wrong truncation marker",
            "default",
            "process/exec/truncation-marker",
            "/api/v0/processes/",
            "\\n\\n... [omitted ",
            "\\n... [omitted ",
        )
        .breaks(&["processes.buffer.omission-marker"]),
        replace_in_prefix(
            "wrong line-cut suffix",
            "default",
            "process/exec/long-line-cut",
            "/api/v0/processes/",
            " ... [truncated]",
            "... [truncated]",
        )
        .breaks(&["processes.buffer.line-cut"]),
        replace_in_prefix(
            "exit code lost on signal (128+9)",
            "default",
            "process/exec/kill-reports-minus-1",
            "/api/v0/processes/",
            "\"exit_code\":-1",
            "\"exit_code\":137",
        )
        .breaks(&["processes.exit.signal-minus-1"]),
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
        )
        .breaks(&["processes.exit.status"]),
        replace_in_prefix(
            "invalid UTF-8 as '?'",
            "default",
            "property/process-round-trip",
            "/api/v0/processes/",
            "\\ufffd",
            "?",
        )
        .breaks(&["processes.response.invalid-utf8"]),
        replace_in_prefix(
            "stderr dropped",
            "default",
            "process/exec/output-round-trip",
            "/api/v0/processes/",
            "err\\n",
            "",
        )
        .breaks(&["processes.start.merged-streams"]),
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
        )
        .breaks(&["processes.routes.405-start"]),
        replace_in_prefix(
            "process id quoted with single quotes",
            "default",
            "process/output/unknown-id",
            "/api/v0/processes/",
            "Process \\\"nope\\\" not found.",
            "Process 'nope' not found.",
        )
        .breaks(&["processes.output.not-found", "processes.output.id-quoted"]),
        replace_in(
            "empty body detail not EOF",
            "default",
            "process/start/empty-body",
            "/api/v0/processes/start",
            "\"detail\":\"EOF\"",
            "\"detail\":\"unexpected EOF\"",
        )
        .breaks(&["processes.body.empty-eof"]),
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
            s.breaks(&["processes.signal.sent"])
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
        )
        .breaks(&["processes.start.sh-c"]),
    ]
}

const PROCESSES: &str = "/api/v0/processes/";

fn is_list(p: &str) -> bool {
    path_is(p, "/api/v0/processes/list")
}

fn is_output(p: &str) -> bool {
    p.starts_with(PROCESSES) && p.split('?').next().is_some_and(|p| p.ends_with("/output"))
}

fn is_start(m: &Method, p: &str) -> bool {
    m == Method::POST && path_is(p, "/api/v0/processes/start")
}

fn is_signal(m: &Method, p: &str) -> bool {
    m == Method::POST && p.starts_with(PROCESSES) && p.ends_with("/signal")
}

/// Changes the JSON answers to requests `want` accepts, written back as Go writes JSON.
fn on_json(
    name: &'static str,
    case: &'static str,
    want: fn(&Method, &str) -> bool,
    f: fn(&mut Value),
) -> Spec {
    on(name, "default", case, move |m, p, r| {
        if want(m, p) {
            if let Ok(mut v) = serde_json::from_slice::<Value>(&r.body) {
                f(&mut v);
                r.body = agent_sim::gojson::to_vec(&v);
            }
        }
    })
}

/// Rewrites the JSON body of requests `want` accepts (read in place: the proxy runs on a
/// multi-threaded runtime).
fn body_rewrite(
    name: &'static str,
    case: &'static str,
    want: fn(&Method, &str) -> bool,
    f: fn(&mut Value),
) -> Spec {
    rewrite(name, "default", case, move |req| {
        if !want(req.method(), req.uri().path()) {
            return;
        }
        let body = std::mem::take(req.body_mut());
        let bytes = tokio::task::block_in_place(|| {
            tokio::runtime::Handle::current().block_on(axum::body::to_bytes(body, usize::MAX))
        })
        .unwrap_or_default();
        let mut v: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        f(&mut v);
        let out = if bytes.is_empty() {
            String::new()
        } else {
            v.to_string()
        };
        *req.body_mut() = axum::body::Body::from(out);
        req.headers_mut().remove("content-length");
    })
}

fn entries(v: &mut Value) -> Vec<Value> {
    v["processes"].as_array().cloned().unwrap_or_default()
}

/// Changes every list entry (caught by the running-entry case).
fn each_entry(name: &'static str, f: fn(&mut Value)) -> Spec {
    on(
        name,
        "default",
        "process/exec/running-entry",
        move |_, p, r| {
            if is_list(p) {
                if let Ok(mut v) = serde_json::from_slice::<Value>(&r.body) {
                    let mut e = entries(&mut v);
                    e.iter_mut().for_each(f);
                    v["processes"] = json!(e);
                    r.body = agent_sim::gojson::to_vec(&v);
                }
            }
        },
    )
}

fn list_and_output() -> Vec<Spec> {
    vec![
        on_json(
            "list capped at 9",
            "process/exec/list-order-and-cap",
            |_, p| is_list(p),
            |v| {
                let mut e = entries(v);
                if e.len() == 10 {
                    e.pop();
                }
                v["processes"] = json!(e);
            },
        )
        .breaks(&["processes.list.cap-10"]),
        on_json(
            "list capped at 11",
            "process/exec/list-order-and-cap",
            |_, p| is_list(p),
            |v| {
                let mut e = entries(v);
                if let Some(mut extra) = e.last().cloned().filter(|_| e.len() == 10) {
                    extra["id"] = json!("00000000-0000-4000-8000-000000000011");
                    e.push(extra);
                }
                v["processes"] = json!(e);
            },
        )
        .breaks(&["processes.list.cap-10"]),
        on_json(
            "exited listed before running",
            "process/exec/list-order-and-cap",
            |_, p| is_list(p),
            |v| {
                let mut e = entries(v);
                e.sort_by_key(|p| p["running"] == true);
                v["processes"] = json!(e);
            },
        )
        .breaks(&["processes.list.running-first"]),
        on_json(
            "exited part oldest first",
            "process/exec/list-order-and-cap",
            |_, p| is_list(p),
            |v| {
                let mut e = entries(v);
                let first_exited = e
                    .iter()
                    .position(|p| p["running"] == false)
                    .unwrap_or(e.len());
                e[first_exited..].reverse();
                v["processes"] = json!(e);
            },
        )
        .breaks(&["processes.list.newest-first"]),
        each_entry("running entry with exit_code", |p| {
            if p["running"] == true {
                p["exit_code"] = json!(0);
            }
        })
        .breaks(&["processes.list.running-omits-exit"]),
        each_entry("list without workdir", |p| {
            p.as_object_mut().map(|o| o.shift_remove("workdir"));
        })
        .breaks(&["processes.workdir.request"]),
        each_entry("background not kept", |p| p["background"] = json!(false))
            .breaks(&["processes.start.background-flag"]),
        on_json(
            "exit_code 0 omitted",
            "process/exec/output-round-trip",
            |_, p| is_output(p),
            |v| {
                if v["exit_code"] == 0 {
                    v.as_object_mut().map(|o| o.shift_remove("exit_code"));
                }
            },
        )
        .breaks(&["processes.output.exited"]),
        on_json(
            "running snapshot with exit_code",
            "process/exec/start-answer",
            |_, p| is_output(p),
            |v| {
                if v["running"] == true {
                    v["exit_code"] = json!(0);
                }
            },
        )
        .breaks(&["processes.output.running-snapshot"]),
        on_json(
            "output fields reordered",
            "process/exec/output-round-trip",
            |_, p| is_output(p),
            |v| {
                if let Some(running) = v.as_object_mut().and_then(|o| o.shift_remove("running")) {
                    v["running"] = running;
                }
            },
        )
        .breaks(&["processes.output.fields"]),
        on_json(
            "exit 300 reported as 300",
            "process/exec/exit-codes",
            |_, p| is_output(p),
            |v| {
                if v["exit_code"] == 44 {
                    v["exit_code"] = json!(300);
                }
            },
        )
        .breaks(&["processes.exit.mod-256"]),
        rewrite(
            "wait=1 waits",
            "default",
            "process/exec/wait-forms",
            |req| {
                let uri = req.uri().to_string();
                if uri.contains("/output?wait=") && !uri.ends_with("wait=true") {
                    *req.uri_mut() = format!("{}?wait=true", req.uri().path()).parse().unwrap();
                }
            },
        )
        .breaks(&["processes.output.wait-exact"]),
        rewrite(
            "wait=true ignored (V1)",
            "default",
            "process/exec/wait-forms",
            |req| {
                if req.uri().query() == Some("wait=true") {
                    *req.uri_mut() = req.uri().path().parse().unwrap();
                }
            },
        )
        .breaks(&["processes.output.wait-blocks"]),
    ]
}

/// Moves the first tail byte into the omitted count, as a 16383-byte tail would.
fn shorter_tail(v: &mut Value) {
    let omitted = v["truncated"]["omitted_bytes"].as_u64().unwrap_or(0);
    let out = v["output"].as_str().unwrap_or_default().to_string();
    let marker = format!("\n\n... [omitted {omitted} bytes] ...\n\n");
    if let Some((head, tail)) = out.split_once(&marker).filter(|_| omitted > 0) {
        let rest: String = tail.chars().skip(1).collect();
        let text = format!(
            "{head}\n\n... [omitted {} bytes] ...\n\n{rest}",
            omitted + 1
        );
        v["truncated"]["omitted_bytes"] = json!(omitted + 1);
        v["truncated"]["retained_bytes"] = json!(text.len());
        v["output"] = json!(text);
    }
}

fn buffer() -> Vec<Spec> {
    vec![
        on_json("head 16383 bytes", "process/exec/buffer/exact-head", |_, p| is_output(p), |v| {
            let out = v["output"].as_str().unwrap_or_default().to_string();
            if out.len() == 16384 && v.get("truncated").is_none() {
                let text = format!("{}\n{}", &out[..16383], &out[16383..]);
                v["output"] = json!(text);
                v["truncated"] = json!({"original_bytes": 16384, "retained_bytes": 16385, "omitted_bytes": 0, "strategy": "head_tail"});
            }
        })
        .breaks(&["processes.buffer.fits-no-info"]),
        on_json("tail 16383 bytes", "process/exec/buffer/omitted-one", |_, p| is_output(p), shorter_tail)
            .breaks(&["processes.buffer.tail-16384"]),
        on_json("no newline between head and tail", "process/exec/buffer/head-plus-one", |_, p| is_output(p), |v| {
            let mut out = v["output"].as_str().unwrap_or_default().to_string();
            if v["truncated"]["omitted_bytes"] == 0 && out.as_bytes().get(16384) == Some(&b'\n') {
                out.remove(16384);
                v["truncated"]["retained_bytes"] = json!(out.len());
                v["output"] = json!(out);
            }
        })
        .breaks(&["processes.buffer.head-tail-newline"]),
        replace_in_prefix(
            "2048-byte line cut",
            "default",
            "process/exec/buffer/line-rules",
            PROCESSES,
            // 2048 `a` then `\n`, as it travels: cut like a longer line.
            concat!("aaaaaaaaaaaaaaaa", "aaaaaaaaaaaaaaaa", "\\n"),
            "aaaaaaaaaaaaaaaa ... [truncated]\\n",
        )
        .breaks(&["processes.buffer.line-2048-kept"]),
        on_json("\\r ends a line", "process/exec/buffer/line-rules", |_, p| is_output(p), |v| {
            let cut = format!("{} ... [truncated]", "d".repeat(531));
            let out = v["output"].as_str().unwrap_or_default().replace(&cut, &"d".repeat(1500));
            v["output"] = json!(out);
        })
        .breaks(&["processes.buffer.cr-ordinary"]),
        on_json("last cut segment gets a newline", "process/exec/buffer/line-rules", |_, p| is_output(p), |v| {
            let out = v["output"].as_str().unwrap_or_default().to_string();
            if out.ends_with(" ... [truncated]") {
                v["output"] = json!(out + "\n");
            }
        })
        .breaks(&["processes.buffer.cut-separately"]),
        on_json("retained_bytes is Len()", "process/exec/buffer/head-plus-one", |_, p| is_output(p), |v| {
            let t = &v["truncated"];
            if let (Some(o), Some(x)) = (t["original_bytes"].as_u64(), t["omitted_bytes"].as_u64()) {
                v["truncated"]["retained_bytes"] = json!(o - x);
            }
        })
        .breaks(&["processes.buffer.retained"]),
        replace_in_prefix("strategy spelled head-tail", "default", "process/exec/truncation-marker", PROCESSES, "head_tail", "head-tail")
            .breaks(&["processes.buffer.info"]),
        on_json("truncation info for a cut line", "process/exec/long-line-cut", |_, p| is_output(p), |v| {
            let out = v["output"].as_str().unwrap_or_default().to_string();
            if out.contains(" ... [truncated]") && v.get("truncated").is_none() {
                v["truncated"] = json!({"original_bytes": 2549, "retained_bytes": out.len(), "omitted_bytes": 0, "strategy": "head_tail"});
            }
        })
        .breaks(&["processes.buffer.cut-no-info"]),
        replace_in_prefix("U+2028 sent raw", "default", "process/exec/escapes", PROCESSES, "\\u2028", "\u{2028}")
            .breaks(&["processes.response.line-separators"]),
    ]
}

/// Swaps the two accepted signal names in signal requests, and `to` back to `from` in the
/// answer (the catching case sends only `from`).
fn swapped_signal(
    name: &'static str,
    case: &'static str,
    from: &'static str,
    to: &'static str,
) -> Spec {
    let mut s = body_rewrite(name, case, is_signal, |v| {
        v["signal"] = match v["signal"].as_str() {
            Some("kill") => json!("terminate"),
            Some("terminate") => json!("kill"),
            _ => v["signal"].clone(),
        };
    });
    s.mutate = Arc::new(move |m, p, r| {
        if is_signal(m, p) && r.status == StatusCode::OK {
            let t = r
                .text()
                .replace(&format!("\\\"{to}\\\""), &format!("\\\"{from}\\\""));
            r.set_text(&t);
        }
    });
    s
}

fn signals_and_starts() -> Vec<Spec> {
    vec![
        swapped_signal("terminate sends SIGKILL", "process/exec/terminate-runs-trap", "terminate", "kill")
            .breaks(&["processes.signal.terminate-sigterm"]),
        swapped_signal("kill sends SIGTERM", "process/exec/kill-beats-trap", "kill", "terminate")
            .breaks(&["processes.signal.kill-sigkill"]),
        on("not running is 500 (PR draft)", "default", "process/exec/kill-reports-minus-1", |m, p, r| {
            if is_signal(m, p) && r.status == StatusCode::CONFLICT {
                r.answer_json(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "{\"message\":\"Failed to signal process.\",\"detail\":\"kill process: os: process already finished\"}\n",
                );
            }
        })
        .breaks(&["processes.signal.not-running"]),
        on("empty command is 422", "default", "process/start/empty-command", |m, p, r| {
            if is_start(m, p) && r.status == StatusCode::BAD_REQUEST && r.text().contains("Command is required.") {
                r.status = StatusCode::UNPROCESSABLE_ENTITY;
            }
        })
        .breaks(&["processes.start.command-required"]),
        on_json("start answer keys reversed", "process/exec/start-answer", is_start, |v| {
            if let Some(id) = v.as_object_mut().and_then(|o| o.shift_remove("id")) {
                v["id"] = id;
            }
        })
        .breaks(&["processes.start.response"]),
        {
            // Ids go out in upper case; the proxy lower-cases them on the way back in.
            let mut s = rewrite("ids in upper case", "default", "process/exec/start-answer", |req| {
                let path = req.uri().path();
                if path.starts_with(PROCESSES) {
                    let lower = req.uri().to_string().to_lowercase();
                    *req.uri_mut() = lower.parse().unwrap();
                }
            });
            s.mutate = Arc::new(|m, p, r| {
                if is_start(m, p) {
                    if let Ok(mut v) = serde_json::from_slice::<Value>(&r.body) {
                        let upper = v["id"].as_str().map(str::to_uppercase);
                        v["id"] = json!(upper);
                        r.body = agent_sim::gojson::to_vec(&v);
                    }
                }
            });
            s.breaks(&["processes.start.id-uuid"])
        },
        on("workdir error from chdir (V1)", "default", "process/exec/workdir-errors", |m, p, r| {
            if is_start(m, p) && r.status == StatusCode::INTERNAL_SERVER_ERROR {
                let t = r.text().replace("start process: fork/exec ", "start process: chdir ");
                r.set_text(&t);
            }
        })
        .breaks(&["processes.start.workdir-missing"]),
        on("HEAD served like GET", "default", "process/routes/head-list", |m, p, r| {
            if m == Method::HEAD && is_list(p) && r.status == StatusCode::METHOD_NOT_ALLOWED {
                r.answer_json(StatusCode::OK, "");
                r.headers.remove("allow");
            }
        })
        .breaks(&["processes.routes.head-not-get"]),
        replace_in_prefix("escaped id unescaped", "default", "process/output/id-raw-path", PROCESSES, "a%2Fb", "a/b")
            .breaks(&["processes.routes.raw-path-id"]),
        replace_in_prefix("id quoted without Go escapes", "default", "process/output/id-go-quoted", PROCESSES, "a\\\\tb", "a\\tb")
            .breaks(&["processes.output.id-quoted"]),
        body_rewrite("blank command refused", "process/exec/shell", is_start, |v| {
            if v["command"].as_str().is_some_and(|c| c.trim().is_empty()) {
                v["command"] = json!("");
            }
        })
        .breaks(&["processes.start.blank-command-runs"]),
    ]
}

/// A chat header rewritten by `f` (`None` removes it) on requests `want` accepts.
fn chat_header(
    name: &'static str,
    want: fn(&Method, &str) -> bool,
    f: fn(&str) -> Option<String>,
) -> Spec {
    rewrite(name, "default", "process/chat/scoping", move |req| {
        if !want(req.method(), req.uri().path()) {
            return;
        }
        let Some(chat) = req
            .headers()
            .get("coder-chat-id")
            .and_then(|h| h.to_str().ok())
        else {
            return;
        };
        match f(chat) {
            Some(other) => {
                let value = http::HeaderValue::from_str(&other).unwrap();
                req.headers_mut().insert("coder-chat-id", value);
            }
            None => {
                req.headers_mut().remove("coder-chat-id");
            }
        }
    })
}

/// Runs `prefix` before the start request's command.
fn prefix_command(v: &mut Value, prefix: &str) {
    let cmd = v["command"].as_str().unwrap_or_default();
    v["command"] = json!(format!("{prefix}{cmd}"));
}

/// A chat no case uses.
const OTHER_CHAT: &str = "00000000-0000-4000-8000-00000000c4a7";

fn environment_and_chat() -> Vec<Spec> {
    vec![
        body_rewrite(
            "no CODER_AGENT_TOKEN",
            "process/exec/env/agent-token",
            is_start,
            |v| prefix_command(v, "unset CODER_AGENT_TOKEN; "),
        )
        .breaks(&["processes.env.agent-token"]),
        body_rewrite(
            "script bin dir last on PATH",
            "process/exec/env/agent-variables",
            is_start,
            // The first PATH entry moved to the end.
            |v| prefix_command(v, "PATH=\"${PATH#*:}:${PATH%%:*}\"; "),
        )
        .breaks(&["processes.env.script-bin-path"]),
        body_rewrite(
            "request env ignored",
            "process/exec/env/request-overrides",
            is_start,
            |v| {
                v.as_object_mut().map(|o| o.shift_remove("env"));
            },
        )
        .breaks(&["processes.env.request", "processes.env.request-overrides"]),
        {
            // An empty signal body is read before the chat check: with no chat context the
            // agent reaches the decoder and answers 400 EOF.
            let mut s = chat_header("foreign signal reads the body first", is_signal, |_| None);
            let strip = s.rewrite.take();
            s.rewrite = Some(Arc::new(move |req: &mut axum::extract::Request| {
                let empty = req.headers().get("content-length").is_none_or(|l| l == "0");
                if empty {
                    if let Some(strip) = &strip {
                        strip(req);
                    }
                }
            }));
            s.breaks(&["processes.chat.signal-foreign-first"])
        },
        on(
            "request CODER_CHAT_ID wins",
            "default",
            "process/chat/scoping",
            |_, p, r| {
                if is_output(p) {
                    let re = regex::Regex::new(r#""output":"[0-9a-f-]{36}""#).unwrap();
                    let t = re.replace(&r.text(), "\"output\":\"mine\"").into_owned();
                    r.set_text(&t);
                }
            },
        )
        .breaks(&["processes.chat.env"]),
        chat_header(
            "chat ids compared case-sensitively",
            |_, p| p.starts_with(PROCESSES),
            |chat| {
                Some(if chat.chars().any(|c| c.is_ascii_uppercase()) {
                    OTHER_CHAT.to_string()
                } else {
                    chat.to_string()
                })
            },
        )
        .breaks(&["processes.chat.canonical"]),
        chat_header(
            "any chat header is a chat",
            |_, p| p.starts_with(PROCESSES),
            |chat| {
                Some(if uuid::Uuid::parse_str(chat).is_err() {
                    OTHER_CHAT.to_string()
                } else {
                    chat.to_string()
                })
            },
        )
        .breaks(&["processes.chat.header-uuid"]),
    ]
}
