//! Mutants of the files API (files.md).

use crate::spec::*;

pub(crate) fn specs() -> Vec<Spec> {
    let mut v = reads();
    v.extend(lines());
    v.extend(writes_and_paths());
    v.extend(lists());
    v.extend(edits());
    v.extend(diffs());
    v.extend(matcher());
    v
}

/// Replaces `from` by `to` in read-file bodies of files whose path ends with `suffix`:
/// what reading back shows after a write or an edit.
fn read_back(
    name: &'static str,
    case: &'static str,
    suffix: &'static str,
    from: &'static str,
    to: &'static str,
) -> Spec {
    on(name, "default", case, move |_, p, r| {
        let path = p.strip_prefix(READ).and_then(|q| q.strip_prefix("path="));
        if path
            .and_then(|q| q.split('&').next())
            .is_some_and(|f| f.ends_with(suffix))
        {
            let t = r.text().replace(from, to);
            r.set_text(&t);
        }
    })
}

/// Edits the answers to edit-files (`from` → `to` in the body).
fn edit_text(name: &'static str, case: &'static str, from: &'static str, to: &'static str) -> Spec {
    replace_in(name, "default", case, EDIT, from, to)
}

/// Requests to `prefix` whose path and query contain `needle` get their answer changed by `f`.
fn when(
    name: &'static str,
    case: &'static str,
    (prefix, needle): (&'static str, &'static str),
    f: impl Fn(&mut MResp) + Send + Sync + 'static,
) -> Spec {
    on(name, "default", case, move |_, p, r| {
        if p.starts_with(prefix) && p.contains(needle) {
            f(r)
        }
    })
}

/// Requests to `prefix` containing `needle` are answered `status` with the JSON `body`.
fn answer(
    name: &'static str,
    case: &'static str,
    at: (&'static str, &'static str),
    status: StatusCode,
    body: &'static str,
) -> Spec {
    when(name, case, at, move |r| r.answer_json(status, body))
}

/// Answers to `prefix` with status `from` get status `to`, the body kept.
fn restatus(
    name: &'static str,
    case: &'static str,
    prefix: &'static str,
    from: StatusCode,
    to: StatusCode,
) -> Spec {
    when(name, case, (prefix, ""), move |r| {
        if r.status == from {
            r.status = to;
        }
    })
}

const READ: &str = "/api/v0/read-file?";
const LINES: &str = "/api/v0/read-file-lines?";
const WRITE: &str = "/api/v0/write-file?";
const RESOLVE: &str = "/api/v0/resolve-path?";
const LIST: &str = "/api/v0/list-directory";
const EDIT: &str = "/api/v0/edit-files";

fn reads() -> Vec<Spec> {
    vec![
        // Ignores `limit`: serves from offset to EOF.
        when("file read past the limit", "files/read/offset-limit", (READ, "limit=3"), |r| {
            let t = r.text() + "56789";
            r.set_text(&t);
        })
        .breaks(&["files.read.limit"]),
        when("read-file offset off by one", "files/read/offset-limit", (READ, "offset=2&limit=3"), |r| r.set_text("345"))
            .breaks(&["files.read.offset"]),
        answer("read-file offset past EOF refused", "files/read/offset-limit", (READ, "offset=1000"), StatusCode::BAD_REQUEST, "{\"message\":\"offset is beyond the end of the file\"}\n")
            .breaks(&["files.read.offset-past-eof"]),
        when("read-file type from content", "files/write-read-round-trip", (READ, ""), |r| r.set_header("content-type", "text/plain; charset=utf-8"))
            .breaks(&["files.read.mime-builtin"]),
        when("read-file extension case-sensitive only", "files/read/mime", (READ, ".PNG"), |r| r.set_header("content-type", "application/octet-stream"))
            .breaks(&["files.read.mime-lowercase"]),
        when("read-file sends X-File-Mimetype", "files/read/mime", (READ, ""), |r| r.set_header("x-file-mimetype", "image/png"))
            .breaks(&["files.read.no-extra-headers"]),
        restatus("read-file directory is 500", "files/read/errors", READ, StatusCode::BAD_REQUEST, StatusCode::INTERNAL_SERVER_ERROR)
            .breaks(&["files.read.directory-400"]),
        restatus("read-file permission denied is 500", "files/seeded/permissions", READ, StatusCode::FORBIDDEN, StatusCode::INTERNAL_SERVER_ERROR)
            .breaks(&["files.read.permission-403"]),
        replace_in("query validations missing", "default", "files/read/query-errors", "/api/v0/read-file", ",{\"field\":\"foo\",\"detail\":\"\\\"foo\\\" is not a valid query param\"}", "")
            .breaks(&["files.query.unknown-param"]),
        replace_in("repeated query param without its count", "default", "files/read/query-repeated", "/api/v0/read-file", "provided more than once, found 2 times.", "provided more than once.")
            .breaks(&["files.query.repeated"]),
        answer("query integer with a plus sign refused", "files/read/query-decoding", (READ, "offset=%2B2"), StatusCode::BAD_REQUEST, "{\"message\":\"Query parameters have invalid values.\",\"validations\":[{\"field\":\"offset\",\"detail\":\"Query param \\\"offset\\\" must be a valid 64-bit positive integer: strconv.ParseInt: parsing \\\"+2\\\": invalid syntax\"}]}\n")
            .breaks(&["files.query.int-plus-sign"]),
    ]
}

fn lines() -> Vec<Spec> {
    vec![
        replace_in_prefix("read-file-lines one-based offset off by one", "default", "files/read-lines", LINES, "2\\tline2", "2\\tline3")
            .breaks(&["files.lines.offset"]),
        replace_in_prefix("read-file-lines truncation marker spelled differently", "default", "files/read-lines", LINES, "... [truncated]", "...[truncated]")
            .breaks(&["files.lines.truncation"]),
        when("read-file-lines accepts the offset just past the end", "files/read-lines", (LINES, "offset=4"), |r| r.set_text("{\"success\":true,\"file_size\":17,\"total_lines\":3}\n"))
            .breaks(&["files.lines.offset-beyond"]),
        when("read-file-lines byte cap off by one", "files/read-lines/limits", (LINES, "max_response_bytes=8"), |r| r.set_text("{\"success\":false,\"error\":\"output would exceed 8 bytes. Read less at a time using offset and limit parameters.\"}\n"))
            .breaks(&["files.lines.max-response-bytes"]),
        replace_in_prefix("read-file-lines empty file reports its size", "default", "files/read-lines/limits", LINES, "{\"success\":true}", "{\"success\":true,\"file_size\":0}")
            .breaks(&["files.lines.empty-file"]),
    ]
}

fn writes_and_paths() -> Vec<Spec> {
    vec![
        replace_in_prefix(
            "write-file message unquoted",
            "default",
            "files/write-read-round-trip",
            WRITE,
            "Successfully wrote to \\\"",
            "Successfully wrote to \\\"./",
        )
        .breaks(&["files.write.message"]),
        replace_in_prefix(
            "write-file message names the cleaned path",
            "default",
            "files/write/paths",
            WRITE,
            "//a/./b/c/\\\"",
            "/a/b/c\\\"",
        )
        .breaks(&["files.write.message"]),
        restatus(
            "write-file below a file is 400",
            "files/write/errors",
            WRITE,
            StatusCode::INTERNAL_SERVER_ERROR,
            StatusCode::BAD_REQUEST,
        )
        .breaks(&["files.write.below-file-500"]),
        replace_in_prefix(
            "resolve-path not cleaned",
            "default",
            "files/resolve-path-cleans",
            RESOLVE,
            "/a/b\"",
            "//a/./b/\"",
        )
        .breaks(&["files.path.clean-first"]),
        answer(
            "resolve-path missing file is 404",
            "files/resolve-path-cleans",
            (RESOLVE, "missing/x"),
            StatusCode::NOT_FOUND,
            "{\"message\":\"lstat /missing/x: no such file or directory\"}\n",
        )
        .breaks(&["files.resolve.missing-ok"]),
        replace_in_prefix(
            "resolve-path does not follow links",
            "default",
            "files/seeded/symlinks-resolve",
            RESOLVE,
            "/real-plans/PLAN.md",
            "/link-plans/PLAN.md",
        )
        .breaks(&["files.path.symlink-replaced"]),
        replace_in_prefix(
            "symlink loop with the errno text",
            "default",
            "files/seeded/symlinks-resolve",
            RESOLVE,
            "too many levels of symlinks",
            "too many levels of symbolic links",
        )
        .breaks(&["files.path.loop"]),
        replace_in_prefix(
            "not-absolute path with a raw tab",
            "default",
            "files/path/relative-everywhere",
            READ,
            "\\\\tc",
            "\\tc",
        )
        .breaks(&["files.path.quoted"]),
        answer(
            "tilde expanded to the home",
            "files/path/relative-everywhere",
            (READ, "path=~/x"),
            StatusCode::NOT_FOUND,
            "{\"message\":\"open /home/coder/x: no such file or directory\"}\n",
        )
        .breaks(&["files.path.no-tilde"]),
        replace_in(
            "truncated body reported as EOF",
            "default",
            "files/body/errors",
            EDIT,
            "unexpected EOF",
            "EOF",
        )
        .breaks(&["files.body.truncated"]),
    ]
}

/// Rebuilds each list-directory entry with `key` moved first.
fn entries_with_first(r: &mut MResp, key: &str) {
    let Ok(mut v) = serde_json::from_slice::<serde_json::Value>(&r.body) else {
        return;
    };
    if let Some(a) = v["contents"].as_array_mut() {
        for e in a.iter_mut() {
            let mut m = serde_json::Map::new();
            m.insert(key.to_string(), e[key].clone());
            for (k, x) in e.as_object().into_iter().flatten() {
                m.entry(k.clone()).or_insert_with(|| x.clone());
            }
            *e = serde_json::Value::Object(m);
        }
    }
    r.body = agent_sim::gojson::to_vec(&v);
}

/// Re-sorts list-directory entries by `key`.
fn sort_entries<K: Ord>(r: &mut MResp, key: impl Fn(&serde_json::Value) -> K) {
    let Ok(mut v) = serde_json::from_slice::<serde_json::Value>(&r.body) else {
        return;
    };
    if let Some(a) = v["contents"].as_array_mut() {
        a.sort_by_key(|e| key(e));
    }
    r.body = agent_sim::gojson::to_vec(&v);
}

fn lists() -> Vec<Spec> {
    vec![
        when(
            "list-directory files before directories",
            "files/list-directory",
            (LIST, ""),
            |r| sort_entries(r, |e| e["is_dir"].as_bool()),
        )
        .breaks(&["files.list.dirs-first"]),
        when(
            "list-directory names sorted case-insensitively",
            "files/list-directory",
            (LIST, ""),
            |r| {
                sort_entries(r, |e| {
                    (
                        e["is_dir"] != true,
                        e["name"].as_str().unwrap_or("").to_lowercase(),
                    )
                })
            },
        )
        .breaks(&["files.list.byte-order"]),
        when(
            "list-directory entry fields in another order",
            "files/list-directory",
            (LIST, ""),
            |r| entries_with_first(r, "absolute_path_string"),
        )
        .breaks(&["files.list.shape"]),
        replace_in_prefix(
            "list-directory message without quotes",
            "default",
            "files/list-directory",
            LIST,
            "failed to open directory \\\"",
            "failed to open directory ",
        )
        .breaks(&["files.list.not-found-404"]),
        replace_in_prefix(
            "list-directory query path cleaned",
            "default",
            "files/list/paths",
            LIST,
            "//sub/\"",
            "/sub\"",
        )
        .breaks(&["files.list.query-path-verbatim"]),
        replace_in_prefix(
            "list-directory root path null",
            "default",
            "files/seeded/home-and-root",
            LIST,
            "\"absolute_path\":[]",
            "\"absolute_path\":null",
        )
        .breaks(&["files.list.absolute-path-parts"]),
        replace_in_prefix(
            "list-directory empty contents null",
            "default",
            "files/seeded/home-and-root",
            LIST,
            "\"contents\":[]",
            "\"contents\":null",
        )
        .breaks(&["files.list.empty-contents"]),
        replace_in_prefix(
            "list-directory stats through links",
            "default",
            "files/seeded/symlinks-routes",
            LIST,
            "link-plans\",\"is_dir\":false",
            "link-plans\",\"is_dir\":true",
        )
        .breaks(&["files.list.lstat-is-dir"]),
    ]
}

fn edits() -> Vec<Spec> {
    vec![
        when(
            "edit success lists files without include_diff",
            "property/file-round-trip",
            (EDIT, ""),
            |r| {
                if r.status == StatusCode::OK && r.body == b"{}\n" {
                    r.set_text("{\"files\":[]}\n");
                }
            },
        )
        .breaks(&["files.edit.success-empty"]),
        restatus(
            "edit-files several failures answer the first status",
            "files/edit/multi-error",
            EDIT,
            StatusCode::NOT_FOUND,
            StatusCode::BAD_REQUEST,
        )
        .breaks(&["files.edit.highest-status"]),
        edit_text(
            "edit-files failures joined by a semicolon",
            "files/edit/multi-error",
            "\\nopen ",
            "; open",
        )
        .breaks(&["files.edit.messages-joined"]),
        read_back(
            "edit-files writes the entries that succeeded",
            "files/edit/multi-error",
            "/b",
            "bravo\n",
            "q\n",
        )
        .breaks(&["files.edit.all-or-nothing"]),
        when(
            "edit-files duplicate paths rejected",
            "files/edit/merge-and-order",
            (EDIT, ""),
            |r| {
                if r.text().contains("+four") {
                    r.answer_json(
                        StatusCode::BAD_REQUEST,
                        "{\"message\":\"duplicate file path in request\"}\n",
                    );
                }
            },
        )
        .breaks(&["files.edit.merge-duplicates"]),
        edit_text(
            "edit-files no-op diff omitted",
            "files/edit/merge-and-order",
            ",\"diff\":\"\"}",
            "}",
        )
        .breaks(&["files.edit.diff.no-op-empty"]),
        when(
            "edit-files symlink alias accepted",
            "files/seeded/symlinks-edit",
            (EDIT, ""),
            |r| {
                if r.text().contains("aliases") {
                    r.answer_json(StatusCode::OK, "{}\n");
                }
            },
        )
        .breaks(&["files.edit.alias-rejected"]),
    ]
}

fn diffs() -> Vec<Spec> {
    vec![
        edit_text("edit diff header without path", "files/edit-with-diff", "\"diff\":\"--- /tmp", "\"diff\":\"--- a/tmp")
            .breaks(&["files.edit.diff.headers"]),
        edit_text("diff hunk header new-side count off by one", "files/edit/diff/far-hunks", "@@ -14,7 +14,7 @@", "@@ -14,7 +14,6 @@")
            .breaks(&["files.edit.diff.hunk-header"]),
        edit_text("diff hunks 6 lines apart not merged", "files/edit/diff/merged-hunk", "@@ -1,13 +1,13 @@\\n alpha\\n bravo\\n-charlie\\n+CHARLIE\\n delta\\n echo\\n foxtrot\\n", "@@ -1,6 +1,6 @@\\n alpha\\n bravo\\n-charlie\\n+CHARLIE\\n delta\\n echo\\n foxtrot\\n@@ -7,7 +7,7 @@\\n")
            .breaks(&["files.edit.diff.hunk-merge"]),
        when("diff hunks 7 lines apart merged", "files/edit/diff/split-hunks", (EDIT, ""), |r| {
            let t = r.text().replace("@@ -1,6 +1,6 @@", "@@ -1,14 +1,14 @@").replace("foxtrot\\n@@ -8,7 +8,7 @@\\n", "foxtrot\\n golf\\n");
            r.set_text(&t);
        })
        .breaks(&["files.edit.diff.hunk-split"]),
        edit_text("diff counts joined lines towards the next hunk", "files/edit/diff/after-merged-hunk", "@@ -22,7 +16,7 @@", "@@ -22,7 +22,7 @@")
            .breaks(&["files.edit.diff.joined-lines-uncounted"]),
        edit_text("diff context of 2 lines before a change", "files/edit/diff/context-at-edges", "@@ -6,5 +6,5 @@\\n foxtrot\\n", "@@ -7,4 +7,4 @@\\n")
            .breaks(&["files.edit.diff.context"]),
        edit_text("diff without the no-newline marker", "files/edit/diff/no-newline", "\\\\ No newline at end of file\\n", "")
            .breaks(&["files.edit.diff.no-newline"]),
        edit_text("diff empty side printed -1,0", "files/edit/diff/empty-sides", "@@ -0,0 +1 @@", "@@ -1,0 +1 @@")
            .breaks(&["files.edit.diff.empty-side"]),
        edit_text("diff lines lose their carriage return", "files/edit/diff/crlf", "\\r", "")
            .breaks(&["files.edit.diff.crlf"]),
    ]
}

fn matcher() -> Vec<Spec> {
    vec![
        read_back(
            "fuzzy match drops the file's trailing whitespace",
            "files/match/passes",
            "/pass-2",
            "replaced   ",
            "replaced",
        )
        .breaks(&["files.match.trim-right"]),
        read_back(
            "CRLF file gets an LF line from a multi-line replace",
            "files/match/passes",
            "/pass-7",
            "INSERTED\r\n",
            "INSERTED\n",
        )
        .breaks(&["files.match.forced-ending"]),
        read_back(
            "replace at EOF adds a final newline",
            "files/match/passes",
            "/pass-10",
            "foo\nbaz\nqux",
            "foo\nbaz\nqux\n",
        )
        .breaks(&["files.match.eof-no-newline"]),
        edit_text(
            "ambiguous match counts one occurrence less",
            "files/match/errors",
            "matches 3 occurrences",
            "matches 2 occurrences",
        )
        .breaks(&["files.match.ambiguous"]),
        edit_text(
            "line-ending intent error without endings",
            "files/match/errors",
            ", indentation, and line endings",
            " and indentation",
        )
        .breaks(&["files.match.intent-not-found"]),
        edit_text(
            "miscount hint code point not padded",
            "files/match/hints",
            "(U+003D)",
            "(U+3D)",
        )
        .breaks(&["files.match.hint-miscount"]),
        edit_text(
            "inversion hint lists every line",
            "files/match/hints",
            "1, 2, 3, 4, 5 and 2 more",
            "1, 2, 3, 4, 5, 6, 7",
        )
        .breaks(&["files.match.hint-inversion-limits"]),
    ]
}
