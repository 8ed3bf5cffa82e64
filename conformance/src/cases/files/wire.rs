//! The files routes' wire rules as single exchanges and short procedures: chi's 404/405, the
//! query parameter parser's validations, the JSON body decoder's errors and leniency, and the
//! not-absolute refusal on every route (files.md §2, §3).

use super::kit::{
    at, edit, go_body, holds, lines_error, list_req, message, post, url_encode, write,
};
use crate::case::{StepResult, Verdict};
use crate::context::Ctx;
use crate::expect::Expect;
use crate::http::Request;
use serde_json::json;
use std::sync::Arc;

/// One exchange: the request and what must come back.
pub type Exchange = (Request, Expect);

pub fn list_get_405() -> Exchange {
    let e = Expect::status(405).header("allow", "POST").body("");
    (Request::get("/api/v0/list-directory"), e)
}

pub fn read_head_405() -> Exchange {
    let req = Request::new("HEAD", "/api/v0/read-file?path=/x");
    (req, Expect::get_only_405())
}

pub fn read_trailing_slash_404() -> Exchange {
    (Request::get("/api/v0/read-file/"), Expect::not_found())
}

/// A route of a later upstream version (Appendix A) does not exist at the target.
pub fn zip_files_404() -> Exchange {
    let req = post(
        "/api/v0/zip-files",
        "application/json",
        "{\"paths\":[\"/tmp\"]}",
    );
    (req, Expect::not_found())
}

fn invalid(validations: serde_json::Value) -> Expect {
    let v = json!({"message": "Query parameters have invalid values.", "validations": validations});
    Expect::json(400, &go_body(&v))
}

pub fn read_query_errors() -> Exchange {
    let req = Request::get("/api/v0/read-file?offset=-1&foo=1");
    let e = invalid(json!([
        {"field": "path", "detail": "Query param \"path\" is required and cannot be empty"},
        {"field": "offset", "detail": "Query param \"offset\" must be a valid 64-bit positive integer: value is negative"},
        {"field": "foo", "detail": "\"foo\" is not a valid query param"},
    ]));
    (req, e)
}

pub fn read_query_repeated() -> Exchange {
    let req = Request::get("/api/v0/read-file?path=/a&path=/b");
    let e = invalid(
        json!([{"field": "path", "detail": "Query param \"path\" provided more than once, found 2 times. Only provide 1 instance of this query param."}]),
    );
    (req, e)
}

pub fn read_query_integers() -> Exchange {
    let req = Request::get("/api/v0/read-file?path=/x&offset=abc&limit=9999999999999999999");
    let e = invalid(json!([
        {"field": "offset", "detail": "Query param \"offset\" must be a valid 64-bit positive integer: strconv.ParseInt: parsing \"abc\": invalid syntax"},
        {"field": "limit", "detail": "Query param \"limit\" must be a valid 64-bit positive integer: strconv.ParseInt: parsing \"9999999999999999999\": value out of range"},
    ]));
    (req, e)
}

pub fn lines_query_error() -> Exchange {
    let req = Request::get("/api/v0/read-file-lines?path=&max_line_bytes=-1");
    let e = invalid(json!([
        {"field": "path", "detail": "Query param \"path\" is required and cannot be empty"},
        {"field": "max_line_bytes", "detail": "Query param \"max_line_bytes\" must be a valid 64-bit positive integer: value is negative"},
    ]));
    (req, e)
}

pub fn read_relative() -> Exchange {
    let req = Request::get("/api/v0/read-file?path=rel");
    (req, message(400, "file path must be absolute: \"rel\""))
}

pub fn resolve_relative() -> Exchange {
    let req = Request::get("/api/v0/resolve-path?path=rel");
    (req, message(400, "file path must be absolute: \"rel\""))
}

pub fn resolve_root() -> Exchange {
    let req = Request::get("/api/v0/resolve-path?path=/");
    (req, Expect::json(200, "{\"resolved_path\":\"/\"}\n"))
}

pub fn list_bad_relativity() -> Exchange {
    let req = post("/api/v0/list-directory", "application/json", "{}");
    (req, message(500, "unsupported relativity type \"\""))
}

pub fn list_empty_body() -> Exchange {
    let req = Request::new("POST", "/api/v0/list-directory?path=/tmp");
    let e = Expect::json(
        400,
        "{\"message\":\"Request body must be valid JSON.\",\"detail\":\"EOF\"}\n",
    );
    (req, e)
}

pub fn edit_no_files() -> Exchange {
    let req = post("/api/v0/edit-files", "application/json", "{\"files\":null}");
    (req, message(400, "must specify at least one file"))
}

/// Truncated, garbage and mistyped edit-files bodies: 400 with Go's decoder error as detail.
pub async fn body_errors(ctx: Arc<Ctx>) -> StepResult {
    let bad = |detail: &str| {
        let v = json!({"message": "Request body must be valid JSON.", "detail": detail});
        Expect::json(400, &go_body(&v))
    };
    for (body, detail) in [
        ("{\"files\":[", "unexpected EOF"),
        ("x", "invalid character 'x' looking for beginning of value"),
    ] {
        let req = post("/api/v0/edit-files", "application/json", body);
        ctx.exchange(&req, &bad(detail)).await?;
    }
    let req = post(
        "/api/v0/edit-files",
        "application/json",
        "{\"files\":\"x\"}",
    );
    let resp = ctx.exchange(&req, &Expect::status(400)).await?;
    let v: serde_json::Value = serde_json::from_slice(&resp.body).unwrap_or_default();
    let want = "json: cannot unmarshal string into Go struct field FileEditRequest.files";
    let detail = v["detail"].as_str().unwrap_or_default();
    if v["message"] != "Request body must be valid JSON." || !detail.starts_with(want) {
        return Err(ctx.failure(&req, format!("{v} (want a detail starting {want:?})")));
    }
    Ok(Verdict::Pass)
}

/// Case-insensitive keys, unknown fields, `null` and trailing bytes are all accepted.
pub async fn body_lenient(ctx: Arc<Ctx>, d: String) -> StepResult {
    let p = format!("{d}/lenient");
    write(&ctx, &p, b"alpha\n").await?;
    let body = format!(
        "{{\"FILES\":[{{\"Path\":\"{p}\",\"Edits\":[{{\"search\":\"alpha\",\"REPLACE\":\"beta\",\"note\":1}}]}}],\"include_diff\":null}} trailing"
    );
    let req = post("/api/v0/edit-files", "application/json", body);
    ctx.exchange(&req, &Expect::json(200, "{}\n")).await?;
    holds(&ctx, &p, b"beta\n").await?;
    Ok(Verdict::Pass)
}

/// `%2B2` is `+2` (a valid offset), `limit=` is the default, `+` in a path is a space, and
/// pairs Go's `url.ParseQuery` cannot read are dropped.
pub async fn query_decoding(ctx: Arc<Ctx>, d: String) -> StepResult {
    let p = format!("{d}/a b.bin");
    write(&ctx, &p, b"0123456789").await?;
    let plus = format!(
        "/api/v0/read-file?path={}&offset=%2B2&limit=",
        url_encode(&p).replace("%20", "+")
    );
    let e = Expect::status(200)
        .header("content-length", "8")
        .body("23456789");
    ctx.exchange(&Request::get(&plus), &e).await?;
    // Pairs with a bad escape or a `;` are dropped: `path` is then missing.
    let missing = invalid(
        json!([{"field": "path", "detail": "Query param \"path\" is required and cannot be empty"}]),
    );
    for q in ["path=%ZZ", "path=/a;b"] {
        let req = Request::get(&format!("/api/v0/resolve-path?{q}"));
        ctx.exchange(&req, &missing).await?;
    }
    Ok(Verdict::Pass)
}

/// Every route refuses relative paths, `~` unexpanded, the path `%q`-quoted.
pub async fn relative_paths(ctx: Arc<Ctx>) -> StepResult {
    // Each path and its Go `%q` form.
    for (p, q) in [
        ("./rel", "\"./rel\""),
        ("~/x", "\"~/x\""),
        ("a\"b\tc\\d", "\"a\\\"b\\tc\\\\d\""),
    ] {
        let msg = format!("file path must be absolute: {q}");
        let get = |route: &str| Request::get(&at(route, p, ""));
        ctx.exchange(&get("/api/v0/read-file"), &message(400, &msg))
            .await?;
        ctx.exchange(&get("/api/v0/resolve-path"), &message(400, &msg))
            .await?;
        ctx.exchange(&get("/api/v0/read-file-lines"), &lines_error(&msg))
            .await?;
        let w = post(&at("/api/v0/write-file", p, ""), "text/plain", "x");
        ctx.exchange(&w, &message(400, &msg)).await?;
        let body = json!({"files": [{"path": p, "edits": [{"search": "a", "replace": "b"}]}]});
        edit(&ctx, &body, &message(400, &msg)).await?;
        let l = list_req(p, &json!({}));
        let lmsg = format!("path must be absolute: {q}");
        ctx.exchange(&l, &message(500, &lmsg)).await?;
    }
    Ok(Verdict::Pass)
}
