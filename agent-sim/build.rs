//! Rebuilds the crate when a shipped fixture changes: `include_dir!` embeds `fixtures/` but
//! cannot tell cargo to watch it on stable Rust.

fn main() {
    println!("cargo:rerun-if-changed=../fixtures");
}
