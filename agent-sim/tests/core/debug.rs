//! Debug routes and netcheck (`core.md` §6–§11, §13.1 TestAgent_DebugServer).

use crate::common::*;

#[tokio::test]
async fn magicsock_page_is_html() {
    let r = get(&fixture("default"), "/debug/magicsock").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    assert!(r.text().contains("<h1>magicsock</h1>"));
}

#[tokio::test]
async fn debug_logging_states() {
    let s = fixture("default");
    for (state, want) in [
        ("t", "true"),
        ("1", "true"),
        ("True", "true"),
        ("0", "false"),
        ("F", "false"),
    ] {
        let r = get(&s, &format!("/debug/magicsock/debug-logging/{state}")).await;
        assert_eq!(r.status, 200, "{state}");
        assert_eq!(
            r.text(),
            format!("updated magicsock debug logging to {want}")
        );
        assert_eq!(r.header("content-type"), Some(TEXT));
    }
    let r = get(&s, "/debug/magicsock/debug-logging/blah").await;
    assert_eq!(r.status, 400);
    assert_eq!(r.text(), "invalid state \"blah\", must be a boolean");
    assert_eq!(r.header("content-type"), Some(TEXT));
    // Go's %q of a decoded space, and of a raw (non-canonical) escape kept as is.
    let r = get(&s, "/debug/magicsock/debug-logging/a%20b").await;
    assert_eq!(r.text(), "invalid state \"a b\", must be a boolean");
    let r = get(&s, "/debug/magicsock/debug-logging/%74rue").await;
    assert_eq!(r.text(), "invalid state \"%74rue\", must be a boolean");
    let r = get(&s, "/debug/magicsock/debug-logging/a%22b").await;
    assert_eq!(r.text(), "invalid state \"a\\\"b\", must be a boolean");
    // A decoded byte that is not UTF-8 stays a byte in Go: %q prints it as \xNN.
    let r = get(&s, "/debug/magicsock/debug-logging/%FF").await;
    assert_eq!(r.text(), "invalid state \"\\xff\", must be a boolean");
}

#[tokio::test]
async fn logs_are_served_verbatim_and_sniffed() {
    let r32 = "Zq8vN3xKp2LmW7tR9sYd4HcB6fJgE1uA";
    let s = scenario(&format!(r#"{{"debug":{{"logs":"{r32}"}}}}"#));
    let r = get(&s, "/debug/logs").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), r32);
    assert_eq!(r.header("content-type"), Some(TEXT));
}

#[tokio::test]
async fn empty_log_has_no_content_type() {
    let s = scenario(r#"{"debug":{"logs":""}}"#);
    let r = get(&s, "/debug/logs").await;
    assert_eq!(r.status, 200);
    assert!(r.body.is_empty());
    assert_eq!(r.header("content-type"), None);
    assert_eq!(r.header("content-length"), Some("0"));
}

#[tokio::test]
async fn missing_log_is_the_open_error() {
    let r = get(&fixture("ports-error"), "/debug/logs").await;
    assert_eq!(r.status, 500);
    assert_eq!(
        r.text(),
        "could not open log file: open /tmp/coder-agent.log: no such file or directory"
    );
    assert_eq!(r.header("content-type"), Some(TEXT));
}

#[tokio::test]
async fn logs_are_capped_at_10_mib() {
    let mut s = fixture("default");
    s.debug.logs = Some("a".repeat(10 * 1024 * 1024 + 7));
    let r = get(&s, "/debug/logs").await;
    assert_eq!(r.body.len(), 10 * 1024 * 1024);
}

#[tokio::test]
async fn manifest_is_sniffed_json_without_secrets() {
    let mut s = fixture("default");
    s.workspace_secrets
        .insert("DEBUG_SECRET".into(), "super-secret-value-12345".into());
    let r = get(&s, "/debug/manifest").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some(TEXT));
    assert!(!r.text().contains("super-secret-value-12345"));
    assert!(r.text().ends_with("}\n"));
    let m: agent_sim::scenario::Manifest = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(m, s.manifest);
}

/// The worked example of `core.md` §10.3, byte for byte.
#[tokio::test]
async fn manifest_example_bytes() {
    let s = scenario(
        r#"{"manifest":{
        "agent_id":"8c3f0000-0000-4000-8000-000000000001","agent_name":"main","owner_name":"alice",
        "workspace_id":"1b6e0000-0000-4000-8000-000000000002","workspace_name":"dev","git_auth_configs":1,
        "vscode_port_proxy_uri":"https://{{port}}--main--dev--alice.apps.example.com",
        "apps":[{"id":"5a100000-0000-4000-8000-000000000003","url":"http://localhost:13337/?folder=/home/coder",
          "slug":"code-server","display_name":"code-server","icon":"/icon/code.svg","sharing_level":"owner",
          "healthcheck":{"url":"http://localhost:13337/healthz","interval":5,"threshold":6},"health":"initializing"}],
        "derpmap":{"HomeParams":{},"Regions":{"999":{"EmbeddedRelay":true,"RegionID":999,"RegionCode":"coder",
          "RegionName":"Coder Embedded Relay","Nodes":[{"Name":"999b","RegionID":999,"HostName":"coder.example.com","STUNPort":-1,"DERPPort":443}]}}},
        "directory":"/home/coder","motd_file":"/etc/motd"}}"#,
    );
    let r = get(&s, "/debug/manifest").await;
    let want = concat!(
        r#"{"parent_id":"00000000-0000-0000-0000-000000000000","agent_id":"8c3f0000-0000-4000-8000-000000000001","agent_name":"main","#,
        r#""owner_name":"alice","workspace_id":"1b6e0000-0000-4000-8000-000000000002","workspace_name":"dev","git_auth_configs":1,"#,
        r#""vscode_port_proxy_uri":"https://{{port}}--main--dev--alice.apps.example.com","#,
        r#""apps":[{"id":"5a100000-0000-4000-8000-000000000003","url":"http://localhost:13337/?folder=/home/coder","external":false,"#,
        r#""slug":"code-server","display_name":"code-server","icon":"/icon/code.svg","subdomain":false,"#,
        r#""sharing_level":"owner","healthcheck":{"url":"http://localhost:13337/healthz","interval":5,"threshold":6},"#,
        r#""health":"initializing","hidden":false,"open_in":"","statuses":null}],"#,
        r#""derpmap":{"HomeParams":{},"Regions":{"999":{"EmbeddedRelay":true,"RegionID":999,"RegionCode":"coder","#,
        r#""RegionName":"Coder Embedded Relay","Nodes":[{"Name":"999b","RegionID":999,"#,
        r#""HostName":"coder.example.com","STUNPort":-1,"DERPPort":443}]}}},"#,
        r#""derp_force_websockets":false,"environment_variables":null,"directory":"/home/coder","#,
        r#""motd_file":"/etc/motd","disable_direct_connections":false,"metadata":[],"scripts":[],"devcontainers":[]}"#,
        "\n"
    );
    assert_eq!(r.text(), want);
}

#[tokio::test]
async fn manifest_urls_are_html_escaped() {
    let s = scenario(r#"{"manifest":{"vscode_port_proxy_uri":"https://x/?a=1&b=<2>"}}"#);
    let r = get(&s, "/debug/manifest").await;
    assert!(r
        .text()
        .contains(r#""vscode_port_proxy_uri":"https://x/?a=1\u0026b=\u003c2\u003e""#));
}

#[tokio::test]
async fn prometheus_is_plain_text_with_agent_counters() {
    let r = get(&fixture("default"), "/debug/prometheus").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/plain"));
    let t = r.text();
    assert!(t.contains("# HELP agent_ssh_server_failed_connections_total \n# TYPE agent_ssh_server_failed_connections_total counter\nagent_ssh_server_failed_connections_total 0\n"), "{t}");
}

#[tokio::test]
async fn prometheus_counts_the_simulators_requests() {
    let state = agent_sim::AppState::new(fixture("default"));
    let app = || agent_sim::router(state.clone());
    send_to(app(), "GET", "/", "").await;
    send_to(app(), "GET", "/nope", "").await;
    let r = send_to(app(), "GET", "/debug/prometheus", "").await;
    let t = r.text();
    assert!(
        t.contains("agent_sim_http_requests_total{method=\"GET\",route=\"/\",status=\"200\"} 1\n"),
        "{t}"
    );
    assert!(
        t.contains(
            "agent_sim_http_requests_total{method=\"GET\",route=\"other\",status=\"404\"} 1\n"
        ),
        "{t}"
    );
}

#[tokio::test]
async fn netcheck_default_is_an_empty_ok_report() {
    let r = get(&fixture("default"), "/api/v0/netcheck").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some(JSON));
    assert_eq!(
        r.text(),
        "{\"severity\":\"ok\",\"warnings\":null,\"dismissed\":false,\"net_info\":null,\"interfaces\":{\"severity\":\"ok\",\"warnings\":null,\"dismissed\":false,\"interfaces\":null}}\n"
    );
}

/// The worked example of `core.md` §6.5, byte for byte.
#[tokio::test]
async fn netcheck_example_bytes() {
    let want = "{\"severity\":\"ok\",\"warnings\":null,\"dismissed\":false,\"net_info\":{\"MappingVariesByDestIP\":false,\"HairPinning\":null,\"WorkingIPv6\":false,\"OSHasIPv6\":true,\"WorkingUDP\":true,\"WorkingICMPv4\":null,\"UPnP\":false,\"PMP\":false,\"PCP\":false,\"PreferredDERP\":999,\"DERPLatency\":{\"999-v4\":0.0123}},\"interfaces\":{\"severity\":\"ok\",\"warnings\":null,\"dismissed\":false,\"interfaces\":[{\"name\":\"eth0\",\"mtu\":1500,\"addresses\":[\"172.17.0.2/16\"]},{\"name\":\"lo\",\"mtu\":65536,\"addresses\":[\"127.0.0.1/8\",\"::1/128\"]}]}}\n";
    let report = want.trim_end();
    let s = scenario(&format!(r#"{{"netcheck":{report}}}"#));
    let r = get(&s, "/api/v0/netcheck").await;
    assert_eq!(r.text(), want);
}

#[tokio::test]
async fn netcheck_interfaces_generated_from_os_interfaces() {
    let s = scenario(
        r#"{"os_interfaces":[
            {"name":"tun0","mtu":1280,"addresses":["10.3.55.9/8"]},
            {"name":"eth0","mtu":1500,"addresses":["172.17.0.2/16"]},
            {"name":"docker0","up":false,"mtu":1500,"addresses":["172.18.0.1/16"]}]}"#,
    );
    let r = get(&s, "/api/v0/netcheck").await;
    assert_eq!(
        r.text(),
        "{\"severity\":\"ok\",\"warnings\":null,\"dismissed\":false,\"net_info\":null,\"interfaces\":{\"severity\":\"warning\",\"warnings\":[{\"code\":\"EIF01\",\"message\":\"Network interface tun0 has MTU 1280 (less than 1378), which may degrade the quality of direct connections or render them unusable.\"}],\"dismissed\":false,\"interfaces\":[{\"name\":\"eth0\",\"mtu\":1500,\"addresses\":[\"172.17.0.2/16\"]},{\"name\":\"tun0\",\"mtu\":1280,\"addresses\":[\"10.3.55.9/8\"]}]}}\n"
    );
}
