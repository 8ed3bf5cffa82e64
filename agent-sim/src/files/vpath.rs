//! Virtual path helpers with Go's semantics: `filepath.Clean`, `Join`, `Dir`, `Base`, `Ext`,
//! `IsAbs`, and `strconv.Quote` (`%q`) for the paths embedded in messages.

/// Go `filepath.IsAbs` on Unix: a leading `/`.
pub fn is_abs(p: &str) -> bool {
    p.starts_with('/')
}

/// Go `filepath.Clean`: lexical processing of `//`, `.`, `..` and trailing slashes.
pub fn clean(p: &str) -> String {
    if p.is_empty() {
        return ".".to_string();
    }
    let rooted = p.starts_with('/');
    let mut out: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|l| *l != "..") {
                    out.pop();
                } else if !rooted {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    let joined = out.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

/// Go `filepath.Join`: non-empty elements joined by `/`, then cleaned; `""` if all are empty.
pub fn join<S: AsRef<str>>(elems: &[S]) -> String {
    let parts: Vec<&str> = elems
        .iter()
        .map(AsRef::as_ref)
        .filter(|e| !e.is_empty())
        .collect();
    if parts.is_empty() {
        return String::new();
    }
    clean(&parts.join("/"))
}

/// Go `filepath.Dir`.
pub fn dir(p: &str) -> String {
    let i = p.rfind('/').map(|i| i + 1).unwrap_or(0);
    clean(&p[..i])
}

/// Go `filepath.Base`.
pub fn base(p: &str) -> String {
    if p.is_empty() {
        return ".".to_string();
    }
    let trimmed = p.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".to_string();
    }
    match trimmed.rfind('/') {
        Some(i) => trimmed[i + 1..].to_string(),
        None => trimmed.to_string(),
    }
}

/// Go `filepath.Ext`: the suffix from the final `.` in the last element, or `""`.
pub fn ext(p: &str) -> &str {
    for (i, c) in p.char_indices().rev() {
        if c == '/' {
            break;
        }
        if c == '.' {
            return &p[i..];
        }
    }
    ""
}

/// Go `strconv.Quote` (the `%q` verb) of a string.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        quote_char_into(&mut out, c, '"');
    }
    out.push('"');
    out
}

/// Go `%q` of a rune: `'x'`, `'\n'`, `'─'`.
pub fn quote_rune(c: char) -> String {
    let mut out = String::from("'");
    quote_char_into(&mut out, c, '\'');
    out.push('\'');
    out
}

/// Go `%q` of a single rune as it appears inside a double-quoted string (used by hints,
/// which format the rune as a one-character string).
pub fn quote_rune_str(c: char) -> String {
    quote(&c.to_string())
}

fn quote_char_into(out: &mut String, c: char, q: char) {
    match c {
        '\x07' => out.push_str("\\a"),
        '\x08' => out.push_str("\\b"),
        '\x0c' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\x0b' => out.push_str("\\v"),
        '\\' => out.push_str("\\\\"),
        c if c == q => {
            out.push('\\');
            out.push(c);
        }
        '\u{FFFD}' => out.push(c),
        c if is_go_printable(c) => out.push(c),
        c if (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
        c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
        c => out.push_str(&format!("\\U{:08x}", c as u32)),
    }
}

/// An approximation of Go's `strconv.IsPrint`: letters, marks, numbers, punctuation, symbols
/// and the ASCII space; control, format, separator (other than space) and private-use runes
/// are escaped.
fn is_go_printable(c: char) -> bool {
    let u = c as u32;
    if u < 0x20 || u == 0x7f || (0x80..0xa0).contains(&u) {
        return false;
    }
    if c == ' ' {
        return true;
    }
    if c.is_whitespace() {
        return false;
    }
    !matches!(u,
        0xad | 0x600..=0x605 | 0x61c | 0x6dd | 0x70f | 0x180e | 0x200b..=0x200f | 0x202a..=0x202e
        | 0x2060..=0x206f | 0xfeff | 0xfff9..=0xfffb | 0xe000..=0xf8ff | 0xf0000..=0x10ffff
        | 0xd800..=0xdfff)
}

/// Go's `encoding/json` view of bytes: each invalid UTF-8 byte becomes U+FFFD.
pub fn go_lossy(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    let mut rest = bytes;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                out.push_str(s);
                break;
            }
            Err(e) => {
                let valid = e.valid_up_to();
                out.push_str(std::str::from_utf8(&rest[..valid]).unwrap_or_default());
                out.push('\u{FFFD}');
                rest = &rest[valid + 1..];
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_matches_go() {
        for (i, o) in [
            ("/tmp//a/./b/", "/tmp/a/b"),
            ("/../x", "/x"),
            ("/", "/"),
            ("", "."),
            ("a/../..", ".."),
            ("/a/link/../b", "/a/b"),
            ("//", "/"),
        ] {
            assert_eq!(clean(i), o, "{i}");
        }
    }

    #[test]
    fn dir_base_ext() {
        assert_eq!(dir("/a/b"), "/a");
        assert_eq!(dir("/a"), "/");
        assert_eq!(dir("/"), "/");
        assert_eq!(base("/a/b/"), "b");
        assert_eq!(base("/"), "/");
        assert_eq!(ext("/tmp/file.png"), ".png");
        assert_eq!(ext("/a.b/file"), "");
        assert_eq!(ext("/.bashrc"), ".bashrc");
        assert_eq!(join(&["/home", "a/b", "../c"]), "/home/a/c");
        assert_eq!(join(&["/", "", "x"]), "/x");
    }

    #[test]
    fn quote_matches_go() {
        assert_eq!(quote("rel"), "\"rel\"");
        assert_eq!(quote("a\"b\\c\td\x00"), "\"a\\\"b\\\\c\\td\\x00\"");
        assert_eq!(quote("─"), "\"─\"");
        assert_eq!(quote("\u{200b}"), "\"\\u200b\"");
        assert_eq!(quote_rune('\''), "'\\''");
    }

    #[test]
    fn lossy_per_byte() {
        assert_eq!(go_lossy(b"a\xf0\x9fb"), "a\u{FFFD}\u{FFFD}b");
    }
}
