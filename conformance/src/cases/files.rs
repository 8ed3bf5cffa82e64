//! Black-box cases for the files API (files.md) in a scratch directory the suite creates
//! through the API (`/tmp/agent-conformance-<random>`) and tries to remove afterwards through
//! the process API: write/read round-trips, offset/limit, read-file-lines, list-directory
//! order, resolve-path cleaning, edit-files with its diff, and the exact error bodies.

use crate::case::{Case, Effect, StepResult, Tier, Verdict};
use crate::context::Ctx;
use crate::expect::{check_go_json, Expect};
use crate::failure::Failure;
use crate::http::Request;
use futures::future::BoxFuture;
use serde_json::json;
use std::future::Future;
use std::sync::Arc;

const READ: &str = "GET /api/v0/read-file";
const LINES: &str = "GET /api/v0/read-file-lines";
const WRITE: &str = "POST /api/v0/write-file";
const LIST: &str = "POST /api/v0/list-directory";
const RESOLVE: &str = "GET /api/v0/resolve-path";
const EDIT: &str = "POST /api/v0/edit-files";

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

/// Go `%q` for plain ASCII paths.
fn quoted(s: &str) -> String {
    format!("\\\"{s}\\\"")
}

fn post(path: &str, content_type: &str, body: impl Into<Vec<u8>>) -> Request {
    Request::new("POST", path).with_body(content_type, body)
}

/// Writes `content` to `path`, expecting the agent's success body.
pub async fn write(ctx: &Ctx, path: &str, content: &[u8]) -> Result<(), Failure> {
    let req = post(
        &format!("/api/v0/write-file?path={}", url_encode(path)),
        "application/octet-stream",
        content.to_vec(),
    );
    let body = format!(
        "{{\"message\":\"Successfully wrote to {}\"}}\n",
        quoted(path)
    );
    ctx.exchange(&req, &Expect::json(200, &body)).await?;
    Ok(())
}

/// Reads `path` whole.
pub async fn read(ctx: &Ctx, path: &str) -> Result<Vec<u8>, Failure> {
    let req = Request::get(&format!(
        "/api/v0/read-file?path={}&offset=0&limit=0",
        url_encode(path)
    ));
    let resp = ctx.send(&req).await?;
    if resp.status != 200 {
        return Err(ctx.failure(&req, format!("status {}: {}", resp.status, resp.text())));
    }
    Ok(resp.body)
}

/// A fresh scratch directory name.
fn scratch() -> String {
    format!("/tmp/agent-conformance-{}", uuid::Uuid::new_v4().simple())
}

/// A case body run in a fresh scratch directory, which is then best-effort removed through
/// the process API.
fn in_scratch<F, Fut>(body: F) -> impl Fn(Arc<Ctx>) -> BoxFuture<'static, StepResult> + Send + Sync
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

/// Every files case.
pub fn cases() -> Vec<Case> {
    let mut v = vec![
        Case::exchange(
            "files/routes/405-list-directory-get",
            Tier::BlackBox,
            LIST,
            Request::get("/api/v0/list-directory"),
            Expect::status(405).header("allow", "POST").body(""),
        ),
        Case::exchange(
            "files/routes/405-read-file-head",
            Tier::BlackBox,
            READ,
            Request::new("HEAD", "/api/v0/read-file?path=/x"),
            Expect::get_only_405(),
        ),
        Case::exchange(
            "files/routes/404-read-file-trailing-slash",
            Tier::BlackBox,
            "404",
            Request::get("/api/v0/read-file/"),
            Expect::not_found(),
        ),
        Case::exchange(
            "files/read/query-errors",
            Tier::BlackBox,
            READ,
            Request::get("/api/v0/read-file?offset=-1&foo=1"),
            Expect::json(400, "{\"message\":\"Query parameters have invalid values.\",\"validations\":[{\"field\":\"path\",\"detail\":\"Query param \\\"path\\\" is required and cannot be empty\"},{\"field\":\"offset\",\"detail\":\"Query param \\\"offset\\\" must be a valid 64-bit positive integer: value is negative\"},{\"field\":\"foo\",\"detail\":\"\\\"foo\\\" is not a valid query param\"}]}\n"),
        ),
        Case::exchange(
            "files/read/relative-path",
            Tier::BlackBox,
            READ,
            Request::get("/api/v0/read-file?path=rel"),
            Expect::json(400, "{\"message\":\"file path must be absolute: \\\"rel\\\"\"}\n"),
        ),
        Case::exchange(
            "files/resolve/relative-path",
            Tier::BlackBox,
            RESOLVE,
            Request::get("/api/v0/resolve-path?path=rel"),
            Expect::json(400, "{\"message\":\"file path must be absolute: \\\"rel\\\"\"}\n"),
        ),
        Case::exchange(
            "files/resolve/root",
            Tier::BlackBox,
            RESOLVE,
            Request::get("/api/v0/resolve-path?path=/"),
            Expect::json(200, "{\"resolved_path\":\"/\"}\n"),
        ),
        Case::exchange(
            "files/list/bad-relativity",
            Tier::BlackBox,
            LIST,
            post("/api/v0/list-directory", "application/json", "{}"),
            Expect::json(500, "{\"message\":\"unsupported relativity type \\\"\\\"\"}\n"),
        ),
        Case::exchange(
            "files/list/empty-body",
            Tier::BlackBox,
            LIST,
            Request::new("POST", "/api/v0/list-directory?path=/tmp"),
            Expect::json(400, "{\"message\":\"Request body must be valid JSON.\",\"detail\":\"EOF\"}\n"),
        ),
        Case::exchange(
            "files/edit/no-files",
            Tier::BlackBox,
            EDIT,
            post("/api/v0/edit-files", "application/json", "{}"),
            Expect::json(400, "{\"message\":\"must specify at least one file\"}\n"),
        ),
    ];
    // They write in a scratch directory, and remove it with `rm -rf` through the process API.
    v.extend(
        scratch_cases()
            .into_iter()
            .map(|c| c.changes(Effect::WritesFiles)),
    );
    v
}

#[rustfmt::skip]
fn scratch_cases() -> Vec<Case> {
    vec![
        Case::steps("files/write-read-round-trip", Tier::BlackBox, WRITE, in_scratch(write_read_round_trip)),
        Case::steps("files/read/offset-limit", Tier::BlackBox, READ, in_scratch(read_offset_limit)),
        Case::steps("files/read/errors", Tier::BlackBox, READ, in_scratch(read_errors)),
        Case::steps("files/read-lines", Tier::BlackBox, LINES, in_scratch(read_lines)),
        Case::steps("files/list-directory", Tier::BlackBox, LIST, in_scratch(list_directory)),
        Case::steps("files/resolve-path-cleans", Tier::BlackBox, RESOLVE, in_scratch(resolve_path_cleans)),
        Case::steps("files/edit-with-diff", Tier::BlackBox, EDIT, in_scratch(edit_with_diff)),
        Case::steps("files/edit-not-found-leaves-file", Tier::BlackBox, EDIT, in_scratch(edit_not_found_leaves_file)),
    ]
}

async fn write_read_round_trip(ctx: Arc<Ctx>, d: String) -> StepResult {
    let p = format!("{d}/a/b/c.json");
    let content = b"{\"x\":\"<&>\"}\n\x00\xff".to_vec();
    write(&ctx, &p, &content).await?;
    let req = Request::get(&format!(
        "/api/v0/read-file?path={}&offset=0&limit=0",
        url_encode(&p)
    ));
    let want = Expect::status(200)
        .header("content-type", "application/json")
        .header("content-length", &content.len().to_string())
        .body(content.clone());
    ctx.exchange(&req, &want).await?;
    Ok(Verdict::Pass)
}

async fn read_offset_limit(ctx: Arc<Ctx>, d: String) -> StepResult {
    let p = format!("{d}/f.bin");
    write(&ctx, &p, b"0123456789").await?;
    for (off, lim, want) in [
        (2, 3, "234"),
        (8, 5, "89"),
        (0, 0, "0123456789"),
        (10, 0, ""),
        (1000, 1, ""),
    ] {
        let req = Request::get(&format!(
            "/api/v0/read-file?path={}&offset={off}&limit={lim}",
            url_encode(&p)
        ));
        let e = Expect::status(200)
            .header("content-type", "application/octet-stream")
            .header("content-length", &want.len().to_string())
            .body(want);
        ctx.exchange(&req, &e).await?;
    }
    Ok(Verdict::Pass)
}

async fn read_errors(ctx: Arc<Ctx>, d: String) -> StepResult {
    write(&ctx, &format!("{d}/x"), b"x").await?;
    let missing = format!("{d}/missing");
    let req = Request::get(&format!("/api/v0/read-file?path={}", url_encode(&missing)));
    let body = format!("{{\"message\":\"open {missing}: no such file or directory\"}}\n");
    ctx.exchange(&req, &Expect::json(404, &body)).await?;
    let req = Request::get(&format!("/api/v0/read-file?path={}", url_encode(&d)));
    let body = format!("{{\"message\":\"open {d}: not a file\"}}\n");
    ctx.exchange(&req, &Expect::json(400, &body)).await?;
    Ok(Verdict::Pass)
}

async fn read_lines(ctx: Arc<Ctx>, d: String) -> StepResult {
    let p = format!("{d}/basic-file");
    write(&ctx, &p, b"line1\nline2\nline3").await?;
    let req = Request::get(&format!(
        "/api/v0/read-file-lines?path={}&offset=2&limit=1",
        url_encode(&p)
    ));
    ctx.exchange(&req, &Expect::json(200, "{\"success\":true,\"file_size\":17,\"total_lines\":3,\"lines_read\":1,\"content\":\"2\\tline2\"}\n")).await?;
    let req = Request::get(&format!(
        "/api/v0/read-file-lines?path={}&offset=100",
        url_encode(&p)
    ));
    ctx.exchange(
        &req,
        &Expect::json(
            200,
            "{\"success\":false,\"error\":\"offset 100 is beyond the file length of 3 lines\"}\n",
        ),
    )
    .await?;
    let req = Request::get(&format!(
        "/api/v0/read-file-lines?path={}&max_line_bytes=3",
        url_encode(&p)
    ));
    ctx.exchange(&req, &Expect::json(200, "{\"success\":true,\"file_size\":17,\"total_lines\":3,\"lines_read\":3,\"content\":\"1\\tlin... [truncated]\\n2\\tlin... [truncated]\\n3\\tlin... [truncated]\"}\n")).await?;
    Ok(Verdict::Pass)
}

async fn list_directory(ctx: Arc<Ctx>, d: String) -> StepResult {
    for f in ["b.txt", "A.txt", "sub/x", "Dir/y"] {
        write(&ctx, &format!("{d}/{f}"), b"").await?;
    }
    let req = post(
        &format!("/api/v0/list-directory?path={}", url_encode(&d)),
        "application/json",
        "{}",
    );
    let resp = ctx.send(&req).await?;
    let v = check_go_json(&resp).map_err(|e| ctx.failure(&req, e))?;
    let parts: Vec<&str> = d.split('/').filter(|s| !s.is_empty()).collect();
    let entry = |n: &str, dir: bool| json!({"name": n, "absolute_path_string": format!("{d}/{n}"), "is_dir": dir});
    let want = json!({
        "absolute_path": parts,
        "absolute_path_string": d,
        "contents": [entry("Dir", true), entry("sub", true), entry("A.txt", false), entry("b.txt", false)],
    });
    if resp.status != 200 || v != want {
        return Err(ctx
            .failure(
                &req,
                "directories first, then files, each by name byte-wise",
            )
            .with_diff(&want.to_string(), &v.to_string()));
    }
    let missing = format!("{d}/nope");
    let req = post(
        &format!("/api/v0/list-directory?path={}", url_encode(&missing)),
        "application/json",
        "{}",
    );
    let body = format!("{{\"message\":\"failed to open directory {}: open {missing}: no such file or directory\"}}\n", quoted(&missing));
    ctx.exchange(&req, &Expect::json(404, &body)).await?;
    Ok(Verdict::Pass)
}

async fn resolve_path_cleans(ctx: Arc<Ctx>, d: String) -> StepResult {
    write(&ctx, &format!("{d}/a/b"), b"").await?;
    let req = Request::get(&format!(
        "/api/v0/resolve-path?path={}",
        url_encode(&format!("{d}//a/./b/"))
    ));
    let body = format!("{{\"resolved_path\":\"{d}/a/b\"}}\n");
    ctx.exchange(&req, &Expect::json(200, &body)).await?;
    Ok(Verdict::Pass)
}

async fn edit_with_diff(ctx: Arc<Ctx>, d: String) -> StepResult {
    let p = format!("{d}/diff-single");
    write(&ctx, &p, b"hello world\n").await?;
    let body = json!({"files": [{"path": p, "edits": [{"search": "hello", "replace": "HELLO"}]}], "include_diff": true}).to_string();
    let req = post("/api/v0/edit-files", "application/json", body);
    let want = format!("{{\"files\":[{{\"path\":\"{p}\",\"diff\":\"--- {p}\\n+++ {p}\\n@@ -1 +1 @@\\n-hello world\\n+HELLO world\\n\"}}]}}\n");
    ctx.exchange(&req, &Expect::json(200, &want)).await?;
    let got = read(&ctx, &p).await?;
    if got != b"HELLO world\n" {
        return Err(Failure::new(format!(
            "after the edit the file holds {:?}",
            String::from_utf8_lossy(&got)
        )));
    }
    Ok(Verdict::Pass)
}

async fn edit_not_found_leaves_file(ctx: Arc<Ctx>, d: String) -> StepResult {
    let p = format!("{d}/keep");
    write(&ctx, &p, b"alpha\nbeta\n").await?;
    let body =
        json!({"files": [{"path": p, "edits": [{"search": "zzzz-not-there", "replace": "x"}]}]})
            .to_string();
    let req = post("/api/v0/edit-files", "application/json", body);
    let resp = ctx.send(&req).await?;
    let v = check_go_json(&resp).map_err(|e| ctx.failure(&req, e))?;
    let prefix = format!("edit {p}: search string not found in file");
    if resp.status != 400
        || !v["message"]
            .as_str()
            .unwrap_or_default()
            .starts_with(&prefix)
    {
        return Err(ctx.failure(
            &req,
            format!(
                "status {} {v} (want 400, message starting {prefix:?})",
                resp.status
            ),
        ));
    }
    let got = read(&ctx, &p).await?;
    if got != b"alpha\nbeta\n" {
        return Err(Failure::new("a failed edit changed the file"));
    }
    Ok(Verdict::Pass)
}
