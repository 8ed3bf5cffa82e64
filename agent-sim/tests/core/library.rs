//! The library API (`agent-sim.md` §5): many sims side by side, set_scenario, requests(), drop.

use crate::common::*;
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

#[tokio::test]
async fn start_refuses_an_invalid_scenario_with_a_typed_error() {
    let mut s = fixture("default");
    s.faults
        .push(agent_sim::FaultRule::reset("GET /api/v0/listening-port"));
    let err = Sim::start(s).await.unwrap_err();
    let agent_sim::StartError::Scenario(e) = &err else {
        panic!("not a scenario error: {err:?}");
    };
    assert_eq!(e.path(), "faults[0].route");
    assert!(
        err.to_string()
            .starts_with("SimBuilder::start: at faults[0].route: "),
        "{err}"
    );
}

#[tokio::test]
async fn update_scenario_edits_in_place_and_refuses_invalid_edits() {
    let sim = Sim::start(fixture("default")).await.unwrap();
    sim.update_scenario(|s| s.devcontainers.enabled = false)
        .await
        .unwrap();
    let r = reqwest::get(format!("{}/api/v0/containers", sim.url()))
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let before = sim.scenario();
    let err = sim
        .update_scenario(|s| {
            s.name = "changed".into();
            s.faults
                .push(agent_sim::FaultRule::hang("GET /").probability(2.0));
        })
        .await
        .unwrap_err();
    assert_eq!(err.path(), "faults[0].probability");
    assert!(
        err.to_string().starts_with("Sim::update_scenario: "),
        "{err}"
    );
    assert_eq!(*sim.scenario(), *before, "an invalid edit changes nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_updates_are_applied_one_after_the_other() {
    let sim = std::sync::Arc::new(Sim::start(fixture("default")).await.unwrap());
    let start = sim.scenario().seed;
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let sim = sim.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..50 {
                sim.update_scenario(|s| {
                    let seed = s.seed;
                    // Widen the window between read and write.
                    std::thread::yield_now();
                    s.seed = seed + 1;
                })
                .await
                .unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(sim.scenario().seed, start + 400, "no edit is lost");
}

#[tokio::test]
async fn a_scoped_scenario_is_undone_when_its_guard_drops() {
    let sim = Sim::start(fixture("default")).await.unwrap();
    let url = format!("{}/api/v0/netcheck", sim.url());
    {
        let _guard = sim
            .scoped_scenario(|s| {
                s.faults.push(agent_sim::FaultRule::status(
                    "GET /api/v0/netcheck",
                    502,
                    "x",
                ))
            })
            .await
            .unwrap();
        assert_eq!(reqwest::get(&url).await.unwrap().status(), 502);
        assert_eq!(sim.scenario().faults.len(), 1);
    }
    assert_eq!(reqwest::get(&url).await.unwrap().status(), 200);
    assert!(sim.scenario().faults.is_empty());
    assert_eq!(*sim.scenario(), fixture("default"));
    let err = sim
        .scoped_scenario(|s| s.faults.push(agent_sim::FaultRule::reset("GET /x")))
        .await
        .unwrap_err();
    assert_eq!(err.path(), "faults[0].route");
}

#[tokio::test]
async fn received_requests_keep_headers_and_a_bounded_body() {
    let sim = Sim::builder()
        .scenario(fixture("default"))
        .body_limit(16)
        .start()
        .await
        .unwrap();
    let c = reqwest::Client::new();
    let body = r#"{"command":"echo hello from a long enough body"}"#;
    c.post(format!("{}/api/v0/processes/start?x=1", sim.url()))
        .header("x-test", "yes")
        .body(body)
        .send()
        .await
        .unwrap();
    c.post(format!("{}/api/v0/processes/start", sim.url()))
        .body("{}")
        .send()
        .await
        .unwrap();
    let got = sim.received_requests().await;
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].method, http::Method::POST);
    assert_eq!(got[0].path, "/api/v0/processes/start");
    assert_eq!(got[0].query, "x=1");
    assert_eq!(got[0].headers["x-test"], "yes");
    assert_eq!(got[0].body, &body.as_bytes()[..16]);
    assert!(got[0].body_truncated);
    assert_eq!(got[1].body, b"{}");
    assert!(!got[1].body_truncated);
    assert_eq!(got[0].status, sim.requests()[0].status);
    assert_eq!(got[1].seq, sim.requests()[1].seq);
}

#[tokio::test]
async fn expectations_are_verified_with_what_was_received() {
    let sim = Sim::start(fixture("default")).await.unwrap();
    let started = sim.expect("POST /api/v0/processes/start").times(1);
    sim.expect("GET /api/v0/processes/{id}/output").at_least(1);
    sim.expect("POST /api/v0/processes/{id}/signal").never();
    let c = reqwest::Client::new();
    for _ in 0..2 {
        c.post(format!("{}/api/v0/processes/start", sim.url()))
            .body(r#"{"command":"true"}"#)
            .send()
            .await
            .unwrap();
    }
    assert_eq!(started.count(), 2);
    let msg = sim.try_verify().await.unwrap_err().to_string();
    assert!(
        msg.contains("expected POST /api/v0/processes/start to be called exactly 1 time, it was called 2 times. Received:"),
        "{msg}"
    );
    assert!(
        msg.contains(r#"POST /api/v0/processes/start -> 200 body: {"command":"true"}"#),
        "{msg}"
    );
    assert!(
        msg.contains("expected GET /api/v0/processes/{id}/output to be called at least 1 time, it was called 0 times."),
        "{msg}"
    );
    assert!(
        !msg.contains("signal"),
        "a met expectation is not listed: {msg}"
    );
    // Settle it, so that dropping the Sim passes.
    let _ = started.times(2);
    c.get(format!("{}/api/v0/processes/abc/output", sim.url()))
        .send()
        .await
        .unwrap();
    sim.verify().await;
    assert!(sim.try_expect("GET /api/v0/nope").is_err());
}

/// The panic message of a task that panicked.
async fn panic_message(task: tokio::task::JoinHandle<()>) -> String {
    let payload = task.await.unwrap_err().into_panic();
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

#[tokio::test]
async fn dropping_a_sim_checks_its_expectations() {
    let task = tokio::spawn(async {
        let sim = Sim::start(fixture("default")).await.unwrap();
        sim.expect("GET /debug/logs").never();
        reqwest::get(format!("{}/debug/logs", sim.url()))
            .await
            .unwrap();
    });
    let msg = panic_message(task).await;
    assert!(
        msg.contains("expected GET /debug/logs to be called exactly 0 times, it was called 1 time. Received:"),
        "{msg}"
    );
    assert!(msg.contains("GET /debug/logs -> 200"), "{msg}");
}

#[tokio::test]
async fn a_test_that_already_panics_keeps_its_own_message() {
    let task = tokio::spawn(async {
        let sim = Sim::start(fixture("default")).await.unwrap();
        sim.expect("POST /api/v0/processes/start");
        panic!("the test's own failure");
    });
    assert_eq!(panic_message(task).await, "the test's own failure");
}

#[tokio::test]
async fn a_sim_serves_on_a_listener_the_caller_bound() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let sim = Sim::builder().listener(listener).start().await.unwrap();
    assert_eq!(sim.addr(), addr);
    let r = reqwest::get(format!("http://{addr}/")).await.unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn a_given_listener_is_checked_for_exec_exposure() {
    // The default scenario runs processes for real.
    let listener = std::net::TcpListener::bind("0.0.0.0:0").unwrap();
    let err = Sim::builder()
        .scenario(fixture("default"))
        .listener(listener)
        .start()
        .await
        .unwrap_err();
    assert!(matches!(err, agent_sim::StartError::Config(_)), "{err}");
    assert!(
        err.to_string().contains("non-loopback address 0.0.0.0:"),
        "{err}"
    );
}

#[tokio::test]
async fn a_hung_request_the_client_left_is_received_with_its_headers() {
    let mut scenario = fixture("default");
    scenario
        .faults
        .push(agent_sim::FaultRule::hang("GET /debug/magicsock"));
    let sim = Sim::start(scenario).await.unwrap();
    let gave_up = reqwest::Client::new()
        .get(format!("{}/debug/magicsock", sim.url()))
        .header("x-test", "left")
        .timeout(std::time::Duration::from_millis(200))
        .send()
        .await;
    assert!(gave_up.is_err(), "{gave_up:?}");
    // The request ends once the simulator notices the client closed.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let got = loop {
        let got = sim.received_requests().await;
        if !got.is_empty() || std::time::Instant::now() > deadline {
            break got;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].path, "/debug/magicsock");
    assert_eq!(got[0].status, None);
    assert_eq!(got[0].headers["x-test"], "left");
}
