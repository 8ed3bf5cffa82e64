//! Snapshots: a response rendered as readable text (request line, status, the headers that
//! matter, the body pretty-printed), with volatile values replaced by named placeholders; the
//! insta `.snap` files of `snapshots/`, embedded in the binary at build time ([`SnapshotSet`],
//! or a folder given with `--snapshots`); and the set's version.

use crate::expect::go_encoded;
use crate::http::{Request, Response};
use include_dir::{include_dir, Dir};
use regex::Regex;
use serde_json::Value;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Headers a snapshot records (the rest, like `date`, vary or do not matter).
pub const HEADERS: [&str; 5] = [
    "content-type",
    "content-length",
    "transfer-encoding",
    "allow",
    "x-content-type-options",
];

/// JSON keys whose values the agent generates (placeholder per key).
/// (Container `created_at` comes from the scenario, so it is kept.)
const VOLATILE_KEYS: [(&str, &str); 8] = [
    ("pid", "[pid]"),
    ("started_at", "[time]"),
    ("updated_at", "[time]"),
    ("exited_at", "[time]"),
    ("last_seen", "[time]"),
    ("duration", "[duration]"),
    ("duration_ms", "[duration]"),
    ("mod_time", "[time]"),
];

/// Renders a response for a snapshot, redacted.
pub fn render(req: &Request, resp: &Response) -> String {
    let mut s = format!(
        "request: {} {}\nstatus: {}\n",
        req.method, req.path, resp.status
    );
    let (body_text, redacted) = render_body(resp);
    let mut framing_shown = false;
    for name in HEADERS {
        for v in resp.header_all(name) {
            let framing = name == "content-length" || name == "transfer-encoding";
            if framing && redacted {
                // Content-Length or chunked depends on the (volatile) body length.
                if !framing_shown {
                    let _ = writeln!(s, "framing: [depends on the redacted body's length]");
                    framing_shown = true;
                }
            } else {
                let _ = writeln!(s, "{name}: {v}");
            }
        }
    }
    s.push_str(&body_text);
    s
}

/// Renders a request that got no complete response.
pub fn render_error(req: &Request, err: &crate::http::HttpError) -> String {
    format!(
        "request: {} {}\ntransport: {}\n",
        req.method,
        req.path,
        err.kind()
    )
}

/// The body block, and whether anything in it was redacted.
fn render_body(resp: &Response) -> (String, bool) {
    let b = &resp.body;
    if b.is_empty() {
        return ("body: empty\n".to_string(), false);
    }
    let looks_json = matches!(b.first(), Some(b'{') | Some(b'['));
    if looks_json {
        if let Ok(mut v) = serde_json::from_slice::<Value>(b) {
            let go = if go_encoded(b).is_ok() {
                "Go json.Encoder bytes"
            } else {
                "NOT Go json.Encoder bytes"
            };
            let redacted = redact_json(&mut v);
            let pretty = serde_json::to_string_pretty(&v).unwrap_or_default();
            let len = if redacted {
                "[redacted length]".to_string()
            } else {
                b.len().to_string()
            };
            return (
                format!("body: {len} bytes, JSON, {go}\n{pretty}\n"),
                redacted,
            );
        }
    }
    let text = String::from_utf8_lossy(b);
    let red = redact_text(&text);
    let redacted = red != text;
    let nl = if text.ends_with('\n') {
        "trailing newline"
    } else {
        "no trailing newline"
    };
    let len = if redacted {
        "[redacted length]".to_string()
    } else {
        b.len().to_string()
    };
    (
        format!(
            "body: {len} bytes, text, {nl}\n{}\n",
            red.trim_end_matches('\n')
        ),
        redacted,
    )
}

/// Replaces volatile values in place; true when something changed.
pub fn redact_json(v: &mut Value) -> bool {
    let mut changed = false;
    match v {
        Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                if let Some((_, ph)) = VOLATILE_KEYS.iter().find(|(key, _)| key == k) {
                    if !val.is_null() {
                        *val = Value::String((*ph).to_string());
                        changed = true;
                    }
                } else {
                    changed |= redact_json(val);
                }
            }
        }
        Value::Array(items) => {
            for i in items {
                changed |= redact_json(i);
            }
        }
        _ => {}
    }
    changed
}

fn time_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")
            .expect("constant regex")
    })
}

/// Text redaction: RFC 3339 times, and the simulator's own request counters in
/// `/debug/prometheus` (they count the requests made before, which depends on the run).
pub fn redact_text(s: &str) -> String {
    let s = time_re().replace_all(s, "[time]").into_owned();
    if !s.contains("agent_sim_") {
        return s;
    }
    let mut out = String::new();
    let mut seen = false;
    for line in s.split_inclusive('\n') {
        if line.starts_with("agent_sim_") {
            if !seen {
                let name = line.split(['{', ' ']).next().unwrap_or("agent_sim_");
                let _ = writeln!(out, "{name}{{[labels]}} [value] (series redacted)");
                seen = true;
            }
            continue;
        }
        seen = false;
        out.push_str(line);
    }
    out
}

/// The content of an insta `.snap` file (after its `---` header).
pub fn read_snap(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    Some(snap_content(&text))
}

/// Strips insta's metadata header.
pub fn snap_content(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    if let Some(rest) = text.strip_prefix("---\n") {
        if let Some(i) = rest.find("\n---\n") {
            return rest[i + 5..].to_string();
        }
    }
    text
}

/// Compares a rendering with a snapshot the way insta does (trailing whitespace ignored).
pub fn same(a: &str, b: &str) -> bool {
    a.trim_end() == b.trim_end()
}

/// The reviewed snapshots of the repository's `snapshots/`, embedded at build time.
static EMBEDDED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../snapshots");

/// Where the expected renderings come from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SnapshotSet {
    /// The set shipped in the binary (the default).
    #[default]
    Embedded,
    /// A folder of `.snap` files (`--snapshots DIR`), read at run time.
    Dir(PathBuf),
}

/// A `--snapshots` folder that cannot serve as a snapshot set.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotSetError {
    #[error("snapshots folder {}: {source}", dir.display())]
    Unreadable {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("snapshots folder {} holds no .snap file", dir.display())]
    Empty { dir: PathBuf },
}

impl SnapshotSet {
    /// A folder of snapshots; it must exist and hold at least one `.snap` file.
    pub fn dir(dir: impl Into<PathBuf>) -> Result<Self, SnapshotSetError> {
        let dir = dir.into();
        let files = snap_files(&dir).map_err(|source| SnapshotSetError::Unreadable {
            dir: dir.clone(),
            source,
        })?;
        if files.is_empty() {
            return Err(SnapshotSetError::Empty { dir });
        }
        Ok(Self::Dir(dir))
    }

    /// The content (after insta's header) of snapshot `name` (no `.snap` suffix).
    pub fn get(&self, name: &str) -> Option<String> {
        let file = format!("{name}.snap");
        let text = match self {
            Self::Embedded => EMBEDDED.get_file(&file)?.contents_utf8()?.to_string(),
            Self::Dir(d) => std::fs::read_to_string(d.join(file)).ok()?,
        };
        Some(snap_content(&text))
    }

    /// Where snapshot `name` lives, for messages.
    pub fn location(&self, name: &str) -> String {
        match self {
            Self::Embedded => format!("snapshots/{name}.snap (embedded)"),
            Self::Dir(d) => d.join(format!("{name}.snap")).display().to_string(),
        }
    }

    /// File count and an FNV-1a hash of names and contents, e.g. `198-snapshots-…`; the same
    /// files give the same version whether embedded or read from a folder.
    pub fn version(&self) -> String {
        let files: Vec<(String, Vec<u8>)> = match self {
            Self::Embedded => EMBEDDED
                .files()
                .filter(|f| f.path().extension().is_some_and(|x| x == "snap"))
                .map(|f| (file_name(f.path()), f.contents().to_vec()))
                .collect(),
            Self::Dir(d) => snap_files(d)
                .unwrap_or_default()
                .into_iter()
                .map(|p| (file_name(&p), std::fs::read(&p).unwrap_or_default()))
                .collect(),
        };
        version_of(files)
    }
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The `.snap` files directly in `dir`.
fn snap_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    Ok(std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "snap"))
        .collect())
}

fn version_of(mut files: Vec<(String, Vec<u8>)>) -> String {
    files.sort();
    let mut h: u64 = 0xcbf29ce484222325;
    for (name, content) in &files {
        for byte in name.bytes().chain(content.iter().copied()) {
            h ^= u64::from(byte);
            h = h.wrapping_mul(0x100000001b3);
        }
    }
    format!("{}-snapshots-{h:016x}", files.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snap_header_is_stripped() {
        let t = "---\nsource: x\nexpression: y\n---\nstatus: 200\n";
        assert_eq!(snap_content(t), "status: 200\n");
    }

    #[test]
    fn embedded_set_is_the_repository_folder() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../snapshots");
        let on_disk = SnapshotSet::dir(&dir).unwrap();
        assert_eq!(SnapshotSet::Embedded.version(), on_disk.version());
        assert!(SnapshotSet::Embedded
            .version()
            .starts_with(&format!("{}-snapshots-", snap_files(&dir).unwrap().len())));
        let name = "default__hello";
        assert_eq!(SnapshotSet::Embedded.get(name), on_disk.get(name));
        assert!(SnapshotSet::Embedded.get(name).is_some());
        assert!(SnapshotSet::Embedded.get("nope").is_none());
    }

    #[test]
    fn a_snapshots_folder_must_hold_snapshots() {
        let missing =
            std::env::temp_dir().join(format!("no-such-snapshots-{}", std::process::id()));
        let e = SnapshotSet::dir(&missing).unwrap_err().to_string();
        assert!(e.contains(&missing.display().to_string()), "{e}");
        let empty = std::env::temp_dir().join(format!("empty-snapshots-{}", std::process::id()));
        std::fs::create_dir_all(&empty).unwrap();
        let e = SnapshotSet::dir(&empty).unwrap_err().to_string();
        assert_eq!(
            e,
            format!("snapshots folder {} holds no .snap file", empty.display())
        );
        std::fs::remove_dir_all(&empty).unwrap();
    }

    #[test]
    fn volatile_json_values_get_placeholders() {
        let mut v = serde_json::json!({"pid": 42, "x": [{"started_at": 1}], "created_at": "2026-06-01T10:00:00Z"});
        assert!(redact_json(&mut v));
        assert_eq!(
            v,
            serde_json::json!({"pid": "[pid]", "x": [{"started_at": "[time]"}], "created_at": "2026-06-01T10:00:00Z"})
        );
    }

    #[test]
    fn sim_counters_collapse() {
        let t =
            "# TYPE a counter\na 0\nagent_sim_x{a=\"1\"} 1\nagent_sim_x{a=\"2\"} 3\n# HELP b \n";
        assert_eq!(
            redact_text(t),
            "# TYPE a counter\na 0\nagent_sim_x{[labels]} [value] (series redacted)\n# HELP b \n"
        );
    }
}
