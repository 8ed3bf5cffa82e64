//! Fault injection seen from a real HTTP client: each kind's timing and error kind, the
//! journal's record of which fault hit which request, and seeded replay.

use agent_sim::{Scenario, Sim};
use std::time::{Duration, Instant};

const HELLO: &str = "{\"message\":\"Hello from the agent!\"}\n";
const RECOVER: &str = "{\"message\":\"An internal server error occurred.\"}\n";

fn scenario(faults: serde_json::Value) -> Scenario {
    Scenario::from_value("test", serde_json::json!({ "seed": 7, "faults": faults })).unwrap()
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

async fn journal(sim: &Sim) -> Vec<serde_json::Value> {
    client()
        .get(format!("{}/__sim/requests", sim.control_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn latency_delays_then_answers_normally() {
    let sim = Sim::start(scenario(serde_json::json!([
        { "route": "GET /", "kind": "latency", "ms": 150 },
        { "route": "GET /debug/*", "kind": "latency", "min_ms": 40, "max_ms": 60 }
    ])))
    .await
    .unwrap();
    let c = client();
    let t = Instant::now();
    let r = c.get(format!("{}/", sim.url())).send().await.unwrap();
    let elapsed = t.elapsed();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), HELLO);
    assert!(elapsed >= Duration::from_millis(150), "{elapsed:?}");
    assert!(elapsed < Duration::from_millis(1500), "{elapsed:?}");

    let t = Instant::now();
    let r = c
        .get(format!("{}/debug/logs", sim.url()))
        .send()
        .await
        .unwrap();
    let elapsed = t.elapsed();
    assert_eq!(r.status(), 200);
    assert!(elapsed >= Duration::from_millis(40), "{elapsed:?}");

    // Unmatched routes are not delayed and not tagged.
    let r = c
        .get(format!("{}/api/v0/netcheck", sim.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    let j = journal(&sim).await;
    assert_eq!(j[0]["path"], "/");
    assert_eq!(j[0]["fault"], "latency");
    assert_eq!(j[0]["status"], 200);
    assert!(j[0]["duration_ms"].as_f64().unwrap() >= 150.0);
    assert_eq!(j[1]["fault"], "latency");
    assert!(j[2].get("fault").is_none(), "{}", j[2]);
}

#[tokio::test]
async fn status_answers_the_given_code_and_body() {
    let sim = Sim::start(scenario(serde_json::json!([
        { "route": "GET /api/v0/listening-ports", "kind": "status", "status": 503,
          "body": { "message": "Down <for> now." } },
        { "route": "GET /api/v0/netcheck", "kind": "status", "status": 502, "body": "bad gateway\n" },
        { "route": "GET /debug/logs", "kind": "status", "status": 429 }
    ])))
    .await
    .unwrap();
    let c = client();
    let r = c
        .get(format!("{}/api/v0/listening-ports", sim.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
    assert_eq!(
        r.headers()["content-type"],
        "application/json; charset=utf-8"
    );
    assert_eq!(
        r.text().await.unwrap(),
        "{\"message\":\"Down \\u003cfor\\u003e now.\"}\n"
    );
    let r = c
        .get(format!("{}/api/v0/netcheck", sim.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 502);
    assert_eq!(r.headers()["content-type"], "text/plain; charset=utf-8");
    assert_eq!(r.text().await.unwrap(), "bad gateway\n");
    let r = c
        .get(format!("{}/debug/logs", sim.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(r.text().await.unwrap(), "");
    let j = journal(&sim).await;
    let got: Vec<_> = j
        .iter()
        .map(|e| (e["status"].clone(), e["fault"].clone()))
        .collect();
    assert_eq!(
        got,
        [
            (503.into(), "status".into()),
            (502.into(), "status".into()),
            (429.into(), "status".into())
        ]
    );
}

#[tokio::test]
async fn reset_closes_the_connection_without_a_response() {
    let sim = Sim::start(scenario(serde_json::json!([
        { "route": "GET /debug/logs", "kind": "reset" }
    ])))
    .await
    .unwrap();
    let c = client();
    let t = Instant::now();
    let err = c
        .get(format!("{}/debug/logs", sim.url()))
        .send()
        .await
        .unwrap_err();
    assert!(!err.is_timeout(), "{err:?}");
    assert!(err.is_request(), "{err:?}");
    assert!(t.elapsed() < Duration::from_secs(2));
    // The listener is still fine.
    let r = c.get(format!("{}/", sim.url())).send().await.unwrap();
    assert_eq!(r.text().await.unwrap(), HELLO);
    let j = journal(&sim).await;
    assert_eq!(j[0]["path"], "/debug/logs");
    assert_eq!(j[0]["fault"], "reset");
    assert!(j[0]["status"].is_null(), "{}", j[0]);
    assert_eq!(j[1]["status"], 200);
}

#[tokio::test]
async fn hang_never_answers_and_is_journaled_when_the_client_gives_up() {
    let sim = Sim::start(scenario(serde_json::json!([
        { "route": "GET /debug/magicsock", "kind": "hang" }
    ])))
    .await
    .unwrap();
    let c = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let t = Instant::now();
    let err = c
        .get(format!("{}/debug/magicsock", sim.url()))
        .send()
        .await
        .unwrap_err();
    let elapsed = t.elapsed();
    assert!(err.is_timeout(), "{err:?}");
    assert!(elapsed >= Duration::from_millis(300), "{elapsed:?}");
    drop(c);
    // The server notices the closed connection and journals the request without a status.
    let deadline = Instant::now() + Duration::from_secs(3);
    let entry = loop {
        let j = journal(&sim).await;
        if let Some(e) = j.iter().find(|e| e["path"] == "/debug/magicsock") {
            break e.clone();
        }
        assert!(Instant::now() < deadline, "hang never journaled: {j:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(entry["fault"], "hang");
    assert!(entry["status"].is_null(), "{entry}");
    assert!(entry["duration_ms"].as_f64().unwrap() >= 250.0, "{entry}");
}

#[tokio::test]
async fn hung_requests_end_when_the_sim_shuts_down() {
    let sim = Sim::start(scenario(serde_json::json!([
        { "route": "GET /", "kind": "hang" }
    ])))
    .await
    .unwrap();
    let url = sim.url();
    let req = tokio::spawn(async move { client().get(format!("{url}/")).send().await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let t = Instant::now();
    sim.shutdown().await;
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
    let res = req.await.unwrap();
    assert!(res.is_err(), "{res:?}");
}

#[tokio::test]
async fn panic_goes_through_the_recover_path() {
    let sim = Sim::start(scenario(serde_json::json!([
        { "route": "GET /debug/manifest", "kind": "panic" }
    ])))
    .await
    .unwrap();
    let r = client()
        .get(format!("{}/debug/manifest", sim.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 500);
    assert_eq!(
        r.headers()["content-type"],
        "application/json; charset=utf-8"
    );
    assert_eq!(r.text().await.unwrap(), RECOVER);
    let j = journal(&sim).await;
    assert_eq!(j[0]["fault"], "panic");
    assert_eq!(j[0]["status"], 500);
}

/// Statuses of `n` sequential `GET /` requests.
async fn statuses(url: &str, n: usize) -> Vec<u16> {
    let c = client();
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(
            c.get(format!("{url}/"))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16(),
        );
    }
    out
}

#[tokio::test]
async fn seeded_runs_replay_exactly() {
    let flaky = |seed: u64| {
        Scenario::from_value(
            "test",
            serde_json::json!({ "seed": seed, "faults": [
                { "route": "GET /", "kind": "status", "status": 503, "probability": 0.5 }
            ]}),
        )
        .unwrap()
    };
    let sim = Sim::start(flaky(42)).await.unwrap();
    let first = statuses(&sim.url(), 40).await;
    assert!(first.contains(&503) && first.contains(&200), "{first:?}");

    // A reset restarts the draws.
    let r = client()
        .post(format!("{}/__sim/reset", sim.control_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(statuses(&sim.url(), 40).await, first);

    // So does putting a scenario in force; another seed draws differently.
    sim.set_scenario(flaky(43)).unwrap();
    let other = statuses(&sim.url(), 40).await;
    assert_ne!(other, first);
    sim.set_scenario(flaky(42)).unwrap();
    assert_eq!(statuses(&sim.url(), 40).await, first);

    // A second simulator with the same scenario replays the same run.
    let twin = Sim::start(flaky(42)).await.unwrap();
    assert_eq!(statuses(&twin.url(), 40).await, first);

    // The journal says which requests were hit.
    let j = journal(&twin).await;
    for (e, s) in j.iter().zip(&first) {
        assert_eq!(e["status"], *s);
        assert_eq!(e["fault"].is_string(), *s == 503, "{e}");
    }
}

#[tokio::test]
async fn faults_can_be_set_through_the_control_api() {
    let sim = Sim::start(Scenario::builtin_default()).await.unwrap();
    let c = client();
    let r = c
        .patch(format!("{}/__sim/scenario", sim.control_url()))
        .body(r#"{"faults":[{"route":"GET /","kind":"status","status":418,"probability":1.0}]}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = c.get(format!("{}/", sim.url())).send().await.unwrap();
    assert_eq!(r.status(), 418);

    // A bad rule is a 400 naming the JSON path; the old scenario stays.
    for (patch, path) in [
        (
            r#"{"faults":[{"route":"GET /api/v0/nope","kind":"reset"}]}"#,
            "faults[0].route",
        ),
        (
            r#"{"faults":[{"route":"GET /","kind":"reset","probability":1.01}]}"#,
            "faults[0].probability",
        ),
    ] {
        let r = c
            .patch(format!("{}/__sim/scenario", sim.control_url()))
            .body(patch)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["path"], path, "{body}");
    }
    let r = c.get(format!("{}/", sim.url())).send().await.unwrap();
    assert_eq!(r.status(), 418);
}

#[tokio::test]
async fn the_faults_fixture_loads_and_injects() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/faults.json");
    let s = Scenario::from_file(path).unwrap();
    assert_eq!(s.faults.len(), 5);
    let sim = Sim::start(s).await.unwrap();
    let c = client();
    let t = Instant::now();
    let r = c
        .get(format!("{}/api/v0/listening-ports", sim.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(t.elapsed() >= Duration::from_millis(100));
    let r = c
        .get(format!("{}/debug/manifest", sim.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 500);
    assert_eq!(r.text().await.unwrap(), RECOVER);
    let err = c
        .get(format!("{}/debug/logs", sim.url()))
        .send()
        .await
        .unwrap_err();
    assert!(!err.is_timeout(), "{err:?}");
    let quick = reqwest::Client::builder()
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let err = quick
        .get(format!("{}/debug/magicsock", sim.url()))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    // The netcheck rule fires on some requests and not others, the same way every run.
    let mut seen = Vec::new();
    for _ in 0..16 {
        let r = c
            .get(format!("{}/api/v0/netcheck", sim.url()))
            .send()
            .await
            .unwrap();
        seen.push(r.status().as_u16());
    }
    assert!(seen.contains(&503) && seen.contains(&200), "{seen:?}");
    // Other routes are untouched.
    let r = c.get(format!("{}/", sim.url())).send().await.unwrap();
    assert_eq!(r.text().await.unwrap(), HELLO);
}
