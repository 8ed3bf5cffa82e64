//! From the live agent's answers to scenario sections: each GET route fills the section it
//! reveals, an error answer becomes the error the section can express, and anything else is
//! written down as a note (the scenario's description and stderr).

use super::live::Answer;
use crate::containers::wire::{Container, IS_TEST_RUN_LABEL, LOCAL_FOLDER_LABEL};
use crate::response::ApiResponse;
use crate::routes::containers::{LIST_FAILED_MESSAGE, NOT_ENABLED_MESSAGE, NOT_SUPPORTED_MESSAGE};
use crate::routes::debug::{LOG_MISSING, LOG_OPEN_FAILED};
use crate::routes::ports::SCAN_FAILED_MESSAGE;
use crate::scenario::containers::DevcontainerSpec;
use crate::scenario::{ListeningPort, PortsSource, Scenario, DEFAULT_IGNORE_PORTS};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::collections::BTreeSet;

/// What could not be put into the scenario, one line each.
pub type Notes = Vec<String>;

/// A note for an answer the recorder cannot express.
fn unexpressible(notes: &mut Notes, route: &str, answer: &Answer, what: &str) {
    let mut text = answer.text();
    if text.len() > 200 {
        let mut cut = 200;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push('…');
    }
    notes.push(format!(
        "GET {route} answered {} {:?}: {what}",
        answer.status,
        text.trim_end()
    ));
}

/// Parses a JSON body into a section type. The section types reject unknown fields; a field
/// the agent sends that the scenario has no place for is left out and noted (the check after
/// recording then lists the route as served differently).
fn parse<T: DeserializeOwned>(
    route: &str,
    answer: &Answer,
    notes: &mut Notes,
) -> Result<T, String> {
    let mut value: serde_json::Value =
        serde_json::from_slice(&answer.body).map_err(|e| format!("not JSON: {e}"))?;
    // Each round removes one unknown field; a body has few.
    for _ in 0..64 {
        let err = match serde_path_to_error::deserialize::<_, T>(&value) {
            Ok(parsed) => return Ok(parsed),
            Err(e) => e,
        };
        let message = err.inner().to_string();
        if !message.starts_with("unknown field `") || !remove(&mut value, err.path()) {
            return Err(format!("at {}: {message}", err.path()));
        }
        notes.push(format!(
            "GET {route}: field {} has no place in the scenario; left out",
            err.path()
        ));
    }
    Err("too many fields the scenario has no place for".into())
}

/// Removes the member at `path` (its last segment is the key); false when there is none.
fn remove(value: &mut serde_json::Value, path: &serde_path_to_error::Path) -> bool {
    use serde_path_to_error::Segment;
    let segments: Vec<&Segment> = path.iter().collect();
    let Some((Segment::Map { key }, parents)) = segments.split_last() else {
        return false;
    };
    let mut at = value;
    for seg in parents {
        let next = match seg {
            Segment::Seq { index } => at.get_mut(*index),
            Segment::Map { key } => at.get_mut(key.as_str()),
            _ => None,
        };
        match next {
            Some(v) => at = v,
            None => return false,
        }
    }
    at.as_object_mut()
        .is_some_and(|o| o.shift_remove(key.as_str()).is_some())
}

/// A route the scenario always answers with 200 from one section: the section read from the
/// answer, or a note.
fn always_ok<T: DeserializeOwned>(
    route: &str,
    what: &str,
    answer: &Answer,
    notes: &mut Notes,
) -> Option<T> {
    if answer.status != 200 {
        let why = format!("the scenario's {what} is always served");
        unexpressible(notes, route, answer, &why);
        return None;
    }
    match parse(route, answer, notes) {
        Ok(section) => Some(section),
        Err(e) => {
            let why = format!("not a {what} the scenario can hold ({e}); the default is kept");
            unexpressible(notes, route, answer, &why);
            None
        }
    }
}

/// `GET /debug/manifest` → `manifest`.
pub fn manifest(answer: &Answer, s: &mut Scenario, notes: &mut Notes) {
    if let Some(m) = always_ok("/debug/manifest", "manifest", answer, notes) {
        s.manifest = m;
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PortsAnswer {
    ports: Option<Vec<ListeningPort>>,
}

/// `GET /api/v0/listening-ports` → `listening_ports` (a static list, or the getter's error)
/// and `ignore_ports` (the default set minus ports the agent listed).
pub fn listening_ports(answer: &Answer, s: &mut Scenario, notes: &mut Notes) {
    const ROUTE: &str = "/api/v0/listening-ports";
    s.listening_ports.source = PortsSource::Static;
    match answer.status {
        200 => match parse::<PortsAnswer>(ROUTE, answer, notes) {
            Ok(p) => {
                let ports = p.ports.unwrap_or_default();
                s.ignore_ports = DEFAULT_IGNORE_PORTS
                    .into_iter()
                    .filter(|i| !ports.iter().any(|p| p.port == *i))
                    .collect();
                if let Some(low) = ports.iter().find(|p| p.port < 9) {
                    notes.push(format!(
                        "GET {ROUTE}: port {} is below 9, which an agent never lists; left out",
                        low.port
                    ));
                }
                s.listening_ports.ports = ports;
            }
            Err(e) => unexpressible(notes, ROUTE, answer, &format!("not a ports list ({e})")),
        },
        500 => match parse::<ApiResponse>(ROUTE, answer, notes) {
            Ok(r) if r.message == SCAN_FAILED_MESSAGE => {
                s.listening_ports.error = Some(r.detail);
            }
            _ => unexpressible(notes, ROUTE, answer, "not the getter's error"),
        },
        _ => unexpressible(notes, ROUTE, answer, "no scenario answers this"),
    }
}

/// `GET /api/v0/netcheck` → `netcheck`, served as written.
pub fn netcheck(answer: &Answer, s: &mut Scenario, notes: &mut Notes) {
    s.os_interfaces = None;
    if let Some(report) = always_ok("/api/v0/netcheck", "report", answer, notes) {
        s.netcheck = report;
    }
}

/// `codersdk.WorkspaceAgentListContainersResponse`, read back; a listed devcontainer has the
/// fields of a scenario's devcontainer.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ContainersAnswer {
    devcontainers: Option<Vec<DevcontainerSpec>>,
    containers: Option<Vec<Container>>,
    #[serde(default)]
    warnings: Vec<String>,
}

/// `GET /api/v0/containers` → `devcontainers`: the lister's answer, the devcontainers as
/// listed, the feature gate, or the lister's error. Call after `manifest`: "not supported"
/// needs a sub-agent's `parent_id`.
pub fn containers(answer: &Answer, s: &mut Scenario, notes: &mut Notes) {
    const ROUTE: &str = "/api/v0/containers";
    let dc = &mut s.devcontainers;
    match answer.status {
        200 => match parse::<ContainersAnswer>(ROUTE, answer, notes) {
            Ok(list) => {
                dc.enabled = true;
                dc.containers = list.containers;
                dc.warnings = list.warnings;
                dc.devcontainers =
                    known_devcontainers(list.devcontainers, dc.containers.as_deref(), notes);
                if s.manifest.parent_id.is_nil() {
                    return;
                }
                unexpressible(
                    notes,
                    ROUTE,
                    answer,
                    "a sub-agent (non-nil parent_id) that lists containers; the scenario's sub-agent answers 403",
                );
            }
            Err(e) => unexpressible(
                notes,
                ROUTE,
                answer,
                &format!("not a containers list ({e})"),
            ),
        },
        403 => match parse::<ApiResponse>(ROUTE, answer, notes) {
            Ok(r) if r.message == NOT_ENABLED_MESSAGE && s.manifest.parent_id.is_nil() => {
                dc.enabled = false;
            }
            Ok(r) if r.message == NOT_SUPPORTED_MESSAGE && !s.manifest.parent_id.is_nil() => {}
            Ok(r) if r.message == NOT_SUPPORTED_MESSAGE => unexpressible(
                notes,
                ROUTE,
                answer,
                "\"not supported\" from an agent whose manifest has no parent_id",
            ),
            _ => unexpressible(notes, ROUTE, answer, "not the feature gate's answer"),
        },
        500 => match parse::<ApiResponse>(ROUTE, answer, notes) {
            Ok(r) if r.message == LIST_FAILED_MESSAGE => dc.list_error = Some(r.detail),
            _ => unexpressible(notes, ROUTE, answer, "not the lister's error"),
        },
        _ => unexpressible(notes, ROUTE, answer, "no scenario answers this"),
    }
}

/// The folder a labelled container makes a devcontainer of (as the agent detects them).
fn detected_folder(c: &Container) -> Option<&str> {
    let folder = c.label(LOCAL_FOLDER_LABEL);
    (!folder.is_empty() && c.label(IS_TEST_RUN_LABEL) != "true").then_some(folder)
}

/// Folder of the ignored devcontainer that stands for devcontainers the agent knows but does
/// not list, when no labelled container names one.
pub const HIDDEN_FOLDER: &str = "/.agent-sim-record/hidden";

/// The devcontainers as listed, plus an ignored one for every labelled container whose folder
/// is not listed (the agent knows it but hides it), so the simulator does not detect it anew.
fn known_devcontainers(
    listed: Option<Vec<DevcontainerSpec>>,
    containers: Option<&[Container]>,
    notes: &mut Notes,
) -> Vec<DevcontainerSpec> {
    let listed_is_empty_list = listed.as_ref().is_some_and(Vec::is_empty);
    let mut known = listed.unwrap_or_default();
    let ids: BTreeSet<&str> = containers
        .unwrap_or_default()
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    for d in &mut known {
        if let Some(c) = &d.container {
            if !ids.contains(c.id.as_str()) {
                notes.push(format!(
                    "GET /api/v0/containers: devcontainer {} shows container {:?}, which the list does not hold; left unlinked",
                    d.workspace_folder, c.id
                ));
                d.container = None;
            }
        }
    }
    let listed_folders: BTreeSet<String> =
        known.iter().map(|d| d.workspace_folder.clone()).collect();
    let hidden: BTreeSet<&str> = containers
        .unwrap_or_default()
        .iter()
        .filter_map(detected_folder)
        .filter(|f| !listed_folders.contains(*f))
        .collect();
    for folder in hidden {
        known.push(hidden_devcontainer(folder));
    }
    if known.is_empty() && listed_is_empty_list {
        // `"devcontainers": []`: the agent knows devcontainers, all of them ignored.
        known.push(hidden_devcontainer(HIDDEN_FOLDER));
    }
    known
}

fn hidden_devcontainer(folder: &str) -> DevcontainerSpec {
    let mut h: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    for b in folder.bytes() {
        h ^= u128::from(b);
        h = h.wrapping_mul(0x0000_0000_0100_0000_0000_0000_0000_013b);
    }
    DevcontainerSpec {
        id: uuid::Builder::from_random_bytes(h.to_le_bytes()).into_uuid(),
        name: String::new(),
        workspace_folder: folder.to_string(),
        config_path: String::new(),
        subagent_id: None,
        status: crate::containers::wire::Status::Stopped,
        dirty: false,
        container: None,
        agent: None,
        error: String::new(),
        ignored: true,
    }
}

/// `GET /debug/logs` → `debug.logs` (`logs_base64` when not UTF-8), or a missing file.
pub fn logs(answer: &Answer, s: &mut Scenario, notes: &mut Notes) {
    const ROUTE: &str = "/debug/logs";
    let d = &mut s.debug;
    match answer.status {
        200 => match String::from_utf8(answer.body.clone()) {
            Ok(text) => {
                d.logs = Some(text);
                d.logs_base64 = None;
            }
            Err(_) => {
                use base64::Engine as _;
                d.logs = Some(String::new());
                d.logs_base64 =
                    Some(base64::engine::general_purpose::STANDARD.encode(&answer.body));
            }
        },
        500 => {
            let text = answer.text();
            match text
                .strip_prefix(LOG_OPEN_FAILED)
                .and_then(|t| t.strip_suffix(LOG_MISSING))
            {
                Some(path) => {
                    d.logs = None;
                    d.logs_base64 = None;
                    d.log_path = path.to_string();
                }
                None => unexpressible(
                    notes,
                    ROUTE,
                    answer,
                    "only a missing log file can be expressed",
                ),
            }
        }
        _ => unexpressible(notes, ROUTE, answer, "no scenario answers this"),
    }
}

/// `GET /debug/magicsock` → `debug.magicsock`.
pub fn magicsock(answer: &Answer, s: &mut Scenario, notes: &mut Notes) {
    const ROUTE: &str = "/debug/magicsock";
    if answer.status != 200 {
        return unexpressible(notes, ROUTE, answer, "the scenario's page is always served");
    }
    match String::from_utf8(answer.body.clone()) {
        Ok(page) => s.debug.magicsock = page,
        Err(_) => {
            s.debug.magicsock = answer.text();
            notes.push(format!(
                "GET {ROUTE}: the page is not UTF-8; recorded with invalid bytes replaced"
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &[u8]) -> Answer {
        Answer {
            status,
            content_type: None,
            body: body.to_vec(),
        }
    }

    #[test]
    fn unknown_manifest_fields_are_left_out_and_noted() {
        let mut s = Scenario::default();
        let mut notes = Notes::new();
        let body = br#"{"agent_name":"dev","brand_new":1,"apps":[{"id":"6b1f2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d","slug":"a","shiny":true}]}"#;
        manifest(&answer(200, body), &mut s, &mut notes);
        assert_eq!(s.manifest.agent_name, "dev");
        assert_eq!(s.manifest.apps.len(), 1);
        assert_eq!(
            notes,
            vec![
                "GET /debug/manifest: field brand_new has no place in the scenario; left out",
                "GET /debug/manifest: field apps[0].shiny has no place in the scenario; left out",
            ]
        );
    }

    #[test]
    fn logs_of_any_bytes_and_a_missing_log_file() {
        let mut s = Scenario::default();
        let mut notes = Notes::new();
        logs(&answer(200, &[0xff, b'\n']), &mut s, &mut notes);
        assert_eq!(s.debug.log_bytes().as_deref(), Some(&[0xff, b'\n'][..]));
        logs(
            &answer(
                500,
                b"could not open log file: open /var/log/x.log: no such file or directory",
            ),
            &mut s,
            &mut notes,
        );
        assert_eq!(
            (s.debug.logs.as_deref(), s.debug.log_path.as_str()),
            (None, "/var/log/x.log")
        );
        assert!(notes.is_empty(), "{notes:?}");
        logs(
            &answer(500, b"could not open log file: open /x: permission denied"),
            &mut s,
            &mut notes,
        );
        assert_eq!(notes.len(), 1, "{notes:?}");
    }

    #[test]
    fn containers_gate_and_errors() {
        let mut s = Scenario::default();
        let mut notes = Notes::new();
        let gate = br#"{"message":"Dev Container feature not enabled.","detail":"x"}"#;
        containers(&answer(403, gate), &mut s, &mut notes);
        assert!(!s.devcontainers.enabled);
        let failed = br#"{"message":"Could not get containers","detail":"docker: not found"}"#;
        containers(&answer(500, failed), &mut s, &mut notes);
        assert_eq!(
            s.devcontainers.list_error.as_deref(),
            Some("docker: not found")
        );
        assert!(notes.is_empty(), "{notes:?}");
        let unsupported = br#"{"message":"Dev Container feature not supported."}"#;
        containers(&answer(403, unsupported), &mut s, &mut notes);
        assert_eq!(notes.len(), 1, "not supported needs a parent_id: {notes:?}");
    }

    #[test]
    fn an_empty_devcontainer_list_keeps_a_hidden_one() {
        let mut s = Scenario::default();
        let mut notes = Notes::new();
        containers(
            &answer(200, br#"{"devcontainers":[],"containers":[]}"#),
            &mut s,
            &mut notes,
        );
        let known = &s.devcontainers.devcontainers;
        assert_eq!(known.len(), 1);
        assert!(known[0].ignored);
        assert_eq!(known[0].workspace_folder, HIDDEN_FOLDER);
        containers(
            &answer(200, br#"{"devcontainers":null,"containers":null}"#),
            &mut s,
            &mut notes,
        );
        assert!(s.devcontainers.devcontainers.is_empty());
        assert_eq!(s.devcontainers.containers, None);
    }
}
