//! Black-box cases for the head/tail buffer and output encoding (processes.md §2.2, §5): the
//! 16384-byte head and tail at their exact boundaries, the omission marker, line cuts at 2048
//! bytes, a UTF-8 character cut by the split, and the escapes Go's encoder adds.

use crate::case::{Case, StepResult, Tier, Verdict};
use crate::context::Ctx;
use crate::http::Request;
use serde_json::{json, Value};
use std::sync::Arc;

use super::process_api::{expect_value, start, wait_output, OUTPUT};

#[rustfmt::skip]
pub fn cases() -> Vec<Case> {
    vec![
        Case::steps("process/exec/truncation-marker", Tier::BlackBox, OUTPUT, exec_truncation_marker).checks(&["processes.buffer.omission-marker", "processes.buffer.info", "processes.buffer.retained"]),
        Case::steps("process/exec/long-line-cut", Tier::BlackBox, OUTPUT, exec_long_line_cut).checks(&["processes.buffer.line-cut", "processes.buffer.cut-no-info"]),
        Case::steps("process/exec/buffer/exact-head", Tier::BlackBox, OUTPUT, buffer_exact_head).checks(&["processes.buffer.fits-no-info"]),
        Case::steps("process/exec/buffer/head-plus-one", Tier::BlackBox, OUTPUT, buffer_head_plus_one).checks(&["processes.buffer.head-tail-newline", "processes.buffer.retained", "processes.buffer.info"]),
        Case::steps("process/exec/buffer/omitted-one", Tier::BlackBox, OUTPUT, buffer_omitted_one).checks(&["processes.buffer.head-16384", "processes.buffer.tail-16384", "processes.buffer.omission-marker"]),
        Case::steps("process/exec/buffer/line-rules", Tier::BlackBox, OUTPUT, buffer_line_rules).checks(&["processes.buffer.line-2048-kept", "processes.buffer.line-cut", "processes.buffer.cr-ordinary", "processes.buffer.cut-separately"]),
        Case::steps("process/exec/buffer/split-utf8", Tier::BlackBox, OUTPUT, buffer_split_utf8).checks(&["processes.buffer.split-utf8", "processes.response.invalid-utf8"]),
        Case::steps("process/exec/buffer/one-mebibyte-line", Tier::BlackBox, OUTPUT, buffer_one_mebibyte_line).checks(&["processes.buffer.cut-separately", "processes.response.chunked"]),
        Case::steps("process/exec/escapes", Tier::BlackBox, OUTPUT, exec_escapes).checks(&["processes.response.html-escape", "processes.response.line-separators"]),
    ]
}

/// A shell loop printing `n` lines of 63 digits (the zero-padded line number) and a newline,
/// then `tail` with printf (octal escapes allowed).
fn numbered_lines_command(n: usize, tail: &str) -> String {
    format!("i=0; while [ $i -lt {n} ]; do printf '%063d\\n' $i; i=$((i+1)); done; printf '{tail}'")
}

/// The bytes [`numbered_lines_command`] prints (with `tail` already unescaped).
fn numbered_lines(n: usize, tail: &[u8]) -> Vec<u8> {
    let mut out: Vec<u8> = (0..n)
        .flat_map(|i| format!("{i:063}\n").into_bytes())
        .collect();
    out.extend_from_slice(tail);
    out
}

/// Runs `command` to its end and compares the answer with `want` (output and truncation).
async fn expect_output(ctx: &Ctx, command: &str, want: Value, why: &str) -> StepResult {
    let id = start(ctx, command).await?;
    let (req, v) = wait_output(ctx, &id).await?;
    let mut got = v.clone();
    if let Some(o) = got.as_object_mut() {
        o.remove("running");
        o.remove("exit_code");
    }
    expect_value(ctx, &req, &got, &want, why)?;
    Ok(Verdict::Pass)
}

/// The (ASCII) bytes as text.
fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

async fn buffer_exact_head(ctx: Arc<Ctx>) -> StepResult {
    let raw = numbered_lines(256, b"");
    let want = json!({"output": text(&raw)});
    let why = "exactly 16384 bytes come back whole, with no truncation info";
    expect_output(&ctx, &numbered_lines_command(256, ""), want, why).await
}

async fn buffer_head_plus_one(ctx: Arc<Ctx>) -> StepResult {
    let raw = numbered_lines(256, b"z");
    let out = format!("{}\nz", text(&raw[..16384]));
    let want = json!({"output": out, "truncated": {"original_bytes": 16385, "retained_bytes": 16386, "omitted_bytes": 0, "strategy": "head_tail"}});
    let why = "16385 bytes: the head, a single \"\\n\", the one tail byte; nothing omitted";
    expect_output(&ctx, &numbered_lines_command(256, "z"), want, why).await
}

async fn buffer_omitted_one(ctx: Arc<Ctx>) -> StepResult {
    let raw = numbered_lines(512, b"z");
    let marker = "\n\n... [omitted 1 bytes] ...\n\n";
    let out = format!("{}{marker}{}", text(&raw[..16384]), text(&raw[16385..]));
    let want = json!({"output": out, "truncated": {"original_bytes": 32769, "retained_bytes": 32768 + marker.len(), "omitted_bytes": 1, "strategy": "head_tail"}});
    let why = "32769 bytes: the first and last 16384 around a marker for the 1 byte between";
    expect_output(&ctx, &numbered_lines_command(512, "z"), want, why).await
}

async fn buffer_line_rules(ctx: Arc<Ctx>) -> StepResult {
    let cmd = "head -c 2048 /dev/zero | tr '\\0' a; echo; head -c 2049 /dev/zero | tr '\\0' b; echo; \
               head -c 1500 /dev/zero | tr '\\0' c; printf '\\r'; head -c 1500 /dev/zero | tr '\\0' d; echo; \
               head -c 3000 /dev/zero | tr '\\0' e";
    let cut = |body: String| format!("{} ... [truncated]", &body[..2032]);
    let out = [
        format!("{}\n", "a".repeat(2048)),
        format!("{}\n", cut("b".repeat(2049))),
        format!(
            "{}\n",
            cut(format!("{}\r{}", "c".repeat(1500), "d".repeat(1500)))
        ),
        cut("e".repeat(3000)),
    ]
    .concat();
    let why = "2048-byte lines stay, longer ones (\\r is content) are cut, the last gets no \\n";
    expect_output(&ctx, cmd, json!({"output": out}), why).await
}

async fn buffer_split_utf8(ctx: Arc<Ctx>) -> StepResult {
    // 255 lines of 64 bytes, 63 more bytes, then `é` (2 bytes) across the 16384-byte line.
    let a = "a".repeat(63);
    let cmd = format!(
        "i=0; while [ $i -lt 255 ]; do echo {a}; i=$((i+1)); done; printf '{a}\\303\\251'; \
         head -c 100 /dev/zero | tr '\\0' b; echo"
    );
    let head = format!("{a}\n").repeat(255) + &a;
    let out = format!("{head}\u{fffd}\n\u{fffd}{}\n", "b".repeat(100));
    let want = json!({"output": out, "truncated": {"original_bytes": 16486, "retained_bytes": 16487, "omitted_bytes": 0, "strategy": "head_tail"}});
    let why = "each half of the cut `é` is an invalid byte: \\ufffd on both sides of the \\n";
    expect_output(&ctx, &cmd, want, why).await
}

async fn buffer_one_mebibyte_line(ctx: Arc<Ctx>) -> StepResult {
    let id = start(&ctx, "head -c 1048576 /dev/zero | tr '\\0' x").await?;
    let req = Request::get(&format!("/api/v0/processes/{id}/output?wait=true"));
    let resp = ctx.send(&req).await?;
    let framing = (
        resp.header("transfer-encoding"),
        resp.header("content-length"),
    );
    if framing != (Some("chunked"), None) {
        return Err(ctx.failure(
            &req,
            format!(
                "a {}-byte body framed as {framing:?}: Go sends it chunked",
                resp.body.len()
            ),
        ));
    }
    let v: Value = crate::expect::check_go_json(&resp).map_err(|e| ctx.failure(&req, e))?;
    let side = format!("{} ... [truncated]", "x".repeat(2032));
    let marker = "\n\n... [omitted 1015808 bytes] ...\n\n";
    let want = json!({"output": format!("{side}{marker}{side}"), "truncated": {"original_bytes": 1048576, "retained_bytes": 4096 + marker.len(), "omitted_bytes": 1015808, "strategy": "head_tail"}, "running": false, "exit_code": 0});
    let why = "head and tail are each one unterminated 16384-byte line, cut separately";
    expect_value(&ctx, &req, &v, &want, why)?;
    Ok(Verdict::Pass)
}

async fn exec_escapes(ctx: Arc<Ctx>) -> StepResult {
    let id = start(&ctx, "printf 'a<b>&\\342\\200\\250\\342\\200\\251'").await?;
    let req = Request::get(&format!("/api/v0/processes/{id}/output?wait=true"));
    let resp = ctx.send(&req).await?;
    let want = "{\"output\":\"a\\u003cb\\u003e\\u0026\\u2028\\u2029\",\"running\":false,\"exit_code\":0}\n";
    if resp.text() != want {
        return Err(ctx
            .failure(&req, "<, >, &, U+2028 and U+2029 travel as Go escapes them")
            .with_diff(want, &resp.text()));
    }
    Ok(Verdict::Pass)
}
async fn exec_truncation_marker(ctx: Arc<Ctx>) -> StepResult {
    let cmd = "for i in $(seq 1 1155); do echo \"line-$i-padding-to-make-this-longer-than-fifty-characters-total\"; done";
    let id = start(&ctx, cmd).await?;
    let (req, v) = wait_output(&ctx, &id).await?;
    let want = json!({"original_bytes": 75123, "retained_bytes": 32801, "omitted_bytes": 42355, "strategy": "head_tail"});
    if v["truncated"] != want {
        return Err(ctx
            .failure(&req, "truncation info differs")
            .with_diff(&want.to_string(), &v["truncated"].to_string()));
    }
    let out = v["output"].as_str().unwrap_or_default();
    let marker = "line-254-padding-to-make-this-longer-than-fifty\n\n... [omitted 42355 bytes] ...\n\nke-this-longer-than-fifty-characters-total\nline-907-";
    if out.len() != 32801 || !out.contains(marker) {
        return Err(ctx.failure(
            &req,
            format!(
                "output ({} bytes) lacks the exact head/tail seam {marker:?}",
                out.len()
            ),
        ));
    }
    Ok(Verdict::Pass)
}

async fn exec_long_line_cut(ctx: Arc<Ctx>) -> StepResult {
    let id = start(&ctx, "head -c 2548 /dev/zero | tr '\\0' m; echo").await?;
    let (req, v) = wait_output(&ctx, &id).await?;
    let want = format!("{} ... [truncated]\n", "m".repeat(2032));
    if v["output"] != want.as_str() || v.get("truncated").is_some() {
        return Err(ctx.failure(&req, "a 2548-byte line must be cut to 2032 bytes + \" ... [truncated]\" with no truncation info").with_diff(&want, v["output"].as_str().unwrap_or_default()));
    }
    Ok(Verdict::Pass)
}
