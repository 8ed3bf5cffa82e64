//! Virtual path helpers with Go's semantics: `filepath.Clean`, `Join`, `Dir`, `Base`, `Ext`,
//! `IsAbs` (quoting for messages is in `crate::gostr`).

/// Go `filepath.IsAbs` on Unix: a leading `/`.
pub fn is_abs(p: &str) -> bool {
    p.starts_with('/')
}

/// Go `filepath.Clean`: lexical processing of `//`, `.`, `..` and trailing slashes.
pub fn clean(p: &str) -> String {
    if p.is_empty() {
        return ".".to_string();
    }
    let rooted = p.starts_with('/');
    let mut out: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|l| *l != "..") {
                    out.pop();
                } else if !rooted {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    let joined = out.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

/// Go `filepath.Join`: non-empty elements joined by `/`, then cleaned; `""` if all are empty.
pub fn join<S: AsRef<str>>(elems: &[S]) -> String {
    let parts: Vec<&str> = elems
        .iter()
        .map(AsRef::as_ref)
        .filter(|e| !e.is_empty())
        .collect();
    if parts.is_empty() {
        return String::new();
    }
    clean(&parts.join("/"))
}

/// Go `filepath.Dir`.
pub fn dir(p: &str) -> String {
    let i = p.rfind('/').map(|i| i + 1).unwrap_or(0);
    clean(&p[..i])
}

/// Go `filepath.Base`.
pub fn base(p: &str) -> String {
    if p.is_empty() {
        return ".".to_string();
    }
    let trimmed = p.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".to_string();
    }
    match trimmed.rfind('/') {
        Some(i) => trimmed[i + 1..].to_string(),
        None => trimmed.to_string(),
    }
}

/// Go `filepath.Ext`: the suffix from the final `.` in the last element, or `""`.
pub fn ext(p: &str) -> &str {
    for (i, c) in p.char_indices().rev() {
        if c == '/' {
            break;
        }
        if c == '.' {
            return &p[i..];
        }
    }
    ""
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_matches_go() {
        for (i, o) in [
            ("/tmp//a/./b/", "/tmp/a/b"),
            ("/../x", "/x"),
            ("/", "/"),
            ("", "."),
            ("a/../..", ".."),
            ("/a/link/../b", "/a/b"),
            ("//", "/"),
        ] {
            assert_eq!(clean(i), o, "{i}");
        }
    }

    #[test]
    fn dir_base_ext() {
        assert_eq!(dir("/a/b"), "/a");
        assert_eq!(dir("/a"), "/");
        assert_eq!(dir("/"), "/");
        assert_eq!(base("/a/b/"), "b");
        assert_eq!(base("/"), "/");
        assert_eq!(ext("/tmp/file.png"), ".png");
        assert_eq!(ext("/a.b/file"), "");
        assert_eq!(ext("/.bashrc"), ".bashrc");
        assert_eq!(join(&["/home", "a/b", "../c"]), "/home/a/c");
        assert_eq!(join(&["/", "", "x"]), "/x");
    }
}
