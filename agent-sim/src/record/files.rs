//! `--files PATH`: the listed subtrees, read through `list-directory` and `read-file` into the
//! scenario's memory tree, breadth first, within a count and a byte budget. The agent does not
//! reveal modes or symlinks through these routes, so files are seeded as 0644 files and
//! directories as 0755 directories.

use super::live::{Live, LiveError};
use super::sections::Notes;
use crate::scenario::files::{EntrySpec, FileEntry};
use crate::scenario::Scenario;
use serde::Deserialize;
use std::collections::VecDeque;

/// How much `--files` may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Entries (files and directories) recorded, over all subtrees.
    pub max_entries: usize,
    /// File bytes read, over all subtrees.
    pub max_bytes: u64,
}

impl Default for Budget {
    fn default() -> Self {
        Self {
            max_entries: 1000,
            max_bytes: 4 << 20,
        }
    }
}

#[derive(Deserialize)]
struct LsEntry {
    absolute_path_string: String,
    is_dir: bool,
}

#[derive(Deserialize)]
struct LsAnswer {
    contents: Vec<LsEntry>,
}

fn components(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

/// Reads every subtree in `roots` into `s.files.entries`.
pub async fn record(
    live: &Live,
    roots: &[String],
    budget: Budget,
    s: &mut Scenario,
    notes: &mut Notes,
) -> Result<(), LiveError> {
    let mut walk = Walk {
        live,
        budget,
        entries: 0,
        bytes: 0,
        stopped: false,
    };
    for root in roots {
        walk.subtree(root, s, notes).await?;
    }
    if walk.stopped {
        notes.push(format!(
            "--files: stopped at {} entries and {} bytes (the budget is {} entries, {} bytes); the rest is left out",
            walk.entries, walk.bytes, budget.max_entries, budget.max_bytes
        ));
    }
    Ok(())
}

struct Walk<'a> {
    live: &'a Live,
    budget: Budget,
    entries: usize,
    bytes: u64,
    stopped: bool,
}

impl Walk<'_> {
    fn room(&mut self) -> bool {
        if self.entries >= self.budget.max_entries {
            self.stopped = true;
        }
        !self.stopped
    }

    async fn subtree(
        &mut self,
        root: &str,
        s: &mut Scenario,
        notes: &mut Notes,
    ) -> Result<(), LiveError> {
        if !root.starts_with('/') {
            notes.push(format!("--files {root:?}: not an absolute path; skipped"));
            return Ok(());
        }
        let mut queue = VecDeque::from([(root.to_string(), true)]);
        while let Some((path, is_dir)) = queue.pop_front() {
            if !self.room() {
                break;
            }
            if !is_dir {
                self.file(&path, s, notes).await?;
                continue;
            }
            let answer = self.live.list_directory(&components(&path)).await?;
            let listed = match answer.status {
                200 => serde_json::from_slice::<LsAnswer>(&answer.body).ok(),
                _ => None,
            };
            match listed {
                Some(ls) => {
                    if path != "/" {
                        self.entries += 1;
                        s.files.entries.insert(
                            path.clone(),
                            FileEntry::Spec(EntrySpec {
                                dir: true,
                                ..EntrySpec::default()
                            }),
                        );
                    }
                    queue.extend(
                        ls.contents
                            .into_iter()
                            .map(|e| (e.absolute_path_string, e.is_dir)),
                    );
                }
                // Not a directory: perhaps a file.
                None if path == root => self.file(&path, s, notes).await?,
                None => notes.push(format!(
                    "--files: list-directory {path} answered {}; left out",
                    answer.status
                )),
            }
        }
        Ok(())
    }

    async fn file(
        &mut self,
        path: &str,
        s: &mut Scenario,
        notes: &mut Notes,
    ) -> Result<(), LiveError> {
        // One byte more than the budget left tells a file that does not fit.
        let left = self.budget.max_bytes.saturating_sub(self.bytes);
        let answer = self.live.read_file(path, Some(left + 1)).await?;
        if answer.status != 200 {
            notes.push(format!(
                "--files: read-file {path} answered {} {:?}; left out",
                answer.status,
                answer.text().trim_end()
            ));
            return Ok(());
        }
        let size = answer.body.len() as u64;
        if size > left {
            self.stopped = true;
            return Ok(());
        }
        match String::from_utf8(answer.body) {
            Ok(text) => {
                self.entries += 1;
                self.bytes += size;
                s.files
                    .entries
                    .insert(path.to_string(), FileEntry::Content(text));
            }
            Err(_) => notes.push(format!(
                "--files: {path} is not UTF-8, which a scenario file cannot hold; left out"
            )),
        }
        Ok(())
    }
}
