//! The library API (`agent-sim.md` §5): many sims side by side, set_scenario, requests(), drop.

use crate::support::*;
use agent_sim::Sim;

#[tokio::test]
async fn sims_do_not_share_state() {
    let a = Sim::start(fixture("default")).await.unwrap();
    let b = Sim::start(fixture("devcontainers-disabled")).await.unwrap();
    let c = reqwest::Client::new();
    let ra = c
        .get(format!("{}/api/v0/containers", a.url()))
        .send()
        .await
        .unwrap();
    let rb = c
        .get(format!("{}/api/v0/containers", b.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(ra.status(), 200);
    assert_eq!(rb.status(), 403);
    assert_eq!(a.requests().len(), 1);
    assert_eq!(b.requests().len(), 1);
    assert_eq!(a.requests()[0].path, "/api/v0/containers");
}

#[tokio::test]
async fn set_scenario_applies_to_the_next_request() {
    let sim = Sim::start(fixture("default")).await.unwrap();
    sim.set_scenario(fixture("sub-agent")).unwrap();
    let r = reqwest::get(format!("{}/api/v0/containers", sim.url()))
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("not supported"));
}

#[tokio::test]
async fn dropping_the_handle_stops_the_server() {
    let sim = Sim::start(fixture("default")).await.unwrap();
    let addr = sim.addr();
    assert!(reqwest::get(format!("http://{addr}/")).await.is_ok());
    drop(sim);
    let mut refused = false;
    for _ in 0..50 {
        if tokio::net::TcpStream::connect(addr).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(refused, "still accepting after drop");
}

#[tokio::test]
async fn address_in_use_is_a_clear_error() {
    let sim = Sim::start(fixture("default")).await.unwrap();
    let err = Sim::builder().listen(sim.addr()).start().await.unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.starts_with(&format!("cannot listen on {}: ", sim.addr())),
        "{msg}"
    );
}
