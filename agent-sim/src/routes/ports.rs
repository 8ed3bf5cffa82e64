//! `GET /api/v0/listening-ports`: the getter's ports minus those below 9 and those in the
//! ignore set, in getter order; a getter error is a 500 with the error as `detail`.

use crate::response;
use crate::scenario::{ListeningPort, PortsSource, Scenario};
use crate::state::AppState;
use axum::extract::State;
use axum::response::Response;
use http::StatusCode;
use serde::Serialize;
use std::borrow::Cow;

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

pub async fn listening_ports(State(state): State<AppState>) -> Response {
    // Nothing below awaits, so a peek at the scenario is enough.
    let scenario = state.peek_scenario();
    match get_ports(&state, &scenario) {
        Err(detail) => response::message(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Could not scan for listening ports.",
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
