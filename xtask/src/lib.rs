//! The commands behind `cargo xtask`: `spec-check`, `spec-diff`, `spec-add` and `changelog`.
//!
//! All spec knowledge (loading, prose, diffing, classification, report formats) lives in
//! `scalexpert-spec-engine`; this crate parses arguments, fetches files, edits the lock and
//! `Cargo.toml`, and maps results to exit codes.

pub mod add;
pub mod changelog;
pub mod check;
pub mod cli;
pub mod diff;
pub mod lock;
pub mod manifest;
pub mod source;

use scalexpert_spec_engine::Layout;
use std::path::{Path, PathBuf};

/// Exit code of every command: in sync / success.
pub const EXIT_OK: i32 = 0;
/// Exit code: upstream (or a named file) unreachable, missing or not parseable.
pub const EXIT_UNREADABLE: i32 = 3;
/// Exit code of `spec-add`: the new files are inconsistent or the version exists already.
pub const EXIT_INVALID: i32 = 4;
/// Exit code of `spec-add`: the crate does not build with the new version.
pub const EXIT_BUILD_FAILED: i32 = 5;
/// Exit code of `changelog --check`: the generated changelog is stale.
pub const EXIT_STALE: i32 = 1;
/// Exit code for a command line that cannot be understood (`EX_USAGE`).
pub const EXIT_USAGE: i32 = 64;

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  spec-check [--upstream <DIR|URL>] [--format text|markdown|json]
      compare every vendored spec with its upstream file, list newer upstream versions and
      the places whose prose is still to write (x-prose-todo)
      exit 0 in sync, 1 non-breaking drift or a newer upstream version, 2 breaking drift,
      3 upstream unreadable
  spec-diff <OLD> <NEW> [--format text|markdown|json]
      compare two spec files or vendored versions (e.g. e-financing@1.6.0 e-financing@1.6.6)
      exit 0 no structural change, 1 non-breaking, 2 breaking, 3 unreadable
  spec-add <VERSION> --from <DIR|URL> [--url <URL with {env} or {ENV}>] [--api e-financing]
  spec-add <VERSION> --uatc <FILE|URL> --prod <FILE|URL> [--url ...] [--api e-financing]
      vendor a new version with upstream's structure and our prose (x-prose-todo where it is
      new), record where Scalexpert publishes it in the lock, add its cargo feature, check it
      builds, regenerate docs/api-changelog.md
      exit 0 added, 3 unreadable, 4 inconsistent or already there, 5 does not build
  changelog [--check]
      regenerate docs/api-changelog.md (with --check: exit 1 if it is stale)

every command takes --root <DIR> (the crate root; default: this workspace)
see docs/spec-drift.md";

/// Runs one command; returns the process exit code.
pub fn run(args: &[String]) -> i32 {
    let Some((command, rest)) = args.split_first() else {
        eprintln!("{USAGE}");
        return EXIT_USAGE;
    };
    // `spec-add --help` is a question, not a mistake.
    if rest.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return EXIT_OK;
    }
    let parsed = match cli::Args::parse(rest) {
        Ok(parsed) => parsed,
        Err(message) => {
            eprintln!("error: {message}\n\n{USAGE}");
            return EXIT_USAGE;
        }
    };
    let result = match command.as_str() {
        "spec-check" => check::command(&parsed),
        "spec-diff" => diff::command(&parsed),
        "spec-add" => add::command(&parsed),
        "changelog" => changelog::command(&parsed),
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            Ok(EXIT_OK)
        }
        other => Err(cli::UsageError(format!("unknown command {other:?}"))),
    };
    match result {
        Ok(code) => code,
        Err(cli::UsageError(message)) => {
            eprintln!("error: {message}\n\n{USAGE}");
            EXIT_USAGE
        }
    }
}

/// The layout of the spec tree this xtask maintains: Scalexpert's `uatc` and `prod` files,
/// generated from `uatc` (the same [`Layout`] `build.rs` uses).
pub fn layout() -> Layout {
    Layout::default()
}

/// The spec tree of a crate root: `<root>/specs`.
pub fn specs(root: &Path) -> PathBuf {
    root.join("specs")
}

/// The root of the workspace this xtask was built in.
pub fn default_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map_or(manifest.clone(), PathBuf::from)
}
