//! Saved baselines: a folder of insta-compatible `.snap` files, one per request (named after
//! the request's case), holding the normalized answer. Differences are written beside them
//! as `.snap.new` files, which `cargo insta review` (or any diff tool) can take or leave;
//! `accept` takes them all.

use super::normalize::Side;
use std::io;
use std::path::{Path, PathBuf};

/// The file stem of a request's snapshot: the case name with `/` as `__` and anything outside
/// `[A-Za-z0-9._-]` as `-`.
pub fn stem(name: &str) -> String {
    name.replace('/', "__")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect()
}

fn snap_path(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{}.snap", stem(name)))
}

fn new_path(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{}.snap.new", stem(name)))
}

/// A snapshot file's text: insta's header, then the rendering.
fn snap_text(request_line: &str, side: &Side) -> String {
    let mut body = side.text().to_string();
    if !body.ends_with('\n') {
        body.push('\n');
    }
    format!("---\nsource: agent-conformance compare\nexpression: {request_line}\n---\n{body}")
}

/// Writes one answer as `NAME.snap`.
pub fn save(dir: &Path, name: &str, request_line: &str, side: &Side) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(snap_path(dir, name), snap_text(request_line, side))
}

/// The saved answer for `name`, if any.
pub fn load(dir: &Path, name: &str) -> Option<Side> {
    crate::snapshot::read_snap(&snap_path(dir, name)).map(Side::from_saved)
}

/// Writes a differing answer as `NAME.snap.new`, or removes a stale one when the answer is
/// the same again.
pub fn record_new(
    dir: &Path,
    name: &str,
    request_line: &str,
    differing: Option<&Side>,
) -> io::Result<()> {
    let path = new_path(dir, name);
    match differing {
        Some(side) => std::fs::write(path, snap_text(request_line, side)),
        None => match std::fs::remove_file(path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        },
    }
}

/// Takes every `.snap.new` in `dir` (renames it over its `.snap`); returns the files taken.
pub fn accept(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut taken = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if let Some(snap) = name.strip_suffix(".new").filter(|n| n.ends_with(".snap")) {
            let to = dir.join(snap);
            std::fs::rename(&path, &to)?;
            taken.push(to);
        }
    }
    taken.sort();
    Ok(taken)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_are_file_names() {
        assert_eq!(stem("router/404/unknown-path"), "router__404__unknown-path");
        assert_eq!(stem("a b?c"), "a-b-c");
    }

    #[test]
    fn save_load_new_accept() {
        let dir = std::env::temp_dir().join(format!(
            "compare-baseline-{}",
            uuid::Uuid::new_v4().simple()
        ));
        let old = Side::Answered("request: GET /\nstatus: 200\n".into());
        let new = Side::Answered("request: GET /\nstatus: 500\n".into());
        save(&dir, "core/hello", "GET /", &old).unwrap();
        assert_eq!(load(&dir, "core/hello"), Some(old.clone()));
        assert_eq!(load(&dir, "core/other"), None);
        record_new(&dir, "core/hello", "GET /", Some(&new)).unwrap();
        assert!(dir.join("core__hello.snap.new").exists());
        assert_eq!(
            load(&dir, "core/hello"),
            Some(old),
            "the baseline is untouched"
        );
        let taken = accept(&dir).unwrap();
        assert_eq!(taken, vec![dir.join("core__hello.snap")]);
        assert_eq!(load(&dir, "core/hello"), Some(new));
        record_new(&dir, "core/hello", "GET /", None).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
