//! Load and arbitrary output: thousands of concurrent starts leave the simulator answering,
//! and any byte string printed comes back unchanged (Go-encoded) within the caps.

use crate::common::processes::*;
use agent_sim::gojson::json_string;
use proptest::prelude::*;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousands_of_concurrent_starts() {
    let a = Agent::exec();
    let n = 2000;
    let mut tasks = Vec::new();
    for i in 0..n {
        let agent = a.as_chat(None);
        tasks.push(tokio::spawn(async move {
            let r = agent
                .post(
                    "/api/v0/processes/start",
                    &format!("{{\"command\":\"exit {}\"}}", i % 256),
                )
                .await;
            (r.status.as_u16(), r.text())
        }));
    }
    let mut ok = 0;
    for t in tasks {
        let (status, text) = t.await.unwrap();
        match status {
            200 => ok += 1,
            // Only an OS limit may refuse a start, and then with the agent's answer.
            500 => assert!(
                text.starts_with(
                    "{\"message\":\"Failed to start process.\",\"detail\":\"start process: "
                ),
                "{text}"
            ),
            s => panic!("unexpected {s}: {text}"),
        }
    }
    assert!(ok >= n * 9 / 10, "only {ok} of {n} started");
    // Still answering, and every started process exits with its code.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let list = a.list().await;
        if list.iter().all(|p| p["running"] == false) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "processes did not finish"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(a.state.processes().live_groups().len() < 50);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Any byte string printed comes back unchanged (as Go encodes it) within the caps.
    #[test]
    fn printed_bytes_round_trip(bytes in prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..2048),
        proptest::collection::vec(prop_oneof![Just(b'a'), Just(b'\n'), Just(0xc3u8), Just(0xa9u8)], 0..16384),
    ]) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let a = Agent::exec();
            let dir = temp_dir("roundtrip");
            let file = dir.join("data.bin");
            std::fs::write(&file, &bytes).unwrap();
            let id = a.start(&format!("cat '{}'", file.display())).await;
            let r = a.get(&format!("/api/v0/processes/{id}/output?wait=true")).await;
            std::fs::remove_dir_all(&dir).unwrap();
            let expected = agent_sim::processes::headtail::truncate_lines(&bytes);
            let mut want = b"{\"output\":".to_vec();
            json_string(&expected, &mut want);
            want.extend_from_slice(b",\"running\":false,\"exit_code\":0}\n");
            prop_assert!(r.body == want, "got {}", r.text());
            Ok(())
        })?;
    }
}
