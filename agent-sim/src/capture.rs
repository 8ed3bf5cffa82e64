//! Keeps a copy of what each agent request carried for the journal: its headers, and its body
//! copied as the handler reads it, up to the journal's body limit. The request is never
//! buffered or delayed; a handler that stops reading leaves a shorter copy.

use crate::journal::Capture;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use http_body::{Body as _, Frame, SizeHint};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

/// The copy being taken of one request.
#[derive(Debug)]
pub struct Tap {
    headers: Vec<(http::HeaderName, http::HeaderValue)>,
    body: Option<Arc<Mutex<BodyCopy>>>,
}

#[derive(Debug, Default)]
struct BodyCopy {
    bytes: Vec<u8>,
    truncated: bool,
    limit: usize,
}

impl BodyCopy {
    fn push(&mut self, data: &[u8]) {
        let room = self.limit.saturating_sub(self.bytes.len());
        if data.len() > room {
            self.truncated = true;
        }
        self.bytes.extend_from_slice(&data[..data.len().min(room)]);
    }
}

/// A request's headers as the journal keeps them: in order, as a list (a `HeaderMap` is built
/// only when they are read).
pub fn headers_of(headers: &http::HeaderMap) -> Vec<(http::HeaderName, http::HeaderValue)> {
    headers
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Starts copying `req`: its headers now, its body (up to `limit` bytes) as it is read (the
/// body is wrapped in place, so the request is not moved).
pub fn tap(req: &mut Request, limit: usize) -> Tap {
    let headers = headers_of(req.headers());
    if limit == 0 || req.body().is_end_stream() {
        return Tap {
            headers,
            body: None,
        };
    }
    let copy = Arc::new(Mutex::new(BodyCopy {
        limit,
        ..BodyCopy::default()
    }));
    let inner = std::mem::take(req.body_mut());
    *req.body_mut() = Body::new(TeeBody {
        inner,
        copy: Arc::clone(&copy),
    });
    Tap {
        headers,
        body: Some(copy),
    }
}

impl Tap {
    /// What was copied so far.
    pub fn finish(self) -> Capture {
        let (body, body_truncated) = match self.body {
            Some(copy) => {
                let mut copy = copy.lock().unwrap_or_else(|p| p.into_inner());
                (std::mem::take(&mut copy.bytes), copy.truncated)
            }
            None => (Vec::new(), false),
        };
        Capture {
            headers: self.headers,
            body,
            body_truncated,
        }
    }
}

/// A request body that copies its data frames as they pass.
struct TeeBody {
    inner: Body,
    copy: Arc<Mutex<BodyCopy>>,
}

impl http_body::Body for TeeBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_frame(cx);
        if let Poll::Ready(Some(Ok(frame))) = &polled {
            if let Some(data) = frame.data_ref() {
                this.copy
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(data);
            }
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    #[tokio::test]
    async fn copies_the_body_up_to_the_limit_and_passes_it_all_on() {
        let mut req = Request::builder()
            .header("x-test", "1")
            .body(Body::from("0123456789"))
            .unwrap();
        let tap = tap(&mut req, 4);
        let read = req.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(&read[..], b"0123456789");
        let c = tap.finish();
        assert_eq!(c.body, b"0123");
        assert!(c.body_truncated);
        assert!(c.headers.iter().any(|(k, v)| k == "x-test" && v == "1"));
    }

    #[tokio::test]
    async fn a_short_body_is_kept_whole() {
        let mut req = Request::new(Body::from("{}"));
        let tap = tap(&mut req, 64);
        let _ = req.into_body().collect().await.unwrap();
        let c = tap.finish();
        assert_eq!(c.body, b"{}");
        assert!(!c.body_truncated);
    }
}
