//! read-file's `Content-Type`: Go `mime.TypeByExtension` of the requested path's extension,
//! pinned to Go's built-in table plus the common Debian/Ubuntu `globs2` text types (so `.txt`
//! is `text/plain; charset=utf-8`, as on a typical agent host); anything else, no extension
//! and dot files are `application/octet-stream`.

use super::vpath;

fn lookup(ext: &str) -> Option<&'static str> {
    Some(match ext {
        // Go built-ins (these win over the host database).
        ".avif" => "image/avif",
        ".css" => "text/css; charset=utf-8",
        ".gif" => "image/gif",
        ".htm" | ".html" => "text/html; charset=utf-8",
        ".ico" => "image/x-icon",
        ".jpeg" | ".jpg" => "image/jpeg",
        ".js" | ".mjs" => "text/javascript; charset=utf-8",
        ".json" => "application/json",
        ".pdf" => "application/pdf",
        ".png" => "image/png",
        ".svg" => "image/svg+xml",
        ".wasm" => "application/wasm",
        ".webp" => "image/webp",
        ".xml" => "text/xml; charset=utf-8",
        // Pinned host (shared-mime-info globs2) entries.
        ".txt" => "text/plain; charset=utf-8",
        ".md" => "text/markdown; charset=utf-8",
        ".csv" => "text/csv; charset=utf-8",
        ".sh" => "application/x-shellscript",
        ".zip" => "application/zip",
        ".gz" => "application/gzip",
        ".tar" => "application/x-tar",
        _ => return None,
    })
}

/// The `Content-Type` read-file sends for `path`.
pub fn content_type(path: &str) -> &'static str {
    let ext = vpath::ext(path);
    if ext.is_empty() {
        return "application/octet-stream";
    }
    lookup(ext)
        .or_else(|| lookup(&ext.to_ascii_lowercase()))
        .unwrap_or("application/octet-stream")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinned_table() {
        assert_eq!(content_type("/tmp/file"), "application/octet-stream");
        assert_eq!(content_type("/tmp/file.png"), "image/png");
        assert_eq!(content_type("/tmp/X.PNG"), "image/png");
        assert_eq!(content_type("/tmp/a.txt"), "text/plain; charset=utf-8");
        assert_eq!(content_type("/home/.bashrc"), "application/octet-stream");
    }
}
