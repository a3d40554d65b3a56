//! Adding a version's cargo feature to the crate's `Cargo.toml`, comments and layout kept.

use scalexpert_spec_engine::layout::is_version_feature;
use toml_edit::{Array, DocumentMut, Item, Value};

/// `manifest` with `feature = []` added after the API's last version feature, and added to
/// `all-versions` (when there is one) after the API's last entry.
pub fn add_version_feature(manifest: &str, api: &str, feature: &str) -> Result<String, String> {
    let mut doc: DocumentMut = manifest.parse().map_err(|e| format!("Cargo.toml: {e}"))?;
    let features = doc
        .get_mut("features")
        .and_then(Item::as_table_mut)
        .ok_or("Cargo.toml has no [features] table")?;
    if features.contains_key(feature) {
        return Err(format!("Cargo.toml already has feature {feature}"));
    }
    let keys: Vec<String> = features.iter().map(|(k, _)| k.to_string()).collect();
    let after = keys.iter().rposition(|k| is_version_feature(k, api));
    // Keys after the insertion point are taken out and put back, so the new line lands among
    // its siblings; each key keeps its own comments (they belong to the key's decor).
    let tail: Vec<String> = match after {
        Some(i) => keys[i + 1..].to_vec(),
        None => Vec::new(),
    };
    let mut moved = Vec::new();
    for key in &tail {
        if let Some(entry) = features.remove_entry(key) {
            moved.push(entry);
        }
    }
    features.insert(feature, Item::Value(Value::Array(Array::new())));
    for (key, item) in moved {
        features.insert_formatted(&key, item);
    }

    if let Some(all) = features
        .get_mut("all-versions")
        .and_then(Item::as_array_mut)
    {
        let names: Vec<bool> = all
            .iter()
            .map(|v| v.as_str().is_some_and(|s| is_version_feature(s, api)))
            .collect();
        let position = names
            .iter()
            .rposition(|ours| *ours)
            .map_or(all.len(), |i| i + 1);
        let mut entry = Value::from(feature);
        // Same indentation as the neighbour it follows.
        let neighbour = position
            .checked_sub(1)
            .and_then(|i| all.get(i))
            .or_else(|| all.get(0));
        if let Some(prefix) = neighbour.and_then(|n| n.decor().prefix()).cloned() {
            entry.decor_mut().set_prefix(prefix);
        }
        all.insert_formatted(position, entry);
    }
    Ok(doc.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = r#"[package]
name = "x"

[features]
# Lean default.
default = ["e-financing-1_6_6"]
# One feature per version.
e-financing-1_4_0 = []
e-financing-1_6_6 = []
merchant-webhooks-1_0_6 = []
all-versions = [
    "e-financing-1_4_0",
    "e-financing-1_6_6",
    "merchant-webhooks-1_0_6",
]

[dependencies]
serde = "1"
"#;

    #[test]
    fn adds_the_feature_among_its_siblings() {
        let out = add_version_feature(MANIFEST, "e-financing", "e-financing-9_9_9").expect("edits");
        let expected = MANIFEST
            .replace(
                "e-financing-1_6_6 = []\n",
                "e-financing-1_6_6 = []\ne-financing-9_9_9 = []\n",
            )
            .replace(
                "    \"e-financing-1_6_6\",\n",
                "    \"e-financing-1_6_6\",\n    \"e-financing-9_9_9\",\n",
            );
        assert_eq!(out, expected);
    }

    #[test]
    fn refuses_an_existing_feature() {
        assert!(add_version_feature(MANIFEST, "e-financing", "e-financing-1_4_0").is_err());
    }
}
