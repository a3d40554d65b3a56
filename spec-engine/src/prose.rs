//! What counts as prose in an OpenAPI document.
//!
//! Our vendored specs carry our own words, so every comparison with upstream must ignore prose
//! and nothing else. The rule matches the project's structural checker: descriptions, summaries,
//! examples, titles, tags, external docs, `x-` extensions and the `info` block (but its version).

use serde_json::{Map, Value};

/// Keys whose values are prose wherever they appear as keywords.
const PROSE_KEYS: &[&str] = &[
    "description",
    "summary",
    "example",
    "examples",
    "externalDocs",
    "title",
    "termsOfService",
    "contact",
    "tags",
];

/// Whether `key`, found in the object at JSON pointer `parent`, is prose.
///
/// A key directly under `properties` or `paths` is a name, not a keyword: a schema property
/// called `description` is structure.
pub fn is_prose_key(parent: &str, key: &str) -> bool {
    if key.starts_with("x-") {
        return true;
    }
    if parent == "/paths" || parent.ends_with("/properties") {
        return false;
    }
    PROSE_KEYS.contains(&key)
}

/// A copy of `doc` with all prose removed (and `info` reduced to its version).
pub fn strip_prose(doc: &Value) -> Value {
    strip(doc, "")
}

fn strip(node: &Value, pointer: &str) -> Value {
    match node {
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, value) in map {
                if pointer.is_empty() && key == "info" {
                    let version = value.get("version").cloned().unwrap_or(Value::Null);
                    out.insert(key.clone(), serde_json::json!({ "version": version }));
                    continue;
                }
                if is_prose_key(pointer, key) {
                    continue;
                }
                out.insert(key.clone(), strip(value, &crate::walk::child(pointer, key)));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| strip(v, &crate::walk::child(pointer, &i.to_string())))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strips_prose_but_keeps_property_named_description() {
        let doc = json!({
            "info": {"title": "T", "version": "1.0"},
            "x-internal": 1,
            "components": {"schemas": {"Item": {
                "description": "an item",
                "properties": {"description": {"type": "string", "example": "x"}}
            }}}
        });
        let stripped = strip_prose(&doc);
        assert_eq!(
            stripped,
            json!({
                "info": {"version": "1.0"},
                "components": {"schemas": {"Item": {
                    "properties": {"description": {"type": "string"}}
                }}}
            })
        );
    }
}
