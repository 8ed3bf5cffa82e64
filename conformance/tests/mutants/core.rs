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
    ]
}
