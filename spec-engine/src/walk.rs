//! Walking a document: JSON pointers, operations and their parameters.

use crate::refs::deref;
use serde_json::Value;
use std::collections::BTreeMap;

/// The pointer of `key` below `parent`, escaped as RFC 6901 requires.
pub fn child(parent: &str, key: &str) -> String {
    format!("{parent}/{}", key.replace('~', "~0").replace('/', "~1"))
}

/// The keys of a pointer, unescaped: `/paths/~1s/get` gives `["paths", "/s", "get"]`.
pub fn segments(pointer: &str) -> impl Iterator<Item = String> + '_ {
    pointer
        .split('/')
        .skip(1)
        .map(|segment| segment.replace("~1", "/").replace("~0", "~"))
}

/// The HTTP methods an OpenAPI path item may hold.
pub const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// One operation of a document, with the path item it belongs to.
#[derive(Debug, Clone, Copy)]
pub struct Operation<'a> {
    /// Path template as the spec writes it.
    pub path: &'a str,
    /// HTTP method, lower case as in the document.
    pub method: &'a str,
    /// The path item (for path-level parameters).
    pub item: &'a Value,
    /// The operation object.
    pub op: &'a Value,
}

impl<'a> Operation<'a> {
    /// `/paths/<path>/<method>`.
    pub fn pointer(&self) -> String {
        child(&child("/paths", self.path), self.method)
    }

    /// The `operationId`, if the spec gives one.
    pub fn id(&self) -> Option<&'a str> {
        self.op.get("operationId").and_then(Value::as_str)
    }

    /// Parameters (path-level ones included, shared ones followed) by `(in, name)`, each with
    /// its pointer; an operation-level parameter overrides a path-level one, as OpenAPI says.
    pub fn parameters(&self, doc: &'a Value) -> BTreeMap<(String, String), (&'a Value, String)> {
        let mut out = BTreeMap::new();
        let item_pointer = child("/paths", self.path);
        let lists = [
            (
                self.item.get("parameters"),
                child(&item_pointer, "parameters"),
            ),
            (
                self.op.get("parameters"),
                child(&self.pointer(), "parameters"),
            ),
        ];
        for (list, base) in lists {
            let Some(list) = list.and_then(Value::as_array) else {
                continue;
            };
            for (i, parameter) in list.iter().enumerate() {
                let parameter = deref(doc, parameter);
                let field = |key: &str| {
                    parameter
                        .get(key)
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string()
                };
                out.insert(
                    (field("in"), field("name")),
                    (parameter, child(&base, &i.to_string())),
                );
            }
        }
        out
    }
}

/// Every operation of a document, in document order.
pub fn operations(doc: &Value) -> impl Iterator<Item = Operation<'_>> {
    doc.get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|paths| paths.iter())
        .flat_map(|(path, item)| {
            METHODS.iter().filter_map(move |method| {
                item.get(*method).map(|op| Operation {
                    path: path.as_str(),
                    method,
                    item,
                    op,
                })
            })
        })
}

/// The document's component schemas, by name.
pub fn component_schemas(doc: &Value) -> Option<&serde_json::Map<String, Value>> {
    doc.pointer("/components/schemas")
        .and_then(Value::as_object)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn escapes_slashes_in_path_keys() {
        assert_eq!(
            child("/paths", "/subscriptions/{id}"),
            "/paths/~1subscriptions~1{id}"
        );
        let keys: Vec<String> = segments("/paths/~1s~1{id}/get").collect();
        assert_eq!(keys, ["paths", "/s/{id}", "get"]);
    }

    #[test]
    fn parameters_include_the_path_level_and_follow_references() {
        let doc = json!({
            "components": {"parameters": {"Lang": {"in": "query", "name": "lang"}}},
            "paths": {"/s/{id}": {
                "parameters": [{"in": "path", "name": "id", "required": true}],
                "get": {"parameters": [{"$ref": "#/components/parameters/Lang"}]}
            }}
        });
        let op = operations(&doc).next().expect("one operation");
        let params = op.parameters(&doc);
        assert_eq!(params.len(), 2);
        let (lang, pointer) = &params[&("query".to_string(), "lang".to_string())];
        assert_eq!(lang["name"], "lang");
        assert_eq!(pointer, "/paths/~1s~1{id}/get/parameters/0");
        assert_eq!(op.pointer(), "/paths/~1s~1{id}/get");
    }
}
