//! Which component schemas requests use and which responses use.
//!
//! Rules and the classifier treat the two sides differently: what we send must meet every
//! constraint of the spec, what the server sends must be read even when it strays from it.

use crate::refs::{deref, referenced_schemas};
use crate::walk::{operations, Operation};
use serde_json::Value;
use std::collections::BTreeSet;

/// The component schemas each side reaches.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sides {
    /// Reachable from a parameter or request body, or from our answer to a callback.
    pub request: BTreeSet<String>,
    /// Reachable from a response, or from what the server sends to a callback.
    pub response: BTreeSet<String>,
}

impl Sides {
    /// Follows every operation's parameters (path-level ones too), request bodies and
    /// responses, shared ones included, to the component schemas they reach.
    pub fn of(doc: &Value) -> Sides {
        let (mut request, mut response) = (Vec::new(), Vec::new());
        for op in operations(doc) {
            roots(doc, &op, &mut request, &mut response);
        }
        Sides {
            request: referenced_schemas(doc, request),
            response: referenced_schemas(doc, response),
        }
    }

    /// The same, for one operation.
    pub fn of_operation(doc: &Value, op: &Operation<'_>) -> Sides {
        let (mut request, mut response) = (Vec::new(), Vec::new());
        roots(doc, op, &mut request, &mut response);
        Sides {
            request: referenced_schemas(doc, request),
            response: referenced_schemas(doc, response),
        }
    }

    /// Used by both sides.
    pub fn shared(&self) -> BTreeSet<String> {
        self.request.intersection(&self.response).cloned().collect()
    }

    /// Used by responses and not by requests.
    pub fn response_only(&self) -> BTreeSet<String> {
        self.response.difference(&self.request).cloned().collect()
    }
}

/// The schemas an operation's requests start from, and those its responses start from.
fn roots<'a>(
    doc: &'a Value,
    op: &Operation<'a>,
    request: &mut Vec<&'a Value>,
    response: &mut Vec<&'a Value>,
) {
    for (parameter, _) in op.parameters(doc).into_values() {
        request.extend(parameter.get("schema"));
        request.extend(media_schemas(parameter));
    }
    if let Some(body) = op.op.get("requestBody") {
        request.extend(media_schemas(deref(doc, body)));
    }
    let responses = op.op.get("responses").and_then(Value::as_object);
    for answer in responses.into_iter().flat_map(|r| r.values()) {
        response.extend(media_schemas(deref(doc, answer)));
    }
    // A callback (a webhook the server posts to a URL we gave it) is a request the server
    // makes: what it sends is read like a response, leniently, and our answer is held to the
    // spec like a request.
    for callback in callback_operations(op.op) {
        if let Some(parameters) = callback.get("parameters").and_then(Value::as_array) {
            for parameter in parameters {
                response.extend(deref(doc, parameter).get("schema"));
            }
        }
        if let Some(body) = callback.get("requestBody") {
            response.extend(media_schemas(deref(doc, body)));
        }
        let answers = callback.get("responses").and_then(Value::as_object);
        for answer in answers.into_iter().flat_map(|r| r.values()) {
            request.extend(media_schemas(deref(doc, answer)));
        }
    }
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
        .flat_map(|item| {
            crate::walk::METHODS
                .iter()
                .filter_map(move |method| item.get(*method))
        })
        .collect()
}

/// The schemas of every media type of a body, response or parameter `content`.
pub(crate) fn media_schemas(node: &Value) -> Vec<&Value> {
    node.get("content")
        .and_then(Value::as_object)
        .map(|content| content.values().filter_map(|m| m.get("schema")).collect())
        .unwrap_or_default()
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
        let sides = Sides::of(&doc);
        assert_eq!(
            sides.request.into_iter().collect::<Vec<_>>(),
            ["Ack", "Begin"]
        );
        assert_eq!(
            sides.response.into_iter().collect::<Vec<_>>(),
            ["Begun", "Event"]
        );
    }
}
