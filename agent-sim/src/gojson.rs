//! Go `encoding/json` compatible serialization.
//!
//! The agent writes every JSON body with an `Encoder` that has `SetEscapeHTML(true)` and no
//! indentation, which always appends one `\n`. This module reproduces that byte for byte on top of
//! `serde_json`: `<`, `>`, `&`, U+2028 and U+2029 are escaped as `\u003c`, `\u003e`, `\u0026`,
//! `\u2028`, `\u2029`, and floats are formatted the way Go's `strconv` does (`1` not `1.0`,
//! `1e-7` not `1e-07`, `1e+21`). [`json_string`] writes a byte string that may hold invalid UTF-8
//! (each invalid byte becomes the six characters `\ufffd`). Every JSON writer in the project goes
//! through here.

use serde::Serialize;
use serde_json::ser::{CharEscape, Formatter};
use std::io::{self, Write};

/// A `serde_json` formatter that produces what Go's `encoding/json` produces.
#[derive(Debug, Default, Clone, Copy)]
pub struct GoFormatter;

impl Formatter for GoFormatter {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        // Byte-wise: U+2028 and U+2029 are the only characters encoded as E2 80 A8 / E2 80 A9.
        let bytes = fragment.as_bytes();
        let mut start = 0;
        for (i, &b) in bytes.iter().enumerate() {
            let (escaped, len): (&[u8], usize) = match b {
                b'<' => (b"\\u003c", 1),
                b'>' => (b"\\u003e", 1),
                b'&' => (b"\\u0026", 1),
                0xE2 if bytes[i..].starts_with(&[0xE2, 0x80, 0xA8]) => (b"\\u2028", 3),
                0xE2 if bytes[i..].starts_with(&[0xE2, 0x80, 0xA9]) => (b"\\u2029", 3),
                _ => continue,
            };
            writer.write_all(&bytes[start..i])?;
            writer.write_all(escaped)?;
            start = i + len;
        }
        writer.write_all(&bytes[start..])
    }

    fn write_char_escape<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        char_escape: CharEscape,
    ) -> io::Result<()> {
        let s: &[u8] = match char_escape {
            CharEscape::Quote => b"\\\"",
            CharEscape::ReverseSolidus => b"\\\\",
            CharEscape::Solidus => b"/",
            CharEscape::Backspace => b"\\b",
            CharEscape::FormFeed => b"\\f",
            CharEscape::LineFeed => b"\\n",
            CharEscape::CarriageReturn => b"\\r",
            CharEscape::Tab => b"\\t",
            CharEscape::AsciiControl(byte) => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let buf = [
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    HEX[(byte >> 4) as usize],
                    HEX[(byte & 0xF) as usize],
                ];
                return writer.write_all(&buf);
            }
        };
        writer.write_all(s)
    }

    fn write_f64<W: ?Sized + Write>(&mut self, writer: &mut W, value: f64) -> io::Result<()> {
        writer.write_all(go_float(value).as_bytes())
    }

    fn write_f32<W: ?Sized + Write>(&mut self, writer: &mut W, value: f32) -> io::Result<()> {
        writer.write_all(go_float(f64::from(value)).as_bytes())
    }
}

/// Formats a float as Go's `encoding/json` does: shortest representation, plain decimal for
/// `1e-6 <= |x| < 1e21`, exponent form otherwise with a sign and no leading zero in the exponent.
pub fn go_float(value: f64) -> String {
    let abs = value.abs();
    if abs == 0.0 || (1e-6..1e21).contains(&abs) {
        return format!("{value}");
    }
    // Rust prints `1e-7` / `1e21`; Go prints `1e-07` trimmed to `1e-7` and `1e+21`.
    let s = format!("{value:e}");
    match s.split_once('e') {
        Some((mantissa, exp)) if !exp.starts_with('-') => format!("{mantissa}e+{exp}"),
        _ => s,
    }
}

/// Serializes `value` as Go's `json.Encoder.Encode` would: compact, HTML-escaped, with a
/// trailing newline.
pub fn to_vec<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    let mut out = to_vec_compact(value);
    out.push(b'\n');
    out
}

/// Like [`to_vec`] without the trailing newline (for embedding in other text).
pub fn to_vec_compact<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    let mut out = Vec::with_capacity(128);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, GoFormatter);
    // Serializing our own types into memory cannot fail except for maps with non-string keys,
    // which the wire types never contain; fall back to `null` rather than panicking.
    if value.serialize(&mut ser).is_err() {
        out.clear();
        out.extend_from_slice(b"null");
    }
    out
}

/// `encoding/json` with HTML escaping: a quoted JSON string for raw bytes. Valid UTF-8 is
/// written as is (except the escapes), each invalid byte as `\ufffd`.
pub fn json_string(b: &[u8], out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.reserve(b.len() + 2);
    out.push(b'"');
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c < 0x80 {
            match c {
                b'"' => out.extend_from_slice(b"\\\""),
                b'\\' => out.extend_from_slice(b"\\\\"),
                b'\n' => out.extend_from_slice(b"\\n"),
                b'\r' => out.extend_from_slice(b"\\r"),
                b'\t' => out.extend_from_slice(b"\\t"),
                0x08 => out.extend_from_slice(b"\\b"),
                0x0c => out.extend_from_slice(b"\\f"),
                b'<' | b'>' | b'&' | 0x00..=0x1f => {
                    out.extend_from_slice(b"\\u00");
                    out.push(HEX[usize::from(c >> 4)]);
                    out.push(HEX[usize::from(c & 0xf)]);
                }
                _ => out.push(c),
            }
            i += 1;
            continue;
        }
        let width = utf8_width(&b[i..]);
        if width == 0 {
            out.extend_from_slice(b"\\ufffd");
            i += 1;
            continue;
        }
        let ch = &b[i..i + width];
        match ch {
            [0xe2, 0x80, 0xa8] => out.extend_from_slice(b"\\u2028"),
            [0xe2, 0x80, 0xa9] => out.extend_from_slice(b"\\u2029"),
            _ => out.extend_from_slice(ch),
        }
        i += width;
    }
    out.push(b'"');
}

/// A Go string held as the bytes that came in a request (possibly not UTF-8): serialized as
/// `encoding/json` writes a Go string, each invalid byte as `\ufffd` (a `String` could only
/// hold U+FFFD itself, which Go writes raw).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoBytes(pub Vec<u8>);

impl From<&str> for GoBytes {
    fn from(s: &str) -> Self {
        GoBytes(s.as_bytes().to_vec())
    }
}

impl Serialize for GoBytes {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::Error as _;
        let mut out = Vec::with_capacity(self.0.len() + 2);
        json_string(&self.0, &mut out);
        let text = String::from_utf8(out).map_err(S::Error::custom)?;
        serde_json::value::RawValue::from_string(text)
            .map_err(S::Error::custom)?
            .serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for GoBytes {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(|s| GoBytes(s.into_bytes()))
    }
}

/// The length of the valid UTF-8 character at the start of `b`, or 0 when it is invalid.
fn utf8_width(b: &[u8]) -> usize {
    let want = match b[0] {
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => return 0,
    };
    if b.len() < want {
        return 0;
    }
    match std::str::from_utf8(&b[..want]) {
        Ok(_) => want,
        Err(_) => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn escapes_html_and_line_separators() {
        let v = json!({"a": "<b> & \u{2028}\u{2029}"});
        assert_eq!(
            to_vec(&v),
            b"{\"a\":\"\\u003cb\\u003e \\u0026 \\u2028\\u2029\"}\n".to_vec()
        );
    }

    #[test]
    fn control_characters_use_go_escapes() {
        let v = json!("\n\r\t\u{8}\u{c}\u{1}\u{1f}\"\\/");
        assert_eq!(
            to_vec(&v),
            b"\"\\n\\r\\t\\b\\f\\u0001\\u001f\\\"\\\\/\"\n".to_vec()
        );
    }

    #[test]
    fn floats_match_go() {
        assert_eq!(go_float(1.0), "1");
        assert_eq!(go_float(0.0123), "0.0123");
        assert_eq!(go_float(1e-7), "1e-7");
        assert_eq!(go_float(1e21), "1e+21");
        assert_eq!(go_float(1e20), "100000000000000000000");
        assert_eq!(go_float(-2.5e-9), "-2.5e-9");
        assert_eq!(go_float(0.0), "0");
    }

    #[test]
    fn non_ascii_is_raw() {
        assert_eq!(
            to_vec(&json!("héllo ✓")),
            "\"héllo ✓\"\n".as_bytes().to_vec()
        );
    }

    #[test]
    fn json_string_matches_go() {
        let mut out = Vec::new();
        json_string(
            b"<a&b>\"\\\n\x01\x7f\xe2\x80\xa8\xff\xe2\x82 \xc3\xa9",
            &mut out,
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\"\\u003ca\\u0026b\\u003e\\\"\\\\\\n\\u0001\x7f\\u2028\\ufffd\\ufffd\\ufffd é\""
        );
    }
}
