//! Unified diffs as the agent prints them for edit-files: go-udiff's
//! `ToUnified(path, path, old, Lines(old, new), 3)` (go-udiff v0.4.0/v0.4.1, whose line diff is
//! golang.org/x/tools' `internal/diff/lcs` as of x/tools 43ba1269…/ff454944…; see its `lcs` module).
//! 3 context lines, hunks joined when ≤ 6 lines apart, `-0,0` for an empty side at line 1,
//! `\ No newline at end of file`, and go-udiff's own `+<to>` bookkeeping (joiner lines inside a
//! hunk are not counted towards later hunks' new-file line numbers).
//!
//! `Lines` edits are whole lines already, so go-udiff's widening of edits to line boundaries
//! changes nothing here and the edits are kept as line ranges.

mod gosort;
mod lcs;

const CONTEXT: usize = 3;
/// Edits at most this many unchanged lines apart share a hunk.
const GAP: usize = 2 * CONTEXT;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Delete,
    Insert,
    Equal,
}

/// Old lines `start..end` replaced by `insert`.
struct LineEdit<'a> {
    start: usize,
    end: usize,
    insert: &'a [&'a str],
}

struct Hunk<'a> {
    from_line: usize,
    to_line: usize,
    lines: Vec<(Kind, &'a str)>,
}

/// The unified diff from `old` to `new` labelled `path`, or `""` when they are equal.
pub fn unified(path: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    let old_lines = split_lines(old);
    let new_lines = split_lines(new);
    let edits = line_edits(&old_lines, &new_lines);
    let mut hunks = HunkBuilder::new(&old_lines);
    for edit in &edits {
        hunks.add(edit);
    }
    render(path, &hunks.finish())
}

/// Lines with their `\n`, the last one without when the text does not end in one.
fn split_lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

/// go-udiff's `Lines`: the LCS diffs of the two line lists as line edits.
fn line_edits<'a>(old: &[&str], new: &'a [&'a str]) -> Vec<LineEdit<'a>> {
    lcs::diff(old, new)
        .into_iter()
        .map(|d| LineEdit {
            start: d.start,
            end: d.end,
            insert: new.get(d.repl_start..d.repl_end).unwrap_or(&[]),
        })
        .collect()
}

/// go-udiff's `toUnified` loop: hunks grown edit by edit over the old lines.
struct HunkBuilder<'a> {
    old: &'a [&'a str],
    done: Vec<Hunk<'a>>,
    open: Option<Hunk<'a>>,
    /// Old line after the last edit.
    last: usize,
    /// New-file line count go-udiff keeps (it skips joiner lines).
    to_line: usize,
}

impl<'a> HunkBuilder<'a> {
    fn new(old: &'a [&'a str]) -> Self {
        HunkBuilder {
            old,
            done: Vec::new(),
            open: None,
            last: 0,
            to_line: 0,
        }
    }

    fn add(&mut self, edit: &LineEdit<'a>) {
        let (old, last) = (self.old, self.last);
        match self.open.as_mut() {
            Some(_) if edit.start == last => {}
            Some(hunk) if edit.start <= last + GAP => {
                add_equal(hunk, old, last as isize, edit.start as isize);
            }
            _ => self.start_hunk(edit.start),
        }
        let Some(hunk) = self.open.as_mut() else {
            return;
        };
        self.last = edit.start;
        for line in old.iter().take(edit.end).skip(edit.start) {
            hunk.lines.push((Kind::Delete, line));
            self.last += 1;
        }
        for line in edit.insert {
            hunk.lines.push((Kind::Insert, line));
            self.to_line += 1;
        }
    }

    /// Closes the open hunk with trailing context and opens one at old line `start` with
    /// leading context.
    fn start_hunk(&mut self, start: usize) {
        self.close();
        self.to_line += start - self.last;
        let mut hunk = Hunk {
            from_line: start + 1,
            to_line: self.to_line + 1,
            lines: Vec::new(),
        };
        let delta = add_equal(
            &mut hunk,
            self.old,
            start as isize - CONTEXT as isize,
            start as isize,
        );
        hunk.from_line -= delta;
        hunk.to_line -= delta;
        self.open = Some(hunk);
    }

    fn close(&mut self) {
        if let Some(mut hunk) = self.open.take() {
            let last = self.last as isize;
            add_equal(&mut hunk, self.old, last, last + CONTEXT as isize);
            self.done.push(hunk);
        }
    }

    fn finish(mut self) -> Vec<Hunk<'a>> {
        self.close();
        self.done
    }
}

/// Appends old lines `start..end` (those that exist) as context; how many it added.
fn add_equal<'a>(h: &mut Hunk<'a>, lines: &[&'a str], start: isize, end: isize) -> usize {
    let mut delta = 0;
    for i in start.max(0)..end {
        let Some(l) = lines.get(i as usize) else {
            return delta;
        };
        h.lines.push((Kind::Equal, l));
        delta += 1;
    }
    delta
}

fn render(path: &str, hunks: &[Hunk]) -> String {
    if hunks.is_empty() {
        return String::new();
    }
    let mut b = format!("--- {path}\n+++ {path}\n");
    for h in hunks {
        let from = h.lines.iter().filter(|(k, _)| *k != Kind::Insert).count();
        let to = h.lines.iter().filter(|(k, _)| *k != Kind::Delete).count();
        b.push_str("@@");
        b.push_str(&side('-', h.from_line, from));
        b.push_str(&side('+', h.to_line, to));
        b.push_str(" @@\n");
        for (k, l) in &h.lines {
            b.push(match k {
                Kind::Delete => '-',
                Kind::Insert => '+',
                Kind::Equal => ' ',
            });
            b.push_str(l);
            if !l.ends_with('\n') {
                b.push_str("\n\\ No newline at end of file\n");
            }
        }
    }
    b
}

fn side(sign: char, line: usize, count: usize) -> String {
    if count > 1 {
        format!(" {sign}{line},{count}")
    } else if line == 1 && count == 0 {
        format!(" {sign}0,0")
    } else {
        format!(" {sign}{line}")
    }
}

#[cfg(test)]
mod golden;
#[cfg(test)]
mod tests;
