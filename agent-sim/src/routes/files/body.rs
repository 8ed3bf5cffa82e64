//! `httpapi.Read` for the files API: Go `json.Decoder.Decode` of one value (trailing bytes
//! ignored) with Go's error texts (`EOF`, `unexpected EOF`, `invalid character 'x' looking
//! for beginning of value`, `json: cannot unmarshal …`), case-insensitive keys, unknown keys
//! ignored, `null` as the zero value, invalid UTF-8 as U+FFFD. The request types are filled
//! by hand from the parsed tree so that type errors carry Go's wording.

use crate::gostr;

/// Go's nesting limit.
const MAX_DEPTH: usize = 10000;

/// A parsed JSON value.
#[derive(Debug, Clone, PartialEq)]
pub enum J {
    Null,
    Bool(bool),
    Num,
    Str(String),
    Arr(Vec<J>),
    Obj(Vec<(String, J)>),
}

impl J {
    /// Go's name for the JSON type in `UnmarshalTypeError`.
    pub fn go_kind(&self) -> &'static str {
        match self {
            J::Null => "null",
            J::Bool(_) => "bool",
            J::Num => "number",
            J::Str(_) => "string",
            J::Arr(_) => "array",
            J::Obj(_) => "object",
        }
    }
}

// Deep values are dropped iteratively so that Go's 10000 levels cannot exhaust the stack.
impl Drop for J {
    fn drop(&mut self) {
        let mut pending: Vec<J> = Vec::new();
        match self {
            J::Arr(v) => pending.append(v),
            J::Obj(o) => pending.extend(o.drain(..).map(|(_, j)| j)),
            _ => return,
        }
        while let Some(mut j) = pending.pop() {
            match &mut j {
                J::Arr(v) => pending.append(v),
                J::Obj(o) => pending.extend(o.drain(..).map(|(_, j)| j)),
                _ => {}
            }
        }
    }
}

enum Frame {
    Arr(Vec<J>),
    Obj(Vec<(String, J)>, String),
}

struct Scanner<'a> {
    b: &'a [u8],
    pos: usize,
}

fn invalid(c: u8, ctx: &str) -> String {
    let q = match c {
        b'\'' => "'\\''".to_string(),
        b'"' => "'\"'".to_string(),
        c => {
            let s = gostr::quote(&char::from(c).to_string());
            format!("'{}'", &s[1..s.len() - 1])
        }
    };
    format!("invalid character {q} {ctx}")
}

const UNEXPECTED_EOF: &str = "unexpected EOF";

impl Scanner<'_> {
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.b.get(self.pos) {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Result<u8, String> {
        self.b
            .get(self.pos)
            .copied()
            .ok_or_else(|| UNEXPECTED_EOF.to_string())
    }

    fn string(&mut self) -> Result<String, String> {
        // At the opening quote.
        self.pos += 1;
        let mut out: Vec<u8> = Vec::new();
        loop {
            let c = self.peek()?;
            self.pos += 1;
            match c {
                b'"' => return Ok(gostr::lossy(&out)),
                b'\\' => {
                    let e = self.peek()?;
                    self.pos += 1;
                    match e {
                        b'"' | b'\\' | b'/' => out.push(e),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'u' => {
                            let r = self.hex4()?;
                            let ch = if (0xD800..0xDC00).contains(&r)
                                && self.b.get(self.pos..self.pos + 2) == Some(b"\\u")
                            {
                                let save = self.pos;
                                self.pos += 2;
                                let r2 = self.hex4()?;
                                if (0xDC00..0xE000).contains(&r2) {
                                    char::from_u32(0x10000 + ((r - 0xD800) << 10) + (r2 - 0xDC00))
                                } else {
                                    self.pos = save;
                                    None
                                }
                            } else {
                                char::from_u32(r)
                            };
                            let ch = ch.unwrap_or('\u{FFFD}');
                            let mut buf = [0u8; 4];
                            out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                        }
                        other => return Err(invalid(other, "in string escape code")),
                    }
                }
                c if c < 0x20 => return Err(invalid(c, "in string literal")),
                c => out.push(c),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let mut v = 0u32;
        for _ in 0..4 {
            let c = self.peek()?;
            let d = (c as char)
                .to_digit(16)
                .ok_or_else(|| invalid(c, "in \\u hexadecimal character escape"))?;
            v = v * 16 + d;
            self.pos += 1;
        }
        Ok(v)
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.b.get(self.pos) {
            self.pos += 1;
        }
    }

    fn number(&mut self) -> Result<J, String> {
        if self.b[self.pos] == b'-' {
            self.pos += 1;
            let c = self.peek()?;
            if !c.is_ascii_digit() {
                return Err(invalid(c, "in numeric literal"));
            }
        }
        if self.b[self.pos] == b'0' {
            self.pos += 1;
        } else {
            self.digits();
        }
        if self.b.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            let c = self.peek()?;
            if !c.is_ascii_digit() {
                return Err(invalid(c, "after decimal point in numeric literal"));
            }
            self.digits();
        }
        if let Some(b'e' | b'E') = self.b.get(self.pos) {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.b.get(self.pos) {
                self.pos += 1;
            }
            let c = self.peek()?;
            if !c.is_ascii_digit() {
                return Err(invalid(c, "in exponent of numeric literal"));
            }
            self.digits();
        }
        Ok(J::Num)
    }

    fn literal(&mut self, word: &'static str, v: J) -> Result<J, String> {
        self.pos += 1;
        for expect in word.bytes().skip(1) {
            let c = self.peek()?;
            if c != expect {
                return Err(invalid(
                    c,
                    &format!(
                        "in literal {word} (expecting {})",
                        gostr::quote_rune(expect as char)
                    ),
                ));
            }
            self.pos += 1;
        }
        Ok(v)
    }

    /// Reads an object key and its `:`; at the opening quote.
    fn key(&mut self) -> Result<String, String> {
        let k = self.string()?;
        self.skip_ws();
        let c = self.peek()?;
        if c != b':' {
            return Err(invalid(c, "after object key"));
        }
        self.pos += 1;
        Ok(k)
    }
}

/// Decodes the first JSON value of `body` the way Go's `json.Decoder` does.
pub fn parse(body: &[u8]) -> Result<J, String> {
    let mut s = Scanner { b: body, pos: 0 };
    s.skip_ws();
    if s.pos >= body.len() {
        return Err("EOF".into());
    }
    let mut stack: Vec<Frame> = Vec::new();
    loop {
        // Expecting a value.
        s.skip_ws();
        let c = s.peek()?;
        let mut v = match c {
            b'{' | b'[' if stack.len() >= MAX_DEPTH => return Err("exceeded max depth".into()),
            b'{' => {
                s.pos += 1;
                s.skip_ws();
                match s.peek()? {
                    b'}' => {
                        s.pos += 1;
                        J::Obj(Vec::new())
                    }
                    b'"' => {
                        let k = s.key()?;
                        stack.push(Frame::Obj(Vec::new(), k));
                        continue;
                    }
                    c => return Err(invalid(c, "looking for beginning of object key string")),
                }
            }
            b'[' => {
                s.pos += 1;
                s.skip_ws();
                if s.peek()? == b']' {
                    s.pos += 1;
                    J::Arr(Vec::new())
                } else {
                    stack.push(Frame::Arr(Vec::new()));
                    continue;
                }
            }
            b'"' => J::Str(s.string()?),
            b'-' | b'0'..=b'9' => s.number()?,
            b't' => s.literal("true", J::Bool(true))?,
            b'f' => s.literal("false", J::Bool(false))?,
            b'n' => s.literal("null", J::Null)?,
            c => return Err(invalid(c, "looking for beginning of value")),
        };
        // A value is complete: attach it and close containers.
        loop {
            match stack.last_mut() {
                None => return Ok(v),
                Some(Frame::Arr(items)) => {
                    items.push(v);
                    s.skip_ws();
                    match s.peek()? {
                        b',' => {
                            s.pos += 1;
                            break;
                        }
                        b']' => {
                            s.pos += 1;
                            let Some(Frame::Arr(items)) = stack.pop() else {
                                return Err(UNEXPECTED_EOF.into());
                            };
                            v = J::Arr(items);
                        }
                        c => return Err(invalid(c, "after array element")),
                    }
                }
                Some(Frame::Obj(items, key)) => {
                    items.push((std::mem::take(key), v));
                    s.skip_ws();
                    match s.peek()? {
                        b',' => {
                            s.pos += 1;
                            s.skip_ws();
                            match s.peek()? {
                                b'"' => {
                                    *key = s.key()?;
                                    break;
                                }
                                c => {
                                    return Err(invalid(
                                        c,
                                        "looking for beginning of object key string",
                                    ))
                                }
                            }
                        }
                        b'}' => {
                            s.pos += 1;
                            let Some(Frame::Obj(items, _)) = stack.pop() else {
                                return Err(UNEXPECTED_EOF.into());
                            };
                            v = J::Obj(items);
                        }
                        c => return Err(invalid(c, "after object key:value pair")),
                    }
                }
            }
        }
    }
}

/// Collects the first Go `UnmarshalTypeError` while filling a request.
#[derive(Default)]
pub struct Fill {
    pub err: Option<String>,
}

impl Fill {
    /// `json: cannot unmarshal <kind> into Go struct field <Struct>.<path> of type <type>`.
    pub fn field_err(&mut self, v: &J, strukt: &str, path: &str, ty: &str) {
        if self.err.is_none() {
            self.err = Some(format!(
                "json: cannot unmarshal {} into Go struct field {strukt}.{path} of type {ty}",
                v.go_kind()
            ));
        }
    }

    /// `json: cannot unmarshal <kind> into Go value of type <type>`.
    pub fn value_err(&mut self, v: &J, ty: &str) {
        if self.err.is_none() {
            self.err = Some(format!(
                "json: cannot unmarshal {} into Go value of type {ty}",
                v.go_kind()
            ));
        }
    }

    pub fn string(&mut self, v: &J, strukt: &str, path: &str) -> String {
        match v {
            J::Str(s) => s.clone(),
            J::Null => String::new(),
            other => {
                self.field_err(other, strukt, path, "string");
                String::new()
            }
        }
    }

    pub fn bool(&mut self, v: &J, strukt: &str, path: &str) -> bool {
        match v {
            J::Bool(b) => *b,
            J::Null => false,
            other => {
                self.field_err(other, strukt, path, "bool");
                false
            }
        }
    }
}

/// The object's members whose key matches `name` case-insensitively (Go's field matching;
/// a later member overwrites an earlier one).
pub fn members<'a>(obj: &'a [(String, J)], name: &'a str) -> impl Iterator<Item = &'a J> + 'a {
    obj.iter()
        .filter(move |(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_errors() {
        for (input, err) in [
            ("", "EOF"),
            ("  \n", "EOF"),
            ("{", "unexpected EOF"),
            ("{\"a\":", "unexpected EOF"),
            ("x", "invalid character 'x' looking for beginning of value"),
            (
                "{x",
                "invalid character 'x' looking for beginning of object key string",
            ),
            ("{\"a\" 1", "invalid character '1' after object key"),
            (
                "{\"a\":1 2",
                "invalid character '2' after object key:value pair",
            ),
            ("[1 2", "invalid character '2' after array element"),
            ("\"a\nb\"", "invalid character '\\n' in string literal"),
            (
                "tx",
                "invalid character 'x' in literal true (expecting 'r')",
            ),
            ("-x", "invalid character 'x' in numeric literal"),
            (
                "{'a':1}",
                "invalid character '\\'' looking for beginning of object key string",
            ),
        ] {
            assert_eq!(parse(input.as_bytes()).unwrap_err(), err, "{input:?}");
        }
    }

    #[test]
    fn values_and_trailing_bytes() {
        assert_eq!(
            parse(b"{\"a\":[1,\"x\",null,true]} trailing").unwrap(),
            J::Obj(vec![(
                "a".into(),
                J::Arr(vec![J::Num, J::Str("x".into()), J::Null, J::Bool(true)])
            )])
        );
        assert_eq!(parse(b"\"\\ud800\"").unwrap(), J::Str("\u{FFFD}".into()));
        assert_eq!(parse(b"\"\xff\"").unwrap(), J::Str("\u{FFFD}".into()));
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let deep = "[".repeat(20000);
        assert_eq!(parse(deep.as_bytes()).unwrap_err(), "exceeded max depth");
        let ok = format!("{}{}", "[".repeat(9999), "]".repeat(9999));
        assert!(parse(ok.as_bytes()).is_ok());
    }
}
