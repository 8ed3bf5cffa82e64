//! Mutants of the process API (processes.md).

use crate::spec::*;

pub(crate) fn specs() -> Vec<Spec> {
    vec![
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
