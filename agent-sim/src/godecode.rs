//! Request bodies decoded the way the agent's `json.NewDecoder(r.Body).Decode(&req)` does
//! (`httpapi.Read` in the files API, the process API's handlers): written once, for every
//! route that reads a JSON body.
//!
//! Go's rules, from `encoding/json` (`scanner.go`, `stream.go`, `decode.go`):
//! - one JSON value is read; bytes after it are ignored (`Decoder.Decode` stops at the end of
//!   the first value);
//! - an empty or all-space body is `EOF`; a value cut short is `unexpected EOF`; any other
//!   syntax error is the scanner's `invalid character 'x' <context>` text;
//! - nesting deeper than `maxNestingDepth` (10000) fails when the 10001st `[` or `{` is read,
//!   with the scanner's `invalid character '[' exceeded max depth`;
//! - keys match a struct field exactly or, failing that, case-insensitively (`foldName`:
//!   ASCII upper-casing, and `unicode.ToUpper(unicode.ToLower(r))` for other runes); unknown
//!   keys are ignored; members are applied in document order, so a later one overwrites;
//! - `null` leaves a field's zero value; invalid UTF-8 inside strings becomes U+FFFD, byte per
//!   byte;
//! - a value of the wrong type is an `UnmarshalTypeError`; decoding goes on and the first such
//!   error (in document order) is the one returned.
//!
//! The parser is iterative (an explicit stack, not one Rust frame per level) and values are
//! dropped iteratively, so no body can exhaust the stack however deep it nests.

use crate::gostr::{lossy, quote_byte_char, quote_rune};
use std::collections::BTreeMap;

/// Go's `maxNestingDepth`.
pub const MAX_DEPTH: usize = 10_000;

/// A decode error; its `Display` is the Go error text the agent sends as the 400's `detail`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DecodeError(pub String);

/// A parsed JSON value. Objects keep their members in document order, duplicates included,
/// as Go's decoder sees them.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number,
    String(String),
    Array(Vec<Value>),
    Object(Vec<(String, Value)>),
}

impl Value {
    /// The word Go's `UnmarshalTypeError` uses for this kind of JSON value.
    pub fn go_kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Number => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        }
    }
}

// Deep values are dropped with an explicit stack: a recursive drop of 10000 levels could
// exhaust a worker thread's stack.
impl Drop for Value {
    fn drop(&mut self) {
        let mut pending: Vec<Value> = Vec::new();
        match self {
            Value::Array(items) => pending.append(items),
            Value::Object(members) => pending.extend(members.drain(..).map(|(_, v)| v)),
            _ => return,
        }
        while let Some(mut v) = pending.pop() {
            match &mut v {
                Value::Array(items) => pending.append(items),
                Value::Object(members) => pending.extend(members.drain(..).map(|(_, v)| v)),
                _ => {}
            }
        }
    }
}

/// An open container while parsing.
enum Open {
    Array(Vec<Value>),
    /// Members so far and the key whose value is being read.
    Object(Vec<(String, Value)>, String),
}

fn eof() -> DecodeError {
    DecodeError("EOF".into())
}

fn unexpected_eof() -> DecodeError {
    DecodeError("unexpected EOF".into())
}

/// The scanner's `s.error(c, context)`.
fn invalid(c: u8, context: &str) -> DecodeError {
    DecodeError(format!(
        "invalid character {} {context}",
        quote_byte_char(c)
    ))
}

struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Scanner<'_> {
    fn skip_space(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    /// The next byte; running out inside a value is `unexpected EOF`.
    fn peek(&self) -> Result<u8, DecodeError> {
        self.bytes.get(self.pos).copied().ok_or_else(unexpected_eof)
    }

    fn next_non_space(&mut self) -> Result<u8, DecodeError> {
        self.skip_space();
        self.peek()
    }

    /// A string, at its opening quote; consumes the closing one.
    fn string(&mut self) -> Result<String, DecodeError> {
        self.pos += 1;
        let mut raw: Vec<u8> = Vec::new();
        loop {
            let c = self.peek()?;
            self.pos += 1;
            match c {
                b'"' => return Ok(lossy(&raw)),
                b'\\' => {
                    let e = self.peek()?;
                    self.pos += 1;
                    let ch = match e {
                        b'"' | b'\\' | b'/' => char::from(e),
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        other => return Err(invalid(other, "in string escape code")),
                    };
                    let mut buf = [0u8; 4];
                    raw.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
                c if c < 0x20 => return Err(invalid(c, "in string literal")),
                c => raw.push(c),
            }
        }
    }

    /// After `\u`: a code point, a surrogate pair, or U+FFFD for a lone surrogate (the second
    /// half of a broken pair is read again on its own, as Go's `unquote` does).
    fn unicode_escape(&mut self) -> Result<char, DecodeError> {
        let hi = self.hex4()?;
        if !(0xD800..0xDC00).contains(&hi) || self.bytes.get(self.pos..self.pos + 2) != Some(b"\\u")
        {
            return Ok(char::from_u32(hi).unwrap_or('\u{FFFD}'));
        }
        let save = self.pos;
        self.pos += 2;
        let lo = self.hex4()?;
        if (0xDC00..0xE000).contains(&lo) {
            let cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
            return Ok(char::from_u32(cp).unwrap_or('\u{FFFD}'));
        }
        self.pos = save;
        Ok('\u{FFFD}')
    }

    fn hex4(&mut self) -> Result<u32, DecodeError> {
        let mut v = 0u32;
        for _ in 0..4 {
            let c = self.peek()?;
            let d = char::from(c)
                .to_digit(16)
                .ok_or_else(|| invalid(c, "in \\u hexadecimal character escape"))?;
            v = v * 16 + d;
            self.pos += 1;
        }
        Ok(v)
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    /// A number, at its first byte (`-` or a digit).
    fn number(&mut self) -> Result<Value, DecodeError> {
        if self.bytes.get(self.pos) == Some(&b'-') {
            self.pos += 1;
            let c = self.peek()?;
            if !c.is_ascii_digit() {
                return Err(invalid(c, "in numeric literal"));
            }
        }
        if self.bytes.get(self.pos) == Some(&b'0') {
            self.pos += 1;
        } else {
            self.digits();
        }
        if self.bytes.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            let c = self.peek()?;
            if !c.is_ascii_digit() {
                return Err(invalid(c, "after decimal point in numeric literal"));
            }
            self.digits();
        }
        if let Some(b'e' | b'E') = self.bytes.get(self.pos) {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.bytes.get(self.pos) {
                self.pos += 1;
            }
            let c = self.peek()?;
            if !c.is_ascii_digit() {
                return Err(invalid(c, "in exponent of numeric literal"));
            }
            self.digits();
        }
        Ok(Value::Number)
    }

    /// `true`, `false` or `null`, at its first byte.
    fn literal(&mut self, word: &'static str, v: Value) -> Result<Value, DecodeError> {
        self.pos += 1;
        for expect in word.bytes().skip(1) {
            let c = self.peek()?;
            if c != expect {
                let context = format!(
                    "in literal {word} (expecting {})",
                    quote_rune(char::from(expect))
                );
                return Err(invalid(c, &context));
            }
            self.pos += 1;
        }
        Ok(v)
    }

    /// An object key and its `:`, at the key's opening quote.
    fn key(&mut self) -> Result<String, DecodeError> {
        let k = self.string()?;
        let c = self.next_non_space()?;
        if c != b':' {
            return Err(invalid(c, "after object key"));
        }
        self.pos += 1;
        Ok(k)
    }

    /// After a `,` in an object: the next key.
    fn next_key(&mut self) -> Result<String, DecodeError> {
        match self.next_non_space()? {
            b'"' => self.key(),
            c => Err(invalid(c, "looking for beginning of object key string")),
        }
    }
}

/// Reads the first JSON value of `body` as `Decoder.Decode` does.
pub fn parse(body: &[u8]) -> Result<Value, DecodeError> {
    let mut s = Scanner {
        bytes: body,
        pos: 0,
    };
    s.skip_space();
    if s.pos >= body.len() {
        return Err(eof());
    }
    let mut stack: Vec<Open> = Vec::new();
    loop {
        let Some(value) = s.value_or_open(&mut stack)? else {
            continue;
        };
        if let Some(done) = s.attach(&mut stack, value)? {
            return Ok(done);
        }
    }
}

impl Scanner<'_> {
    /// Reads a value where one is expected: a scalar or an empty container comes back whole;
    /// an opened container goes on the stack (`None`).
    fn value_or_open(&mut self, stack: &mut Vec<Open>) -> Result<Option<Value>, DecodeError> {
        let c = self.next_non_space()?;
        let value = match c {
            b'{' | b'[' if stack.len() >= MAX_DEPTH => {
                return Err(invalid(c, "exceeded max depth"))
            }
            b'{' => {
                self.pos += 1;
                match self.next_non_space()? {
                    b'}' => {
                        self.pos += 1;
                        Value::Object(Vec::new())
                    }
                    b'"' => {
                        let key = self.key()?;
                        stack.push(Open::Object(Vec::new(), key));
                        return Ok(None);
                    }
                    c => return Err(invalid(c, "looking for beginning of object key string")),
                }
            }
            b'[' => {
                self.pos += 1;
                if self.next_non_space()? == b']' {
                    self.pos += 1;
                    Value::Array(Vec::new())
                } else {
                    stack.push(Open::Array(Vec::new()));
                    return Ok(None);
                }
            }
            b'"' => Value::String(self.string()?),
            b'-' | b'0'..=b'9' => self.number()?,
            b't' => self.literal("true", Value::Bool(true))?,
            b'f' => self.literal("false", Value::Bool(false))?,
            b'n' => self.literal("null", Value::Null)?,
            c => return Err(invalid(c, "looking for beginning of value")),
        };
        Ok(Some(value))
    }

    /// Attaches a complete value to the innermost open container, closing every container it
    /// completes: the whole document once the stack is empty, `None` when another value
    /// follows a `,`.
    fn attach(
        &mut self,
        stack: &mut Vec<Open>,
        mut value: Value,
    ) -> Result<Option<Value>, DecodeError> {
        loop {
            let Some(open) = stack.last_mut() else {
                return Ok(Some(value));
            };
            let c = self.next_non_space()?;
            self.pos += 1;
            match open {
                Open::Array(items) => {
                    items.push(value);
                    match c {
                        b',' => return Ok(None),
                        b']' => value = Value::Array(std::mem::take(items)),
                        c => return Err(invalid(c, "after array element")),
                    }
                }
                Open::Object(members, key) => {
                    members.push((std::mem::take(key), value));
                    match c {
                        b',' => {
                            *key = self.next_key()?;
                            return Ok(None);
                        }
                        b'}' => value = Value::Object(std::mem::take(members)),
                        c => return Err(invalid(c, "after object key:value pair")),
                    }
                }
            }
            stack.pop();
        }
    }
}

/// Go's `foldName`: ASCII letters upper-cased, other runes `ToUpper(ToLower(r))`.
fn fold(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii() {
                return c.to_ascii_uppercase();
            }
            let lower = c.to_lowercase().next().unwrap_or(c);
            let mut upper = lower.to_uppercase();
            match (upper.next(), upper.next()) {
                (Some(u), None) => u,
                _ => lower,
            }
        })
        .collect()
}

/// Calls `f(field, value)` for each member of `members`, in document order, whose key names
/// one of `fields` (exactly, else case-insensitively as Go folds names). Unknown keys are
/// skipped.
pub fn for_each_field<'a>(
    members: &'a [(String, Value)],
    fields: &[&'static str],
    mut f: impl FnMut(&'static str, &'a Value),
) {
    let folded: Vec<String> = fields.iter().map(|n| fold(n)).collect();
    for (key, value) in members {
        let exact = fields.iter().find(|n| **n == key.as_str());
        let field = exact.or_else(|| {
            let k = fold(key);
            fields
                .iter()
                .zip(&folded)
                .find(|(_, f)| **f == k)
                .map(|(n, _)| n)
        });
        if let Some(name) = field {
            f(name, value);
        }
    }
}

/// Fills a Go request struct from a parsed value, keeping the first `UnmarshalTypeError` as
/// Go does (decoding goes on after it). `strukt` is the struct's short name
/// (`StartProcessRequest`), `path` the dotted field path Go reports (`files.edits.search`).
#[derive(Debug, Default)]
pub struct Fill {
    err: Option<DecodeError>,
}

impl Fill {
    /// `json: cannot unmarshal <kind> into Go struct field <strukt>.<path> of type <ty>`.
    pub fn field_err(&mut self, v: &Value, strukt: &str, path: &str, ty: &str) {
        if self.err.is_none() {
            self.err = Some(DecodeError(format!(
                "json: cannot unmarshal {} into Go struct field {strukt}.{path} of type {ty}",
                v.go_kind()
            )));
        }
    }

    /// `json: cannot unmarshal <kind> into Go value of type <ty>` (the top-level value).
    pub fn value_err(&mut self, v: &Value, ty: &str) {
        if self.err.is_none() {
            self.err = Some(DecodeError(format!(
                "json: cannot unmarshal {} into Go value of type {ty}",
                v.go_kind()
            )));
        }
    }

    /// The top-level value as a struct's members: `null` is the zero struct, anything but
    /// an object is a type error on `ty` (the qualified Go type).
    pub fn top_level<'a>(&mut self, v: &'a Value, ty: &str) -> &'a [(String, Value)] {
        match v {
            Value::Object(members) => members,
            Value::Null => &[],
            other => {
                self.value_err(other, ty);
                &[]
            }
        }
    }

    /// The members of a struct-typed field: `null` is the zero struct, anything but an
    /// object is a type error on the field (`strukt`.`path`, Go type `ty`).
    pub fn nested<'a>(
        &mut self,
        v: &'a Value,
        strukt: &str,
        path: &str,
        ty: &str,
    ) -> &'a [(String, Value)] {
        match v {
            Value::Object(members) => members,
            Value::Null => &[],
            other => {
                self.field_err(other, strukt, path, ty);
                &[]
            }
        }
    }

    /// A `string` field (or a named string type `ty`): `None` when the value leaves the field
    /// as it was (`null`, which Go ignores for a string, or a type error).
    pub fn string_as(&mut self, v: &Value, strukt: &str, path: &str, ty: &str) -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            other => {
                self.field_err(other, strukt, path, ty);
                None
            }
        }
    }

    /// A `string` field; `None` leaves it as it was.
    pub fn string(&mut self, v: &Value, strukt: &str, path: &str) -> Option<String> {
        self.string_as(v, strukt, path, "string")
    }

    /// A `bool` field; `None` leaves it as it was.
    pub fn bool(&mut self, v: &Value, strukt: &str, path: &str) -> Option<bool> {
        match v {
            Value::Bool(b) => Some(*b),
            Value::Null => None,
            other => {
                self.field_err(other, strukt, path, "bool");
                None
            }
        }
    }

    /// A slice field (`[]T`, Go type `ty`): each element filled by `elem`; `null` is empty.
    pub fn list<T>(
        &mut self,
        v: &Value,
        strukt: &str,
        path: &str,
        ty: &str,
        mut elem: impl FnMut(&mut Self, &Value) -> T,
    ) -> Vec<T> {
        match v {
            Value::Array(items) => items.iter().map(|i| elem(self, i)).collect(),
            Value::Null => Vec::new(),
            other => {
                self.field_err(other, strukt, path, ty);
                Vec::new()
            }
        }
    }

    /// A `map[string]string` field assigned into `map`: Go reuses the map, so entries of
    /// every occurrence merge; a `null` entry is `""`; a `null` map clears it.
    pub fn string_map_into(
        &mut self,
        map: &mut BTreeMap<String, String>,
        v: &Value,
        strukt: &str,
        path: &str,
    ) {
        match v {
            Value::Null => map.clear(),
            Value::Object(entries) => {
                for (k, ev) in entries {
                    let s = self.string(ev, strukt, path).unwrap_or_default();
                    map.insert(k.clone(), s);
                }
            }
            other => self.field_err(other, strukt, path, "map[string]string"),
        }
    }

    /// The filled request, or the first type error.
    pub fn finish<T>(self, value: T) -> Result<T, DecodeError> {
        match self.err {
            Some(e) => Err(e),
            None => Ok(value),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(body: &[u8]) -> String {
        parse(body).unwrap_err().0
    }

    #[test]
    fn go_syntax_errors() {
        for (input, want) in [
            ("", "EOF"),
            ("  \n", "EOF"),
            ("{", "unexpected EOF"),
            ("{\"a\":", "unexpected EOF"),
            ("{\"a\":1", "unexpected EOF"),
            ("{\"a", "unexpected EOF"),
            ("tru", "unexpected EOF"),
            ("-", "unexpected EOF"),
            ("x", "invalid character 'x' looking for beginning of value"),
            (
                "{invalid json",
                "invalid character 'i' looking for beginning of object key string",
            ),
            (
                "{'a':1}",
                "invalid character '\\'' looking for beginning of object key string",
            ),
            ("{\"a\" 1}", "invalid character '1' after object key"),
            (
                "{\"a\":1 x",
                "invalid character 'x' after object key:value pair",
            ),
            (
                "{\"a\":1,}",
                "invalid character '}' looking for beginning of object key string",
            ),
            ("[1 2]", "invalid character '2' after array element"),
            ("[01]", "invalid character '1' after array element"),
            (
                "[1,]",
                "invalid character ']' looking for beginning of value",
            ),
            ("\"a\nb\"", "invalid character '\\n' in string literal"),
            ("\"\\x\"", "invalid character 'x' in string escape code"),
            (
                "\"\\u12g4\"",
                "invalid character 'g' in \\u hexadecimal character escape",
            ),
            (
                "tx",
                "invalid character 'x' in literal true (expecting 'r')",
            ),
            (
                "{\"a\":tru}",
                "invalid character '}' in literal true (expecting 'e')",
            ),
            (
                "nul!",
                "invalid character '!' in literal null (expecting 'l')",
            ),
            ("-x", "invalid character 'x' in numeric literal"),
            (
                "1.x",
                "invalid character 'x' after decimal point in numeric literal",
            ),
            (
                "1e+x",
                "invalid character 'x' in exponent of numeric literal",
            ),
            (
                "\u{1}",
                "invalid character '\\x01' looking for beginning of value",
            ),
        ] {
            assert_eq!(err(input.as_bytes()), want, "{input:?}");
        }
        // A byte ≥ 0x80 is shown as the rune of the same value (Go's `string(c)`).
        assert_eq!(
            err(b"\xff"),
            "invalid character '\u{ff}' looking for beginning of value"
        );
        assert_eq!(
            err(b"\x80"),
            "invalid character '\\u0080' looking for beginning of value"
        );
    }

    #[test]
    fn one_value_then_anything() {
        assert!(parse(b"{} garbage").is_ok());
        assert!(parse(b"0123").is_ok());
        assert_eq!(
            parse(b"{\"a\":[1,\"x\",null,true]} trailing").unwrap(),
            Value::Object(vec![(
                "a".into(),
                Value::Array(vec![
                    Value::Number,
                    Value::String("x".into()),
                    Value::Null,
                    Value::Bool(true)
                ])
            )])
        );
    }

    #[test]
    fn strings_like_go() {
        let s = |b: &[u8]| match &parse(b).unwrap() {
            Value::String(s) => s.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(s(b"\"\\ud83d\\ude00\\u00e9\\ud800x\""), "😀é\u{FFFD}x");
        assert_eq!(s(b"\"\\ud800\\u0041\""), "\u{FFFD}A");
        assert_eq!(s(b"\"a\xffb\""), "a\u{FFFD}b");
        assert_eq!(s(b"\"\xe2\x82\""), "\u{FFFD}\u{FFFD}");
        assert_eq!(s(b"\"\\/\\b\\f\""), "/\u{8}\u{c}");
    }

    /// Go's scanner accepts 10000 levels and fails on the 10001st opening bracket.
    #[test]
    fn nesting_limit_is_gos() {
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(ok.as_bytes()).is_ok());
        assert_eq!(err("[".repeat(MAX_DEPTH).as_bytes()), "unexpected EOF");
        assert_eq!(
            err("[".repeat(MAX_DEPTH + 1).as_bytes()),
            "invalid character '[' exceeded max depth"
        );
        let objects = "{\"a\":".repeat(MAX_DEPTH) + "{";
        assert_eq!(
            err(objects.as_bytes()),
            "invalid character '{' exceeded max depth"
        );
        // Empty containers count too: Go pushes the level before it sees the close.
        let empty = "[".repeat(MAX_DEPTH) + "[]";
        assert_eq!(
            err(empty.as_bytes()),
            "invalid character '[' exceeded max depth"
        );
    }

    /// Millions of levels neither overflow the stack nor take long; a deep accepted value is
    /// dropped without recursion.
    #[test]
    fn hostile_depth_is_safe() {
        assert_eq!(
            err("[".repeat(3_000_000).as_bytes()),
            "invalid character '[' exceeded max depth"
        );
        let deep = "{\"k\":".repeat(MAX_DEPTH - 1) + "[]" + &"}".repeat(MAX_DEPTH - 1);
        let v = parse(deep.as_bytes()).unwrap();
        drop(v);
    }

    #[test]
    fn fields_match_like_go() {
        let v = parse(
            "{\"COMMAND\":\"a\",\"unknown\":[1],\"command\":null,\"Cmd\":1,\"\u{17f}ignal\":\"s\",\"\u{212a}ey\":\"k\"}"
                .as_bytes(),
        )
        .unwrap();
        let Value::Object(members) = &v else { panic!() };
        let mut seen = Vec::new();
        for_each_field(members, &["command", "signal", "key"], |name, v| {
            seen.push((name, v.go_kind()))
        });
        assert_eq!(
            seen,
            [
                ("command", "string"),
                ("command", "null"),
                ("signal", "string"),
                ("key", "string")
            ]
        );
    }

    #[test]
    fn fill_keeps_the_first_type_error_in_document_order() {
        let v = parse(b"{\"b\":\"x\",\"s\":1}").unwrap();
        let mut f = Fill::default();
        let members = f.top_level(&v, "pkg.T");
        let (mut b, mut s) = (None, None);
        for_each_field(members, &["s", "b"], |name, v| match name {
            "s" => s = f.string(v, "T", "s"),
            _ => b = f.bool(v, "T", "b"),
        });
        assert_eq!(
            f.finish(()).unwrap_err().0,
            "json: cannot unmarshal string into Go struct field T.b of type bool"
        );
        assert_eq!((b, s), (None, None));

        let mut f = Fill::default();
        f.top_level(&parse(b"[]").unwrap(), "pkg.T");
        assert_eq!(
            f.finish(()).unwrap_err().0,
            "json: cannot unmarshal array into Go value of type pkg.T"
        );
    }

    #[test]
    fn string_maps_merge_like_go() {
        let mut map = BTreeMap::new();
        let mut f = Fill::default();
        f.string_map_into(
            &mut map,
            &parse(b"{\"K\":\"v\",\"N\":null}").unwrap(),
            "T",
            "env",
        );
        f.string_map_into(&mut map, &parse(b"{\"M\":\"w\"}").unwrap(), "T", "env");
        assert_eq!(map.len(), 3);
        assert_eq!(map.get("N").map(String::as_str), Some(""));
        f.string_map_into(&mut map, &Value::Null, "T", "env");
        assert!(map.is_empty());
        f.string_map_into(&mut map, &parse(b"{\"A\":1}").unwrap(), "T", "env");
        assert_eq!(
            f.finish(()).unwrap_err().0,
            "json: cannot unmarshal number into Go struct field T.env of type string"
        );
    }
}
