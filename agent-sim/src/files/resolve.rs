//! `resolvePath` (`resolvepath.go`): absolute only, lexical clean first, then every existing
//! symlink component replaced by its target (40 hops), missing tails kept.

use super::errno::{Errno, PathError};
use super::ops;
use super::tree::{Kind, Tree};
use super::vpath;
use crate::gostr;

/// The agent's hop limit for `resolvePath`.
pub const MAX_DEPTH: usize = 40;

/// Why `resolvePath` failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResolveError {
    /// `file path must be absolute: "<p>"`, with the path's bytes as Go holds them (a query
    /// value need not be UTF-8).
    NotAbsolute(Vec<u8>),
    /// `too many levels of symlinks resolving "<q>"`.
    TooManyLinks(String),
    /// An lstat or readlink error, as is.
    Os(PathError),
}

/// The agent's first check on every path parameter (`go_path`: its bytes as Go holds them): it
/// must be absolute.
pub fn require_absolute(go_path: &[u8]) -> Result<(), ResolveError> {
    // `filepath.IsAbs`: a leading `/`, whatever the bytes after it.
    if go_path.first() == Some(&b'/') {
        Ok(())
    } else {
        Err(ResolveError::NotAbsolute(go_path.to_vec()))
    }
}

impl ResolveError {
    /// Whether the error wraps EACCES (resolve-path answers 403 for it).
    pub fn is_permission(&self) -> bool {
        matches!(self, ResolveError::Os(e) if e.err == Errno::PermissionDenied)
    }
}

impl std::fmt::Display for ResolveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ResolveError::NotAbsolute(p) => {
                write!(f, "file path must be absolute: {}", gostr::quote_bytes(p))
            }
            ResolveError::TooManyLinks(q) => {
                write!(
                    f,
                    "too many levels of symlinks resolving {}",
                    gostr::quote(q)
                )
            }
            ResolveError::Os(e) => write!(f, "{e}"),
        }
    }
}

/// `resolvePath(p)`.
pub fn resolve_path<T: Tree>(t: &mut T, p: &str) -> Result<String, ResolveError> {
    require_absolute(p.as_bytes())?;
    resolve(t, &vpath::clean(p), 0)
}

fn resolve<T: Tree>(t: &mut T, q: &str, depth: usize) -> Result<String, ResolveError> {
    if depth > MAX_DEPTH {
        return Err(ResolveError::TooManyLinks(q.to_string()));
    }
    let keep = |t: &mut T| -> Result<String, ResolveError> {
        let d = vpath::dir(q);
        if d == q {
            return Ok(q.to_string());
        }
        let parent = resolve(t, &d, depth)?;
        Ok(vpath::join(&[parent, vpath::base(q)]))
    };
    match ops::lstat(t, q) {
        Ok(l) if l.meta.kind == Kind::Symlink => {
            let target = l.target.unwrap_or_default();
            let target = if vpath::is_abs(&target) {
                target
            } else {
                vpath::join(&[vpath::dir(q), target])
            };
            resolve(t, &vpath::clean(&target), depth + 1)
        }
        Ok(_) | Err(Errno::NotFound) => keep(t),
        Err(e) => Err(ResolveError::Os(PathError::new("lstat", q, e))),
    }
}
