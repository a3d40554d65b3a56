//! Rule `lenient_response_schemas`: what the server sends is read even if it breaks a request
//! constraint.
//!
//! Scalexpert's specs use one schema for both directions: the `Buyer`, `Contact` and `Address`
//! a subscription request sends come back in the subscription the API returns. typify turns a
//! `pattern` or length limit into a checked newtype, so a stored value that breaks it (a mobile
//! number without `+`, a city name over the limit of a later version) makes the whole response
//! fail to decode, and a merchant can no longer read the status of that subscription.
//!
//! The rule gives every component schema used by both a request and a response a copy for the
//! response side, named `<Schema>Returned`, and points the responses (and the response-only
//! schemas) at the copies. Then it removes `pattern`, `minLength`, `maxLength`, `minItems` and
//! `maxItems` from everything on the response side. Types, formats, enums (opened by
//! `open_response_enums`, which runs next) and required lists stay as the spec has them: a
//! missing field or a wrong type is still an error. Requests keep every constraint.

use super::sides::Sides;
use crate::refs::retarget;
use crate::walk::{child, METHODS};
use serde_json::Value;

/// Suffix of the response-side copies of shared schemas.
pub const COPY_SUFFIX: &str = "Returned";

/// Constraints checked on what we send, not on what we receive.
pub const REQUEST_ONLY_CONSTRAINTS: &[&str] =
    &["pattern", "minLength", "maxLength", "minItems", "maxItems"];

/// Applies the rule; returns the pointers of the copies it added and of the schemas it relaxed.
pub fn apply(doc: &mut Value) -> Vec<String> {
    let sides = Sides::of(doc);
    let (shared, response_only) = (sides.shared(), sides.response_only());
    let mut changed = Vec::new();

    let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return changed;
    };
    let mut copies: Vec<(String, String)> = Vec::new();
    for name in &shared {
        let mut copy = format!("{name}{COPY_SUFFIX}");
        while schemas.contains_key(&copy) || copies.iter().any(|(_, taken)| *taken == copy) {
            copy.push('_');
        }
        copies.push((name.clone(), copy));
    }
    let renamed = |name: &str| -> Option<String> {
        copies
            .iter()
            .find(|(original, _)| original == name)
            .map(|(_, copy)| copy.clone())
    };

    for (original, copy) in &copies {
        let Some(mut schema) = schemas.get(original).cloned() else {
            continue;
        };
        retarget(&mut schema, &renamed);
        relax(&mut schema);
        schemas.insert(copy.clone(), schema);
        changed.push(child("/components/schemas", copy));
    }
    for name in &response_only {
        if let Some(schema) = schemas.get_mut(name) {
            retarget(schema, &renamed);
            relax(schema);
            changed.push(child("/components/schemas", name));
        }
    }

    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            for method in METHODS {
                let Some(responses) = item
                    .get_mut(*method)
                    .and_then(|op| op.get_mut("responses"))
                    .and_then(Value::as_object_mut)
                else {
                    continue;
                };
                for (code, response) in responses.iter_mut() {
                    let Some(content) = response.get_mut("content").and_then(Value::as_object_mut)
                    else {
                        continue;
                    };
                    for (media, body) in content.iter_mut() {
                        if let Some(schema) = body.get_mut("schema") {
                            retarget(schema, &renamed);
                            if relax(schema) {
                                let at = child(&child("/paths", path), method);
                                let at = child(&child(&at, "responses"), code);
                                changed.push(child(&child(&at, "content"), media));
                            }
                        }
                    }
                }
            }
        }
    }
    changed
}

/// Removes the request-only constraints below `node`; says whether it removed any.
fn relax(node: &mut Value) -> bool {
    let mut removed = false;
    match node {
        Value::Object(map) => {
            // `properties` holds names, not schemas: a property called `pattern` stays.
            let is_schema = map.contains_key("type") || map.contains_key("format");
            if is_schema {
                for key in REQUEST_ONLY_CONSTRAINTS {
                    removed |= map.remove(*key).is_some();
                }
            }
            for (key, value) in map.iter_mut() {
                if key == "example" || key == "examples" {
                    continue;
                }
                if key == "properties" {
                    if let Some(properties) = value.as_object_mut() {
                        for property in properties.values_mut() {
                            removed |= relax(property);
                        }
                    }
                } else {
                    removed |= relax(value);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                removed |= relax(item);
            }
        }
        _ => {}
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({
            "paths": {
                "/s": {
                    "post": {
                        "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Req"}}}},
                        "responses": {"201": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Created"}}}}}
                    }
                },
                "/s/{id}": {
                    "get": {"responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Sub"}}}}}}
                }
            },
            "components": {"schemas": {
                "Req": {"type": "object", "required": ["buyer"], "properties": {"buyer": {"$ref": "#/components/schemas/Buyer"}}},
                "Buyer": {"type": "object", "required": ["phone"], "properties": {
                    "phone": {"type": "string", "pattern": "^\\+[0-9]+$", "maxLength": 20},
                    "address": {"$ref": "#/components/schemas/Address"}
                }},
                "Address": {"type": "object", "properties": {"city": {"type": "string", "maxLength": 140}}},
                "Sub": {"type": "object", "properties": {
                    "buyer": {"$ref": "#/components/schemas/Buyer"},
                    "orderId": {"type": "string", "maxLength": 40},
                    "items": {"type": "array", "maxItems": 3, "items": {"type": "string"}}
                }},
                "Created": {"type": "object", "properties": {"id": {"type": "string", "format": "uuid"}}}
            }}
        })
    }

    #[test]
    fn responses_read_a_relaxed_copy_of_shared_schemas() {
        let mut doc = doc();
        apply(&mut doc);
        assert_eq!(
            doc.pointer("/components/schemas/Sub/properties/buyer/$ref"),
            Some(&json!("#/components/schemas/BuyerReturned"))
        );
        let copy = doc
            .pointer("/components/schemas/BuyerReturned")
            .expect("copy");
        assert_eq!(copy["properties"]["phone"], json!({"type": "string"}));
        assert_eq!(copy["required"], json!(["phone"]), "required stays");
        assert_eq!(
            copy["properties"]["address"]["$ref"], "#/components/schemas/AddressReturned",
            "nested shared schemas are copied too"
        );
        assert_eq!(
            doc.pointer("/components/schemas/AddressReturned/properties/city"),
            Some(&json!({"type": "string"}))
        );
    }

    #[test]
    fn requests_keep_every_constraint() {
        let mut doc = doc();
        let before = doc.pointer("/components/schemas/Buyer").cloned();
        apply(&mut doc);
        assert_eq!(doc.pointer("/components/schemas/Buyer").cloned(), before);
        assert_eq!(
            doc.pointer("/components/schemas/Req/properties/buyer/$ref"),
            Some(&json!("#/components/schemas/Buyer"))
        );
    }

    #[test]
    fn response_only_schemas_lose_length_and_item_limits_but_keep_formats() {
        let mut doc = doc();
        apply(&mut doc);
        assert_eq!(
            doc.pointer("/components/schemas/Sub/properties/orderId"),
            Some(&json!({"type": "string"}))
        );
        assert_eq!(
            doc.pointer("/components/schemas/Sub/properties/items/maxItems"),
            None
        );
        assert_eq!(
            doc.pointer("/components/schemas/Created/properties/id/format"),
            Some(&json!("uuid"))
        );
    }

    #[test]
    fn a_property_named_like_a_constraint_is_kept() {
        let mut doc = json!({
            "paths": {"/x": {"get": {"responses": {"200": {"content": {"application/json": {"schema": {
                "type": "object", "properties": {"pattern": {"type": "string"}}
            }}}}}}}}
        });
        apply(&mut doc);
        assert!(doc
            .pointer(
                "/paths/~1x/get/responses/200/content/application~1json/schema/properties/pattern"
            )
            .is_some());
    }
}
