//! Which component schemas requests use and which responses use.
//!
//! Rules treat the two sides differently: what we send must meet every constraint of the spec,
//! what the server sends must be read even when it strays from it.

use crate::walk::{operations, resolve};
use serde_json::Value;
use std::collections::BTreeSet;

/// Schemas of request bodies and parameters.
pub(crate) fn request_roots(doc: &Value) -> Vec<&Value> {
    let mut roots = Vec::new();
    for (_, _, operation) in operations(doc) {
        if let Some(content) = operation
            .pointer("/requestBody/content")
            .and_then(Value::as_object)
        {
            roots.extend(content.values().filter_map(|m| m.get("schema")));
        }
        if let Some(parameters) = operation.get("parameters").and_then(Value::as_array) {
            roots.extend(parameters.iter().filter_map(|p| p.get("schema")));
        }
    }
    roots
}

/// Schemas of every declared response.
pub(crate) fn response_roots(doc: &Value) -> Vec<&Value> {
    let mut roots = Vec::new();
    for (_, _, operation) in operations(doc) {
        if let Some(responses) = operation.get("responses").and_then(Value::as_object) {
            for response in responses.values() {
                if let Some(content) = response.get("content").and_then(Value::as_object) {
                    roots.extend(content.values().filter_map(|m| m.get("schema")));
                }
            }
        }
    }
    roots
}

/// Names of the component schemas reachable through `$ref` from `roots`.
pub(crate) fn reachable(doc: &Value, roots: Vec<&Value>) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut stack = roots;
    while let Some(node) = stack.pop() {
        match node {
            Value::Object(map) => {
                if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
                    if let Some(name) = reference.strip_prefix("#/components/schemas/") {
                        if seen.insert(name.to_string()) {
                            stack.extend(resolve(doc, reference));
                        }
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
