//! The agent router's rules, written once: chi v5 routing semantics (static before `{param}`
//! before mounts, the method-not-allowed flag carried into a mount's sub-router, no HEAD→GET
//! mapping, non-standard methods refused before routing), routing on Go's `RawPath` when the
//! request path is non-canonically escaped, Go's 404/405 bodies, the Recover middleware's 500,
//! and Go's response framing (`Content-Length` up to 2048 bytes, chunked above).
//!
//! Route groups describe their routes with [`Routes`]; [`crate::routes::agent_routes`]
//! assembles the tree, and [`crate::router()`] wraps it into an axum `Router` with the control API,
//! the request journal and fault injection.

use crate::gohttp::{bad_request, frame, path_segments, routing_path_bytes, STANDARD_METHODS};
use crate::response;
use axum::extract::{FromRequestParts, Request};
use axum::handler::Handler;
use axum::response::{IntoResponse, Response};
use futures::future::BoxFuture;
use http::request::Parts;
use http::Method;
use std::borrow::Cow;
use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// A type-erased handler: any axum handler whose state is `S`.
pub type BoxHandler<S> = Arc<dyn Fn(Request, S) -> BoxFuture<'static, Response> + Send + Sync>;

/// Erases an axum handler so it can live in a route table.
pub fn handler<H, T, S>(h: H) -> BoxHandler<S>
where
    H: Handler<T, S>,
    T: 'static,
    S: Send + 'static,
{
    Arc::new(move |req, state| boxed_once(h.clone().call(req, state)))
}

/// `fut` as a [`BoxFuture`], boxed only if it is not one already: axum's handlers return
/// their futures boxed, and a second box would cost an allocation and an indirection per
/// request.
fn boxed_once<F>(fut: F) -> BoxFuture<'static, Response>
where
    F: Future<Output = Response> + Send + 'static,
{
    let mut fut = Some(fut);
    let slot: &mut dyn std::any::Any = &mut fut;
    if let Some(boxed) = slot
        .downcast_mut::<Option<BoxFuture<'static, Response>>>()
        .and_then(Option::take)
    {
        return boxed;
    }
    match fut {
        Some(fut) => Box::pin(fut),
        None => unreachable!("only a future already boxed is taken"),
    }
}

/// URL parameters captured by `{name}` segments, available to handlers as an extractor.
#[derive(Debug, Clone, Default)]
pub struct PathParams {
    values: HashMap<String, String>,
    /// Where each parameter sits among the routing path's segments.
    at: HashMap<String, usize>,
    /// Go's bytes of the parameters that are not UTF-8 (their text holds U+FFFD instead).
    bytes: HashMap<String, Vec<u8>>,
}

impl PathParams {
    /// The parameter as text.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// The parameter as Go holds it (chi's `URLParam`): its bytes, UTF-8 or not.
    pub fn get_bytes(&self, name: &str) -> Option<&[u8]> {
        match self.bytes.get(name) {
            Some(b) => Some(b),
            None => self.get(name).map(str::as_bytes),
        }
    }

    /// Keeps the bytes of the parameters that `path` (the routing path as Go holds it) has in
    /// something other than UTF-8.
    fn keep_bytes(&mut self, path: &[u8]) {
        let segs: Vec<&[u8]> = path
            .strip_prefix(b"/")
            .unwrap_or(path)
            .split(|&b| b == b'/')
            .collect();
        for (name, &i) in &self.at {
            if let Some(seg) = segs.get(i).filter(|s| std::str::from_utf8(s).is_err()) {
                self.bytes.insert(name.clone(), seg.to_vec());
            }
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for PathParams {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<PathParams>()
            .cloned()
            .unwrap_or_default())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Static(String),
    Param(String),
}

struct Route<S> {
    segments: Vec<Segment>,
    /// The pattern as a path (`/` for no segments): for a route without parameters, the one
    /// request path whose segments are `segments`.
    path: String,
    /// How many `{param}` segments: routes with fewer win.
    params: usize,
    /// `None` means every standard method (chi's `HandleFunc`).
    methods: Vec<(Option<Method>, BoxHandler<S>)>,
}

impl<S> Clone for Route<S> {
    fn clone(&self) -> Self {
        Self {
            segments: self.segments.clone(),
            path: self.path.clone(),
            params: self.params,
            methods: self.methods.clone(),
        }
    }
}

/// A chi-style router over handlers with state `S` (as axum's `Router<S>`): routes by pattern
/// and method, and mounted sub-routers.
pub struct Routes<S> {
    /// Kept ordered by parameter count (stable: registration order among equals), the order
    /// in which routing tries them.
    routes: Vec<Route<S>>,
    mounts: Vec<(Vec<String>, Routes<S>)>,
}

impl<S> Clone for Routes<S> {
    fn clone(&self) -> Self {
        Self {
            routes: self.routes.clone(),
            mounts: self.mounts.clone(),
        }
    }
}

impl<S> Default for Routes<S> {
    fn default() -> Self {
        Self {
            routes: Vec::new(),
            mounts: Vec::new(),
        }
    }
}

fn parse_pattern(pattern: &str) -> Vec<Segment> {
    path_segments(pattern)
        .into_iter()
        .map(
            |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => Segment::Param(name.to_string()),
                None => Segment::Static(s.to_string()),
            },
        )
        .collect()
}

/// The path whose chi segments are `segments`: `/` and the segments joined by `/`.
fn pattern_path(segments: &[Segment]) -> String {
    if segments.is_empty() {
        return "/".to_string();
    }
    segments
        .iter()
        .map(|s| match s {
            Segment::Static(s) => format!("/{s}"),
            Segment::Param(p) => format!("/{{{p}}}"),
        })
        .collect()
}

/// What routing decided for one request.
pub enum Outcome<'a, S> {
    Handler(&'a BoxHandler<S>, PathParams),
    NotFound,
    MethodNotAllowed(Vec<Method>),
}

impl<S: Clone + Send + Sync + 'static> Routes<S> {
    pub fn new() -> Self {
        Self::default()
    }

    fn add(mut self, method: Option<Method>, pattern: &str, h: BoxHandler<S>) -> Self {
        let segments = parse_pattern(pattern);
        if let Some(r) = self.routes.iter_mut().find(|r| r.segments == segments) {
            r.methods.push((method, h));
        } else {
            let params = segments
                .iter()
                .filter(|s| matches!(s, Segment::Param(_)))
                .count();
            let at = self.routes.partition_point(|r| r.params <= params);
            self.routes.insert(
                at,
                Route {
                    path: pattern_path(&segments),
                    segments,
                    params,
                    methods: vec![(method, h)],
                },
            );
        }
        self
    }

    /// Registers `pattern` for one method (`r.Method(m, pattern, h)`).
    pub fn on<H: Handler<T, S>, T: 'static>(self, m: Method, pattern: &str, h: H) -> Self {
        self.add(Some(m), pattern, handler(h))
    }

    pub fn get<H: Handler<T, S>, T: 'static>(self, pattern: &str, h: H) -> Self {
        self.on(Method::GET, pattern, h)
    }

    pub fn post<H: Handler<T, S>, T: 'static>(self, pattern: &str, h: H) -> Self {
        self.on(Method::POST, pattern, h)
    }

    pub fn delete<H: Handler<T, S>, T: 'static>(self, pattern: &str, h: H) -> Self {
        self.on(Method::DELETE, pattern, h)
    }

    /// Registers `pattern` for every standard method (`r.HandleFunc`).
    pub fn any<H: Handler<T, S>, T: 'static>(self, pattern: &str, h: H) -> Self {
        self.add(None, pattern, handler(h))
    }

    /// Mounts a sub-router at `prefix` (`r.Mount`): it receives `prefix`, `prefix/` and
    /// `prefix/*`, with the remainder as its path (`/` for the first two).
    pub fn mount(mut self, prefix: &str, sub: Routes<S>) -> Self {
        let segs = path_segments(prefix)
            .into_iter()
            .map(str::to_string)
            .collect();
        self.mounts.push((segs, sub));
        self
    }

    /// Every route with a handler as `(method, pattern)` (method `None`: every method), mounts
    /// expanded to full patterns (a mount's `/` is `prefix/`), in table order.
    pub fn patterns(&self) -> Vec<(Option<Method>, String)> {
        let mut out = Vec::new();
        for route in &self.routes {
            let path = &route.path;
            out.extend(route.methods.iter().map(|(m, _)| (m.clone(), path.clone())));
        }
        for (prefix, sub) in &self.mounts {
            let prefix: String = prefix.iter().map(|s| format!("/{s}")).collect();
            for (m, p) in sub.patterns() {
                out.push((m, format!("{prefix}{p}")));
            }
        }
        out
    }

    /// Routes a request path (already the routing path, see [`routing_path_bytes`]).
    pub fn find(&self, method: &Method, path: &str) -> Outcome<'_, S> {
        if let Some(h) = self.find_static(method, path) {
            return Outcome::Handler(h, PathParams::default());
        }
        let mut allowed = Vec::new();
        let mut not_allowed = false;
        let segs = path_segments(path);
        self.find_inner(method, (&segs, 0), &mut allowed, &mut not_allowed)
    }

    /// The handler for `method` of the route without parameters whose pattern is exactly
    /// `path`: what [`find_inner`](Self::find_inner) would pick first (routes without
    /// parameters are tried first, and no two routes have the same segments), found without
    /// splitting the path. `None` leaves the request to the full search (another method, a
    /// parameter, a mount).
    fn find_static(&self, method: &Method, path: &str) -> Option<&BoxHandler<S>> {
        let route = self
            .routes
            .iter()
            .take_while(|r| r.params == 0)
            .find(|r| r.path == path)?;
        let (_, h) = route
            .methods
            .iter()
            .find(|(m, _)| m.as_ref().is_none_or(|m| m == method))?;
        Some(h)
    }

    /// `segs` are the path's segments from index `first` on (a mount passes on the rest).
    fn find_inner(
        &self,
        method: &Method,
        (segs, first): (&[&str], usize),
        allowed: &mut Vec<Method>,
        not_allowed: &mut bool,
    ) -> Outcome<'_, S> {
        // 1. Routes: static patterns win over patterns with parameters (`routes` is kept in
        // that order).
        for route in &self.routes {
            let Some(params) = match_route(route, segs, first) else {
                continue;
            };
            for (m, h) in &route.methods {
                if m.as_ref().is_none_or(|m| m == method) {
                    return Outcome::Handler(h, params);
                }
            }
            *not_allowed = true;
            for (m, _) in &route.methods {
                match m {
                    Some(m) => allowed.push(m.clone()),
                    None => allowed.extend(STANDARD_METHODS.iter().cloned()),
                }
            }
        }
        // 2. Mounts: the longest matching prefix takes the request.
        let mount = self
            .mounts
            .iter()
            .filter(|(prefix, _)| {
                segs.len() >= prefix.len() && prefix.iter().zip(segs).all(|(p, s)| p == s)
            })
            .max_by_key(|(prefix, _)| prefix.len());
        if let Some((prefix, sub)) = mount {
            let rest = &segs[prefix.len()..];
            // `prefix` and `prefix/` both reach the sub-router as "/".
            let rest: &[&str] = if rest == [""] { &[] } else { rest };
            let first = first + prefix.len();
            return sub.find_inner(method, (rest, first), allowed, not_allowed);
        }
        if *not_allowed {
            Outcome::MethodNotAllowed(std::mem::take(allowed))
        } else {
            Outcome::NotFound
        }
    }
}

fn match_route<S>(route: &Route<S>, segs: &[&str], first: usize) -> Option<PathParams> {
    if route.segments.len() != segs.len() {
        return None;
    }
    let mut params = PathParams::default();
    let last = segs.len().saturating_sub(1);
    for (i, (p, s)) in route.segments.iter().zip(segs).enumerate() {
        match p {
            Segment::Static(st) if st == s => {}
            // chi refuses an empty value only when nothing follows it (`/a/{id}` does not
            // match `/a/`, but `/a/{id}/b` matches `/a//b` with `id` = "").
            Segment::Param(name) if !s.is_empty() || i < last => {
                params.values.insert(name.clone(), (*s).to_string());
                params.at.insert(name.clone(), first + i);
            }
            _ => return None,
        }
    }
    Some(params)
}

/// Dispatches one request through `routes` with the agent's rules. Routing is done here, at
/// once; the returned future runs the handler (if one was found) and frames its response.
pub fn dispatch<S>(routes: &Routes<S>, state: S, mut req: Request) -> Dispatch
where
    S: Clone + Send + Sync + 'static,
{
    if !STANDARD_METHODS.contains(req.method()) {
        return Dispatch::ready(response::method_not_allowed(&[]));
    }
    let Some(path) = routing_path_bytes(req.uri().path()) else {
        return Dispatch::ready(bad_request());
    };
    let text = crate::gostr::text(&path);
    match routes.find(req.method(), &text) {
        Outcome::Handler(h, mut params) => {
            // Handlers without `{param}` segments find no `PathParams`, which the extractor
            // reads as empty anyway.
            if !params.values.is_empty() {
                if matches!(text, Cow::Owned(_)) {
                    params.keep_bytes(&path);
                }
                req.extensions_mut().insert(params);
            }
            Dispatch(Stage::Handler(h(req, state)))
        }
        Outcome::NotFound => Dispatch::ready(response::not_found()),
        Outcome::MethodNotAllowed(allowed) => {
            Dispatch::ready(response::method_not_allowed(&allowed))
        }
    }
}

/// The future of one [`dispatch`]: an answer routing already made, or the handler's.
pub struct Dispatch(Stage);

enum Stage {
    Ready(Option<Response>),
    Handler(BoxFuture<'static, Response>),
}

impl Dispatch {
    fn ready(resp: Response) -> Self {
        Self(Stage::Ready(Some(resp)))
    }
}

impl Future for Dispatch {
    type Output = Response;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Response> {
        match &mut self.get_mut().0 {
            Stage::Ready(resp) => match resp.take() {
                Some(resp) => Poll::Ready(resp),
                None => panic!("`Dispatch` polled after it completed"),
            },
            Stage::Handler(fut) => fut.as_mut().poll(cx).map(frame),
        }
    }
}

/// The Recover middleware's answer to a panic, for `tower_http::catch_panic`.
pub fn recover_panic(err: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let msg = err
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "unknown panic".to_string());
    tracing::warn!(panic = %msg, "panic serving request");
    response::internal_server_error().into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Routes<()> {
        let sub = Routes::new()
            .get("/", || async { "sub root" })
            .get("/x", || async { "sub x" });
        Routes::new()
            .get("/", || async { "root" })
            .post("/a", || async { "post a" })
            .any("/b/", || async { "any b/" })
            .get("/a/{id}", || async { "a id" })
            .mount("/m", sub)
            .get("/m/y", || async { "m y" })
    }

    fn describe(outcome: Outcome<'_, ()>) -> String {
        match outcome {
            Outcome::Handler(h, params) => {
                let mut params: Vec<_> = params.values.into_iter().collect();
                params.sort();
                format!("{:p} {params:?}", Arc::as_ptr(h))
            }
            Outcome::NotFound => "404".to_string(),
            Outcome::MethodNotAllowed(allowed) => format!("405 {allowed:?}"),
        }
    }

    #[tokio::test]
    async fn a_boxed_handler_future_is_not_boxed_again() {
        let fut: BoxFuture<'static, Response> = Box::pin(async { Response::default() });
        let at = &*fut as *const (dyn Future<Output = Response> + Send) as *const ();
        let again = boxed_once(fut);
        let now = &*again as *const (dyn Future<Output = Response> + Send) as *const ();
        assert_eq!(at, now);
        assert_eq!(again.await.status(), 200);
        let unboxed = boxed_once(async { Response::default() });
        assert_eq!(unboxed.await.status(), 200);
    }

    #[test]
    fn the_static_shortcut_agrees_with_the_full_search() {
        let t = table();
        let paths = [
            "/", "/a", "/a/", "/a/1", "/b", "/b/", "/m", "/m/", "/m/x", "/m/y", "//", "", "*",
        ];
        for path in paths {
            for method in [Method::GET, Method::POST, Method::DELETE] {
                let segs = path_segments(path);
                let full = t.find_inner(&method, (&segs, 0), &mut Vec::new(), &mut false);
                assert_eq!(
                    describe(t.find(&method, path)),
                    describe(full),
                    "{method} {path}"
                );
            }
        }
    }
}
