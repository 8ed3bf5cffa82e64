//! Black-box cases for the process API (processes.md): its routing, request-body and signal
//! errors with their exact bodies. The cases that start processes are in
//! [`super::processes_exec`] (lifecycle, signals), [`super::processes_list`] (the list), [`super::processes_buffer`] (the
//! head/tail buffer and output encoding) and [`super::processes_env`] (environment, working
//! directory, chat scoping); they all run in [`Group::Processes`].

use crate::case::{Case, Effect, Group, StepResult, Tier, Verdict};
use crate::context::Ctx;
use crate::expect::Expect;
use crate::http::Request;
use std::sync::Arc;

use super::process_api::{list, post_json, LIST, OUTPUT, SIGNAL, START};
pub use super::process_api::{start, wait_output};

fn process_exchange(name: &str, route: &str, req: Request, expect: Expect) -> Case {
    Case::exchange(
        format!("process/{name}"),
        Tier::BlackBox,
        route,
        req,
        expect,
    )
}

/// A 400 `Request body must be valid JSON.` whose detail starts with `prefix`.
fn bad_json_prefix(prefix: &'static str) -> Expect {
    Expect::status(400).go_json(move |v| {
        let detail = v["detail"].as_str().unwrap_or_default();
        if v["message"] != "Request body must be valid JSON." || !detail.starts_with(prefix) {
            return Err(format!(
                "{v}: want the invalid-JSON message with a detail starting {prefix:?}"
            ));
        }
        Ok(())
    })
}

const NOPE_NOT_FOUND: &str = "{\"message\":\"Process \\\"nope\\\" not found.\"}\n";

/// Routing: the 404s and 405s of the four routes.
#[rustfmt::skip]
fn routes_cases() -> Vec<Case> {
    vec![        process_exchange("routes/404-root", "404", Request::get("/api/v0/processes"), Expect::not_found()).checks(&["processes.routes.404-root"]),
        process_exchange("routes/404-root-slash", "404", Request::get("/api/v0/processes/"), Expect::not_found()).checks(&["processes.routes.404-root"]),
        process_exchange("routes/404-unknown", "404", Request::get("/api/v0/processes/nope/stdout"), Expect::not_found()).checks(&["processes.routes.404-unknown", "processes.routes.four-routes"]),
        process_exchange(
            "routes/405-start-get",
            START,
            Request::get("/api/v0/processes/start"),
            Expect::status(405).header("allow", "POST").no_header("content-type").body(""),
        ).checks(&["processes.routes.405-start", "processes.routes.405-empty"]),
        process_exchange(
            "routes/405-list-post",
            LIST,
            Request::new("POST", "/api/v0/processes/list"),
            Expect::get_only_405(),
        ).checks(&["processes.routes.405-list", "processes.routes.405-empty"]),
        process_exchange("routes/405-output-post", OUTPUT, Request::new("POST", "/api/v0/processes/x/output"), Expect::get_only_405()).checks(&["processes.routes.405-output", "processes.routes.405-empty"]),
        process_exchange(
            "routes/405-signal-get",
            SIGNAL,
            Request::get("/api/v0/processes/x/signal"),
            Expect::status(405).header("allow", "POST").body(""),
        ).checks(&["processes.routes.405-signal"]),
        process_exchange("routes/head-list", LIST, Request::new("HEAD", "/api/v0/processes/list"), Expect::status(405).header("allow", "GET").body("")).checks(&["processes.routes.head-not-get"]),
        process_exchange("routes/nonstandard-method", LIST, Request::new("FOO", "/api/v0/processes/list"), Expect::nonstandard_405()).checks(&["processes.routes.nonstandard-method"]),
    ]
}

/// Start request bodies and their exact errors.
#[rustfmt::skip]
fn start_cases() -> Vec<Case> {
    vec![
        process_exchange(
            "start/empty-body",
            START,
            Request::new("POST", "/api/v0/processes/start"),
            Expect::json(400, "{\"message\":\"Request body must be valid JSON.\",\"detail\":\"EOF\"}\n"),
        ).checks(&["processes.body.empty-eof", "processes.response.json-content-type", "processes.response.error-envelope"]),
        process_exchange(
            "start/invalid-json",
            START,
            post_json("/api/v0/processes/start", "{invalid json"),
            Expect::json(400, "{\"message\":\"Request body must be valid JSON.\",\"detail\":\"invalid character 'i' looking for beginning of object key string\"}\n"),
        ).checks(&["processes.body.invalid-json"]),
        process_exchange("start/type-error", START, post_json("/api/v0/processes/start", "{\"command\":1}"), bad_json_prefix("json: cannot unmarshal")).checks(&["processes.body.type-error"]),
        process_exchange(
            "start/empty-command",
            START,
            post_json("/api/v0/processes/start", "{\"command\":\"\"}"),
            Expect::json(400, "{\"message\":\"Command is required.\"}\n"),
        ).checks(&["processes.start.command-required", "processes.response.error-envelope"]),
        process_exchange("start/null-command", START, post_json("/api/v0/processes/start", "{\"command\":null}"), Expect::json(400, "{\"message\":\"Command is required.\"}\n")).checks(&["processes.body.null-zero"]),
        // The later key wins whatever its case, so the command is empty (a case-sensitive
        // decoder would start `exit 0`, which ends at once).
        process_exchange("start/keys-case-insensitive", START, post_json("/api/v0/processes/start", "{\"command\":\"exit 0\",\"COMMAND\":\"\"}"), Expect::json(400, "{\"message\":\"Command is required.\"}\n")).checks(&["processes.body.case-insensitive-keys"]),
    ]
}

/// Output lookups: unknown ids, their quoting and the raw path.
#[rustfmt::skip]
fn output_cases() -> Vec<Case> {
    vec![
        process_exchange(
            "output/unknown-id",
            OUTPUT,
            Request::get("/api/v0/processes/nope/output"),
            Expect::json(404, NOPE_NOT_FOUND),
        ).checks(&["processes.output.not-found", "processes.response.go-json"]),
        process_exchange("output/id-go-quoted", OUTPUT, Request::get("/api/v0/processes/a%09b/output"), Expect::json(404, "{\"message\":\"Process \\\"a\\\\tb\\\" not found.\"}\n")).checks(&["processes.output.id-quoted"]),
        process_exchange("output/id-raw-path", OUTPUT, Request::get("/api/v0/processes/a%2Fb/output"), Expect::json(404, "{\"message\":\"Process \\\"a%2Fb\\\" not found.\"}\n")).checks(&["processes.routes.raw-path-id"]),
        process_exchange("output/query-ignored", OUTPUT, Request::get("/api/v0/processes/nope/output?id=x&wait=false"), Expect::json(404, NOPE_NOT_FOUND)).checks(&["processes.routes.query-ignored"]),
        process_exchange(
            "output/list-as-id",
            OUTPUT,
            Request::get("/api/v0/processes/list/output"),
            Expect::json(404, "{\"message\":\"Process \\\"list\\\" not found.\"}\n"),
        ).checks(&["processes.routes.static-no-clash"]),
    ]
}

/// Signal request bodies and errors, checked before the id is looked up.
#[rustfmt::skip]
fn signal_cases() -> Vec<Case> {
    vec![
        process_exchange(
            "signal/unsupported-before-lookup",
            SIGNAL,
            post_json("/api/v0/processes/nope/signal", "{\"signal\":\"INT\"}"),
            Expect::json(400, "{\"message\":\"Unsupported signal \\\"INT\\\". Use \\\"kill\\\" or \\\"terminate\\\".\"}\n"),
        ).checks(&["processes.signal.unsupported", "processes.signal.body-first"]),
        process_exchange("signal/case-sensitive", SIGNAL, post_json("/api/v0/processes/nope/signal", "{\"signal\":\"KILL\"}"), Expect::json(400, "{\"message\":\"Unsupported signal \\\"KILL\\\". Use \\\"kill\\\" or \\\"terminate\\\".\"}\n")).checks(&["processes.signal.case-sensitive"]),
        process_exchange(
            "signal/required",
            SIGNAL,
            post_json("/api/v0/processes/nope/signal", "{}"),
            Expect::json(400, "{\"message\":\"Signal is required.\"}\n"),
        ).checks(&["processes.signal.required", "processes.signal.body-first"]),
        process_exchange("signal/bad-json", SIGNAL, post_json("/api/v0/processes/nope/signal", "{bad"), Expect::json(400, "{\"message\":\"Request body must be valid JSON.\",\"detail\":\"invalid character 'b' looking for beginning of object key string\"}\n")).checks(&["processes.signal.bad-json", "processes.signal.body-first"]),
        process_exchange("signal/empty-body", SIGNAL, Request::new("POST", "/api/v0/processes/nope/signal"), Expect::json(400, "{\"message\":\"Request body must be valid JSON.\",\"detail\":\"EOF\"}\n")).checks(&["processes.body.empty-eof", "processes.signal.bad-json"]),
        process_exchange(
            "signal/unknown-id",
            SIGNAL,
            post_json("/api/v0/processes/nope/signal", "{\"signal\":\"kill\"}"),
            Expect::json(404, NOPE_NOT_FOUND),
        ).checks(&["processes.signal.not-found"]),
        process_exchange("signal/content-type-ignored", SIGNAL, Request::new("POST", "/api/v0/processes/nope/signal").with_body("text/plain", b"{\"signal\":\"kill\"}".to_vec()), Expect::json(404, NOPE_NOT_FOUND)).checks(&["processes.body.content-type-ignored"]),
        process_exchange("signal/unknown-keys", SIGNAL, post_json("/api/v0/processes/nope/signal", "{\"pid\":1,\"signal\":\"kill\"}"), Expect::json(404, NOPE_NOT_FOUND)).checks(&["processes.body.unknown-keys"]),
        process_exchange("signal/trailing-bytes", SIGNAL, post_json("/api/v0/processes/nope/signal", "{\"signal\":\"kill\"} {\"signal\":\"\"} trailing"), Expect::json(404, NOPE_NOT_FOUND)).checks(&["processes.body.trailing-ignored"]),
    ]
}

/// Every process case.
pub fn cases() -> Vec<Case> {
    let mut v = routes_cases();
    v.extend(start_cases());
    v.extend(output_cases());
    v.extend(signal_cases());
    v.push(
        Case::steps("process/list-shape", Tier::BlackBox, LIST, list_shape)
            .checks(&["processes.list.shape"]),
    );
    // They start processes, and the list they check holds ten entries, running first.
    let mut started = super::processes_exec::cases();
    started.extend(super::processes_list::cases());
    started.extend(super::processes_buffer::cases());
    started.extend(super::processes_env::cases());
    v.extend(started.into_iter().map(|c| {
        c.changes(Effect::StartsProcesses)
            .in_group(Group::Processes)
    }));
    v.extend(super::processes_env::controlled_cases());
    v
}

async fn list_shape(ctx: Arc<Ctx>) -> StepResult {
    let (req, entries) = list(&ctx, &[]).await?;
    if entries.len() > 10 {
        return Err(ctx.failure(&req, format!("{} entries (at most 10)", entries.len())));
    }
    Ok(Verdict::Pass)
}
