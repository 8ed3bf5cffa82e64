//! The request set a comparison sends to both sides: one plain request per agent route that
//! reads (`ROUTE_READS`), the black-box cases' single requests (those that change nothing:
//! GET, HEAD, OPTIONS; with `--allow-writes` the others too), and with `--allow-writes` a
//! short files sequence in a scratch directory of the same name on each side.

use crate::case::{CaseKind, Tier};
use crate::cases::files::url_encode;
use crate::http::Request;
use serde_json::json;

/// Stands for the scratch directory in renderings, so that answers of runs compare.
pub const SCRATCH_PLACEHOLDER: &str = "[scratch]";

/// One request of the set, named like the case it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub name: String,
    /// The route it covers, `METHOD /pattern`.
    pub route: String,
    pub request: Request,
}

/// One request per agent route that only reads: (name, route, method, path).
pub const ROUTE_READS: [(&str, &str, &str, &str); 10] = [
    ("routes/hello", "GET /", "GET", "/"),
    (
        "routes/listening-ports",
        "GET /api/v0/listening-ports",
        "GET",
        "/api/v0/listening-ports",
    ),
    (
        "routes/netcheck",
        "GET /api/v0/netcheck",
        "GET",
        "/api/v0/netcheck",
    ),
    (
        "routes/containers",
        "GET /api/v0/containers",
        "GET",
        "/api/v0/containers",
    ),
    (
        "routes/processes-list",
        "GET /api/v0/processes/list",
        "GET",
        "/api/v0/processes/list",
    ),
    (
        "routes/resolve-path-root",
        "GET /api/v0/resolve-path",
        "GET",
        "/api/v0/resolve-path?path=/",
    ),
    ("routes/debug-logs", "GET /debug/logs", "GET", "/debug/logs"),
    (
        "routes/debug-magicsock",
        "GET /debug/magicsock",
        "GET",
        "/debug/magicsock",
    ),
    (
        "routes/debug-manifest",
        "GET /debug/manifest",
        "GET",
        "/debug/manifest",
    ),
    (
        "routes/debug-prometheus",
        "GET /debug/prometheus",
        "GET",
        "/debug/prometheus",
    ),
];

/// `list-directory` of `/`: a POST that only reads.
fn list_root() -> Item {
    Item {
        name: "routes/list-directory-root".into(),
        route: "POST /api/v0/list-directory".into(),
        request: Request::new("POST", "/api/v0/list-directory").with_body(
            "application/json",
            json!({"path": [], "relativity": "root"}).to_string(),
        ),
    }
}

/// Whether a request may change the agent (anything but GET, HEAD and OPTIONS may).
pub fn may_write(req: &Request) -> bool {
    !matches!(req.method.as_str(), "GET" | "HEAD" | "OPTIONS")
}

/// A fresh scratch directory, the same on both sides.
pub fn scratch_dir() -> String {
    format!(
        "/tmp/agent-conformance-compare-{}",
        uuid::Uuid::new_v4().simple()
    )
}

/// The requests, reads first; writes (and the scratch sequence) only with `allow_writes`.
pub fn request_set(allow_writes: bool, scratch: &str) -> Vec<Item> {
    let mut items: Vec<Item> = ROUTE_READS
        .iter()
        .map(|(name, route, method, path)| Item {
            name: name.to_string(),
            route: route.to_string(),
            request: Request::new(method, path),
        })
        .collect();
    items.push(list_root());
    let exchanges: Vec<Item> = crate::cases::all(&[])
        .into_iter()
        .filter(|c| c.tier == Tier::BlackBox)
        .filter_map(|c| match c.kind {
            CaseKind::Exchange { request, .. } => Some(Item {
                name: c.name,
                route: c.route,
                request,
            }),
            CaseKind::Steps(_) => None,
        })
        .collect();
    let (writes, reads): (Vec<Item>, Vec<Item>) =
        exchanges.into_iter().partition(|i| may_write(&i.request));
    items.extend(reads);
    if allow_writes {
        items.extend(writes);
        items.extend(scratch_sequence(scratch));
    }
    items
}

/// Write, read, list, edit and read again a file in `dir`.
fn scratch_sequence(dir: &str) -> Vec<Item> {
    let file = format!("{dir}/compare.txt");
    let read = Request::get(&format!("/api/v0/read-file?path={}", url_encode(&file)));
    let components: Vec<&str> = dir.split('/').filter(|c| !c.is_empty()).collect();
    let item = |name: &str, route: &str, request: Request| Item {
        name: format!("compare/scratch/{name}"),
        route: route.to_string(),
        request,
    };
    vec![
        item(
            "write-file",
            "POST /api/v0/write-file",
            Request::new("POST", &format!("/api/v0/write-file?path={}", url_encode(&file)))
                .with_body("application/octet-stream", "hello\nworld\n"),
        ),
        item("read-file", "GET /api/v0/read-file", read.clone()),
        item(
            "list-directory",
            "POST /api/v0/list-directory",
            Request::new("POST", "/api/v0/list-directory").with_body(
                "application/json",
                json!({"path": components, "relativity": "root"}).to_string(),
            ),
        ),
        item(
            "edit-files",
            "POST /api/v0/edit-files",
            Request::new("POST", "/api/v0/edit-files").with_body(
                "application/json",
                json!({"files": [{"path": file, "edits": [{"search": "hello", "replace": "HELLO"}]}], "include_diff": true})
                    .to_string(),
            ),
        ),
        item("read-file-after-edit", "GET /api/v0/read-file", read),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_only_unless_writes_are_allowed() {
        let reads = request_set(false, "/tmp/x");
        assert!(reads.len() > ROUTE_READS.len());
        let writing: Vec<&Item> = reads.iter().filter(|i| may_write(&i.request)).collect();
        assert_eq!(
            writing,
            vec![&list_root()],
            "only the list-directory read is a POST"
        );
        let all = request_set(true, "/tmp/x");
        assert!(all.iter().any(|i| may_write(&i.request)));
        assert!(all.iter().any(|i| i.name == "compare/scratch/edit-files"));
        let mut names: Vec<&str> = all.iter().map(|i| i.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all.len(), "names are unique");
    }
}
