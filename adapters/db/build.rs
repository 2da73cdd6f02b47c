//! Rebuilds the crate when a migration changes, since `embed_migrations!` reads them at
//! compile time and Cargo does not see new directories on its own.

fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
}
