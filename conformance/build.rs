//! Rebuilds the crate when a snapshot changes: `include_dir!` embeds `snapshots/` but cannot
//! tell cargo to watch it on stable Rust.

fn main() {
    println!("cargo:rerun-if-changed=../snapshots");
}
