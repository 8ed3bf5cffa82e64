//! Confinement of the `dir` backend: `..`, absolute paths, symlinks (absolute, relative,
//! chains, loops, `..` targets) and a link swapped in during requests never let a request
//! read, write, list or resolve anything outside the root. Each test builds `base/root`
//! (served) next to `base/outside` (the bait) and checks the bait is untouched afterwards.

use crate::support::{Env, Reply, TempDir};
use agent_sim::{AppState, Scenario};
use serde_json::json;
use std::collections::BTreeMap;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

/// Every path under `dir` with its kind, mode and content (links as their target).
fn snapshot(dir: &Path) -> BTreeMap<String, (String, u32, Vec<u8>)> {
    let mut out = BTreeMap::new();
    fn walk(base: &Path, p: &Path, out: &mut BTreeMap<String, (String, u32, Vec<u8>)>) {
        let Ok(rd) = std::fs::read_dir(p) else { return };
        for e in rd.flatten() {
            let path = e.path();
            let md = std::fs::symlink_metadata(&path).unwrap();
            let rel = path
                .strip_prefix(base)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let mode = md.permissions().mode();
            if md.file_type().is_symlink() {
                let t = std::fs::read_link(&path).unwrap();
                out.insert(
                    rel,
                    ("link".into(), mode, t.to_string_lossy().as_bytes().to_vec()),
                );
            } else if md.is_dir() {
                out.insert(rel, ("dir".into(), mode, Vec::new()));
                walk(base, &path, out);
            } else {
                out.insert(rel, ("file".into(), mode, std::fs::read(&path).unwrap()));
            }
        }
    }
    walk(dir, dir, &mut out);
    out
}

struct Jail {
    tmp: TempDir,
    env: Env,
}

impl Jail {
    fn new() -> Jail {
        let tmp = TempDir::new("jail");
        let root = tmp.0.join("root");
        let outside = tmp.0.join("outside");
        std::fs::create_dir_all(root.join("tmp")).unwrap();
        std::fs::create_dir_all(root.join("deep/er")).unwrap();
        std::fs::create_dir_all(outside.join("dir")).unwrap();
        std::fs::write(outside.join("secret.txt"), "secret").unwrap();
        std::fs::write(outside.join("dir/inner.txt"), "inner secret").unwrap();
        let host_outside = outside.to_str().unwrap().to_string();
        symlink(&host_outside, root.join("abs")).unwrap();
        symlink("../outside", root.join("rel")).unwrap();
        symlink("../../../../../../../../outside", root.join("deep/er/rel")).unwrap();
        symlink(format!("{host_outside}/secret.txt"), root.join("abs-file")).unwrap();
        symlink("chain2", root.join("chain1")).unwrap();
        symlink("/chain3", root.join("chain2")).unwrap();
        symlink("../outside/secret.txt", root.join("chain3")).unwrap();
        symlink("loop2", root.join("loop1")).unwrap();
        symlink("/loop1", root.join("loop2")).unwrap();
        symlink("..", root.join("dotdot")).unwrap();
        symlink("/", root.join("slash")).unwrap();
        std::fs::write(root.join("tmp/inside.txt"), "inside").unwrap();
        let scenario = Scenario::from_value(
            "jail",
            json!({"files": {"backend": "dir", "root": root.to_str().unwrap()}}),
        )
        .unwrap();
        let state = AppState::new(scenario);
        let env = Env {
            backend: crate::support::Backend::Dir,
            router: agent_sim::router(state.clone()),
            state,
            tmp: None,
        };
        Jail { tmp, env }
    }

    fn outside(&self) -> std::path::PathBuf {
        self.tmp.0.join("outside")
    }

    fn host_outside(&self) -> String {
        self.outside().to_str().unwrap().to_string()
    }
}

fn no_secret(r: &Reply) {
    let t = r.text();
    assert!(
        !t.contains("secret") || t.contains("secret.txt"),
        "leak: {t}"
    );
    assert!(!t.contains("inner secret"), "leak: {t}");
}

#[tokio::test]
async fn reads_lists_and_resolves_stay_inside() {
    let j = Jail::new();
    let before = snapshot(&j.outside());
    let e = &j.env;
    let ho = j.host_outside();
    let abs_secret = format!("{ho}/secret.txt");
    for p in [
        "/../outside/secret.txt".to_string(),
        "/../../../../outside/secret.txt".to_string(),
        "/rel/secret.txt".to_string(),
        "/abs/secret.txt".to_string(),
        "/abs-file".to_string(),
        "/deep/er/rel/secret.txt".to_string(),
        "/chain1".to_string(),
        "/dotdot/outside/secret.txt".to_string(),
        "/dotdot/dotdot/rel/secret.txt".to_string(),
        "/slash/../outside/secret.txt".to_string(),
        abs_secret.clone(),
        format!("/tmp/../..{abs_secret}"),
    ] {
        let r = e.get(&format!("/api/v0/read-file?path={p}")).await;
        assert_eq!(r.status, 404, "{p}: {}", r.text());
        r.msg(404, &format!("open {p}: no such file or directory"));
        let r = e.get(&format!("/api/v0/read-file-lines?path={p}")).await;
        r.is(
            200,
            &format!("{{\"success\":false,\"error\":\"file does not exist: {p}\"}}\n"),
        );
        let r = e
            .post(&format!("/api/v0/list-directory?path={p}"), "{}")
            .await;
        assert_eq!(r.status, 404, "{p}");
        let r = e
            .edit(json!({"files":[{"path": p, "edits":[{"search":"secret","replace":"pwned"}]}]}))
            .await;
        assert_eq!(r.status, 404, "{p}: {}", r.text());
        no_secret(&r);
    }
    e.get("/api/v0/read-file?path=/loop1")
        .await
        .msg(500, "open /loop1: too many levels of symbolic links");
    e.get("/api/v0/resolve-path?path=/loop1")
        .await
        .msg(500, "too many levels of symlinks resolving \"/loop2\"");
    // `..` never climbs above the virtual root: these name files inside it.
    e.get("/api/v0/read-file?path=/../../tmp/inside.txt")
        .await
        .is(200, "inside");
    e.get("/api/v0/read-file?path=/dotdot/tmp/inside.txt")
        .await
        .is(200, "inside");
    e.get("/api/v0/read-file?path=/slash/slash/tmp/inside.txt")
        .await
        .is(200, "inside");
    for comps in [
        json!(["..", "..", "outside"]),
        json!(["..", "rel"]),
        json!(["abs"]),
    ] {
        let r = e
            .post(
                "/api/v0/list-directory",
                json!({"path": comps, "relativity": "root"}).to_string(),
            )
            .await;
        assert_eq!(r.status, 404, "{comps}: {}", r.text());
    }
    let r = e
        .post(
            "/api/v0/list-directory",
            r#"{"path":["..",".."],"relativity":"root"}"#,
        )
        .await;
    assert_eq!(r.json()["absolute_path_string"], "/");
    no_secret(&r);
    // Resolution is virtual: targets are reported as the paths they name inside the root.
    e.get("/api/v0/resolve-path?path=/rel/secret.txt")
        .await
        .is(200, "{\"resolved_path\":\"/outside/secret.txt\"}\n");
    e.get("/api/v0/resolve-path?path=/chain1")
        .await
        .is(200, "{\"resolved_path\":\"/outside/secret.txt\"}\n");
    e.get("/api/v0/resolve-path?path=/dotdot/x")
        .await
        .is(200, "{\"resolved_path\":\"/x\"}\n");
    e.get("/api/v0/resolve-path?path=/abs/x")
        .await
        .is(200, &format!("{{\"resolved_path\":\"{ho}/x\"}}\n"));
    assert_eq!(snapshot(&j.outside()), before);
}

#[tokio::test]
async fn writes_stay_inside() {
    let j = Jail::new();
    let before = snapshot(&j.outside());
    let e = &j.env;
    let ho = j.host_outside();
    for p in [
        "/../outside/secret.txt".to_string(),
        "/rel/secret.txt".to_string(),
        "/rel/new.txt".to_string(),
        "/abs/secret.txt".to_string(),
        "/abs-file".to_string(),
        "/chain1".to_string(),
        "/deep/er/rel/dir/inner.txt".to_string(),
        "/dotdot/dotdot/outside/made/up.txt".to_string(),
        format!("{ho}/secret.txt"),
    ] {
        let r = e
            .post(&format!("/api/v0/write-file?path={p}"), "pwned")
            .await;
        assert_eq!(r.status, 200, "{p}: {}", r.text());
        // What was written is readable through the same virtual path.
        e.get(&format!("/api/v0/read-file?path={p}"))
            .await
            .is(200, "pwned");
        let r = e
            .edit(json!({"files":[{"path": p, "edits":[{"search":"pwned","replace":"edited"}]}]}))
            .await;
        r.is(200, "{}\n");
    }
    e.post("/api/v0/write-file?path=/loop1", "x").await.msg(
        500,
        "resolve symlink \"/loop1\": too many levels of symlinks resolving \"/loop2\"",
    );
    e.post("/api/v0/write-file?path=/loop1/x", "x").await.msg(
        500,
        "resolve symlink \"/loop1/x\": lstat /loop1/x: too many levels of symbolic links",
    );
    assert_eq!(snapshot(&j.outside()), before, "the outside tree changed");
    assert_eq!(
        std::fs::read(j.outside().join("secret.txt")).unwrap(),
        b"secret"
    );
    // Links were written through, inside the root, and are still links.
    let root = j.tmp.0.join("root");
    assert!(std::fs::symlink_metadata(root.join("abs-file"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        std::fs::read(root.join("outside/secret.txt")).unwrap(),
        b"edited"
    );
}

/// A directory is swapped with a link to the host's outside directory while requests run:
/// with a check-then-use implementation some request would follow it; here none may.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn swapped_links_during_requests_never_escape() {
    let j = Jail::new();
    let before = snapshot(&j.outside());
    let root = j.tmp.0.join("root");
    std::fs::create_dir_all(root.join("race")).unwrap();
    let real = root.join("race/real");
    std::fs::create_dir_all(&real).unwrap();
    std::fs::write(real.join("secret.txt"), "harmless").unwrap();
    let d = root.join("race/d");
    let stop = Arc::new(AtomicBool::new(false));
    let flips = Arc::new(AtomicUsize::new(0));
    let swapper = {
        let stop = stop.clone();
        let flips = flips.clone();
        let outside = j.outside();
        let d = d.clone();
        std::thread::spawn(move || {
            let tmp_link = d.with_file_name("d.tmp");
            let mut flip = false;
            while !stop.load(Ordering::Relaxed) {
                let _ = std::fs::remove_file(&tmp_link);
                let target = if flip {
                    outside.clone()
                } else {
                    Path::new("real").to_path_buf()
                };
                if symlink(&target, &tmp_link).is_ok() && std::fs::rename(&tmp_link, &d).is_ok() {
                    flips.fetch_add(1, Ordering::SeqCst);
                }
                flip = !flip;
            }
        })
    };
    let e = &j.env;
    let mut through_real = 0;
    let mut not_found = 0;
    for i in 0..150 {
        // Let the swapper move on between requests, so both link states are seen.
        let seen = flips.load(Ordering::SeqCst);
        let deadline = std::time::Instant::now() + std::time::Duration::from_millis(200);
        while flips.load(Ordering::SeqCst) == seen && std::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_micros(50)).await;
        }
        let r = e.get("/api/v0/read-file?path=/race/d/secret.txt").await;
        assert!(r.text() != "secret", "read escaped the root");
        through_real += usize::from(r.text() == "harmless");
        not_found += usize::from(r.status == 404);
        let r = e
            .get("/api/v0/read-file-lines?path=/race/d/secret.txt")
            .await;
        assert!(
            !r.text().contains("1\\tsecret"),
            "read-file-lines escaped: {}",
            r.text()
        );
        let r = e
            .post("/api/v0/list-directory?path=/race/d/dir", "{}")
            .await;
        assert_eq!(r.status, 404, "listing escaped: {}", r.text());
        let _ = e
            .post(&format!("/api/v0/write-file?path=/race/d/new{i}.txt"), "x")
            .await;
        let _ = e
            .edit(json!({"files":[{"path":"/race/d/secret.txt","edits":[{"search":"secret","replace":"pwned"}]}]}))
            .await;
    }
    stop.store(true, Ordering::Relaxed);
    swapper.join().unwrap();
    eprintln!("reads: {through_real} through the inside link, {not_found} refused");
    assert!(
        through_real > 0 && not_found > 0,
        "the race was not exercised"
    );
    assert_eq!(snapshot(&j.outside()), before, "the outside tree changed");
}

#[tokio::test]
async fn nul_bytes_and_bad_paths_are_refused() {
    let j = Jail::new();
    let e = &j.env;
    e.get("/api/v0/read-file?path=/tmp/a%00b")
        .await
        .msg(500, "open /tmp/a\u{0}b: invalid argument");
    e.get("/api/v0/resolve-path?path=/tmp/a%00b")
        .await
        .msg(500, "lstat /tmp/a\u{0}b: invalid argument");
    e.post("/api/v0/write-file?path=/tmp/a%00b", "x").await.msg(
        500,
        "resolve symlink \"/tmp/a\\x00b\": lstat /tmp/a\u{0}b: invalid argument",
    );
    e.post("/api/v0/list-directory?path=/tmp%00", "{}")
        .await
        .msg(
            500,
            "failed to open directory \"/tmp\\x00\": open /tmp\u{0}: invalid argument",
        );
    // The server keeps serving.
    e.get("/api/v0/read-file?path=/tmp/inside.txt")
        .await
        .is(200, "inside");
    let _ = Env::new(crate::support::Backend::Memory, &[]);
}
