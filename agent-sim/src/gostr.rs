//! Go's text conventions the agent puts on the wire, written once: `%q` quoting
//! (`strconv.Quote`, `QuoteRune`) for ids, paths, signal names and path segments, with Go's
//! own `strconv.IsPrint` tables (`isprint.rs`, generated for the Go release the agent is built
//! with) and Go's `\xNN` for bytes that are not UTF-8, and Go's byte-per-byte replacement of
//! invalid UTF-8. (JSON strings are `gojson`'s.)

use std::fmt::Write as _;

mod isprint;
#[cfg(test)]
mod tests;

use isprint::{IS_GRAPHIC, IS_NOT_PRINT16, IS_NOT_PRINT32, IS_PRINT16, IS_PRINT32};

/// Whether `x` falls in one of the inclusive `[lo, hi]` pairs of `ranges` (sorted): Go's
/// `bsearch` for the first entry `>= x`, whose pair is the only one that can hold `x`.
fn in_ranges<T: Ord + Copy>(ranges: &[T], x: T) -> bool {
    let i = ranges.partition_point(|&v| v < x);
    matches!(
        (ranges.get(i & !1), ranges.get(i | 1)),
        (Some(&lo), Some(&hi)) if lo <= x && x <= hi
    )
}

/// Go's `strconv.IsPrint` (the same as `unicode.IsPrint`, from Go's own tables, see
/// `gostr/isprint.rs`): letters, marks, numbers, punctuation, symbols and U+0020; not the other
/// spaces, controls, format characters, private use, surrogates or unassigned code points.
pub fn is_print(c: char) -> bool {
    let r = u32::from(c);
    // Latin-1 fast path: ASCII from space to `~`, and U+00A1..U+00FF but the soft hyphen.
    if r <= 0xFF {
        return (0x20..=0x7E).contains(&r) || ((0xA1..=0xFF).contains(&r) && r != 0xAD);
    }
    if let Ok(r16) = u16::try_from(r) {
        return in_ranges(&IS_PRINT16, r16) && IS_NOT_PRINT16.binary_search(&r16).is_err();
    }
    if !in_ranges(&IS_PRINT32, r) {
        return false;
    }
    // The exceptions above U+FFFF are all below U+20000, stored as `r - 0x10000`.
    match u16::try_from(r - 0x10000) {
        Ok(low) => IS_NOT_PRINT32.binary_search(&low).is_err(),
        Err(_) => true,
    }
}

/// Go's `strconv.IsGraphic`: [`is_print`] plus the space separators (U+00A0, U+3000, ...).
pub fn is_graphic(c: char) -> bool {
    is_print(c) || u16::try_from(u32::from(c)).is_ok_and(|r| IS_GRAPHIC.binary_search(&r).is_ok())
}

/// Go's `appendEscapedRune`: the quote and `\\` backslashed, printable runes as they are,
/// the C escapes, then `\xNN` (controls), `\uNNNN`, `\UNNNNNNNN`.
fn escape_rune_into(out: &mut String, c: char, quote: char) {
    if c == quote || c == '\\' {
        out.push('\\');
        out.push(c);
        return;
    }
    if is_print(c) {
        out.push(c);
        return;
    }
    let r = u32::from(c);
    let _ = match c {
        '\u{7}' => out.write_str("\\a"),
        '\u{8}' => out.write_str("\\b"),
        '\u{c}' => out.write_str("\\f"),
        '\n' => out.write_str("\\n"),
        '\r' => out.write_str("\\r"),
        '\t' => out.write_str("\\t"),
        '\u{b}' => out.write_str("\\v"),
        _ if r < 0x20 || r == 0x7F => write!(out, "\\x{r:02x}"),
        _ if r < 0x10000 => write!(out, "\\u{r:04x}"),
        _ => write!(out, "\\U{r:08x}"),
    };
}

/// Go's `appendQuotedWith` over raw bytes: runes decoded one by one, every byte that does
/// not start a valid UTF-8 sequence (a stray byte, a truncated or overlong sequence, an
/// encoded surrogate) printed as `\xNN`.
fn quote_with(b: &[u8], quote: char) -> String {
    let mut out = String::with_capacity(b.len() + 2);
    out.push(quote);
    for chunk in b.utf8_chunks() {
        for c in chunk.valid().chars() {
            escape_rune_into(&mut out, c, quote);
        }
        for byte in chunk.invalid() {
            let _ = write!(out, "\\x{byte:02x}");
        }
    }
    out.push(quote);
    out
}

/// `strconv.Quote(s)` (what `%q` prints for a string).
pub fn quote(s: &str) -> String {
    quote_with(s.as_bytes(), '"')
}

/// Go `%q` of a rune (`strconv.QuoteRune`): `'x'`, `'\\n'`, `'─'`.
pub fn quote_rune(c: char) -> String {
    let mut out = String::from("'");
    escape_rune_into(&mut out, c, '\'');
    out.push('\'');
    out
}

/// `strconv.Quote` of a Go string that may hold invalid UTF-8 (query values, path segments:
/// Go keeps their bytes as they came): invalid bytes print as `\xNN`.
pub fn quote_bytes(b: &[u8]) -> String {
    quote_with(b, '"')
}

/// The JSON scanner's `quoteChar`: a byte shown as a Go character literal (its special cases,
/// `'\''` and `'"'`, are what [`quote_rune`] prints too).
pub fn quote_byte_char(c: u8) -> String {
    quote_rune(char::from(c))
}

/// Go's replacement of invalid UTF-8: every byte of an invalid sequence becomes U+FFFD
/// (Rust's `from_utf8_lossy` would merge a truncated sequence into one).
pub fn lossy(b: &[u8]) -> String {
    text(b).into_owned()
}

/// [`lossy`], borrowing `b` when it is valid UTF-8 (nothing to replace).
pub fn text(b: &[u8]) -> std::borrow::Cow<'_, str> {
    if let Ok(s) = std::str::from_utf8(b) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(b.len());
    for chunk in b.utf8_chunks() {
        out.push_str(chunk.valid());
        for _ in chunk.invalid() {
            out.push('\u{FFFD}');
        }
    }
    std::borrow::Cow::Owned(out)
}
