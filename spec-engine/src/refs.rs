//! `$ref`: the one place that reads, follows and rewrites references.
//!
//! Two kinds matter. A reference to a component schema (`#/components/schemas/Buyer`) names a
//! generated Rust type, so comparisons and rules keep it as a name. A reference to anything
//! else (a shared parameter, request body or response) is only a way of writing the object
//! in one place, so readers follow it with [`deref()`] and see the object itself.

use serde_json::Value;
use std::collections::BTreeSet;

/// What every component-schema reference starts with.
pub const SCHEMA_PREFIX: &str = "#/components/schemas/";

/// How many references in a row [`deref`] follows before giving up on a cycle.
const MAX_CHAIN: usize = 8;

/// `#/components/schemas/<name>`.
pub fn schema_ref(name: &str) -> String {
    format!("{SCHEMA_PREFIX}{name}")
}

/// The component name a reference points at, if it is a component-schema reference.
pub fn schema_name(reference: &str) -> Option<&str> {
    reference.strip_prefix(SCHEMA_PREFIX)
}

/// The `$ref` string of a node, if it has one.
pub fn reference_of(node: &Value) -> Option<&str> {
    node.get("$ref").and_then(Value::as_str)
}

/// The component schema a node refers to by name, if it is such a reference.
pub fn schema_name_of(node: &Value) -> Option<&str> {
    reference_of(node).and_then(schema_name)
}

/// The node a local reference (`#/…`) points at.
pub fn resolve<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    doc.pointer(reference.strip_prefix('#')?)
}

/// `node`, or the object its chain of non-schema references ends at (a shared parameter, body
/// or response). Schema references are left alone: they name a type. An unresolvable or
/// cyclic reference yields the last node reached.
pub fn deref<'a>(doc: &'a Value, mut node: &'a Value) -> &'a Value {
    for _ in 0..MAX_CHAIN {
        match reference_of(node) {
            Some(reference) if schema_name(reference).is_none() => match resolve(doc, reference) {
                Some(target) => node = target,
                None => return node,
            },
            _ => return node,
        }
    }
    node
}

/// Points every component-schema reference below `node` that `renamed` maps at its new name.
pub fn retarget(node: &mut Value, renamed: &impl Fn(&str) -> Option<String>) {
    match node {
        Value::Object(map) => {
            let target = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(schema_name)
                .and_then(renamed);
            if let Some(target) = target {
                map.insert("$ref".to_string(), Value::String(schema_ref(&target)));
            }
            map.values_mut().for_each(|v| retarget(v, renamed));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| retarget(v, renamed)),
        _ => {}
    }
}

/// A copy of `node` with its component-schema references retargeted ([`retarget`]).
pub fn retargeted(node: &Value, renamed: &impl Fn(&str) -> Option<String>) -> Value {
    let mut copy = node.clone();
    retarget(&mut copy, renamed);
    copy
}

/// Names of the component schemas reachable from `roots` through schema references (and
/// through the schemas those name, transitively).
pub fn referenced_schemas<'a>(
    doc: &'a Value,
    roots: impl IntoIterator<Item = &'a Value>,
) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<&Value> = roots.into_iter().collect();
    while let Some(node) = stack.pop() {
        match node {
            Value::Object(map) => {
                if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
                    let fresh = match schema_name(reference) {
                        Some(name) => seen.insert(name.to_string()),
                        // A shared parameter or body may itself hold schema references.
                        None => true,
                    };
                    if fresh {
                        stack.extend(resolve(doc, reference));
                    }
                }
                stack.extend(map.values());
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn follows_shared_objects_but_not_types() {
        let doc = json!({"components": {
            "parameters": {"Lang": {"$ref": "#/components/parameters/Language"},
                           "Language": {"in": "query", "name": "lang"}},
            "schemas": {"A": {"properties": {"b": {"$ref": "#/components/schemas/B"}}},
                        "B": {"type": "string"}, "C": {"type": "string"}}
        }});
        let param = json!({"$ref": "#/components/parameters/Lang"});
        assert_eq!(deref(&doc, &param)["name"], "lang");
        let typed = json!({"$ref": "#/components/schemas/A"});
        assert_eq!(deref(&doc, &typed), &typed);
        let cyclic =
            json!({"components": {"parameters": {"X": {"$ref": "#/components/parameters/X"}}}});
        let start = json!({"$ref": "#/components/parameters/X"});
        assert!(reference_of(deref(&cyclic, &start)).is_some());
        let reached = referenced_schemas(&doc, [&typed]);
        assert_eq!(reached.into_iter().collect::<Vec<_>>(), ["A", "B"]);
    }

    #[test]
    fn retargets_schema_references_only() {
        let mut node = json!({"a": {"$ref": "#/components/schemas/Old"},
                              "b": [{"$ref": "#/components/parameters/Old"}]});
        retarget(&mut node, &|name: &str| {
            (name == "Old").then(|| "New".to_string())
        });
        assert_eq!(node["a"]["$ref"], "#/components/schemas/New");
        assert_eq!(node["b"][0]["$ref"], "#/components/parameters/Old");
        assert_eq!(schema_name_of(&node["a"]), Some("New"));
    }
}
