//! `specs/upstream.lock.toml`: where each vendored spec comes from and the sha256 of its bytes.

use scalexpert_spec_engine::layout::compare_versions;
use scalexpert_spec_engine::Environment;
use std::path::Path;
use toml_edit::{value, ArrayOfTables, DocumentMut, Item, Table};

/// One `[[spec]]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockEntry {
    /// Path of the vendored file, relative to `specs/`.
    pub path: String,
    /// Where upstream publishes it (URL, or a file path for local sources).
    pub upstream: Option<String>,
    /// sha256 of the upstream bytes last checked.
    pub sha256: Option<String>,
    /// For a file with no upstream of its own: the sibling it is derived from.
    pub derived_from: Option<String>,
}

/// The lock file of a crate root.
pub fn path(root: &Path) -> std::path::PathBuf {
    crate::layout().lock_path(&crate::specs(root))
}

/// Parses the lock's entries.
pub fn parse(text: &str) -> Result<Vec<LockEntry>, String> {
    let doc: DocumentMut = text
        .parse()
        .map_err(|e| format!("upstream.lock.toml: {e}"))?;
    let Some(specs) = doc.get("spec") else {
        return Ok(Vec::new());
    };
    let specs = specs
        .as_array_of_tables()
        .ok_or("upstream.lock.toml: `spec` must be an array of tables ([[spec]])")?;
    let field = |t: &Table, key: &str| t.get(key).and_then(Item::as_str).map(str::to_string);
    specs
        .iter()
        .map(|t| {
            Ok(LockEntry {
                path: field(t, "path").ok_or("upstream.lock.toml: a [[spec]] has no path")?,
                upstream: field(t, "upstream"),
                sha256: field(t, "sha256"),
                derived_from: field(t, "derived_from"),
            })
        })
        .collect()
}

/// Reads the lock of `root` (an absent lock has no entries).
pub fn read(root: &Path) -> Result<Vec<LockEntry>, String> {
    let file = path(root);
    match std::fs::read_to_string(&file) {
        Ok(text) => parse(&text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(format!("{}: {e}", file.display())),
    }
}

/// Where Scalexpert would publish `env`'s file of `api` `version`, by the naming of the newest
/// vendored version whose recorded URL holds its version number (the naming changed over the
/// years, so the newest is the best guess); `None` when no entry tells.
pub fn published_url_for(
    entries: &[LockEntry],
    api: &str,
    version: &str,
    env: &Environment,
) -> Option<String> {
    let suffix = format!("/{}", env.file_name());
    entries
        .iter()
        .filter_map(|entry| {
            let rest = entry.path.strip_prefix(api)?.strip_prefix('/')?;
            let vendored = rest.strip_suffix(&suffix)?;
            let url = entry.upstream.as_deref()?;
            let at = url.rfind(vendored)?;
            let guess = format!("{}{version}{}", &url[..at], &url[at + vendored.len()..]);
            Some((vendored.to_string(), guess))
        })
        .max_by(|a, b| compare_versions(&a.0, &b.0))
        .map(|(_, url)| url)
}

/// The `[upstream] listing` URL of a lock, if it names one: where the published files are
/// listed, when it cannot be derived from their URLs.
pub fn listing(text: &str) -> Option<String> {
    let doc: DocumentMut = text.parse().ok()?;
    doc.get("upstream")?
        .get("listing")?
        .as_str()
        .map(str::to_string)
}

/// `text` with `entries` appended as `[[spec]]` tables; comments and layout kept.
pub fn append(text: &str, entries: &[LockEntry]) -> Result<String, String> {
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|e| format!("upstream.lock.toml: {e}"))?;
    if doc.get("spec").is_none() {
        doc.insert("spec", Item::ArrayOfTables(ArrayOfTables::new()));
    }
    let specs = doc
        .get_mut("spec")
        .and_then(Item::as_array_of_tables_mut)
        .ok_or("upstream.lock.toml: `spec` must be an array of tables ([[spec]])")?;
    for entry in entries {
        if specs
            .iter()
            .any(|t| t.get("path").and_then(Item::as_str) == Some(entry.path.as_str()))
        {
            return Err(format!("upstream.lock.toml already has {}", entry.path));
        }
        let mut table = Table::new();
        table.insert("path", value(entry.path.as_str()));
        for (key, field) in [
            ("upstream", &entry.upstream),
            ("sha256", &entry.sha256),
            ("derived_from", &entry.derived_from),
        ] {
            if let Some(field) = field {
                table.insert(key, value(field.as_str()));
            }
        }
        // A blank line before each entry, as in the hand-written part.
        table.decor_mut().set_prefix("\n");
        specs.push(table);
    }
    Ok(doc.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = "# Where each spec comes from.\n\n[[spec]]\npath = \"a/1.0.0/uatc.yaml\"\nupstream = \"https://x/a.yaml\"\nsha256 = \"00\"\n\n[[spec]]\npath = \"a/1.0.0/prod.yaml\"\n# Only one published.\nderived_from = \"a/1.0.0/uatc.yaml\"\n";

    #[test]
    fn reads_entries() {
        let entries = parse(LOCK).expect("parses");
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].upstream.as_deref(), Some("https://x/a.yaml"));
        assert_eq!(
            entries[1].derived_from.as_deref(),
            Some("a/1.0.0/uatc.yaml")
        );
    }

    #[test]
    fn the_newest_naming_gives_the_published_url_of_a_new_version() {
        let entries = parse(
            "[[spec]]\npath = \"e-financing/1.4.0/uatc.yaml\"\nupstream = \"https://h/swagger_e-financing_1.4.0_uatc%20%283%29.yaml\"\n\n\
             [[spec]]\npath = \"e-financing/1.10.0/uatc.yaml\"\nupstream = \"https://h/swagger_e-financing_1.10.0-UATC.yaml\"\n\n\
             [[spec]]\npath = \"e-financing/1.9.0/uatc.yaml\"\nupstream = \"https://h/swagger_e-financing_1.9.0_uatc.yaml\"\n\n\
             [[spec]]\npath = \"e-financing/1.9.0/prod.yaml\"\nupstream = \"/home/me/prod.yaml\"\n",
        )
        .expect("parses");
        let uatc = Environment::new("uatc");
        assert_eq!(
            published_url_for(&entries, "e-financing", "1.11.0", &uatc).as_deref(),
            Some("https://h/swagger_e-financing_1.11.0-UATC.yaml")
        );
        assert_eq!(
            published_url_for(&entries, "e-financing", "1.11.0", &Environment::new("prod")),
            None,
            "a path without the version tells nothing"
        );
        assert_eq!(
            published_url_for(&entries, "insurance", "1.0.0", &uatc),
            None
        );
        assert_eq!(
            listing("[upstream]\nlisting = \"https://l/\"\n").as_deref(),
            Some("https://l/")
        );
        assert_eq!(listing(LOCK), None);
    }

    #[test]
    fn appends_in_the_same_format_keeping_comments() {
        let entry = LockEntry {
            path: "a/2.0.0/uatc.yaml".into(),
            upstream: Some("https://x/b.yaml".into()),
            sha256: Some("ff".into()),
            derived_from: None,
        };
        let text = append(LOCK, std::slice::from_ref(&entry)).expect("appends");
        assert!(text.starts_with(LOCK), "{text}");
        assert!(text.ends_with(
            "\n\n[[spec]]\npath = \"a/2.0.0/uatc.yaml\"\nupstream = \"https://x/b.yaml\"\nsha256 = \"ff\"\n"
        ), "{text}");
        assert_eq!(parse(&text).expect("parses")[2], entry);
        assert!(append(&text, &[entry]).is_err(), "no duplicate entries");
    }
}
