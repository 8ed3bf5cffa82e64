//! The containers API's data and its status machine, synchronous and without timers: what the
//! agent keeps under `api.mu` (the lister's last answer, the known devcontainers keyed by
//! workspace folder) and the steps of a recreate and a delete. [`super::ContainerStore`] runs
//! the steps on a clock and tells watchers.

use super::names::make_agent_name;
use super::wire::{
    Container, Devcontainer, DevcontainerAgent, ListResponse, Status, CONFIG_FILE_LABEL,
    IS_TEST_RUN_LABEL, LOCAL_FOLDER_LABEL,
};
use crate::gotime::GoTime;
use crate::scenario::containers::{DevcontainersConfig, FailingStep, FailureRule, Timings};
use crate::seeded::{fnv1a, SplitMix64};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;
use uuid::Uuid;

/// One known devcontainer (`knownDevcontainers[folder]` plus the agent's side tables).
#[derive(Debug, Clone, PartialEq)]
pub struct KnownDevcontainer {
    pub id: Uuid,
    pub name: String,
    pub workspace_folder: String,
    pub config_path: String,
    pub subagent_id: Option<Uuid>,
    pub status: Status,
    pub dirty: bool,
    /// The linked container, by id, in the lister's list.
    pub container_id: Option<String>,
    /// The running sub-agent shown as `agent`.
    pub agent: Option<DevcontainerAgent>,
    pub error: String,
    /// `customizations.coder.ignore`: known, never listed.
    pub ignored: bool,
    /// The name came from the scenario (manifest/Terraform) or a sub-agent: never reset.
    pub name_reserved: bool,
    /// `recreateErrorTimes[folder]`.
    pub error_time: Option<GoTime>,
}

/// Why an operation was refused, with the agent's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Empty `{devcontainer}` path segment: 400.
    MissingId,
    /// No devcontainer has that id (exact canonical string): 404 (the route quotes the path
    /// parameter's bytes).
    NotFound,
    /// The devcontainer is starting, stopping or deleting: 409.
    Transitioning { name: String, status: Status },
}

/// A delete step failed: 500 with the error text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepFailure {
    pub step: FailingStep,
    pub error: String,
}

/// A recreate in flight (`CreateDevcontainer` running `devcontainer up`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecreatePlan {
    pub epoch: u64,
    pub id: Uuid,
    pub name: String,
    pub folder: String,
    pub delay: Duration,
}

/// A delete in flight (the synchronous part of `handleDevcontainerDelete`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletePlan {
    pub epoch: u64,
    pub id: Uuid,
    pub folder: String,
    pub container_id: Option<String>,
    pub has_agent: bool,
    pub stop_delay: Duration,
    pub remove_delay: Duration,
}

/// Everything the containers API knows.
#[derive(Debug, Clone, Default)]
pub struct State {
    /// Bumped when the data is replaced; plans of an older epoch no longer apply.
    pub epoch: u64,
    containers: Option<Vec<Container>>,
    warnings: Vec<String>,
    list_error: Option<String>,
    known: BTreeMap<String, KnownDevcontainer>,
    config_modified: HashMap<String, GoTime>,
    /// Names no detected devcontainer may take.
    reserved_names: HashSet<String>,
    timings: Timings,
    failures: Vec<FailureRule>,
    failures_used: Vec<u32>,
    /// Counters that make generated ids differ and stay reproducible.
    detections: u64,
    containers_created: u64,
}

fn devcontainer_folder(c: &Container) -> Option<&str> {
    let folder = c.label(LOCAL_FOLDER_LABEL);
    // Without include filters the agent skips @devcontainers/cli test containers.
    (!folder.is_empty() && c.label(IS_TEST_RUN_LABEL) != "true").then_some(folder)
}

impl State {
    /// The state a scenario describes, as the agent would hold it after its first refresh.
    pub fn load(cfg: &DevcontainersConfig, epoch: u64) -> Self {
        let now = GoTime::now();
        let mut st = State {
            epoch,
            containers: cfg.containers.clone(),
            warnings: cfg.warnings.clone(),
            list_error: cfg.list_error.clone(),
            ..State::default()
        };
        st.set_settings(cfg);
        for spec in &cfg.devcontainers {
            let container_id = match &spec.container {
                Some(c) => Some(c.id.clone()),
                None => st.labelled_container(&spec.workspace_folder),
            };
            if spec.dirty && !spec.config_path.is_empty() {
                st.config_modified.insert(spec.config_path.clone(), now);
            }
            if !spec.name.is_empty() {
                st.reserved_names.insert(spec.name.clone());
            }
            st.known.insert(
                spec.workspace_folder.clone(),
                KnownDevcontainer {
                    id: spec.id,
                    name: spec.name.clone(),
                    workspace_folder: spec.workspace_folder.clone(),
                    config_path: spec.config_path.clone(),
                    subagent_id: spec.subagent_id,
                    status: spec.status,
                    dirty: spec.dirty,
                    container_id,
                    agent: spec.agent.clone(),
                    error: spec.error.clone(),
                    ignored: spec.ignored,
                    name_reserved: !spec.name.is_empty(),
                    error_time: (spec.status == Status::Error).then_some(now),
                },
            );
        }
        st.detect_new(false);
        st
    }

    /// Takes new timings and failure rules (the counts of `times` start again).
    pub fn set_settings(&mut self, cfg: &DevcontainersConfig) {
        self.timings = cfg.timings.clone();
        self.failures = cfg.failures.clone();
        self.failures_used = vec![0; cfg.failures.len()];
    }

    fn containers(&self) -> &[Container] {
        self.containers.as_deref().unwrap_or_default()
    }

    /// The last listed container labelled with `folder` (the agent keeps the last match).
    fn labelled_container(&self, folder: &str) -> Option<String> {
        self.containers()
            .iter()
            .rfind(|c| devcontainer_folder(c) == Some(folder))
            .map(|c| c.id.clone())
    }

    fn container(&self, id: &str) -> Option<&Container> {
        self.containers().iter().find(|c| c.id == id)
    }

    /// Runtime detection: a labelled container whose folder is unknown becomes a devcontainer
    /// with a fresh id and a folder-derived name.
    fn detect_new(&mut self, relink: bool) {
        let found: Vec<(String, String, String, bool, String)> = self
            .containers()
            .iter()
            .filter_map(|c| {
                devcontainer_folder(c).map(|f| {
                    (
                        f.to_string(),
                        c.id.clone(),
                        c.label(CONFIG_FILE_LABEL).to_string(),
                        c.running,
                        c.name.clone(),
                    )
                })
            })
            .collect();
        for (folder, cid, config, running, friendly) in found {
            if let Some(dc) = self.known.get_mut(&folder) {
                // At load a link the scenario gave stays; a refresh relinks (last one wins).
                if relink || dc.container_id.is_none() {
                    dc.container_id = Some(cid);
                }
                continue;
            }
            let mut rng = SplitMix64::new(fnv1a(&folder, self.detections));
            self.detections += 1;
            let mut bytes = [0u8; 16];
            bytes[..8].copy_from_slice(&rng.next_u64().to_le_bytes());
            bytes[8..].copy_from_slice(&rng.next_u64().to_le_bytes());
            let name = make_agent_name(&folder, &friendly, &self.reserved_names);
            self.reserved_names.insert(name.clone());
            self.known.insert(
                folder.clone(),
                KnownDevcontainer {
                    id: uuid::Builder::from_random_bytes(bytes).into_uuid(),
                    name,
                    workspace_folder: folder,
                    config_path: config,
                    subagent_id: None,
                    status: if running {
                        Status::Running
                    } else {
                        Status::Stopped
                    },
                    dirty: false,
                    container_id: Some(cid),
                    agent: None,
                    error: String::new(),
                    ignored: false,
                    name_reserved: true,
                    error_time: None,
                },
            );
        }
    }

    /// A refresh with a new lister answer (`updateContainers` + `processUpdatedContainersLocked`).
    pub fn refresh(&mut self, cfg: &DevcontainersConfig) {
        self.warnings = cfg.warnings.clone();
        if let Some(e) = &cfg.list_error {
            // The last good list is kept but not served.
            self.list_error = Some(e.clone());
            return;
        }
        self.list_error = None;
        self.containers = cfg.containers.clone();
        for dc in self.known.values_mut() {
            dc.container_id = None;
        }
        self.detect_new(true);
        let folders: Vec<String> = self.known.keys().cloned().collect();
        for folder in folders {
            self.derive_status(&folder);
        }
    }

    /// §8.2: the status a refresh gives a devcontainer from its container.
    fn derive_status(&mut self, folder: &str) {
        let Some(dc) = self.known.get(folder) else {
            return;
        };
        let container = dc.container_id.as_deref().and_then(|id| self.container(id));
        let (running, created) = match container {
            Some(c) => (Some(c.running), c.created_at),
            None => (None, GoTime::default()),
        };
        let modified = self.config_modified.get(&dc.config_path).copied();
        let Some(dc) = self.known.get_mut(folder) else {
            return;
        };
        if dc.status.transitioning() {
            return;
        }
        if dc.status == Status::Error
            && (running.is_none() || dc.error_time.is_some_and(|t| created.before(&t)))
        {
            return;
        }
        match running {
            Some(running) => {
                dc.status = if running {
                    Status::Running
                } else {
                    Status::Stopped
                };
                dc.dirty = modified.is_some_and(|m| created.before(&m));
                if running {
                    dc.error.clear();
                }
            }
            None => {
                if !dc.name_reserved {
                    dc.name.clear();
                }
                dc.status = Status::Stopped;
                dc.dirty = false;
            }
        }
        dc.error_time = None;
    }

    /// `getContainers`: the list answer, or the lister's error.
    pub fn snapshot(&self) -> Result<ListResponse, String> {
        if let Some(e) = &self.list_error {
            return Err(e.clone());
        }
        let devcontainers = (!self.known.is_empty()).then(|| {
            // BTreeMap order is byte-wise by folder, as `strings.Compare` sorts.
            self.known
                .values()
                .filter(|dc| !dc.ignored)
                .map(|dc| self.wire(dc))
                .collect()
        });
        Ok(ListResponse {
            devcontainers,
            containers: self.containers.clone(),
            warnings: self.warnings.clone(),
        })
    }

    fn wire(&self, dc: &KnownDevcontainer) -> Devcontainer {
        Devcontainer {
            id: dc.id,
            name: dc.name.clone(),
            workspace_folder: dc.workspace_folder.clone(),
            config_path: dc.config_path.clone(),
            subagent_id: dc.subagent_id,
            status: dc.status,
            dirty: dc.dirty,
            container: dc
                .container_id
                .as_deref()
                .and_then(|id| self.container(id))
                .cloned(),
            agent: dc.agent.clone(),
            error: dc.error.clone(),
        }
    }

    /// The devcontainers as `Equals` sees them, to decide whether a change is broadcast.
    pub fn devcontainer_view(&self) -> Vec<Devcontainer> {
        self.known.values().map(|dc| self.wire(dc)).collect()
    }

    /// Every known devcontainer (ignored ones included).
    pub fn known(&self) -> impl Iterator<Item = &KnownDevcontainer> {
        self.known.values()
    }

    fn find(&self, id: &str) -> Result<&KnownDevcontainer, Refusal> {
        if id.is_empty() {
            return Err(Refusal::MissingId);
        }
        let dc = self
            .known
            .values()
            .find(|dc| dc.id.to_string() == id)
            .ok_or(Refusal::NotFound)?;
        if dc.status.transitioning() {
            return Err(Refusal::Transitioning {
                name: dc.name.clone(),
                status: dc.status,
            });
        }
        Ok(dc)
    }

    /// Consumes a matching failure rule, if one still applies.
    fn take_failure(&mut self, folder: &str, step: FailingStep) -> Option<FailureRule> {
        let i = self.failures.iter().enumerate().position(|(i, r)| {
            r.workspace_folder == folder
                && r.step == step
                && r.times.is_none_or(|n| self.failures_used[i] < n)
        })?;
        self.failures_used[i] += 1;
        Some(self.failures[i].clone())
    }

    /// `handleDevcontainerRecreate`: checks, then `starting` with no container and no error.
    pub fn begin_recreate(&mut self, id: &str) -> Result<RecreatePlan, Refusal> {
        let folder = self.find(id)?.workspace_folder.clone();
        let delay = Duration::from_millis(self.timings.recreate_ms);
        let dc = self.known.get_mut(&folder).ok_or(Refusal::NotFound)?;
        dc.status = Status::Starting;
        dc.container_id = None;
        dc.error.clear();
        Ok(RecreatePlan {
            epoch: self.epoch,
            id: dc.id,
            name: dc.name.clone(),
            folder,
            delay,
        })
    }

    fn owns(&self, epoch: u64, folder: &str, id: Uuid, status: Status) -> bool {
        epoch == self.epoch
            && self
                .known
                .get(folder)
                .is_some_and(|dc| dc.id == id && dc.status == status)
    }

    /// `devcontainer up` finished: a new running container, or the configured failure.
    /// Returns whether anything changed (false when the plan is stale).
    pub fn finish_recreate(&mut self, plan: &RecreatePlan, now: GoTime) -> bool {
        if !self.owns(plan.epoch, &plan.folder, plan.id, Status::Starting) {
            return false;
        }
        let failure = self.take_failure(&plan.folder, FailingStep::Recreate);
        match failure {
            Some(f) if !f.container_created => {
                let linked = self.labelled_container(&plan.folder);
                if let Some(dc) = self.known.get_mut(&plan.folder) {
                    dc.status = Status::Error;
                    dc.error = f.error;
                    dc.error_time = Some(now);
                    dc.container_id = linked;
                }
            }
            other => {
                let cid = self.create_container(&plan.folder, now);
                if let Some(dc) = self.known.get_mut(&plan.folder) {
                    dc.status = Status::Running;
                    dc.dirty = false;
                    dc.error = other.map(|f| f.error).unwrap_or_default();
                    dc.error_time = None;
                    dc.container_id = Some(cid);
                }
            }
        }
        true
    }

    /// The container `devcontainer up --remove-existing-container` leaves behind: it replaces
    /// the folder's old container in the list (same name, image, labels, ports, volumes).
    fn create_container(&mut self, folder: &str, now: GoTime) -> String {
        let mut rng = SplitMix64::new(fnv1a(folder, 1 << 32 | self.containers_created));
        self.containers_created += 1;
        let id: String = (0..4).map(|_| format!("{:016x}", rng.next_u64())).collect();
        let config = self
            .known
            .get(folder)
            .map(|dc| dc.config_path.clone())
            .unwrap_or_default();
        let old = self.labelled_container(folder);
        let list = self.containers.get_or_insert_with(Vec::new);
        let pos = old.and_then(|o| list.iter().position(|c| c.id == o));
        let template = pos.map(|p| list[p].clone()).unwrap_or_else(|| {
            let base = folder.rsplit('/').find(|s| !s.is_empty()).unwrap_or("dev");
            let mut labels = BTreeMap::new();
            labels.insert(LOCAL_FOLDER_LABEL.to_string(), folder.to_string());
            if !config.is_empty() {
                labels.insert(CONFIG_FILE_LABEL.to_string(), config.clone());
            }
            let mut volumes = BTreeMap::new();
            volumes.insert(folder.to_string(), format!("/workspaces/{base}"));
            Container {
                created_at: now,
                id: String::new(),
                name: format!("{}-devcontainer", base.to_lowercase()),
                image: "mcr.microsoft.com/devcontainers/base:ubuntu".to_string(),
                labels: Some(labels),
                running: true,
                ports: Some(Vec::new()),
                status: "running".to_string(),
                volumes: Some(volumes),
            }
        });
        let fresh = Container {
            created_at: now,
            id: id.clone(),
            running: true,
            status: "running".to_string(),
            ..template
        };
        match pos {
            Some(p) => list[p] = fresh,
            None => list.push(fresh),
        }
        id
    }

    /// `handleDevcontainerDelete` up to the unlock: checks, then `stopping`, error cleared.
    pub fn begin_delete(&mut self, id: &str) -> Result<DeletePlan, Refusal> {
        let folder = self.find(id)?.workspace_folder.clone();
        let (stop_delay, remove_delay) = (
            Duration::from_millis(self.timings.stop_ms),
            Duration::from_millis(self.timings.remove_ms),
        );
        let dc = self.known.get_mut(&folder).ok_or(Refusal::NotFound)?;
        dc.status = Status::Stopping;
        dc.error.clear();
        let has_container = dc.container_id.is_some();
        Ok(DeletePlan {
            epoch: self.epoch,
            id: dc.id,
            folder,
            container_id: dc.container_id.clone(),
            has_agent: dc.agent.is_some(),
            stop_delay: if has_container {
                stop_delay
            } else {
                Duration::ZERO
            },
            remove_delay: if has_container {
                remove_delay
            } else {
                Duration::ZERO
            },
        })
    }

    fn fail(&mut self, folder: &str, step: FailingStep, error: String) -> StepFailure {
        if let Some(dc) = self.known.get_mut(folder) {
            dc.status = Status::Error;
            dc.error = error.clone();
        }
        StepFailure { step, error }
    }

    /// `docker stop` returned: on success the container is stopped and the devcontainer is
    /// `deleting`. A stale plan changes nothing and carries on.
    pub fn delete_stopped(&mut self, plan: &DeletePlan) -> Result<(), StepFailure> {
        if !self.owns(plan.epoch, &plan.folder, plan.id, Status::Stopping) {
            return Ok(());
        }
        if let Some(cid) = &plan.container_id {
            if let Some(f) = self.take_failure(&plan.folder, FailingStep::Stop) {
                return Err(self.fail(&plan.folder, FailingStep::Stop, f.error));
            }
            if let Some(c) = self
                .containers
                .as_mut()
                .and_then(|l| l.iter_mut().find(|c| &c.id == cid))
            {
                c.running = false;
                c.status = "exited with code 137".to_string();
            }
        }
        if let Some(dc) = self.known.get_mut(&plan.folder) {
            dc.status = Status::Deleting;
            dc.error.clear();
        }
        Ok(())
    }

    /// `docker rm` and the sub-agent delete returned: on success the devcontainer is forgotten
    /// and its container gone from the list.
    pub fn delete_removed(&mut self, plan: &DeletePlan) -> Result<(), StepFailure> {
        if !self.owns(plan.epoch, &plan.folder, plan.id, Status::Deleting) {
            return Ok(());
        }
        if let Some(cid) = &plan.container_id {
            if let Some(f) = self.take_failure(&plan.folder, FailingStep::Remove) {
                return Err(self.fail(&plan.folder, FailingStep::Remove, f.error));
            }
            if let Some(list) = self.containers.as_mut() {
                list.retain(|c| &c.id != cid);
            }
        }
        if plan.has_agent {
            if let Some(f) = self.take_failure(&plan.folder, FailingStep::AgentDelete) {
                return Err(self.fail(&plan.folder, FailingStep::AgentDelete, f.error));
            }
        }
        if let Some(dc) = self.known.remove(&plan.folder) {
            self.reserved_names.remove(&dc.name);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scenario;

    fn cfg(json: &str) -> DevcontainersConfig {
        Scenario::from_json("test", json)
            .unwrap_or_else(|e| panic!("{e}"))
            .devcontainers
    }

    const ONE: &str = r#"{"devcontainers":{
        "containers":[{"id":"c1","name":"box","running":true,"status":"running",
            "labels":{"devcontainer.local_folder":"/w/p","devcontainer.config_file":"/w/p/.devcontainer/devcontainer.json"}}],
        "devcontainers":[{"id":"6b1f2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d","name":"p","workspace_folder":"/w/p","status":"running"}],
        "failures":[{"workspace_folder":"/w/p","step":"recreate","error":"boom","times":1}]}}"#;

    #[test]
    fn recreate_walks_starting_to_error_then_running() {
        let mut st = State::load(&cfg(ONE), 1);
        let id = "6b1f2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
        let plan = st.begin_recreate(id).unwrap();
        assert_eq!(
            st.begin_recreate(id),
            Err(Refusal::Transitioning {
                name: "p".into(),
                status: Status::Starting
            })
        );
        let snap = st.snapshot().unwrap().devcontainers.unwrap();
        assert_eq!(snap[0].status, Status::Starting);
        assert!(snap[0].container.is_none());
        assert!(st.finish_recreate(&plan, GoTime::now()));
        let dc = &st.snapshot().unwrap().devcontainers.unwrap()[0];
        assert_eq!((dc.status, dc.error.as_str()), (Status::Error, "boom"));
        let plan = st.begin_recreate(id).unwrap();
        assert!(st.finish_recreate(&plan, GoTime::now()));
        let snap = st.snapshot().unwrap();
        let dc = &snap.devcontainers.as_ref().unwrap()[0];
        assert_eq!((dc.status, dc.error.as_str()), (Status::Running, ""));
        let c = dc.container.as_ref().unwrap();
        assert_ne!(c.id, "c1");
        assert_eq!(c.id.len(), 64);
        assert_eq!(snap.containers.as_ref().unwrap().len(), 1);
        // A stale plan (finished already) changes nothing.
        assert!(!st.finish_recreate(&plan, GoTime::now()));
    }

    #[test]
    fn delete_removes_devcontainer_and_container() {
        let mut st = State::load(&cfg(ONE), 1);
        let plan = st
            .begin_delete("6b1f2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d")
            .unwrap();
        assert_eq!(plan.container_id.as_deref(), Some("c1"));
        st.delete_stopped(&plan).unwrap();
        assert_eq!(st.known().next().unwrap().status, Status::Deleting);
        st.delete_removed(&plan).unwrap();
        let snap = st.snapshot().unwrap();
        assert_eq!(snap.devcontainers, None);
        assert_eq!(snap.containers, Some(vec![]));
    }

    #[test]
    fn detection_names_and_links_labelled_containers() {
        let st = State::load(
            &cfg(r#"{"devcontainers":{"containers":[
                {"id":"a","name":"x","running":true,"labels":{"devcontainer.local_folder":"/home/coder/project"}},
                {"id":"b","name":"y","labels":{"devcontainer.local_folder":"/srv/project"}},
                {"id":"t","labels":{"devcontainer.local_folder":"/t","devcontainer.is_test_run":"true"}},
                {"id":"plain"}]}}"#),
            1,
        );
        let dcs = st.snapshot().unwrap().devcontainers.unwrap();
        let got: Vec<_> = dcs
            .iter()
            .map(|d| (d.workspace_folder.as_str(), d.name.as_str(), d.status))
            .collect();
        assert_eq!(
            got,
            vec![
                ("/home/coder/project", "project", Status::Running),
                ("/srv/project", "srv-project", Status::Stopped)
            ]
        );
        // Reproducible ids: the same scenario loads the same ids.
        let again = State::load(
            &cfg(
                r#"{"devcontainers":{"containers":[{"id":"a","name":"x","running":true,"labels":{"devcontainer.local_folder":"/home/coder/project"}}]}}"#,
            ),
            2,
        );
        assert_eq!(
            again.snapshot().unwrap().devcontainers.unwrap()[0].id,
            dcs[0].id
        );
    }

    #[test]
    fn refresh_relinks_and_derives_statuses_like_the_agent() {
        let mut c = cfg(r#"{"devcontainers":{
            "containers":[{"id":"x","created_at":"2026-01-01T00:00:00Z"}],
            "devcontainers":[
              {"id":"00000000-0000-4000-8000-000000000001","name":"a","workspace_folder":"/a","status":"stopped","container":{"id":"x"}},
              {"id":"00000000-0000-4000-8000-000000000002","name":"b","workspace_folder":"/b","status":"error","error":"e"},
              {"id":"00000000-0000-4000-8000-000000000003","name":"c","workspace_folder":"/c","config_path":"/c/dc.json","status":"running","dirty":true}]}}"#);
        let mut st = State::load(&c, 1);
        // The explicit link is kept at load.
        assert_eq!(
            st.known().next().unwrap().container_id.as_deref(),
            Some("x")
        );
        c.containers = Some(
            serde_json::from_str(
                r#"[{"id":"a1","running":true,"labels":{"devcontainer.local_folder":"/a"}},
                {"id":"a2","running":false,"labels":{"devcontainer.local_folder":"/a"}},
                {"id":"b1","running":true,"created_at":"2020-01-01T00:00:00Z","labels":{"devcontainer.local_folder":"/b"}},
                {"id":"c1","running":true,"created_at":"2020-01-01T00:00:00Z","labels":{"devcontainer.local_folder":"/c"}}]"#,
            )
            .unwrap(),
        );
        st.refresh(&c);
        let got: Vec<_> = st
            .known()
            .map(|d| {
                (
                    d.container_id.clone().unwrap_or_default(),
                    d.status,
                    d.dirty,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                // The last labelled container wins.
                ("a2".to_string(), Status::Stopped, false),
                // error stays while its container predates the error.
                ("b1".to_string(), Status::Error, false),
                // An old container is dirty against a config edited at load.
                ("c1".to_string(), Status::Running, true),
            ]
        );
        c.list_error = Some("boom".into());
        st.refresh(&c);
        assert_eq!(st.snapshot(), Err("boom".to_string()));
    }
}
