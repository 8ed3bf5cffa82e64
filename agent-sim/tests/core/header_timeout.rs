//! Go's `ReadHeaderTimeout` of 20 s (`core.md`): on a kept-alive connection, a request head
//! that has not fully arrived 20 s after the previous answer closes the connection without an
//! answer. Takes 20 s of wall-clock time.

use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Reads one answer to `GET /` (its head, then the `Content-Length` bytes of body).
async fn read_answer(conn: &mut TcpStream) -> String {
    let mut got = Vec::new();
    let mut chunk = [0u8; 1024];
    loop {
        let n = conn.read(&mut chunk).await.expect("read");
        assert!(n > 0, "closed before the answer");
        got.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&got).to_string();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("Content-Length: "))
                .and_then(|v| v.parse().ok())
                .expect("a Content-Length");
            if body.len() >= len {
                return text;
            }
        }
    }
}

#[tokio::test]
async fn a_head_not_in_20_seconds_after_the_last_answer_closes_the_connection() {
    let sim = agent_sim::Sim::builder()
        .scenario(agent_sim::Scenario::builtin_default())
        .start()
        .await
        .expect("agent-sim");
    let mut conn = TcpStream::connect(sim.addr()).await.expect("connect");
    conn.write_all(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        .await
        .expect("send");
    assert!(read_answer(&mut conn)
        .await
        .starts_with("HTTP/1.1 200 OK\r\n"));
    let answered = Instant::now();
    conn.write_all(b"GET / HTTP/1.1\r\nHost")
        .await
        .expect("send");
    let mut rest = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(40), conn.read_to_end(&mut rest)).await;
    let waited = answered.elapsed();
    assert!(matches!(read, Ok(Ok(0))), "{read:?} {rest:?}");
    assert!(waited >= Duration::from_secs(19), "closed after {waited:?}");
    assert!(waited < Duration::from_secs(30), "closed after {waited:?}");
}
