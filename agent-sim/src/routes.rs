//! The agent's route table, as `apiHandler()` registers it: one module per route group, named
//! after its URL. The containers entry depends on the scenario in force (mounted API, or the
//! exact-path 403 gate), so two trees are built once and one is chosen per request.

pub mod containers;
pub mod debug;
pub mod files;
pub mod hello;
pub mod netcheck;
pub mod ports;
pub mod processes;

use crate::router::Routes;
use crate::state::AppState;

/// The agent's routes, with the containers API mounted (`containers_enabled`) or gated.
pub fn agent_routes(containers_enabled: bool) -> Routes<AppState> {
    let r = Routes::new()
        .get("/", hello::say_hello)
        .mount("/api/v0", files::routes())
        .mount("/api/v0/processes", processes::routes());
    let r = if containers_enabled {
        r.mount("/api/v0/containers", containers::routes())
    } else {
        r.any("/api/v0/containers", containers::gate)
    };
    r.get("/api/v0/listening-ports", ports::listening_ports)
        .get("/api/v0/netcheck", netcheck::report)
        .get("/debug/logs", debug::logs)
        .get("/debug/magicsock", debug::magicsock)
        .get(
            "/debug/magicsock/debug-logging/{state}",
            debug::magicsock_debug_logging,
        )
        .get("/debug/manifest", debug::manifest)
        .get("/debug/prometheus", debug::prometheus)
}

/// Both variants of the tree, built once per router.
#[derive(Clone)]
pub struct AgentRoutes {
    enabled: Routes<AppState>,
    gated: Routes<AppState>,
}

impl Default for AgentRoutes {
    fn default() -> Self {
        Self {
            enabled: agent_routes(true),
            gated: agent_routes(false),
        }
    }
}

impl AgentRoutes {
    /// One table whatever the scenario says (for tests of the router rules).
    pub fn fixed(routes: Routes<AppState>) -> Self {
        Self {
            enabled: routes.clone(),
            gated: routes,
        }
    }

    /// Every `(method, pattern)` either tree answers with a handler, sorted and deduplicated
    /// (what fault rules and expectations may name).
    pub fn patterns(&self) -> Vec<(Option<http::Method>, String)> {
        let mut all = self.enabled.patterns();
        all.extend(self.gated.patterns());
        all.sort_by(|a, b| {
            (&a.1, a.0.as_ref().map(|m| m.as_str())).cmp(&(&b.1, b.0.as_ref().map(|m| m.as_str())))
        });
        all.dedup();
        all
    }

    /// The table for a scenario whose containers API is enabled or not
    /// (`Scenario::containers_enabled`).
    pub fn for_containers(&self, enabled: bool) -> &Routes<AppState> {
        if enabled {
            &self.enabled
        } else {
            &self.gated
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::faults::KNOWN_ROUTES;

    #[test]
    fn fault_validation_knows_exactly_the_route_table() {
        let table: Vec<(Option<String>, String)> = AgentRoutes::default()
            .patterns()
            .into_iter()
            .map(|(m, p)| (m.map(|m| m.to_string()), p))
            .collect();
        let mut known: Vec<(Option<String>, String)> = KNOWN_ROUTES
            .iter()
            .map(|(m, p)| (m.map(str::to_string), p.to_string()))
            .collect();
        known.sort_by(|a, b| (&a.1, &a.0).cmp(&(&b.1, &b.0)));
        let mut table = table;
        table.sort_by(|a, b| (&a.1, &a.0).cmp(&(&b.1, &b.0)));
        assert_eq!(known, table);
    }
}
