//! Path walking on top of [`Tree`]: the kernel's lookup rules (intermediate symlinks followed,
//! 40 hops, `ENOTDIR`, trailing slash means "directory") with chroot semantics. Each component
//! is looked up without following inside an already opened directory; a symlink's target is
//! re-walked from the virtual root (absolute) or the link's directory (relative), and `..`
//! pops to the parent handle, never above the root. So nothing outside the root is reachable,
//! whatever the links say or however the tree changes during the walk.

use super::errno::Errno;
use super::tree::{Lookup, Meta, Tree};
use std::collections::VecDeque;

/// Linux `MAXSYMLINKS`.
pub const MAX_HOPS: usize = 40;

/// Where a walk ended.
pub enum Found<D> {
    /// The path named a directory with no final entry name (`/`, `/a/..`): its handle.
    This(D, Meta),
    /// A final entry `name` inside `parent`; `entry` is its lookup (after following, when
    /// asked to) or the lookup error (`ENOENT` for a missing last component).
    Leaf {
        parent: D,
        name: String,
        entry: Result<Lookup, Errno>,
    },
}

/// Walks `path` (virtual, absolute, not necessarily clean). Intermediate symlinks are always
/// followed; the last component only when `follow_last` (or the path ends in `/`).
pub fn walk_path<T: Tree>(
    t: &mut T,
    path: &str,
    follow_last: bool,
) -> Result<Found<T::Dir>, Errno> {
    if path.contains('\0') {
        return Err(Errno::Invalid);
    }
    let root = t.root()?;
    let must_be_dir = path.ends_with('/') || path.ends_with("/.") || path.ends_with("/..");
    let mut pending: VecDeque<String> = components(path).collect();
    // Directories entered so far (the root is implicit below them).
    let mut stack: Vec<T::Dir> = Vec::new();
    let mut hops = 0usize;
    while let Some(comp) = pending.pop_front() {
        let cur = stack.last().cloned().unwrap_or_else(|| root.clone());
        if comp == ".." {
            stack.pop();
            continue;
        }
        let last = pending.is_empty();
        let entry = match t.lookup(&cur, &comp) {
            Ok(e) => e,
            Err(e) if last => {
                return Ok(Found::Leaf {
                    parent: cur,
                    name: comp,
                    entry: Err(e),
                })
            }
            Err(e) => return Err(e),
        };
        if let Some(target) = &entry.target {
            if !last || follow_last || must_be_dir {
                hops += 1;
                if hops > MAX_HOPS {
                    return Err(Errno::Loop);
                }
                if target.is_empty() {
                    return Err(Errno::NotFound);
                }
                if target.starts_with('/') {
                    stack.clear();
                }
                for c in components(target).collect::<Vec<_>>().into_iter().rev() {
                    pending.push_front(c);
                }
                if pending.is_empty() {
                    // The link points at `/` (or its own directory): that directory itself.
                    let d = stack.last().cloned().unwrap_or_else(|| root.clone());
                    let meta = t.dir_meta(&d)?;
                    return Ok(Found::This(d, meta));
                }
                continue;
            }
        }
        if last {
            if must_be_dir && entry.meta.kind != super::tree::Kind::Dir {
                return Err(Errno::NotADirectory);
            }
            return Ok(Found::Leaf {
                parent: cur,
                name: comp,
                entry: Ok(entry),
            });
        }
        match entry.meta.kind {
            super::tree::Kind::Dir => {
                let d = t.open_subdir(&cur, &comp)?;
                stack.push(d);
            }
            _ => return Err(Errno::NotADirectory),
        }
    }
    let d = stack.last().cloned().unwrap_or(root);
    let meta = t.dir_meta(&d)?;
    Ok(Found::This(d, meta))
}

fn components(path: &str) -> impl Iterator<Item = String> + '_ {
    path.split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .map(str::to_string)
}
