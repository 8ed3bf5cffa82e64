//! `httpapi.QueryParamParser` as the files handlers use it: Go `url.ParseQuery` decoding,
//! declared parameters checked in handler order (required, repeated, `PositiveInt64`), then
//! every undeclared key, all collected into one 400 `Query parameters have invalid values.`.

use crate::gostr;
use crate::response::{self, ApiResponse, ValidationError};
use axum::response::Response;
use http::StatusCode;

/// Decoded query: keys in first-seen order, each with its values in order.
#[derive(Debug, Default, Clone)]
pub struct Values(Vec<(String, Vec<String>)>);

impl Values {
    /// Go `url.ParseQuery`: `&`-separated pairs; pairs with `;` or a bad escape are dropped.
    pub fn parse(raw: &str) -> Self {
        let mut out: Vec<(String, Vec<String>)> = Vec::new();
        for pair in raw.split('&') {
            if pair.is_empty() || pair.contains(';') {
                continue;
            }
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let (Some(k), Some(v)) = (gostr::query_unescape(k), gostr::query_unescape(v)) else {
                continue;
            };
            match out.iter_mut().find(|(key, _)| *key == k) {
                Some((_, vals)) => vals.push(v),
                None => out.push((k, vec![v])),
            }
        }
        Values(out)
    }

    fn get_all(&self, k: &str) -> Option<&Vec<String>> {
        self.0.iter().find(|(key, _)| key == k).map(|(_, v)| v)
    }
}

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
        let first = vals
            .and_then(|v| v.first())
            .map(String::as_str)
            .unwrap_or("");
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
        let n = vals.map(Vec::len).unwrap_or(0);
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
    pub fn finish(mut self) -> Option<Response> {
        for (k, _) in &self.vals.0 {
            if !self.parsed.iter().any(|p| p == k) {
                self.errors.push(ValidationError {
                    field: k.clone(),
                    detail: format!("{} is not a valid query param", gostr::quote(k)),
                });
            }
        }
        if self.errors.is_empty() {
            return None;
        }
        Some(response::json(
            StatusCode::BAD_REQUEST,
            &ApiResponse {
                message: "Query parameters have invalid values.".into(),
                detail: String::new(),
                validations: self.errors,
            },
        ))
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
    fn parse_query_like_go() {
        let v = Values::parse("a=1&b=x+y&c=%zz&d;e=1&a=2&path=%2Ftmp");
        assert_eq!(
            v.get_all("a"),
            Some(&vec!["1".to_string(), "2".to_string()])
        );
        assert_eq!(v.get_all("b"), Some(&vec!["x y".to_string()]));
        assert!(v.get_all("c").is_none());
        assert_eq!(v.get_all("path"), Some(&vec!["/tmp".to_string()]));
    }

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
