//! The `dir` backend: a host directory served as the virtual `/`. Every operation is an
//! `*at` call relative to a directory descriptor obtained component by component with
//! `O_PATH|O_NOFOLLOW` from the root descriptor, so the host kernel never follows a symlink
//! and never resolves `..`; the walk in `walk` does both virtually. A symlink swapped in after
//! a lookup makes the `O_NOFOLLOW` open fail instead of escaping the root.

use super::errno::Errno;
use super::tree::{CreateError, FileRead, Kind, Lookup, Meta, RangeFn, Tree};
use rustix::fd::OwnedFd;
use rustix::fs::{AtFlags, FileType, Mode, OFlags};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::sync::Arc;

/// A host directory as the virtual root.
#[derive(Debug, Clone)]
pub struct DirTree {
    root: PathBuf,
}

fn errno(e: rustix::io::Errno) -> Errno {
    Errno::from_raw(e.raw_os_error())
}

fn meta_of(st: &rustix::fs::Stat) -> Meta {
    let ft = FileType::from_raw_mode(st.st_mode);
    Meta {
        kind: match ft {
            FileType::Directory => Kind::Dir,
            FileType::Symlink => Kind::Symlink,
            _ => Kind::File,
        },
        mode: st.st_mode & 0o7777,
        size: st.st_size.max(0) as u64,
    }
}

impl DirTree {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    pub fn root_path(&self) -> &std::path::Path {
        &self.root
    }
}

const PATH_FLAGS: OFlags = OFlags::PATH
    .union(OFlags::DIRECTORY)
    .union(OFlags::NOFOLLOW)
    .union(OFlags::CLOEXEC);

impl Tree for DirTree {
    type Dir = Arc<OwnedFd>;

    fn root(&mut self) -> Result<Self::Dir, Errno> {
        rustix::fs::open(
            &self.root,
            PATH_FLAGS.difference(OFlags::NOFOLLOW),
            Mode::empty(),
        )
        .map(Arc::new)
        .map_err(errno)
    }

    fn lookup(&mut self, dir: &Self::Dir, name: &str) -> Result<Lookup, Errno> {
        let st =
            rustix::fs::statat(dir.as_ref(), name, AtFlags::SYMLINK_NOFOLLOW).map_err(errno)?;
        let meta = meta_of(&st);
        let target = if meta.kind == Kind::Symlink {
            let t = rustix::fs::readlinkat(dir.as_ref(), name, Vec::new()).map_err(errno)?;
            Some(String::from_utf8_lossy(t.as_bytes()).into_owned())
        } else {
            None
        };
        Ok(Lookup { meta, target })
    }

    fn open_subdir(&mut self, dir: &Self::Dir, name: &str) -> Result<Self::Dir, Errno> {
        rustix::fs::openat(dir.as_ref(), name, PATH_FLAGS, Mode::empty())
            .map(Arc::new)
            .map_err(errno)
    }

    fn dir_meta(&mut self, dir: &Self::Dir) -> Result<Meta, Errno> {
        rustix::fs::fstat(dir.as_ref())
            .map(|s| meta_of(&s))
            .map_err(errno)
    }

    fn check_readable_dir(&mut self, dir: &Self::Dir) -> Result<(), Errno> {
        rustix::fs::openat(
            dir.as_ref(),
            ".",
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map(drop)
        .map_err(errno)
    }

    fn read_file(
        &mut self,
        dir: &Self::Dir,
        name: &str,
        range: RangeFn<'_>,
    ) -> Result<FileRead, Errno> {
        let fd = rustix::fs::openat(
            dir.as_ref(),
            name,
            OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NONBLOCK,
            Mode::empty(),
        )
        .map_err(errno)?;
        let st = rustix::fs::fstat(&fd).map_err(errno)?;
        let meta = meta_of(&st);
        if meta.kind == Kind::Dir {
            return Err(Errno::IsADirectory);
        }
        let (off, len) = range(&meta);
        let mut file = std::fs::File::from(fd);
        let mut data = Vec::new();
        if len > 0 {
            file.seek(SeekFrom::Start(off))
                .map_err(|e| Errno::from_io(&e))?;
            file.take(len)
                .read_to_end(&mut data)
                .map_err(|e| Errno::from_io(&e))?;
        }
        Ok(FileRead { meta, data })
    }

    fn list(&mut self, dir: &Self::Dir) -> Result<Vec<(String, bool)>, Errno> {
        let fd = rustix::fs::openat(
            dir.as_ref(),
            ".",
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(errno)?;
        let mut out = Vec::new();
        let mut d = rustix::fs::Dir::read_from(&fd).map_err(errno)?;
        // Read errors are ignored, as the agent ignores them (partial list kept).
        while let Some(Ok(entry)) = d.next() {
            let name = entry.file_name().to_bytes();
            if name == b"." || name == b".." {
                continue;
            }
            let name = String::from_utf8_lossy(name).into_owned();
            let is_dir = rustix::fs::statat(&fd, name.as_str(), AtFlags::SYMLINK_NOFOLLOW)
                .map(|st| FileType::from_raw_mode(st.st_mode) == FileType::Directory)
                .unwrap_or(false);
            out.push((name, is_dir));
        }
        Ok(out)
    }

    fn mkdir(&mut self, dir: &Self::Dir, name: &str, mode: u32) -> Result<(), Errno> {
        rustix::fs::mkdirat(dir.as_ref(), name, Mode::from_raw_mode(mode)).map_err(errno)
    }

    fn create_excl(
        &mut self,
        dir: &Self::Dir,
        name: &str,
        data: &[u8],
        mode: Option<u32>,
    ) -> Result<(), CreateError> {
        let fd = rustix::fs::openat(
            dir.as_ref(),
            name,
            OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::from_raw_mode(0o666),
        )
        .map_err(|e| CreateError::Open(errno(e)))?;
        let mut file = std::fs::File::from(fd);
        let written = file.write_all(data).and_then(|()| file.flush());
        if let Err(e) = written {
            drop(file);
            let _ = rustix::fs::unlinkat(dir.as_ref(), name, AtFlags::empty());
            return Err(CreateError::Write(Errno::from_io(&e)));
        }
        if let Some(mode) = mode {
            // Failure is only logged by the agent.
            if let Err(e) = rustix::fs::fchmod(&file, Mode::from_raw_mode(mode)) {
                tracing::debug!(error = %e, "chmod of temp file failed");
            }
        }
        Ok(())
    }

    fn rename(&mut self, dir: &Self::Dir, from: &str, to: &str) -> Result<(), Errno> {
        rustix::fs::renameat(dir.as_ref(), from, dir.as_ref(), to).map_err(errno)
    }

    fn unlink(&mut self, dir: &Self::Dir, name: &str) -> Result<(), Errno> {
        rustix::fs::unlinkat(dir.as_ref(), name, AtFlags::empty()).map_err(errno)
    }
}
