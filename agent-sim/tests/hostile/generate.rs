//! The hostile request generator: seeded (every request is a function of the seed and its
//! index, so a failure replays from the two numbers it prints), raw HTTP/1.1 bytes aimed at
//! every route and method of the agent and of the control API.

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::time::Duration;

/// One route of the agent or the control API.
pub struct Route {
    pub method: &'static str,
    /// Path with `{id}` where an id goes.
    pub path: &'static str,
    /// Whether the spec names a 500 for this route in some state (an OS error, a failing
    /// container operation, a process that cannot be started or signalled).
    pub may_500: bool,
}

const fn route(method: &'static str, path: &'static str, may_500: bool) -> Route {
    Route {
        method,
        path,
        may_500,
    }
}

/// Every route the simulator serves (agent API, then control API).
pub const ROUTES: &[Route] = &[
    route("GET", "/", false),
    route("POST", "/api/v0/list-directory", true),
    route("GET", "/api/v0/resolve-path", true),
    route("GET", "/api/v0/read-file", true),
    route("GET", "/api/v0/read-file-lines", true),
    route("POST", "/api/v0/write-file", true),
    route("POST", "/api/v0/edit-files", true),
    route("POST", "/api/v0/processes/start", true),
    route("GET", "/api/v0/processes/list", false),
    route("GET", "/api/v0/processes/{id}/output", false),
    route("POST", "/api/v0/processes/{id}/signal", true),
    route("GET", "/api/v0/containers", false),
    route("GET", "/api/v0/containers/watch", false),
    route(
        "POST",
        "/api/v0/containers/devcontainers/{id}/recreate",
        true,
    ),
    route("DELETE", "/api/v0/containers/devcontainers/{id}", true),
    route("GET", "/api/v0/listening-ports", false),
    route("GET", "/api/v0/netcheck", false),
    route("GET", "/debug/logs", false),
    route("GET", "/debug/magicsock", false),
    route("GET", "/debug/magicsock/debug-logging/{id}", false),
    route("GET", "/debug/manifest", false),
    route("GET", "/debug/prometheus", false),
    route("GET", "/__sim/", false),
    route("GET", "/__sim/scenario", false),
    route("PUT", "/__sim/scenario", false),
    route("PATCH", "/__sim/scenario", false),
    route("POST", "/__sim/reset", false),
    route("GET", "/__sim/requests", false),
    route("DELETE", "/__sim/requests", false),
    route("GET", "/__sim/health", false),
];

/// What kind of abuse a request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    RandomBytes,
    TruncatedJson,
    WrongTypes,
    DeepNesting,
    HugeString,
    BadBytesInTarget,
    AbsurdHeaders,
    EndlessChunked,
    ShortBody,
    WebsocketGarbage,
    BadRequestLine,
}

/// One generated request.
pub struct Hostile {
    pub kind: Kind,
    pub route: &'static Route,
    /// What was sent, in a few words (for failure messages).
    pub label: String,
    pub bytes: Vec<u8>,
    /// How long the client waits for an answer before giving up (a body that never
    /// completes is not answered by routes that read it).
    pub patience: Duration,
}

/// Ids to put in `{id}`: real ones from the scenario and nonsense.
pub struct Ids(pub Vec<String>);

/// A plausible body for each body-reading route, to be truncated or mistyped.
fn plausible(route: &Route) -> &'static str {
    match route.path {
        "/api/v0/list-directory" => r#"{"path":["home","coder"],"relativity":"root"}"#,
        "/api/v0/edit-files" => {
            r#"{"files":[{"path":"/home/coder/README.md","edits":[{"search":"hello","replace":"bye","replace_all":false}]}],"include_diff":true}"#
        }
        "/api/v0/processes/start" => {
            r#"{"command":"echo hello","workdir":"/tmp","env":{"A":"b"},"background":false}"#
        }
        "/api/v0/processes/{id}/signal" => r#"{"signal":"terminate"}"#,
        "/__sim/scenario" => r#"{"name":"x","seed":1,"listening_ports":{"ports":[]}}"#,
        _ => r#"{"a":[1,2,{"b":null}],"c":"d"}"#,
    }
}

fn random_bytes(rng: &mut SmallRng, max: usize) -> Vec<u8> {
    let n = rng.gen_range(0..=max);
    (0..n).map(|_| rng.gen()).collect()
}

/// JSON with every scalar replaced by a value of another type.
fn wrong_types(rng: &mut SmallRng, json: &str) -> Vec<u8> {
    let replacements = ["1", "true", "null", "[]", "{}", "\"s\"", "-0.5e3", "[[[]]]"];
    let mut out = String::new();
    let mut chars = json.chars().peekable();
    while let Some(c) = chars.next() {
        // Replace a value after `:` or inside an array.
        if (c == ':' || c == '[' || c == ',') && rng.gen_bool(0.5) {
            out.push(c);
            let pick = replacements[rng.gen_range(0..replacements.len())];
            out.push_str(pick);
            // Skip the original value (up to the next `,`, `}` or `]` at this level).
            let mut depth = 0i32;
            let mut in_str = false;
            while let Some(&n) = chars.peek() {
                if in_str {
                    chars.next();
                    if n == '"' {
                        in_str = false;
                    }
                    continue;
                }
                match n {
                    '"' => in_str = true,
                    '[' | '{' => depth += 1,
                    ']' | '}' if depth == 0 => break,
                    ']' | '}' => depth -= 1,
                    ',' if depth == 0 => break,
                    _ => {}
                }
                chars.next();
            }
        } else {
            out.push(c);
        }
    }
    out.into_bytes()
}

fn deep(rng: &mut SmallRng) -> (Vec<u8>, String) {
    let levels = *[10_001usize, 50_000, 100_000, 1_000_000, 3_000_000]
        .get(rng.gen_range(0..5))
        .unwrap_or(&10_001);
    let unit: &[u8] = match rng.gen_range(0..3) {
        0 => b"[",
        1 => b"{\"a\":",
        _ => b"[{\"k\":",
    };
    let mut body = Vec::with_capacity(levels * unit.len());
    for _ in 0..levels {
        body.extend_from_slice(unit);
    }
    (
        body,
        format!("{levels} levels of {}", String::from_utf8_lossy(unit)),
    )
}

/// The request target with its `{id}` filled in, sometimes with hostile bytes.
fn target(rng: &mut SmallRng, route: &Route, ids: &Ids) -> Vec<u8> {
    let id = match rng.gen_range(0..6) {
        0 => String::new(),
        1 => "%00%ff%2e%2e".to_string(),
        2 => "x".repeat(rng.gen_range(1..5000)),
        _ => ids.0[rng.gen_range(0..ids.0.len())].clone(),
    };
    let mut t = route.path.replace("{id}", &id).into_bytes();
    if rng.gen_bool(0.4) {
        let q: &[u8] = match rng.gen_range(0..6) {
            0 => b"?path=/home/coder/README.md",
            1 => b"?path=%00&offset=-1&limit=99999999999999999999",
            2 => b"?wait=true&wait=%zz;x",
            3 => b"?path=/home/coder&path=/tmp&x=%ff%fe",
            4 => b"?path=relative/../../etc&method=GET",
            _ => b"?a=1&&&=&b",
        };
        t.extend_from_slice(q);
    }
    t
}

fn head(method: &str, target: &[u8], headers: &[(&str, String)]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(method.as_bytes());
    out.push(b' ');
    out.extend_from_slice(target);
    out.extend_from_slice(b" HTTP/1.1\r\nHost: sim\r\n");
    for (k, v) in headers {
        out.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out
}

/// A complete request with a body and `Connection: close`.
fn with_body(method: &str, target: &[u8], body: &[u8]) -> Vec<u8> {
    let mut out = head(
        method,
        target,
        &[
            ("Content-Length", body.len().to_string()),
            ("Content-Type", "application/json".into()),
            ("Connection", "close".into()),
        ],
    );
    out.extend_from_slice(body);
    out
}

/// Control-API scenario bodies must never be a scenario the simulator accepts: one that
/// parses as a JSON object gets a `seed` of the wrong type. (A valid PUT or PATCH could put
/// `processes.mode: exec` in force, and then hostile commands would run for real.)
fn defuse(route: &Route, body: Vec<u8>) -> Vec<u8> {
    if route.path != "/__sim/scenario" {
        return body;
    }
    match serde_json::from_slice::<serde_json::Value>(&body) {
        Ok(serde_json::Value::Object(mut m)) => {
            m.insert("seed".into(), "not a number".into());
            serde_json::Value::Object(m).to_string().into_bytes()
        }
        Ok(serde_json::Value::Null) => b"[null]".to_vec(),
        _ => body,
    }
}

/// The `index`th request of the campaign seeded with `seed`.
pub fn request(seed: u64, index: usize, ids: &Ids) -> Hostile {
    let mut rng =
        SmallRng::seed_from_u64(seed ^ (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let route = &ROUTES[rng.gen_range(0..ROUTES.len())];
    let method = if rng.gen_bool(0.85) {
        route.method
    } else {
        [
            "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "PROPFIND",
        ][rng.gen_range(0..8)]
    };
    let kinds = [
        (Kind::RandomBytes, 20),
        (Kind::TruncatedJson, 15),
        (Kind::WrongTypes, 15),
        (Kind::DeepNesting, 6),
        (Kind::HugeString, 1),
        (Kind::BadBytesInTarget, 10),
        (Kind::AbsurdHeaders, 4),
        (Kind::EndlessChunked, 3),
        (Kind::ShortBody, 3),
        (Kind::WebsocketGarbage, 2),
        (Kind::BadRequestLine, 5),
    ];
    let total: u32 = kinds.iter().map(|(_, w)| w).sum();
    let mut pick = rng.gen_range(0..total);
    let mut kind = Kind::RandomBytes;
    for (k, w) in kinds {
        if pick < w {
            kind = k;
            break;
        }
        pick -= w;
    }
    // 32 MiB strings are costly: a handful per campaign.
    if kind == Kind::HugeString && index % 16 != 0 {
        kind = Kind::WrongTypes;
    }
    let tgt = target(&mut rng, route, ids);
    let quick = Duration::from_secs(20);
    let short = Duration::from_millis(150);
    let (label, bytes, patience) = match kind {
        Kind::RandomBytes => {
            let body = defuse(route, random_bytes(&mut rng, 4096));
            (
                format!("{} random body bytes", body.len()),
                with_body(method, &tgt, &body),
                quick,
            )
        }
        Kind::TruncatedJson => {
            let json = plausible(route).as_bytes();
            let cut = rng.gen_range(0..json.len());
            let body = defuse(route, json[..cut].to_vec());
            (
                format!("JSON cut at byte {cut}"),
                with_body(method, &tgt, &body),
                quick,
            )
        }
        Kind::WrongTypes => {
            let body = defuse(route, wrong_types(&mut rng, plausible(route)));
            (
                format!("mistyped JSON {}", String::from_utf8_lossy(&body)),
                with_body(method, &tgt, &body),
                quick,
            )
        }
        Kind::DeepNesting => {
            let (body, what) = deep(&mut rng);
            (what, with_body(method, &tgt, &body), quick)
        }
        Kind::HugeString => {
            let field = ["command", "search", "path", "signal", "name"][rng.gen_range(0..5)];
            let mut body = format!("{{\"{field}\":\"").into_bytes();
            body.resize(body.len() + (32 << 20), b'A');
            body.extend_from_slice(b"\"}");
            let body = defuse(route, body);
            (
                "a 32 MiB string".to_string(),
                with_body(method, &tgt, &body),
                quick,
            )
        }
        Kind::BadBytesInTarget => {
            let mut t = tgt.clone();
            let bad: &[u8] = [
                &b"\xff\xfe"[..],
                b"\x00",
                b"%00",
                b"\xc3\x28",
                b"/../..",
                b"%",
            ][rng.gen_range(0..6)];
            let at = rng.gen_range(1..=t.len());
            t.splice(at..at, bad.iter().copied());
            let body = defuse(route, random_bytes(&mut rng, 64));
            (
                format!("target {:?}", String::from_utf8_lossy(&t)),
                with_body(method, &t, &body),
                quick,
            )
        }
        Kind::AbsurdHeaders => {
            let mut headers: Vec<(&str, String)> = vec![("Connection", "close".into())];
            let what = match rng.gen_range(0..3) {
                0 => {
                    for i in 0..10_000 {
                        headers.push(("X-Many", i.to_string()));
                    }
                    "10,000 headers"
                }
                1 => {
                    headers.push(("X-Huge", "v".repeat(1 << 20)));
                    "a 1 MiB header value"
                }
                _ => {
                    headers.push(("Coder-Chat-Id", "\u{0}".repeat(100)));
                    headers.push(("Content-Length", "18446744073709551616".into()));
                    "NULs and an overflowing Content-Length"
                }
            };
            (what.to_string(), head(method, &tgt, &headers), quick)
        }
        Kind::EndlessChunked => {
            let mut bytes = head(method, &tgt, &[("Transfer-Encoding", "chunked".into())]);
            bytes.extend_from_slice(b"10\r\n[[[[[[[[[[[[[[[[\r\n10\r\n{\"a\":{\"a\":{\"a\":{\r\n");
            ("a chunked body that never ends".to_string(), bytes, short)
        }
        Kind::ShortBody => {
            let mut bytes = head(
                method,
                &tgt,
                &[
                    ("Content-Length", "100000".into()),
                    ("Connection", "close".into()),
                ],
            );
            bytes.extend_from_slice(b"{\"command\":\"ech");
            (
                "a body shorter than its Content-Length".to_string(),
                bytes,
                short,
            )
        }
        Kind::WebsocketGarbage => {
            let mut bytes = head(
                "GET",
                b"/api/v0/containers/watch",
                &[
                    ("Upgrade", "websocket".into()),
                    ("Connection", "Upgrade".into()),
                    ("Sec-WebSocket-Version", "13".into()),
                    ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==".into()),
                ],
            );
            bytes.extend(random_bytes(&mut rng, 2048));
            bytes.extend_from_slice(&[0x88, 0xff, 0x00, 0x81, 0x7f, 0xff, 0xff, 0xff]);
            (
                "a websocket upgrade, then garbage".to_string(),
                bytes,
                short,
            )
        }
        Kind::BadRequestLine => {
            let mut bytes = random_bytes(&mut rng, 200);
            bytes.extend_from_slice(b"\r\n\r\n");
            ("a garbage request line".to_string(), bytes, quick)
        }
    };
    Hostile {
        kind,
        route,
        label: format!("{method} {} with {label}", route.path),
        bytes,
        patience,
    }
}
