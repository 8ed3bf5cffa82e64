//! Shared helpers for the files API tests: one environment per backend (a memory scenario, or
//! a temp directory created for the test and removed afterwards), requests through the real
//! router, and inspection of what ended up stored.

use crate::common::reply_of;
pub use crate::common::Reply;
use agent_sim::{AppState, Scenario};
use axum::body::Body;
use http::Request;
use serde_json::{json, Value};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use tower::ServiceExt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Memory,
    Dir,
}

pub const BOTH: [Backend; 2] = [Backend::Memory, Backend::Dir];

/// One seeded entry.
#[derive(Debug, Clone)]
pub enum E {
    File(&'static str),
    Bytes(Vec<u8>),
    Mode(&'static str, u32),
    Dir,
    DirMode(u32),
    Link(&'static str),
}

/// A temp directory removed (with its permissions restored) on drop.
pub struct TempDir(pub PathBuf);

static COUNTER: AtomicUsize = AtomicUsize::new(0);

impl TempDir {
    pub fn new(tag: &str) -> Self {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let p = std::env::temp_dir().join(format!(
            "agent-sim-{tag}-{}-{n}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}

fn unlock(p: &Path) {
    if let Ok(md) = std::fs::symlink_metadata(p) {
        if md.is_dir() {
            let _ = std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755));
            if let Ok(rd) = std::fs::read_dir(p) {
                for e in rd.flatten() {
                    unlock(&e.path());
                }
            }
        }
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        unlock(&self.0);
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub struct Env {
    pub backend: Backend,
    pub state: AppState,
    pub router: axum::Router,
    pub tmp: Option<TempDir>,
}

/// Writes `entries` below `root` on disk (parents created).
pub fn materialize(root: &Path, entries: &[(&str, E)]) {
    for (p, e) in entries {
        let host = root.join(p.trim_start_matches('/'));
        if let Some(parent) = host.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        match e {
            E::File(c) => std::fs::write(&host, c).unwrap(),
            E::Bytes(b) => std::fs::write(&host, b).unwrap(),
            E::Mode(c, m) => {
                std::fs::write(&host, c).unwrap();
                std::fs::set_permissions(&host, std::fs::Permissions::from_mode(*m)).unwrap();
            }
            E::Dir => std::fs::create_dir_all(&host).unwrap(),
            E::DirMode(m) => {
                std::fs::create_dir_all(&host).unwrap();
                std::fs::set_permissions(&host, std::fs::Permissions::from_mode(*m)).unwrap();
            }
            E::Link(t) => std::os::unix::fs::symlink(t, &host).unwrap(),
        }
    }
}

fn entries_json(entries: &[(&str, E)]) -> Value {
    let mut m = serde_json::Map::new();
    for (p, e) in entries {
        let v = match e {
            E::File(c) => json!(c),
            E::Bytes(b) => json!(String::from_utf8(b.clone()).unwrap()),
            E::Mode(c, mode) => json!({"content": c, "mode": format!("{mode:o}")}),
            E::Dir => json!({"dir": true}),
            E::DirMode(mode) => json!({"dir": true, "mode": format!("{mode:o}")}),
            E::Link(t) => json!({ "symlink": t }),
        };
        m.insert(p.to_string(), v);
    }
    Value::Object(m)
}

impl Env {
    pub fn new(backend: Backend, entries: &[(&str, E)]) -> Env {
        Self::with_home(backend, entries, Some("/home/coder"))
    }

    pub fn with_home(backend: Backend, entries: &[(&str, E)], home: Option<&str>) -> Env {
        let (files, tmp) = match backend {
            Backend::Memory => (
                json!({"backend": "memory", "home": home, "entries": entries_json(entries)}),
                None,
            ),
            Backend::Dir => {
                let tmp = TempDir::new("files");
                let root = tmp.0.join("root");
                std::fs::create_dir_all(root.join("tmp")).unwrap();
                if let Some(h) = home {
                    std::fs::create_dir_all(root.join(h.trim_start_matches('/'))).unwrap();
                }
                materialize(&root, entries);
                (
                    json!({"backend": "dir", "home": home, "root": root.to_str().unwrap()}),
                    Some(tmp),
                )
            }
        };
        let scenario = Scenario::from_value("test", json!({ "files": files })).unwrap();
        let state = AppState::new(scenario);
        let router = agent_sim::router(state.clone());
        Env {
            backend,
            state,
            router,
            tmp,
        }
    }

    /// The host root of a dir environment.
    pub fn root(&self) -> PathBuf {
        self.tmp.as_ref().map(|t| t.0.join("root")).unwrap()
    }

    pub async fn send(&self, method: &str, uri: &str, body: impl Into<Body>) -> Reply {
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .body(body.into())
            .unwrap();
        reply_of(self.router.clone().oneshot(req).await.unwrap()).await
    }

    pub async fn get(&self, uri: &str) -> Reply {
        self.send("GET", uri, Body::empty()).await
    }

    pub async fn post(&self, uri: &str, body: impl Into<Body>) -> Reply {
        self.send("POST", uri, body).await
    }

    pub async fn edit(&self, body: Value) -> Reply {
        self.post("/api/v0/edit-files", body.to_string()).await
    }

    /// Content of the regular file at a virtual path (links followed), if any.
    pub fn read(&self, vpath: &str) -> Option<Vec<u8>> {
        match self.backend {
            Backend::Dir => std::fs::read(self.root().join(vpath.trim_start_matches('/'))).ok(),
            Backend::Memory => {
                let mut path = vpath.to_string();
                let tree = self.state.files().memory_snapshot();
                for _ in 0..40 {
                    match tree.get(&path)? {
                        agent_sim::files::memory::MemNode::File { data, .. } => {
                            return Some(data.clone())
                        }
                        agent_sim::files::memory::MemNode::Symlink { target } => {
                            path = if target.starts_with('/') {
                                target.clone()
                            } else {
                                agent_sim::files::vpath::join(&[
                                    agent_sim::files::vpath::dir(&path),
                                    target.clone(),
                                ])
                            };
                        }
                        _ => return None,
                    }
                }
                None
            }
        }
    }

    #[track_caller]
    pub fn assert_content(&self, vpath: &str, want: &str) {
        assert_eq!(
            self.read(vpath)
                .map(|b| String::from_utf8_lossy(&b).into_owned()),
            Some(want.to_string()),
            "{vpath} on {:?}",
            self.backend
        );
    }

    pub fn is_symlink(&self, vpath: &str) -> bool {
        match self.backend {
            Backend::Dir => {
                std::fs::symlink_metadata(self.root().join(vpath.trim_start_matches('/')))
                    .map(|m| m.file_type().is_symlink())
                    .unwrap_or(false)
            }
            Backend::Memory => matches!(
                self.state.files().memory_snapshot().get(vpath),
                Some(agent_sim::files::memory::MemNode::Symlink { .. })
            ),
        }
    }

    pub fn mode(&self, vpath: &str) -> Option<u32> {
        match self.backend {
            Backend::Dir => std::fs::metadata(self.root().join(vpath.trim_start_matches('/')))
                .ok()
                .map(|m| m.permissions().mode() & 0o7777),
            Backend::Memory => match self.state.files().memory_snapshot().get(vpath)? {
                agent_sim::files::memory::MemNode::File { mode, .. } => Some(*mode),
                agent_sim::files::memory::MemNode::Dir { mode } => Some(*mode),
                _ => None,
            },
        }
    }

    /// Entries of a directory (names), for "no temp file left behind" checks.
    pub fn names(&self, vdir: &str) -> Vec<String> {
        match self.backend {
            Backend::Dir => {
                let mut v: Vec<String> =
                    std::fs::read_dir(self.root().join(vdir.trim_start_matches('/')))
                        .map(|rd| {
                            rd.flatten()
                                .map(|e| e.file_name().to_string_lossy().into_owned())
                                .collect()
                        })
                        .unwrap_or_default();
                v.sort();
                v
            }
            Backend::Memory => {
                let prefix = if vdir == "/" {
                    "/".to_string()
                } else {
                    format!("{vdir}/")
                };
                self.state
                    .files()
                    .memory_snapshot()
                    .iter()
                    .filter_map(|(k, _)| k.strip_prefix(&prefix).map(str::to_string))
                    .filter(|r| !r.is_empty() && !r.contains('/'))
                    .collect()
            }
        }
    }
}

/// Whether permission bits stop this process on disk (they do not for root).
pub fn perms_enforced() -> bool {
    let t = TempDir::new("perm-probe");
    let f = t.0.join("f");
    std::fs::write(&f, "x").unwrap();
    std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o000)).unwrap();
    std::fs::read(&f).is_err()
}
