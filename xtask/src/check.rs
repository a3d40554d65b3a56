//! `cargo xtask spec-check`: is every vendored spec still what upstream publishes, does
//! upstream publish versions we do not vendor yet, and where is our prose still to write?

use crate::cli::{Args, UsageError};
use crate::lock::{self, LockEntry};
use crate::source;
use scalexpert_spec_engine::carry::prose_todo;
use scalexpert_spec_engine::layout::{compare_versions, is_version};
use scalexpert_spec_engine::{
    classify, load_file, parse_str, Comparison, ComparisonError, NewerVersion, Outcome,
    ProseToWrite, Report,
};
use std::collections::BTreeMap;
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
/// laid out like `specs/`; without it, each file's URL from the lock is fetched. Lists the
/// upstream versions newer than ours (from the directory, or from the published file list)
/// and the places of our files still marked as needing prose.
pub fn check(root: &Path, upstream: Option<&str>) -> Report {
    let mut report = Report::new("spec-check", Vec::new());
    let lock_text = std::fs::read_to_string(lock::path(root)).unwrap_or_default();
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
    let files = vendored_files(&crate::specs(root));
    for relative in &files {
        let entry = entries.iter().find(|e| e.path == *relative);
        report
            .comparisons
            .push(check_one(root, relative, entry, upstream));
        report.prose_to_write.extend(prose_to_write(root, relative));
    }
    report.prose_to_write = ProseToWrite::grouped(std::mem::take(&mut report.prose_to_write));
    match newer_upstream(root, upstream, &entries, &lock_text) {
        Ok(newer) => report.newer_upstream = newer,
        Err(error) => report.comparisons.push(Comparison {
            title: "upstream versions".to_string(),
            old: "specs/".to_string(),
            new: error.origin.clone().unwrap_or_default(),
            outcome: Outcome::Failed(error),
        }),
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
            "no upstream file of its own: derived from {sibling}, which is checked instead \
             (the build refuses any difference beyond URLs)"
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

/// Compares our file with upstream's, structure only. Always: matching upstream bytes say
/// upstream did not move, not that our file still has its structure.
fn compare(root: &Path, ours: &Path, location: &str, recorded: Option<&str>) -> Outcome {
    let bytes = match source::read(location) {
        Ok(bytes) => bytes,
        Err(message) => {
            return Outcome::Failed(ComparisonError::new(message, Some(location.to_string())))
        }
    };
    let unchanged =
        recorded.is_some_and(|sha| sha.eq_ignore_ascii_case(&source::sha256_hex(&bytes)));
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
    let findings = match parse_str(&ours_text, &ours.display().to_string()) {
        Ok(doc) => classify(&doc.value, &theirs.value),
        Err(error) => return Outcome::Failed(ComparisonError::from(&error)),
    };
    if unchanged {
        Outcome::ComparedWithNote(
            findings,
            "upstream bytes still hash to the sha256 recorded in specs/upstream.lock.toml: \
             upstream has not moved; structure compared all the same, so an edit to our file \
             shows"
                .to_string(),
        )
    } else {
        Outcome::Compared(findings)
    }
}

/// The `x-prose-todo` markers of one vendored file.
fn prose_to_write(root: &Path, relative: &str) -> Vec<ProseToWrite> {
    let file = format!("specs/{relative}");
    let Ok(doc) = load_file(&root.join(&file)) else {
        // An unreadable file is reported by its comparison.
        return Vec::new();
    };
    prose_todo(&doc.value)
        .into_iter()
        .map(|todo| ProseToWrite {
            file: file.clone(),
            pointer: todo.pointer,
            keys: todo.keys,
            also_in: Vec::new(),
        })
        .collect()
}

/// Upstream versions of each vendored family newer than our newest, with the command that
/// vendors each: from `DIR/<api>/<version>/` with `--upstream DIR`, from the published file
/// list otherwise (not for `--upstream URL`, which has no listing).
fn newer_upstream(
    root: &Path,
    upstream: Option<&str>,
    entries: &[LockEntry],
    lock_text: &str,
) -> Result<Vec<NewerVersion>, ComparisonError> {
    let layout = crate::layout();
    let specs = crate::specs(root);
    let newest: BTreeMap<String, String> = layout
        .apis(&specs)
        .into_iter()
        .filter_map(|api| {
            let newest = layout.versions(&specs, &api).pop()?.version;
            Some((api, newest))
        })
        .collect();
    let mut out = Vec::new();
    match upstream {
        Some(base) if source::is_url(base) => {}
        Some(dir) => {
            for (api, ours) in &newest {
                for version in version_dirs(&Path::new(dir).join(api)) {
                    if compare_versions(&version, ours).is_gt() {
                        out.push(NewerVersion {
                            command: format!(
                                "cargo xtask spec-add {version} --api {api} --from {dir}"
                            ),
                            api: api.clone(),
                            version,
                            newest_vendored: ours.clone(),
                        });
                    }
                }
            }
        }
        None => {
            let Some(listing) = lock::listing(lock_text).or_else(|| source::listing_of(entries))
            else {
                return Ok(out);
            };
            for published in source::published(&listing, newest.keys())? {
                let Some(ours) = newest.get(&published.api) else {
                    continue;
                };
                if compare_versions(&published.version, ours).is_le() {
                    continue;
                }
                let files: Vec<String> = layout
                    .environments()
                    .iter()
                    .map(|env| {
                        published.files.get(&env.name).map_or_else(
                            || format!("--{} <URL>", env.name),
                            |url| format!("--{} {url}", env.name),
                        )
                    })
                    .collect();
                out.push(NewerVersion {
                    command: format!(
                        "cargo xtask spec-add {} --api {} {}",
                        published.version,
                        published.api,
                        files.join(" ")
                    ),
                    api: published.api,
                    version: published.version,
                    newest_vendored: ours.clone(),
                });
            }
        }
    }
    out.sort_by(|a, b| {
        a.api
            .cmp(&b.api)
            .then_with(|| compare_versions(&a.version, &b.version))
    });
    Ok(out)
}

/// The version folders directly below `dir`, whatever files they hold.
fn version_dirs(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| is_version(name))
        .collect()
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
