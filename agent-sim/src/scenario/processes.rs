//! The process API section: `exec` runs `sh -c` for real, `scripted` answers from scripts
//! (first exact match by command) and never spawns anything. `chat_scoping` turns on the later
//! agents' chat-header handling (off in the target router, see `processes.md` Appendix C).
//! `agent_token` is the agent's session token, which every started process sees as
//! `CODER_AGENT_TOKEN` (`processes.md` §4.2).

use super::error::ScenarioError;
use serde::{Deserialize, Serialize};

/// How started processes run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProcessMode {
    /// For real: `sh -c COMMAND` on this machine.
    #[default]
    Exec,
    /// From the scenario's scripts; nothing is spawned.
    Scripted,
}

/// The token a fresh scenario gives the agent: a placeholder shaped like the agent tokens
/// coderd issues (a UUID), which authenticates nothing.
pub const DEFAULT_AGENT_TOKEN: &str = "00000000-0000-4000-8000-0000a9e475e7";

/// The processes API section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProcessesConfig {
    /// `exec` (default) or `scripted`.
    pub mode: ProcessMode,
    /// Scripted answers, first exact match on `command` wins.
    pub scripts: Vec<Script>,
    /// Honour `Coder-Chat-Id` (list filtering, foreign-chat 404s, `CODER_CHAT_ID`).
    pub chat_scoping: bool,
    /// The agent's session token (what `ExchangeToken` returned when it connected): started
    /// processes get it as `CODER_AGENT_TOKEN`, over the agent's own environment.
    pub agent_token: String,
}

impl Default for ProcessesConfig {
    fn default() -> Self {
        Self {
            mode: ProcessMode::default(),
            scripts: Vec::new(),
            chat_scoping: false,
            agent_token: DEFAULT_AGENT_TOKEN.to_string(),
        }
    }
}

/// One scripted command: what it prints, when, and how it exits.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Script {
    /// The command as the request sends it (exact match).
    pub command: String,
    /// Printed at once when the process starts.
    #[serde(default)]
    pub output: String,
    /// Printed later, each at its own time after the start.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chunks: Vec<Chunk>,
    /// Exit status: 0–255, or -1 as for a process killed by a signal.
    #[serde(default)]
    pub exit_code: i32,
    /// When the process exits, in milliseconds after the start.
    #[serde(default, alias = "delay_ms")]
    pub after_ms: u64,
    /// Like a shell that traps SIGTERM: `terminate` is delivered but does nothing.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub ignore_terminate: bool,
}

/// Output that arrives `after_ms` milliseconds after the start.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Chunk {
    /// When, in milliseconds after the start.
    pub after_ms: u64,
    /// What is printed.
    pub output: String,
}

impl ProcessesConfig {
    pub(crate) fn validate(&self, origin: &str, path: &str) -> Result<(), ScenarioError> {
        self.validate_token(origin, path)?;
        for (i, s) in self.scripts.iter().enumerate() {
            let at = format!("{path}.scripts[{i}]");
            if s.command.is_empty() {
                return Err(ScenarioError::invalid(
                    origin,
                    format!("{at}.command"),
                    "command must not be empty (the agent refuses empty commands)",
                ));
            }
            if !(-1..=255).contains(&s.exit_code) {
                return Err(ScenarioError::invalid(
                    origin,
                    format!("{at}.exit_code"),
                    format!(
                        "exit code {} is impossible: a shell status is 0-255, -1 means killed by a signal",
                        s.exit_code
                    ),
                ));
            }
            let mut last = 0;
            for (j, c) in s.chunks.iter().enumerate() {
                let cat = format!("{at}.chunks[{j}].after_ms");
                if c.after_ms < last {
                    return Err(ScenarioError::invalid(
                        origin,
                        cat,
                        "chunks must be in time order",
                    ));
                }
                if c.after_ms > s.after_ms {
                    return Err(ScenarioError::invalid(
                        origin,
                        cat,
                        format!(
                            "chunk at {} ms comes after the exit at {} ms",
                            c.after_ms, s.after_ms
                        ),
                    ));
                }
                last = c.after_ms;
            }
        }
        Ok(())
    }

    /// A connected agent always has a session token, and an environment value cannot hold NUL.
    fn validate_token(&self, origin: &str, path: &str) -> Result<(), ScenarioError> {
        let problem = if self.agent_token.is_empty() {
            "must not be empty: a connected agent always has a session token"
        } else if self.agent_token.contains('\0') {
            "must not contain NUL: it becomes the CODER_AGENT_TOKEN environment variable"
        } else {
            return Ok(());
        };
        Err(ScenarioError::invalid(
            origin,
            format!("{path}.agent_token"),
            problem,
        ))
    }

    /// The first script whose command is exactly `command`.
    pub fn script_for(&self, command: &str) -> Option<&Script> {
        self.scripts.iter().find(|s| s.command == command)
    }
}

#[cfg(test)]
mod tests {
    use crate::Scenario;

    #[test]
    fn scripts_parse_with_defaults() {
        let s = Scenario::from_json(
            "t",
            r#"{"processes":{"mode":"scripted","chat_scoping":true,"scripts":[
                {"command":"make test","output":"ok\n","exit_code":0,"after_ms":50,
                 "chunks":[{"after_ms":10,"output":"a"}]},
                {"command":"x","delay_ms":5}]}}"#,
        )
        .unwrap();
        assert!(s.processes.chat_scoping);
        assert_eq!(s.processes.agent_token, super::DEFAULT_AGENT_TOKEN);
        assert_eq!(s.processes.scripts[1].after_ms, 5);
        assert_eq!(s.processes.script_for("make test").unwrap().output, "ok\n");
        assert!(s.processes.script_for("make").is_none());
    }

    #[test]
    fn errors_name_the_json_path() {
        let cases = [
            (
                r#"{"processes":{"scripts":[{"command":"a","exit_cod":1}]}}"#,
                "processes.scripts[0].exit_cod",
            ),
            (
                r#"{"processes":{"scripts":[{"command":"a"},{"command":""}]}}"#,
                "processes.scripts[1].command",
            ),
            (
                r#"{"processes":{"scripts":[{"command":"a","exit_code":256}]}}"#,
                "processes.scripts[0].exit_code",
            ),
            (
                r#"{"processes":{"scripts":[{"command":"a","after_ms":5,"chunks":[{"after_ms":6,"output":""}]}]}}"#,
                "processes.scripts[0].chunks[0].after_ms",
            ),
            (
                r#"{"processes":{"scripts":[{"command":"a","after_ms":9,"chunks":[{"after_ms":6,"output":""},{"after_ms":2,"output":""}]}]}}"#,
                "processes.scripts[0].chunks[1].after_ms",
            ),
            (r#"{"processes":{"mode":"fork"}}"#, "processes.mode"),
            (
                r#"{"processes":{"agent_token":""}}"#,
                "processes.agent_token",
            ),
            (
                r#"{"processes":{"agent_token":"a\u0000b"}}"#,
                "processes.agent_token",
            ),
            (
                r#"{"processes":{"scripts":[{"output":"x"}]}}"#,
                "processes.scripts[0]",
            ),
        ];
        for (json, path) in cases {
            let err = Scenario::from_json("t", json).unwrap_err();
            assert_eq!(err.path(), path, "{json}: {err}");
        }
    }
}
