//! Go's `net/url` query rules, written once for every route that reads a query string:
//! `url.QueryUnescape` and `url.ParseQuery` (what `r.URL.Query()` returns). The files API's
//! `httpapi.QueryParamParser` and the process API's `?wait=` both start from [`Values`]. Go's
//! strings are bytes: a decoded key or value keeps them (for `%q`) beside its text.

use crate::gostr::lossy;

/// Go `url.QueryUnescape`: `+` is a space, `%XX` a byte (two hex digits, nothing
/// else); a bad escape fails. The result is Go's string: its bytes as decoded, UTF-8 or not.
pub fn query_unescape(s: &str) -> Option<Vec<u8>> {
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
    Some(out)
}

/// One key of a query with its values, each as Go keeps it (`raw`: the decoded bytes, which
/// `%q` prints) and as text (invalid UTF-8 replaced, for everything else).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Entry {
    key: String,
    raw_key: Vec<u8>,
    values: Vec<String>,
    raw_values: Vec<Vec<u8>>,
}

/// A decoded query (Go's `url.Values`): keys in first-seen order, each with its values in
/// order. Keys are told apart by their bytes, as Go does (`%ff` and `%fe` are two keys).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Values(Vec<Entry>);

impl Values {
    /// Go `url.ParseQuery`: `&`-separated pairs, `key=value` or a bare `key`; empty pairs,
    /// pairs holding a `;` (Go 1.17+ rejects the old separator) and pairs with a bad escape in
    /// the key or the value are dropped, the rest kept.
    pub fn parse(raw: &str) -> Self {
        let mut out: Vec<Entry> = Vec::new();
        for pair in raw.split('&') {
            if pair.is_empty() || pair.contains(';') {
                continue;
            }
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let (Some(k), Some(v)) = (query_unescape(k), query_unescape(v)) else {
                continue;
            };
            let at = match out.iter().position(|e| e.raw_key == k) {
                Some(at) => at,
                None => {
                    out.push(Entry {
                        key: lossy(&k),
                        raw_key: k,
                        ..Entry::default()
                    });
                    out.len() - 1
                }
            };
            out[at].values.push(lossy(&v));
            out[at].raw_values.push(v);
        }
        Values(out)
    }

    fn entry(&self, key: &str) -> Option<&Entry> {
        self.0.iter().find(|e| e.raw_key == key.as_bytes())
    }

    /// Every value of `key`, in order (`values[key]`).
    pub fn get_all(&self, key: &str) -> Option<&[String]> {
        self.entry(key).map(|e| e.values.as_slice())
    }

    /// `Values.Get`: the first value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.get_all(key)?.first().map(String::as_str)
    }

    /// `Values.Get` as Go holds it: the first value's bytes, UTF-8 or not.
    pub fn get_bytes(&self, key: &str) -> Option<&[u8]> {
        self.entry(key)?.raw_values.first().map(Vec::as_slice)
    }

    /// The keys with their bytes as Go holds them, in first-seen order.
    pub fn keys_with_bytes(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.0
            .iter()
            .map(|e| (e.key.as_str(), e.raw_key.as_slice()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_unescape_like_go() {
        assert_eq!(
            query_unescape("a+b%20c%2F").as_deref(),
            Some(&b"a b c/"[..])
        );
        assert_eq!(query_unescape("%zz"), None);
        assert_eq!(query_unescape("%+1"), None);
        assert_eq!(query_unescape("%4"), None);
        assert_eq!(query_unescape("%ff").as_deref(), Some(&b"\xff"[..]));
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
        let keys: Vec<&str> = v.keys_with_bytes().map(|(k, _)| k).collect();
        assert_eq!(keys, ["a", "b", "path", "flag"]);
    }

    #[test]
    fn values_keep_go_bytes() {
        let v = Values::parse("%ff=1&%fe=2&%ff=%e2%82&ok=%41");
        assert_eq!(
            v.keys_with_bytes().collect::<Vec<_>>(),
            [
                ("\u{fffd}", &b"\xff"[..]),
                ("\u{fffd}", &b"\xfe"[..]),
                ("ok", &b"ok"[..])
            ]
        );
        assert_eq!(v.get_bytes("ok"), Some(&b"A"[..]));
        assert_eq!(v.get("ok"), Some("A"));
        assert_eq!(v.get_bytes("missing"), None);
        let v = Values::parse("offset=%e2%82x");
        assert_eq!(v.get_bytes("offset"), Some(&b"\xe2\x82x"[..]));
        assert_eq!(v.get("offset"), Some("\u{fffd}\u{fffd}x"));
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
