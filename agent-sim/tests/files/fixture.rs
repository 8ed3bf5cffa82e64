//! The `files-tree` fixture: it loads, seeds the memory backend, and its listings, reads,
//! resolutions and an edit with a diff match the recorded snapshots.

use crate::support::{Backend, Env};
use agent_sim::{AppState, Scenario};
use serde_json::json;

fn env() -> Env {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/files-tree.json");
    let scenario = Scenario::from_file(path).expect("fixture loads");
    assert_eq!(scenario.name, "files-tree");
    let state = AppState::new(scenario);
    Env {
        backend: Backend::Memory,
        router: agent_sim::router(state.clone()),
        state,
        tmp: None,
    }
}

#[tokio::test]
async fn files_tree_snapshots() {
    let e = env();
    let mut out = String::new();
    for (label, r) in [
        ("ls home", e.post("/api/v0/list-directory", r#"{"path":[],"relativity":"home"}"#).await),
        ("ls project", e.post("/api/v0/list-directory", r#"{"path":["project"],"relativity":"home"}"#).await),
        ("ls root", e.post("/api/v0/list-directory?path=/", "{}").await),
        ("read main.go", e.get("/api/v0/read-file?path=/home/coder/project/main.go").await),
        ("read via link", e.get("/api/v0/read-file?path=/home/coder/link-plans/PLAN.md").await),
        ("read private", e.get("/api/v0/read-file?path=/home/coder/private.key").await),
        ("read dangling", e.get("/api/v0/read-file?path=/home/coder/dangling").await),
        ("lines main.go", e.get("/api/v0/read-file-lines?path=/home/coder/project/main.go&offset=5&limit=3").await),
        ("resolve link", e.get("/api/v0/resolve-path?path=/home/coder/link-plans/NEW.md").await),
        ("resolve dangling", e.get("/api/v0/resolve-path?path=/home/coder/dangling").await),
        ("resolve loop", e.get("/api/v0/resolve-path?path=/home/coder/loop").await),
        ("edit crlf with diff", e.edit(json!({"include_diff": true, "files":[{"path":"/home/coder/project/windows.txt","edits":[{"search":"line two\n","replace":"line 2\nline 3\n"}]}]})).await),
        ("read crlf after edit", e.get("/api/v0/read-file?path=/home/coder/project/windows.txt").await),
    ] {
        let ct = r
            .headers
            .get("content-type")
            .map(|v| v.to_str().unwrap_or_default().to_string())
            .unwrap_or_default();
        out.push_str(&format!("== {label}: {} {ct}\n{}\n", r.status.as_u16(), r.text().escape_debug()));
    }
    insta::with_settings!({
        snapshot_path => "../../../snapshots/agent-sim",
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!("files_tree", out);
    });
}

#[tokio::test]
async fn reset_restores_the_fixture_tree() {
    let e = env();
    e.post("/api/v0/write-file?path=/home/coder/README.md", "changed")
        .await
        .msg(200, "Successfully wrote to \"/home/coder/README.md\"");
    e.assert_content("/home/coder/README.md", "changed");
    // An unrelated scenario change keeps the written files.
    let mut s = (*e.state.scenario()).clone();
    s.description = "patched".into();
    e.state.set_scenario(s);
    e.assert_content("/home/coder/README.md", "changed");
    e.state.reset();
    e.assert_content(
        "/home/coder/README.md",
        "# project\n\nHello from the files-tree fixture.\n",
    );
}
