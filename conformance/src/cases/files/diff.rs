//! edit-files' unified diffs with exact text (files.md §4.6, go-udiff `ToUnified` with 3
//! context lines): hunk merging at 6 unchanged lines and splitting at 7, context cut at the
//! file's start and end, `\ No newline at end of file`, emptied and created files, CRLF lines.
//! Every change replaces lower-case words by upper-case ones (or adds/removes a whole file's
//! content), so the alignment is the same under any LCS.

use super::kit::{edit, go_body, holds, write};
use crate::case::{StepResult, Verdict};
use crate::context::Ctx;
use crate::expect::Expect;
use serde_json::{json, Value};
use std::sync::Arc;

const WORDS: [&str; 30] = [
    "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet",
    "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango",
    "uniform", "victor", "whiskey", "xray", "yankee", "zulu", "amber", "bronze", "cobalt", "denim",
];

/// The first `n` words, one per line.
fn words(n: usize) -> String {
    WORDS[..n].iter().map(|w| format!("{w}\n")).collect()
}

/// One edit per word, upper-casing it.
fn upper(ws: &[&str]) -> Value {
    ws.iter()
        .map(|w| json!({"search": format!("{w}\n"), "replace": format!("{}\n", w.to_uppercase())}))
        .collect()
}

/// `body` is the diff after its `---`/`+++` lines.
fn diff_of(p: &str, body: &str) -> String {
    format!("--- {p}\n+++ {p}\n{body}")
}

/// Writes `content`, applies `edits` with `include_diff`, expects the diff and `after`.
async fn expect_diff(
    ctx: &Ctx,
    p: &str,
    content: &str,
    edits: Value,
    hunks: &str,
    after: &str,
) -> StepResult {
    write(ctx, p, content.as_bytes()).await?;
    let body = json!({"files": [{"path": p, "edits": edits}], "include_diff": true});
    let want = json!({"files": [{"path": p, "diff": diff_of(p, hunks)}]});
    edit(ctx, &body, &Expect::json(200, &go_body(&want))).await?;
    holds(ctx, p, after.as_bytes()).await?;
    Ok(Verdict::Pass)
}

fn upper_lines(n: usize, ws: &[&str]) -> String {
    WORDS[..n]
        .iter()
        .map(|w| match ws.contains(w) {
            true => format!("{}\n", w.to_uppercase()),
            false => format!("{w}\n"),
        })
        .collect()
}

pub async fn single_line(ctx: Arc<Ctx>, d: String) -> StepResult {
    let p = format!("{d}/diff-single");
    let edits = json!([{"search": "hello", "replace": "HELLO"}]);
    expect_diff(
        &ctx,
        &p,
        "hello world\n",
        edits,
        "@@ -1 +1 @@\n-hello world\n+HELLO world\n",
        "HELLO world\n",
    )
    .await
}

/// Changes 6 unchanged lines apart (lines 3 and 10) share one hunk.
pub async fn merged_hunk(ctx: Arc<Ctx>, d: String) -> StepResult {
    let ch = ["charlie", "juliet"];
    let hunks = "@@ -1,13 +1,13 @@\n alpha\n bravo\n-charlie\n+CHARLIE\n delta\n echo\n foxtrot\n golf\n hotel\n india\n-juliet\n+JULIET\n kilo\n lima\n mike\n";
    expect_diff(
        &ctx,
        &format!("{d}/merged"),
        &words(20),
        upper(&ch),
        hunks,
        &upper_lines(20, &ch),
    )
    .await
}

/// Changes 7 unchanged lines apart (lines 3 and 11) make two hunks.
pub async fn split_hunks(ctx: Arc<Ctx>, d: String) -> StepResult {
    let ch = ["charlie", "kilo"];
    let hunks = "@@ -1,6 +1,6 @@\n alpha\n bravo\n-charlie\n+CHARLIE\n delta\n echo\n foxtrot\n@@ -8,7 +8,7 @@\n hotel\n india\n juliet\n-kilo\n+KILO\n lima\n mike\n november\n";
    expect_diff(
        &ctx,
        &format!("{d}/split"),
        &words(20),
        upper(&ch),
        hunks,
        &upper_lines(20, &ch),
    )
    .await
}

/// Far-apart changes (lines 3 and 17 of 20): two hunks, the second one's numbers counted.
pub async fn far_hunks(ctx: Arc<Ctx>, d: String) -> StepResult {
    let ch = ["charlie", "quebec"];
    let hunks = "@@ -1,6 +1,6 @@\n alpha\n bravo\n-charlie\n+CHARLIE\n delta\n echo\n foxtrot\n@@ -14,7 +14,7 @@\n november\n oscar\n papa\n-quebec\n+QUEBEC\n romeo\n sierra\n tango\n";
    expect_diff(
        &ctx,
        &format!("{d}/far"),
        &words(20),
        upper(&ch),
        hunks,
        &upper_lines(20, &ch),
    )
    .await
}

/// go-udiff does not count the unchanged lines that join changes inside one hunk towards the
/// next hunk's `+<to>` line: after the hunk joining lines 3 and 10, the change on line 25
/// reads `+16` where the new file has it on line 22 (`unified.go`, `toLine`).
pub async fn after_merged_hunk(ctx: Arc<Ctx>, d: String) -> StepResult {
    let ch = ["charlie", "juliet", "yankee"];
    let hunks = "@@ -1,13 +1,13 @@\n alpha\n bravo\n-charlie\n+CHARLIE\n delta\n echo\n foxtrot\n golf\n hotel\n india\n-juliet\n+JULIET\n kilo\n lima\n mike\n@@ -22,7 +16,7 @@\n victor\n whiskey\n xray\n-yankee\n+YANKEE\n zulu\n amber\n bronze\n";
    expect_diff(
        &ctx,
        &format!("{d}/after"),
        &words(30),
        upper(&ch),
        hunks,
        &upper_lines(30, &ch),
    )
    .await
}

/// A change on line 2 has one context line before it; on line 9 of 10, one after it.
pub async fn context_at_edges(ctx: Arc<Ctx>, d: String) -> StepResult {
    let hunks = "@@ -1,5 +1,5 @@\n alpha\n-bravo\n+BRAVO\n charlie\n delta\n echo\n";
    expect_diff(
        &ctx,
        &format!("{d}/start"),
        &words(10),
        upper(&["bravo"]),
        hunks,
        &upper_lines(10, &["bravo"]),
    )
    .await?;
    let hunks = "@@ -6,5 +6,5 @@\n foxtrot\n golf\n hotel\n-india\n+INDIA\n juliet\n";
    expect_diff(
        &ctx,
        &format!("{d}/end"),
        &words(10),
        upper(&["india"]),
        hunks,
        &upper_lines(10, &["india"]),
    )
    .await
}

/// A changed last line and a context last line without `\n` get the marker.
pub async fn no_newline(ctx: Arc<Ctx>, d: String) -> StepResult {
    let edits = json!([{"search": "charlie", "replace": "CHARLIE"}]);
    let hunks = "@@ -1,3 +1,3 @@\n alpha\n bravo\n-charlie\n\\ No newline at end of file\n+CHARLIE\n\\ No newline at end of file\n";
    expect_diff(
        &ctx,
        &format!("{d}/last"),
        "alpha\nbravo\ncharlie",
        edits,
        hunks,
        "alpha\nbravo\nCHARLIE",
    )
    .await?;
    let edits = json!([{"search": "alpha", "replace": "ALPHA"}]);
    let hunks = "@@ -1,2 +1,2 @@\n-alpha\n+ALPHA\n bravo\n\\ No newline at end of file\n";
    expect_diff(
        &ctx,
        &format!("{d}/context"),
        "alpha\nbravo",
        edits,
        hunks,
        "ALPHA\nbravo",
    )
    .await
}

/// Emptying a file: `+0,0`; filling an empty one (its one empty line matches `\n`): `-0,0`.
pub async fn empty_sides(ctx: Arc<Ctx>, d: String) -> StepResult {
    let edits = json!([{"search": "gone\n", "replace": ""}]);
    expect_diff(
        &ctx,
        &format!("{d}/emptied"),
        "gone\n",
        edits,
        "@@ -1 +0,0 @@\n-gone\n",
        "",
    )
    .await?;
    let edits = json!([{"search": "\n", "replace": "new\n"}]);
    let hunks = "@@ -0,0 +1 @@\n+new\n\\ No newline at end of file\n";
    expect_diff(&ctx, &format!("{d}/created"), "", edits, hunks, "new").await
}

/// `\r` stays at the end of each printed line.
pub async fn crlf(ctx: Arc<Ctx>, d: String) -> StepResult {
    let edits = json!([{"search": "two", "replace": "TWO"}]);
    let hunks = "@@ -1,3 +1,3 @@\n one\r\n-two\r\n+TWO\r\n three\r\n";
    expect_diff(
        &ctx,
        &format!("{d}/crlf"),
        "one\r\ntwo\r\nthree\r\n",
        edits,
        hunks,
        "one\r\nTWO\r\nthree\r\n",
    )
    .await
}

/// Several files: one entry each, in request order, each with its own path in the headers.
pub async fn several_files(ctx: Arc<Ctx>, d: String) -> StepResult {
    let names = ["c", "a", "b"];
    for n in names {
        write(&ctx, &format!("{d}/{n}"), format!("{n}\n").as_bytes()).await?;
    }
    let files: Vec<Value> = names
        .iter()
        .map(|n| json!({"path": format!("{d}/{n}"), "edits": [{"search": n, "replace": n.to_uppercase()}]}))
        .collect();
    let want: Vec<Value> = names
        .iter()
        .map(|n| {
            let p = format!("{d}/{n}");
            let hunk = format!("@@ -1 +1 @@\n-{n}\n+{}\n", n.to_uppercase());
            json!({"path": p, "diff": diff_of(&p, &hunk)})
        })
        .collect();
    let body = json!({"files": files, "include_diff": true});
    edit(
        &ctx,
        &body,
        &Expect::json(200, &go_body(&json!({ "files": want }))),
    )
    .await?;
    Ok(Verdict::Pass)
}
