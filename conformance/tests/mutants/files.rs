//! Mutants of the files API (files.md).

use crate::spec::*;

pub(crate) fn specs() -> Vec<Spec> {
    vec![
        on(
            "file read past the limit",
            "default",
            "files/read/offset-limit",
            |_, p, r| {
                // Ignores `limit`: serves from offset to EOF.
                if p.starts_with("/api/v0/read-file?") && p.contains("limit=3") {
                    let t = r.text() + "56789";
                    r.set_text(&t);
                }
            },
        ),
        on(
            "read-file type from content",
            "default",
            "files/write-read-round-trip",
            |_, p, r| {
                if p.starts_with("/api/v0/read-file?") && r.status == StatusCode::OK {
                    r.set_header("content-type", "text/plain; charset=utf-8");
                }
            },
        ),
        on(
            "list-directory files before directories",
            "default",
            "files/list-directory",
            |_, p, r| {
                if p.starts_with("/api/v0/list-directory") && r.status == StatusCode::OK {
                    let mut v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
                    if let Some(a) = v["contents"].as_array_mut() {
                        a.sort_by_key(|e| e["is_dir"].as_bool());
                    }
                    r.body = agent_sim::gojson::to_vec(&v);
                }
            },
        ),
        replace_in_prefix(
            "read-file-lines one-based offset off by one",
            "default",
            "files/read-lines",
            "/api/v0/read-file-lines",
            "2\\tline2",
            "2\\tline3",
        ),
        replace_in_prefix(
            "resolve-path not cleaned",
            "default",
            "files/resolve-path-cleans",
            "/api/v0/resolve-path",
            "/a/b\"",
            "//a/./b/\"",
        ),
        replace_in_prefix(
            "write-file message unquoted",
            "default",
            "files/write-read-round-trip",
            "/api/v0/write-file",
            "Successfully wrote to \\\"",
            "Successfully wrote to \\\"./",
        ),
        replace_in_prefix(
            "edit diff header without path",
            "default",
            "files/edit-with-diff",
            "/api/v0/edit-files",
            "\"diff\":\"--- /tmp",
            "\"diff\":\"--- a/tmp",
        ),
        on(
            "edit success lists files without include_diff",
            "default",
            "property/file-round-trip",
            |_, p, r| {
                if p == "/api/v0/edit-files" && r.status == StatusCode::OK && r.body == b"{}\n" {
                    r.set_text("{\"files\":[]}\n");
                }
            },
        ),
        replace_in(
            "query validations missing",
            "default",
            "files/read/query-errors",
            "/api/v0/read-file",
            ",{\"field\":\"foo\",\"detail\":\"\\\"foo\\\" is not a valid query param\"}",
            "",
        ),
    ]
}
