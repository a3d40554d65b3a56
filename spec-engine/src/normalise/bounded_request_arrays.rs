//! Rule `bounded_request_arrays`: list lengths the spec limits are checked before sending.
//!
//! typify 0.8 turns an array with `minItems` / `maxItems` into a plain `Vec`, so a subscription
//! request with two buyers where the version allows one would go out and fail at the gateway.
//! For every limited array the rule points the property at `scalexpert::BoundedVec<Item,
//! Min<m>, Max<n>>` through typify's `x-rust-type` extension: the item type stays the generated
//! one (a type parameter), the bounds become type-level counts, and the value is checked when a
//! request is built or decoded. Without `maxItems` the upper bound is `usize::MAX`.
//!
//! Response-side arrays have no limits left by now (`lenient_response_schemas` runs first), so
//! only what we send is bounded.

use crate::walk::child;
use serde_json::{json, Map, Value};

/// The generic list type (see `src/bounded.rs`).
pub const BOUNDED_VEC_PATH: &str = "scalexpert::BoundedVec";

/// Applies the rule; returns the pointers of the arrays it bounded.
pub fn apply(doc: &mut Value) -> Vec<String> {
    let mut bounded = Vec::new();
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for (name, schema) in schemas.iter_mut() {
            bound_arrays(schema, &child("/components/schemas", name), &mut bounded);
        }
    }
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            for method in crate::walk::METHODS {
                let Some(content) = item
                    .get_mut(*method)
                    .and_then(|op| op.pointer_mut("/requestBody/content"))
                    .and_then(Value::as_object_mut)
                else {
                    continue;
                };
                for (media, body) in content.iter_mut() {
                    if let Some(schema) = body.get_mut("schema") {
                        let at = child(&child("/paths", path), method);
                        let at = child(&child(&child(&at, "requestBody"), "content"), media);
                        bound_arrays(schema, &child(&at, "schema"), &mut bounded);
                    }
                }
            }
        }
    }
    bounded
}

fn bound_arrays(schema: &mut Value, pointer: &str, bounded: &mut Vec<String>) {
    let Some(map) = schema.as_object_mut() else {
        return;
    };
    if let Some(replacement) = bounded_type(map) {
        *map = replacement;
        bounded.push(pointer.to_string());
        return;
    }
    if let Some(properties) = map.get_mut("properties").and_then(Value::as_object_mut) {
        let base = child(pointer, "properties");
        for (name, property) in properties.iter_mut() {
            bound_arrays(property, &child(&base, name), bounded);
        }
    }
    if let Some(items) = map.get_mut("items") {
        bound_arrays(items, &child(pointer, "items"), bounded);
    }
}

/// The `x-rust-type` schema replacing a limited array, or `None` for anything else.
fn bounded_type(array: &Map<String, Value>) -> Option<Map<String, Value>> {
    if array.get("type").and_then(Value::as_str) != Some("array") {
        return None;
    }
    let count = |key: &str| array.get(key).and_then(Value::as_u64);
    let (min, max) = (count("minItems"), count("maxItems"));
    if min.unwrap_or(0) == 0 && max.is_none() {
        return None;
    }
    let items = array.get("items")?.clone();
    let bound = |kind: &str, n: String| {
        json!({"x-rust-type": {
            "crate": "scalexpert",
            "version": "*",
            "path": format!("scalexpert::bounded::{kind}<{n}>"),
        }})
    };
    let mut replacement = Map::new();
    for key in ["description", "nullable", "example"] {
        if let Some(value) = array.get(key) {
            replacement.insert(key.to_string(), value.clone());
        }
    }
    replacement.insert(
        "x-rust-type".to_string(),
        json!({
            "crate": "scalexpert",
            "version": "*",
            "path": BOUNDED_VEC_PATH,
            "parameters": [
                items,
                bound("Min", min.unwrap_or(0).to_string()),
                bound("Max", max.map_or("{usize::MAX}".to_string(), |n| n.to_string())),
            ],
        }),
    );
    Some(replacement)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limited_arrays_become_bounded_vecs_of_their_items() {
        let mut doc = json!({"components": {"schemas": {"Req": {"type": "object", "properties": {
            "buyers": {"type": "array", "description": "who buys", "minItems": 0, "maxItems": 100,
                       "items": {"$ref": "#/components/schemas/Buyer"}},
            "tags": {"type": "array", "items": {"type": "string"}}
        }}}}});
        let bounded = apply(&mut doc);
        assert_eq!(bounded, ["/components/schemas/Req/properties/buyers"]);
        let buyers = &doc["components"]["schemas"]["Req"]["properties"]["buyers"];
        assert_eq!(buyers["description"], "who buys");
        let rust = &buyers["x-rust-type"];
        assert_eq!(rust["path"], BOUNDED_VEC_PATH);
        assert_eq!(
            rust["parameters"][0],
            json!({"$ref": "#/components/schemas/Buyer"})
        );
        assert_eq!(
            rust["parameters"][1]["x-rust-type"]["path"],
            "scalexpert::bounded::Min<0>"
        );
        assert_eq!(
            rust["parameters"][2]["x-rust-type"]["path"],
            "scalexpert::bounded::Max<100>"
        );
        assert_eq!(
            doc["components"]["schemas"]["Req"]["properties"]["tags"]["type"], "array",
            "an array without limits stays a Vec"
        );
    }

    #[test]
    fn a_lower_bound_alone_has_no_upper_limit() {
        let mut doc = json!({"paths": {"/x": {"post": {"requestBody": {"content": {"application/json": {
            "schema": {"type": "array", "minItems": 1, "items": {"type": "string"}}
        }}}}}}});
        assert_eq!(apply(&mut doc).len(), 1);
        let rust = doc
            .pointer("/paths/~1x/post/requestBody/content/application~1json/schema/x-rust-type")
            .expect("bounded");
        assert_eq!(
            rust["parameters"][2]["x-rust-type"]["path"],
            "scalexpert::bounded::Max<{usize::MAX}>"
        );
    }
}
