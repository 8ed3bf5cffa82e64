//! Symlinks, permission bits and the agent user's home (files.md §3, §4). The controlled cases
//! seed a memory tree: the files API cannot create a symlink, an empty directory or an
//! unreadable file, and a black-box agent's home is unknown. The black-box symlink case has a
//! shell make the same links through the process API, and skips when the files API does not
//! see them.

use super::kit::{
    at, edit, entry, go_body, holds, lines_error, list_req, listing, message, post, resolved, write,
};
use crate::case::{StepResult, Verdict};
use crate::context::Ctx;
use crate::expect::Expect;
use crate::failure::Failure;
use crate::http::Request;
use serde_json::{json, Value};
use std::sync::Arc;

/// The seeded directory.
const S: &str = "/tmp/agent-conformance-seeded";

async fn seed(ctx: &Ctx, name: &str, entries: Value) -> Result<(), Failure> {
    let scenario = json!({
        "name": name,
        "files": {"backend": "memory", "home": "/home/coder", "entries": entries},
    });
    ctx.put_scenario(&scenario.to_string()).await
}

/// The link layout below `base`: (path, link target) pairs; `real-plans/PLAN.md` and
/// `file.txt` are files.
fn links(base: &str) -> [(String, String); 6] {
    [
        (format!("{base}/link-plans"), "real-plans".to_string()),
        (format!("{base}/abs-link"), format!("{base}/real-plans")),
        (format!("{base}/deep/link2"), format!("{base}/real-plans")),
        (format!("{base}/dangling"), format!("{base}/nowhere/x")),
        (format!("{base}/loop"), format!("{base}/loop")),
        (format!("{base}/link.png"), "file.txt".to_string()),
    ]
}

async fn seed_links(ctx: &Ctx) -> Result<(), Failure> {
    let mut entries = serde_json::Map::new();
    entries.insert(format!("{S}/real-plans/PLAN.md"), json!("plan\n"));
    entries.insert(format!("{S}/file.txt"), json!("hello world\n"));
    for (path, target) in links(S) {
        entries.insert(path, json!({ "symlink": target }));
    }
    seed(ctx, "files-symlinks", Value::Object(entries)).await
}

/// The same layout made by a shell through the process API (`sh -c`).
pub fn links_script(base: &str) -> String {
    let mut s = format!(
        "mkdir -p '{base}/real-plans' '{base}/deep' && printf 'plan\\n' > '{base}/real-plans/PLAN.md' && printf 'hello world\\n' > '{base}/file.txt'"
    );
    for (path, target) in links(base) {
        s.push_str(&format!(" && ln -s '{target}' '{path}'"));
    }
    s
}

pub async fn symlinks_resolve(ctx: Arc<Ctx>) -> StepResult {
    seed_links(&ctx).await?;
    links_resolve(&ctx, S).await?;
    Ok(Verdict::Pass)
}

pub async fn links_resolve(ctx: &Ctx, base: &str) -> Result<(), Failure> {
    let get = |p: String| Request::get(&at("/api/v0/resolve-path", &p, ""));
    let plan = format!("{base}/real-plans/PLAN.md");
    ctx.exchange(&get(format!("{base}/link-plans/PLAN.md")), &resolved(&plan))
        .await?;
    let deeper = format!("{base}/real-plans/missing/deeper");
    ctx.exchange(
        &get(format!("{base}/abs-link/missing/deeper")),
        &resolved(&deeper),
    )
    .await?;
    ctx.exchange(
        &get(format!("{base}/dangling")),
        &resolved(&format!("{base}/nowhere/x")),
    )
    .await?;
    // Cleaned before the link is seen: `..` undoes `link2`, not its target.
    let lexical = format!("{base}/deep/file.txt");
    ctx.exchange(
        &get(format!("{base}/deep/link2/../file.txt")),
        &resolved(&lexical),
    )
    .await?;
    let msg = format!("too many levels of symlinks resolving \"{base}/loop\"");
    ctx.exchange(&get(format!("{base}/loop")), &message(500, &msg))
        .await?;
    Ok(())
}

/// Opens follow links (the type from the link's own name), listings lstat, writes resolve.
pub async fn symlinks_routes(ctx: Arc<Ctx>) -> StepResult {
    seed_links(&ctx).await?;
    links_routes(&ctx, S).await?;
    Ok(Verdict::Pass)
}

pub async fn links_routes(ctx: &Ctx, base: &str) -> Result<(), Failure> {
    let req = Request::get(&at("/api/v0/read-file", &format!("{base}/link.png"), ""));
    let e = Expect::status(200)
        .header("content-type", "image/png")
        .body("hello world\n");
    ctx.exchange(&req, &e).await?;
    let entry = |n: &str, dir: bool| entry(base, n, dir);
    let want = listing(
        base,
        vec![
            entry("deep", true),
            entry("real-plans", true),
            entry("abs-link", false),
            entry("dangling", false),
            entry("file.txt", false),
            entry("link-plans", false),
            entry("link.png", false),
            entry("loop", false),
        ],
    );
    ctx.exchange(&list_req(base, &json!({})), &want).await?;
    let new = format!("{base}/link-plans/NEW.md");
    write(ctx, &new, b"new").await?;
    holds(ctx, &format!("{base}/real-plans/NEW.md"), b"new").await
}

/// Editing through a link edits its target; a second spelling of the same file is refused.
pub async fn symlinks_edit(ctx: Arc<Ctx>) -> StepResult {
    seed_links(&ctx).await?;
    links_edit(&ctx, S).await?;
    Ok(Verdict::Pass)
}

pub async fn links_edit(ctx: &Ctx, base: &str) -> Result<(), Failure> {
    let (link, real) = (format!("{base}/link.png"), format!("{base}/file.txt"));
    let body = json!({"files": [
        {"path": real, "edits": [{"search": "hello", "replace": "x"}]},
        {"path": link, "edits": [{"search": "world", "replace": "y"}]},
    ]});
    let msg = format!("duplicate file path \"{link}\" aliases \"{real}\" (same real file): combine edits into a single entry's \"edits\" list");
    edit(ctx, &body, &message(400, &msg)).await?;
    holds(ctx, &real, b"hello world\n").await?;
    let body = json!({"files": [{"path": link, "edits": [{"search": "hello", "replace": "goodbye"}]}], "include_diff": true});
    let diff = format!("--- {link}\n+++ {link}\n@@ -1 +1 @@\n-hello world\n+goodbye world\n");
    let want = json!({"files": [{"path": link, "diff": diff}]});
    edit(ctx, &body, &Expect::json(200, &go_body(&want))).await?;
    holds(ctx, &real, b"goodbye world\n").await?;
    let req = Request::get(&at("/api/v0/resolve-path", &link, ""));
    ctx.exchange(&req, &resolved(&real)).await?;
    Ok(())
}

/// Mode 0000 files and directories and a read-only directory: 403s and the lines sentence.
pub async fn permissions(ctx: Arc<Ctx>) -> StepResult {
    let (secret, locked, ro) = (
        format!("{S}/secret.txt"),
        format!("{S}/locked"),
        format!("{S}/ro"),
    );
    let entries = json!({
        secret.clone(): {"content": "s", "mode": "0000"},
        locked.clone(): {"dir": true, "mode": "0000"},
        ro.clone(): {"dir": true, "mode": "0555"},
    });
    seed(&ctx, "files-permissions", entries).await?;
    let denied = format!("open {secret}: permission denied");
    let req = Request::get(&at("/api/v0/read-file", &secret, ""));
    ctx.exchange(&req, &message(403, &denied)).await?;
    let req = Request::get(&at("/api/v0/read-file-lines", &secret, ""));
    ctx.exchange(&req, &lines_error(&format!("permission denied: {secret}")))
        .await?;
    let body = json!({"files": [{"path": secret, "edits": [{"search": "s", "replace": "t"}]}]});
    edit(&ctx, &body, &message(403, &denied)).await?;
    let req = list_req(&locked, &json!({}));
    let msg = format!("failed to open directory \"{locked}\": open {locked}: permission denied");
    ctx.exchange(&req, &message(403, &msg)).await?;
    let req = post(
        &at("/api/v0/write-file", &format!("{ro}/new.txt"), ""),
        "text/plain",
        "x",
    );
    let resp = ctx.exchange(&req, &Expect::status(403)).await?;
    let v: Value = serde_json::from_slice(&resp.body).unwrap_or_default();
    let m = v["message"].as_str().unwrap_or_default();
    let temp = m
        .strip_prefix(&format!("open {ro}/.new.txt.tmp."))
        .and_then(|t| t.strip_suffix(": permission denied"));
    if !temp.is_some_and(|t| t.len() == 8 && t.bytes().all(|b| b.is_ascii_hexdigit())) {
        return Err(ctx.failure(
            &req,
            format!("message {m:?}: want `open {ro}/.new.txt.tmp.<8 hex>: permission denied`"),
        ));
    }
    Ok(Verdict::Pass)
}

/// `home` joins components to the user's home (an absolute one included); an empty
/// directory lists `[]`; `/` is `absolute_path: []`.
pub async fn home_and_root(ctx: Arc<Ctx>) -> StepResult {
    let entries = json!({"/home/coder/empty": {"dir": true}, "/home/coder/a.txt": "a"});
    seed(&ctx, "files-home", entries).await?;
    let list = |body: Value| list_req("", &body);
    let want = "{\"absolute_path\":[\"home\",\"coder\",\"empty\"],\"absolute_path_string\":\"/home/coder/empty\",\"contents\":[]}\n";
    let req = list(json!({"path": ["empty"], "relativity": "home"}));
    ctx.exchange(&req, &Expect::json(200, want)).await?;
    let msg = "failed to open directory \"/home/coder/etc\": open /home/coder/etc: no such file or directory";
    let req = list(json!({"path": ["/etc"], "relativity": "home"}));
    ctx.exchange(&req, &message(404, msg)).await?;
    let req = list(json!({"path": [], "relativity": "root"}));
    let resp = ctx.exchange(&req, &Expect::status(200)).await?;
    let v: Value = serde_json::from_slice(&resp.body).unwrap_or_default();
    if v["absolute_path"] != json!([]) || v["absolute_path_string"] != "/" {
        return Err(ctx.failure(
            &req,
            format!("{v}: want absolute_path [] and absolute_path_string \"/\""),
        ));
    }
    Ok(Verdict::Pass)
}

/// Black-box: a shell started through the process API makes the links in the scratch
/// directory; skipped when the files API does not see them (a simulator's memory tree).
pub async fn symlinks_in_scratch(ctx: Arc<Ctx>, d: String) -> StepResult {
    // The scratch directory as the agent resolves it (`/tmp` may itself be a link).
    let req = Request::get(&at("/api/v0/resolve-path", &d, ""));
    let resp = ctx.exchange(&req, &Expect::status(200)).await?;
    let v: Value = serde_json::from_slice(&resp.body).unwrap_or_default();
    let base = v["resolved_path"].as_str().unwrap_or(&d).to_string();
    let start = json!({ "command": links_script(&base) }).to_string();
    let started = ctx
        .send(&post("/api/v0/processes/start", "application/json", start))
        .await?;
    if !links_appear(&ctx, &base, started.status).await? {
        let why = "the links a shell made through the process API are not visible to the files API";
        return Ok(Verdict::Skip(why.to_string()));
    }
    links_resolve(&ctx, &base).await?;
    links_routes(&ctx, &base).await?;
    links_edit(&ctx, &base).await?;
    Ok(Verdict::Pass)
}

/// Waits up to 2 s for the script's last link to resolve.
async fn links_appear(ctx: &Ctx, base: &str, started: u16) -> Result<bool, Failure> {
    if started != 200 {
        return Ok(false);
    }
    let probe = Request::get(&at("/api/v0/resolve-path", &format!("{base}/link.png"), ""));
    let want = format!("{base}/file.txt");
    for _ in 0..20 {
        let r = ctx.send(&probe).await?;
        let v: Value = serde_json::from_slice(&r.body).unwrap_or_default();
        if v["resolved_path"] == want.as_str() {
            return Ok(true);
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    Ok(false)
}
