//! The `memory` backend: a virtual tree (files, directories, modes, symlinks) seeded from the
//! scenario's entries; nothing touches the disk. Permission bits are checked as for a
//! non-root owner of every entry (search `x` to look up, `r` to read or list, `w`+`x` to
//! change a directory), so modes in entries produce the real agent's `permission denied`.

use super::errno::Errno;
use super::tree::{CreateError, FileRead, Kind, Lookup, Meta, RangeFn, Tree};
use std::collections::BTreeMap;

/// One entry of the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemNode {
    File { data: Vec<u8>, mode: u32 },
    Dir { mode: u32 },
    Symlink { target: String },
}

impl MemNode {
    fn meta(&self) -> Meta {
        match self {
            MemNode::File { data, mode } => Meta {
                kind: Kind::File,
                mode: *mode,
                size: data.len() as u64,
            },
            MemNode::Dir { mode } => Meta {
                kind: Kind::Dir,
                mode: *mode,
                size: 4096,
            },
            MemNode::Symlink { target } => Meta {
                kind: Kind::Symlink,
                mode: 0o777,
                size: target.len() as u64,
            },
        }
    }
}

/// The tree: physical (symlink-free) absolute paths → nodes; `/` is always a directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemTree {
    nodes: BTreeMap<String, MemNode>,
}

impl Default for MemTree {
    fn default() -> Self {
        let mut nodes = BTreeMap::new();
        nodes.insert("/".to_string(), MemNode::Dir { mode: 0o755 });
        Self { nodes }
    }
}

fn child(dir: &str, name: &str) -> String {
    if dir == "/" {
        format!("/{name}")
    } else {
        format!("{dir}/{name}")
    }
}

impl MemTree {
    /// Inserts `node` at the clean absolute `path`, creating missing parents (0755).
    /// Used for seeding; an existing entry is replaced.
    pub fn insert(&mut self, path: &str, node: MemNode) {
        let mut cur = String::from("/");
        let parts: Vec<&str> = path.split('/').filter(|c| !c.is_empty()).collect();
        for (i, part) in parts.iter().enumerate() {
            cur = child(&cur, part);
            if i + 1 == parts.len() {
                self.nodes.insert(cur.clone(), node.clone());
            } else {
                self.nodes
                    .entry(cur.clone())
                    .or_insert(MemNode::Dir { mode: 0o755 });
            }
        }
    }

    /// The node stored at a physical path (tests and snapshots).
    pub fn get(&self, path: &str) -> Option<&MemNode> {
        self.nodes.get(path)
    }

    /// Every physical path and node, in byte order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &MemNode)> {
        self.nodes.iter()
    }

    fn dir_mode(&self, dir: &str) -> Result<u32, Errno> {
        match self.nodes.get(dir) {
            Some(MemNode::Dir { mode }) => Ok(*mode),
            Some(_) => Err(Errno::NotADirectory),
            None => Err(Errno::NotFound),
        }
    }

    fn searchable(&self, dir: &str) -> Result<(), Errno> {
        if self.dir_mode(dir)? & 0o100 == 0 {
            return Err(Errno::PermissionDenied);
        }
        Ok(())
    }

    fn writable(&self, dir: &str) -> Result<(), Errno> {
        if self.dir_mode(dir)? & 0o300 != 0o300 {
            return Err(Errno::PermissionDenied);
        }
        Ok(())
    }

    fn children<'a>(&'a self, dir: &'a str) -> impl Iterator<Item = (&'a str, &'a MemNode)> + 'a {
        let prefix = if dir == "/" {
            "/".to_string()
        } else {
            format!("{dir}/")
        };
        self.nodes
            .range(prefix.clone()..)
            .take_while(move |(k, _)| k.starts_with(&prefix))
            .filter_map(move |(k, v)| {
                let rest = &k[if dir == "/" { 1 } else { dir.len() + 1 }..];
                (!rest.is_empty() && !rest.contains('/')).then_some((rest, v))
            })
    }
}

impl Tree for MemTree {
    type Dir = String;

    fn root(&mut self) -> Result<String, Errno> {
        Ok("/".to_string())
    }

    fn lookup(&mut self, dir: &String, name: &str) -> Result<Lookup, Errno> {
        self.searchable(dir)?;
        let node = self.nodes.get(&child(dir, name)).ok_or(Errno::NotFound)?;
        Ok(Lookup {
            meta: node.meta(),
            target: match node {
                MemNode::Symlink { target } => Some(target.clone()),
                _ => None,
            },
        })
    }

    fn open_subdir(&mut self, dir: &String, name: &str) -> Result<String, Errno> {
        self.searchable(dir)?;
        let path = child(dir, name);
        match self.nodes.get(&path) {
            Some(MemNode::Dir { .. }) => Ok(path),
            Some(MemNode::Symlink { .. }) => Err(Errno::Loop),
            Some(_) => Err(Errno::NotADirectory),
            None => Err(Errno::NotFound),
        }
    }

    fn dir_meta(&mut self, dir: &String) -> Result<Meta, Errno> {
        self.nodes
            .get(dir)
            .map(MemNode::meta)
            .ok_or(Errno::NotFound)
    }

    fn check_readable_dir(&mut self, dir: &String) -> Result<(), Errno> {
        if self.dir_mode(dir)? & 0o400 == 0 {
            return Err(Errno::PermissionDenied);
        }
        Ok(())
    }

    fn read_file(
        &mut self,
        dir: &String,
        name: &str,
        range: RangeFn<'_>,
    ) -> Result<FileRead, Errno> {
        self.searchable(dir)?;
        match self.nodes.get(&child(dir, name)) {
            Some(MemNode::File { data, mode }) => {
                if mode & 0o400 == 0 {
                    return Err(Errno::PermissionDenied);
                }
                let meta = Meta {
                    kind: Kind::File,
                    mode: *mode,
                    size: data.len() as u64,
                };
                let (off, len) = range(&meta);
                let start = (off.min(data.len() as u64)) as usize;
                let end = (start as u64).saturating_add(len).min(data.len() as u64) as usize;
                Ok(FileRead {
                    meta,
                    data: data[start..end].to_vec(),
                })
            }
            Some(MemNode::Symlink { .. }) => Err(Errno::Loop),
            Some(MemNode::Dir { .. }) => Err(Errno::IsADirectory),
            None => Err(Errno::NotFound),
        }
    }

    fn list(&mut self, dir: &String) -> Result<Vec<(String, bool)>, Errno> {
        self.check_readable_dir(dir)?;
        Ok(self
            .children(dir)
            .map(|(n, v)| (n.to_string(), matches!(v, MemNode::Dir { .. })))
            .collect())
    }

    fn mkdir(&mut self, dir: &String, name: &str, mode: u32) -> Result<(), Errno> {
        self.writable(dir)?;
        let path = child(dir, name);
        if self.nodes.contains_key(&path) {
            return Err(Errno::Exists);
        }
        // umask 022, as a typical agent process has.
        self.nodes.insert(path, MemNode::Dir { mode: mode & 0o755 });
        Ok(())
    }

    fn create_excl(
        &mut self,
        dir: &String,
        name: &str,
        data: &[u8],
        mode: Option<u32>,
    ) -> Result<(), CreateError> {
        self.writable(dir).map_err(CreateError::Open)?;
        let path = child(dir, name);
        if self.nodes.contains_key(&path) {
            return Err(CreateError::Open(Errno::Exists));
        }
        self.nodes.insert(
            path,
            MemNode::File {
                data: data.to_vec(),
                mode: mode.unwrap_or(0o644),
            },
        );
        Ok(())
    }

    fn rename(&mut self, dir: &String, from: &str, to: &str) -> Result<(), Errno> {
        self.writable(dir)?;
        let from = child(dir, from);
        let to = child(dir, to);
        if let Some(MemNode::Dir { .. }) = self.nodes.get(&to) {
            return Err(Errno::IsADirectory);
        }
        let node = self.nodes.remove(&from).ok_or(Errno::NotFound)?;
        self.nodes.insert(to, node);
        Ok(())
    }

    fn unlink(&mut self, dir: &String, name: &str) -> Result<(), Errno> {
        self.writable(dir)?;
        match self.nodes.get(&child(dir, name)) {
            Some(MemNode::Dir { .. }) => Err(Errno::IsADirectory),
            Some(_) => {
                self.nodes.remove(&child(dir, name));
                Ok(())
            }
            None => Err(Errno::NotFound),
        }
    }
}
