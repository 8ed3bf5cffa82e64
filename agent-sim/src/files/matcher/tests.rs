//! Direct checks of the matcher's passes. The spec's full tables (§6.1 `TestFuzzyReplace_*`,
//! `TestEditFiles_*` content and hint cases) run through the real router on both backends in
//! `tests/files/edit_tables.rs`; they are not repeated here.

use super::*;

fn run(c: &str, s: &str, r: &str, all: bool) -> Result<String, String> {
    fuzzy_replace(
        c,
        &Edit {
            search: s.into(),
            replace: r.into(),
            replace_all: all,
        },
    )
}

#[track_caller]
fn ok(c: &str, s: &str, r: &str, all: bool, want: &str) {
    assert_eq!(
        run(c, s, r, all).as_deref(),
        Ok(want),
        "content {c:?} search {s:?}"
    );
}

#[test]
fn each_pass_and_each_refusal() {
    // Exact match.
    ok("foo\nbar\n", "bar", "BAR", false, "foo\nBAR\n");
    // Line endings: an LF search edits a CRLF file and keeps its endings.
    ok(
        "foo\r\nline\r\nbar\r\n",
        "line\n",
        "",
        false,
        "foo\r\nbar\r\n",
    );
    // Trailing whitespace on the file's line is tolerated.
    ok("foo\nline   \nbar\n", "line\n", "", false, "foo\nbar\n");
    // Refusals.
    assert!(run("hello\n", "", "X", false)
        .unwrap_err()
        .contains("search string must not be empty"));
    assert!(run("a\na\na\nother\n", "a", "A", false)
        .unwrap_err()
        .contains("matches 3 occurrences"));
    let err = run("hello\nworld\n", "nonexistent\n", "X\n", false).unwrap_err();
    assert!(err.starts_with(NOT_FOUND), "{err}");
    assert_eq!(
        run("x\r\ny\r\nz\r\n", "x\ny\n", "X\r\nY\r\n", false).unwrap_err(),
        NOT_FOUND_ENDINGS
    );
}
