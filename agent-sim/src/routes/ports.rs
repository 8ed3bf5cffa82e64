//! `GET /api/v0/listening-ports`: the getter's ports minus those below 9 and those in the
//! ignore set, in getter order; a getter error is a 500 with the error as `detail`. With
//! static ports the answer only depends on the scenario, so it is encoded once per scenario
//! (and thread) and reused.

use crate::response;
use crate::scenario::{ListeningPort, PortsSource, Scenario};
use crate::state::AppState;
use axum::extract::State;
use axum::response::Response;
use bytes::Bytes;
use http::StatusCode;
use serde::Serialize;
use std::borrow::Cow;
use std::cell::RefCell;
use std::sync::{Arc, Weak};

/// The message of the 500 a failing getter answers (its error is the `detail`).
pub const SCAN_FAILED_MESSAGE: &str = "Could not scan for listening ports.";

/// `workspacesdk.AgentMinimumListeningPort`.
pub const MINIMUM_LISTENING_PORT: u16 = 9;

/// `codersdk.WorkspaceAgentListeningPortsResponse`.
#[derive(Debug, Serialize)]
pub struct ListeningPortsResponse<'a> {
    pub ports: Vec<&'a ListeningPort>,
}

/// The agent's filter: drop ports below 9 and ignored ports, keep order and duplicates.
pub fn filter_ports<'a>(ports: &'a [ListeningPort], ignore: &[u16]) -> Vec<&'a ListeningPort> {
    ports
        .iter()
        .filter(|p| p.port >= MINIMUM_LISTENING_PORT && !ignore.contains(&p.port))
        .collect()
}

fn get_ports<'a>(
    state: &AppState,
    scenario: &'a Scenario,
) -> Result<Cow<'a, [ListeningPort]>, String> {
    if let Some(err) = &scenario.listening_ports.error {
        return Err(err.clone());
    }
    match scenario.listening_ports.source {
        PortsSource::Static => Ok(Cow::Borrowed(&scenario.listening_ports.ports)),
        PortsSource::Os => state.port_scanner().get().map(Cow::Owned),
    }
}

/// The encoded answer for static ports. A scenario in force never changes (a new one is a
/// new `Arc`), so the body is reused while the cached scenario is the one asked about.
fn static_body(scenario: &Arc<Scenario>) -> Bytes {
    thread_local! {
        static CACHED: RefCell<Option<(Weak<Scenario>, Bytes)>> = const { RefCell::new(None) };
    }
    CACHED.with(|cell| {
        let mut cached = cell.borrow_mut();
        if let Some((of, body)) = &*cached {
            if Weak::as_ptr(of) == Arc::as_ptr(scenario) {
                return body.clone();
            }
        }
        let body = Bytes::from(crate::gojson::to_vec(&ListeningPortsResponse {
            ports: filter_ports(&scenario.listening_ports.ports, &scenario.ignore_ports),
        }));
        *cached = Some((Arc::downgrade(scenario), body.clone()));
        body
    })
}

pub async fn listening_ports(State(state): State<AppState>) -> Response {
    // Nothing below awaits, so a peek at the scenario is enough.
    let scenario = state.peek_scenario();
    let ports = &scenario.listening_ports;
    if ports.error.is_none() && matches!(ports.source, PortsSource::Static) {
        return response::bytes_with_type(
            StatusCode::OK,
            static_body(&scenario),
            Some(response::JSON_CONTENT_TYPE),
        );
    }
    match get_ports(&state, &scenario) {
        Err(detail) => response::message(
            StatusCode::INTERNAL_SERVER_ERROR,
            SCAN_FAILED_MESSAGE,
            &detail,
        ),
        Ok(ports) => response::json(
            StatusCode::OK,
            &ListeningPortsResponse {
                ports: filter_ports(&ports, &scenario.ignore_ports),
            },
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(ports: &[u16], ignore: &[u16]) -> Arc<Scenario> {
        let mut s = Scenario::builtin_default();
        s.listening_ports.ports = ports
            .iter()
            .map(|&port| ListeningPort {
                process_name: "p".into(),
                network: "tcp".into(),
                port,
            })
            .collect();
        s.ignore_ports = ignore.to_vec();
        Arc::new(s)
    }

    #[test]
    fn static_body_follows_the_scenario() {
        let a = scenario(&[3000, 8, 6060], &[6060]);
        let b = scenario(&[4000], &[]);
        let body = |s: &Arc<Scenario>| String::from_utf8(static_body(s).to_vec()).unwrap();
        let want_a = "{\"ports\":[{\"process_name\":\"p\",\"network\":\"tcp\",\"port\":3000}]}\n";
        let want_b = "{\"ports\":[{\"process_name\":\"p\",\"network\":\"tcp\",\"port\":4000}]}\n";
        assert_eq!(body(&a), want_a);
        assert_eq!(body(&a), want_a);
        assert_eq!(body(&b), want_b);
        assert_eq!(body(&a), want_a);
    }
}
