//! Go's `net/url` query rules, written once for every route that reads a query string:
//! `url.QueryUnescape` and `url.ParseQuery` (what `r.URL.Query()` returns). The files API's
//! `httpapi.QueryParamParser` and the process API's `?wait=` both start from [`Values`].

use crate::gostr::lossy;

/// Go `url.QueryUnescape`: `+` is a space, `%XX` a byte (two hex digits, nothing else); a bad
/// escape fails. Invalid UTF-8 in the result is replaced byte per byte, as [`lossy`] does.
pub fn query_unescape(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = b.get(i + 1..i + 3)?;
                if !hex.iter().all(u8::is_ascii_hexdigit) {
                    return None;
                }
                let hex = std::str::from_utf8(hex).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Some(lossy(&out))
}

/// A decoded query (Go's `url.Values`): keys in first-seen order, each with its values in
/// order.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Values(Vec<(String, Vec<String>)>);

impl Values {
    /// Go `url.ParseQuery`: `&`-separated pairs, `key=value` or a bare `key`; empty pairs,
    /// pairs holding a `;` (Go 1.17+ rejects the old separator) and pairs with a bad escape in
    /// the key or the value are dropped, the rest kept.
    pub fn parse(raw: &str) -> Self {
        let mut out: Vec<(String, Vec<String>)> = Vec::new();
        for pair in raw.split('&') {
            if pair.is_empty() || pair.contains(';') {
                continue;
            }
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let (Some(k), Some(v)) = (query_unescape(k), query_unescape(v)) else {
                continue;
            };
            match out.iter_mut().find(|(key, _)| *key == k) {
                Some((_, vals)) => vals.push(v),
                None => out.push((k, vec![v])),
            }
        }
        Values(out)
    }

    /// Every value of `key`, in order (`values[key]`).
    pub fn get_all(&self, key: &str) -> Option<&[String]> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_slice())
    }

    /// `Values.Get`: the first value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.get_all(key)?.first().map(String::as_str)
    }

    /// The keys, in first-seen order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_unescape_like_go() {
        assert_eq!(query_unescape("a+b%20c%2F").as_deref(), Some("a b c/"));
        assert_eq!(query_unescape("%zz"), None);
        assert_eq!(query_unescape("%+1"), None);
        assert_eq!(query_unescape("%4"), None);
        assert_eq!(query_unescape("%ff").as_deref(), Some("\u{fffd}"));
    }

    #[test]
    fn parse_query_like_go() {
        let v = Values::parse("a=1&b=x+y&c=%zz&d;e=1&a=2&path=%2Ftmp&&flag");
        assert_eq!(
            v.get_all("a"),
            Some(&["1".to_string(), "2".to_string()][..])
        );
        assert_eq!(v.get("b"), Some("x y"));
        assert_eq!(v.get("c"), None);
        assert_eq!(v.get("d"), None);
        assert_eq!(v.get("path"), Some("/tmp"));
        assert_eq!(v.get("flag"), Some(""));
        assert_eq!(v.keys().collect::<Vec<_>>(), ["a", "b", "path", "flag"]);
    }

    #[test]
    fn get_is_the_first_value() {
        let get = |q: &str| Values::parse(q).get("wait").map(str::to_string);
        assert_eq!(get("wait=true").as_deref(), Some("true"));
        assert_eq!(get("x=1&wait=true&wait=false").as_deref(), Some("true"));
        assert_eq!(get("wait=tr%75e").as_deref(), Some("true"));
        assert_eq!(get("wait=true;x=1"), None);
        assert_eq!(get("wait=%zz&wait=true").as_deref(), Some("true"));
        assert_eq!(get(""), None);
    }
}
