//! The backend trait: the few no-follow, directory-relative primitives both backends provide
//! (`openat`-style: every operation names one entry inside an already opened directory).
//! Path walking, symlink following and confinement are written once on top, in `walk`.

use super::errno::Errno;

/// What an entry is, from an lstat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    File,
    Dir,
    Symlink,
}

/// lstat/stat information the files API needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Meta {
    pub kind: Kind,
    /// Permission bits (`0o7777` mask).
    pub mode: u32,
    pub size: u64,
}

/// An entry as seen by a no-follow lookup: its metadata and, for a symlink, the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookup {
    pub meta: Meta,
    pub target: Option<String>,
}

/// One file read through a no-follow open: its metadata and the requested byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRead {
    pub meta: Meta,
    pub data: Vec<u8>,
}

/// Chooses the byte range `(offset, len)` to read once the file's metadata is known.
pub type RangeFn<'a> = &'a dyn Fn(&Meta) -> (u64, u64);

/// A backend: directory handles and entry operations relative to them. No method ever
/// follows a symlink; names are single components (never empty, `.` or `..`).
pub trait Tree {
    type Dir: Clone;

    /// The virtual `/`.
    fn root(&mut self) -> Result<Self::Dir, Errno>;
    /// lstat of `name` in `dir` (needs search permission on `dir`).
    fn lookup(&mut self, dir: &Self::Dir, name: &str) -> Result<Lookup, Errno>;
    /// Opens the subdirectory `name` of `dir` without following a symlink.
    fn open_subdir(&mut self, dir: &Self::Dir, name: &str) -> Result<Self::Dir, Errno>;
    /// fstat of an open directory.
    fn dir_meta(&mut self, dir: &Self::Dir) -> Result<Meta, Errno>;
    /// Opening the directory for reading (`os.Open`): needs read permission.
    fn check_readable_dir(&mut self, dir: &Self::Dir) -> Result<(), Errno>;
    /// Opens `name` read-only without following, then reads the range chosen by `range`.
    fn read_file(
        &mut self,
        dir: &Self::Dir,
        name: &str,
        range: RangeFn<'_>,
    ) -> Result<FileRead, Errno>;
    /// Entry names with lstat-based `is_dir` (unsorted).
    fn list(&mut self, dir: &Self::Dir) -> Result<Vec<(String, bool)>, Errno>;
    fn mkdir(&mut self, dir: &Self::Dir, name: &str, mode: u32) -> Result<(), Errno>;
    /// `O_WRONLY|O_CREATE|O_EXCL`, write `data`, then chmod to `mode` if given. A failed write
    /// removes the file and is reported as `Err(Write(..))`.
    fn create_excl(
        &mut self,
        dir: &Self::Dir,
        name: &str,
        data: &[u8],
        mode: Option<u32>,
    ) -> Result<(), CreateError>;
    fn rename(&mut self, dir: &Self::Dir, from: &str, to: &str) -> Result<(), Errno>;
    fn unlink(&mut self, dir: &Self::Dir, name: &str) -> Result<(), Errno>;
}

/// Why [`Tree::create_excl`] failed: at the open, or while writing the content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreateError {
    Open(Errno),
    Write(Errno),
}
