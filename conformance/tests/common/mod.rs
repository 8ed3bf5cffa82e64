//! Test helpers: a broken agent built as a proxy in front of an in-process agent-sim that
//! alters one behaviour (request rewrite, response mutation, or a change to the watch
//! websocket's text frames, pings or close); runs of the suite in-process (restricted to some cases, or
//! configured) and of the `agent-conformance` binary.
//!
//! The proxy's hyper server writes Go's header case; a byte relay in front of it
//! ([`relay_bytes`]) lets a mutation send one header name in another case
//! ([`MResp::lower_header_name`]), which no HTTP library would write.

#![allow(dead_code)]

use agent_sim::{AppState, Scenario};
use axum::body::Body;
use axum::extract::ws::{Message as AMessage, WebSocket, WebSocketUpgrade};
use axum::extract::FromRequestParts;
use axum::extract::Request;
use axum::response::IntoResponse;
use axum::response::Response;
use axum::Router;
use bytes::Bytes;
use conformance::runner::{run, Report, RunConfig};
use futures::{SinkExt, StreamExt};
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use http_body_util::BodyExt;
use std::process::{Command, Output};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message as TMessage;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use tower::ServiceExt;

/// A response the mutation may change.
pub struct MResp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl MResp {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn set_text(&mut self, s: &str) {
        self.body = s.as_bytes().to_vec();
    }
    pub fn set_header(&mut self, k: &'static str, v: &str) {
        self.headers.insert(k, HeaderValue::from_str(v).unwrap());
    }
    /// Sends the header `name` (lower case) with its name in lower case on the wire: the
    /// proxy marks it, the byte relay in front of the proxy rewrites the head.
    pub fn lower_header_name(&mut self, name: &'static str) {
        self.set_header(LOWER_MARK, name);
    }
    /// Replaces the whole answer with a JSON one (as `httpapi.Write` would send it).
    pub fn answer_json(&mut self, status: StatusCode, body: &str) {
        self.status = status;
        self.set_header("content-type", "application/json; charset=utf-8");
        self.headers.remove("x-content-type-options");
        self.set_text(body);
    }
}

/// The header through which a mutation asks the relay to lower one header name (hyper writes
/// it title-cased; the relay removes it).
const LOWER_MARK: &str = "x-mutant-lower-header";

pub type Mutation = Arc<dyn Fn(&Method, &str, &mut MResp) + Send + Sync>;
pub type Rewrite = Arc<dyn Fn(&mut Request) + Send + Sync>;
/// Changes the watch socket's `n`th text frame (from 0); `None` drops it.
pub type WsMutation = Arc<dyn Fn(usize, String) -> Option<String> + Send + Sync>;

/// A broken agent on a loopback port; dropping it stops the server.
pub struct Mutant {
    pub url: String,
    pub state: AppState,
    task: JoinHandle<()>,
    /// agent-sim served directly, for the watch sockets the proxy relays.
    backend: JoinHandle<()>,
    /// The byte relay clients reach (in front of the proxy).
    front: JoinHandle<()>,
}

impl Drop for Mutant {
    fn drop(&mut self) {
        self.front.abort();
        self.task.abort();
        self.backend.abort();
        self.state.shutdown();
    }
}

/// Serves agent-sim (with its control API) through `rewrite` and `mutate`.
pub async fn mutant(scenario: Scenario, rewrite: Option<Rewrite>, mutate: Mutation) -> Mutant {
    mutant_ws(scenario, rewrite, mutate, None).await
}

/// The method under which the relay shows socket events to a mutation: a ping or a close
/// from agent-sim passes through `mutate` as `WS /api/v0/containers/watch` with the event as
/// the body text (`ping`, `close <code> <reason>`); an empty body drops the event.
pub fn ws_event_method() -> Method {
    Method::from_bytes(b"WS").unwrap()
}

/// Passes one socket event through `mutate`: the event's text after it (`None`: dropped).
fn socket_event(mutate: &Mutation, event: String) -> Option<String> {
    let mut m = MResp {
        status: StatusCode::SWITCHING_PROTOCOLS,
        headers: HeaderMap::new(),
        body: event.into_bytes(),
    };
    mutate(&ws_event_method(), "/api/v0/containers/watch", &mut m);
    (!m.body.is_empty()).then(|| m.text())
}

/// A close event's text as a close frame (`close <code> <reason>`).
fn close_frame(event: &str) -> Option<axum::extract::ws::CloseFrame> {
    let rest = event.strip_prefix("close ")?;
    let (code, reason) = rest.split_once(' ').unwrap_or((rest, ""));
    Some(axum::extract::ws::CloseFrame {
        code: code.parse().ok()?,
        reason: reason.to_string().into(),
    })
}

/// Relays one watch socket from agent-sim to the client, frames through `ws`, pings and
/// closes through `mutate` (see [`ws_event_method`]); the client's messages go to agent-sim.
async fn relay(
    mut client: WebSocket,
    backend: WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>,
    ws: Option<WsMutation>,
    mutate: Mutation,
) {
    let (mut to_backend, mut from_backend) = backend.split();
    let mut n = 0;
    loop {
        tokio::select! {
            msg = from_backend.next() => match msg {
                Some(Ok(TMessage::Text(t))) => {
                    let out = match &ws {
                        Some(f) => f(n, t.to_string()),
                        None => Some(t.to_string()),
                    };
                    n += 1;
                    if let Some(o) = out {
                        if client.send(AMessage::Text(o.into())).await.is_err() {
                            return;
                        }
                    }
                }
                Some(Ok(TMessage::Ping(p))) => {
                    if socket_event(&mutate, "ping".into()).is_some()
                        && client.send(AMessage::Ping(p)).await.is_err()
                    {
                        return;
                    }
                }
                Some(Ok(TMessage::Close(frame))) => {
                    let event = frame.map_or("close 1005".to_string(), |f| {
                        format!("close {} {}", u16::from(f.code), f.reason)
                    });
                    let out = socket_event(&mutate, event);
                    if let Some(frame) = out.as_deref().and_then(close_frame) {
                        let _ = client.send(AMessage::Close(Some(frame))).await;
                    }
                    return;
                }
                Some(Err(_)) | None => {
                    let _ = client.send(AMessage::Close(None)).await;
                    return;
                }
                Some(Ok(_)) => {}
            },
            msg = client.recv() => match msg {
                Some(Ok(AMessage::Text(t))) => {
                    if to_backend.send(TMessage::Text(t.as_str().into())).await.is_err() {
                        return;
                    }
                }
                Some(Ok(AMessage::Binary(b))) => {
                    if to_backend.send(TMessage::Binary(b)).await.is_err() {
                        return;
                    }
                }
                Some(Ok(AMessage::Close(_))) | Some(Err(_)) | None => {
                    let _ = to_backend.send(TMessage::Close(None)).await;
                    return;
                }
                Some(Ok(_)) => {}
            },
        }
    }
}

/// A handshake the relay takes over: an upgrade to websocket, version 13, with a key and no
/// `Origin`. Any other request to the watch route goes to agent-sim as it is, which answers
/// the refusal itself.
fn relayed_handshake(h: &HeaderMap) -> bool {
    let is = |k: &str, v: &[u8]| {
        h.get(k)
            .is_some_and(|x| x.as_bytes().eq_ignore_ascii_case(v))
    };
    is("upgrade", b"websocket")
        && is("sec-websocket-version", b"13")
        && h.contains_key("sec-websocket-key")
        && !h.contains_key("origin")
}

/// Like [`mutant`], and the watch socket's frames go through `ws`.
pub async fn mutant_ws(
    scenario: Scenario,
    rewrite: Option<Rewrite>,
    mutate: Mutation,
    ws: Option<WsMutation>,
) -> Mutant {
    let state = AppState::new(scenario);
    let inner = agent_sim::router(state.clone());
    let backend_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let backend_ws = format!(
        "ws://{}/api/v0/containers/watch",
        backend_listener.local_addr().unwrap()
    );
    let backend = tokio::spawn(agent_sim::server::serve(
        backend_listener,
        inner.clone(),
        std::future::pending(),
    ));
    let app = Router::new().fallback(move |mut req: Request| {
        let inner = inner.clone();
        let rewrite = rewrite.clone();
        let mutate = mutate.clone();
        let ws = ws.clone();
        let backend_ws = backend_ws.clone();
        async move {
            if relayed_handshake(req.headers()) && req.uri().path() == "/api/v0/containers/watch" {
                if let Ok((backend, _)) =
                    tokio_tungstenite::connect_async(backend_ws.as_str()).await
                {
                    let (mut parts, _) = req.into_parts();
                    return match WebSocketUpgrade::from_request_parts(&mut parts, &()).await {
                        Ok(up) => up.on_upgrade(move |client| relay(client, backend, ws, mutate)),
                        Err(rejection) => rejection.into_response(),
                    };
                }
            }
            let method = req.method().clone();
            let path = req
                .uri()
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_default();
            let control = path.starts_with("/__sim/");
            if !control {
                if let Some(rw) = &rewrite {
                    rw(&mut req);
                }
            }
            let resp = inner.oneshot(req).await.unwrap();
            let (parts, body) = resp.into_parts();
            let body: Bytes = body.collect().await.unwrap().to_bytes();
            let mut m = MResp {
                status: parts.status,
                headers: parts.headers,
                body: body.to_vec(),
            };
            if !control {
                mutate(&method, &path, &mut m);
            }
            m.headers.remove("content-length");
            m.headers.remove("transfer-encoding");
            let mut out = Response::new(Body::from(m.body));
            *out.status_mut() = m.status;
            *out.headers_mut() = m.headers;
            out
        }
    });
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy = listener.local_addr().unwrap();
    let task = tokio::spawn(agent_sim::server::serve(
        listener,
        app,
        std::future::pending(),
    ));
    let front_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", front_listener.local_addr().unwrap());
    let front = tokio::spawn(async move {
        while let Ok((client, _)) = front_listener.accept().await {
            tokio::spawn(relay_bytes(client, proxy));
        }
    });
    Mutant {
        url,
        state,
        task,
        backend,
        front,
    }
}

/// Copies one connection's bytes to the proxy and back; an answer head carrying the
/// [`LOWER_MARK`] header loses it and gets the named header's name in lower case. (A head
/// arrives in one read on loopback: hyper writes it in one buffer.)
async fn relay_bytes(client: tokio::net::TcpStream, proxy: std::net::SocketAddr) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let Ok(upstream) = tokio::net::TcpStream::connect(proxy).await else {
        return;
    };
    let (mut client_read, mut client_write) = client.into_split();
    let (mut up_read, mut up_write) = upstream.into_split();
    let up = async {
        let _ = tokio::io::copy(&mut client_read, &mut up_write).await;
        let _ = up_write.shutdown().await;
    };
    let down = async {
        let mut buf = vec![0u8; 64 * 1024];
        while let Ok(n) = up_read.read(&mut buf).await {
            if n == 0
                || client_write
                    .write_all(&lower_marked(&buf[..n]))
                    .await
                    .is_err()
            {
                break;
            }
        }
        let _ = client_write.shutdown().await;
    };
    tokio::join!(up, down);
}

/// `bytes` with the mark line removed and the marked header's name lowered.
fn lower_marked(bytes: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(bytes);
    let mark = "\r\nX-Mutant-Lower-Header: ";
    let Some(at) = text.find(mark) else {
        return bytes.to_vec();
    };
    let rest = &text[at + mark.len()..];
    let name = rest.split("\r\n").next().unwrap_or("").to_string();
    let line = format!("{mark}{name}");
    let title: String = name
        .split('-')
        .map(|w| w[..1].to_uppercase() + &w[1..])
        .collect::<Vec<_>>()
        .join("-");
    text.replacen(&line, "", 1)
        .replacen(&format!("\r\n{title}:"), &format!("\r\n{name}:"), 1)
        .into_bytes()
}

/// A fixture's scenario by name.
pub fn fixture(name: &str) -> Scenario {
    Scenario::fixture(name).unwrap()
}

/// Runs the suite in-process against `url` (control API on the same URL), configured by
/// `configure`.
pub async fn run_suite(url: &str, configure: impl FnOnce(&mut RunConfig)) -> Report {
    let mut config = RunConfig::new(url);
    configure(&mut config);
    run(config, |_| {}).await.unwrap()
}

/// Runs the cases whose names match `filter` against `url` (control API on the same URL).
pub async fn run_filtered(url: &str, filter: &str, timeout_ms: u64) -> Report {
    run_suite(url, |config| {
        config.filter = Some(regex::Regex::new(filter).unwrap());
        config.timeout = Duration::from_millis(timeout_ms);
        config.seed = 11;
        config.property_cases = 48;
    })
    .await
}

/// The `agent-conformance` binary built for these tests.
pub fn conformance_command() -> Command {
    Command::new(env!("CARGO_BIN_EXE_agent-conformance"))
}

/// Runs `agent-conformance args…` off the async runtime and waits for its output.
pub async fn run_conformance(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || conformance_command().args(args).output().unwrap())
        .await
        .unwrap()
}
