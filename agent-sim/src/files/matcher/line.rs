//! Line anatomy for the matcher: splitting after `\n`, and a line's ending, body, lead
//! (leading spaces/tabs), mid and trail (trailing spaces/tabs).

/// Splits after each `\n`, keeping it; the last element is the text after the final `\n`
/// (maybe `""`).
pub fn split_keep(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        if b == b'\n' {
            out.push(&s[start..=i]);
            start = i + 1;
        }
    }
    out.push(&s[start..]);
    out
}

/// [`split_keep`] without the trailing `""` (for search and replace strings).
pub fn split_trimmed(s: &str) -> Vec<&str> {
    let mut v = split_keep(s);
    if v.last() == Some(&"") {
        v.pop();
    }
    v
}

/// `\r\n`, `\n` or `""`.
pub fn ending(line: &str) -> &str {
    if line.ends_with("\r\n") {
        "\r\n"
    } else if line.ends_with('\n') {
        "\n"
    } else {
        ""
    }
}

/// The line without its ending.
pub fn body(line: &str) -> &str {
    &line[..line.len() - ending(line).len()]
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// A line's parts: lead + mid + trail + ending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parts<'a> {
    pub lead: &'a str,
    pub mid: &'a str,
    pub trail: &'a str,
    pub ending: &'a str,
}

pub fn parts(line: &str) -> Parts<'_> {
    let e = ending(line);
    let b = body(line);
    let rest = b.trim_start_matches(is_blank);
    let lead = &b[..b.len() - rest.len()];
    let mid = rest.trim_end_matches(is_blank);
    let trail = &rest[mid.len()..];
    Parts {
        lead,
        mid,
        trail,
        ending: e,
    }
}

/// Trailing spaces and tabs removed.
pub fn trim_right(s: &str) -> &str {
    s.trim_end_matches(is_blank)
}

/// Go `strings.TrimSpace`: Unicode white space (incl. `\v`, `\f`, U+0085, U+00A0).
pub fn trim_space(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace())
}

/// The consistent internal ending of a line list: ≥ 2 lines and every ending (ignoring an
/// unterminated last line) the same non-empty one.
pub fn consistent_ending<'a>(lines: &[&'a str]) -> Option<&'a str> {
    if lines.len() < 2 {
        return None;
    }
    let mut found: Option<&str> = None;
    for (i, l) in lines.iter().enumerate() {
        let e = ending(l);
        if e.is_empty() {
            if i + 1 == lines.len() {
                continue;
            }
            return None;
        }
        match found {
            None => found = Some(e),
            Some(f) if f != e => return None,
            Some(_) => {}
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anatomy() {
        assert_eq!(split_keep("a\nb"), vec!["a\n", "b"]);
        assert_eq!(split_keep("a\n"), vec!["a\n", ""]);
        assert_eq!(split_trimmed("a\n"), vec!["a\n"]);
        let p = parts("\t x y \t\r\n");
        assert_eq!(
            (p.lead, p.mid, p.trail, p.ending),
            ("\t ", "x y", " \t", "\r\n")
        );
        assert_eq!(consistent_ending(&["a\r\n", "b"]), Some("\r\n"));
        assert_eq!(consistent_ending(&["a\r\n", "b\n"]), None);
        assert_eq!(trim_space("\u{a0}x\u{85}"), "x");
    }
}
