//! JSON-pointer helpers shared by the diff, the checks and the normalisation rules.

use serde_json::Value;

/// The pointer of `key` below `parent`, escaped as RFC 6901 requires.
pub fn child(parent: &str, key: &str) -> String {
    format!("{parent}/{}", key.replace('~', "~0").replace('/', "~1"))
}

/// The HTTP methods an OpenAPI path item may hold.
pub const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Every operation of a document as `(path, method, operation)`.
pub fn operations(doc: &Value) -> impl Iterator<Item = (&str, &str, &Value)> {
    doc.get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|paths| paths.iter())
        .flat_map(|(path, item)| {
            METHODS.iter().filter_map(move |method| {
                item.get(*method)
                    .map(|operation| (path.as_str(), *method, operation))
            })
        })
}

/// Resolves a local `$ref` such as `#/components/schemas/Buyer`.
pub fn resolve<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    doc.pointer(reference.strip_prefix('#')?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_slashes_in_path_keys() {
        assert_eq!(
            child("/paths", "/subscriptions/{id}"),
            "/paths/~1subscriptions~1{id}"
        );
    }
}
