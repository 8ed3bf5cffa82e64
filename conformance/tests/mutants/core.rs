//! Mutants of the root router, hello, listening ports, netcheck, debug routes, the containers gate (core.md).

use crate::spec::*;

pub(crate) fn specs() -> Vec<Spec> {
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
        )
        .breaks(&["core.router.not-found.body"]),
        on(
            "404 without trailing newline",
            "default",
            "router/404/unknown-path",
            |_, _, r| {
                if r.status == StatusCode::NOT_FOUND {
                    r.set_text("404 page not found");
                }
            },
        )
        .breaks(&["core.router.not-found.body"]),
        on(
            "404 without nosniff",
            "default",
            "router/404/api-v0-unknown",
            |_, _, r| {
                r.headers.remove("x-content-type-options");
            },
        )
        .breaks(&["core.router.not-found.nosniff"]),
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
        )
        .breaks(&["core.json.content-type"]),
        replace_in(
            "wrong hello message",
            "default",
            "hello/get",
            "/",
            "Hello from the agent!",
            "Hello from agent",
        )
        .breaks(&["core.hello.body"]),
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
        )
        .breaks(&["core.json.trailing-newline", "core.hello.body"]),
        replace_in(
            "hello indented (WriteIndent)",
            "default",
            "hello/get",
            "/",
            "{\"message\":",
            "{\n\t\"message\": ",
        )
        .breaks(&["core.json.compact"]),
        replace_in(
            "empty detail present",
            "default",
            "hello/get",
            "/",
            "\"}",
            "\",\"detail\":\"\"}",
        )
        .breaks(&["core.response.detail-omitempty"]),
        replace_in(
            "port 8 reported",
            "default",
            "listening-ports/no-port-below-9",
            "/api/v0/listening-ports",
            "{\"ports\":[",
            "{\"ports\":[{\"process_name\":\"x\",\"network\":\"tcp\",\"port\":8},",
        )
        .breaks(&["core.ports.minimum"]),
        replace_in(
            "ignored port 6060 reported",
            "default",
            "listening-ports/no-ignored-port",
            "/api/v0/listening-ports",
            "{\"ports\":[",
            "{\"ports\":[{\"process_name\":\"coder\",\"network\":\"tcp\",\"port\":6060},",
        )
        .breaks(&["core.ports.default-ignored", "core.ports.ignored"]),
        replace_in(
            "listening-ports error message wrong",
            "ports-error",
            "listening-ports/shape",
            "/api/v0/listening-ports",
            "Could not scan for listening ports.",
            "Could not scan listening ports.",
        )
        .breaks(&["core.ports.error-message"]),
        replace_in(
            "empty ports as null",
            "sub-agent",
            "listening-ports/shape",
            "/api/v0/listening-ports",
            "[]",
            "null",
        )
        .breaks(&["core.ports.empty-array"]),
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
        )
        .breaks(&["core.ports.getter-order"]),
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
        )
        .breaks(&["core.json.escape-angle", "core.json.escape-amp"]),
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
        )
        .breaks(&["core.gate.not-supported"]),
        on(
            "gating on sub-paths",
            "devcontainers-disabled",
            "containers/gating-exact-path-only",
            |_, p, r| {
                if p.starts_with("/api/v0/containers/") {
                    r.answer_json(StatusCode::FORBIDDEN, &agent_gate_not_enabled());
                }
            },
        )
        .breaks(&["core.gate.exact-path"]),
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
        )
        .breaks(&["core.gate.all-methods"]),
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
        )
        .breaks(&["core.gate.all-methods"]),
        rewrite(
            "HEAD treated as GET",
            "default",
            "router/405/hello-head",
            |req| {
                if req.method() == Method::HEAD {
                    *req.method_mut() = Method::GET;
                }
            },
        )
        .breaks(&["core.router.head-not-get"]),
        on(
            "405 without Allow",
            "default",
            "router/405/hello-post",
            |_, _, r| {
                r.headers.remove("allow");
            },
        )
        .breaks(&["core.router.method-not-allowed.allow"]),
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
        )
        .breaks(&["core.router.method-not-allowed.empty"]),
        on(
            "non-standard method answered 501",
            "default",
            "router/405/nonstandard-method-hello",
            |m, _, r| {
                if m.as_str() == "FOO" {
                    r.status = StatusCode::NOT_IMPLEMENTED;
                }
            },
        )
        .breaks(&["core.router.nonstandard-method"]),
        on(
            "manifest served as application/json",
            "default",
            "debug/manifest-shape",
            |_, p, r| {
                if path_is(p, "/debug/manifest") {
                    r.set_header("content-type", "application/json; charset=utf-8");
                }
            },
        )
        .breaks(&["core.debug.manifest.sniffed"]),
        replace_in(
            "manifest without devcontainers",
            "default",
            "debug/manifest-shape",
            "/debug/manifest",
            ",\"devcontainers\":[]",
            "",
        )
        .breaks(&["core.debug.manifest.keys"]),
        replace_in_prefix(
            "debug-logging wrong quoting",
            "default",
            "debug/debug-logging-invalid",
            "/debug/magicsock/debug-logging/",
            "\"",
            "'",
        )
        .breaks(&["core.debug.logging.invalid", "core.debug.logging.quoting"]),
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
        )
        .breaks(&["core.debug.logging.text"]),
        replace_in(
            "debug-logging accepts any case",
            "default",
            "debug/debug-logging-invalid-case",
            "/debug/magicsock/debug-logging/tRUE",
            "invalid state \"tRUE\", must be a boolean",
            "updated magicsock debug logging to true",
        )
        .breaks(&["core.debug.logging.invalid"]),
        on(
            "magicsock as text/plain",
            "default",
            "debug/magicsock-shape",
            |_, p, r| {
                if path_is(p, "/debug/magicsock") {
                    r.set_header("content-type", "text/plain; charset=utf-8");
                }
            },
        )
        .breaks(&["core.debug.magicsock.html"]),
        on(
            "prometheus with version parameter",
            "default",
            "debug/prometheus-shape",
            |_, p, r| {
                if path_is(p, "/debug/prometheus") {
                    r.set_header("content-type", "text/plain; version=0.0.4; charset=utf-8");
                }
            },
        )
        .breaks(&["core.debug.prometheus.content-type"]),
        replace_in(
            "netcheck severity downgraded",
            "default",
            "netcheck/shape",
            "/api/v0/netcheck",
            "{\"severity\":\"ok\"",
            "{\"severity\":\"warning\"",
        )
        .breaks(&["core.netcheck.top-level"]),
        on(
            "trailing slash served",
            "default",
            "router/404/listening-ports-trailing-slash",
            |_, p, r| {
                if path_is(p, "/api/v0/listening-ports/") {
                    r.answer_json(StatusCode::OK, "{\"ports\":[]}\n");
                }
            },
        )
        .breaks(&["core.router.trailing-slash"]),
        on(
            "percent escapes decoded",
            "default",
            "router/404/percent-escape",
            |_, p, r| {
                if path_is(p, "/api/v0/listening%2Dports") {
                    r.answer_json(StatusCode::OK, "{\"ports\":[]}\n");
                }
            },
        )
        .breaks(&["core.router.raw-path"]),
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
        )
        .breaks(&["core.debug.logs.open-error"]),
        replace_in(
            "sub-agent manifest parent_id null",
            "sub-agent",
            "snapshot/sub-agent/debug-manifest",
            "/debug/manifest",
            "\"parent_id\":\"8c3f5a1e-4b7d-4f2a-9c61-2d8e0f4b7a10\"",
            "\"parent_id\":null",
        )
        .breaks(&["core.debug.manifest.ids"]),
        replace_in(
            "U+2028 unescaped",
            "default",
            "listening-ports/controlled/process-name-escaping",
            "/api/v0/listening-ports",
            "\\u2028",
            "\u{2028}",
        )
        .breaks(&["core.json.escape-line-separators"]),
        replace_in(
            "& unescaped in JSON",
            "default",
            "listening-ports/controlled/process-name-escaping",
            "/api/v0/listening-ports",
            "\\u0026",
            "&",
        )
        .breaks(&["core.json.escape-amp"]),
        replace_in(
            "tab written as \\u0009",
            "default",
            "listening-ports/controlled/process-name-escaping",
            "/api/v0/listening-ports",
            "\\t",
            "\\u0009",
        )
        .breaks(&["core.json.escape-short"]),
        replace_in(
            "non-ASCII written as \\u escapes",
            "default",
            "listening-ports/controlled/process-name-escaping",
            "/api/v0/listening-ports",
            "\u{e9}",
            "\\u00e9",
        )
        .breaks(&["core.json.raw-utf8"]),
        output_edit(
            "invalid UTF-8 as a raw U+FFFD",
            "\\ufffd",
            "\u{fffd}",
        )
        .breaks(&["core.json.invalid-utf8"]),
        output_edit(
            "control escapes in upper-case hex",
            "\\u001f",
            "\\u001F",
        )
        .breaks(&["core.json.escape-control"]),
        output_edit("DEL escaped", "\u{7f}", "\\u007f").breaks(&["core.json.escape-control"]),
        ports_edit(
            "port 9 dropped (limit off by one)",
            "listening-ports/controlled/boundaries",
            |ports| ports.retain(|p| p["port"] != 9),
        )
        .breaks(&["core.ports.minimum"]),
        ports_edit(
            "port 65535 dropped",
            "listening-ports/controlled/boundaries",
            |ports| ports.retain(|p| p["port"] != 65535),
        )
        .breaks(&["core.ports.max-port"]),
        ports_edit(
            "last ignored port kept",
            "listening-ports/controlled/each-ignored-port",
            |ports| {
                if ports.iter().any(|p| p["process_name"] == "web") {
                    ports.push(serde_json::json!({"process_name": "custom", "network": "tcp", "port": 7777}));
                }
            },
        )
        .breaks(&["core.ports.ignored"]),
        ports_edit(
            "duplicate ports merged",
            "listening-ports/controlled/order-and-duplicates",
            |ports| {
                let mut seen = std::collections::HashSet::new();
                ports.retain(|p| seen.insert(p["port"].as_u64()));
            },
        )
        .breaks(&["core.ports.keeps-duplicates"]),
        ports_edit(
            "coderd's well-known ports filtered",
            "listening-ports/controlled/order-and-duplicates",
            |ports| ports.retain(|p| p["port"] != 22 && p["port"] != 5432),
        )
        .breaks(&["core.ports.no-well-known-filter"]),
        ports_edit(
            "port entry with network first",
            "listening-ports/shape",
            |ports| {
                for p in ports.iter_mut() {
                    *p = serde_json::json!({"network": p["network"], "process_name": p["process_name"], "port": p["port"]});
                }
            },
        )
        .breaks(&["core.ports.entry-order"]),
        replace_in(
            "all-filtered ports as null",
            "default",
            "listening-ports/controlled/all-filtered",
            "/api/v0/listening-ports",
            "{\"ports\":[]}",
            "{\"ports\":null}",
        )
        .breaks(&["core.ports.empty-array"]),
        replace_in(
            "getter error without detail",
            "default",
            "listening-ports/controlled/getter-error",
            "/api/v0/listening-ports",
            ",\"detail\":\"scan listening ports: open /proc/net/tcp: permission denied\"",
            "",
        )
        .breaks(&["core.ports.error-detail"]),
        on(
            "getter error answered 503",
            "default",
            "listening-ports/controlled/getter-error",
            |_, p, r| {
                if path_is(p, "/api/v0/listening-ports") && r.status == StatusCode::INTERNAL_SERVER_ERROR {
                    r.status = StatusCode::SERVICE_UNAVAILABLE;
                }
            },
        )
        .breaks(&["core.ports.error-status"]),
        on(
            "panic answered as Go's text 500",
            "default",
            "recover/controlled/panic",
            |_, p, r| {
                if path_is(p, "/debug/manifest") && r.status == StatusCode::INTERNAL_SERVER_ERROR {
                    r.set_header("content-type", "text/plain; charset=utf-8");
                    r.set_text("Internal Server Error\n");
                }
            },
        )
        .breaks(&["core.recover.body"]),
        on(
            "empty log with a Content-Type",
            "default",
            "debug/controlled/logs-empty",
            |_, p, r| {
                if path_is(p, "/debug/logs") && r.body.is_empty() {
                    r.set_header("content-type", "text/plain; charset=utf-8");
                }
            },
        )
        .breaks(&["core.debug.logs.empty"]),
        on(
            "log limit off by one",
            "default",
            "debug/controlled/logs-limit",
            |_, p, r| {
                if path_is(p, "/debug/logs") && r.body.len() == 10 * 1024 * 1024 {
                    r.body.push(b'x');
                }
            },
        )
        .breaks(&["core.debug.logs.limit"]),
        replace_in(
            "manifest & unescaped",
            "default",
            "debug/controlled/manifest-encoding",
            "/debug/manifest",
            "\\u0026",
            "&",
        )
        .breaks(&["core.debug.manifest.encoding", "core.json.escape-amp"]),
        replace_in(
            "manifest environment_variables as {}",
            "default",
            "debug/controlled/manifest-encoding",
            "/debug/manifest",
            "\"environment_variables\":null",
            "\"environment_variables\":{}",
        )
        .breaks(&["core.debug.manifest.env-null"]),
        on(
            "DERP regions sorted as numbers",
            "default",
            "debug/controlled/manifest-encoding",
            |_, p, r| {
                if path_is(p, "/debug/manifest") && r.status == StatusCode::OK {
                    let Ok(mut v) = serde_json::from_slice::<serde_json::Value>(&r.body) else {
                        return;
                    };
                    if let Some(regions) = v["derpmap"]["Regions"].as_object_mut() {
                        let mut all: Vec<(String, serde_json::Value)> =
                            std::mem::take(regions).into_iter().collect();
                        all.sort_by_key(|(k, _)| k.parse::<i64>().unwrap_or(0));
                        regions.extend(all);
                    }
                    r.body = agent_sim::gojson::to_vec(&v);
                }
            },
        )
        .breaks(&["core.json.map-keys-sorted", "core.debug.manifest.derp-map"]),
        on(
            "sub-agent gets the container API",
            "default",
            "gate/controlled/sub-agent-overrides-flag",
            |_, p, r| {
                if path_is(p, "/api/v0/containers") && r.text().contains("not supported.") {
                    r.answer_json(StatusCode::OK, "{\"containers\":[],\"devcontainers\":[]}\n");
                }
            },
        )
        .breaks(&["core.gate.sub-agent-forces-off"]),
        on(
            "gate answers DELETE 401",
            "default",
            "gate/controlled/disabled-delete",
            |m, p, r| {
                if m == Method::DELETE && path_is(p, "/api/v0/containers") && r.status == StatusCode::FORBIDDEN {
                    r.status = StatusCode::UNAUTHORIZED;
                }
            },
        )
        .breaks(&["core.gate.all-methods"]),
        replace_in_prefix(
            "debug-logging state quoted without \\x escapes",
            "default",
            "debug/debug-logging-quotes-control",
            "/debug/magicsock/debug-logging/",
            "\\x01",
            "\u{1}",
        )
        .breaks(&["core.debug.logging.quoting"]),
        rewrite(
            "debug-logging state percent-decoded",
            "default",
            "debug/debug-logging-raw-escape",
            |req| {
                if req.uri().path() == "/debug/magicsock/debug-logging/%74rue" {
                    *req.uri_mut() = "/debug/magicsock/debug-logging/true".parse().unwrap();
                }
            },
        )
        .breaks(&["core.debug.logging.raw-state"]),
        rewrite(
            "lower-case get routed as GET",
            "default",
            "router/405/nonstandard-method-lowercase-get",
            |req| {
                if req.method().as_str() == "get" {
                    *req.method_mut() = Method::GET;
                }
            },
        )
        .breaks(&["core.router.nonstandard-method"]),
        replace_in(
            "empty HELP without its trailing space",
            "default",
            "debug/prometheus-registry",
            "/debug/prometheus",
            "# HELP agent_reconnecting_pty_connections_total \n",
            "# HELP agent_reconnecting_pty_connections_total\n",
        )
        .breaks(&["core.debug.prometheus.empty-help"]),
        on("Server header sent", "default", "http/framing", |_, p, r| {
            if path_is(p, "/") {
                r.set_header("server", "agent-sim");
            }
        })
        .breaks(&["core.http.date"]),
        on(
            "405 with a second Allow header",
            "default",
            "router/405/hello-post",
            |_, _, r| {
                if r.status == StatusCode::METHOD_NOT_ALLOWED {
                    r.headers.append("allow", http::HeaderValue::from_static("HEAD"));
                }
            },
        )
        .breaks(&["core.router.method-not-allowed.allow"]),
        on(
            "wrong method on a mounted-over route answered 404",
            "default",
            "router/405/listening-ports-post",
            |m, p, r| {
                if m == Method::POST && path_is(p, "/api/v0/listening-ports") {
                    r.status = StatusCode::NOT_FOUND;
                    r.set_header("content-type", "text/plain; charset=utf-8");
                    r.set_header("x-content-type-options", "nosniff");
                    r.headers.remove("allow");
                    r.set_text("404 page not found\n");
                }
            },
        )
        .breaks(&["core.router.mount-405"]),
        on(
            "prometheus families unsorted",
            "default",
            "debug/prometheus-registry",
            |_, p, r| {
                if path_is(p, "/debug/prometheus") {
                    let t = r.text();
                    let extra = "# HELP aaa_first_out_of_order \n# TYPE aaa_first_out_of_order counter\naaa_first_out_of_order 0\n";
                    r.set_text(&format!("{t}{extra}"));
                }
            },
        )
        .breaks(&["core.debug.prometheus.sorted"]),
        replace_in(
            "float exponent padded to two digits",
            "default",
            "debug/controlled/manifest-floats",
            "/debug/manifest",
            "1e-7",
            "1e-07",
        )
        .breaks(&["core.json.floats"]),
        replace_in(
            "getter error with empty validations",
            "default",
            "listening-ports/controlled/getter-error",
            "/api/v0/listening-ports",
            "permission denied\"}",
            "permission denied\",\"validations\":[]}",
        )
        .breaks(&["core.response.no-validations"]),
        on("Content-Type name in lower case", "default", "http/header-case", |_, p, r| {
            if path_is(p, "/") {
                r.lower_header_name("content-type");
            }
        })
        .breaks(&["core.http.header-case"]),
        on("charset spelled UTF-8", "default", "hello/get", |_, p, r| {
            if path_is(p, "/") {
                r.set_header("content-type", "application/json; charset=UTF-8");
            }
        })
        .breaks(&["core.json.content-type"]),
        interfaces_edit("link-local-only interface listed", |report| {
            if let Some(list) = report["interfaces"].as_array_mut() {
                list.push(serde_json::json!({"name": "ll0", "mtu": 1500, "addresses": ["fe80::1/64"]}));
            }
        })
        .breaks(&["core.netcheck.interface-included"]),
        interfaces_edit("small MTU without its warning", |report| {
            report["severity"] = "ok".into();
            report["warnings"] = serde_json::Value::Null;
        })
        .breaks(&["core.netcheck.mtu-warning"]),
    ]
}

/// Changes `from` to `to` in a process's output answer (caught by the JSON escaping case).
fn output_edit(name: &'static str, from: &'static str, to: &'static str) -> Spec {
    on(
        name,
        "default",
        "json/escaping-process-output",
        move |_, p, r| {
            if p.starts_with("/api/v0/processes/") && p.contains("/output") {
                let t = r.text().replace(from, to);
                r.set_text(&t);
            }
        },
    )
}

/// Edits the `ports` array of a 200 listening-ports answer.
fn ports_edit(
    name: &'static str,
    case: &'static str,
    f: impl Fn(&mut Vec<serde_json::Value>) + Send + Sync + 'static,
) -> Spec {
    on(name, "default", case, move |_, p, r| {
        if !path_is(p, "/api/v0/listening-ports") || r.status != StatusCode::OK {
            return;
        }
        let Ok(mut v) = serde_json::from_slice::<serde_json::Value>(&r.body) else {
            return;
        };
        if let Some(ports) = v["ports"].as_array_mut() {
            f(ports);
        }
        r.body = agent_sim::gojson::to_vec(&v);
    })
}

/// Edits the `interfaces` report of a 200 netcheck answer.
fn interfaces_edit(
    name: &'static str,
    f: impl Fn(&mut serde_json::Value) + Send + Sync + 'static,
) -> Spec {
    on(
        name,
        "default",
        "netcheck/controlled/interface-rules",
        move |_, p, r| {
            if !path_is(p, "/api/v0/netcheck") || r.status != StatusCode::OK {
                return;
            }
            let Ok(mut v) = serde_json::from_slice::<serde_json::Value>(&r.body) else {
                return;
            };
            f(&mut v["interfaces"]);
            r.body = agent_sim::gojson::to_vec(&v);
        },
    )
}
