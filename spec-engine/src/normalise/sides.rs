//! Which component schemas requests use and which responses use.
//!
//! Rules treat the two sides differently: what we send must meet every constraint of the spec,
//! what the server sends must be read even when it strays from it.

use crate::walk::{operations, resolve, METHODS};
use serde_json::Value;
use std::collections::BTreeSet;

/// Schemas of request bodies and parameters, and of the answers we give to callbacks.
pub(crate) fn request_roots(doc: &Value) -> Vec<&Value> {
    let mut roots = Vec::new();
    for (_, _, operation) in operations(doc) {
        roots.extend(inputs(operation));
        for callback in callback_operations(operation) {
            roots.extend(outputs(callback));
        }
    }
    roots
}

/// Schemas of every declared response, and of what the server sends to our callbacks.
///
/// A callback (a webhook the server posts to a URL we gave it) is a request the server makes:
/// its body and parameters are read like a response, leniently, and our answer to it is held
/// to the spec like a request.
pub(crate) fn response_roots(doc: &Value) -> Vec<&Value> {
    let mut roots = Vec::new();
    for (_, _, operation) in operations(doc) {
        roots.extend(outputs(operation));
        for callback in callback_operations(operation) {
            roots.extend(inputs(callback));
        }
    }
    roots
}

/// The request body and parameter schemas of one operation.
fn inputs(operation: &Value) -> Vec<&Value> {
    let mut roots = Vec::new();
    if let Some(content) = operation
        .pointer("/requestBody/content")
        .and_then(Value::as_object)
    {
        roots.extend(content.values().filter_map(|m| m.get("schema")));
    }
    if let Some(parameters) = operation.get("parameters").and_then(Value::as_array) {
        roots.extend(parameters.iter().filter_map(|p| p.get("schema")));
    }
    roots
}

/// The response schemas of one operation.
fn outputs(operation: &Value) -> Vec<&Value> {
    let mut roots = Vec::new();
    if let Some(responses) = operation.get("responses").and_then(Value::as_object) {
        for response in responses.values() {
            if let Some(content) = response.get("content").and_then(Value::as_object) {
                roots.extend(content.values().filter_map(|m| m.get("schema")));
            }
        }
    }
    roots
}

/// The operations of an operation's `callbacks` (name → expression → path item → method).
fn callback_operations(operation: &Value) -> Vec<&Value> {
    let Some(callbacks) = operation.get("callbacks").and_then(Value::as_object) else {
        return Vec::new();
    };
    callbacks
        .values()
        .filter_map(Value::as_object)
        .flat_map(|expressions| expressions.values())
        .flat_map(|item| METHODS.iter().filter_map(move |method| item.get(*method)))
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn callbacks_are_requests_the_server_makes() {
        let doc = json!({
            "paths": {"/begin": {"post": {
                "requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/Begin"}}}},
                "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Begun"}}}}},
                "callbacks": {"event": {"{$request.body#/webhook_url}": {"post": {
                    "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Event"}}}},
                    "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Ack"}}}}}
                }}}}
            }}},
            "components": {"schemas": {"Begin": {}, "Begun": {}, "Event": {}, "Ack": {}}}
        });
        let requests = reachable(&doc, request_roots(&doc));
        let responses = reachable(&doc, response_roots(&doc));
        assert_eq!(requests.into_iter().collect::<Vec<_>>(), ["Ack", "Begin"]);
        assert_eq!(
            responses.into_iter().collect::<Vec<_>>(),
            ["Begun", "Event"]
        );
    }
}
