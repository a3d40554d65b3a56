//! `cargo xtask spec-check`: is every vendored spec still what upstream publishes?

use crate::cli::{Args, UsageError};
use crate::lock::{self, LockEntry};
use crate::source;
use scalexpert_spec_engine::{classify, parse_str, Comparison, ComparisonError, Outcome, Report};
use std::path::Path;

/// Runs the command; returns the exit code.
pub fn command(args: &Args) -> Result<i32, UsageError> {
    args.check_shape(&["--upstream", "--format", "--root"], 0)?;
    let format = args.format()?;
    let report = check(&args.root(), args.option("--upstream"));
    print!("{}", report.render(format));
    Ok(report.exit_code())
}

/// Compares every vendored spec of `root` with upstream: `upstream` is a directory or base URL
/// laid out like `specs/`; without it, each file's URL from the lock is fetched.
pub fn check(root: &Path, upstream: Option<&str>) -> Report {
    let mut report = Report {
        command: "spec-check".to_string(),
        comparisons: Vec::new(),
    };
    let entries = match lock::read(root) {
        Ok(entries) => entries,
        Err(message) => {
            report.comparisons.push(Comparison {
                title: "specs/upstream.lock.toml".to_string(),
                old: lock::path(root).display().to_string(),
                new: String::new(),
                outcome: Outcome::Failed(ComparisonError::new(message, None)),
            });
            return report;
        }
    };
    for relative in vendored_files(&crate::specs(root)) {
        let entry = entries.iter().find(|e| e.path == relative);
        report
            .comparisons
            .push(check_one(root, &relative, entry, upstream));
    }
    report
}

fn check_one(
    root: &Path,
    relative: &str,
    entry: Option<&LockEntry>,
    upstream: Option<&str>,
) -> Comparison {
    let ours = Path::new("specs").join(relative);
    let mut comparison = Comparison {
        title: relative.to_string(),
        old: ours.display().to_string(),
        new: String::new(),
        outcome: Outcome::Skipped(String::new()),
    };
    if let Some(sibling) = entry.and_then(|e| e.derived_from.as_ref()) {
        comparison.new = format!("(derived from {sibling})");
        comparison.outcome = Outcome::Skipped(format!(
            "no upstream file of its own: derived from {sibling}, which is checked instead"
        ));
        return comparison;
    }
    let location = match (upstream, entry.and_then(|e| e.upstream.as_ref())) {
        (Some(base), _) => source::join(base, relative),
        (None, Some(url)) => url.clone(),
        (None, None) => {
            comparison.outcome = Outcome::Failed(ComparisonError::new(
                format!("{relative}: no upstream recorded in specs/upstream.lock.toml (pass --upstream)"),
                None,
            ));
            return comparison;
        }
    };
    comparison.new = location.clone();
    comparison.outcome = compare(
        root,
        &ours,
        &location,
        entry.and_then(|e| e.sha256.as_deref()),
    );
    comparison
}

fn compare(root: &Path, ours: &Path, location: &str, recorded: Option<&str>) -> Outcome {
    let bytes = match source::read(location) {
        Ok(bytes) => bytes,
        Err(message) => {
            return Outcome::Failed(ComparisonError::new(message, Some(location.to_string())))
        }
    };
    if recorded.is_some_and(|sha| sha.eq_ignore_ascii_case(&source::sha256_hex(&bytes))) {
        return Outcome::Skipped(
            "upstream bytes still hash to the sha256 recorded in specs/upstream.lock.toml; \
             structural comparison skipped"
                .to_string(),
        );
    }
    let text = match source::text(bytes, location) {
        Ok(text) => text,
        Err(message) => {
            return Outcome::Failed(ComparisonError::new(message, Some(location.to_string())))
        }
    };
    let theirs = match parse_str(&text, location) {
        Ok(doc) => doc,
        Err(error) => return Outcome::Failed(ComparisonError::from(&error)),
    };
    let ours_text = match std::fs::read_to_string(root.join(ours)) {
        Ok(text) => text,
        Err(e) => {
            return Outcome::Failed(ComparisonError::new(
                format!("{}: cannot read: {e}", ours.display()),
                Some(ours.display().to_string()),
            ))
        }
    };
    match parse_str(&ours_text, &ours.display().to_string()) {
        Ok(doc) => Outcome::Compared(classify(&doc.value, &theirs.value)),
        Err(error) => Outcome::Failed(ComparisonError::from(&error)),
    }
}

/// `<api>/<version>/<env>.yaml` of every vendored spec, by API, version, then environment.
pub fn vendored_files(specs: &Path) -> Vec<String> {
    crate::layout().files(specs).unwrap_or_default()
}

/// Versions of `api` vendored under `specs/`, oldest first.
pub fn versions(specs: &Path, api: &str) -> Vec<String> {
    crate::layout()
        .versions(specs, api)
        .into_iter()
        .map(|v| v.version)
        .collect()
}
