//! What the files cases share: the route names, query encoding, the scratch directory
//! (`in_scratch`), write/read through the API, expected Go JSON bodies, and the edit-files
//! round trip (write, edit, compare the answer, read back).

use crate::case::StepResult;
use crate::context::Ctx;
use crate::expect::Expect;
use crate::failure::Failure;
use crate::http::{Request, Response};
use futures::future::BoxFuture;
use serde_json::{json, Value};
use std::future::Future;
use std::sync::Arc;

pub const READ: &str = "GET /api/v0/read-file";
pub const LINES: &str = "GET /api/v0/read-file-lines";
pub const WRITE: &str = "POST /api/v0/write-file";
pub const LIST: &str = "POST /api/v0/list-directory";
pub const RESOLVE: &str = "GET /api/v0/resolve-path";
pub const EDIT: &str = "POST /api/v0/edit-files";

/// Percent-encodes a query value.
pub fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `route?path=<path>` with the path percent-encoded, then `extra` (`&offset=1…`) as given.
pub fn at(route: &str, path: &str, extra: &str) -> String {
    format!("{route}?path={}{extra}", url_encode(path))
}

pub fn post(path: &str, content_type: &str, body: impl Into<Vec<u8>>) -> Request {
    Request::new("POST", path).with_body(content_type, body)
}

/// `value` as Go's encoder writes it (HTML escaping, compact, trailing newline).
pub fn go_body(value: &Value) -> String {
    String::from_utf8_lossy(&agent_sim::gojson::to_vec(value)).into_owned()
}

/// A `codersdk.Response` carrying only `message`.
pub fn message(status: u16, msg: &str) -> Expect {
    Expect::json(status, &go_body(&json!({ "message": msg })))
}

/// A read-file-lines failure: 200 `{"success":false,"error":…}`.
pub fn lines_error(msg: &str) -> Expect {
    Expect::json(200, &go_body(&json!({"success": false, "error": msg})))
}

/// Writes `content` to `path`, expecting the agent's success body.
pub async fn write(ctx: &Ctx, path: &str, content: &[u8]) -> Result<(), Failure> {
    let req = post(
        &at("/api/v0/write-file", path, ""),
        "application/octet-stream",
        content.to_vec(),
    );
    let msg = format!("Successfully wrote to \"{path}\"");
    ctx.exchange(&req, &message(200, &msg)).await?;
    Ok(())
}

/// Reads `path` whole.
pub async fn read(ctx: &Ctx, path: &str) -> Result<Vec<u8>, Failure> {
    let req = Request::get(&at("/api/v0/read-file", path, "&offset=0&limit=0"));
    let resp = ctx.send(&req).await?;
    if resp.status != 200 {
        return Err(ctx.failure(&req, format!("status {}: {}", resp.status, resp.text())));
    }
    Ok(resp.body)
}

/// Fails unless `path` holds exactly `want`.
pub async fn holds(ctx: &Ctx, path: &str, want: &[u8]) -> Result<(), Failure> {
    let got = read(ctx, path).await?;
    if got != want {
        return Err(Failure::new(format!(
            "{path} holds {:?}, want {:?}",
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(want)
        )));
    }
    Ok(())
}

/// Sends an edit-files request with this JSON body and checks the answer.
pub async fn edit(ctx: &Ctx, body: &Value, expect: &Expect) -> Result<Response, Failure> {
    let req = post("/api/v0/edit-files", "application/json", body.to_string());
    ctx.exchange(&req, expect).await
}

/// One edit of one file: `{"files":[{"path":…,"edits":[{search,replace[,replace_all]}]}]}`.
pub fn one_edit(path: &str, search: &str, replace: &str, all: bool) -> Value {
    let mut e = json!({"search": search, "replace": replace});
    if all {
        e["replace_all"] = json!(true);
    }
    json!({"files": [{"path": path, "edits": [e]}]})
}

/// One search/replace edit: (search, replace, replace_all).
pub type OneEdit<'a> = (&'a str, &'a str, bool);

/// Writes `content` at `path`, applies the edit, checks the answer and reads `after` back.
async fn edit_then(
    ctx: &Ctx,
    (path, content): (&str, &str),
    (search, replace, all): OneEdit<'_>,
    expect: &Expect,
    after: &str,
) -> Result<(), Failure> {
    write(ctx, path, content.as_bytes()).await?;
    edit(ctx, &one_edit(path, search, replace, all), expect).await?;
    holds(ctx, path, after.as_bytes()).await
}

/// Writes `content` at `path`, applies the edit, expects 200 `{}` and reads `want` back.
pub async fn edit_to(
    ctx: &Ctx,
    path: &str,
    content: &str,
    e: OneEdit<'_>,
    want: &str,
) -> Result<(), Failure> {
    let ok = Expect::json(200, "{}\n");
    edit_then(ctx, (path, content), e, &ok, want).await
}

/// Writes `content` at `path`, applies the edit, expects 400 `edit <path>: <err>` and the
/// file unchanged.
pub async fn edit_fails(
    ctx: &Ctx,
    path: &str,
    content: &str,
    e: OneEdit<'_>,
    err: &str,
) -> Result<(), Failure> {
    let refused = message(400, &format!("edit {path}: {err}"));
    edit_then(ctx, (path, content), e, &refused, content).await
}

/// A fresh scratch directory name.
fn scratch() -> String {
    format!("/tmp/agent-conformance-{}", uuid::Uuid::new_v4().simple())
}

/// A case body run in a fresh scratch directory, which is then best-effort removed through
/// the process API.
pub fn in_scratch<F, Fut>(
    body: F,
) -> impl Fn(Arc<Ctx>) -> BoxFuture<'static, StepResult> + Send + Sync
where
    F: Fn(Arc<Ctx>, String) -> Fut + Copy + Send + Sync + 'static,
    Fut: Future<Output = StepResult> + Send + 'static,
{
    move |ctx| {
        Box::pin(async move {
            let dir = scratch();
            let r = body(ctx.clone(), dir.clone()).await;
            let rm = json!({ "command": format!("rm -rf '{dir}'") }).to_string();
            let _ = ctx
                .send(&post("/api/v0/processes/start", "application/json", rm))
                .await;
            r
        })
    }
}

/// The resolve-path answer for `p`.
pub fn resolved(p: &str) -> Expect {
    Expect::json(200, &go_body(&json!({ "resolved_path": p })))
}

/// One list-directory entry of `dir`.
pub fn entry(dir: &str, name: &str, is_dir: bool) -> Value {
    json!({"name": name, "absolute_path_string": format!("{dir}/{name}"), "is_dir": is_dir})
}

/// The list-directory answer for the directory shown as `shown`.
pub fn listing(shown: &str, contents: Vec<Value>) -> Expect {
    let parts: Vec<&str> = shown.split('/').filter(|s| !s.is_empty()).collect();
    let v = json!({"absolute_path": parts, "absolute_path_string": shown, "contents": contents});
    Expect::json(200, &go_body(&v))
}

/// A list-directory request: `?path=<query>` and the JSON `body`.
pub fn list_req(query: &str, body: &Value) -> Request {
    post(
        &at("/api/v0/list-directory", query, ""),
        "application/json",
        body.to_string(),
    )
}
