//! Go's text conventions the agent puts on the wire, written once: `%q` quoting
//! (`strconv.Quote`, `QuoteRune`) for ids, paths, signal names and path segments, and Go's
//! byte-per-byte replacement of invalid UTF-8. (JSON strings are `gojson`'s.)

use std::fmt::Write as _;

/// Go's `unicode.IsPrint`, approximated with what std knows: no control characters, no
/// spaces other than U+0020, no format characters or private-use code points.
fn is_go_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(c,
        '\u{00AD}' | '\u{0600}'..='\u{0605}' | '\u{061C}' | '\u{06DD}' | '\u{070F}'
        | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}'
        | '\u{E000}'..='\u{F8FF}' | '\u{F0000}'..='\u{10FFFF}'
        | '\u{FFFE}' | '\u{FFFF}')
}

fn quote_char_into(out: &mut String, c: char, quote: char) {
    match c {
        '\u{7}' => out.push_str("\\a"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{b}' => out.push_str("\\v"),
        '\\' => out.push_str("\\\\"),
        c if c == quote => {
            out.push('\\');
            out.push(c);
        }
        c if is_go_print(c) => out.push(c),
        c if (c as u32) < 0x80 => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c if (c as u32) < 0x10000 => {
            let _ = write!(out, "\\u{:04x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\U{:08x}", c as u32);
        }
    }
}

/// `strconv.Quote(s)` (what `%q` prints for a string). Strings from requests are valid
/// UTF-8 by the time they get here (Go's decoder replaced invalid bytes with U+FFFD).
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

/// `strconv.Quote` of raw bytes: invalid UTF-8 bytes print as `\xNN`.
pub fn quote_bytes(b: &[u8]) -> String {
    let mut out = String::with_capacity(b.len() + 2);
    out.push('"');
    let mut rest = b;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                for c in s.chars() {
                    quote_char_into(&mut out, c, '"');
                }
                break;
            }
            Err(e) => {
                let (valid, bad) = rest.split_at(e.valid_up_to());
                for c in std::str::from_utf8(valid).unwrap_or_default().chars() {
                    quote_char_into(&mut out, c, '"');
                }
                let _ = write!(out, "\\x{:02x}", bad[0]);
                rest = &bad[1..];
            }
        }
    }
    out.push('"');
    out
}

/// The JSON scanner's `quoteChar`: a byte shown as a Go character literal.
pub fn quote_byte_char(c: u8) -> String {
    match c {
        b'\'' => "'\\''".to_string(),
        b'"' => "'\"'".to_string(),
        c => {
            let mut out = String::from("'");
            quote_char_into(&mut out, char::from(c), '\'');
            out.push('\'');
            out
        }
    }
}

/// Go's replacement of invalid UTF-8: every byte of an invalid sequence becomes U+FFFD
/// (Rust's `from_utf8_lossy` would merge a truncated sequence into one).
pub fn lossy(b: &[u8]) -> String {
    let mut out = String::with_capacity(b.len());
    let mut rest = b;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                out.push_str(s);
                break;
            }
            Err(e) => {
                let (valid, bad) = rest.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                out.push('\u{FFFD}');
                rest = &bad[1..];
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_matches_go_for_paths_and_segments() {
        assert_eq!(quote("rel"), "\"rel\"");
        assert_eq!(quote("blah"), "\"blah\"");
        assert_eq!(quote("a\"b\\c\td\x00"), "\"a\\\"b\\\\c\\td\\x00\"");
        assert_eq!(quote("a b\n\x01"), "\"a b\\n\\x01\"");
        assert_eq!(quote("─é"), "\"─é\"");
        assert_eq!(quote("\u{200b}\u{600}"), "\"\\u200b\\u0600\"");
        assert_eq!(quote("\u{fffd}"), "\"\u{fffd}\"");
        assert_eq!(quote_rune('\''), "'\\''");
        assert_eq!(quote_rune('x'), "'x'");
    }

    #[test]
    fn lossy_per_byte() {
        assert_eq!(lossy(b"a\xf0\x9fb"), "a\u{FFFD}\u{FFFD}b");
    }

    #[test]
    fn quote_matches_go() {
        assert_eq!(quote("abc"), "\"abc\"");
        assert_eq!(quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(quote("\n\t\u{1}\u{7f}"), "\"\\n\\t\\x01\\x7f\"");
        assert_eq!(quote("é 日本"), "\"é 日本\"");
        assert_eq!(quote("\u{a0}\u{200b}"), "\"\\u00a0\\u200b\"");
        assert_eq!(quote_bytes(b"a\xffb"), "\"a\\xffb\"");
    }

    #[test]
    fn quote_byte_char_matches_go_scanner() {
        assert_eq!(quote_byte_char(b'i'), "'i'");
        assert_eq!(quote_byte_char(b'\''), "'\\''");
        assert_eq!(quote_byte_char(b'"'), "'\"'");
        assert_eq!(quote_byte_char(b'\n'), "'\\n'");
        assert_eq!(quote_byte_char(0x01), "'\\x01'");
        assert_eq!(quote_byte_char(0xc3), "'Ã'");
        assert_eq!(quote_byte_char(0x80), "'\\u0080'");
    }

    #[test]
    fn lossy_replaces_each_invalid_byte() {
        assert_eq!(lossy(b"a\xe2\x82b"), "a\u{FFFD}\u{FFFD}b");
        assert_eq!(lossy("é".as_bytes()), "é");
    }
}
