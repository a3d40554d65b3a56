//! `cargo xtask spec-add VERSION --from DIR|URL`: vendor a new API version in one command.
//!
//! Fetches both environment files, checks they parse and differ only in their server and token
//! URLs, writes them under `specs/<api>/<version>/`, records their source and sha256 in the
//! lock, adds the version's cargo feature, checks the crate builds with it, and prints what
//! changed since the previous newest version. Any failure after the first write undoes them all.

use crate::check::versions;
use crate::cli::{Args, UsageError};
use crate::diff::{compare, Spec};
use crate::lock::{self, LockEntry};
use crate::{manifest, source};
use scalexpert_spec_engine::layout::{compare_versions, is_version};
use scalexpert_spec_engine::{check_environment_pair, parse_str, Report};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs the command; returns the exit code.
pub fn command(args: &Args) -> Result<i32, UsageError> {
    args.check_shape(
        &["--from", "--uatc", "--prod", "--api", "--format", "--root"],
        1,
    )?;
    let format = args.format()?;
    let version = args.positional[0].clone();
    if !is_version(&version) {
        return Err(UsageError(format!(
            "version {version:?} must be dotted numbers, like 1.7.0"
        )));
    }
    let api = args.option("--api").unwrap_or("e-financing").to_string();
    let sources = match (
        args.option("--from"),
        args.option("--uatc"),
        args.option("--prod"),
    ) {
        (Some(from), None, None) => sources_below(from, &api, &version),
        (None, Some(uatc), Some(prod)) => [uatc.to_string(), prod.to_string()],
        _ => {
            return Err(UsageError(
                "give either --from <DIR|URL>, or both --uatc and --prod".to_string(),
            ))
        }
    };
    let plan = Plan {
        root: args.root(),
        api,
        version,
        sources,
    };
    Ok(match plan.run() {
        Ok(report) => {
            print!("{}", report.render(format));
            let added =
                crate::layout().version(&crate::specs(&plan.root), &plan.api, &plan.version);
            println!(
                "\nadded {label}: feature `{feature}`, module `scalexpert::{module}`, \
                 accessor `Client::{accessor}()`",
                label = added.label(),
                feature = added.feature(),
                module = added.module_path(),
                accessor = added.accessor(),
            );
            crate::EXIT_OK
        }
        Err(failure) => {
            eprintln!("error: {}", failure.message);
            failure.code
        }
    })
}

/// The environment files below `--from`: `DIR/<env>.yaml` when the folder holds them
/// directly, else the `specs/` layout `<base>/<api>/<version>/<env>.yaml`.
fn sources_below(from: &str, api: &str, version: &str) -> [String; 2] {
    let layout = crate::layout();
    let flat = !source::is_url(from)
        && Path::new(from)
            .join(layout.generated_from().file_name())
            .is_file();
    let environments = layout.environments();
    [&environments[0], &environments[1]].map(|env| {
        if flat {
            source::join(from, &env.file_name())
        } else {
            source::join(from, &layout.relative_file(api, version, env))
        }
    })
}

/// Why spec-add stopped, and its exit code.
#[derive(Debug)]
pub struct Failure {
    /// Exit code (3 unreadable, 4 inconsistent, 5 does not build).
    pub code: i32,
    /// What went wrong, naming the file.
    pub message: String,
}

fn fail(code: i32, message: impl Into<String>) -> Failure {
    Failure {
        code,
        message: message.into(),
    }
}

/// One spec-add run.
pub struct Plan {
    /// The crate root.
    pub root: PathBuf,
    /// API family (`e-financing`).
    pub api: String,
    /// The new version.
    pub version: String,
    /// Where to read the UATC and production files.
    pub sources: [String; 2],
}

impl Plan {
    /// Does everything; on success returns the changelog against the previous newest version.
    pub fn run(&self) -> Result<Report, Failure> {
        let layout = crate::layout();
        let specs = crate::specs(&self.root);
        let added = layout.version(&specs, &self.api, &self.version);
        let dir = added.dir.clone();
        if dir.exists() {
            return Err(fail(
                crate::EXIT_INVALID,
                format!("{} exists already", dir.display()),
            ));
        }
        let previous = versions(&specs, &self.api)
            .into_iter()
            .rfind(|v| compare_versions(v, &self.version).is_lt());

        let mut bytes = Vec::new();
        let mut docs = Vec::new();
        for location in &self.sources {
            let raw = source::read(location).map_err(|m| fail(crate::EXIT_UNREADABLE, m))?;
            let text =
                source::text(raw.clone(), location).map_err(|m| fail(crate::EXIT_UNREADABLE, m))?;
            let doc = parse_str(&text, location)
                .map_err(|e| fail(crate::EXIT_UNREADABLE, e.to_string()))?;
            let declared = doc.value.pointer("/info/version").and_then(|v| v.as_str());
            if declared != Some(self.version.as_str()) {
                return Err(fail(
                    crate::EXIT_INVALID,
                    format!(
                        "{location}: info.version is {}, not {}",
                        declared.unwrap_or("(absent)"),
                        self.version
                    ),
                ));
            }
            bytes.push(raw);
            docs.push(doc);
        }
        check_environment_pair(&docs[0].value, &docs[1].value).map_err(|e| {
            fail(
                crate::EXIT_INVALID,
                format!("{} vs {}: {e}", self.sources[0], self.sources[1]),
            )
        })?;

        let manifest_path = self.root.join("Cargo.toml");
        let lock_path = lock::path(&self.root);
        let manifest_before = std::fs::read_to_string(&manifest_path).map_err(|e| {
            fail(
                crate::EXIT_INVALID,
                format!("{}: {e}", manifest_path.display()),
            )
        })?;
        let lock_before = std::fs::read_to_string(&lock_path).unwrap_or_default();
        let feature = added.feature();
        let manifest_after = manifest::add_version_feature(&manifest_before, &self.api, &feature)
            .map_err(|m| fail(crate::EXIT_INVALID, m))?;
        let entries: Vec<LockEntry> = layout
            .environments()
            .iter()
            .zip(&self.sources)
            .zip(&bytes)
            .map(|((env, location), raw)| LockEntry {
                path: layout.relative_file(&self.api, &self.version, env),
                upstream: Some(recorded_source(location)),
                sha256: Some(source::sha256_hex(raw)),
                derived_from: None,
            })
            .collect();
        let lock_after =
            lock::append(&lock_before, &entries).map_err(|m| fail(crate::EXIT_INVALID, m))?;

        let undo = || {
            let _ = std::fs::remove_dir_all(&dir);
            let _ = std::fs::write(&manifest_path, &manifest_before);
            let _ = std::fs::write(&lock_path, &lock_before);
        };
        let written = (|| -> std::io::Result<()> {
            std::fs::create_dir_all(&dir)?;
            for (env, raw) in layout.environments().iter().zip(&bytes) {
                std::fs::write(added.file(env), raw)?;
            }
            std::fs::write(&lock_path, &lock_after)?;
            std::fs::write(&manifest_path, &manifest_after)
        })();
        if let Err(e) = written {
            undo();
            return Err(fail(
                crate::EXIT_INVALID,
                format!("cannot write the new version: {e}"),
            ));
        }
        if let Err(message) = cargo_check(&self.root, &feature) {
            undo();
            return Err(fail(crate::EXIT_BUILD_FAILED, message));
        }

        let new = Spec::vendored(&self.root, &self.api, &self.version);
        let comparisons = match previous {
            Some(previous) => vec![compare(
                &Spec::vendored(&self.root, &self.api, &previous),
                &new,
            )],
            None => Vec::new(),
        };
        Ok(Report {
            command: "spec-add".to_string(),
            comparisons,
        })
    }
}

/// What the lock records as the source: the URL, or the file's absolute path.
fn recorded_source(location: &str) -> String {
    if source::is_url(location) {
        return location.to_string();
    }
    std::fs::canonicalize(location)
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| location.to_string())
}

/// `cargo check` of the crate with the new version's feature alone, which is what proves the
/// version generates and compiles (the other versions are unchanged).
fn cargo_check(root: &Path, feature: &str) -> Result<(), String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let manifest = root.join("Cargo.toml");
    let args = [
        "check",
        "--lib",
        "--no-default-features",
        "--features",
        feature,
        "--manifest-path",
    ];
    eprintln!("running: cargo {} {}", args.join(" "), manifest.display());
    let status = Command::new(&cargo)
        .args(args)
        .arg(&manifest)
        .current_dir(root)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "`cargo check --features {feature}` failed ({status}); the new files were removed again"
        ))
    }
}
