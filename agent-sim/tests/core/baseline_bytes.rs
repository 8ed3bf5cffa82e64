//! The instructions bench compares agent-sim with a bare axum server "answering the same
//! bytes" (`agent_sim::baseline`): for both routes it measures, both servers' raw responses,
//! read from a TCP socket, are the same byte for byte (status line, header names and their
//! case, header order, `Content-Length`, body), except the value of `Date`.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The raw response to one `GET route` (what the bench sends), with the `Date` value blanked.
async fn raw_response(addr: std::net::SocketAddr, route: &str) -> String {
    let mut conn = TcpStream::connect(addr).await.expect("connect");
    let req = format!("GET {route} HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n");
    conn.write_all(req.as_bytes()).await.expect("send");
    let mut raw = Vec::new();
    conn.read_to_end(&mut raw).await.expect("read");
    let text = String::from_utf8(raw).expect("a text response");
    text.split("\r\n")
        .map(|line| match line.split_once(": ") {
            Some((name, _)) if name.eq_ignore_ascii_case("date") => format!("{name}: <date>"),
            _ => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\r\n")
}

#[tokio::test]
async fn the_bench_baseline_answers_agent_sim_bytes() {
    let sim = agent_sim::Sim::builder()
        .scenario(agent_sim::Scenario::builtin_default())
        .start()
        .await
        .expect("agent-sim");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let bare = listener.local_addr().expect("address");
    let server = tokio::spawn(agent_sim::baseline::serve(listener));
    for route in ["/", "/api/v0/listening-ports"] {
        let want = raw_response(sim.addr(), route).await;
        assert!(want.starts_with("HTTP/1.1 200 OK\r\n"), "{want}");
        assert!(want.contains("\r\nDate: <date>\r\n"), "{want}");
        assert_eq!(raw_response(bare, route).await, want, "GET {route}");
    }
    server.abort();
}
