//! Where spec bytes come from: a local file or an http(s) URL.

use sha2::{Digest, Sha256};
use std::path::Path;
use std::time::Duration;

/// How long a fetch may take before the upstream counts as unreachable.
const FETCH_TIMEOUT: Duration = Duration::from_secs(30);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

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

/// Reads a file or fetches a URL; the error names the location and says what went wrong.
pub fn read(location: &str) -> Result<Vec<u8>, String> {
    if is_url(location) {
        fetch(location)
    } else {
        std::fs::read(location).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => format!("{location}: missing (no such file)"),
            _ => format!("{location}: cannot read: {e}"),
        })
    }
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
    response
        .bytes()
        .map(|b| b.to_vec())
        .map_err(|e| format!("{url}: transfer failed: {}", error_chain(&e)))
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
    fn joins_urls_and_directories() {
        assert_eq!(join("http://h/base/", "a/b.yaml"), "http://h/base/a/b.yaml");
        assert!(join("specs", "a/b.yaml").ends_with("b.yaml"));
    }
}
