//! The fixture scenarios in `fixtures/`: every `*.json` there, found at run time, sorted by
//! file name so runs and snapshot names are stable.

use std::path::{Path, PathBuf};

/// One fixture file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fixture {
    /// File stem (`default` for `default.json`): the name used in case and snapshot names.
    pub name: String,
    pub path: PathBuf,
    pub json: String,
}

/// Why the fixtures could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FixtureError {
    #[error("cannot read fixtures folder {dir}: {source}")]
    Dir {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read fixture {path}: {source}")]
    File {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Reads every `*.json` in `dir`, sorted by name.
pub fn load(dir: &Path) -> Result<Vec<Fixture>, FixtureError> {
    let entries = std::fs::read_dir(dir).map_err(|source| FixtureError::Dir {
        dir: dir.to_path_buf(),
        source,
    })?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let json = std::fs::read_to_string(&path).map_err(|source| FixtureError::File {
                path: path.clone(),
                source,
            })?;
            let name = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            Ok(Fixture { name, path, json })
        })
        .collect()
}

/// The workspace folder this crate was built in (default home of `fixtures/` and `snapshots/`).
pub fn workspace_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// `NAME/` in the current directory if it exists, else in the build's workspace.
pub fn default_dir(name: &str) -> PathBuf {
    let local = PathBuf::from(name);
    if local.is_dir() {
        local
    } else {
        workspace_dir().join(name)
    }
}
