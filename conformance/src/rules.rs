//! The spec's rules by name. Every normative rule of the agent's spec chapters (a status, a
//! message, a header, an ordering, a limit, a state transition, an encoding rule) has a stable
//! id such as `files.edit.diff.hunk-merge`, a one-line statement and the section it comes from.
//! The lists live in `conformance/rules/<chapter>.toml` (embedded at build time); cases name the
//! rules they check (`Case::checks`) and `COVERAGE.md` is generated from both.

use serde::Deserialize;

/// One chapter's list, as written in `rules/<chapter>.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Chapter {
    #[serde(default)]
    rule: Vec<Rule>,
}

/// One named rule of the spec.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Stable id, `<chapter>.<area>.<rule>` (lower case, dots and dashes).
    pub id: String,
    /// Where it comes from, e.g. `files.md §4.6`.
    pub spec: String,
    /// The rule in one line.
    pub rule: String,
    /// Set when no HTTP client can check the rule: the reason.
    #[serde(default)]
    pub unchecked: Option<String>,
}

/// The chapters, in the order of the spec's reading list.
pub const CHAPTERS: [(&str, &str); 4] = [
    ("core", include_str!("../rules/core.toml")),
    ("processes", include_str!("../rules/processes.toml")),
    ("files", include_str!("../rules/files.toml")),
    ("containers", include_str!("../rules/containers.toml")),
];

/// Why the rule lists cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    /// A file is not valid TOML or has an unknown field.
    #[error("rules/{chapter}.toml: {source}")]
    Parse {
        /// The chapter file.
        chapter: &'static str,
        /// What the parser said (with line and column).
        source: toml::de::Error,
    },
    /// An id is malformed, outside its chapter, or given twice.
    #[error("rules/{chapter}.toml: rule {id:?}: {problem}")]
    Id {
        /// The chapter file.
        chapter: &'static str,
        /// The offending id.
        id: String,
        /// What is wrong with it.
        problem: &'static str,
    },
}

/// Every rule, chapter by chapter, in file order.
pub fn all() -> Result<Vec<Rule>, RulesError> {
    let mut out: Vec<Rule> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (chapter, text) in CHAPTERS {
        let parsed: Chapter =
            toml::from_str(text).map_err(|source| RulesError::Parse { chapter, source })?;
        for r in parsed.rule {
            let bad = |problem| RulesError::Id {
                chapter,
                id: r.id.clone(),
                problem,
            };
            if !well_formed(&r.id) {
                return Err(bad(
                    "ids are lower-case words (a-z, 0-9, -) joined by dots, at least three",
                ));
            }
            if r.id.split('.').next() != Some(chapter) {
                return Err(bad("the id must start with its chapter's name"));
            }
            if !seen.insert(r.id.clone()) {
                return Err(bad("given twice"));
            }
            out.push(r);
        }
    }
    Ok(out)
}

fn well_formed(id: &str) -> bool {
    let parts: Vec<&str> = id.split('.').collect();
    parts.len() >= 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && !p.starts_with('-')
                && !p.ends_with('-')
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_lists_load() {
        let rules = all().expect("rules load");
        assert!(!rules.is_empty());
    }

    #[test]
    fn ids_are_dotted_lower_case_words() {
        assert!(well_formed("files.edit.diff.hunk-merge"));
        assert!(!well_formed("files.edit"));
        assert!(!well_formed("files..x"));
        assert!(!well_formed("Files.edit.x"));
        assert!(!well_formed("files.edit.-x"));
    }
}
