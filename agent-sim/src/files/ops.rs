//! The operations the handlers need, written once for every backend on top of `walk`:
//! lstat/readlink, `os.Open` + read, directory listing, `os.MkdirAll`, and the agent's atomic
//! write (temp file `.<base>.tmp.<8hex>` in the same directory, then rename).

use super::errno::{Errno, PathError};
use super::tree::{CreateError, FileRead, Kind, Lookup, Meta, Tree};
use super::vpath;
use super::walk::{walk_path, Found};

/// lstat of a virtual path (intermediate links followed, the last not).
pub fn lstat<T: Tree>(t: &mut T, path: &str) -> Result<Lookup, Errno> {
    match walk_path(t, path, false)? {
        Found::This(_, meta) => Ok(Lookup { meta, target: None }),
        Found::Leaf { entry, .. } => entry,
    }
}

/// stat of a virtual path (every link followed).
pub fn stat<T: Tree>(t: &mut T, path: &str) -> Result<Meta, Errno> {
    match walk_path(t, path, true)? {
        Found::This(_, meta) => Ok(meta),
        Found::Leaf { entry, .. } => entry.map(|e| e.meta),
    }
}

/// What `os.Open` of a path gave.
pub enum Opened<D> {
    File(FileRead),
    Dir(D, Meta),
}

/// `os.Open` (following links) and, for a file, a read of the range `range` chooses.
pub fn open<T: Tree>(
    t: &mut T,
    path: &str,
    range: super::tree::RangeFn<'_>,
) -> Result<Opened<T::Dir>, Errno> {
    match walk_path(t, path, true)? {
        Found::This(d, meta) => {
            t.check_readable_dir(&d)?;
            Ok(Opened::Dir(d, meta))
        }
        Found::Leaf {
            parent,
            name,
            entry,
        } => {
            let entry = entry?;
            match entry.meta.kind {
                Kind::Dir => {
                    let d = t.open_subdir(&parent, &name)?;
                    t.check_readable_dir(&d)?;
                    let meta = t.dir_meta(&d)?;
                    Ok(Opened::Dir(d, meta))
                }
                // A link that changed under us: report it as the kernel would for O_NOFOLLOW.
                Kind::Symlink => Err(Errno::Loop),
                Kind::File => Ok(Opened::File(t.read_file(&parent, &name, range)?)),
            }
        }
    }
}

/// Entries of an opened directory: `(name, is_dir)` with lstat semantics.
pub fn list<T: Tree>(t: &mut T, dir: &T::Dir) -> Result<Vec<(String, bool)>, Errno> {
    t.list(dir)
}

/// Go `os.MkdirAll(path, mode)` on a virtual path, with Go's error values.
pub fn mkdir_all<T: Tree>(t: &mut T, path: &str, mode: u32) -> Result<(), PathError> {
    match stat(t, path) {
        Ok(m) if m.kind == Kind::Dir => return Ok(()),
        Ok(_) => return Err(PathError::new("mkdir", path, Errno::NotADirectory)),
        Err(_) => {}
    }
    let trimmed = path.trim_end_matches('/');
    if let Some(j) = trimmed.rfind('/') {
        if j > 0 {
            mkdir_all(t, &trimmed[..j], mode)?;
        }
    }
    match mkdir(t, path, mode) {
        Ok(()) => Ok(()),
        Err(e) => match lstat(t, path) {
            Ok(l) if l.meta.kind == Kind::Dir => Ok(()),
            _ => Err(PathError::new("mkdir", path, e)),
        },
    }
}

fn mkdir<T: Tree>(t: &mut T, path: &str, mode: u32) -> Result<(), Errno> {
    match walk_path(t, path, false)? {
        Found::This(..) => Err(Errno::Exists),
        Found::Leaf {
            parent,
            name,
            entry,
        } => match entry {
            Ok(_) => Err(Errno::Exists),
            Err(Errno::NotFound) => t.mkdir(&parent, &name, mode),
            Err(e) => Err(e),
        },
    }
}

/// Why an atomic write failed, with the agent's status class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteError {
    /// `resolved` is a directory: 400 `open <resolved>: is a directory`.
    IsDir(String),
    /// Creating the temp file: 403 on EACCES, else 500, `open <tmp>: <errno>`.
    Create(PathError),
    /// Copying the content: 500 `write <resolved>: <err>`.
    Write { resolved: String, err: Errno },
    /// Renaming: 403 on EACCES, else 500, `write <resolved>: rename <tmp> <resolved>: <errno>`.
    Rename {
        resolved: String,
        tmp: String,
        err: Errno,
    },
    /// The parent directory could not be reached (a race): 500 with the path error.
    Parent(PathError),
}

impl WriteError {
    pub fn status(&self) -> u16 {
        match self {
            WriteError::IsDir(_) => 400,
            WriteError::Create(e) if e.err == Errno::PermissionDenied => 403,
            WriteError::Rename { err, .. } if *err == Errno::PermissionDenied => 403,
            _ => 500,
        }
    }
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::IsDir(p) => write!(f, "open {p}: is a directory"),
            WriteError::Create(e) | WriteError::Parent(e) => write!(f, "{e}"),
            WriteError::Write { resolved, err } => write!(f, "write {resolved}: {err}"),
            WriteError::Rename { resolved, tmp, err } => {
                write!(f, "write {resolved}: rename {tmp} {resolved}: {err}")
            }
        }
    }
}

/// The agent's atomic write of `data` to the already resolved, existing-parent path.
/// `suffix` is the 8 hex characters of the temp name.
pub fn write_atomic<T: Tree>(
    t: &mut T,
    resolved: &str,
    data: &[u8],
    suffix: &str,
) -> Result<(), WriteError> {
    let old_mode = match stat(t, resolved) {
        Ok(m) if m.kind == Kind::Dir => return Err(WriteError::IsDir(resolved.to_string())),
        Ok(m) => Some(m.mode),
        Err(_) => None,
    };
    let dir = vpath::dir(resolved);
    let base = vpath::base(resolved);
    let tmp_name = format!(".{base}.tmp.{suffix}");
    let tmp = vpath::join(&[dir.as_str(), tmp_name.as_str()]);
    let parent = match walk_path(t, resolved, false) {
        Ok(Found::Leaf { parent, name, .. }) if name == base => parent,
        Ok(_) => return Err(WriteError::IsDir(resolved.to_string())),
        Err(e) => return Err(WriteError::Parent(PathError::new("open", tmp, e))),
    };
    match t.create_excl(&parent, &tmp_name, data, old_mode) {
        Ok(()) => {}
        Err(CreateError::Open(e)) => {
            return Err(WriteError::Create(PathError::new("open", tmp, e)))
        }
        Err(CreateError::Write(err)) => {
            return Err(WriteError::Write {
                resolved: resolved.to_string(),
                err,
            })
        }
    }
    if let Err(err) = t.rename(&parent, &tmp_name, &base) {
        let _ = t.unlink(&parent, &tmp_name);
        return Err(WriteError::Rename {
            resolved: resolved.to_string(),
            tmp,
            err,
        });
    }
    Ok(())
}
