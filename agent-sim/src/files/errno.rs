//! Filesystem errors as Go prints them: errno texts (`no such file or directory`), and the
//! `os.PathError` form `<op> <path>: <errno text>` with virtual paths only.

use std::fmt;

/// The errno classes the files API distinguishes, with Go's texts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Errno {
    NotFound,
    PermissionDenied,
    NotADirectory,
    IsADirectory,
    Loop,
    Exists,
    Invalid,
    /// Any other OS error, already in Go's wording.
    Other(String),
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Errno::NotFound => "no such file or directory",
            Errno::PermissionDenied => "permission denied",
            Errno::NotADirectory => "not a directory",
            Errno::IsADirectory => "is a directory",
            Errno::Loop => "too many levels of symbolic links",
            Errno::Exists => "file exists",
            Errno::Invalid => "invalid argument",
            Errno::Other(s) => s,
        })
    }
}

impl Errno {
    /// From a raw OS errno: Go's `syscall.Errno.Error()` is the lower-cased strerror text.
    pub fn from_raw(code: i32) -> Self {
        match code {
            2 => Errno::NotFound,
            13 | 1 => {
                if code == 13 {
                    Errno::PermissionDenied
                } else {
                    Errno::Other("operation not permitted".into())
                }
            }
            20 => Errno::NotADirectory,
            21 => Errno::IsADirectory,
            40 => Errno::Loop,
            17 => Errno::Exists,
            22 => Errno::Invalid,
            _ => {
                let text = std::io::Error::from_raw_os_error(code).to_string();
                let text = text
                    .split(" (os error")
                    .next()
                    .unwrap_or_default()
                    .to_string();
                let mut chars = text.chars();
                let lowered = match chars.next() {
                    Some(c) => c.to_lowercase().collect::<String>() + chars.as_str(),
                    None => format!("errno {code}"),
                };
                Errno::Other(lowered)
            }
        }
    }

    pub fn from_io(e: &std::io::Error) -> Self {
        match e.raw_os_error() {
            Some(code) => Self::from_raw(code),
            None => Errno::Other(e.to_string()),
        }
    }
}

/// Go's `os.PathError`: `<op> <path>: <err>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathError {
    pub op: &'static str,
    pub path: String,
    pub err: Errno,
}

impl PathError {
    pub fn new(op: &'static str, path: impl Into<String>, err: Errno) -> Self {
        Self {
            op,
            path: path.into(),
            err,
        }
    }
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.op, self.path, self.err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_texts() {
        assert_eq!(
            PathError::new("open", "/x", Errno::NotFound).to_string(),
            "open /x: no such file or directory"
        );
        assert_eq!(Errno::from_raw(36).to_string(), "file name too long");
        assert_eq!(Errno::from_raw(30).to_string(), "read-only file system");
    }
}
