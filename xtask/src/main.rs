//! Maintenance commands: `cargo xtask <command>`.
fn main() {
    eprintln!("usage: cargo xtask <spec-check|spec-diff|spec-add>");
    std::process::exit(2);
}
