//! `GET /api/v0/netcheck`: the scenario's `AgentNetcheckReport`, its interfaces section
//! optionally generated from `os_interfaces` with the agent's rules.

use crate::response;
use crate::scenario::netcheck::interfaces_report;
use crate::state::AppState;
use axum::extract::State;
use axum::response::Response;
use http::StatusCode;

pub async fn report(State(state): State<AppState>) -> Response {
    let scenario = state.scenario();
    match &scenario.os_interfaces {
        None => response::json(StatusCode::OK, &scenario.netcheck),
        Some(ifaces) => {
            let mut report = scenario.netcheck.clone();
            report.interfaces = interfaces_report(ifaces);
            response::json(StatusCode::OK, &report)
        }
    }
}
