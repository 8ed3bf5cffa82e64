//! `GET /api/v0/listening-ports` (`core.md` §5, §13.2): the `< 9` rule, the ignore set, getter
//! order and duplicates, the getter error, and the OS getter on this machine.

use crate::common::*;
use proptest::prelude::*;

const TEST_PORT: &str = r#"{"process_name":"test-app","network":"tcp","port":44762}"#;
const FILTERED_PORT: &str = r#"{"process_name":"postgres","network":"tcp","port":5432}"#;

fn with_ports(ports: &str, ignore: &str) -> agent_sim::Scenario {
    scenario(&format!(
        r#"{{"listening_ports":{{"source":"static","ports":[{ports}]}},"ignore_ports":[{ignore}]}}"#
    ))
}

/// OK_Mainline step 1 and 2 (and OK_BlockDirect, which is the same at the agent).
#[tokio::test]
async fn mainline() {
    let r = get(&with_ports(TEST_PORT, ""), "/api/v0/listening-ports").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some(JSON));
    assert_eq!(r.text(), format!("{{\"ports\":[{TEST_PORT}]}}\n"));
    let r = get(&with_ports("", ""), "/api/v0/listening-ports").await;
    assert_eq!(r.body, b"{\"ports\":[]}\n");
    assert_eq!(r.body.len(), 13);
}

/// `Filter`: the agent returns both (coderd, not the agent, drops 5432 and app ports).
#[tokio::test]
async fn agent_does_not_apply_coderd_filters() {
    let s = with_ports(&format!("{TEST_PORT},{FILTERED_PORT}"), "6060,2112,2113");
    let r = get(&s, "/api/v0/listening-ports").await;
    assert_eq!(
        r.text(),
        format!("{{\"ports\":[{TEST_PORT},{FILTERED_PORT}]}}\n")
    );
}

#[tokio::test]
async fn ports_filtering_fixture() {
    let r = get(&fixture("ports-filtering"), "/api/v0/listening-ports").await;
    assert_eq!(
        r.text(),
        concat!(
            r#"{"ports":[{"process_name":"test-app","network":"tcp","port":44762},"#,
            r#"{"process_name":"postgres","network":"tcp","port":5432},"#,
            r#"{"process_name":"discard","network":"tcp","port":9},"#,
            r#"{"process_name":"sshd","network":"tcp","port":22},"#,
            r#"{"process_name":"","network":"tcp","port":8080},"#,
            r#"{"process_name":"node","network":"tcp","port":3000},"#,
            r#"{"process_name":"node","network":"tcp","port":3000}]}"#,
            "\n"
        )
    );
}

#[tokio::test]
async fn getter_error_is_500_with_detail() {
    let r = get(&fixture("ports-error"), "/api/v0/listening-ports").await;
    assert_eq!(r.status, 500);
    assert_eq!(r.header("content-type"), Some(JSON));
    assert_eq!(
        r.text(),
        "{\"message\":\"Could not scan for listening ports.\",\"detail\":\"scan listening ports: open /proc/net/tcp: no such file or directory\"}\n"
    );
}

#[tokio::test]
async fn error_detail_is_html_escaped() {
    let s = scenario(r#"{"listening_ports":{"error":"a <b> & c"}}"#);
    let r = get(&s, "/api/v0/listening-ports").await;
    assert_eq!(
        r.text(),
        "{\"message\":\"Could not scan for listening ports.\",\"detail\":\"a \\u003cb\\u003e \\u0026 c\"}\n"
    );
}

/// The OS getter sees a socket this test opens (IPv4 only, as the agent in June 2026).
#[tokio::test]
async fn os_getter_reports_this_machines_listeners() {
    if !std::path::Path::new("/proc/net/tcp").exists() {
        return;
    }
    let l4 = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l4.local_addr().unwrap().port();
    let s = scenario(r#"{"listening_ports":{"source":"os"},"ignore_ports":[]}"#);
    let r = get(&s, "/api/v0/listening-ports").await;
    assert_eq!(r.status, 200);
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    let ports = v["ports"].as_array().unwrap();
    let mine: Vec<_> = ports.iter().filter(|p| p["port"] == port).collect();
    assert_eq!(mine.len(), 1, "{}", r.text());
    assert_eq!(mine[0]["network"], "tcp");
    assert!(ports.iter().all(|p| p["port"].as_u64().unwrap() >= 9));
    drop(l4);
}

fn expected_body(ports: &[(String, u16)], ignore: &[u16]) -> String {
    let kept: Vec<String> = ports
        .iter()
        .filter(|(_, p)| *p >= 9 && !ignore.contains(p))
        .map(|(n, p)| format!(r#"{{"process_name":"{n}","network":"tcp","port":{p}}}"#))
        .collect();
    format!("{{\"ports\":[{}]}}\n", kept.join(","))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// For any port list and ignore set, the response is exactly the filtered list in getter
    /// order.
    #[test]
    fn filtered_list_in_getter_order(
        ports in prop::collection::vec(("[a-z]{0,6}", prop_oneof![0u16..16, 2100u16..2120, 6050u16..6070, any::<u16>()]), 0..24),
        ignore in prop::collection::vec(prop_oneof![0u16..16, 2100u16..2120, 6050u16..6070, any::<u16>()], 0..6),
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let list: Vec<String> = ports
            .iter()
            .map(|(n, p)| format!(r#"{{"process_name":"{n}","network":"tcp","port":{p}}}"#))
            .collect();
        let ig: Vec<String> = ignore.iter().map(u16::to_string).collect();
        let s = with_ports(&list.join(","), &ig.join(","));
        let r = rt.block_on(get(&s, "/api/v0/listening-ports"));
        prop_assert_eq!(r.status.as_u16(), 200);
        prop_assert_eq!(r.text(), expected_body(&ports, &ignore));
    }
}
