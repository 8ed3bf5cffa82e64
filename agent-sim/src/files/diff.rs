//! Unified diffs as go-udiff's `ToUnified(path, path, old, edits, 3)` prints them: Myers line
//! edits, 3 context lines, hunks joined when ≤ 6 lines apart, `-0,0` for an empty side at
//! line 1, `\ No newline at end of file`, and go-udiff's own `+<to>` bookkeeping (joiner lines
//! inside a hunk are not counted towards later hunks' new-file line numbers).

use similar::{Algorithm, DiffOp, TextDiff};

const CONTEXT: usize = 3;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Delete,
    Insert,
    Equal,
}

struct Hunk<'a> {
    from_line: usize,
    to_line: usize,
    lines: Vec<(Kind, &'a str)>,
}

fn split_lines(text: &str) -> Vec<&str> {
    let mut v: Vec<&str> = text.split_inclusive('\n').collect();
    if v.last() == Some(&"") {
        v.pop();
    }
    v
}

fn add_equal<'a>(h: &mut Hunk<'a>, lines: &[&'a str], start: isize, end: isize) -> usize {
    let mut delta = 0;
    let mut i = start;
    while i < end {
        if i >= 0 {
            let Some(l) = lines.get(i as usize) else {
                return delta;
            };
            h.lines.push((Kind::Equal, l));
            delta += 1;
        }
        i += 1;
    }
    delta
}

/// The unified diff from `old` to `new` labelled `path`, or `""` when they are equal.
pub fn unified(path: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Myers)
        .diff_lines(old, new);
    let old_lines = split_lines(old);
    let new_lines = split_lines(new);
    // Edits: (start, end) in old lines and the inserted new lines.
    let mut edits: Vec<(usize, usize, &[&str])> = Vec::new();
    for op in diff.ops() {
        let (o, ol, n, nl) = match *op {
            DiffOp::Equal { .. } => continue,
            DiffOp::Delete {
                old_index, old_len, ..
            } => (old_index, old_len, 0, 0),
            DiffOp::Insert {
                old_index,
                new_index,
                new_len,
            } => (old_index, 0, new_index, new_len),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => (old_index, old_len, new_index, new_len),
        };
        let ins = new_lines.get(n..n + nl).unwrap_or(&[]);
        edits.push((o, o + ol, ins));
    }
    let gap = 2 * CONTEXT;
    let mut hunks: Vec<Hunk> = Vec::new();
    let mut h: Option<Hunk> = None;
    let mut last = 0usize;
    let mut to_line = 0usize;
    for (start, end, ins) in edits {
        match h.as_mut() {
            Some(_) if start == last => {}
            Some(cur) if start <= last + gap => {
                add_equal(cur, &old_lines, last as isize, start as isize);
            }
            _ => {
                if let Some(mut prev) = h.take() {
                    add_equal(
                        &mut prev,
                        &old_lines,
                        last as isize,
                        (last + CONTEXT) as isize,
                    );
                    hunks.push(prev);
                }
                to_line += start - last;
                let mut nh = Hunk {
                    from_line: start + 1,
                    to_line: to_line + 1,
                    lines: Vec::new(),
                };
                let delta = add_equal(
                    &mut nh,
                    &old_lines,
                    start as isize - CONTEXT as isize,
                    start as isize,
                );
                nh.from_line -= delta;
                nh.to_line -= delta;
                h = Some(nh);
            }
        }
        let Some(cur) = h.as_mut() else { continue };
        last = start;
        for l in old_lines.iter().take(end).skip(start) {
            cur.lines.push((Kind::Delete, l));
            last += 1;
        }
        for l in ins {
            cur.lines.push((Kind::Insert, l));
            to_line += 1;
        }
    }
    if let Some(mut prev) = h.take() {
        add_equal(
            &mut prev,
            &old_lines,
            last as isize,
            (last + CONTEXT) as isize,
        );
        hunks.push(prev);
    }
    render(path, &hunks)
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
mod tests {
    use super::*;

    #[test]
    fn spec_examples() {
        assert_eq!(
            unified("/tmp/diff-single", "hello world\n", "HELLO world\n"),
            "--- /tmp/diff-single\n+++ /tmp/diff-single\n@@ -1 +1 @@\n-hello world\n+HELLO world\n"
        );
        assert_eq!(
            unified("/p", "one\ntwo\nthree\n", "ONE\ntwo\nTHREE\n"),
            "--- /p\n+++ /p\n@@ -1,3 +1,3 @@\n-one\n+ONE\n two\n-three\n+THREE\n"
        );
        assert_eq!(unified("/p", "same\n", "same\n"), "");
        assert_eq!(
            unified("/p", "", "a\n"),
            "--- /p\n+++ /p\n@@ -0,0 +1 @@\n+a\n"
        );
        assert_eq!(
            unified("/p", "a", "b"),
            "--- /p\n+++ /p\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+b\n\\ No newline at end of file\n"
        );
    }

    #[test]
    fn distant_changes_make_two_hunks() {
        let old: String = (1..=20).map(|i| format!("{i}\n")).collect();
        let new: String = (1..=20)
            .map(|i| match i {
                2 => "two\n".to_string(),
                18 => "eighteen\n".to_string(),
                i => format!("{i}\n"),
            })
            .collect();
        let d = unified("/p", &old, &new);
        assert!(d.contains("@@ -1,5 +1,5 @@\n"), "{d}");
        assert!(d.contains("@@ -15,6 +15,6 @@\n"), "{d}");
    }
}
