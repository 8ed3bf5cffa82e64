//! `/api/v0/containers` gating (`core.md` §4): sub-agent 403 "not supported", disabled 403
//! "not enabled", exact path only, every standard method; a property over the whole table.

use crate::common::*;
use agent_sim::gohttp::STANDARD_METHODS;
use proptest::prelude::*;

const NOT_SUPPORTED: &str = "{\"message\":\"Dev Container feature not supported.\",\"detail\":\"Dev Container integration inside other Dev Containers is explicitly not supported.\"}\n";
const NOT_ENABLED: &str = "{\"message\":\"Dev Container feature not enabled.\",\"detail\":\"To enable this feature, set CODER_AGENT_DEVCONTAINERS_ENABLE=true in your template.\"}\n";

#[test]
fn bodies_have_the_documented_sizes() {
    assert_eq!(NOT_SUPPORTED.len(), 145);
    assert_eq!(NOT_ENABLED.len(), 144);
}

#[tokio::test]
async fn disabled_answers_not_enabled_for_every_standard_method() {
    let s = fixture("devcontainers-disabled");
    for m in STANDARD_METHODS
        .iter()
        .filter(|m| **m != http::Method::CONNECT)
    {
        let r = send(&s, m.as_str(), "/api/v0/containers?x=1").await;
        assert_eq!(r.status, 403, "{m}");
        // The handler writes the body for HEAD too; the server drops it on the wire (Go and
        // hyper both do), which `head_responses_carry_no_body_on_the_wire` checks.
        assert_eq!(r.text(), NOT_ENABLED, "{m}");
        assert_eq!(r.header("content-type"), Some(JSON));
    }
}

#[tokio::test]
async fn sub_agent_answers_not_supported_even_when_enabled() {
    let s = fixture("sub-agent");
    assert!(s.devcontainers.enabled);
    let r = get(&s, "/api/v0/containers").await;
    assert_eq!(r.status, 403);
    assert_eq!(r.text(), NOT_SUPPORTED);
    assert_not_found(&get(&s, "/api/v0/containers/watch").await, "sub-path");
}

#[tokio::test]
async fn enabled_mounts_the_containers_api() {
    let r = get(&fixture("default"), "/api/v0/containers").await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("content-type"), Some(JSON));
}

fn case_scenario(enabled: bool, sub_agent: bool) -> agent_sim::Scenario {
    let mut s = fixture("default");
    s.devcontainers.enabled = enabled;
    if sub_agent {
        s.manifest.parent_id = uuid::Uuid::from_u128(0x1234);
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// For any enabled flag, parent id, method and sub-path, the answer is the router table's.
    #[test]
    fn gating_table(
        enabled in any::<bool>(),
        sub_agent in any::<bool>(),
        method in prop::sample::select(vec!["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "FOO"]),
        sub in prop::sample::select(vec!["", "/", "/watch", "/devcontainers", "/devcontainers/abc/recreate", "/x/y"]),
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let s = case_scenario(enabled, sub_agent);
        let r = rt.block_on(send(&s, method, &format!("/api/v0/containers{sub}")));
        let gated = sub_agent || !enabled;
        if method == "FOO" {
            prop_assert_eq!(r.status.as_u16(), 405);
            prop_assert!(r.all("allow").is_empty());
        } else if gated && sub.is_empty() {
            prop_assert_eq!(r.status.as_u16(), 403);
            let body = if sub_agent { NOT_SUPPORTED } else { NOT_ENABLED };
            prop_assert_eq!(r.text(), body);
        } else if gated {
            prop_assert_eq!(r.status.as_u16(), 404);
            prop_assert_eq!(r.text(), NOT_FOUND);
        } else {
            // Mounted API: whatever it answers, never a gating body.
            prop_assert_ne!(r.text(), NOT_SUPPORTED);
            prop_assert_ne!(r.text(), NOT_ENABLED);
        }
    }
}
