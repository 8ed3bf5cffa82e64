//! The status machine's invariants under any sequence of recreate, delete, list and the
//! completion of operations in flight, in any interleaving.

use agent_sim::containers::state::{DeletePlan, RecreatePlan, Refusal, State};
use agent_sim::containers::wire::Status;
use agent_sim::gotime::GoTime;
use proptest::prelude::*;
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone)]
enum Op {
    Recreate(usize),
    Delete(usize),
    List,
    /// Let the n-th operation in flight take its next step.
    Step(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0usize..6).prop_map(Op::Recreate),
        (0usize..6).prop_map(Op::Delete),
        Just(Op::List),
        (0usize..4).prop_map(Op::Step),
    ]
}

enum Flight {
    Recreate(RecreatePlan),
    Stop(DeletePlan),
    Remove(DeletePlan),
}

fn config() -> agent_sim::scenario::containers::DevcontainersConfig {
    agent_sim::Scenario::from_json(
        "props",
        r#"{"devcontainers":{
        "containers":[
          {"id":"c1","running":true,"labels":{"devcontainer.local_folder":"/w/1"}},
          {"id":"c9","running":true,"labels":{"devcontainer.local_folder":"/w/detected"}}],
        "devcontainers":[
          {"id":"00000000-0000-4000-8000-000000000001","name":"one","workspace_folder":"/w/1","status":"running"},
          {"id":"00000000-0000-4000-8000-000000000002","name":"two","workspace_folder":"/w/2","status":"stopped"},
          {"id":"00000000-0000-4000-8000-000000000003","name":"three","workspace_folder":"/w/3","status":"error","error":"x"}],
        "failures":[
          {"workspace_folder":"/w/1","step":"recreate","error":"up failed","times":2},
          {"workspace_folder":"/w/2","step":"stop","error":"stop failed","times":1},
          {"workspace_folder":"/w/1","step":"remove","error":"rm failed","times":1}]}}"#,
    )
    .unwrap()
    .devcontainers
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_sequence_keeps_the_invariants(ops in proptest::collection::vec(op(), 1..60)) {
        let mut st = State::load(&config(), 1);
        let ids: Vec<String> = st.known().map(|d| d.id.to_string()).collect();
        let mut targets = ids.clone();
        targets.push(String::new());
        targets.push("00000000-0000-4000-8000-0000000000ff".into());
        targets.push(ids[0].to_uppercase());
        let mut flights: Vec<Flight> = Vec::new();
        let mut deleted: HashSet<String> = HashSet::new();
        for op in ops {
            match op {
                Op::Recreate(i) => {
                    let id = &targets[i % targets.len()];
                    let before = st.known().find(|d| &d.id.to_string() == id).map(|d| d.status);
                    match st.begin_recreate(id) {
                        Ok(plan) => {
                            prop_assert!(before.is_some_and(|s| !s.transitioning()));
                            flights.push(Flight::Recreate(plan));
                        }
                        Err(Refusal::Transitioning { status, .. }) => {
                            prop_assert!(status.transitioning());
                            prop_assert_eq!(before, Some(status));
                        }
                        Err(Refusal::NotFound) => prop_assert!(before.is_none()),
                        Err(Refusal::MissingId) => prop_assert!(id.is_empty()),
                    }
                }
                Op::Delete(i) => {
                    let id = &targets[i % targets.len()];
                    if let Ok(plan) = st.begin_delete(id) {
                        flights.push(Flight::Stop(plan));
                    }
                }
                Op::List => {
                    let list = st.snapshot().unwrap();
                    let text = String::from_utf8(agent_sim::gojson::to_vec(&list)).unwrap();
                    for dc in list.devcontainers.unwrap_or_default() {
                        prop_assert!(!deleted.contains(&dc.id.to_string()));
                        prop_assert!(Status::ALL.contains(&dc.status));
                    }
                    prop_assert!(text.ends_with('\n'));
                }
                Op::Step(n) => {
                    if flights.is_empty() {
                        continue;
                    }
                    let f = flights.remove(n % flights.len());
                    match f {
                        Flight::Recreate(plan) => {
                            st.finish_recreate(&plan, GoTime::now());
                        }
                        Flight::Stop(plan) => {
                            if st.delete_stopped(&plan).is_ok() {
                                flights.push(Flight::Remove(plan));
                            }
                        }
                        Flight::Remove(plan) => {
                            if st.delete_removed(&plan).is_ok() {
                                deleted.insert(plan.id.to_string());
                            }
                        }
                    }
                }
            }
            // Never two operations on one devcontainer at once, and an operation in flight
            // always owns a transitioning devcontainer.
            let mut owners: HashMap<String, usize> = HashMap::new();
            for f in &flights {
                let folder = match f {
                    Flight::Recreate(p) => &p.folder,
                    Flight::Stop(p) | Flight::Remove(p) => &p.folder,
                };
                *owners.entry(folder.clone()).or_default() += 1;
            }
            for dc in st.known() {
                let n = owners.get(&dc.workspace_folder).copied().unwrap_or(0);
                prop_assert!(n <= 1, "{} operations on {}", n, dc.workspace_folder);
                prop_assert_eq!(n == 1, dc.status.transitioning(), "{:?}", dc);
                prop_assert!(!deleted.contains(&dc.id.to_string()));
            }
            // Ids stay unique.
            let ids: HashSet<_> = st.known().map(|d| d.id).collect();
            prop_assert_eq!(ids.len(), st.known().count());
        }
    }
}

#[derive(Debug, Clone)]
enum Call {
    Recreate(usize),
    Delete(usize),
    List,
    Pause,
}

fn call() -> impl Strategy<Value = Call> {
    prop_oneof![
        (0usize..5).prop_map(Call::Recreate),
        (0usize..5).prop_map(Call::Delete),
        Just(Call::List),
        Just(Call::Pause),
    ]
}

const HTTP_SCENARIO: &str = r#"{"devcontainers":{
    "timings":{"recreate_ms":3,"stop_ms":2,"remove_ms":2},
    "containers":[{"id":"c1","running":true,"labels":{"devcontainer.local_folder":"/w/1"}}],
    "devcontainers":[
      {"id":"00000000-0000-4000-8000-000000000001","name":"one","workspace_folder":"/w/1","status":"running"},
      {"id":"00000000-0000-4000-8000-000000000002","name":"two","workspace_folder":"/w/2"},
      {"id":"00000000-0000-4000-8000-000000000003","name":"three","workspace_folder":"/w/3","status":"error"}],
    "failures":[{"workspace_folder":"/w/1","step":"remove","error":"rm failed","times":1},
                {"workspace_folder":"/w/2","step":"recreate","error":"up failed","times":1}]}}"#;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// The same through the real router, with operations running on their simulated clock.
    #[test]
    fn any_sequence_of_http_calls_keeps_the_invariants(calls in proptest::collection::vec(call(), 1..25)) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async move {
            let api = crate::Api::new(HTTP_SCENARIO);
            let ids = [
                "00000000-0000-4000-8000-000000000001",
                "00000000-0000-4000-8000-000000000002",
                "00000000-0000-4000-8000-000000000003",
                "00000000-0000-4000-8000-0000000000ff",
                "",
            ];
            let mut deleted: HashSet<&str> = HashSet::new();
            for c in calls {
                match c {
                    Call::Recreate(i) => {
                        let r = api.call("POST", &format!("/api/v0/containers/devcontainers/{}/recreate", ids[i])).await;
                        let code = r.status.as_u16();
                        assert!([202, 409, 404, 400].contains(&code), "{code}");
                        if deleted.contains(ids[i]) || i == 3 { assert_eq!(code, 404); }
                        if i == 4 { assert_eq!(code, 400); }
                    }
                    Call::Delete(i) => {
                        let r = api.call("DELETE", &format!("/api/v0/containers/devcontainers/{}", ids[i])).await;
                        let code = r.status.as_u16();
                        assert!([204, 409, 404, 400, 500].contains(&code), "{code}");
                        if code == 204 { deleted.insert(ids[i]); }
                    }
                    Call::List => {
                        for dc in api.devcontainers().await {
                            let status = dc["status"].as_str().unwrap();
                            assert!(Status::ALL.iter().any(|s| s.as_str() == status), "{status}");
                            assert!(!deleted.contains(dc["id"].as_str().unwrap()), "{dc}");
                        }
                    }
                    Call::Pause => tokio::time::sleep(std::time::Duration::from_millis(3)).await,
                }
            }
            // Everything in flight ends, leaving no transitioning devcontainer behind.
            for _ in 0..200 {
                if api.state.containers().live_tasks() == 0 { break; }
                tokio::time::sleep(std::time::Duration::from_millis(2)).await;
            }
            assert_eq!(api.state.containers().live_tasks(), 0);
            for dc in api.devcontainers().await {
                assert!(!["starting", "stopping", "deleting"].contains(&dc["status"].as_str().unwrap()), "{dc}");
            }
        });
    }
}
