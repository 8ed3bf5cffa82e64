//! edit-files in a scratch directory (files.md §4.6, §5): per-entry errors, the highest
//! status and joined messages with nothing written, same-path merging, and the matcher's
//! passes, errors and hints on contents taken from the upstream tests.

use super::kit::{edit, edit_fails, edit_to, holds, message, write};
use crate::case::{StepResult, Verdict};
use crate::context::Ctx;
use crate::expect::Expect;
use crate::failure::Failure;
use serde_json::json;
use std::sync::Arc;

pub async fn edit_not_found_leaves_file(ctx: Arc<Ctx>, d: String) -> StepResult {
    let p = format!("{d}/keep");
    let err = "search string not found in file. Verify the search string matches the file content exactly, including whitespace and indentation";
    edit_fails(
        &ctx,
        &p,
        "alpha\nbeta\n",
        ("zzzz-not-there", "q", false),
        err,
    )
    .await?;
    Ok(Verdict::Pass)
}

/// Each entry-level refusal alone, with its status and exact message.
pub async fn entry_errors(ctx: Arc<Ctx>, d: String) -> StepResult {
    let f = format!("{d}/f");
    write(&ctx, &f, b"foo").await?;
    let one =
        |p: &str| json!({"files": [{"path": p, "edits": [{"search": "foo", "replace": "bar"}]}]});
    edit(&ctx, &one(""), &message(400, "\"path\" is required")).await?;
    let missing = format!("{d}/missing");
    let msg = format!("open {missing}: no such file or directory");
    edit(&ctx, &one(&missing), &message(404, &msg)).await?;
    edit(
        &ctx,
        &one(&d),
        &message(400, &format!("open {d}: not a file")),
    )
    .await?;
    let below = format!("{f}/x");
    let msg = format!("resolve symlink \"{below}\": lstat {below}: not a directory");
    edit(&ctx, &one(&below), &message(500, &msg)).await?;
    for edits in [json!(null), json!([])] {
        let body = json!({"files": [{"path": format!("{d}/absent"), "edits": edits}]});
        edit(&ctx, &body, &message(400, "must specify at least one edit")).await?;
    }
    let body = json!({"files": []});
    edit(&ctx, &body, &message(400, "must specify at least one file")).await?;
    holds(&ctx, &f, b"foo").await?;
    Ok(Verdict::Pass)
}

/// 404 beats 400, messages joined by `\n` in request order, and no file is written.
pub async fn multi_error(ctx: Arc<Ctx>, d: String) -> StepResult {
    let (a, b, missing) = (format!("{d}/a"), format!("{d}/b"), format!("{d}/missing"));
    write(&ctx, &a, b"alpha\n").await?;
    write(&ctx, &b, b"bravo\n").await?;
    let e = |search: &str| json!([{"search": search, "replace": "q"}]);
    let body = json!({"files": [
        {"path": b, "edits": e("bravo")},
        {"path": a, "edits": e("zzzz")},
        {"path": missing, "edits": e("x")},
    ]});
    let msg = format!("edit {a}: search string not found in file. Verify the search string matches the file content exactly, including whitespace and indentation\nopen {missing}: no such file or directory");
    edit(&ctx, &body, &message(404, &msg)).await?;
    holds(&ctx, &a, b"alpha\n").await?;
    holds(&ctx, &b, b"bravo\n").await?;
    Ok(Verdict::Pass)
}

/// Two spellings of one path merge (edits in order, one diff entry with the first spelling);
/// a no-op edit has an empty diff; without `include_diff` success is `{}`.
pub async fn merge_and_order(ctx: Arc<Ctx>, d: String) -> StepResult {
    let (m, n) = (format!("{d}/m"), format!("{d}/n"));
    write(&ctx, &m, b"one\n").await?;
    write(&ctx, &n, b"same\n").await?;
    let e = |s: &str, r: &str| json!({"search": s, "replace": r});
    let body = json!({"files": [
        {"path": m, "edits": [e("one", "two"), e("two", "three")]},
        {"path": n, "edits": [e("same", "same")]},
        {"path": format!("{d}//./m"), "edits": [e("three", "four")]},
    ], "include_diff": true});
    let want = json!({"files": [
        {"path": m, "diff": format!("--- {m}\n+++ {m}\n@@ -1 +1 @@\n-one\n+four\n")},
        {"path": n, "diff": ""},
    ]});
    edit(&ctx, &body, &Expect::json(200, &super::kit::go_body(&want))).await?;
    holds(&ctx, &m, b"four\n").await?;
    let body = json!({"files": [{"path": m, "edits": [e("four", "five")]}]});
    edit(&ctx, &body, &Expect::json(200, "{}\n")).await?;
    holds(&ctx, &m, b"five\n").await?;
    Ok(Verdict::Pass)
}

/// (content, search, replace, replace_all, expected content), from the upstream tests.
type Replace = (&'static str, &'static str, &'static str, bool, &'static str);

const PASSES: [Replace; 12] = [
    ("foo bar", "foo", "bar", false, "bar bar"),
    (
        "foo bar foo baz foo",
        "foo",
        "qux",
        true,
        "qux bar qux baz qux",
    ),
    (
        "foo   \nbar\t\t\nbaz",
        "foo\nbar\nbaz",
        "replaced",
        false,
        "replaced   ",
    ),
    (
        "hello   \nworld\nhello   \nagain",
        "hello\n",
        "bye\n",
        true,
        "bye   \nworld\nbye   \nagain",
    ),
    (
        "\tif true {\n\t\tfoo()\n\t}",
        "    if true {\n        foo()\n    }",
        "\tif true {\n\t\tbar()\n\t}",
        false,
        "\tif true {\n\t\tbar()\n\t}",
    ),
    (
        "foo\r\nline\r\nbar\r\n",
        "line\n",
        "",
        false,
        "foo\r\nbar\r\n",
    ),
    (
        "line one\r\nother\r\nline one\r\n",
        "line one\n",
        "LINE\n",
        true,
        "LINE\r\nother\r\nLINE\r\n",
    ),
    (
        "line1\r\nline2\r\nline3\r\n",
        "line1\nline2\n",
        "line1\nINSERTED\nline2\n",
        false,
        "line1\r\nINSERTED\r\nline2\r\nline3\r\n",
    ),
    (
        "x\r\ny\r\nz\r\n",
        "x\r\ny\r\n",
        "X\nY\n",
        false,
        "X\nY\nz\r\n",
    ),
    (
        "foo\n\tline\nbar\n",
        "    line\n",
        "    line\n    extra\n",
        false,
        "foo\n\tline\n\textra\nbar\n",
    ),
    (
        "foo\nbar",
        "foo\nbar\n",
        "foo\nbaz\nqux\n",
        false,
        "foo\nbaz\nqux",
    ),
    ("foo\nbar", "bar", "BAR", false, "foo\nBAR"),
];

pub async fn matcher_passes(ctx: Arc<Ctx>, d: String) -> StepResult {
    for (i, (content, search, replace, all, want)) in PASSES.into_iter().enumerate() {
        let p = format!("{d}/pass-{i}");
        edit_to(&ctx, &p, content, (search, replace, all), want)
            .await
            .map_err(|f| {
                Failure::new(format!("replace {search:?} by {replace:?}: {}", f.reason))
            })?;
    }
    Ok(Verdict::Pass)
}

pub const NOT_FOUND: &str = "search string not found in file. Verify the search string matches the file content exactly, including whitespace and indentation";

pub async fn matcher_errors(ctx: Arc<Ctx>, d: String) -> StepResult {
    let p = format!("{d}/m");
    let content = "foo bar foo baz foo";
    let err = "search string must not be empty; include the text you want to match";
    edit_fails(&ctx, &p, content, ("", "x", false), err).await?;
    let err = "search string matches 3 occurrences (expected exactly 1). Include more surrounding context to make the match unique, or set replace_all to true";
    edit_fails(&ctx, &p, content, ("foo", "qux", false), err).await?;
    let err = "search string not found in file. Verify the search string matches the file content exactly, including whitespace, indentation, and line endings";
    edit_fails(&ctx, &p, "a\nb\n", ("x\r\ny\r\n", "X\nY\n", false), err).await?;
    // An edit that fails after an earlier one of the same file succeeded writes nothing.
    let body = json!({"files": [{"path": p, "edits": [
        {"search": "a", "replace": "c"}, {"search": "c\nb", "replace": "q"}, {"search": "nope", "replace": "z"},
    ]}]});
    edit(
        &ctx,
        &body,
        &message(400, &format!("edit {p}: {NOT_FOUND}")),
    )
    .await?;
    holds(&ctx, &p, b"a\nb\n").await?;
    Ok(Verdict::Pass)
}

/// (content, search, replace, hint after the base message or "" for none).
type Hint = (String, &'static str, &'static str, &'static str);

fn hints() -> Vec<Hint> {
    let m = "matching block body of substantial length";
    let box8 = "─".repeat(8);
    vec![
        ("title\nsection =======\nbody\n".into(), "section =====\n", "section *****\n", "Your search has 5 \"=\" (U+003D); the file has 7 at line 2"),
        ("section ==\nsection ===\nsection ======\nsection =======\nsection ========\nsection =========\n".into(), "section =====\n", "section *****\n", "Your search has 5 \"=\" (U+003D); the file has 2 at line 1, 3 at line 2, 6 at line 3, 7 at line 4, 8 at line 5 and 1 more"),
        (format!("a\n{m}\nb\n{m}\nc\n{m}\nd\n"), "this search text is absent from the file\n", "matching block body of substantial length\n", "Did you swap \"search\" and \"replace\"? Your replace string appears at line 2, 4, 6"),
        (format!("{m}\n").repeat(7), "this search text is absent from the file\n", "matching block body of substantial length\n", "Did you swap \"search\" and \"replace\"? Your replace string appears at line 1, 2, 3, 4, 5 and 2 more"),
        (format!("<header>\n{{/* SECTION HEADING {box8} */}}\n<body>\ndoSomethingWithLongName(ctx)\n</body>\n"), "{/* SECTION HEADING ────── */}\n", "doSomethingWithLongName(ctx)\n", "Your search has 6 \"─\" (U+2500); the file has 8 at line 2"),
        ("package foo\n\nfunc bar() {}\n".into(), "func zzzz() {}\n", "new\n", ""),
    ]
}

pub async fn matcher_hints(ctx: Arc<Ctx>, d: String) -> StepResult {
    for (i, (content, search, replace, hint)) in hints().into_iter().enumerate() {
        let p = format!("{d}/hint-{i}");
        let err = match hint {
            "" => NOT_FOUND.to_string(),
            h => format!("{NOT_FOUND}. {h}"),
        };
        edit_fails(&ctx, &p, &content, (search, replace, false), &err).await?;
    }
    Ok(Verdict::Pass)
}
