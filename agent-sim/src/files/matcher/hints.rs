//! Hints appended to the "not found" error: a miscounted repeated character ("Your search has
//! 5 "=" …"), else a swapped search/replace ("Did you swap …").

use super::line::{body, split_trimmed, trim_right, trim_space};
use crate::gostr;
use std::collections::BTreeMap;

const MAX_CANDIDATES: usize = 5;
const MAX_SENTENCES: usize = 3;

/// The hint for a miss, if any (miscount preferred over inversion).
pub fn hint(c_lines: &[&str], s_lines: &[&str], content: &str, r: &str) -> Option<String> {
    miscount(c_lines, s_lines).or_else(|| inversion(c_lines, content, r))
}

fn runes(s: &str) -> BTreeMap<char, usize> {
    let mut m = BTreeMap::new();
    for c in s.chars() {
        *m.entry(c).or_insert(0) += 1;
    }
    m
}

/// The single rune whose count differs, if exactly one does and it occurs ≥ 2 times on a side.
fn one_rune_diff(a: &BTreeMap<char, usize>, b: &BTreeMap<char, usize>) -> Option<char> {
    let mut diff = None;
    for k in a.keys().chain(b.keys()) {
        let (x, y) = (
            a.get(k).copied().unwrap_or(0),
            b.get(k).copied().unwrap_or(0),
        );
        if x != y {
            match diff {
                None => diff = Some(*k),
                Some(d) if d == *k => {}
                Some(_) => return None,
            }
        }
    }
    let r = diff?;
    let (x, y) = (
        a.get(&r).copied().unwrap_or(0),
        b.get(&r).copied().unwrap_or(0),
    );
    (x >= 2 || y >= 2).then_some(r)
}

fn more(list: Vec<String>) -> String {
    let n = list.len();
    let shown = list[..n.min(MAX_CANDIDATES)].join(", ");
    if n > MAX_CANDIDATES {
        format!("{shown} and {} more", n - MAX_CANDIDATES)
    } else {
        shown
    }
}

fn miscount(c_lines: &[&str], s_lines: &[&str]) -> Option<String> {
    let mut sentences: Vec<String> = Vec::new();
    for s in s_lines {
        let sb = body(s);
        if trim_space(sb).is_empty() {
            continue;
        }
        let sr = runes(sb);
        // Groups by rune, in first-seen order: (rune, [(count in file, line)]).
        let mut groups: Vec<(char, Vec<(usize, usize)>)> = Vec::new();
        for (i, c) in c_lines.iter().enumerate() {
            if body(c).is_empty() {
                continue;
            }
            let cr = runes(body(c));
            if let Some(r) = one_rune_diff(&sr, &cr) {
                let cc = cr.get(&r).copied().unwrap_or(0);
                match groups.iter_mut().find(|(g, _)| *g == r) {
                    Some((_, v)) => v.push((cc, i + 1)),
                    None => groups.push((r, vec![(cc, i + 1)])),
                }
            }
        }
        for (r, cands) in groups {
            let sc = sr.get(&r).copied().unwrap_or(0);
            let list = cands
                .iter()
                .map(|(cc, line)| format!("{cc} at line {line}"))
                .collect();
            sentences.push(format!(
                "Your search has {sc} {} (U+{:04X}); the file has {}",
                gostr::quote(&r.to_string()),
                r as u32,
                more(list)
            ));
        }
    }
    if sentences.is_empty() {
        return None;
    }
    let extra = sentences.len().saturating_sub(MAX_SENTENCES);
    sentences.truncate(MAX_SENTENCES);
    if extra > 0 {
        sentences.push(format!("and {extra} more"));
    }
    Some(sentences.join(". "))
}

fn inversion(c_lines: &[&str], content: &str, r: &str) -> Option<String> {
    if r.is_empty() {
        return None;
    }
    let mut lines: Vec<usize> = Vec::new();
    let mut from = 0;
    while let Some(off) = content[from..].find(r) {
        let at = from + off;
        let line = content[..at].bytes().filter(|&b| b == b'\n').count() + 1;
        if lines.last() != Some(&line) {
            lines.push(line);
        }
        // Every start offset, overlaps included.
        from = at + content[at..].chars().next().map_or(1, char::len_utf8);
        if from > content.len() {
            break;
        }
    }
    if lines.is_empty() {
        let r_lines = split_trimmed(r);
        let eq_right = |a: &str, b: &str| trim_right(body(a)) == trim_right(body(b));
        let eq_all = |a: &str, b: &str| trim_space(body(a)) == trim_space(body(b));
        for eq in [&eq_right as &dyn Fn(&str, &str) -> bool, &eq_all] {
            let n = r_lines.len();
            lines = (0..c_lines.len().saturating_sub(n.saturating_sub(1)))
                .filter(|&i| n > 0 && i + n <= c_lines.len())
                .filter(|&i| (0..n).all(|j| eq(c_lines[i + j], r_lines[j])))
                .map(|i| i + 1)
                .collect();
            if !lines.is_empty() {
                break;
            }
        }
    }
    if lines.is_empty() {
        return None;
    }
    let list = lines.iter().map(usize::to_string).collect();
    Some(format!(
        "Did you swap \"search\" and \"replace\"? Your replace string appears at line {}",
        more(list)
    ))
}
