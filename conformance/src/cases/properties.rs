//! Controlled tier, properties (proptest through the control API): generated scenarios are put
//! in force and the answers compared with a model of the agent. The runner is seeded from the
//! run's `--seed`; a failure shrinks and reports the seed and the minimal scenario as JSON,
//! ready to be saved as a fixture.

use crate::case::{Case, Effect, StepResult, Tier, Verdict};
use crate::context::Ctx;
use crate::expect::{go_encoded, Expect, NOT_FOUND_BODY};
use crate::failure::Failure;
use crate::http::{Request, Response};
use futures::future::BoxFuture;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use serde_json::{json, Value};
use std::fmt::Debug;
use std::sync::Arc;

use super::core::{GATE_NOT_ENABLED, GATE_NOT_SUPPORTED, NIL_UUID};

/// A generated input: the scenario it puts in force, and what else it varies.
pub trait PropInput: Debug + Clone + Send + 'static {
    fn scenario(&self) -> Value;
}

/// Every property case.
#[rustfmt::skip]
pub fn cases() -> Vec<Case> {
    vec![
        Case::steps("property/port-filtering", Tier::Controlled, "GET /api/v0/listening-ports", port_filtering)
        .checks(&["core.ports.minimum", "core.ports.ignored", "core.ports.getter-order", "core.ports.keeps-duplicates", "core.ports.no-well-known-filter", "core.json.escape-angle", "core.json.escape-amp", "core.json.raw-utf8"]),
        Case::steps("property/process-round-trip", Tier::Controlled, "GET /api/v0/processes/{id}/output", process_round_trip)
        .changes(Effect::StartsProcesses).checks(&["processes.response.invalid-utf8", "processes.exit.status", "processes.output.final"]),
        Case::steps("property/file-round-trip", Tier::Controlled, "POST /api/v0/write-file", file_round_trip).checks(&["files.write.content", "files.read.raw-bytes", "files.match.exact", "files.edit.success-empty", "files.write.message"])
        .changes(Effect::WritesFiles),
        Case::steps("property/container-list", Tier::Controlled, "GET /api/v0/containers", container_list)
            .checks(&["containers.list.containers-lister-order", "containers.types.container-field-order", "containers.types.port-field-order", "containers.encoding.go-json"]),
        Case::steps("property/containers-gating", Tier::Controlled, "ANY /api/v0/containers", containers_gating)
            .checks(&["core.gate.not-enabled", "core.gate.not-supported", "core.gate.sub-agent-forces-off", "core.gate.all-methods", "core.gate.exact-path"]),
    ]
}

/// The 32-byte proptest seed for one property under the run's seed.
pub fn rng_seed(seed: u64, property: &str) -> [u8; 32] {
    let mut h: u64 = 0xcbf29ce484222325 ^ seed;
    let mut out = [0u8; 32];
    for (i, chunk) in out.chunks_mut(8).enumerate() {
        for b in property.bytes().chain([i as u8]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x100000001b3);
        }
        chunk.copy_from_slice(&h.to_le_bytes());
    }
    out
}

type Check<I> = fn(Arc<Ctx>, I) -> BoxFuture<'static, Result<(), String>>;

/// Runs a property on a blocking thread (proptest is synchronous), each case driven on the
/// current tokio runtime.
async fn run<S>(
    ctx: Arc<Ctx>,
    property: &'static str,
    strategy: S,
    check: Check<S::Value>,
) -> Result<Verdict, Failure>
where
    S: Strategy + Send + 'static,
    S::Value: PropInput,
{
    ctx.control()?;
    let handle = tokio::runtime::Handle::current();
    let seed = ctx.seed;
    let cases = ctx.property_cases;
    let task = tokio::task::spawn_blocking(move || {
        let config = Config {
            cases,
            failure_persistence: None,
            max_shrink_iters: 200,
            ..Config::default()
        };
        let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &rng_seed(seed, property));
        let mut runner = TestRunner::new_with_rng(config, rng);
        runner.run(&strategy, |input| {
            let ctx = ctx.clone();
            handle
                .block_on(async move {
                    let scenario = input.scenario();
                    ctx.put_scenario(&scenario.to_string())
                        .await
                        .map_err(|f| f.reason)?;
                    check(ctx, input).await
                })
                .map_err(TestCaseError::fail)
        })
    });
    match task.await {
        Ok(Ok(())) => Ok(Verdict::Pass),
        Ok(Err(TestError::Fail(reason, input))) => {
            let scenario = serde_json::to_string_pretty(&input.scenario()).unwrap_or_default();
            let mut f = Failure::new(format!(
                "property {property} failed (seed {seed}): {reason}; minimal input {input:?}"
            ));
            f.expected = Some("the model's answer (see reason)".into());
            f.actual = Some(format!(
                "minimal scenario (save it as a fixture):\n{scenario}"
            ));
            Err(f)
        }
        Ok(Err(TestError::Abort(reason))) => Err(Failure::new(format!(
            "property {property} aborted (seed {seed}): {reason}"
        ))),
        Err(e) => Err(Failure::new(format!("property {property} crashed: {e}"))),
    }
}

/// A port list and an ignore set.
#[derive(Debug, Clone)]
pub struct PortsInput {
    pub ports: Vec<(String, u16)>,
    pub ignore: Vec<u16>,
}

impl PropInput for PortsInput {
    fn scenario(&self) -> Value {
        let ports: Vec<Value> = self
            .ports
            .iter()
            .map(|(name, port)| json!({"process_name": name, "network": "tcp", "port": port}))
            .collect();
        json!({
            "name": "property-port-filtering",
            "listening_ports": {"source": "static", "ports": ports},
            "ignore_ports": self.ignore,
        })
    }
}

fn port() -> impl Strategy<Value = u16> {
    prop_oneof![
        0u16..=12,
        prop::sample::select(vec![22u16, 2112, 2113, 3000, 5432, 6060, 7777, 8080]),
        any::<u16>(),
    ]
}

fn ports_strategy() -> impl Strategy<Value = PortsInput> {
    let name = prop::sample::select(vec!["", "node", "a<b&c>", "sshd", "é"]).prop_map(String::from);
    (
        prop::collection::vec((name, port()), 0..8),
        prop::collection::vec(port(), 0..4),
    )
        .prop_map(|(ports, ignore)| PortsInput { ports, ignore })
}

/// The model: ports ≥ 9 and not ignored, getter order kept.
pub fn expected_ports(input: &PortsInput) -> Vec<Value> {
    input
        .ports
        .iter()
        .filter(|(_, p)| *p >= 9 && !input.ignore.contains(p))
        .map(|(name, port)| json!({"process_name": name, "network": "tcp", "port": port}))
        .collect()
}

async fn check_ports(ctx: Arc<Ctx>, input: PortsInput) -> Result<(), String> {
    let req = Request::get("/api/v0/listening-ports");
    let resp = ctx.send(&req).await.map_err(|f| f.reason)?;
    if resp.status != 200 {
        return Err(format!("status {} (want 200)", resp.status));
    }
    let v = go_encoded(&resp.body)?;
    let want = Value::Array(expected_ports(&input));
    if v["ports"] != want {
        return Err(format!("ports {} (want {want})", v["ports"]));
    }
    Ok(())
}

/// Gating inputs: enabled flag, sub-agent or not, method, sub-path.
#[derive(Debug, Clone)]
pub struct GatingInput {
    pub enabled: bool,
    pub sub_agent: bool,
    pub method: &'static str,
    pub suffix: &'static str,
}

const PARENT: &str = "8c3f5a1e-4b7d-4f2a-9c61-2d8e0f4b7a10";

impl PropInput for GatingInput {
    fn scenario(&self) -> Value {
        let parent = if self.sub_agent { PARENT } else { NIL_UUID };
        json!({
            "name": "property-containers-gating",
            "manifest": {"parent_id": parent},
            "devcontainers": {"enabled": self.enabled},
        })
    }
}

fn gating_strategy() -> impl Strategy<Value = GatingInput> {
    (
        any::<bool>(),
        any::<bool>(),
        prop::sample::select(vec![
            "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "FOO", "PROPFIND",
        ]),
        prop::sample::select(vec![
            "",
            "?x=1",
            "/",
            "/watch",
            "/devcontainers/abc/recreate",
            "/x/y",
        ]),
    )
        .prop_map(|(enabled, sub_agent, method, suffix)| GatingInput {
            enabled,
            sub_agent,
            method,
            suffix,
        })
}

const STANDARD: [&str; 9] = [
    "CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE",
];

/// The router table's answer for a gated agent; `None` when the containers API is mounted
/// (then only "not a gate answer" is required).
pub fn expected_gate(input: &GatingInput) -> Option<Expect> {
    if !STANDARD.contains(&input.method) {
        return Some(Expect::nonstandard_405());
    }
    if input.enabled && !input.sub_agent {
        return None;
    }
    let exact = input.suffix.is_empty() || input.suffix.starts_with('?');
    let head = input.method == "HEAD";
    Some(match (exact, head) {
        (true, true) => Expect::status(403).body(""),
        (true, false) if input.sub_agent => Expect::json(403, GATE_NOT_SUPPORTED),
        (true, false) => Expect::json(403, GATE_NOT_ENABLED),
        (false, true) => Expect::status(404).body(""),
        (false, false) => Expect::not_found(),
    })
}

async fn check_gating(ctx: Arc<Ctx>, input: GatingInput) -> Result<(), String> {
    let req = Request::new(input.method, &format!("/api/v0/containers{}", input.suffix));
    let resp: Response = ctx.send(&req).await.map_err(|f| f.reason)?;
    match expected_gate(&input) {
        Some(e) => e
            .check(&resp)
            .map_err(|f| format!("{}: {}", req.line(), f.reason)),
        None => {
            let body = resp.text();
            if resp.status == 403 && (body == GATE_NOT_ENABLED || body == GATE_NOT_SUPPORTED) {
                return Err(format!(
                    "{}: gate answered while the API is mounted",
                    req.line()
                ));
            }
            if input.method == "GET" && input.suffix.is_empty() && resp.status != 200 {
                return Err(format!(
                    "{}: status {} (want 200, API mounted)",
                    req.line(),
                    resp.status
                ));
            }
            if body == NOT_FOUND_BODY && input.suffix.is_empty() {
                return Err(format!("{}: 404 on the mounted API's root", req.line()));
            }
            Ok(())
        }
    }
}

/// Bytes a process prints and the code it exits with.
#[derive(Debug, Clone)]
pub struct ProcessInput {
    pub bytes: Vec<u8>,
    pub exit_code: u8,
}

impl ProcessInput {
    /// `printf` with every byte as an octal escape, then `exit N`.
    pub fn command(&self) -> String {
        let escaped: String = self.bytes.iter().map(|b| format!("\\{b:03o}")).collect();
        format!("printf '{escaped}'; exit {}", self.exit_code)
    }
}

impl PropInput for ProcessInput {
    fn scenario(&self) -> Value {
        json!({
            "name": "property-process-round-trip",
            "description": format!("start: {}", self.command()),
            "processes": {"mode": "exec"},
        })
    }
}

fn process_strategy() -> impl Strategy<Value = ProcessInput> {
    (prop::collection::vec(any::<u8>(), 0..48), any::<u8>())
        .prop_map(|(bytes, exit_code)| ProcessInput { bytes, exit_code })
}

/// What Go's JSON encoder makes of a byte string: each byte of an invalid UTF-8 sequence
/// becomes U+FFFD on its own.
pub fn go_lossy(bytes: &[u8]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < bytes.len() {
        let width = match bytes[i] {
            0x00..=0x7f => 1,
            0xc2..=0xdf => 2,
            0xe0..=0xef => 3,
            0xf0..=0xf4 => 4,
            _ => 0,
        };
        let piece = bytes.get(i..i + width.max(1)).filter(|_| width > 0);
        match piece.and_then(|p| std::str::from_utf8(p).ok()) {
            Some(s) => {
                out.push_str(s);
                i += width;
            }
            None => {
                out.push('\u{fffd}');
                i += 1;
            }
        }
    }
    out
}

async fn check_process(ctx: Arc<Ctx>, input: ProcessInput) -> Result<(), String> {
    let id = super::processes::start(&ctx, &input.command())
        .await
        .map_err(|f| f.reason)?;
    let (_, v) = super::processes::wait_output(&ctx, &id)
        .await
        .map_err(|f| f.reason)?;
    let want = go_lossy(&input.bytes);
    if v["output"] != want.as_str() {
        return Err(format!("output {} (want {:?})", v["output"], want));
    }
    if v["exit_code"] != input.exit_code {
        return Err(format!(
            "exit_code {} (want {})",
            v["exit_code"], input.exit_code
        ));
    }
    Ok(())
}

async fn port_filtering(ctx: Arc<Ctx>) -> StepResult {
    run(ctx, "port-filtering", ports_strategy(), |ctx, input| {
        Box::pin(check_ports(ctx, input))
    })
    .await
}

async fn process_round_trip(ctx: Arc<Ctx>) -> StepResult {
    run(
        ctx,
        "process-round-trip",
        process_strategy(),
        |ctx, input| Box::pin(check_process(ctx, input)),
    )
    .await
}

async fn file_round_trip(ctx: Arc<Ctx>) -> StepResult {
    run(ctx, "file-round-trip", file_strategy(), |ctx, input| {
        Box::pin(check_file(ctx, input))
    })
    .await
}

async fn container_list(ctx: Arc<Ctx>) -> StepResult {
    run(
        ctx,
        "container-list",
        containers_strategy(),
        |ctx, input| Box::pin(check_containers(ctx, input)),
    )
    .await
}

async fn containers_gating(ctx: Arc<Ctx>) -> StepResult {
    run(ctx, "containers-gating", gating_strategy(), |ctx, input| {
        Box::pin(check_gating(ctx, input))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_lossy_replaces_each_invalid_byte() {
        assert_eq!(go_lossy(b"a\xe2\x82b"), "a\u{fffd}\u{fffd}b");
        assert_eq!(go_lossy("é€".as_bytes()), "é€");
        assert_eq!(go_lossy(b"\xff"), "\u{fffd}");
    }

    #[test]
    fn command_escapes_every_byte() {
        let i = ProcessInput {
            bytes: vec![b'\'', 0, 255],
            exit_code: 7,
        };
        assert_eq!(i.command(), "printf '\\047\\000\\377'; exit 7");
    }
}

/// A file's content (lines of distinct words), a line to edit and its replacement.
#[derive(Debug, Clone)]
pub struct FileInput {
    pub name: String,
    pub bytes: Vec<u8>,
    pub lines: Vec<String>,
    pub edit_line: usize,
    pub replacement: String,
}

impl FileInput {
    pub fn path(&self) -> String {
        format!("/tmp/prop/{}", self.name)
    }
    pub fn text(&self) -> String {
        self.lines.iter().map(|l| format!("{l}\n")).collect()
    }
}

impl PropInput for FileInput {
    fn scenario(&self) -> Value {
        json!({
            "name": "property-file-round-trip",
            "files": {"backend": "memory", "entries": {self.path(): self.text()}},
        })
    }
}

fn file_strategy() -> impl Strategy<Value = FileInput> {
    (
        "[a-z][a-z0-9._-]{0,12}",
        prop::collection::vec(any::<u8>(), 0..300),
        // Equal-length lines: a line plus its newline can only match itself.
        prop::collection::btree_set("[a-z]{6}", 1..8),
        any::<prop::sample::Index>(),
        "[A-Z]{1,8}",
    )
        .prop_map(|(name, bytes, set, idx, replacement)| {
            let lines: Vec<String> = set.into_iter().collect();
            let edit_line = idx.index(lines.len());
            FileInput {
                name,
                bytes,
                lines,
                edit_line,
                replacement,
            }
        })
}

async fn check_file(ctx: Arc<Ctx>, input: FileInput) -> Result<(), String> {
    let path = input.path();
    // Bytes written come back as written.
    super::files::write(&ctx, &path, &input.bytes)
        .await
        .map_err(|f| f.reason)?;
    let got = super::files::read(&ctx, &path)
        .await
        .map_err(|f| f.reason)?;
    if got != input.bytes {
        return Err(format!("read back {got:?} (wrote {:?})", input.bytes));
    }
    // A unique line is replaced exactly where it is.
    super::files::write(&ctx, &path, input.text().as_bytes())
        .await
        .map_err(|f| f.reason)?;
    let search = format!("{}\n", input.lines[input.edit_line]);
    let replace = format!("{}\n", input.replacement);
    let body =
        json!({"files": [{"path": path, "edits": [{"search": search, "replace": replace}]}]});
    let req = Request::new("POST", "/api/v0/edit-files")
        .with_body("application/json", body.to_string().into_bytes());
    let resp = ctx.send(&req).await.map_err(|f| f.reason)?;
    if resp.status != 200 || resp.body != b"{}\n" {
        return Err(format!("edit answered {} {}", resp.status, resp.text()));
    }
    let mut want_lines = input.lines.clone();
    want_lines[input.edit_line] = input.replacement.clone();
    let want: String = want_lines.iter().map(|l| format!("{l}\n")).collect();
    let got = super::files::read(&ctx, &path)
        .await
        .map_err(|f| f.reason)?;
    if got != want.as_bytes() {
        return Err(format!(
            "after editing {search:?} the file is {:?} (want {want:?})",
            String::from_utf8_lossy(&got)
        ));
    }
    Ok(())
}

/// A set of plain (non-devcontainer) containers as the lister returns them.
#[derive(Debug, Clone)]
pub struct ContainersInput {
    pub containers: Vec<Value>,
}

impl PropInput for ContainersInput {
    fn scenario(&self) -> Value {
        json!({
            "name": "property-container-list",
            "devcontainers": {"enabled": true, "containers": self.containers},
        })
    }
}

fn container() -> impl Strategy<Value = Value> {
    (
        "[0-9a-f]{12}",
        "[a-z][a-z0-9_-]{0,10}",
        prop::sample::select(vec!["busybox:latest", "postgres:16", "a<b>&c"]),
        any::<bool>(),
        0u32..60,
        prop::collection::btree_map("[a-z.]{1,8}", "[ -~]{0,8}", 0..3),
        prop::option::of((1u16..65535, 1u16..65535)),
    )
        .prop_map(|(id, name, image, running, sec, labels, port)| {
            let ports: Vec<Value> = port
                .map(|(p, h)| json!({"port": p, "network": "tcp", "host_ip": "0.0.0.0", "host_port": h}))
                .into_iter()
                .collect();
            json!({
                "created_at": format!("2026-05-30T08:00:{sec:02}Z"),
                "id": id,
                "name": name,
                "image": image,
                "labels": labels,
                "running": running,
                "ports": ports,
                "status": if running { "running" } else { "exited" },
                "volumes": {},
            })
        })
}

fn containers_strategy() -> impl Strategy<Value = ContainersInput> {
    prop::collection::vec(container(), 0..5).prop_map(|containers| ContainersInput { containers })
}

async fn check_containers(ctx: Arc<Ctx>, input: ContainersInput) -> Result<(), String> {
    let req = Request::get("/api/v0/containers");
    let resp = ctx.send(&req).await.map_err(|f| f.reason)?;
    if resp.status != 200 {
        return Err(format!("status {} (want 200)", resp.status));
    }
    let v = go_encoded(&resp.body)?;
    let want = Value::Array(input.containers.clone());
    // Compared as text: field order (Go struct order) and sorted label keys matter.
    if serde_json::to_string(&v["containers"]).ok() != serde_json::to_string(&want).ok() {
        return Err(format!(
            "containers {} (want the lister's list in its order: {want})",
            v["containers"]
        ));
    }
    Ok(())
}
