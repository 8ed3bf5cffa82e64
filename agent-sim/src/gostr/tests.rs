//! What Go 1.26's `strconv.Quote` / `QuoteRune` print (Unicode 15.0.0 tables), pinned code
//! point by code point, and the table lookup checked against a plain walk of the tables.

use super::isprint::{IS_GRAPHIC, IS_NOT_PRINT16, IS_NOT_PRINT32, IS_PRINT16, IS_PRINT32};
use super::*;

/// `strconv.Quote` of a one-rune string, without the quotes.
fn quoted_inner(c: char) -> String {
    let s = quote(&c.to_string());
    s[1..s.len() - 1].to_string()
}

#[test]
fn every_ascii_char_as_go_quotes_it() {
    for b in 0u8..0x80 {
        let want = match b {
            0x07 => "\\a".to_string(),
            0x08 => "\\b".to_string(),
            0x09 => "\\t".to_string(),
            0x0a => "\\n".to_string(),
            0x0b => "\\v".to_string(),
            0x0c => "\\f".to_string(),
            0x0d => "\\r".to_string(),
            0x00..=0x1f | 0x7f => format!("\\x{b:02x}"),
            b'"' => "\\\"".to_string(),
            b'\\' => "\\\\".to_string(),
            _ => char::from(b).to_string(),
        };
        assert_eq!(quoted_inner(char::from(b)), want, "byte {b:#04x}");
        // As a rune, the single quote is the one escaped, the double quote is not.
        let want_rune = match b {
            b'"' => "'\"'".to_string(),
            b'\'' => "'\\''".to_string(),
            _ => format!("'{want}'"),
        };
        assert_eq!(quote_rune(char::from(b)), want_rune, "rune {b:#04x}");
    }
    assert_eq!(quoted_inner('\''), "'");
}

#[test]
fn latin1_and_unicode_spaces_and_format_characters() {
    assert_eq!(quoted_inner('\u{80}'), "\\u0080");
    assert_eq!(quoted_inner('\u{9f}'), "\\u009f");
    assert_eq!(quoted_inner('\u{a0}'), "\\u00a0"); // no-break space: graphic, not printable
    assert_eq!(quoted_inner('\u{a1}'), "¡");
    assert_eq!(quoted_inner('\u{ad}'), "\\u00ad"); // soft hyphen
    assert_eq!(quoted_inner('é'), "é");
    assert_eq!(quoted_inner('\u{301}'), "\u{301}"); // combining mark
    assert_eq!(quoted_inner('\u{61c}'), "\\u061c"); // Arabic letter mark (Cf)
    assert_eq!(quoted_inner('\u{180e}'), "\\u180e"); // Mongolian vowel separator (Cf)
    assert_eq!(quoted_inner('\u{1680}'), "\\u1680"); // Ogham space mark
    assert_eq!(quoted_inner('\u{2000}'), "\\u2000");
    assert_eq!(quoted_inner('\u{200b}'), "\\u200b");
    assert_eq!(quoted_inner('\u{2028}'), "\\u2028");
    assert_eq!(quoted_inner('\u{2029}'), "\\u2029");
    assert_eq!(quoted_inner('\u{202f}'), "\\u202f");
    assert_eq!(quoted_inner('\u{3000}'), "\\u3000");
    assert_eq!(quoted_inner('\u{feff}'), "\\ufeff");
    assert_eq!(quoted_inner('\u{fffd}'), "\u{fffd}"); // a real U+FFFD is printable
    assert_eq!(quoted_inner('\u{fffe}'), "\\ufffe");
    assert_eq!(quoted_inner('\u{ffff}'), "\\uffff");
    assert_eq!(quoted_inner('\u{e0001}'), "\\U000e0001"); // language tag (Cf)
    assert_eq!(quoted_inner('\u{e0100}'), "\u{e0100}"); // variation selector 17 (Mn)
}

#[test]
fn unassigned_code_points_are_escaped() {
    assert_eq!(quoted_inner('\u{378}'), "\\u0378");
    assert_eq!(quoted_inner('\u{38b}'), "\\u038b");
    assert_eq!(quoted_inner('\u{88f}'), "\\u088f"); // assigned after Unicode 15.0
    assert_eq!(quoted_inner('\u{1acf}'), "\\u1acf");
    assert_eq!(quoted_inner('\u{2ffc}'), "\\u2ffc"); // Unicode 15.1
    assert_eq!(quoted_inner('\u{31ef}'), "\\u31ef"); // Unicode 15.1
    assert_eq!(quoted_inner('\u{a7cb}'), "\\ua7cb"); // Unicode 16.0
    assert_eq!(quoted_inner('\u{1f6d8}'), "\\U0001f6d8"); // Unicode 16.0
    assert_eq!(quoted_inner('\u{1fa89}'), "\\U0001fa89"); // Unicode 16.0
    assert_eq!(quoted_inner('\u{2ebf0}'), "\\U0002ebf0"); // CJK extension I, Unicode 15.1
    assert_eq!(quoted_inner('\u{323b0}'), "\\U000323b0"); // right after CJK extension H
    assert_eq!(quoted_inner('\u{e0080}'), "\\U000e0080");
    assert_eq!(quoted_inner('\u{effff}'), "\\U000effff");
}

#[test]
fn code_points_new_in_unicode_15_are_printable() {
    for c in [
        '\u{cf3}',   // Kannada sign combining anusvara above right
        '\u{11f00}', // Kawi
        '\u{1e4d0}', // Nag Mundari
        '\u{1f6dc}', // wireless
        '\u{1fa77}', // pink heart
        '\u{1fa88}', // flute
        '\u{31350}', // CJK extension H
        '\u{323af}', // its last
    ] {
        assert_eq!(quoted_inner(c), c.to_string(), "{c:?}");
    }
    assert_eq!(quote("😀"), "\"😀\""); // a printable 4-byte rune
}

#[test]
fn private_use_and_surrogates() {
    assert_eq!(quoted_inner('\u{e000}'), "\\ue000");
    assert_eq!(quoted_inner('\u{f8ff}'), "\\uf8ff");
    assert_eq!(quoted_inner('\u{f0000}'), "\\U000f0000");
    assert_eq!(quoted_inner('\u{10fffd}'), "\\U0010fffd");
    assert_eq!(quoted_inner('\u{10ffff}'), "\\U0010ffff");
    // A surrogate is no Rust char; its UTF-8 form is three invalid bytes to Go.
    assert!(char::from_u32(0xd800).is_none());
    assert_eq!(quote_bytes(b"\xed\xa0\x80"), "\"\\xed\\xa0\\x80\"");
}

#[test]
fn invalid_bytes_print_as_hex_escapes() {
    assert_eq!(quote_bytes(b"a\xffb"), "\"a\\xffb\"");
    assert_eq!(quote_bytes(b"\x80"), "\"\\x80\"");
    // Truncated sequences: every byte on its own, then what follows as usual.
    assert_eq!(quote_bytes(b"a\xe2\x82b"), "\"a\\xe2\\x82b\"");
    assert_eq!(quote_bytes(b"\xf0\x9f\x98"), "\"\\xf0\\x9f\\x98\"");
    assert_eq!(quote_bytes(b"\xe2\x82\n"), "\"\\xe2\\x82\\n\"");
    // Overlong encodings and code points above U+10FFFF.
    assert_eq!(quote_bytes(b"\xc0\x80"), "\"\\xc0\\x80\"");
    assert_eq!(quote_bytes(b"\xe0\x80\xaf"), "\"\\xe0\\x80\\xaf\"");
    assert_eq!(quote_bytes(b"\xf4\x90\x80\x80"), "\"\\xf4\\x90\\x80\\x80\"");
    // Valid runes around them keep Go's rules.
    assert_eq!(
        quote_bytes("\u{ad}\"\u{1f600}".as_bytes()),
        "\"\\u00ad\\\"\u{1f600}\""
    );
    assert_eq!(quote_bytes(b""), "\"\"");
    assert_eq!(quote_bytes("─é".as_bytes()), quote("─é"));
}

#[test]
fn graphic_adds_the_space_separators() {
    for c in [
        '\u{a0}', '\u{1680}', '\u{2000}', '\u{200a}', '\u{202f}', '\u{205f}', '\u{3000}',
    ] {
        assert!(is_graphic(c) && !is_print(c), "{c:?}");
    }
    assert!(is_graphic('a') && is_graphic(' '));
    assert!(!is_graphic('\u{2028}') && !is_graphic('\u{ad}') && !is_graphic('\u{378}'));
}

#[test]
fn tables_are_sorted_pairs() {
    assert!(IS_PRINT16.len() % 2 == 0 && IS_PRINT32.len() % 2 == 0);
    assert!(IS_PRINT16.windows(2).all(|w| w[0] <= w[1]));
    assert!(IS_PRINT32.windows(2).all(|w| w[0] <= w[1]));
    assert!(IS_NOT_PRINT16.windows(2).all(|w| w[0] < w[1]));
    assert!(IS_NOT_PRINT32.windows(2).all(|w| w[0] < w[1]));
    assert!(IS_GRAPHIC.windows(2).all(|w| w[0] < w[1]));
}

/// Every char: the binary searches (and the Latin-1 fast path) agree with a plain walk over
/// the tables.
#[test]
fn lookup_agrees_with_a_scan_of_the_tables() {
    let mut printable = vec![false; 0x11_0000];
    for pair in IS_PRINT16.chunks(2) {
        (pair[0]..=pair[1]).for_each(|r| printable[usize::from(r)] = true);
    }
    for &r in &IS_NOT_PRINT16 {
        printable[usize::from(r)] = false;
    }
    for pair in IS_PRINT32.chunks(2) {
        (pair[0]..=pair[1]).for_each(|r| printable[r as usize] = true);
    }
    for &r in &IS_NOT_PRINT32 {
        printable[usize::from(r) + 0x1_0000] = false;
    }
    for c in (0..=0x10_ffff_u32).filter_map(char::from_u32) {
        assert_eq!(is_print(c), printable[c as usize], "{:#x}", c as u32);
    }
}

#[test]
fn quote_matches_go_for_paths_and_segments() {
    assert_eq!(quote("rel"), "\"rel\"");
    assert_eq!(quote("a\"b\\c\td\x00"), "\"a\\\"b\\\\c\\td\\x00\"");
    assert_eq!(quote("a b\n\x01"), "\"a b\\n\\x01\"");
    assert_eq!(quote("─é 日本"), "\"─é 日本\"");
    assert_eq!(quote("\u{200b}\u{600}"), "\"\\u200b\\u0600\"");
    assert_eq!(quote_rune('\''), "'\\''");
    assert_eq!(quote_rune('x'), "'x'");
    assert_eq!(quote_rune('\u{378}'), "'\\u0378'");
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
    assert_eq!(quote_byte_char(0xad), "'\\u00ad'");
}

#[test]
fn lossy_replaces_each_invalid_byte() {
    assert_eq!(lossy(b"a\xf0\x9fb"), "a\u{FFFD}\u{FFFD}b");
    assert_eq!(lossy(b"a\xe2\x82b"), "a\u{FFFD}\u{FFFD}b");
    assert_eq!(lossy("é".as_bytes()), "é");
}
