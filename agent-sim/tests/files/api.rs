//! The spec's acceptance cases (§4, §6) through the real router, byte for byte, on both the
//! memory and the dir backend (permission cases on memory, and on dir when not root).

use crate::support::{perms_enforced, Backend, Env, BOTH, E};
use serde_json::json;

fn read_setup() -> Vec<(&'static str, E)> {
    vec![
        ("/tmp/a-directory", E::Dir),
        ("/tmp/file", E::File("content")),
        ("/tmp/file.png", E::File("not really an image")),
        ("/tmp/no-perms", E::Mode("secret", 0o000)),
    ]
}

fn perm_cases(b: Backend) -> bool {
    b == Backend::Memory || perms_enforced()
}

#[tokio::test]
async fn read_file_table() {
    for b in BOTH {
        let env = Env::new(b, &read_setup());
        let r = env.get("/api/v0/read-file?path=&offset=0&limit=0").await;
        r.is(400, "{\"message\":\"Query parameters have invalid values.\",\"validations\":[{\"field\":\"path\",\"detail\":\"Query param \\\"path\\\" is required and cannot be empty\"}]}\n");
        env.get("/api/v0/read-file?path=./relative&offset=0&limit=0")
            .await
            .msg(400, "file path must be absolute: \"./relative\"");
        env.get("/api/v0/read-file?path=also-relative")
            .await
            .msg(400, "file path must be absolute: \"also-relative\"");
        // The query value's bytes as Go holds them: %q shows \xNN for what is not UTF-8.
        env.get("/api/v0/read-file?path=%FF%E2%82")
            .await
            .msg(400, "file path must be absolute: \"\\xff\\xe2\\x82\"");
        env.get("/api/v0/read-file?path=/tmp/file&offset=0&limit=-10").await.is(400, "{\"message\":\"Query parameters have invalid values.\",\"validations\":[{\"field\":\"limit\",\"detail\":\"Query param \\\"limit\\\" must be a valid 64-bit positive integer: value is negative\"}]}\n");
        env.get("/api/v0/read-file?path=/tmp/file&offset=-10&limit=0").await.is(400, "{\"message\":\"Query parameters have invalid values.\",\"validations\":[{\"field\":\"offset\",\"detail\":\"Query param \\\"offset\\\" must be a valid 64-bit positive integer: value is negative\"}]}\n");
        // Go keeps the query's bytes: %q shows the ones that are not UTF-8 as \xNN.
        env.get("/api/v0/read-file?path=/tmp/file&offset=%FF%E2%82").await.is(400, "{\"message\":\"Query parameters have invalid values.\",\"validations\":[{\"field\":\"offset\",\"detail\":\"Query param \\\"offset\\\" must be a valid 64-bit positive integer: strconv.ParseInt: parsing \\\"\\\\xff\\\\xe2\\\\x82\\\": invalid syntax\"}]}\n");
        // An undeclared key's invalid bytes: `\ufffd` escapes in the JSON field, `\xNN` in %q.
        env.get("/api/v0/read-file?path=/tmp/file&%FF%E2=1").await.is(400, "{\"message\":\"Query parameters have invalid values.\",\"validations\":[{\"field\":\"\\ufffd\\ufffd\",\"detail\":\"\\\"\\\\xff\\\\xe2\\\" is not a valid query param\"}]}\n");
        env.get("/api/v0/read-file?path=/tmp/does-not-exist&offset=0&limit=0")
            .await
            .msg(404, "open /tmp/does-not-exist: no such file or directory");
        env.get("/api/v0/read-file?path=/tmp/a-directory&offset=0&limit=0")
            .await
            .msg(400, "open /tmp/a-directory: not a file");
        if perm_cases(b) {
            env.get("/api/v0/read-file?path=/tmp/no-perms&offset=0&limit=0")
                .await
                .msg(403, "open /tmp/no-perms: permission denied");
        }
        let r = env
            .get("/api/v0/read-file?path=/tmp/file&offset=0&limit=0")
            .await;
        r.is(200, "content");
        assert_eq!(r.headers["content-type"], "application/octet-stream");
        assert_eq!(r.headers["content-length"], "7");
        for (q, want) in [
            ("offset=0&limit=1", "c"),
            ("offset=1&limit=0", "ontent"),
            ("offset=2&limit=1", "n"),
            ("offset=0&limit=7", "content"),
            ("offset=0&limit=100", "content"),
            ("offset=7&limit=0", ""),
            ("offset=100&limit=0", ""),
        ] {
            let r = env
                .get(&format!("/api/v0/read-file?path=/tmp/file&{q}"))
                .await;
            r.is(200, want);
            assert_eq!(r.headers["content-length"], want.len().to_string().as_str());
        }
        let r = env
            .get("/api/v0/read-file?path=/tmp/file.png&offset=0&limit=0")
            .await;
        r.is(200, "not really an image");
        assert_eq!(r.headers["content-type"], "image/png");
        let r = env.get("/api/v0/read-file?offset=-1&foo=1").await;
        r.is(400, "{\"message\":\"Query parameters have invalid values.\",\"validations\":[{\"field\":\"path\",\"detail\":\"Query param \\\"path\\\" is required and cannot be empty\"},{\"field\":\"offset\",\"detail\":\"Query param \\\"offset\\\" must be a valid 64-bit positive integer: value is negative\"},{\"field\":\"foo\",\"detail\":\"\\\"foo\\\" is not a valid query param\"}]}\n");
    }
}

#[tokio::test]
async fn read_file_large_keeps_content_length_and_follows_links() {
    let big = "x".repeat(5000);
    let big: &'static str = Box::leak(big.into_boxed_str());
    for b in BOTH {
        let env = Env::new(
            b,
            &[
                ("/tmp/big.txt", E::File(big)),
                ("/tmp/ln", E::Link("big.txt")),
            ],
        );
        let r = env.get("/api/v0/read-file?path=/tmp/big.txt").await;
        assert_eq!(r.status, 200);
        assert_eq!(r.headers["content-length"], "5000");
        assert_eq!(r.headers["content-type"], "text/plain; charset=utf-8");
        assert_eq!(r.body.len(), 5000);
        // The type comes from the requested name, not the link target.
        let r = env.get("/api/v0/read-file?path=/tmp/ln&offset=4990").await;
        r.is(200, "xxxxxxxxxx");
        assert_eq!(r.headers["content-type"], "application/octet-stream");
        let r = env.get("/api/v0/read-file?path=/tmp/file/x").await;
        r.msg(404, "open /tmp/file/x: no such file or directory");
        let r = env.get("/api/v0/read-file?path=/tmp/big.txt/x").await;
        r.msg(500, "open /tmp/big.txt/x: not a directory");
        let r = env.get("/api/v0/read-file?path=/tmp/big.txt/").await;
        r.msg(500, "open /tmp/big.txt/: not a directory");
        let r = env.get("/api/v0/read-file?path=/tmp/ln/").await;
        r.msg(500, "open /tmp/ln/: not a directory");
        env.get("/api/v0/read-file?path=/")
            .await
            .msg(400, "open /: not a file");
        env.post("/api/v0/write-file?path=/", "x")
            .await
            .msg(400, "open /: is a directory");
        env.get("/api/v0/read-file?path=/tmp/./big.txt&offset=4999")
            .await
            .is(200, "x");
        let r = env.get("/api/v0/read-file?path=/tmp/a%00b").await;
        r.msg(500, "open /tmp/a\u{0}b: invalid argument");
    }
}

#[tokio::test]
async fn read_file_lines_table() {
    let large = "x".repeat(1048577);
    let large: &'static str = Box::leak(large.into_boxed_str());
    let long = "x".repeat(1025);
    let long: &'static str = Box::leak(long.into_boxed_str());
    for b in BOTH {
        let env = Env::new(
            b,
            &[
                ("/tmp/a-directory-lines", E::Dir),
                ("/tmp/empty-file", E::File("")),
                ("/tmp/basic-file", E::File("line1\nline2\nline3")),
                ("/tmp/long-line-file", E::File(long)),
                ("/tmp/large-file", E::File(large)),
                ("/tmp/no-perms-lines", E::Mode("x", 0o000)),
            ],
        );
        let q = |p: &str, o: i64, l: i64| {
            format!("/api/v0/read-file-lines?path={p}&offset={o}&limit={l}")
        };
        env.get(&q("", 0, 0)).await.is(400, "{\"message\":\"Query parameters have invalid values.\",\"validations\":[{\"field\":\"path\",\"detail\":\"Query param \\\"path\\\" is required and cannot be empty\"}]}\n");
        env.get(&q("relative/path", 0, 0)).await.is(
            200,
            "{\"success\":false,\"error\":\"file path must be absolute: \\\"relative/path\\\"\"}\n",
        );
        env.get(&q("rel%FF", 0, 0)).await.is(
            200,
            "{\"success\":false,\"error\":\"file path must be absolute: \\\"rel\\\\xff\\\"\"}\n",
        );
        env.get(&q("/tmp/does-not-exist", 0, 0)).await.is(
            200,
            "{\"success\":false,\"error\":\"file does not exist: /tmp/does-not-exist\"}\n",
        );
        env.get(&q("/tmp/a-directory-lines", 0, 0)).await.is(
            200,
            "{\"success\":false,\"error\":\"not a file: /tmp/a-directory-lines\"}\n",
        );
        if perm_cases(b) {
            env.get(&q("/tmp/no-perms-lines", 0, 0)).await.is(
                200,
                "{\"success\":false,\"error\":\"permission denied: /tmp/no-perms-lines\"}\n",
            );
        }
        env.get(&q("/tmp/empty-file", 0, 0))
            .await
            .is(200, "{\"success\":true}\n");
        env.get(&q("/tmp/empty-file", 7, 0))
            .await
            .is(200, "{\"success\":true}\n");
        env.get(&q("/tmp/basic-file", 0, 0)).await.is(200, "{\"success\":true,\"file_size\":17,\"total_lines\":3,\"lines_read\":3,\"content\":\"1\\tline1\\n2\\tline2\\n3\\tline3\"}\n");
        env.get(&q("/tmp/basic-file", 2, 0)).await.is(200, "{\"success\":true,\"file_size\":17,\"total_lines\":3,\"lines_read\":2,\"content\":\"2\\tline2\\n3\\tline3\"}\n");
        env.get(&q("/tmp/basic-file", 0, 1)).await.is(200, "{\"success\":true,\"file_size\":17,\"total_lines\":3,\"lines_read\":1,\"content\":\"1\\tline1\"}\n");
        env.get(&q("/tmp/basic-file", 2, 1)).await.is(200, "{\"success\":true,\"file_size\":17,\"total_lines\":3,\"lines_read\":1,\"content\":\"2\\tline2\"}\n");
        env.get(&q("/tmp/basic-file", 100, 0)).await.is(
            200,
            "{\"success\":false,\"error\":\"offset 100 is beyond the file length of 3 lines\"}\n",
        );
        env.get(&q("/tmp/long-line-file", 0, 0)).await.is(200, &format!("{{\"success\":true,\"file_size\":1025,\"total_lines\":1,\"lines_read\":1,\"content\":\"1\\t{}... [truncated]\"}}\n", "x".repeat(1024)));
        env.get(&q("/tmp/large-file", 0, 0)).await.is(200, "{\"success\":false,\"error\":\"file is 1048577 bytes which exceeds the maximum of 1048576 bytes. Use grep, sed, or awk to extract the content you need, or use offset and limit to read a portion.\"}\n");
        env.get("/api/v0/read-file-lines?path=/tmp/basic-file&max_response_bytes=10").await.is(200, "{\"success\":false,\"error\":\"output would exceed 10 bytes. Read less at a time using offset and limit parameters.\"}\n");
        env.get("/api/v0/read-file-lines?path=/tmp/basic-file&limit=3&max_response_lines=2").await.is(200, "{\"success\":false,\"error\":\"output would exceed 2 lines. Read less at a time using offset and limit parameters.\"}\n");
        env.get("/api/v0/read-file-lines?path=/tmp/basic-file&max_response_lines=0")
            .await
            .is(
                200,
                "{\"success\":true,\"file_size\":17,\"total_lines\":3}\n",
            );
        env.get("/api/v0/read-file-lines?path=/tmp/basic-file/x").await.is(200, "{\"success\":false,\"error\":\"open file: open /tmp/basic-file/x: not a directory\"}\n");
    }
}

#[tokio::test]
async fn resolve_path_cases() {
    for b in BOTH {
        let env = Env::new(
            b,
            &[
                ("/home/coder/real-plans", E::Dir),
                ("/home/coder/link-plans", E::Link("/home/coder/real-plans")),
                ("/d/real.txt", E::File("hello")),
                ("/d/link.txt", E::Link("real.txt")),
                ("/d/rel", E::Link("../home/coder/link-plans")),
                ("/tmp/l", E::Link("/tmp/l")),
                ("/tmp/a", E::Link("b")),
                ("/tmp/b", E::Link("a")),
                ("/tmp/file", E::File("x")),
            ],
        );
        let rp = |p: &str| format!("/api/v0/resolve-path?path={p}");
        env.get(&rp("/home/coder/link-plans/PLAN.md")).await.is(
            200,
            "{\"resolved_path\":\"/home/coder/real-plans/PLAN.md\"}\n",
        );
        env.get(&rp("/"))
            .await
            .is(200, "{\"resolved_path\":\"/\"}\n");
        // An intermediate loop fails the lstat, as the kernel's does.
        env.get(&rp("/tmp/a/b"))
            .await
            .msg(500, "lstat /tmp/a/b: too many levels of symbolic links");
        env.get(&rp("/tmp//x/./y/"))
            .await
            .is(200, "{\"resolved_path\":\"/tmp/x/y\"}\n");
        env.get(&rp("rel"))
            .await
            .msg(400, "file path must be absolute: \"rel\"");
        env.get(&rp("~/x"))
            .await
            .msg(400, "file path must be absolute: \"~/x\"");
        env.get(&rp("%FF"))
            .await
            .msg(400, "file path must be absolute: \"\\xff\"");
        env.get(&rp("/d/link.txt"))
            .await
            .is(200, "{\"resolved_path\":\"/d/real.txt\"}\n");
        env.get(&rp("/d/rel/deep/er")).await.is(
            200,
            "{\"resolved_path\":\"/home/coder/real-plans/deep/er\"}\n",
        );
        env.get(&rp("/tmp/l"))
            .await
            .msg(500, "too many levels of symlinks resolving \"/tmp/l\"");
        env.get(&rp("/tmp/a"))
            .await
            .msg(500, "too many levels of symlinks resolving \"/tmp/b\"");
        env.get(&rp("/tmp/file/x"))
            .await
            .msg(500, "lstat /tmp/file/x: not a directory");
        env.get(&rp("/tmp/x&path=/y")).await.is(400, "{\"message\":\"Query parameters have invalid values.\",\"validations\":[{\"field\":\"path\",\"detail\":\"Query param \\\"path\\\" provided more than once, found 2 times. Only provide 1 instance of this query param.\"}]}\n");
    }
}

#[tokio::test]
async fn list_directory_cases() {
    for b in BOTH {
        let env = Env::new(
            b,
            &[
                ("/tmp/x/repos", E::Dir),
                ("/tmp/x/Downloads", E::Dir),
                ("/tmp/x/file.txt", E::File("f")),
                ("/tmp/x/.hidden", E::File("h")),
                ("/tmp/x/dirlink", E::Link("repos")),
                ("/home/coder/repos/coder", E::Dir),
                ("/tmp/empty", E::Dir),
            ],
        );
        let ls = "/api/v0/list-directory";
        env.post(&format!("{ls}?path="), r#"{"path":["tmp","x"],"relativity":"root"}"#).await
            .is(200, "{\"absolute_path\":[\"tmp\",\"x\"],\"absolute_path_string\":\"/tmp/x\",\"contents\":[{\"name\":\"Downloads\",\"absolute_path_string\":\"/tmp/x/Downloads\",\"is_dir\":true},{\"name\":\"repos\",\"absolute_path_string\":\"/tmp/x/repos\",\"is_dir\":true},{\"name\":\".hidden\",\"absolute_path_string\":\"/tmp/x/.hidden\",\"is_dir\":false},{\"name\":\"dirlink\",\"absolute_path_string\":\"/tmp/x/dirlink\",\"is_dir\":false},{\"name\":\"file.txt\",\"absolute_path_string\":\"/tmp/x/file.txt\",\"is_dir\":false}]}\n");
        env.post(ls, r#"{"path":["nope"],"relativity":"home"}"#).await
            .msg(404, "failed to open directory \"/home/coder/nope\": open /home/coder/nope: no such file or directory");
        env.post(ls, "{}")
            .await
            .msg(500, "unsupported relativity type \"\"");
        env.post(&format!("{ls}?path=rel"), "{}")
            .await
            .msg(500, "path must be absolute: \"rel\"");
        env.post(&format!("{ls}?path=rel%FF"), "{}")
            .await
            .msg(500, "path must be absolute: \"rel\\xff\"");
        env.post(&format!("{ls}?path=/tmp/empty"), "{}").await
            .is(200, "{\"absolute_path\":[\"tmp\",\"empty\"],\"absolute_path_string\":\"/tmp/empty\",\"contents\":[]}\n");
        env.post(&format!("{ls}?path=/tmp/x/file.txt"), "{}")
            .await
            .msg(500, "path \"/tmp/x/file.txt\" is not a directory");
        env.post(ls, r#"{"path":["repos"],"relativity":"home"}"#).await
            .is(200, "{\"absolute_path\":[\"home\",\"coder\",\"repos\"],\"absolute_path_string\":\"/home/coder/repos\",\"contents\":[{\"name\":\"coder\",\"absolute_path_string\":\"/home/coder/repos/coder\",\"is_dir\":true}]}\n");
        env.post(ls, r#"{"path":["/tmp","a/b","../x"],"relativity":"home"}"#).await
            .msg(404, "failed to open directory \"/home/coder/tmp/a/x\": open /home/coder/tmp/a/x: no such file or directory");
        // Following a link to a directory; `..` inside components is lexical.
        let r = env
            .post(ls, r#"{"path":["tmp","x","dirlink"],"relativity":"root"}"#)
            .await;
        assert_eq!(r.status, 200);
        assert_eq!(r.json()["absolute_path_string"], "/tmp/x/dirlink");
        env.post(ls, r#"{"path":null,"relativity":"root"}"#)
            .await
            .json();
        env.post(ls, "").await.is(
            400,
            "{\"message\":\"Request body must be valid JSON.\",\"detail\":\"EOF\"}\n",
        );
        env.post(&format!("{ls}?path=/tmp"), "").await.is(
            400,
            "{\"message\":\"Request body must be valid JSON.\",\"detail\":\"EOF\"}\n",
        );
        env.post(ls, "{\"path\":").await.is(
            400,
            "{\"message\":\"Request body must be valid JSON.\",\"detail\":\"unexpected EOF\"}\n",
        );
        env.post(ls, "nope").await.is(400, "{\"message\":\"Request body must be valid JSON.\",\"detail\":\"invalid character 'o' in literal null (expecting 'u')\"}\n");
        env.post(ls, r#"{"path":"tmp"}"#).await.is(400, "{\"message\":\"Request body must be valid JSON.\",\"detail\":\"json: cannot unmarshal string into Go struct field LSRequest.path of type []string\"}\n");
        env.post(&format!("{ls}?bogus=1"), "{}").await.is(400, "{\"message\":\"Query parameters have invalid values.\",\"validations\":[{\"field\":\"bogus\",\"detail\":\"\\\"bogus\\\" is not a valid query param\"}]}\n");
        // Keys match case-insensitively; unknown keys are ignored.
        let r = env
            .post(ls, r#"{"PATH":["tmp"],"Relativity":"root","x":1}"#)
            .await;
        assert_eq!(r.json()["absolute_path_string"], "/tmp");
        let r = env.post(ls, r#"{"relativity":"root"}"#).await;
        assert_eq!(r.json()["absolute_path"], json!([]));
    }
    let env = Env::with_home(Backend::Memory, &[], None);
    env.post("/api/v0/list-directory", r#"{"relativity":"home"}"#)
        .await
        .msg(
            500,
            "failed to get user home directory: $HOME is not defined",
        );
}

#[tokio::test]
async fn list_directory_permission_denied() {
    for b in BOTH {
        if !perm_cases(b) {
            continue;
        }
        let env = Env::new(b, &[("/home/coder/repos", E::DirMode(0o000))]);
        env.post("/api/v0/list-directory", r#"{"path":["repos"],"relativity":"home"}"#).await
            .msg(403, "failed to open directory \"/home/coder/repos\": open /home/coder/repos: permission denied");
    }
}

#[tokio::test]
async fn write_file_table() {
    for b in BOTH {
        let env = Env::new(
            b,
            &[
                ("/tmp/directory", E::Dir),
                ("/tmp/file", E::File("content")),
                ("/tmp/script.sh", E::Mode("#!/bin/sh\necho hello\n", 0o755)),
                ("/tmp/real.txt", E::File("original")),
                ("/tmp/link.txt", E::Link("real.txt")),
            ],
        );
        let w = |p: &str| format!("/api/v0/write-file?path={p}");
        env.post(&w(""), "").await.is(400, "{\"message\":\"Query parameters have invalid values.\",\"validations\":[{\"field\":\"path\",\"detail\":\"Query param \\\"path\\\" is required and cannot be empty\"}]}\n");
        env.post(&w("./relative"), "")
            .await
            .msg(400, "file path must be absolute: \"./relative\"");
        env.post(&w("also-relative"), "")
            .await
            .msg(400, "file path must be absolute: \"also-relative\"");
        env.post(&w("%E2%82"), "")
            .await
            .msg(400, "file path must be absolute: \"\\xe2\\x82\"");
        env.post(&w("/tmp/nested/does-not-exist"), "now it does exist")
            .await
            .msg(200, "Successfully wrote to \"/tmp/nested/does-not-exist\"");
        env.assert_content("/tmp/nested/does-not-exist", "now it does exist");
        assert_eq!(env.mode("/tmp/nested"), Some(0o755));
        env.post(&w("/tmp/directory"), "")
            .await
            .msg(400, "open /tmp/directory: is a directory");
        env.post(&w("/tmp/file/file2"), "").await.msg(
            500,
            "resolve symlink \"/tmp/file/file2\": lstat /tmp/file/file2: not a directory",
        );
        env.assert_content("/tmp/file", "content");
        env.post(&w("/tmp/script.sh"), "#!/bin/sh\necho world\n")
            .await
            .msg(200, "Successfully wrote to \"/tmp/script.sh\"");
        env.assert_content("/tmp/script.sh", "#!/bin/sh\necho world\n");
        assert_eq!(env.mode("/tmp/script.sh"), Some(0o755));
        env.post(&w("/tmp/link.txt"), "updated")
            .await
            .msg(200, "Successfully wrote to \"/tmp/link.txt\"");
        assert!(env.is_symlink("/tmp/link.txt"));
        env.assert_content("/tmp/real.txt", "updated");
        env.post(&w("/tmp/x/"), "trail")
            .await
            .msg(200, "Successfully wrote to \"/tmp/x/\"");
        env.assert_content("/tmp/x", "trail");
        env.post(&w("/tmp/empty"), "")
            .await
            .msg(200, "Successfully wrote to \"/tmp/empty\"");
        env.assert_content("/tmp/empty", "");
        // No temp files left behind.
        assert!(
            env.names("/tmp").iter().all(|n| !n.contains(".tmp.")),
            "{:?}",
            env.names("/tmp")
        );
    }
}

#[tokio::test]
async fn write_file_permissions() {
    for b in BOTH {
        if !perm_cases(b) {
            continue;
        }
        let env = Env::new(
            b,
            &[
                ("/tmp/no-perms-dir", E::DirMode(0o555)),
                ("/tmp/ro.txt", E::Mode("old", 0o444)),
            ],
        );
        let r = env
            .post("/api/v0/write-file?path=/tmp/no-perms-dir/within", "x")
            .await;
        assert_eq!(r.status, 403);
        let m = r.json()["message"].as_str().unwrap().to_string();
        assert!(
            m.starts_with("open /tmp/no-perms-dir/.within.tmp.")
                && m.ends_with(": permission denied"),
            "{m}"
        );
        assert_eq!(
            m.len(),
            "open /tmp/no-perms-dir/.within.tmp.12345678: permission denied".len()
        );
        env.post("/api/v0/write-file?path=/tmp/no-perms-dir/sub/x", "x")
            .await
            .msg(403, "mkdir /tmp/no-perms-dir/sub: permission denied");
        // A read-only file in a writable directory is replaced and keeps its mode.
        env.post("/api/v0/write-file?path=/tmp/ro.txt", "new")
            .await
            .msg(200, "Successfully wrote to \"/tmp/ro.txt\"");
        assert_eq!(env.mode("/tmp/ro.txt"), Some(0o444));
    }
}

fn edit1(path: &str, search: &str, replace: &str) -> serde_json::Value {
    json!({"files":[{"path": path, "edits":[{"search": search, "replace": replace}]}]})
}

#[tokio::test]
async fn edit_files_table() {
    for b in BOTH {
        let env = Env::new(
            b,
            &[
                ("/tmp/directory", E::Dir),
                ("/tmp/no-perms-file", E::Mode("file 7", 0o000)),
                ("/tmp/edit1", E::File("foo bar")),
                ("/tmp/amb", E::File("foo bar")),
                ("/tmp/all", E::File("foo bar")),
                ("/tmp/file1", E::File("file 1")),
                ("/tmp/file2", E::File("file 2")),
                ("/tmp/file3", E::File("file 3")),
                ("/tmp/file8", E::File("file 8")),
                ("/tmp/atomic-a", E::File("aaa")),
                ("/tmp/atomic-b", E::File("bbb")),
                ("/tmp/atomic-c", E::File("ccc")),
                ("/tmp/nomatch", E::File("original content")),
            ],
        );
        env.edit(json!({"files": null}))
            .await
            .msg(400, "must specify at least one file");
        env.edit(json!({}))
            .await
            .msg(400, "must specify at least one file");
        env.edit(edit1("", "foo", "bar"))
            .await
            .msg(400, "\"path\" is required");
        env.edit(edit1("./relative", "foo", "bar"))
            .await
            .msg(400, "file path must be absolute: \"./relative\"");
        env.edit(edit1("also-relative", "foo", "bar"))
            .await
            .msg(400, "file path must be absolute: \"also-relative\"");
        env.edit(json!({"files":[{"path":"/tmp/no-edits","edits":null}]}))
            .await
            .msg(400, "must specify at least one edit");
        env.edit(edit1("/tmp/does-not-exist", "foo", "bar"))
            .await
            .msg(404, "open /tmp/does-not-exist: no such file or directory");
        env.edit(edit1("/tmp/directory", "foo", "bar"))
            .await
            .msg(400, "open /tmp/directory: not a file");
        if perm_cases(b) {
            env.edit(edit1("/tmp/no-perms-file", "foo", "bar"))
                .await
                .msg(403, "open /tmp/no-perms-file: permission denied");
        }
        env.edit(edit1("/tmp/edit1", "foo", "bar"))
            .await
            .is(200, "{}\n");
        env.assert_content("/tmp/edit1", "bar bar");
        env.edit(json!({"files":[{"path":"/tmp/amb","edits":[{"search":"foo","replace":"bar"},{"search":"bar","replace":"qux"}]}]})).await
            .msg(400, "edit /tmp/amb: search string matches 2 occurrences (expected exactly 1). Include more surrounding context to make the match unique, or set replace_all to true");
        env.assert_content("/tmp/amb", "foo bar");
        env.edit(json!({"files":[{"path":"/tmp/all","edits":[{"search":"foo","replace":"bar"},{"search":"bar","replace":"qux","replace_all":true}]}]})).await.is(200, "{}\n");
        env.assert_content("/tmp/all", "qux qux");
        env.edit(json!({"files":[
            {"path":"/tmp/file1","edits":[{"search":"file","replace":"edited1"}]},
            {"path":"/tmp/file2","edits":[{"search":"file","replace":"edited2"}]},
            {"path":"/tmp/file3","edits":[{"search":"file","replace":"edited3"}]}]}))
            .await
            .is(200, "{}\n");
        env.assert_content("/tmp/file1", "edited1 1");
        env.assert_content("/tmp/file3", "edited3 3");
        env.edit(edit1("/tmp/nomatch", "this does not exist in the file", "whatever")).await
            .msg(400, "edit /tmp/nomatch: search string not found in file. Verify the search string matches the file content exactly, including whitespace and indentation");
        env.assert_content("/tmp/nomatch", "original content");
        let multi = json!({"files":[
            {"path":"/tmp/no-perms-file","edits":[{"search":"file","replace":"edited7"}]},
            {"path":"/tmp/file8","edits":[{"search":"file","replace":"edited8"}]},
            {"path":"/tmp/file9","edits":[{"search":"file","replace":"edited9"}]}]});
        let r = env.edit(multi).await;
        if perm_cases(b) {
            r.msg(404, "open /tmp/no-perms-file: permission denied\nopen /tmp/file9: no such file or directory");
        } else {
            r.msg(404, "open /tmp/file9: no such file or directory");
        }
        env.assert_content("/tmp/file8", "file 8");
        env.edit(json!({"files":[
            {"path":"/tmp/atomic-a","edits":[{"search":"aaa","replace":"AAA"}]},
            {"path":"/tmp/atomic-b","edits":[{"search":"NOTFOUND","replace":"XXX"}]},
            {"path":"/tmp/atomic-c","edits":[{"search":"ccc","replace":"CCC"}]}]})).await
            .msg(400, "edit /tmp/atomic-b: search string not found in file. Verify the search string matches the file content exactly, including whitespace and indentation");
        env.assert_content("/tmp/atomic-a", "aaa");
        env.assert_content("/tmp/atomic-b", "bbb");
        env.assert_content("/tmp/atomic-c", "ccc");
        // The spec's mixed example: 404 beats 400, nothing written.
        env.edit(json!({"files":[
            {"path":"/tmp/atomic-a","edits":[{"search":"x","replace":"y"}]},
            {"path":"/tmp/missing","edits":[{"search":"x","replace":"y"}]}]})).await
            .msg(404, "edit /tmp/atomic-a: search string not found in file. Verify the search string matches the file content exactly, including whitespace and indentation\nopen /tmp/missing: no such file or directory");
        assert!(env.names("/tmp").iter().all(|n| !n.contains(".tmp.")));
    }
}

#[tokio::test]
async fn edit_files_links_modes_duplicates_and_diffs() {
    for b in BOTH {
        let env = Env::new(
            b,
            &[
                ("/tmp/script.sh", E::Mode("#!/bin/sh\necho hello\n", 0o755)),
                ("/tmp/real.txt", E::File("hello world")),
                ("/tmp/link.txt", E::Link("real.txt")),
                ("/tmp/dup-path", E::File("one\ntwo\nthree\n")),
                ("/tmp/noncanon", E::File("one\ntwo\nthree\n")),
                ("/tmp/alias-real", E::File("one\ntwo\nthree\n")),
                ("/tmp/alias-link", E::Link("alias-real")),
                ("/tmp/diff-single", E::File("hello world\n")),
                ("/tmp/same", E::File("same\n")),
                ("/tmp/multi", E::File("one\ntwo\nthree\n")),
                ("/tmp/A", E::File("A\n")),
                ("/tmp/B", E::File("B\n")),
            ],
        );
        env.edit(edit1("/tmp/script.sh", "hello", "world"))
            .await
            .is(200, "{}\n");
        env.assert_content("/tmp/script.sh", "#!/bin/sh\necho world\n");
        assert_eq!(env.mode("/tmp/script.sh"), Some(0o755));
        env.edit(edit1("/tmp/link.txt", "hello", "goodbye"))
            .await
            .is(200, "{}\n");
        assert!(env.is_symlink("/tmp/link.txt"));
        env.assert_content("/tmp/real.txt", "goodbye world");
        env.edit(json!({"files":[
            {"path":"/tmp/dup-path","edits":[{"search":"one","replace":"CHANGED"}]},
            {"path":"/tmp/dup-path","edits":[{"search":"CHANGED","replace":"FINAL"}]}]}))
            .await
            .is(200, "{}\n");
        env.assert_content("/tmp/dup-path", "FINAL\ntwo\nthree\n");
        env.edit(json!({"files":[
            {"path":"/tmp/noncanon","edits":[{"search":"one","replace":"ONE"}]},
            {"path":"/tmp/./noncanon","edits":[{"search":"three","replace":"THREE"}]}]}))
            .await
            .is(200, "{}\n");
        env.assert_content("/tmp/noncanon", "ONE\ntwo\nTHREE\n");
        env.edit(json!({"files":[
            {"path":"/tmp/alias-real","edits":[{"search":"one","replace":"ONE"}]},
            {"path":"/tmp/alias-link","edits":[{"search":"three","replace":"THREE"}]}]})).await
            .msg(400, "duplicate file path \"/tmp/alias-link\" aliases \"/tmp/alias-real\" (same real file): combine edits into a single entry's \"edits\" list");
        env.assert_content("/tmp/alias-real", "one\ntwo\nthree\n");
        let d = json!({"include_diff": true, "files":[{"path":"/tmp/diff-single","edits":[{"search":"hello","replace":"HELLO"}]}]});
        env.edit(d).await.is(200, "{\"files\":[{\"path\":\"/tmp/diff-single\",\"diff\":\"--- /tmp/diff-single\\n+++ /tmp/diff-single\\n@@ -1 +1 @@\\n-hello world\\n+HELLO world\\n\"}]}\n");
        env.edit(json!({"include_diff": true, "files":[{"path":"/tmp/same","edits":[{"search":"same","replace":"same"}]}]})).await
            .is(200, "{\"files\":[{\"path\":\"/tmp/same\",\"diff\":\"\"}]}\n");
        env.edit(json!({"include_diff": true, "files":[{"path":"/tmp/multi","edits":[{"search":"one","replace":"ONE"},{"search":"three","replace":"THREE"}]}]})).await
            .is(200, "{\"files\":[{\"path\":\"/tmp/multi\",\"diff\":\"--- /tmp/multi\\n+++ /tmp/multi\\n@@ -1,3 +1,3 @@\\n-one\\n+ONE\\n two\\n-three\\n+THREE\\n\"}]}\n");
        env.edit(json!({"include_diff": true, "files":[
            {"path":"/tmp/B","edits":[{"search":"B","replace":"b"}]},
            {"path":"/tmp/A","edits":[{"search":"A","replace":"a"}]}]})).await
            .is(200, "{\"files\":[{\"path\":\"/tmp/B\",\"diff\":\"--- /tmp/B\\n+++ /tmp/B\\n@@ -1 +1 @@\\n-B\\n+b\\n\"},{\"path\":\"/tmp/A\",\"diff\":\"--- /tmp/A\\n+++ /tmp/A\\n@@ -1 +1 @@\\n-A\\n+a\\n\"}]}\n");
        env.edit(json!({"include_diff": true, "files":[{"path":"/tmp/link.txt","edits":[{"search":"goodbye","replace":"bye"}]}]})).await
            .is(200, "{\"files\":[{\"path\":\"/tmp/link.txt\",\"diff\":\"--- /tmp/link.txt\\n+++ /tmp/link.txt\\n@@ -1 +1 @@\\n-goodbye world\\n\\\\ No newline at end of file\\n+bye world\\n\\\\ No newline at end of file\\n\"}]}\n");
    }
}

#[tokio::test]
async fn edit_files_bad_json() {
    let env = Env::new(Backend::Memory, &[]);
    let bad = |d: &str| {
        format!("{{\"message\":\"Request body must be valid JSON.\",\"detail\":\"{d}\"}}\n")
    };
    env.post("/api/v0/edit-files", "")
        .await
        .is(400, &bad("EOF"));
    env.post("/api/v0/edit-files", "{\"files\":[")
        .await
        .is(400, &bad("unexpected EOF"));
    env.post("/api/v0/edit-files", "xyz").await.is(
        400,
        &bad("invalid character 'x' looking for beginning of value"),
    );
    env.post("/api/v0/edit-files", "{\"files\":\"x\"}").await.is(400, &bad("json: cannot unmarshal string into Go struct field FileEditRequest.files of type []workspacesdk.FileEdits"));
    env.post("/api/v0/edit-files", "[1]").await.is(
        400,
        &bad("json: cannot unmarshal array into Go value of type workspacesdk.FileEditRequest"),
    );
    env.post("/api/v0/edit-files", "{\"files\":[{\"path\":\"/tmp/x\",\"edits\":[{\"search\":1}]}]}").await
        .is(400, &bad("json: cannot unmarshal number into Go struct field FileEdit.files.edits.search of type string"));
    // The server keeps serving.
    env.get("/api/v0/resolve-path?path=/")
        .await
        .is(200, "{\"resolved_path\":\"/\"}\n");
}

#[tokio::test]
async fn routes_404_405() {
    let env = Env::new(Backend::Memory, &[]);
    let r = env.get("/api/v0/list-directory").await;
    assert_eq!(r.status, 405);
    assert_eq!(r.headers["allow"], "POST");
    assert!(r.body.is_empty());
    let r = env
        .send("HEAD", "/api/v0/read-file", axum::body::Body::empty())
        .await;
    assert_eq!(r.status, 405);
    assert_eq!(r.headers["allow"], "GET");
    for p in [
        "/api/v0/read-file/",
        "/api/v0/zip-files",
        "/api/v0/nope/deeper",
        "/api/v0/",
    ] {
        env.get(p).await.is(404, "404 page not found\n");
    }
}

/// Over a real connection: a large write-file body is accepted whole (no body limit), and a
/// large read-file keeps its `Content-Length` instead of going chunked.
#[tokio::test]
async fn large_bodies_over_http() {
    let tmp = crate::support::TempDir::new("http");
    let scenario = agent_sim::Scenario::from_value(
        "http",
        json!({"files": {"backend": "dir", "root": tmp.0.to_str().unwrap()}}),
    )
    .unwrap();
    let sim = agent_sim::Sim::start(scenario).await.unwrap();
    let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    let client = reqwest::Client::new();
    let r = client
        .post(format!(
            "{}/api/v0/write-file?path=/big/blob.bin",
            sim.url()
        ))
        .body(data.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.text().await.unwrap(),
        "{\"message\":\"Successfully wrote to \\\"/big/blob.bin\\\"\"}\n"
    );
    assert_eq!(std::fs::read(tmp.0.join("big/blob.bin")).unwrap(), data);
    let r = client
        .get(format!(
            "{}/api/v0/read-file?path=/big/blob.bin&offset=1000",
            sim.url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-length"], "2999000");
    assert!(r.headers().get("transfer-encoding").is_none());
    assert_eq!(r.bytes().await.unwrap().as_ref(), &data[1000..]);
    sim.shutdown().await;
}

/// 40 symlink hops are fine, the 41st fails: for opens (kernel ELOOP) and for resolve-path.
#[tokio::test]
async fn forty_hops() {
    let names: Vec<&'static str> = (0..=41)
        .map(|i| &*Box::leak(format!("/tmp/l{i}").into_boxed_str()))
        .collect();
    let targets: Vec<&'static str> = (0..=41)
        .map(|i| &*Box::leak(format!("l{}", i + 1).into_boxed_str()))
        .collect();
    for b in BOTH {
        // l1 -> l2 -> … -> l41 -> file: from l1 that is 41 hops, from l2 it is 40.
        let mut entries: Vec<(&str, E)> =
            (1..=41).map(|i| (names[i], E::Link(targets[i]))).collect();
        entries.push(("/tmp/l42", E::File("end")));
        let env = Env::new(b, &entries);
        env.get("/api/v0/read-file?path=/tmp/l2")
            .await
            .is(200, "end");
        env.get("/api/v0/read-file?path=/tmp/l1")
            .await
            .msg(500, "open /tmp/l1: too many levels of symbolic links");
        env.get("/api/v0/resolve-path?path=/tmp/l2")
            .await
            .is(200, "{\"resolved_path\":\"/tmp/l42\"}\n");
        env.get("/api/v0/resolve-path?path=/tmp/l1")
            .await
            .msg(500, "too many levels of symlinks resolving \"/tmp/l42\"");
    }
}
