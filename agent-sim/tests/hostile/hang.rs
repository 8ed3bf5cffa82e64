//! A request held by a `hang` fault ends when its client goes away: the simulator's sockets
//! return to their baseline instead of piling up in CLOSE-WAIT.

use super::support::{SimProcess, Stderr};
use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};

const CLIENTS: usize = 300;

fn wait_for(what: &str, deadline: Duration, mut ok: impl FnMut() -> bool) {
    let until = Instant::now() + deadline;
    while !ok() {
        assert!(Instant::now() < until, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(25));
    }
}

#[test]
fn hung_requests_release_their_sockets_when_clients_leave() {
    let scenario = serde_json::json!({
        "name": "hang",
        "processes": { "mode": "scripted" },
        "faults": [{ "route": "GET /debug/magicsock", "kind": "hang", "probability": 1.0 }]
    });
    let mut sim = SimProcess::start(&scenario, Stderr::Null, &[]);
    assert_eq!(sim.get("/").map(|r| r.0), Some(200));
    let baseline = sim.sockets();

    let clients: Vec<TcpStream> = (0..CLIENTS)
        .map(|_| {
            let mut c = TcpStream::connect(sim.addr).expect("connect");
            c.write_all(b"GET /debug/magicsock HTTP/1.1\r\nHost: sim\r\n\r\n")
                .expect("send");
            c
        })
        .collect();
    wait_for("every request to hang", Duration::from_secs(20), || {
        sim.sockets() >= baseline + CLIENTS
    });
    drop(clients);
    wait_for(
        "the hung requests' sockets to close",
        Duration::from_secs(10),
        || sim.sockets() <= baseline,
    );
    assert!(sim.alive());
    assert_eq!(sim.get("/").map(|r| r.0), Some(200));
}
