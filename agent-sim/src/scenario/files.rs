//! The files API section: a `memory` tree seeded from `entries`, or a `dir` root on disk, and
//! the virtual home used by list-directory's `relativity: "home"`.
//!
//! ```json
//! "files": {
//!   "backend": "memory",
//!   "home": "/home/coder",
//!   "entries": {
//!     "/home/coder/README.md": "hello\n",
//!     "/home/coder/run.sh": { "content": "#!/bin/sh\n", "mode": "0755" },
//!     "/home/coder/link": { "symlink": "README.md" },
//!     "/home/coder/empty-dir": { "dir": true }
//!   }
//! }
//! ```

use super::error::ScenarioError;
use crate::files::vpath;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where the files routes read and write.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FilesBackend {
    /// An in-memory tree seeded from `entries` (the default).
    #[default]
    Memory,
    /// A host directory (`root`), confined to it.
    Dir,
}

/// The virtual home of a fresh agent user.
pub const DEFAULT_HOME: &str = "/home/coder";

fn default_home() -> Option<String> {
    Some(DEFAULT_HOME.to_string())
}

/// The files API section: the backend and the seeded tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FilesConfig {
    /// `memory` (default) or `dir`.
    pub backend: FilesBackend,
    /// Host directory served as `/` (backend `dir` only).
    pub root: Option<String>,
    /// `$HOME` of the agent user; `null` answers as an agent without `$HOME`.
    #[serde(default = "default_home")]
    pub home: Option<String>,
    /// The memory tree: absolute clean virtual path → entry (parents created as 0755 dirs).
    pub entries: BTreeMap<String, FileEntry>,
}

impl Default for FilesConfig {
    fn default() -> Self {
        Self {
            backend: FilesBackend::Memory,
            root: None,
            home: default_home(),
            entries: BTreeMap::new(),
        }
    }
}

/// One seeded entry: a string is a file's content; an object says more.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FileEntry {
    /// A file with this content, mode 0644.
    Content(String),
    /// A file, directory or symlink described in full.
    Spec(EntrySpec),
}

/// A file (`content`, `mode`), a directory (`dir: true`, `mode`) or a symlink (`symlink`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntrySpec {
    /// A file's content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// Permission bits, as an octal string (`"0644"`) or a number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<Mode>,
    /// The link target (absolute or relative, kept verbatim).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symlink: Option<String>,
    /// A directory.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dir: bool,
}

/// A mode: octal text or a plain number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Mode {
    /// A number, e.g. `420`.
    Number(u32),
    /// Octal text, e.g. `"0644"` or `"0o644"`.
    Octal(String),
}

impl Mode {
    /// The permission bits, if the mode is valid (up to 0o7777).
    pub fn bits(&self) -> Option<u32> {
        let v = match self {
            Mode::Number(n) => Some(*n),
            Mode::Octal(s) => u32::from_str_radix(s.trim_start_matches("0o"), 8).ok(),
        }?;
        (v <= 0o7777).then_some(v)
    }
}

/// What an entry seeds, once validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum EntryKind {
    File { content: String, mode: u32 },
    Dir { mode: u32 },
    Symlink { target: String },
}

impl FileEntry {
    pub(crate) fn kind(&self) -> Result<EntryKind, String> {
        let spec = match self {
            FileEntry::Content(c) => {
                return Ok(EntryKind::File {
                    content: c.clone(),
                    mode: 0o644,
                })
            }
            FileEntry::Spec(s) => s,
        };
        let mode = match &spec.mode {
            None => None,
            Some(m) => Some(
                m.bits()
                    .ok_or_else(|| format!("mode {m:?} is not an octal mode up to 07777"))?,
            ),
        };
        match (&spec.content, &spec.symlink, spec.dir) {
            (_, Some(_), true) | (Some(_), Some(_), _) | (Some(_), _, true) => {
                Err("an entry is one of: a file (content), a directory (dir) or a symlink".into())
            }
            (None, Some(t), false) => {
                if mode.is_some() {
                    return Err("a symlink has no mode".into());
                }
                if t.is_empty() || t.contains('\0') {
                    return Err("symlink target must be a non-empty path".into());
                }
                Ok(EntryKind::Symlink { target: t.clone() })
            }
            (None, None, true) => Ok(EntryKind::Dir {
                mode: mode.unwrap_or(0o755),
            }),
            (c, None, false) => Ok(EntryKind::File {
                content: c.clone().unwrap_or_default(),
                mode: mode.unwrap_or(0o644),
            }),
        }
    }
}

impl FilesConfig {
    pub(crate) fn validate(&self, origin: &str, path: &str) -> Result<(), ScenarioError> {
        let invalid = |field: &str, msg: String| {
            ScenarioError::invalid(origin, format!("{path}.{field}"), msg)
        };
        self.backend_problem()
            .map_or(Ok(()), |(field, msg)| Err(invalid(field, msg)))?;
        if let Some(home) = &self.home {
            if !vpath::is_abs(home) || vpath::clean(home) != *home {
                return Err(invalid(
                    "home",
                    "home must be an absolute, clean virtual path".into(),
                ));
            }
        }
        for (p, entry) in &self.entries {
            self.entry_problem(p, entry)
                .map_or(Ok(()), |msg| Err(invalid(&format!("entries.{p}"), msg)))?;
        }
        Ok(())
    }

    /// What is wrong with the backend's settings: the field and the message.
    fn backend_problem(&self) -> Option<(&'static str, String)> {
        match (self.backend, &self.root) {
            (FilesBackend::Dir, None) => {
                Some(("root", "backend \"dir\" needs a root directory".into()))
            }
            (FilesBackend::Dir, Some(root)) => {
                let root_path = std::path::Path::new(root);
                if !root_path.is_absolute() {
                    Some(("root", "root must be an absolute host path".into()))
                } else if !root_path.is_dir() {
                    Some((
                        "root",
                        format!("root {root:?} is not an existing directory"),
                    ))
                } else if !self.entries.is_empty() {
                    Some((
                        "entries",
                        "entries seed the memory backend only; a dir root is served as it is"
                            .into(),
                    ))
                } else {
                    None
                }
            }
            (FilesBackend::Memory, Some(_)) => {
                Some(("root", "root is only used with backend \"dir\"".into()))
            }
            (FilesBackend::Memory, None) => None,
        }
    }

    /// What is wrong with entry `p`: its path, its kind, or an ancestor that is not a
    /// directory entry.
    fn entry_problem(&self, p: &str, entry: &FileEntry) -> Option<String> {
        if !vpath::is_abs(p) {
            return Some("entry paths must be absolute".into());
        }
        if vpath::clean(p) != p || p == "/" || p.contains('\0') {
            return Some(
                "entry paths must be clean (no `.`, `..`, `//` or trailing `/`) and not `/`".into(),
            );
        }
        if let Err(m) = entry.kind() {
            return Some(m);
        }
        let mut anc = vpath::dir(p);
        while anc != "/" {
            if let Some(a) = self.entries.get(&anc) {
                if !matches!(a.kind(), Ok(EntryKind::Dir { .. })) {
                    return Some(format!("parent {anc} is not a directory entry"));
                }
            }
            anc = vpath::dir(&anc);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use crate::scenario::Scenario;

    #[test]
    fn typed_entries_parse() {
        let s = Scenario::from_json(
            "t",
            r#"{"files":{"entries":{"/a/b.txt":"hi","/a/x.sh":{"content":"x","mode":"0755"},"/l":{"symlink":"/a"},"/d":{"dir":true,"mode":448}}}}"#,
        )
        .expect("valid");
        assert_eq!(s.files.entries.len(), 4);
        assert_eq!(s.files.home.as_deref(), Some("/home/coder"));
    }

    #[test]
    fn bad_entries_name_their_path() {
        for (json, path) in [
            (
                r#"{"files":{"entries":{"rel/x":"hi"}}}"#,
                "files.entries.rel/x",
            ),
            (
                r#"{"files":{"entries":{"/a/../x":"hi"}}}"#,
                "files.entries./a/../x",
            ),
            (
                r#"{"files":{"entries":{"/a":"f","/a/b":"g"}}}"#,
                "files.entries./a/b",
            ),
            (
                r#"{"files":{"entries":{"/a":{"content":"x","symlink":"/b"}}}}"#,
                "files.entries./a",
            ),
            (
                r#"{"files":{"entries":{"/a":{"mode":"999"}}}}"#,
                "files.entries./a",
            ),
            (r#"{"files":{"backend":"dir"}}"#, "files.root"),
            (r#"{"files":{"backend":"dir","root":"rel"}}"#, "files.root"),
            (
                r#"{"files":{"backend":"dir","root":"/nonexistent/agent-sim"}}"#,
                "files.root",
            ),
            (
                r#"{"files":{"backend":"dir","root":"/","entries":{"/a":"x"}}}"#,
                "files.entries",
            ),
            (r#"{"files":{"home":"home"}}"#, "files.home"),
        ] {
            let err = Scenario::from_json("t", json).unwrap_err();
            assert_eq!(err.path(), path, "{json}: {err}");
        }
    }

    #[test]
    fn null_home_means_no_home() {
        let s = Scenario::from_json("t", r#"{"files":{"home":null}}"#).expect("valid");
        assert_eq!(s.files.home, None);
    }
}
