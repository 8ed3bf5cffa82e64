//! Targets that misbehave at the transport level: hang, reset, garbage, HTML, slow, closed
//! mid-body. Each case fails with a clear reason, the run finishes, and every report renders.

mod common;

use conformance::report;
use conformance::runner::{Outcome, Report};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

const FILTER: &str = "^(hello/get|router/404/unknown-path)$";

/// A raw TCP server answering every connection with `answer`.
async fn raw_server<F, Fut>(answer: F) -> String
where
    F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((s, _)) = l.accept().await {
            tokio::spawn(answer(s));
        }
    });
    url
}

async fn read_head(s: &mut TcpStream) {
    let mut buf = [0u8; 4096];
    let _ = s.read(&mut buf).await;
}

/// Both cases failed with `reason`, and every report renders.
fn assert_failed_with(report: &Report, reason: &str) {
    assert_eq!(report.results.len(), 2, "{:?}", report.results);
    for r in &report.results {
        match &r.outcome {
            Outcome::Failed(f) => assert!(
                f.reason.contains(reason),
                "{}: {:?} does not mention {reason:?}",
                r.name,
                f.reason
            ),
            o => panic!("{}: {o:?}", r.name),
        }
    }
    let json: serde_json::Value = serde_json::from_str(&report::json::render(report)).unwrap();
    assert_eq!(json["summary"]["failed"], 2);
    assert!(json["cases"][0]["failure"]["curl"]
        .as_str()
        .unwrap()
        .starts_with("curl "));
    assert!(report::junit::render(report).contains("<failure"));
    assert!(report::html::render(report).contains("failed"));
    assert_eq!(report.summary_line(), "0 passed, 2 failed, 0 skipped");
}

#[tokio::test]
async fn hung_target_times_out_per_case() {
    let url = raw_server(|mut s| async move {
        read_head(&mut s).await;
        tokio::time::sleep(Duration::from_secs(30)).await;
        drop(s);
    })
    .await;
    let t0 = Instant::now();
    let report = common::run_filtered(&url, FILTER, 300).await;
    assert_failed_with(&report, "no complete response within 300 ms");
    assert!(t0.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn reset_connections_fail_the_case() {
    let url = raw_server(|s| async move {
        // A zero linger makes the close an RST and never blocks.
        #[allow(deprecated)]
        let _ = s.set_linger(Some(Duration::ZERO));
        drop(s);
    })
    .await;
    let report = common::run_filtered(&url, FILTER, 1000).await;
    assert_failed_with(&report, "connection failed before a response");
}

#[tokio::test]
async fn garbage_fails_the_case() {
    let url = raw_server(|mut s| async move {
        read_head(&mut s).await;
        let _ = s
            .write_all(b"SSH-2.0-OpenSSH_9.6\r\nnonsense\r\n\r\n")
            .await;
    })
    .await;
    let report = common::run_filtered(&url, FILTER, 1000).await;
    assert_failed_with(&report, "connection failed before a response");
}

#[tokio::test]
async fn body_closed_mid_way_fails_the_case() {
    let url = raw_server(|mut s| async move {
        read_head(&mut s).await;
        let _ = s
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"message\"")
            .await;
        let _ = s.shutdown().await;
    })
    .await;
    let report = common::run_filtered(&url, FILTER, 1000).await;
    assert_failed_with(&report, "response body cut off after 10 bytes");
}

#[tokio::test]
async fn html_answers_fail_the_case() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "text/html")
                .set_body_string("<html><body>It works!</body></html>"),
        )
        .mount(&server)
        .await;
    let report = common::run_filtered(&server.uri(), FILTER, 1000).await;
    assert_failed_with(&report, "body differs");
    let f = report.results[0].outcome.failure().unwrap();
    assert!(f.diff.as_ref().unwrap().contains("+<html>"), "{f:?}");
}

#[tokio::test]
async fn slow_answers_time_out() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(2)))
        .mount(&server)
        .await;
    let report = common::run_filtered(&server.uri(), FILTER, 200).await;
    assert_failed_with(&report, "no complete response within 200 ms");
}

/// Writes a status line and headers, then `chunks` of `chunk` bytes (chunked encoding); with
/// `chunks == None` it never stops.
async fn stream_body(mut s: TcpStream, chunk: Vec<u8>, chunks: Option<usize>) {
    read_head(&mut s).await;
    let head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n";
    if s.write_all(head).await.is_err() {
        return;
    }
    let frame = [
        format!("{:x}\r\n", chunk.len()).into_bytes(),
        chunk,
        b"\r\n".to_vec(),
    ]
    .concat();
    let mut sent = 0;
    while chunks.is_none_or(|n| sent < n) {
        if s.write_all(&frame).await.is_err() {
            return;
        }
        sent += 1;
    }
    let _ = s.write_all(b"0\r\n\r\n").await;
}

/// Peak resident memory of this test process, in MiB.
fn peak_rss_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .unwrap_or(0)
        / 1024
}

#[tokio::test]
async fn an_endless_body_fails_within_the_timeout() {
    let url = raw_server(|s| async move {
        // A slow trickle that never ends: the timeout, not the size cap, ends it.
        let mut s = s;
        read_head(&mut s).await;
        let _ = s
            .write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
            .await;
        loop {
            if s.write_all(b"1\r\n[\r\n").await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    let t0 = Instant::now();
    let report = common::run_filtered(&url, FILTER, 400).await;
    assert_failed_with(&report, "response body still arriving after 400 ms");
    assert!(t0.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn hundreds_of_mib_are_cut_at_the_cap() {
    // 300 MiB offered per request; the suite stops reading at its cap.
    let url = raw_server(|s| stream_body(s, vec![b'x'; 1 << 20], Some(300))).await;
    let report = common::run_filtered(&url, FILTER, 20_000).await;
    assert_failed_with(&report, "larger than 16 MiB: the suite reads at most that much");
    assert!(peak_rss_mib() < 250, "peak memory {} MiB", peak_rss_mib());
}

#[tokio::test]
async fn json_nested_millions_deep_fails_cleanly() {
    let url = raw_server(|s| stream_body(s, vec![b'['; 1 << 20], Some(8))).await;
    let report = common::run_filtered(&url, FILTER, 20_000).await;
    for r in &report.results {
        let f = r
            .outcome
            .failure()
            .unwrap_or_else(|| panic!("{}: {:?}", r.name, r.outcome));
        let shown = f.actual.as_deref().unwrap_or_default();
        assert!(
            shown.len() < 80 * 1024,
            "{}: {} bytes kept",
            r.name,
            shown.len()
        );
    }
    assert_eq!(report.summary_line(), "0 passed, 2 failed, 0 skipped");
    assert!(report::html::render(&report).contains("more bytes not shown"));
}

#[tokio::test]
async fn a_hundred_thousand_headers_fail_the_case() {
    let url = raw_server(|mut s| async move {
        read_head(&mut s).await;
        let mut head = b"HTTP/1.1 200 OK\r\n".to_vec();
        for i in 0..100_000 {
            head.extend_from_slice(format!("X-H{i}: v\r\n").as_bytes());
        }
        head.extend_from_slice(b"Content-Length: 0\r\n\r\n");
        let _ = s.write_all(&head).await;
    })
    .await;
    let report = common::run_filtered(&url, FILTER, 5000).await;
    assert_failed_with(&report, "connection failed before a response");
}
