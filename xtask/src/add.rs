//! `cargo xtask spec-add VERSION --from DIR|URL`: vendor a new API version in one command.
//!
//! Reads upstream's environment files, checks they parse and differ only in their server and
//! token URLs, and writes them under `specs/<api>/<version>/` with upstream's structure and our
//! prose: our words carried over from the nearest vendored version wherever the place is the
//! same, an `x-prose-todo` marker wherever it is new or changed, never upstream's words
//! (`scalexpert_spec_engine::carry`). Then it records where Scalexpert publishes each file
//! and the sha256 of its bytes in the lock, adds the version's cargo feature, checks the crate
//! builds with it, regenerates `docs/api-changelog.md`, and prints what changed since the
//! previous version and where prose is left to write. Any failure after the first write undoes
//! every write.

use crate::check::versions;
use crate::cli::{Args, UsageError};
use crate::diff::{compare, Spec};
use crate::lock::{self, LockEntry};
use crate::{changelog, manifest, source};
use scalexpert_spec_engine::carry::{carry_prose, ProseTodo};
use scalexpert_spec_engine::layout::{compare_versions, is_version};
use scalexpert_spec_engine::{
    check_environment_pair, load_file, parse_str, to_yaml, Environment, Format, ProseToWrite,
    Report,
};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs the command; returns the exit code.
pub fn command(args: &Args) -> Result<i32, UsageError> {
    args.check_shape(
        &[
            "--from", "--uatc", "--prod", "--url", "--api", "--format", "--root",
        ],
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
    let layout = crate::layout();
    let named: Vec<Option<&str>> = layout
        .environments()
        .iter()
        .map(|env| args.option(&format!("--{}", env.name)))
        .collect();
    let sources = match (args.option("--from"), named.iter().all(Option::is_some)) {
        (Some(from), false) if named.iter().all(Option::is_none) => {
            sources_below(from, &api, &version)
        }
        (None, true) => named.iter().flatten().map(|s| s.to_string()).collect(),
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
        published: args.option("--url").map(str::to_string),
    };
    Ok(match plan.run() {
        Ok(report) => {
            print!("{}", report.render(format));
            let added = layout.version(&crate::specs(&plan.root), &plan.api, &plan.version);
            let summary = format!(
                "added {label}: feature `{feature}`, module `scalexpert::{module}`, \
                 accessor `Client::{accessor}()`; {todo}",
                label = added.label(),
                feature = added.feature(),
                module = added.module_path(),
                accessor = added.accessor(),
                todo = match report.prose_to_write.len() {
                    0 => "no prose left to write".to_string(),
                    n => format!(
                        "prose to write at {n} place(s), marked x-prose-todo (listed above)"
                    ),
                },
            );
            // stdout stays one JSON document for machines; people read the summary anyway.
            if format == Format::Json {
                eprintln!("{summary}");
            } else {
                println!("\n{summary}");
            }
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
fn sources_below(from: &str, api: &str, version: &str) -> Vec<String> {
    let layout = crate::layout();
    let flat = !source::is_url(from)
        && Path::new(from)
            .join(layout.generated_from().file_name())
            .is_file();
    layout
        .environments()
        .iter()
        .map(|env| {
            if flat {
                source::join(from, &env.file_name())
            } else {
                source::join(from, &layout.relative_file(api, version, env))
            }
        })
        .collect()
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
    /// Where to read each environment's file, in layout order.
    pub sources: Vec<String>,
    /// `--url`: where Scalexpert publishes the files, `{env}` / `{ENV}` standing for the
    /// environment (`uatc`, `UATC`).
    pub published: Option<String>,
}

/// One environment's file as read and as it will be written.
struct Fetched {
    env: Environment,
    location: String,
    bytes: Vec<u8>,
    upstream: serde_json::Value,
}

impl Plan {
    /// Does everything; on success returns the changes against the previous version and the
    /// places whose prose is left to write.
    pub fn run(&self) -> Result<Report, Failure> {
        let layout = crate::layout();
        let specs = crate::specs(&self.root);
        let added = layout.version(&specs, &self.api, &self.version);
        if added.dir.exists() {
            return Err(fail(
                crate::EXIT_INVALID,
                format!("{} exists already", added.dir.display()),
            ));
        }
        let vendored = versions(&specs, &self.api);
        let previous = vendored
            .iter()
            .rfind(|v| compare_versions(v, &self.version).is_lt())
            .cloned();
        // Our prose comes from the nearest version: the one before, else the one after.
        let nearest = previous.clone().or_else(|| {
            vendored
                .iter()
                .find(|v| compare_versions(v, &self.version).is_gt())
                .cloned()
        });

        let fetched = self.fetch()?;
        let generated_from = fetched
            .iter()
            .find(|f| &f.env == layout.generated_from())
            .ok_or_else(|| fail(crate::EXIT_INVALID, "no file to generate the code from"))?;
        for other in &fetched {
            check_environment_pair(&generated_from.upstream, &other.upstream).map_err(|e| {
                fail(
                    crate::EXIT_INVALID,
                    format!("{} vs {}: {e}", generated_from.location, other.location),
                )
            })?;
        }
        let entries = fetched
            .iter()
            .map(|f| {
                Ok(LockEntry {
                    path: layout.relative_file(&self.api, &self.version, &f.env),
                    upstream: Some(self.published_url(&f.env, &f.location)?),
                    sha256: Some(source::sha256_hex(&f.bytes)),
                    derived_from: None,
                })
            })
            .collect::<Result<Vec<_>, Failure>>()?;

        let mut written = Vec::new();
        let mut prose_to_write = Vec::new();
        for f in &fetched {
            let ours = nearest.as_ref().and_then(|v| {
                let version = layout.version(&specs, &self.api, v);
                let file = version.file(&f.env);
                let file = if file.is_file() {
                    file
                } else {
                    version.file(layout.generated_from())
                };
                load_file(&file).ok().map(|doc| doc.value)
            });
            let carried = carry_prose(ours.as_ref(), &f.upstream);
            let relative = format!(
                "specs/{}",
                layout.relative_file(&self.api, &self.version, &f.env)
            );
            prose_to_write.extend(carried.todo.iter().map(|todo| to_write(&relative, todo)));
            let header = header(&self.version, nearest.as_deref(), &carried.todo);
            let text = to_yaml(&carried.doc, &header)
                .map_err(|m| fail(crate::EXIT_INVALID, format!("{relative}: {m}")))?;
            written.push((added.file(&f.env), text));
        }

        let manifest_path = self.root.join("Cargo.toml");
        let lock_path = lock::path(&self.root);
        let changelog_path = changelog::file(&self.root);
        let manifest_before = std::fs::read_to_string(&manifest_path).map_err(|e| {
            fail(
                crate::EXIT_INVALID,
                format!("{}: {e}", manifest_path.display()),
            )
        })?;
        let lock_before = std::fs::read_to_string(&lock_path).unwrap_or_default();
        let changelog_before = std::fs::read_to_string(&changelog_path).ok();
        let feature = added.feature();
        let manifest_after = manifest::add_version_feature(&manifest_before, &self.api, &feature)
            .map_err(|m| fail(crate::EXIT_INVALID, m))?;
        let lock_after =
            lock::append(&lock_before, &entries).map_err(|m| fail(crate::EXIT_INVALID, m))?;

        let undo = || {
            let _ = std::fs::remove_dir_all(&added.dir);
            let _ = std::fs::write(&manifest_path, &manifest_before);
            let _ = std::fs::write(&lock_path, &lock_before);
            match &changelog_before {
                Some(text) => {
                    let _ = std::fs::write(&changelog_path, text);
                }
                None => {
                    let _ = std::fs::remove_file(&changelog_path);
                }
            }
        };
        let wrote = (|| -> std::io::Result<()> {
            std::fs::create_dir_all(&added.dir)?;
            for (path, text) in &written {
                std::fs::write(path, text)?;
            }
            std::fs::write(&lock_path, &lock_after)?;
            std::fs::write(&manifest_path, &manifest_after)
        })();
        if let Err(e) = wrote {
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
        // The changelog test must pass right after: it is regenerated with the version in it.
        let changelog = changelog::render(&self.root);
        let regenerated = changelog_path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&changelog_path, changelog));
        if let Err(e) = regenerated {
            undo();
            return Err(fail(
                crate::EXIT_INVALID,
                format!("{}: {e}", changelog_path.display()),
            ));
        }
        eprintln!("regenerated {}", changelog::FILE);

        let new = Spec::vendored(&self.root, &self.api, &self.version);
        let comparisons = match previous {
            Some(previous) => vec![compare(
                &Spec::vendored(&self.root, &self.api, &previous),
                &new,
            )],
            None => Vec::new(),
        };
        let mut report = Report::informational("spec-add", comparisons);
        report.prose_to_write = ProseToWrite::grouped(prose_to_write);
        Ok(report)
    }

    /// Reads every environment's file: the bytes (for the lock's sha256) and the document.
    fn fetch(&self) -> Result<Vec<Fetched>, Failure> {
        let layout = crate::layout();
        let mut out = Vec::new();
        for (env, location) in layout.environments().iter().zip(&self.sources) {
            let bytes = source::read(location).map_err(|m| fail(crate::EXIT_UNREADABLE, m))?;
            let text = source::text(bytes.clone(), location)
                .map_err(|m| fail(crate::EXIT_UNREADABLE, m))?;
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
            out.push(Fetched {
                env: env.clone(),
                location: location.clone(),
                bytes,
                upstream: doc.value,
            });
        }
        Ok(out)
    }

    /// Where Scalexpert publishes `env`'s file: the URL it was fetched from, `--url`, or the
    /// lock's newest URL for the same API and environment with the new version in it. Never
    /// a local path: the lock must work on every machine.
    fn published_url(&self, env: &Environment, location: &str) -> Result<String, Failure> {
        if let Some(template) = &self.published {
            return expand(template, env).ok_or_else(|| {
                fail(
                    crate::EXIT_INVALID,
                    format!(
                        "--url {template:?} names no environment: write {{env}} or {{ENV}} where \
                         `{}` goes",
                        env.name
                    ),
                )
            });
        }
        if source::is_url(location) {
            return Ok(location.to_string());
        }
        let entries = lock::read(&self.root).map_err(|m| fail(crate::EXIT_INVALID, m))?;
        lock::published_url_for(&entries, &self.api, &self.version, env).ok_or_else(|| {
            fail(
                crate::EXIT_INVALID,
                format!(
                    "cannot tell where Scalexpert publishes {} {} {}: the lock has no URL of an \
                     earlier {} file with its version in it; pass --url (e.g. \
                     https://…/swagger_{}_{}-{{ENV}}.yaml)",
                    self.api,
                    self.version,
                    env.file_name(),
                    env.name,
                    self.api,
                    self.version
                ),
            )
        })
    }
}

/// `template` with `{env}` and `{ENV}` replaced; `None` when it has neither.
fn expand(template: &str, env: &Environment) -> Option<String> {
    let upper = env.name.to_ascii_uppercase();
    (template.contains("{env}") || template.contains("{ENV}")).then(|| {
        template
            .replace("{env}", &env.name)
            .replace("{ENV}", &upper)
    })
}

fn to_write(file: &str, todo: &ProseTodo) -> ProseToWrite {
    ProseToWrite {
        file: file.to_string(),
        pointer: todo.pointer.clone(),
        keys: todo.keys.clone(),
        also_in: Vec::new(),
    }
}

/// The comment at the top of a vendored file.
fn header(version: &str, nearest: Option<&str>, todo: &[ProseTodo]) -> String {
    let source = nearest.map_or_else(
        || "no earlier version to take prose from".to_string(),
        |v| format!("our prose carried over from {v} where the structure is the same"),
    );
    let left = match todo.len() {
        0 => "No prose left to write.".to_string(),
        n => format!(
            "Prose left to write at {n} place(s), each marked `x-prose-todo: [keys]`: write those \
             keys in our words, then remove the marker (`cargo xtask spec-check` lists them)."
        ),
    };
    format!(
        "Vendored by `cargo xtask spec-add {version}`: Scalexpert's structure, {source}.\n{left}"
    )
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
