//! Where the vendored specs live and what each version is called in Rust and Cargo.
//!
//! A spec tree is `specs/<api>/<version>/<environment>.yaml`: one folder per API family, one per
//! version, one file per environment the vendor publishes. From the folder names alone follow
//! the cargo feature (`e-financing-1_7_1`), the Rust module (`e_financing::v1_7_1`), the client
//! accessor (`e_financing_v1_7_1`) and the version order (`1.10.0` after `1.9.0`). `build.rs`,
//! the drift check, the changelog and `spec-add` all ask this module, so they cannot disagree.
//!
//! The environment files are a parameter of the [`Layout`]: Scalexpert publishes `uatc` and
//! `prod` and the code is generated from `uatc` ([`Layout::default`]); another vendor's crate
//! can name its own (`demo` and `production`, say) with [`Layout::new`].

use std::cmp::Ordering;
use std::fmt;
use std::path::{Path, PathBuf};

/// The lock of a spec tree, relative to the tree's root (`specs/`).
pub const LOCK_FILE: &str = "upstream.lock.toml";

/// Extension of every environment file.
pub const SPEC_EXTENSION: &str = "yaml";

/// One environment a vendor publishes a file for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    /// Stem of its file in each version folder: `uatc` for `uatc.yaml`.
    pub name: String,
    /// How generated constants spell it: `PRODUCTION` in `PRODUCTION_URLS`.
    pub constant: String,
}

impl Environment {
    /// An environment whose constant prefix is its name in upper case.
    pub fn new(name: &str) -> Environment {
        Environment {
            name: name.to_string(),
            constant: name.to_ascii_uppercase().replace('-', "_"),
        }
    }

    /// The same environment with another constant prefix (`prod` → `PRODUCTION`).
    pub fn with_constant(mut self, constant: &str) -> Environment {
        self.constant = constant.to_string();
        self
    }

    /// Its file name in a version folder: `uatc.yaml`.
    pub fn file_name(&self) -> String {
        format!("{}.{SPEC_EXTENSION}", self.name)
    }
}

/// A layout that cannot be used, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayoutError(pub String);

impl fmt::Display for LayoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LayoutError {}

/// The shape of a spec tree: which environment files each version folder holds, and which one
/// the code is generated from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    environments: Vec<Environment>,
    generated_from: usize,
}

impl Default for Layout {
    /// Scalexpert's: `uatc.yaml` (generated from) and `prod.yaml` (constants `UATC_URLS` and
    /// `PRODUCTION_URLS`).
    fn default() -> Layout {
        Layout {
            environments: vec![
                Environment::new("uatc"),
                Environment::new("prod").with_constant("PRODUCTION"),
            ],
            generated_from: 0,
        }
    }
}

impl Layout {
    /// A layout with these environments (in the order files are written and checked); the code
    /// is generated from the one named `generated_from`.
    pub fn new(
        environments: Vec<Environment>,
        generated_from: &str,
    ) -> Result<Layout, LayoutError> {
        if environments.is_empty() {
            return Err(LayoutError(
                "a layout needs at least one environment".into(),
            ));
        }
        for (i, env) in environments.iter().enumerate() {
            let valid = !env.name.is_empty()
                && env
                    .name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !valid {
                return Err(LayoutError(format!(
                    "environment name {:?} must be letters, digits, `-` or `_`",
                    env.name
                )));
            }
            if environments[..i].iter().any(|e| e.name == env.name) {
                return Err(LayoutError(format!(
                    "environment {:?} given twice",
                    env.name
                )));
            }
        }
        let generated_from = environments
            .iter()
            .position(|e| e.name == generated_from)
            .ok_or_else(|| {
                LayoutError(format!(
                    "the code is generated from {generated_from:?}, which is not an environment of the layout"
                ))
            })?;
        Ok(Layout {
            environments,
            generated_from,
        })
    }

    /// Every environment, in order.
    pub fn environments(&self) -> &[Environment] {
        &self.environments
    }

    /// The environment whose file the code is generated from.
    pub fn generated_from(&self) -> &Environment {
        &self.environments[self.generated_from]
    }

    /// The environment called `name`, if the layout has it.
    pub fn environment(&self, name: &str) -> Option<&Environment> {
        self.environments.iter().find(|e| e.name == name)
    }

    /// The lock of the tree rooted at `specs`.
    pub fn lock_path(&self, specs: &Path) -> PathBuf {
        specs.join(LOCK_FILE)
    }

    /// Every `<api>/<version>/` folder below `specs` that holds all environment files, sorted
    /// by API name, then version ([`compare_versions`]). Folders that are not versions (not
    /// dotted numbers) or miss a file are not versions of the tree.
    pub fn discover(&self, specs: &Path) -> Result<Vec<SpecVersion>, LayoutError> {
        let mut found = Vec::new();
        for api in sorted_dirs(specs)? {
            let api_name = file_name(&api);
            for dir in sorted_dirs(&api)? {
                let version = file_name(&dir);
                let complete = self
                    .environments
                    .iter()
                    .all(|env| dir.join(env.file_name()).is_file());
                if is_version(&version) && complete {
                    found.push(SpecVersion {
                        api: api_name.clone(),
                        version,
                        dir,
                    });
                }
            }
        }
        found.sort_by(|a, b| {
            a.api
                .cmp(&b.api)
                .then_with(|| compare_versions(&a.version, &b.version))
        });
        Ok(found)
    }

    /// The vendored versions of `api`, oldest first (none when the family is absent).
    pub fn versions(&self, specs: &Path, api: &str) -> Vec<SpecVersion> {
        self.discover(specs)
            .unwrap_or_default()
            .into_iter()
            .filter(|v| v.api == api)
            .collect()
    }

    /// The API families of the tree, sorted.
    pub fn apis(&self, specs: &Path) -> Vec<String> {
        let mut apis: Vec<String> = self
            .discover(specs)
            .unwrap_or_default()
            .into_iter()
            .map(|v| v.api)
            .collect();
        apis.dedup();
        apis
    }

    /// `specs/<api>/<version>/`: the folder a version has (or will have) in the tree.
    pub fn version(&self, specs: &Path, api: &str, version: &str) -> SpecVersion {
        SpecVersion {
            api: api.to_string(),
            version: version.to_string(),
            dir: specs.join(api).join(version),
        }
    }

    /// The path of `env`'s file of a version, relative to the tree root:
    /// `e-financing/1.7.1/uatc.yaml`, as the lock records it.
    pub fn relative_file(&self, api: &str, version: &str, env: &Environment) -> String {
        format!("{api}/{version}/{}", env.file_name())
    }

    /// Every environment file of every version, relative to the tree root, in discovery order
    /// and then layout order.
    pub fn files(&self, specs: &Path) -> Result<Vec<String>, LayoutError> {
        Ok(self
            .discover(specs)?
            .iter()
            .flat_map(|v| {
                self.environments
                    .iter()
                    .map(|env| self.relative_file(&v.api, &v.version, env))
            })
            .collect())
    }
}

/// One `specs/<api>/<version>/` folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecVersion {
    /// The API family: `e-financing`.
    pub api: String,
    /// The version: `1.7.1`.
    pub version: String,
    /// The folder.
    pub dir: PathBuf,
}

impl SpecVersion {
    /// `e-financing-1_7_1`: the cargo feature that turns this version on.
    pub fn feature(&self) -> String {
        feature_name(&self.api, &self.version)
    }

    /// `CARGO_FEATURE_E_FINANCING_1_7_1`: what cargo sets for a build script when the feature
    /// is on.
    pub fn feature_env_var(&self) -> String {
        format!(
            "CARGO_FEATURE_{}",
            self.feature().to_ascii_uppercase().replace('-', "_")
        )
    }

    /// `e_financing`: the Rust module of the API family.
    pub fn api_module(&self) -> String {
        self.api.replace('-', "_")
    }

    /// `v1_7_1`: the Rust module of the version, inside [`Self::api_module`].
    pub fn version_module(&self) -> String {
        format!("v{}", self.version.replace('.', "_"))
    }

    /// `e_financing::v1_7_1`: the module path below the crate root.
    pub fn module_path(&self) -> String {
        format!("{}::{}", self.api_module(), self.version_module())
    }

    /// `e_financing_v1_7_1`: the client accessor, and the stem of the generated file.
    pub fn accessor(&self) -> String {
        format!("{}_{}", self.api_module(), self.version_module())
    }

    /// The file of `env` in this version's folder.
    pub fn file(&self, env: &Environment) -> PathBuf {
        self.dir.join(env.file_name())
    }

    /// `e-financing 1.7.1`, for messages.
    pub fn label(&self) -> String {
        format!("{} {}", self.api, self.version)
    }
}

/// The cargo feature of an API version: `e-financing-1_7_1`.
pub fn feature_name(api: &str, version: &str) -> String {
    format!("{api}-{}", version.replace('.', "_"))
}

/// Whether `feature` is a version feature of `api` (`e-financing-1_7_1`).
pub fn is_version_feature(feature: &str, api: &str) -> bool {
    feature
        .strip_prefix(api)
        .and_then(|rest| rest.strip_prefix('-'))
        .is_some_and(|v| {
            !v.is_empty()
                && v.split('_')
                    .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
        })
}

/// Whether `version` names a version folder: dotted numbers, like `1.7.1`.
pub fn is_version(version: &str) -> bool {
    !version.is_empty()
        && version
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

/// Orders versions by their numbers: `1.10.0` after `1.9.0`, `1.7` before `1.7.0`.
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    version_key(a).cmp(&version_key(b))
}

/// The numbers of a version, for sorting.
pub fn version_key(version: &str) -> Vec<u64> {
    version
        .split('.')
        .map(|part| part.parse().unwrap_or(0))
        .collect()
}

fn sorted_dirs(dir: &Path) -> Result<Vec<PathBuf>, LayoutError> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| LayoutError(format!("{}: {e}", dir.display())))?;
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    Ok(dirs)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::TempDir::new().expect("tempdir");
        for file in files {
            let path = dir.path().join(file);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, "openapi: 3.0.3\n").expect("write");
        }
        dir
    }

    #[test]
    fn names_follow_the_folders() {
        let v = Layout::default().version(Path::new("specs"), "e-financing", "1.7.1");
        assert_eq!(v.feature(), "e-financing-1_7_1");
        assert_eq!(v.feature_env_var(), "CARGO_FEATURE_E_FINANCING_1_7_1");
        assert_eq!(v.module_path(), "e_financing::v1_7_1");
        assert_eq!(v.accessor(), "e_financing_v1_7_1");
        assert!(is_version_feature("e-financing-1_7_1", "e-financing"));
        assert!(!is_version_feature("e-financing-1__1", "e-financing"));
        assert!(!is_version_feature("all-versions", "e-financing"));
    }

    #[test]
    fn versions_sort_by_number() {
        let t = tree(&[
            "a/1.10.0/uatc.yaml",
            "a/1.10.0/prod.yaml",
            "a/1.9.0/uatc.yaml",
            "a/1.9.0/prod.yaml",
            "a/2.0.0/uatc.yaml", // no prod: not a version
            "a/drafts/uatc.yaml",
            "a/drafts/prod.yaml",
        ]);
        let layout = Layout::default();
        let found: Vec<String> = layout
            .versions(t.path(), "a")
            .into_iter()
            .map(|v| v.version)
            .collect();
        assert_eq!(found, ["1.9.0", "1.10.0"]);
        assert_eq!(
            layout.files(t.path()).expect("files"),
            [
                "a/1.9.0/uatc.yaml",
                "a/1.9.0/prod.yaml",
                "a/1.10.0/uatc.yaml",
                "a/1.10.0/prod.yaml"
            ]
        );
    }

    #[test]
    fn another_vendor_names_its_own_environments() {
        let t = tree(&["plans/2.1.0/demo.yaml", "plans/2.1.0/production.yaml"]);
        let layout = Layout::new(
            vec![Environment::new("demo"), Environment::new("production")],
            "demo",
        )
        .expect("layout");
        assert_eq!(layout.generated_from().file_name(), "demo.yaml");
        assert_eq!(layout.environments()[1].constant, "PRODUCTION");
        assert_eq!(layout.versions(t.path(), "plans").len(), 1);
        assert!(Layout::default().versions(t.path(), "plans").is_empty());
        assert!(Layout::new(vec![Environment::new("demo")], "live").is_err());
        assert!(Layout::new(vec![Environment::new("a/b")], "a/b").is_err());
    }
}
