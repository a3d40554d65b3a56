//! Maintenance commands of the scalexpert workspace: `cargo xtask <command>`.
//!
//! See `docs/spec-drift.md` for the commands, their exit codes and the JSON report format.
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    std::process::exit(xtask::run(&args));
}
