//! Names the agent gives detected devcontainers (`containers.md` §8.3): the folder's basename
//! made agent-safe, parent directories prepended on collision, the container's friendly name as
//! the fallback.

use std::collections::HashSet;

/// `maxAgentNameLength`.
const MAX_AGENT_NAME_LENGTH: usize = 64;
/// `maxAttemptsToNameAgent`: extra parent directories tried on collision.
const MAX_ATTEMPTS: usize = 5;

/// The provisioner's agent name rule, `(?i)^[a-z0-9](-?[a-z0-9])*$`.
fn valid_agent_name(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
        && !name.contains("--")
}

/// `safeFriendlyName`: lower case, `_` → `-`.
fn safe_friendly_name(name: &str) -> String {
    name.to_lowercase().replace('_', "-")
}

/// `safeAgentName`: `(name, true)` when the folder name works, else the friendly fallback.
fn safe_agent_name(name: &str, friendly: &str) -> (String, bool) {
    let mapped: String = name
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                c
            } else {
                '-'
            }
        })
        .collect();
    let mut collapsed = String::with_capacity(mapped.len());
    for c in mapped.chars() {
        if !(c == '-' && collapsed.ends_with('-')) {
            collapsed.push(c);
        }
    }
    let trimmed = collapsed.trim_matches('-');
    let capped = &trimmed[..trimmed.len().min(MAX_AGENT_NAME_LENGTH)];
    if valid_agent_name(capped) {
        (capped.to_string(), true)
    } else {
        (safe_friendly_name(friendly), false)
    }
}

/// `expandedAgentName`: the last `depth + 1` folder components joined with `-`.
fn expanded_agent_name(folder: &str, friendly: &str, depth: usize) -> (String, bool) {
    let parts: Vec<&str> = folder
        .split('/')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.is_empty() {
        return (safe_friendly_name(friendly), false);
    }
    let components = &parts[parts.len().saturating_sub(depth + 1)..];
    safe_agent_name(&components.join("-"), friendly)
}

/// `makeAgentName`: the first candidate not in `taken`.
pub fn make_agent_name(folder: &str, friendly: &str, taken: &HashSet<String>) -> String {
    for attempt in 0..=MAX_ATTEMPTS {
        let (name, from_folder) = expanded_agent_name(folder, friendly, attempt);
        if !from_folder || !taken.contains(&name) {
            return name;
        }
    }
    safe_friendly_name(friendly)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_agent() {
        let none = HashSet::new();
        assert_eq!(
            make_agent_name("/home/coder/project", "x", &none),
            "project"
        );
        assert_eq!(
            make_agent_name("/w/My_Cool  App!", "x", &none),
            "my-cool-app"
        );
        assert_eq!(
            make_agent_name("/w/___", "Friendly_Name", &none),
            "friendly-name"
        );
        assert_eq!(make_agent_name("/", "Box", &none), "box");
        let taken: HashSet<String> = ["project".to_string()].into();
        assert_eq!(
            make_agent_name("/home/coder/bar/project", "x", &taken),
            "bar-project"
        );
        let long = format!("/w/{}", "a".repeat(80));
        assert_eq!(make_agent_name(&long, "x", &none).len(), 64);
    }
}
