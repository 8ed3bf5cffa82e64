//! The agent's search/replace matcher (`fuzzyReplace`): exact bytes first, then line windows
//! equal under trim-right, then under trim-all; replacements keep the file's indentation and
//! line endings (`build`), and a miss explains itself with hints (`hints`).

mod build;
mod hints;
pub mod line;

use line::{body, consistent_ending, ending, split_keep, split_trimmed, trim_right, trim_space};

pub const EMPTY_SEARCH: &str =
    "search string must not be empty; include the text you want to match";
pub const NOT_FOUND: &str = "search string not found in file. Verify the search string matches the file content exactly, including whitespace and indentation";
pub const NOT_FOUND_ENDINGS: &str = "search string not found in file. Verify the search string matches the file content exactly, including whitespace, indentation, and line endings";

/// One edit of a file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Edit {
    pub search: String,
    pub replace: String,
    pub replace_all: bool,
}

fn ambiguous(n: usize) -> String {
    format!("search string matches {n} occurrences (expected exactly 1). Include more surrounding context to make the match unique, or set replace_all to true")
}

/// The file's dominant ending: `\r\n` iff more lines end in it than in a bare `\n`.
fn dominant(c_lines: &[&str]) -> &'static str {
    let crlf = c_lines.iter().filter(|l| ending(l) == "\r\n").count();
    let lf = c_lines.iter().filter(|l| ending(l) == "\n").count();
    if crlf > lf {
        "\r\n"
    } else {
        "\n"
    }
}

/// Applies one edit to `content`; the error is the matcher's message.
pub fn fuzzy_replace(content: &str, edit: &Edit) -> Result<String, String> {
    let (s, r) = (edit.search.as_str(), edit.replace.as_str());
    if s.is_empty() {
        return Err(EMPTY_SEARCH.to_string());
    }
    let c_lines = split_keep(content);
    let s_lines = split_trimmed(s);
    let r_lines = split_trimmed(r);
    let es = consistent_ending(&s_lines);
    let er = consistent_ending(&r_lines);
    let forced = if er.is_some() { dominant(&c_lines) } else { "" };
    let intent = matches!((es, er), (Some(a), Some(b)) if a != b);

    // Pass 1: exact bytes.
    if content.contains(s) {
        let r1 = if !forced.is_empty() && !intent && er != Some(forced) {
            let n = r_lines.len();
            r_lines
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    if i + 1 < n {
                        format!("{}{forced}", body(l))
                    } else {
                        (*l).to_string()
                    }
                })
                .collect::<String>()
        } else {
            r.to_string()
        };
        if edit.replace_all {
            return Ok(content.replace(s, &r1));
        }
        let n = content.matches(s).count();
        if n > 1 {
            return Err(ambiguous(n));
        }
        return Ok(content.replacen(s, &r1, 1));
    }
    if intent {
        return Err(NOT_FOUND_ENDINGS.to_string());
    }

    // Passes 2 and 3: line windows.
    let eq_right = |a: &str, b: &str| trim_right(body(a)) == trim_right(body(b));
    let eq_all = |a: &str, b: &str| trim_space(body(a)) == trim_space(body(b));
    for eq in [&eq_right as &dyn Fn(&str, &str) -> bool, &eq_all] {
        let windows = find_windows(&c_lines, &s_lines, eq);
        if windows.is_empty() {
            continue;
        }
        if !edit.replace_all && windows.len() > 1 {
            return Err(ambiguous(windows.len()));
        }
        let chosen: &[usize] = if edit.replace_all {
            &windows
        } else {
            &windows[..1]
        };
        let n = s_lines.len();
        let mut out = String::with_capacity(content.len() + r.len());
        let mut next = 0;
        for &w in chosen {
            out.extend(c_lines[next..w].iter().copied());
            let m = &c_lines[w..w + n];
            let eof = ending(m[n - 1]).is_empty() && c_lines[w + n..].iter().all(|l| l.is_empty());
            out.push_str(&build::replacement(m, &s_lines, r, forced, eof));
            next = w + n;
        }
        out.extend(c_lines[next..].iter().copied());
        return Ok(out);
    }
    match hints::hint(&c_lines, &s_lines, content, r) {
        Some(h) => Err(format!("{NOT_FOUND}. {h}")),
        None => Err(NOT_FOUND.to_string()),
    }
}

/// Start indices of non-overlapping windows of `c` equal to `s` line by line, left to right.
fn find_windows(c: &[&str], s: &[&str], eq: &dyn Fn(&str, &str) -> bool) -> Vec<usize> {
    let n = s.len();
    let mut out = Vec::new();
    let mut i = 0;
    while n > 0 && i + n <= c.len() {
        if (0..n).all(|j| eq(c[i + j], s[j])) {
            out.push(i);
            i += n;
        } else {
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests;
