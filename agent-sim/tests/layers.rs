//! The layers of agent-sim run one way: no import circles between its files (see
//! `agent_sim::layers`; the conformance crate runs the same check on itself).

#[test]
fn agent_sim_has_no_import_circles() {
    agent_sim::layers::assert_no_import_cycles(env!("CARGO_MANIFEST_DIR"));
}
