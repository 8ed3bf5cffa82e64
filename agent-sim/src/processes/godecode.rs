//! Request bodies decoded the way Go's `json.NewDecoder(body).Decode(&req)` does: one JSON
//! value (trailing bytes ignored), unknown keys ignored, keys matched case-insensitively,
//! `null` leaves the zero value, invalid UTF-8 in strings becomes U+FFFD, and errors carry Go's
//! texts (`EOF`, `unexpected EOF`, the scanner's `invalid character …` messages, and
//! `json: cannot unmarshal …` type errors).

use crate::gostr::{lossy, quote_byte_char};
use std::collections::BTreeMap;

/// A parsed JSON value, keeping object key order and duplicates as Go sees them.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number,
    String(String),
    Array,
    Object(Vec<(String, Value)>),
}

impl Value {
    /// The word Go's `UnmarshalTypeError` uses for this kind of JSON value.
    fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Number => "number",
            Value::String(_) => "string",
            Value::Array => "array",
            Value::Object(_) => "object",
        }
    }
}

/// A decode error; its `Display` is the Go error text used as the 400 `detail`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DecodeError(pub String);

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
}

type PResult<T> = Result<T, DecodeError>;

fn unexpected_eof() -> DecodeError {
    DecodeError("unexpected EOF".into())
}

fn invalid(c: u8, context: &str) -> DecodeError {
    DecodeError(format!(
        "invalid character {} {context}",
        quote_byte_char(c)
    ))
}

impl Parser<'_> {
    fn skip_ws(&mut self) {
        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn next_non_ws(&mut self) -> PResult<u8> {
        self.skip_ws();
        self.peek().ok_or_else(unexpected_eof)
    }

    fn value(&mut self, depth: usize) -> PResult<Value> {
        if depth > 10_000 {
            return Err(DecodeError(
                "exceeded max depth".into(), // Go: "exceeded max depth"
            ));
        }
        let c = self.next_non_ws()?;
        match c {
            b'{' => {
                self.i += 1;
                self.object(depth)
            }
            b'[' => {
                self.i += 1;
                self.array(depth)
            }
            b'"' => {
                self.i += 1;
                Ok(Value::String(self.string()?))
            }
            b'-' | b'0'..=b'9' => self.number(),
            b't' => self.literal(b"true", Value::Bool(true)),
            b'f' => self.literal(b"false", Value::Bool(false)),
            b'n' => self.literal(b"null", Value::Null),
            c => Err(invalid(c, "looking for beginning of value")),
        }
    }

    fn object(&mut self, depth: usize) -> PResult<Value> {
        let mut fields = Vec::new();
        let c = self.next_non_ws()?;
        if c == b'}' {
            self.i += 1;
            return Ok(Value::Object(fields));
        }
        loop {
            let c = self.next_non_ws()?;
            if c != b'"' {
                return Err(invalid(c, "looking for beginning of object key string"));
            }
            self.i += 1;
            let key = self.string()?;
            let c = self.next_non_ws()?;
            if c != b':' {
                return Err(invalid(c, "after object key"));
            }
            self.i += 1;
            let v = self.value(depth + 1)?;
            fields.push((key, v));
            let c = self.next_non_ws()?;
            self.i += 1;
            match c {
                b',' => continue,
                b'}' => return Ok(Value::Object(fields)),
                c => return Err(invalid(c, "after object key:value pair")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> PResult<Value> {
        let c = self.next_non_ws()?;
        if c == b']' {
            self.i += 1;
            return Ok(Value::Array);
        }
        loop {
            self.value(depth + 1)?;
            let c = self.next_non_ws()?;
            self.i += 1;
            match c {
                b',' => continue,
                b']' => return Ok(Value::Array),
                c => return Err(invalid(c, "after array element")),
            }
        }
    }

    fn hex4(&mut self) -> PResult<u32> {
        let mut v = 0u32;
        for _ in 0..4 {
            let c = self.peek().ok_or_else(unexpected_eof)?;
            let d = (c as char)
                .to_digit(16)
                .ok_or_else(|| invalid(c, "in \\u hexadecimal character escape"))?;
            v = v * 16 + d;
            self.i += 1;
        }
        Ok(v)
    }

    /// After the opening quote; consumes the closing one.
    fn string(&mut self) -> PResult<String> {
        let mut raw: Vec<u8> = Vec::new();
        loop {
            let c = self.peek().ok_or_else(unexpected_eof)?;
            self.i += 1;
            match c {
                b'"' => return Ok(lossy(&raw)),
                b'\\' => {
                    let e = self.peek().ok_or_else(unexpected_eof)?;
                    self.i += 1;
                    let ch = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            if (0xD800..0xDC00).contains(&hi)
                                && self.b.get(self.i..self.i + 2) == Some(b"\\u")
                            {
                                let save = self.i;
                                self.i += 2;
                                let lo = self.hex4()?;
                                if (0xDC00..0xE000).contains(&lo) {
                                    let cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                                    char::from_u32(cp).unwrap_or('\u{FFFD}')
                                } else {
                                    // Not a pair: the first is replaced, the second is read again.
                                    self.i = save;
                                    '\u{FFFD}'
                                }
                            } else {
                                char::from_u32(hi).unwrap_or('\u{FFFD}')
                            }
                        }
                        e => return Err(invalid(e, "in string escape code")),
                    };
                    let mut buf = [0u8; 4];
                    raw.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
                c if c < 0x20 => return Err(invalid(c, "in string literal")),
                c => raw.push(c),
            }
        }
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.i += 1;
        }
    }

    fn number(&mut self) -> PResult<Value> {
        if self.peek() == Some(b'-') {
            self.i += 1;
            match self.peek() {
                None => return Err(unexpected_eof()),
                Some(b'0'..=b'9') => {}
                Some(c) => return Err(invalid(c, "in numeric literal")),
            }
        }
        if self.peek() == Some(b'0') {
            self.i += 1;
        } else {
            self.digits();
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            match self.peek() {
                None => return Err(unexpected_eof()),
                Some(b'0'..=b'9') => self.digits(),
                Some(c) => return Err(invalid(c, "after decimal point in numeric literal")),
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            match self.peek() {
                None => return Err(unexpected_eof()),
                Some(b'0'..=b'9') => self.digits(),
                Some(c) => return Err(invalid(c, "in exponent of numeric literal")),
            }
        }
        Ok(Value::Number)
    }

    fn literal(&mut self, word: &'static [u8], v: Value) -> PResult<Value> {
        let name = std::str::from_utf8(word).unwrap_or_default();
        for (k, &want) in word.iter().enumerate() {
            match self.peek() {
                None => return Err(unexpected_eof()),
                Some(c) if c == want => self.i += 1,
                Some(c) if k > 0 => {
                    return Err(invalid(
                        c,
                        &format!("in literal {name} (expecting {})", quote_byte_char(want)),
                    ))
                }
                Some(c) => return Err(invalid(c, "looking for beginning of value")),
            }
        }
        Ok(v)
    }
}

/// Reads the first JSON value of `body` as `Decoder.Decode` does.
pub fn parse(body: &[u8]) -> Result<Value, DecodeError> {
    let mut p = Parser { b: body, i: 0 };
    p.skip_ws();
    if p.peek().is_none() {
        return Err(DecodeError("EOF".into()));
    }
    p.value(0)
}

/// Go's field-name matching: an exact match wins, else a case-insensitive one.
fn field_matches(key: &str, name: &str) -> bool {
    key == name || key.to_lowercase() == name.to_lowercase()
}

/// Decodes a struct of string, bool and `map[string]string` fields. `type_name` is the Go
/// type (`workspacesdk.StartProcessRequest`).
pub struct StructDecoder<'a> {
    type_name: &'a str,
    fields: Vec<(String, Value)>,
}

impl<'a> StructDecoder<'a> {
    /// Parses `body`, checking that the top-level value can fill a struct.
    pub fn new(body: &[u8], type_name: &'a str) -> Result<Self, DecodeError> {
        match parse(body)? {
            Value::Null => Ok(Self {
                type_name,
                fields: Vec::new(),
            }),
            Value::Object(fields) => Ok(Self { type_name, fields }),
            other => Err(DecodeError(format!(
                "json: cannot unmarshal {} into Go value of type {type_name}",
                other.kind()
            ))),
        }
    }

    fn short_name(&self) -> &str {
        self.type_name.rsplit('.').next().unwrap_or(self.type_name)
    }

    fn type_error(&self, v: &Value, field: &str, go_type: &str) -> DecodeError {
        DecodeError(format!(
            "json: cannot unmarshal {} into Go struct field {}.{field} of type {go_type}",
            v.kind(),
            self.short_name()
        ))
    }

    /// The first type error in declaration order of JSON keys, as Go reports the first one.
    pub fn check(&self, schema: &[(&str, FieldType)]) -> Result<(), DecodeError> {
        for (key, v) in &self.fields {
            let Some((name, ty)) = schema.iter().find(|(n, _)| field_matches(key, n)) else {
                continue;
            };
            match (ty, v) {
                (_, Value::Null) => {}
                (FieldType::String, Value::String(_)) | (FieldType::Bool, Value::Bool(_)) => {}
                (FieldType::StringMap, Value::Object(entries)) => {
                    for (_, ev) in entries {
                        if !matches!(ev, Value::String(_) | Value::Null) {
                            return Err(self.type_error(ev, name, "string"));
                        }
                    }
                }
                (FieldType::String, v) => return Err(self.type_error(v, name, "string")),
                (FieldType::Bool, v) => return Err(self.type_error(v, name, "bool")),
                (FieldType::StringMap, v) => {
                    return Err(self.type_error(v, name, "map[string]string"))
                }
            }
        }
        Ok(())
    }

    pub fn string(&self, name: &str) -> String {
        // Go assigns each occurrence in turn; `null` leaves what was there.
        let mut out = String::new();
        for (k, v) in &self.fields {
            if field_matches(k, name) {
                if let Value::String(s) = v {
                    out = s.clone();
                }
            }
        }
        out
    }

    pub fn bool(&self, name: &str) -> bool {
        let mut out = false;
        for (k, v) in &self.fields {
            if field_matches(k, name) {
                if let Value::Bool(b) = v {
                    out = *b;
                }
            }
        }
        out
    }

    /// A `map[string]string`: entries of every occurrence merge (Go reuses the map), `null`
    /// values become `""`, a `null` map resets it.
    pub fn string_map(&self, name: &str) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for (k, v) in &self.fields {
            if !field_matches(k, name) {
                continue;
            }
            match v {
                Value::Null => out.clear(),
                Value::Object(entries) => {
                    for (ek, ev) in entries {
                        let s = match ev {
                            Value::String(s) => s.clone(),
                            _ => String::new(),
                        };
                        out.insert(ek.clone(), s);
                    }
                }
                _ => {}
            }
        }
        out
    }
}

/// The Go type of a request field, for type errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    String,
    Bool,
    StringMap,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(body: &str) -> String {
        parse(body.as_bytes()).unwrap_err().0
    }

    #[test]
    fn go_syntax_errors() {
        assert_eq!(err(""), "EOF");
        assert_eq!(err("  \n"), "EOF");
        assert_eq!(
            err("{invalid json"),
            "invalid character 'i' looking for beginning of object key string"
        );
        assert_eq!(err("{\"a\" 1}"), "invalid character '1' after object key");
        assert_eq!(
            err("{\"a\":1 x"),
            "invalid character 'x' after object key:value pair"
        );
        assert_eq!(
            err("{\"a\":[1 2]}"),
            "invalid character '2' after array element"
        );
        assert_eq!(
            err("x"),
            "invalid character 'x' looking for beginning of value"
        );
        assert_eq!(
            err("{\"a\":tru}"),
            "invalid character '}' in literal true (expecting 'e')"
        );
        assert_eq!(
            err("{\"a\":\"\n\"}"),
            "invalid character '\\n' in string literal"
        );
        assert_eq!(
            err("{\"a\":\"\\x\"}"),
            "invalid character 'x' in string escape code"
        );
        assert_eq!(
            err("{\"a\":-x}"),
            "invalid character 'x' in numeric literal"
        );
        assert_eq!(
            err("{\"a\":1.x}"),
            "invalid character 'x' after decimal point in numeric literal"
        );
        assert_eq!(err("{\"a\":1"), "unexpected EOF");
        assert_eq!(err("{"), "unexpected EOF");
        assert_eq!(err("{\"a"), "unexpected EOF");
    }

    #[test]
    fn trailing_bytes_ignored() {
        assert!(parse(b"{} garbage").is_ok());
    }

    const SCHEMA: &[(&str, FieldType)] = &[
        ("command", FieldType::String),
        ("workdir", FieldType::String),
        ("env", FieldType::StringMap),
        ("background", FieldType::Bool),
    ];

    fn decode(body: &str) -> Result<StructDecoder<'static>, DecodeError> {
        let d = StructDecoder::new(body.as_bytes(), "workspacesdk.StartProcessRequest")?;
        d.check(SCHEMA)?;
        Ok(d)
    }

    #[test]
    fn type_errors() {
        assert_eq!(
            decode("{\"command\":1}").err().unwrap().0,
            "json: cannot unmarshal number into Go struct field StartProcessRequest.command of type string"
        );
        assert_eq!(
            decode("{\"background\":\"yes\"}").err().unwrap().0,
            "json: cannot unmarshal string into Go struct field StartProcessRequest.background of type bool"
        );
        assert_eq!(
            decode("[]").err().unwrap().0,
            "json: cannot unmarshal array into Go value of type workspacesdk.StartProcessRequest"
        );
        assert!(decode("{\"env\":{\"A\":1}}").is_err());
    }

    #[test]
    fn go_field_semantics() {
        let d = decode(
            "{\"COMMAND\":\"a\",\"command\":null,\"Env\":{\"K\":\"v\",\"N\":null},\"unknown\":[1],\"background\":true}",
        )
        .unwrap();
        assert_eq!(d.string("command"), "a");
        assert!(d.bool("background"));
        let env = d.string_map("env");
        assert_eq!(env.get("K").map(String::as_str), Some("v"));
        assert_eq!(env.get("N").map(String::as_str), Some(""));
        let d = decode("null").unwrap();
        assert_eq!(d.string("command"), "");
        let d = decode("{\"command\":\"\\ud83d\\ude00\\u00e9\\ud800x\"}").unwrap();
        assert_eq!(d.string("command"), "😀é\u{FFFD}x");
        let d = StructDecoder::new(b"{\"command\":\"a\xffb\"}", "x.T").unwrap();
        assert_eq!(d.string("command"), "a\u{FFFD}b");
    }
}
