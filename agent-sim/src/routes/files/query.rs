//! `httpapi.QueryParamParser` as the files handlers use it: Go `url.ParseQuery` decoding,
//! declared parameters checked in handler order (required, repeated, `PositiveInt64`), then
//! every undeclared key, all collected into one 400 `Query parameters have invalid values.`.

use crate::api_error::ApiError;
use crate::gojson::GoBytes;
use crate::gostr;
pub use crate::gourl::Values;
use crate::response::{self, ApiResponse, ValidationError};
use http::StatusCode;

/// The parser: declared keys are remembered for the excess-parameter check.
pub struct Parser<'a> {
    vals: &'a Values,
    parsed: Vec<String>,
    errors: Vec<ValidationError>,
}

impl<'a> Parser<'a> {
    pub fn new(vals: &'a Values) -> Self {
        Self {
            vals,
            parsed: Vec::new(),
            errors: Vec::new(),
        }
    }

    fn raw(&mut self, key: &str, required: bool) -> Option<String> {
        self.parsed.push(key.to_string());
        let vals = self.vals.get_all(key);
        let first = self.vals.get(key).unwrap_or("");
        if first.is_empty() {
            if required {
                self.errors.push(ValidationError {
                    field: key.into(),
                    detail: format!(
                        "Query param {} is required and cannot be empty",
                        gostr::quote(key)
                    ),
                });
            }
            return None;
        }
        let n = vals.map(<[String]>::len).unwrap_or(0);
        if n > 1 {
            self.errors.push(ValidationError {
                field: key.into(),
                detail: format!(
                    "Query param {} provided more than once, found {n} times. Only provide 1 instance of this query param.",
                    gostr::quote(key)
                ),
            });
            return None;
        }
        Some(first.to_string())
    }

    /// `parser.String` (with `RequiredNotEmpty` when `required`).
    pub fn string(&mut self, key: &str, required: bool) -> String {
        self.raw(key, required).unwrap_or_default()
    }

    /// `parser.PositiveInt64`.
    pub fn positive_i64(&mut self, key: &str, def: i64) -> i64 {
        if self.raw(key, false).is_none() {
            return def;
        }
        // Go parses (and quotes in its error) the value's bytes as they came.
        let v = self.vals.get_bytes(key).unwrap_or_default();
        let err = match parse_int(v) {
            Ok(n) if n >= 0 => return n,
            Ok(_) => "value is negative".to_string(),
            Err(e) => e,
        };
        self.errors.push(ValidationError {
            field: key.into(),
            detail: format!(
                "Query param {} must be a valid 64-bit positive integer: {err}",
                gostr::quote(key)
            ),
        });
        def
    }

    /// Adds the excess-parameter errors; the 400 to send if anything failed.
    pub fn finish(mut self) -> Result<(), ApiError> {
        self.add_excess_errors();
        if self.errors.is_empty() {
            return Ok(());
        }
        Err(ApiError::from(response::json(
            StatusCode::BAD_REQUEST,
            &ApiResponse {
                message: "Query parameters have invalid values.".into(),
                detail: String::new(),
                validations: self.errors,
            },
        )))
    }

    /// One error per key no handler declared, in query order (the key quoted as Go holds it).
    fn add_excess_errors(&mut self) {
        for (k, raw) in self.vals.keys_with_bytes() {
            if !self.parsed.iter().any(|p| p == k) {
                self.errors.push(ValidationError {
                    field: GoBytes(raw.to_vec()),
                    detail: format!("{} is not a valid query param", gostr::quote_bytes(raw)),
                });
            }
        }
    }
}

/// Go `strconv.ParseInt(v, 10, 64)` with its error text (`v` quoted as Go holds it: bytes
/// that are not UTF-8 print as `\xNN`).
fn parse_int(v: &[u8]) -> Result<i64, String> {
    let fail = |why: &str| format!("strconv.ParseInt: parsing {}: {why}", gostr::quote_bytes(v));
    let digits = v.strip_prefix(b"+").or(v.strip_prefix(b"-")).unwrap_or(v);
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Err(fail("invalid syntax"));
    }
    std::str::from_utf8(v)
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
        .ok_or_else(|| fail("value out of range"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_int_like_go() {
        assert_eq!(parse_int(b"+5"), Ok(5));
        assert_eq!(parse_int(b"-0"), Ok(0));
        assert_eq!(
            parse_int(b"abc").unwrap_err(),
            "strconv.ParseInt: parsing \"abc\": invalid syntax"
        );
        assert_eq!(
            parse_int(b"9999999999999999999").unwrap_err(),
            "strconv.ParseInt: parsing \"9999999999999999999\": value out of range"
        );
        assert!(parse_int(b" 1").is_err());
        assert!(parse_int(b"+").is_err());
        assert_eq!(
            parse_int(b"1\xff").unwrap_err(),
            "strconv.ParseInt: parsing \"1\\xff\": invalid syntax"
        );
    }

    /// Go keeps a query's bytes: `%q` shows the ones that are not UTF-8 as `\xNN`, where a
    /// replacement character would print as itself.
    #[test]
    fn keys_and_values_are_quoted_as_go_holds_them() {
        let vals = Values::parse("offset=%e2%82&%ff=1&%fe=2&path=%2Ftmp");
        let mut p = Parser::new(&vals);
        assert_eq!(p.positive_i64("offset", 7), 7);
        p.string("path", false);
        p.add_excess_errors();
        let got: Vec<(&[u8], &str)> = p
            .errors
            .iter()
            .map(|e| (e.field.0.as_slice(), e.detail.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    &b"offset"[..],
                    "Query param \"offset\" must be a valid 64-bit positive integer: \
                     strconv.ParseInt: parsing \"\\xe2\\x82\": invalid syntax"
                ),
                (&b"\xff"[..], "\"\\xff\" is not a valid query param"),
                (&b"\xfe"[..], "\"\\xfe\" is not a valid query param"),
            ]
        );
    }

    /// Go's encoder writes a key's invalid bytes as the escape `\ufffd`, and a real U+FFFD
    /// (sent as `%EF%BF%BD`) as itself.
    #[test]
    fn invalid_key_bytes_are_written_as_go_escapes() {
        let vals = Values::parse("%ff=1&%EF%BF%BD=2");
        let mut p = Parser::new(&vals);
        p.string("path", false);
        let body = match p.finish() {
            Err(e) => axum::response::IntoResponse::into_response(e),
            Ok(()) => panic!("undeclared keys must fail"),
        };
        let bytes = futures::executor::block_on(axum::body::to_bytes(body.into_body(), 4096))
            .expect("body");
        assert_eq!(
            String::from_utf8_lossy(&bytes),
            "{\"message\":\"Query parameters have invalid values.\",\"validations\":[\
             {\"field\":\"\\ufffd\",\"detail\":\"\\\"\\\\xff\\\" is not a valid query param\"},\
             {\"field\":\"\u{fffd}\",\"detail\":\"\\\"\u{fffd}\\\" is not a valid query param\"}]}\n"
        );
    }
}
