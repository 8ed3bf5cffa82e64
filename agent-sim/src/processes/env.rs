//! The environment and working directory a started process gets (`processes.md` §4.2–4.3):
//! the agent's env passed through its env hook (`updateCommandEnv`: predefined `CODER_*`
//! variables with the session token as `CODER_AGENT_TOKEN`, the agent's own env for the keys
//! they leave unset, the manifest's variables with `$VAR` expansion, the script bin dir first on
//! `PATH`), then the request's `env`, then `CODER_CHAT_ID`; the last value of a duplicate key
//! wins.

use crate::scenario::Scenario;
use std::collections::BTreeMap;

/// `KEY=VALUE` entries after Go's `dedupEnv` (last value of each key kept, at the position of
/// its first occurrence).
pub fn dedup(entries: Vec<String>) -> Vec<String> {
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    let mut out: Vec<String> = Vec::with_capacity(entries.len());
    for kv in entries {
        let key = kv
            .split_once('=')
            .map_or(kv.as_str(), |(k, _)| k)
            .to_string();
        match index.get(&key) {
            Some(&i) => out[i] = kv,
            None => {
                index.insert(key, out.len());
                out.push(kv);
            }
        }
    }
    out
}

fn lookup<'a>(env: &'a [String], key: &str) -> Option<&'a str> {
    env.iter().rev().find_map(|kv| {
        kv.split_once('=')
            .filter(|(k, _)| *k == key)
            .map(|(_, v)| v)
    })
}

/// Go's `os.Expand`: `$VAR` and `${VAR}` replaced by `get(VAR)` (`""` when unset).
pub fn expand(s: &str, get: impl Fn(&str) -> String) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    let mut start = 0;
    while i < b.len() {
        if b[i] == b'$' && i + 1 < b.len() {
            out.push_str(&s[start..i]);
            let rest = &s[i + 1..];
            let (name, width) = if let Some(inner) = rest.strip_prefix('{') {
                match inner.find('}') {
                    Some(0) | None => {
                        // `${}` or an unclosed brace: Go drops the bad syntax.
                        ("", if inner.starts_with('}') { 2 } else { 1 })
                    }
                    Some(end) => (&inner[..end], end + 2),
                }
            } else if rest
                .chars()
                .next()
                .is_some_and(|c| "*#$@!?-".contains(c) || c.is_ascii_digit())
            {
                (&rest[..1], 1)
            } else {
                let n = rest
                    .bytes()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == b'_')
                    .count();
                if n == 0 {
                    // `$` not followed by a name: kept as is.
                    ("", 0)
                } else {
                    (&rest[..n], n)
                }
            };
            if !name.is_empty() {
                out.push_str(&get(name));
            } else if width == 0 {
                out.push('$');
            }
            i += 1 + width;
            start = i;
            continue;
        }
        i += 1;
    }
    out.push_str(&s[start..]);
    out
}

/// The variables `updateCommandEnv` defines before anything else: in upstream they win over
/// the agent's own environment (which only fills the keys they leave unset), so a
/// `CODER_AGENT_TOKEN` the agent inherited never replaces its session token.
fn predefined_env(scenario: &Scenario, exe: &str) -> Vec<(String, String)> {
    let m = &scenario.manifest;
    let mut env = vec![
        ("CODER".to_string(), "true".to_string()),
        ("CODER_WORKSPACE_NAME".to_string(), m.workspace_name.clone()),
        (
            "CODER_WORKSPACE_AGENT_NAME".to_string(),
            m.agent_name.clone(),
        ),
        (
            "CODER_AGENT_TOKEN".to_string(),
            scenario.processes.agent_token.clone(),
        ),
        ("GIT_SSH_COMMAND".to_string(), format!("{exe} gitssh --")),
        (
            "CS_DISABLE_GETTING_STARTED_OVERRIDE".to_string(),
            "true".to_string(),
        ),
    ];
    if !m.vscode_port_proxy_uri.is_empty() {
        env.push((
            "VSCODE_PROXY_URI".to_string(),
            m.vscode_port_proxy_uri.clone(),
        ));
    }
    env
}

/// The agent's environment after its env hook, as `KEY=VALUE` entries (not yet deduped).
pub fn agent_env(scenario: &Scenario) -> Vec<String> {
    let exe = std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "agent-sim".into());
    let current = std::env::vars_os().map(|(k, v)| {
        (
            k.to_string_lossy().into_owned(),
            v.to_string_lossy().into_owned(),
        )
    });
    hook_env(scenario, &exe, current, |name| {
        std::env::var(name).unwrap_or_default()
    })
}

/// `updateCommandEnv` over `current` (the agent's own environment; `getenv` reads it for
/// `$VAR` expansion, as `os.ExpandEnv` does): the predefined variables, `current` for the keys
/// they leave unset, the manifest's variables, the agent-level `GIT_ASKPASS`, and the script
/// bin dir first on `PATH`.
fn hook_env(
    scenario: &Scenario,
    exe: &str,
    current: impl Iterator<Item = (String, String)>,
    getenv: impl Fn(&str) -> String,
) -> Vec<String> {
    let m = &scenario.manifest;
    let predefined = predefined_env(scenario, exe);
    let mut env: Vec<String> = predefined.iter().map(|(k, v)| format!("{k}={v}")).collect();
    for (k, v) in current {
        if !predefined.iter().any(|(p, _)| *p == k) {
            env.push(format!("{k}={v}"));
        }
    }
    if let Some(vars) = &m.environment_variables {
        for (k, v) in vars {
            env.push(format!("{k}={}", expand(v, &getenv)));
        }
    }
    if m.git_auth_configs > 0 {
        env.push(format!("GIT_ASKPASS={exe}"));
    }
    let bin = std::env::temp_dir().join("coder-script-data").join("bin");
    let path = lookup(&env, "PATH").unwrap_or_default().to_string();
    env.push(format!("PATH={}:{path}", bin.display()));
    env
}

/// The full environment of a started process.
pub fn process_env(
    scenario: &Scenario,
    request_env: &BTreeMap<String, String>,
    chat_id: Option<&str>,
) -> Vec<String> {
    let mut env = agent_env(scenario);
    for (k, v) in request_env {
        env.push(format!("{k}={v}"));
    }
    if let Some(chat) = chat_id {
        env.push(format!("CODER_CHAT_ID={chat}"));
    }
    dedup(env)
}

/// `$HOME`, as Go's `os.UserHomeDir` reads it (`""` when unset).
fn home_dir() -> String {
    std::env::var("HOME").unwrap_or_default()
}

/// Exec mode: the request's workdir verbatim › the manifest directory if it exists as a
/// directory › `$HOME` › `""` (inherit the simulator's cwd).
pub fn resolve_workdir(requested: &str, configured: &str) -> String {
    if !requested.is_empty() {
        return requested.to_string();
    }
    if !configured.is_empty() && std::fs::metadata(configured).is_ok_and(|m| m.is_dir()) {
        return configured.to_string();
    }
    home_dir()
}

/// Scripted mode: the scenario's machine has its manifest directory, so it is used without
/// looking at this machine's disk (snapshots stay the same everywhere).
pub fn scripted_workdir(requested: &str, configured: &str) -> String {
    if !requested.is_empty() {
        return requested.to_string();
    }
    if !configured.is_empty() {
        return configured.to_string();
    }
    home_dir()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dedup_keeps_last_value() {
        let out = dedup(vec!["A=1".into(), "B=2".into(), "A=3".into(), "C".into()]);
        assert_eq!(out, vec!["A=3", "B=2", "C"]);
    }

    #[test]
    fn expand_like_go() {
        let get = |k: &str| match k {
            "HOME" => "/h".to_string(),
            "X" => "x".to_string(),
            _ => String::new(),
        };
        assert_eq!(expand("$HOME/bin:${X}y:$NOPE.", get), "/h/bin:xy:.");
        assert_eq!(expand("cost $", get), "cost $");
    }

    #[test]
    fn request_env_and_chat_win() {
        let mut s = Scenario::default();
        s.manifest.environment_variables =
            Some([("FROM_MANIFEST".to_string(), "m-$PATH".to_string())].into());
        let req: BTreeMap<String, String> = [
            ("CODER".to_string(), "overridden".to_string()),
            ("CODER_CHAT_ID".to_string(), "mine".to_string()),
        ]
        .into();
        let env = process_env(&s, &req, Some("chat-1"));
        assert_eq!(lookup(&env, "CODER"), Some("overridden"));
        assert_eq!(lookup(&env, "CODER_CHAT_ID"), Some("chat-1"));
        let path = std::env::var("PATH").unwrap_or_default();
        assert_eq!(
            lookup(&env, "FROM_MANIFEST"),
            Some(format!("m-{path}").as_str())
        );
        assert_eq!(lookup(&env, "CODER_WORKSPACE_AGENT_NAME"), Some("main"));
        assert!(lookup(&env, "PATH")
            .unwrap()
            .contains("coder-script-data/bin:"));
        assert_eq!(env.iter().filter(|e| e.starts_with("CODER=")).count(), 1);
    }

    #[test]
    fn predefined_beat_the_inherited_env_and_manifest_vars_expand_from_it() {
        let mut s = Scenario::default();
        s.manifest.environment_variables = Some(
            [
                ("FROM_MANIFEST".to_string(), "m-$HOME".to_string()),
                ("PREDEFINED_ONLY".to_string(), "m-$CODER".to_string()),
            ]
            .into(),
        );
        let inherited = [
            ("CODER_AGENT_TOKEN", "inherited-token"),
            ("CODER", "false"),
            ("HOME", "/home/agent"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()));
        let getenv = |k: &str| {
            let found = inherited.iter().find(|(name, _)| name == k);
            found.map(|(_, v)| v.clone()).unwrap_or_default()
        };
        let env = dedup(hook_env(
            &s,
            "/bin/agent",
            inherited.clone().into_iter(),
            getenv,
        ));
        assert_eq!(
            lookup(&env, "CODER_AGENT_TOKEN"),
            Some(crate::scenario::processes::DEFAULT_AGENT_TOKEN)
        );
        assert_eq!(lookup(&env, "CODER"), Some("true"));
        assert_eq!(lookup(&env, "HOME"), Some("/home/agent"));
        assert_eq!(lookup(&env, "FROM_MANIFEST"), Some("m-/home/agent"));
        // `os.ExpandEnv` reads the agent's own environment, not the predefined variables.
        assert_eq!(lookup(&env, "PREDEFINED_ONLY"), Some("m-false"));
        s.processes.agent_token = "scenario-token".into();
        let env = dedup(hook_env(&s, "/bin/agent", inherited.into_iter(), |_| {
            String::new()
        }));
        assert_eq!(lookup(&env, "CODER_AGENT_TOKEN"), Some("scenario-token"));
    }

    #[test]
    fn workdir_rules() {
        let home = home_dir();
        assert_eq!(resolve_workdir("rel/dir", "/tmp"), "rel/dir");
        assert_eq!(resolve_workdir("", "/tmp"), "/tmp");
        assert_eq!(resolve_workdir("", "/no/such/dir/x"), home);
        assert_eq!(resolve_workdir("", ""), home);
        assert_eq!(scripted_workdir("", "/home/coder"), "/home/coder");
    }
}
