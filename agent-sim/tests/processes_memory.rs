//! A command printing 1 GiB keeps the simulator's memory bounded by the buffer caps: the pipe
//! is streamed into the head/tail buffer. Alone in its test binary so that RSS is meaningful.

#[path = "common/mod.rs"]
mod common;
use common::processes::*;

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_gib_of_output_keeps_memory_bounded() {
    let a = Agent::exec();
    // Warm up the allocator and the runtime so the baseline is fair.
    let id = a.start("echo warm").await;
    a.wait_exit(&id).await;
    let before = rss_kib();
    let id = a
        .start("head -c 1073741824 /dev/zero | tr '\\0' 'x'; echo; echo end")
        .await;
    let r = a
        .get(&format!("/api/v0/processes/{id}/output?wait=true"))
        .await;
    let after = rss_kib();
    let v = r.json();
    assert_eq!(v["exit_code"], 0);
    assert_eq!(v["truncated"]["original_bytes"], 1_073_741_824u64 + 5);
    assert_eq!(v["truncated"]["omitted_bytes"], 1_073_741_829u64 - 32768);
    assert!(v["output"]
        .as_str()
        .unwrap()
        .ends_with(" ... [truncated]\nend\n"));
    let grown = after.saturating_sub(before);
    eprintln!("RSS before {before} KiB, after {after} KiB, grown {grown} KiB");
    assert!(
        grown < 16 * 1024,
        "RSS grew by {grown} KiB while streaming 1 GiB"
    );
}
