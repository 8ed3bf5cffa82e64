//! `httpapi.QueryParamParser` as the files handlers use it: Go `url.ParseQuery` decoding,
//! declared parameters checked in handler order (required, repeated, `PositiveInt64`), then
//! every undeclared key, all collected into one 400 `Query parameters have invalid values.`.

use crate::api_error::ApiError;
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
                    field: key.to_string(),
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
                field: key.to_string(),
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
        let Some(v) = self.raw(key, false) else {
            return def;
        };
        let err = match parse_int(&v) {
            Ok(n) if n >= 0 => return n,
            Ok(_) => "value is negative".to_string(),
            Err(e) => e,
        };
        self.errors.push(ValidationError {
            field: key.to_string(),
            detail: format!(
                "Query param {} must be a valid 64-bit positive integer: {err}",
                gostr::quote(key)
            ),
        });
        def
    }

    /// Adds the excess-parameter errors; the 400 to send if anything failed.
    pub fn finish(mut self) -> Result<(), ApiError> {
        for k in self.vals.keys() {
            if !self.parsed.iter().any(|p| p == k) {
                self.errors.push(ValidationError {
                    field: k.to_string(),
                    detail: format!("{} is not a valid query param", gostr::quote(k)),
                });
            }
        }
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
}

/// Go `strconv.ParseInt(v, 10, 64)` with its error text.
fn parse_int(v: &str) -> Result<i64, String> {
    let syntax = || {
        format!(
            "strconv.ParseInt: parsing {}: invalid syntax",
            gostr::quote(v)
        )
    };
    let digits = v.strip_prefix(['+', '-']).unwrap_or(v);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(syntax());
    }
    v.parse::<i64>().map_err(|_| {
        format!(
            "strconv.ParseInt: parsing {}: value out of range",
            gostr::quote(v)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_int_like_go() {
        assert_eq!(parse_int("+5"), Ok(5));
        assert_eq!(
            parse_int("abc").unwrap_err(),
            "strconv.ParseInt: parsing \"abc\": invalid syntax"
        );
        assert_eq!(
            parse_int("9999999999999999999").unwrap_err(),
            "strconv.ParseInt: parsing \"9999999999999999999\": value out of range"
        );
        assert!(parse_int(" 1").is_err());
    }
}
