//! The scenario: everything the simulated agent would read from its machine, as one JSON
//! document. Every field is optional and defaults to what a freshly started production agent
//! shows; unknown fields are rejected with the JSON path at fault. Loading and validation live
//! here; each area's section type lives in its own submodule.

pub mod containers;
mod error;
pub mod faults;
pub mod files;
pub mod fixtures;
pub mod manifest;
pub mod netcheck;
pub mod ports;
pub mod processes;

use serde::{Deserialize, Serialize};
use std::path::Path;

pub use containers::DevcontainersConfig;
pub use error::ScenarioError;
pub use faults::FaultRule;
pub use files::FilesConfig;
pub use manifest::Manifest;
pub use netcheck::NetcheckReport;
pub use ports::{ListeningPort, ListeningPortsConfig, PortsSource};
pub use processes::ProcessesConfig;

/// The built-in default scenario, identical to `fixtures/default.json`.
pub const DEFAULT_SCENARIO_JSON: &str = include_str!("../../fixtures/default.json");

/// The agent's default ignore set: pprof 6060, prometheus 2112, debug 2113.
pub const DEFAULT_IGNORE_PORTS: [u16; 3] = [6060, 2112, 2113];

/// One scenario (fixture).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Scenario {
    /// The scenario's name (shown by `GET /__sim/` and in logs).
    pub name: String,
    /// What the scenario is for.
    pub description: String,
    /// The agent's manifest (`GET /debug/manifest`; `parent_id` makes a sub-agent).
    pub manifest: Manifest,
    /// The containers API (`/api/v0/containers`).
    pub devcontainers: DevcontainersConfig,
    /// `GET /api/v0/listening-ports`.
    pub listening_ports: ListeningPortsConfig,
    /// Ports never listed (the agent's own: 6060, 2112, 2113 by default).
    pub ignore_ports: Vec<u16>,
    /// `GET /api/v0/netcheck`.
    pub netcheck: NetcheckReport,
    /// When set, `netcheck.interfaces` is generated from these OS interfaces with the agent's
    /// rules instead of being served as written.
    pub os_interfaces: Option<Vec<netcheck::OsInterface>>,
    /// The files API (read, write, edit, list, resolve).
    pub files: FilesConfig,
    /// The processes API (`exec` for real, or `scripted`).
    pub processes: ProcessesConfig,
    /// The debug routes (`/debug/logs`, `/debug/magicsock`).
    pub debug: DebugConfig,
    /// Workspace secrets coderd sends with the manifest; the agent strips them before it keeps
    /// the manifest, so they never appear in `/debug/manifest`.
    pub workspace_secrets: std::collections::BTreeMap<String, String>,
    /// Seed for every random draw the scenario makes (fault probabilities).
    pub seed: u64,
    /// Fault rules, applied in order to every matching agent request.
    pub faults: Vec<FaultRule>,
}

impl Default for Scenario {
    fn default() -> Self {
        Self {
            name: "unnamed".into(),
            description: String::new(),
            manifest: Manifest::default(),
            devcontainers: DevcontainersConfig::default(),
            listening_ports: ListeningPortsConfig::default(),
            ignore_ports: DEFAULT_IGNORE_PORTS.to_vec(),
            netcheck: NetcheckReport::default(),
            os_interfaces: None,
            files: FilesConfig::default(),
            processes: ProcessesConfig::default(),
            debug: DebugConfig::default(),
            workspace_secrets: Default::default(),
            seed: 0,
            faults: Vec::new(),
        }
    }
}

/// What the debug routes read: the agent's log file and the magicsock debug page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DebugConfig {
    /// Content of `<LogDir>/coder-agent.log`; `null` means the file does not exist.
    pub logs: Option<String>,
    /// The log file's content as standard base64, for a log that is not UTF-8 (as `agent-sim
    /// record` writes it); when set it is the file's content and `logs` must stay `""`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logs_base64: Option<String>,
    /// The path the agent would open, shown in the open error.
    pub log_path: String,
    /// The magicsock debug HTML fragment.
    pub magicsock: String,
}

impl Default for DebugConfig {
    fn default() -> Self {
        Self {
            logs: Some(String::new()),
            logs_base64: None,
            log_path: "/tmp/coder-agent.log".into(),
            magicsock: DEFAULT_MAGICSOCK.into(),
        }
    }
}

impl DebugConfig {
    /// The log file's bytes, `None` when the file does not exist.
    pub fn log_bytes(&self) -> Option<std::borrow::Cow<'_, [u8]>> {
        use base64::Engine as _;
        match &self.logs_base64 {
            Some(b64) => Some(
                base64::engine::general_purpose::STANDARD
                    .decode(b64)
                    .unwrap_or_default()
                    .into(),
            ),
            None => self.logs.as_deref().map(|s| s.as_bytes().into()),
        }
    }

    /// Checks `logs_base64`: valid base64, and not given together with `logs`.
    pub fn validate(&self, origin: &str, path: &str) -> Result<(), ScenarioError> {
        use base64::Engine as _;
        let Some(b64) = &self.logs_base64 else {
            return Ok(());
        };
        if self.logs.as_deref() != Some("") {
            return Err(ScenarioError::invalid(
                origin,
                format!("{path}.logs"),
                "set either logs or logs_base64, not both",
            ));
        }
        base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map(|_| ())
            .map_err(|e| {
                ScenarioError::invalid(
                    origin,
                    format!("{path}.logs_base64"),
                    format!("not standard base64: {e}"),
                )
            })
    }
}

/// A magicsock page with no DERP connections and no peers.
pub const DEFAULT_MAGICSOCK: &str = "<h1>magicsock</h1><h2 id=derp><a href=#derp>#</a> DERP</h2><ul></ul>\n<h2 id=ipport><a href=#ipport>#</a> ip:port to endpoint</h2><ul></ul>\n<h2 id=bykey><a href=#bykey>#</a> endpoints by key</h2>";

impl Scenario {
    /// Parses and validates a scenario; `origin` names the source in errors (a file name,
    /// `PUT /__sim/scenario`, …).
    pub fn from_json(origin: &str, text: &str) -> Result<Self, ScenarioError> {
        let de = &mut serde_json::Deserializer::from_str(text);
        let scenario: Scenario = serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let message = strip_position(&inner);
            ScenarioError::invalid(origin, path, message)
        })?;
        scenario.validate(origin)?;
        Ok(scenario)
    }

    /// Parses and validates a scenario from a JSON value (control API).
    pub fn from_value(origin: &str, value: serde_json::Value) -> Result<Self, ScenarioError> {
        let scenario: Scenario = serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            ScenarioError::invalid(origin, path, e.into_inner().to_string())
        })?;
        scenario.validate(origin)?;
        Ok(scenario)
    }

    /// Reads a scenario file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, ScenarioError> {
        let path = path.as_ref();
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Io {
            origin: origin.clone(),
            source,
        })?;
        Self::from_json(&origin, &text)
    }

    /// A fixture shipped in `fixtures/` and embedded in the binary, by name (`"sub-agent"`);
    /// works from any directory. An unknown name's error lists the names that exist.
    ///
    /// ```
    /// use agent_sim::Scenario;
    /// let sub = Scenario::fixture("sub-agent")?;
    /// assert!(sub.is_sub_agent());
    /// let err = Scenario::fixture("sub_agent").unwrap_err();
    /// assert!(err.to_string().contains("default"), "{err}");
    /// # Ok::<(), agent_sim::ScenarioError>(())
    /// ```
    pub fn fixture(name: &str) -> Result<Self, ScenarioError> {
        let found = fixtures::get(name).ok_or_else(|| ScenarioError::UnknownFixture {
            name: name.to_string(),
            known: fixtures::names().into_iter().map(str::to_string).collect(),
        })?;
        Self::from_json(&format!("builtin:{name}"), found.json)
    }

    /// Loads a scenario named on a command line: `builtin:NAME` is a shipped fixture,
    /// anything else a file path.
    pub fn from_spec(spec: &str) -> Result<Self, ScenarioError> {
        match spec.strip_prefix("builtin:") {
            Some(name) => Self::fixture(name),
            None => Self::from_file(spec),
        }
    }

    /// The built-in default scenario.
    pub fn builtin_default() -> Self {
        // The embedded fixture is checked by a unit test; fall back to the type defaults.
        Self::from_json("fixtures/default.json", DEFAULT_SCENARIO_JSON).unwrap_or_default()
    }

    /// Checks the rules serde cannot express. Each section validates itself.
    pub fn validate(&self, origin: &str) -> Result<(), ScenarioError> {
        self.listening_ports.validate(origin, "listening_ports")?;
        self.devcontainers.validate(origin, "devcontainers")?;
        self.files.validate(origin, "files")?;
        self.processes.validate(origin, "processes")?;
        self.debug.validate(origin, "debug")?;
        for (i, rule) in self.faults.iter().enumerate() {
            rule.validate(origin, &format!("faults[{i}]"))?;
        }
        Ok(())
    }

    /// The scenario as JSON (`GET /__sim/scenario`).
    pub fn to_value(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    /// Whether this agent is a Dev Container sub-agent (non-nil `parent_id`).
    pub fn is_sub_agent(&self) -> bool {
        !self.manifest.parent_id.is_nil()
    }

    /// Whether the containers API is mounted: enabled and not a sub-agent.
    pub fn containers_enabled(&self) -> bool {
        self.devcontainers.enabled && !self.is_sub_agent()
    }
}

/// serde_json appends " at line L column C"; keep it, it helps in files, but drop it when it
/// says nothing (line 0).
fn strip_position(err: &serde_json::Error) -> String {
    let s = err.to_string();
    if err.line() == 0 {
        s.split(" at line ").next().unwrap_or(&s).to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_default_parses() {
        let s = Scenario::from_json("fixtures/default.json", DEFAULT_SCENARIO_JSON);
        assert!(s.is_ok(), "{s:?}");
    }

    #[test]
    fn empty_object_is_a_fresh_agent() {
        let s = Scenario::from_json("t", "{}").expect("valid");
        assert_eq!(s.ignore_ports, vec![6060, 2112, 2113]);
        assert!(s.manifest.parent_id.is_nil());
        assert!(s.devcontainers.enabled);
    }

    #[test]
    fn unknown_field_names_path() {
        let err = Scenario::from_json("f.json", r#"{"manifest":{"agent_nme":"x"}}"#).unwrap_err();
        assert_eq!(err.path(), "manifest.agent_nme");
        let msg = err.to_string();
        assert!(
            msg.starts_with("f.json: at manifest.agent_nme: unknown field `agent_nme`"),
            "{msg}"
        );
    }

    #[test]
    fn port_out_of_range_names_path() {
        let err = Scenario::from_json(
            "f.json",
            r#"{"listening_ports":{"ports":[{"process_name":"a","network":"tcp","port":70000}]}}"#,
        )
        .unwrap_err();
        assert_eq!(err.path(), "listening_ports.ports[0].port");
    }

    #[test]
    fn logs_base64_is_the_log_file() {
        let s = Scenario::from_json("t", r#"{"debug":{"logs_base64":"/wA="}}"#).expect("valid");
        assert_eq!(s.debug.log_bytes().as_deref(), Some(&[0xff, 0x00][..]));
        let err = Scenario::from_json("t", r#"{"debug":{"logs_base64":"@@"}}"#).unwrap_err();
        assert_eq!(err.path(), "debug.logs_base64");
        let err =
            Scenario::from_json("t", r#"{"debug":{"logs":"x","logs_base64":""}}"#).unwrap_err();
        assert_eq!(err.path(), "debug.logs");
        let err =
            Scenario::from_json("t", r#"{"debug":{"logs":null,"logs_base64":""}}"#).unwrap_err();
        assert_eq!(err.path(), "debug.logs");
    }

    #[test]
    fn bad_uuid_names_path() {
        let err =
            Scenario::from_json("f.json", r#"{"manifest":{"parent_id":"nope"}}"#).unwrap_err();
        assert_eq!(err.path(), "manifest.parent_id");
    }
}
