//! No import circles between the files of conformance/src: dependencies run one way
//! (http → failure → expect → context → case → cases → runner → report, see ARCHITECTURE.md).
//! The check is agent-sim's, shared by both crates.

#[test]
fn no_import_circles_between_files() {
    agent_sim::layers::assert_no_import_cycles(env!("CARGO_MANIFEST_DIR"));
}
