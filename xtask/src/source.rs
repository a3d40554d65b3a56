//! Where spec bytes come from: a local file or an http(s) URL.

use crate::lock::LockEntry;
use scalexpert_spec_engine::layout::{compare_versions, is_version};
use scalexpert_spec_engine::ComparisonError;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::time::Duration;

/// How long a fetch may take before the upstream counts as unreachable.
const FETCH_TIMEOUT: Duration = Duration::from_secs(30);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The largest spec file read (a real one is a few hundred KB). Parsing and comparing hold a
/// file several times over, so anything much larger is refused rather than read.
pub const MAX_BYTES: u64 = 16 * 1024 * 1024;

/// Whether `location` is an http(s) URL rather than a path.
pub fn is_url(location: &str) -> bool {
    location.starts_with("http://") || location.starts_with("https://")
}

/// `relative` below `base`, which is a directory or a base URL.
pub fn join(base: &str, relative: &str) -> String {
    if is_url(base) {
        format!("{}/{}", base.trim_end_matches('/'), relative)
    } else {
        Path::new(base).join(relative).display().to_string()
    }
}

/// Reads a file or fetches a URL, at most [`MAX_BYTES`]; the error names the location and
/// says what went wrong.
pub fn read(location: &str) -> Result<Vec<u8>, String> {
    if is_url(location) {
        return fetch(location);
    }
    let file = std::fs::File::open(location).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => format!("{location}: missing (no such file)"),
        _ => format!("{location}: cannot read: {e}"),
    })?;
    bounded(file, location)
}

/// All of `reader`, or an error once it passes [`MAX_BYTES`].
fn bounded(reader: impl Read, location: &str) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    reader
        .take(MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{location}: cannot read: {e}"))?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(format!(
            "{location}: larger than {} MiB, which no spec is; refused",
            MAX_BYTES / 1024 / 1024
        ));
    }
    Ok(bytes)
}

fn fetch(url: &str) -> Result<Vec<u8>, String> {
    let client = reqwest::blocking::Client::builder()
        .timeout(FETCH_TIMEOUT)
        .connect_timeout(CONNECT_TIMEOUT)
        .user_agent(concat!("scalexpert-xtask/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("{url}: cannot set up an HTTP client: {e}"))?;
    let response = client
        .get(url)
        .send()
        .map_err(|e| format!("{url}: unreachable: {}", error_chain(&e)))?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("{url}: missing (HTTP {status})"));
    }
    bounded(response, url)
}

/// An error and its sources on one line (reqwest's top-level message alone is vague).
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

/// Lower-case hex sha256 of `bytes`, as the lock records it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// One version a listing shows: its files by environment name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// The API family.
    pub api: String,
    /// The version.
    pub version: String,
    /// Environment name (`uatc`) → download URL.
    pub files: BTreeMap<String, String>,
}

/// Where the published files are listed, derived from the lock's URLs: for files served as
/// `https://raw.githubusercontent.com/<owner>/<repo>/<branch>/<dir>/<file>`, GitHub's contents
/// API for `<dir>`.
pub fn listing_of(entries: &[LockEntry]) -> Option<String> {
    entries.iter().find_map(|entry| {
        let url = entry.upstream.as_deref()?;
        let rest = url.strip_prefix("https://raw.githubusercontent.com/")?;
        let (dir, _file) = rest.rsplit_once('/')?;
        let mut parts = dir.splitn(4, '/');
        let (owner, repo, branch, path) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        Some(format!(
            "https://api.github.com/repos/{owner}/{repo}/contents/{path}?ref={branch}"
        ))
    })
}

/// The versions of `apis` a listing shows (a JSON array of `{name, download_url}`, as GitHub's
/// contents API answers), from file names like `swagger_<api>_<version>-UATC.yaml`.
pub fn published<'a>(
    listing: &str,
    apis: impl IntoIterator<Item = &'a String>,
) -> Result<Vec<Published>, ComparisonError> {
    let failed = |message: String| ComparisonError::new(message, Some(listing.to_string()));
    let bytes = read(listing).map_err(failed)?;
    let files: Vec<serde_json::Value> = serde_json::from_slice(&bytes).map_err(|e| {
        failed(format!(
            "{listing}: not a file listing (a JSON array of {{name, download_url}}): {e}"
        ))
    })?;
    let mut apis: Vec<&String> = apis.into_iter().collect();
    // `e-financing-x` before `e-financing`, so the longer name wins.
    apis.sort_by_key(|a| std::cmp::Reverse(a.len()));
    let environments = crate::layout();
    let mut found: BTreeMap<(String, String), BTreeMap<String, String>> = BTreeMap::new();
    for file in &files {
        let (Some(name), Some(url)) = (
            file.get("name").and_then(|v| v.as_str()),
            file.get("download_url").and_then(|v| v.as_str()),
        ) else {
            continue;
        };
        let Some((api, version, rest)) = parse_asset_name(name, &apis) else {
            continue;
        };
        let rest = rest.to_ascii_lowercase();
        if let Some(env) = environments
            .environments()
            .iter()
            .find(|env| rest.contains(&env.name))
        {
            found
                .entry((api, version))
                .or_default()
                .insert(env.name.clone(), url.to_string());
        }
    }
    let mut out: Vec<Published> = found
        .into_iter()
        .map(|((api, version), files)| Published {
            api,
            version,
            files,
        })
        .collect();
    out.sort_by(|a, b| {
        a.api
            .cmp(&b.api)
            .then_with(|| compare_versions(&a.version, &b.version))
    });
    Ok(out)
}

/// `swagger_e-financing_1.7.1-UATC.yaml` → (`e-financing`, `1.7.1`, `-UATC.yaml`).
fn parse_asset_name<'n>(name: &'n str, apis: &[&String]) -> Option<(String, String, &'n str)> {
    let is_spec = [".yaml", ".yml", ".json"]
        .iter()
        .any(|ext| name.ends_with(ext));
    let rest = name.strip_prefix("swagger_").filter(|_| is_spec)?;
    let api = apis.iter().find(|api| {
        rest.strip_prefix(api.as_str())
            .is_some_and(|r| r.starts_with(['_', '-']))
    })?;
    let rest = &rest[api.len() + 1..];
    let end = rest
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(rest.len());
    let version = rest[..end].trim_end_matches('.');
    is_version(version).then(|| (api.to_string(), version.to_string(), &rest[version.len()..]))
}

/// Bytes as UTF-8 text, or an error naming `origin`.
pub fn text(bytes: Vec<u8>, origin: &str) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|e| format!("{origin}: not UTF-8 text: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_matches_a_known_digest() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn asset_names_give_api_version_and_environment() {
        let apis = ["e-financing".to_string(), "insurance".to_string()];
        let apis: Vec<&String> = apis.iter().collect();
        assert_eq!(
            parse_asset_name("swagger_e-financing_1.7.1-UATC.yaml", &apis),
            Some(("e-financing".into(), "1.7.1".into(), "-UATC.yaml"))
        );
        assert_eq!(
            parse_asset_name("swagger_e-financing_1.4.0_uatc (3).yaml", &apis),
            Some(("e-financing".into(), "1.4.0".into(), "_uatc (3).yaml"))
        );
        assert_eq!(parse_asset_name("logo.png", &apis), None);
        assert_eq!(parse_asset_name("swagger_other_1.0.0.yaml", &apis), None);
        let lock = [LockEntry {
            path: "e-financing/1.7.1/uatc.yaml".into(),
            upstream: Some("https://raw.githubusercontent.com/scalexpert/documentation/main/.gitbook/assets/swagger_e-financing_1.7.1-UATC.yaml".into()),
            sha256: None,
            derived_from: None,
        }];
        assert_eq!(
            listing_of(&lock).as_deref(),
            Some("https://api.github.com/repos/scalexpert/documentation/contents/.gitbook/assets?ref=main")
        );
    }

    #[test]
    fn oversized_input_is_refused() {
        let big = std::io::repeat(b'a').take(MAX_BYTES + 10);
        let error = bounded(big, "big.yaml").expect_err("refused");
        assert!(error.starts_with("big.yaml: larger than 16 MiB"), "{error}");
    }

    #[test]
    fn joins_urls_and_directories() {
        assert_eq!(join("http://h/base/", "a/b.yaml"), "http://h/base/a/b.yaml");
        assert!(join("specs", "a/b.yaml").ends_with("b.yaml"));
    }
}
