//! The fixture scenarios the controlled tier puts in force: by default the set shipped in
//! agent-sim (`fixtures/`, embedded at build time), or every `*.json` of a `--fixtures DIR`;
//! sorted by name so runs and snapshot names are stable.

use std::path::{Path, PathBuf};

/// One fixture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fixture {
    /// File stem (`default` for `default.json`): the name used in case and snapshot names.
    pub name: String,
    /// Where it came from, for messages: `builtin:NAME` or the file's path.
    pub origin: String,
    pub json: String,
}

/// Why the fixtures could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FixtureError {
    #[error("fixtures folder {}: {source}", dir.display())]
    Dir {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("fixtures folder {} holds no .json fixture", dir.display())]
    Empty { dir: PathBuf },
    #[error("cannot read fixture {}: {source}", path.display())]
    File {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// The fixtures shipped in agent-sim, embedded in both binaries.
pub fn embedded() -> Vec<Fixture> {
    agent_sim::scenario::fixtures::all()
        .into_iter()
        .map(|f| Fixture {
            name: f.name.to_string(),
            origin: format!("builtin:{}", f.name),
            json: f.json.to_string(),
        })
        .collect()
}

/// Reads every `*.json` in `dir`, sorted by name; a folder without one is an error.
pub fn load(dir: &Path) -> Result<Vec<Fixture>, FixtureError> {
    let entries = std::fs::read_dir(dir).map_err(|source| FixtureError::Dir {
        dir: dir.to_path_buf(),
        source,
    })?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    if paths.is_empty() {
        return Err(FixtureError::Empty {
            dir: dir.to_path_buf(),
        });
    }
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
            let origin = path.display().to_string();
            Ok(Fixture { name, origin, json })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_fixtures_are_the_shipped_files() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
        let on_disk = load(&dir).unwrap();
        let embedded = embedded();
        assert_eq!(
            embedded
                .iter()
                .map(|f| (&f.name, &f.json))
                .collect::<Vec<_>>(),
            on_disk
                .iter()
                .map(|f| (&f.name, &f.json))
                .collect::<Vec<_>>()
        );
        assert_eq!(embedded[0].origin, format!("builtin:{}", embedded[0].name));
    }

    #[test]
    fn a_fixtures_folder_must_hold_fixtures() {
        let empty = std::env::temp_dir().join(format!("empty-fixtures-{}", std::process::id()));
        std::fs::create_dir_all(&empty).unwrap();
        let e = load(&empty).unwrap_err().to_string();
        assert_eq!(
            e,
            format!("fixtures folder {} holds no .json fixture", empty.display())
        );
        std::fs::remove_dir_all(&empty).unwrap();
        let e = load(&empty).unwrap_err().to_string();
        assert!(
            e.starts_with(&format!("fixtures folder {}: ", empty.display())),
            "{e}"
        );
    }
}
