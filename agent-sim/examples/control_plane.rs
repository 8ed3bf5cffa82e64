//! A control-plane-style client of the workspace agent, tested against agent-sim the way a
//! wiremock-rs user tests an HTTP client: start a `Sim` per test, point the client at it,
//! change the scenario or inject faults, then verify which calls were made.
//!
//! The client reads the listening ports, lists containers only when the agent has the
//! containers API (a sub-agent or a disabled agent answers 403), and starts a process.
//! Run the tests with `cargo test -p agent-sim --example control_plane` (they also run as part
//! of `cargo test --workspace`); `cargo run -p agent-sim --example control_plane` syncs once
//! against a fresh simulator and prints the result.

use serde_json::Value;

/// What one sync learned about a workspace.
#[derive(Debug, PartialEq)]
struct Workspace {
    ports: Vec<u16>,
    /// `None` when the agent has no containers API.
    containers: Option<usize>,
    /// The id of the process started.
    process: String,
}

#[derive(Debug, thiserror::Error)]
enum ClientError {
    #[error(transparent)]
    Http(#[from] reqwest::Error),
    #[error("{route}: agent answered {status}: {body}")]
    Status {
        route: &'static str,
        status: u16,
        body: String,
    },
}

/// A tiny client of the agent's HTTP API.
struct AgentClient {
    http: reqwest::Client,
    base: String,
}

impl AgentClient {
    fn new(base: &str) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: base.trim_end_matches('/').to_string(),
        }
    }

    async fn json(
        &self,
        route: &'static str,
        req: reqwest::RequestBuilder,
    ) -> Result<(u16, Value), ClientError> {
        let resp = req.send().await?;
        let status = resp.status().as_u16();
        let body = resp.text().await?;
        match serde_json::from_str(&body) {
            Ok(v) if status < 500 => Ok((status, v)),
            _ => Err(ClientError::Status {
                route,
                status,
                body,
            }),
        }
    }

    async fn listening_ports(&self) -> Result<Vec<u16>, ClientError> {
        let url = format!("{}/api/v0/listening-ports", self.base);
        let (_, v) = self.json("listening-ports", self.http.get(url)).await?;
        Ok(v["ports"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p["port"].as_u64())
            .filter_map(|p| u16::try_from(p).ok())
            .collect())
    }

    /// How many containers the agent lists, or `None` when it has no containers API.
    async fn containers(&self) -> Result<Option<usize>, ClientError> {
        let url = format!("{}/api/v0/containers", self.base);
        let (status, v) = self.json("containers", self.http.get(url)).await?;
        if status == 403 {
            return Ok(None);
        }
        Ok(Some(v["containers"].as_array().map_or(0, Vec::len)))
    }

    async fn start_process(&self, command: &str) -> Result<String, ClientError> {
        let url = format!("{}/api/v0/processes/start", self.base);
        let req = self
            .http
            .post(url)
            .json(&serde_json::json!({ "command": command }));
        let (status, v) = self.json("processes/start", req).await?;
        match v["id"].as_str() {
            Some(id) if status == 200 => Ok(id.to_string()),
            _ => Err(ClientError::Status {
                route: "processes/start",
                status,
                body: v.to_string(),
            }),
        }
    }

    /// One sync of the workspace: ports, containers when available, then a process.
    async fn sync(&self) -> Result<Workspace, ClientError> {
        let ports = self.listening_ports().await?;
        let containers = self.containers().await?;
        let process = self.start_process("echo ready").await?;
        Ok(Workspace {
            ports,
            containers,
            process,
        })
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sim = agent_sim::Sim::builder().start().await?;
    let workspace = AgentClient::new(&sim.url()).sync().await?;
    println!("{workspace:?}");
    for r in sim.received_requests().await {
        println!("{r}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use agent_sim::{FaultRule, Scenario, Sim};

    #[tokio::test]
    async fn a_sync_reads_ports_lists_containers_and_starts_one_process() {
        let sim = Sim::builder()
            .scenario(Scenario::fixture("default").unwrap())
            .start()
            .await
            .unwrap();
        sim.expect("GET /api/v0/listening-ports").times(1);
        sim.expect("GET /api/v0/containers").times(1);
        sim.expect("POST /api/v0/processes/start").times(1);
        sim.expect("POST /api/v0/processes/{id}/signal").never();

        let ws = AgentClient::new(&sim.url()).sync().await.unwrap();
        assert_eq!(ws.ports, [3000]);
        assert_eq!(ws.containers, Some(0));

        // The request the agent received, as sent.
        let started = sim
            .received_requests()
            .await
            .into_iter()
            .find(|r| r.path == "/api/v0/processes/start")
            .unwrap();
        assert_eq!(started.headers["content-type"], "application/json");
        let body: Value = started.body_json().unwrap();
        assert_eq!(body["command"], "echo ready");
        sim.verify().await;
    }

    #[tokio::test]
    async fn a_sub_agent_has_no_containers_api() {
        let sim = Sim::start(Scenario::fixture("sub-agent").unwrap())
            .await
            .unwrap();
        sim.expect("GET /api/v0/containers").times(1);
        let ws = AgentClient::new(&sim.url()).sync().await.unwrap();
        assert_eq!(ws.containers, None);
    }

    #[tokio::test]
    async fn a_failing_start_is_reported_with_the_agent_answer() {
        let sim = Sim::builder().start().await.unwrap();
        let _outage = sim
            .scoped_scenario(|s| {
                s.faults.push(FaultRule::status(
                    "POST /api/v0/processes/start",
                    503,
                    "agent busy\n",
                ))
            })
            .await
            .unwrap();
        let err = AgentClient::new(&sim.url()).sync().await.unwrap_err();
        assert_eq!(
            err.to_string(),
            "processes/start: agent answered 503: agent busy\n"
        );
        let last = sim.received_requests().await.pop().unwrap();
        assert_eq!(last.fault.as_deref(), Some("status"));
    }

    #[tokio::test]
    async fn more_ports_in_the_scenario_are_seen_by_the_next_sync() {
        let sim = Sim::builder().start().await.unwrap();
        let client = AgentClient::new(&sim.url());
        assert_eq!(client.listening_ports().await.unwrap(), [3000]);
        sim.update_scenario(|s| {
            let mut extra = s.listening_ports.ports[0].clone();
            extra.port = 8080;
            s.listening_ports.ports.push(extra);
        })
        .await
        .unwrap();
        assert_eq!(client.listening_ports().await.unwrap(), [3000, 8080]);
        // Expectations count from when they are registered: nothing since.
        sim.expect("GET /api/v0/listening-ports").never();
    }
}
