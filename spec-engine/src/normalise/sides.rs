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
    /// Reachable from a parameter or request body.
    pub request: BTreeSet<String>,
    /// Reachable from a response.
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
}

/// The schemas of every media type of a body, response or parameter `content`.
pub(crate) fn media_schemas(node: &Value) -> Vec<&Value> {
    node.get("content")
        .and_then(Value::as_object)
        .map(|content| content.values().filter_map(|m| m.get("schema")).collect())
        .unwrap_or_default()
}
