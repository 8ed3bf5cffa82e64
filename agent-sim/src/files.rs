//! The filesystem behind the files API: a `memory` tree seeded from the scenario or a `dir`
//! root on disk, both behind the [`tree::Tree`] trait, with path walking and confinement
//! (`walk`), Go's path and error texts (`vpath`, `errno`), `resolvePath` (`resolve`), the
//! operations the handlers use (`ops`), the edit matcher (`matcher`) and unified diffs (`diff`).

pub mod diff;
pub mod dir;
pub mod errno;
pub mod lines;
pub mod matcher;
pub mod memory;
pub mod mime;
pub mod ops;
pub mod resolve;
pub mod tree;
pub mod vpath;
pub mod walk;

use crate::scenario::files::{EntryKind, FilesBackend, FilesConfig};
use crate::scenario::Scenario;
use dir::DirTree;
use memory::{MemNode, MemTree};
use std::sync::{Mutex, MutexGuard};

/// The files area's state: the configuration in force and the memory tree (locked in that
/// order when both are needed).
pub struct FileStore {
    config: Mutex<FilesConfig>,
    memory: Mutex<MemTree>,
}

impl std::fmt::Debug for FileStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileStore").finish_non_exhaustive()
    }
}

/// A backend borrowed for one operation: the locked memory tree or a dir root.
pub enum Lease<'a> {
    Memory(MutexGuard<'a, MemTree>),
    Dir(DirTree),
}

/// Runs `$body` with `$t` bound to `&mut impl Tree` for whichever backend is in force.
#[macro_export]
macro_rules! with_tree {
    ($store:expr, |$t:ident| $body:expr) => {
        match $store.lease() {
            $crate::files::Lease::Memory(mut guard) => {
                let $t: &mut $crate::files::memory::MemTree = &mut guard;
                $body
            }
            $crate::files::Lease::Dir(mut d) => {
                let $t: &mut $crate::files::dir::DirTree = &mut d;
                $body
            }
        }
    };
}

/// The memory tree a files configuration seeds: `/`, `/tmp`, the home, then the entries.
pub fn seed(config: &FilesConfig) -> MemTree {
    let mut t = MemTree::default();
    t.insert("/tmp", MemNode::Dir { mode: 0o1777 });
    if let Some(home) = &config.home {
        if home != "/" {
            t.insert(home, MemNode::Dir { mode: 0o755 });
        }
    }
    for (path, entry) in &config.entries {
        let node = match entry.kind() {
            Ok(EntryKind::File { content, mode }) => MemNode::File {
                data: content.into_bytes(),
                mode,
            },
            Ok(EntryKind::Dir { mode }) => MemNode::Dir { mode },
            Ok(EntryKind::Symlink { target }) => MemNode::Symlink { target },
            // Validation rejected these already.
            Err(_) => continue,
        };
        t.insert(path, node);
    }
    t
}

impl Default for FileStore {
    fn default() -> Self {
        Self::new(&Scenario::default())
    }
}

impl FileStore {
    /// Builds the state for a newly started simulator.
    pub fn new(scenario: &Scenario) -> Self {
        Self {
            config: Mutex::new(scenario.files.clone()),
            memory: Mutex::new(seed(&scenario.files)),
        }
    }

    fn config(&self) -> MutexGuard<'_, FilesConfig> {
        self.config.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn memory(&self) -> MutexGuard<'_, MemTree> {
        self.memory.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A new scenario was put in force: the tree is re-seeded only if the files section
    /// changed, so writes survive unrelated scenario patches.
    pub fn apply_scenario(&self, scenario: &Scenario) {
        let mut config = self.config();
        if *config != scenario.files {
            *config = scenario.files.clone();
            *self.memory() = seed(&scenario.files);
        }
    }

    /// `POST /__sim/reset`: back to the start scenario's tree.
    pub fn reset(&self, scenario: &Scenario) {
        let mut config = self.config();
        *config = scenario.files.clone();
        *self.memory() = seed(&scenario.files);
    }

    /// The simulator is shutting down: nothing runs in the background.
    pub fn shutdown(&self) {}

    /// The virtual home (`$HOME`), if the agent has one.
    pub fn home(&self) -> Option<String> {
        self.config().home.clone()
    }

    /// The backend for one operation.
    pub fn lease(&self) -> Lease<'_> {
        let (backend, root) = {
            let c = self.config();
            (c.backend, c.root.clone())
        };
        match (backend, root) {
            (FilesBackend::Dir, Some(root)) => Lease::Dir(DirTree::new(root)),
            _ => Lease::Memory(self.memory()),
        }
    }

    /// A copy of the memory tree (tests and snapshots).
    pub fn memory_snapshot(&self) -> MemTree {
        self.memory().clone()
    }
}
