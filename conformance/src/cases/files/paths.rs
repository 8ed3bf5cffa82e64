//! write-file, resolve-path and list-directory in a scratch directory (files.md §3, §4.1,
//! §4.2, §4.5): lexical cleaning (`//`, `.`, `..`, trailing `/`), missing parents, errors
//! below a regular file, list order and shape, and the query path used verbatim.

use super::kit::{at, entry, holds, list_req, listing, message, post, resolved, write};
use crate::case::{StepResult, Verdict};
use crate::context::Ctx;
use crate::http::Request;
use serde_json::json;
use std::sync::Arc;

/// The written file is the cleaned path; the message keeps the caller's spelling.
pub async fn write_paths(ctx: Arc<Ctx>, d: String) -> StepResult {
    write(&ctx, &format!("{d}//a/./b/c/"), b"first").await?;
    holds(&ctx, &format!("{d}/a/b/c"), b"first").await?;
    write(&ctx, &format!("{d}/a/b/../d"), b"second").await?;
    holds(&ctx, &format!("{d}/a/d"), b"second").await?;
    // A shorter write truncates; an empty body empties the file.
    write(&ctx, &format!("{d}/a/b/c"), b"1").await?;
    holds(&ctx, &format!("{d}/a/b/c"), b"1").await?;
    write(&ctx, &format!("{d}/a/d"), b"").await?;
    holds(&ctx, &format!("{d}/a/d"), b"").await?;
    // Malformed chat headers are ignored.
    let mut req = post(
        &at("/api/v0/write-file", &format!("{d}/chat"), ""),
        "text/plain",
        "c",
    );
    req.headers
        .push(("Coder-Chat-Id".into(), "not-a-uuid".into()));
    req.headers
        .push(("Coder-Ancestor-Chat-Ids".into(), "[oops".into()));
    let msg = format!("Successfully wrote to \"{d}/chat\"");
    ctx.exchange(&req, &message(200, &msg)).await?;
    holds(&ctx, &format!("{d}/chat"), b"c").await?;
    Ok(Verdict::Pass)
}

pub async fn write_errors(ctx: Arc<Ctx>, d: String) -> StepResult {
    let f = format!("{d}/f");
    write(&ctx, &f, b"x").await?;
    let w = |p: &str| post(&at("/api/v0/write-file", p, ""), "text/plain", "y");
    let msg = format!("open {d}: is a directory");
    ctx.exchange(&w(&format!("{d}/")), &message(400, &msg))
        .await?;
    let below = format!("{f}/x");
    let msg = format!("resolve symlink \"{below}\": lstat {below}: not a directory");
    ctx.exchange(&w(&below), &message(500, &msg)).await?;
    holds(&ctx, &f, b"x").await?;
    Ok(Verdict::Pass)
}

pub async fn resolve_path_cleans(ctx: Arc<Ctx>, d: String) -> StepResult {
    write(&ctx, &format!("{d}/a/b"), b"").await?;
    let get = |p: &str| Request::get(&at("/api/v0/resolve-path", p, ""));
    let b = format!("{d}/a/b");
    ctx.exchange(&get(&format!("{d}//a/./b/")), &resolved(&b))
        .await?;
    let missing = format!("{d}/nope/../missing/x");
    ctx.exchange(&get(&missing), &resolved(&format!("{d}/missing/x")))
        .await?;
    ctx.exchange(&get("/../..//tmp/.."), &resolved("/")).await?;
    let below = format!("{b}/x");
    let msg = format!("lstat {below}: not a directory");
    ctx.exchange(&get(&below), &message(500, &msg)).await?;
    Ok(Verdict::Pass)
}

pub async fn list_directory(ctx: Arc<Ctx>, d: String) -> StepResult {
    for f in ["b.txt", "A.txt", ".hidden", "sub/x", "Dir/y", "_u/z"] {
        write(&ctx, &format!("{d}/{f}"), b"").await?;
    }
    // The body is ignored when the query names a directory.
    let body = json!({"path": ["nope"], "relativity": "bogus"});
    let want = listing(
        &d,
        vec![
            entry(&d, "Dir", true),
            entry(&d, "_u", true),
            entry(&d, "sub", true),
            entry(&d, ".hidden", false),
            entry(&d, "A.txt", false),
            entry(&d, "b.txt", false),
        ],
    );
    ctx.exchange(&list_req(&d, &body), &want).await?;
    let missing = format!("{d}/nope");
    let msg = format!(
        "failed to open directory \"{missing}\": open {missing}: no such file or directory"
    );
    ctx.exchange(&list_req(&missing, &json!({})), &message(404, &msg))
        .await?;
    Ok(Verdict::Pass)
}

/// The query path verbatim, root-relative components joined and cleaned, a file refused.
pub async fn list_paths(ctx: Arc<Ctx>, d: String) -> StepResult {
    write(&ctx, &format!("{d}/sub/x"), b"").await?;
    let sub = format!("{d}/sub");
    let verbatim = format!("{d}//sub/");
    let want = listing(&verbatim, vec![entry(&sub, "x", false)]);
    ctx.exchange(&list_req(&verbatim, &json!({})), &want)
        .await?;
    let parts: Vec<&str> = d.split('/').filter(|s| !s.is_empty()).collect();
    let body = json!({"path": [parts.join("/"), "", "sub/../sub", "/."], "relativity": "root"});
    let want = listing(&sub, vec![entry(&sub, "x", false)]);
    ctx.exchange(&list_req("", &body), &want).await?;
    let x = format!("{sub}/x");
    let msg = format!("path \"{x}\" is not a directory");
    ctx.exchange(&list_req(&x, &json!({})), &message(500, &msg))
        .await?;
    Ok(Verdict::Pass)
}
