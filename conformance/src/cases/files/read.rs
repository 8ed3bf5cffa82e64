//! read-file and read-file-lines in a scratch directory (files.md §4.3, §4.4): raw bytes and
//! their headers, byte offset/limit, the extension's content type, the OS error statuses; line
//! numbering, limits, truncation and the `success:false` sentences.

use super::kit::{at, go_body, lines_error, message, write};
use crate::case::{StepResult, Verdict};
use crate::context::Ctx;
use crate::expect::Expect;
use crate::http::Request;
use serde_json::json;
use std::sync::Arc;

pub async fn write_read_round_trip(ctx: Arc<Ctx>, d: String) -> StepResult {
    let p = format!("{d}/a/b/c.json");
    let content = b"{\"x\":\"<&>\"}\n\x00\xff".to_vec();
    write(&ctx, &p, &content).await?;
    let req = Request::get(&at("/api/v0/read-file", &p, "&offset=0&limit=0"));
    let want = Expect::status(200)
        .header("content-type", "application/json")
        .header("content-length", &content.len().to_string())
        .body(content.clone());
    ctx.exchange(&req, &want).await?;
    Ok(Verdict::Pass)
}

pub async fn read_offset_limit(ctx: Arc<Ctx>, d: String) -> StepResult {
    let p = format!("{d}/f.bin");
    write(&ctx, &p, b"0123456789").await?;
    for (off, lim, want) in [
        (2, 3, "234"),
        (8, 5, "89"),
        (9, 1, "9"),
        (0, 10, "0123456789"),
        (0, 0, "0123456789"),
        (1, 0, "123456789"),
        (10, 0, ""),
        (1000, 1, ""),
    ] {
        let req = Request::get(&at(
            "/api/v0/read-file",
            &p,
            &format!("&offset={off}&limit={lim}"),
        ));
        let e = Expect::status(200)
            .header("content-type", "application/octet-stream")
            .header("content-length", &want.len().to_string())
            .body(want);
        ctx.exchange(&req, &e).await?;
    }
    Ok(Verdict::Pass)
}

pub async fn read_errors(ctx: Arc<Ctx>, d: String) -> StepResult {
    write(&ctx, &format!("{d}/x"), b"x").await?;
    let missing = format!("{d}/missing");
    let req = Request::get(&at("/api/v0/read-file", &missing, ""));
    let msg = format!("open {missing}: no such file or directory");
    ctx.exchange(&req, &message(404, &msg)).await?;
    let req = Request::get(&at("/api/v0/read-file", &d, ""));
    ctx.exchange(&req, &message(400, &format!("open {d}: not a file")))
        .await?;
    let below = format!("{d}/x/y");
    let req = Request::get(&at("/api/v0/read-file", &below, ""));
    let msg = format!("open {below}: not a directory");
    ctx.exchange(&req, &message(500, &msg)).await?;
    Ok(Verdict::Pass)
}

/// The type comes from the requested extension, then its lower-case form; no extra headers.
pub async fn read_mime(ctx: Arc<Ctx>, d: String) -> StepResult {
    for (name, ct) in [
        ("p.PNG", "image/png"),
        ("page.html", "text/html; charset=utf-8"),
        ("style.css", "text/css; charset=utf-8"),
        ("icon.svg", "image/svg+xml"),
        (".bashrc", "application/octet-stream"),
        ("noext", "application/octet-stream"),
        ("x.unknownext", "application/octet-stream"),
    ] {
        let p = format!("{d}/{name}");
        write(&ctx, &p, b"not really").await?;
        let req = Request::get(&at("/api/v0/read-file", &p, ""));
        let e = Expect::status(200)
            .header("content-type", ct)
            .header("content-length", "10")
            .no_header("x-file-mimetype")
            .no_header("content-disposition")
            .body("not really");
        ctx.exchange(&req, &e).await?;
    }
    Ok(Verdict::Pass)
}

fn lines_ok(v: serde_json::Value) -> Expect {
    Expect::json(200, &go_body(&v))
}

pub async fn read_lines(ctx: Arc<Ctx>, d: String) -> StepResult {
    let p = format!("{d}/basic-file");
    write(&ctx, &p, b"line1\nline2\nline3").await?;
    let get = |extra: &str| Request::get(&at("/api/v0/read-file-lines", &p, extra));
    let e = lines_ok(
        json!({"success": true, "file_size": 17, "total_lines": 3, "lines_read": 1, "content": "2\tline2"}),
    );
    ctx.exchange(&get("&offset=2&limit=1"), &e).await?;
    let e = lines_ok(
        json!({"success": true, "file_size": 17, "total_lines": 3, "lines_read": 2, "content": "1\tline1\n2\tline2"}),
    );
    ctx.exchange(&get("&offset=0&limit=2"), &e).await?;
    let e = lines_error("offset 100 is beyond the file length of 3 lines");
    ctx.exchange(&get("&offset=100"), &e).await?;
    let e = lines_error("offset 4 is beyond the file length of 3 lines");
    ctx.exchange(&get("&offset=4"), &e).await?;
    let e = lines_ok(
        json!({"success": true, "file_size": 17, "total_lines": 3, "lines_read": 1, "content": "3\tline3"}),
    );
    ctx.exchange(&get("&offset=3"), &e).await?;
    let e = lines_ok(
        json!({"success": true, "file_size": 17, "total_lines": 3, "lines_read": 3, "content": "1\tlin... [truncated]\n2\tlin... [truncated]\n3\tlin... [truncated]"}),
    );
    ctx.exchange(&get("&max_line_bytes=3"), &e).await?;
    Ok(Verdict::Pass)
}

/// Every failure but a query error is 200 `success:false` with its sentence.
pub async fn read_lines_errors(ctx: Arc<Ctx>, d: String) -> StepResult {
    let f = format!("{d}/f");
    write(&ctx, &f, b"0123456789").await?;
    let get = |p: &str, extra: &str| Request::get(&at("/api/v0/read-file-lines", p, extra));
    let missing = format!("{d}/missing");
    let e = lines_error(&format!("file does not exist: {missing}"));
    ctx.exchange(&get(&missing, ""), &e).await?;
    ctx.exchange(&get(&d, ""), &lines_error(&format!("not a file: {d}")))
        .await?;
    let below = format!("{f}/x");
    let e = lines_error(&format!("open file: open {below}: not a directory"));
    ctx.exchange(&get(&below, ""), &e).await?;
    let e = lines_error("file is 10 bytes which exceeds the maximum of 9 bytes. Use grep, sed, or awk to extract the content you need, or use offset and limit to read a portion.");
    ctx.exchange(&get(&f, "&max_file_size=9"), &e).await?;
    let e = lines_ok(
        json!({"success": true, "file_size": 10, "total_lines": 1, "lines_read": 1, "content": "1\t0123456789"}),
    );
    ctx.exchange(&get(&f, "&max_file_size=10"), &e).await?;
    Ok(Verdict::Pass)
}

/// Splitting keeps `\r` and counts the empty line after a final newline; the two response
/// caps fail without a partial result; an empty file is bare success.
pub async fn read_lines_limits(ctx: Arc<Ctx>, d: String) -> StepResult {
    let f = format!("{d}/crlf");
    write(&ctx, &f, b"a\r\nb\n").await?;
    let get = |p: &str, extra: &str| Request::get(&at("/api/v0/read-file-lines", p, extra));
    let e = lines_ok(
        json!({"success": true, "file_size": 5, "total_lines": 3, "lines_read": 3, "content": "1\ta\r\n2\tb\n3\t"}),
    );
    ctx.exchange(&get(&f, "&offset=0&limit=0"), &e).await?;
    let e = lines_ok(
        json!({"success": true, "file_size": 5, "total_lines": 3, "lines_read": 2, "content": "1\ta\r\n2\tb"}),
    );
    ctx.exchange(&get(&f, "&limit=2&max_response_bytes=8"), &e)
        .await?;
    let e = lines_error(
        "output would exceed 7 bytes. Read less at a time using offset and limit parameters.",
    );
    ctx.exchange(&get(&f, "&limit=2&max_response_bytes=7"), &e)
        .await?;
    let e = lines_error(
        "output would exceed 1 lines. Read less at a time using offset and limit parameters.",
    );
    ctx.exchange(&get(&f, "&limit=2&max_response_lines=1"), &e)
        .await?;
    let e = lines_ok(
        json!({"success": true, "file_size": 5, "total_lines": 3, "lines_read": 1, "content": "1\ta\r"}),
    );
    ctx.exchange(&get(&f, "&max_response_lines=1"), &e).await?;
    // A zero line cap: no lines when none are asked for, the lines error when some are.
    let e = Expect::json(
        200,
        "{\"success\":true,\"file_size\":5,\"total_lines\":3}\n",
    );
    ctx.exchange(&get(&f, "&max_response_lines=0"), &e).await?;
    let e = lines_error(
        "output would exceed 0 lines. Read less at a time using offset and limit parameters.",
    );
    ctx.exchange(&get(&f, "&limit=1&max_response_lines=0"), &e)
        .await?;
    let empty = format!("{d}/empty");
    write(&ctx, &empty, b"").await?;
    let e = Expect::json(200, "{\"success\":true}\n");
    ctx.exchange(&get(&empty, "&offset=5"), &e).await?;
    Ok(Verdict::Pass)
}
