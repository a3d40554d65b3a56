//! Rule `open_response_enums`: string enums the server sends tolerate values the spec omits.
//!
//! A closed Rust enum fails to decode the whole response when Scalexpert adds a value (a new
//! `consolidatedStatus`, say) before the spec says so. For every string enum inside a schema
//! that only responses use, the rule moves the enum to its own component (named as progenitor
//! would name it anyway, e.g. `CreditSubscriptionDtoConsolidatedStatus`) and points the property
//! at `scalexpert::OpenEnum<that enum>` through typify's `x-rust-type` extension. Known values
//! decode to `OpenEnum::Known`, anything else to `OpenEnum::Unknown(String)`.
//!
//! Enums in schemas reachable from a request body or parameter stay closed: a value we send must
//! be one the API documents, and a closed enum makes the compiler say so.

use super::rust_type::RustType;
use super::sides::Sides;
use crate::refs::schema_ref;
use crate::walk::child;
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;

/// The crate and path the opened enums point at (see `src/open_enum.rs`).
pub const OPEN_ENUM_PATH: &str = "scalexpert::OpenEnum";

/// The `scalexpert` crate's open enum, what [`apply`] points at.
pub const SCALEXPERT_OPEN_ENUM: RustType<'static> = RustType {
    crate_name: "scalexpert",
    path: OPEN_ENUM_PATH,
};

/// One enum the rule opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opening {
    /// Pointer of the enum's schema in the original document.
    pub pointer: String,
    /// Component name the closed list of known values moves to.
    pub known_values_schema: String,
}

/// Applies the rule; returns the pointers of the enums opened.
pub fn apply(doc: &mut Value) -> Vec<String> {
    apply_at(doc, &SCALEXPERT_OPEN_ENUM)
}

/// Applies the rule with another crate's open enum type (one generic parameter, the known
/// values; it must decode any string): for a facade other than `scalexpert`'s.
pub fn apply_at(doc: &mut Value, open_enum: &RustType<'_>) -> Vec<String> {
    let plan = plan(doc);
    for opening in &plan {
        let Some(node) = doc.pointer_mut(&opening.pointer) else {
            continue;
        };
        let original = std::mem::take(node);
        let mut known = original.clone();
        let mut wrapper = Map::new();
        if let Some(known) = known.as_object_mut() {
            // Prose and nullability belong to the property, not to the list of values.
            for key in ["description", "nullable", "example"] {
                if let Some(v) = known.remove(key) {
                    wrapper.insert(key.to_string(), v);
                }
            }
        }
        wrapper.insert(
            "x-rust-type".to_string(),
            open_enum.extension(vec![json!({
                "$ref": schema_ref(&opening.known_values_schema)
            })]),
        );
        *node = Value::Object(wrapper);
        if let Some(schemas) = doc
            .pointer_mut("/components/schemas")
            .and_then(Value::as_object_mut)
        {
            schemas.insert(opening.known_values_schema.clone(), known);
        }
    }
    plan.into_iter().map(|o| o.pointer).collect()
}

/// The enums the rule would open in `doc`, without changing it.
pub fn plan(doc: &Value) -> Vec<Opening> {
    let response_only = Sides::of(doc).response_only();
    let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return Vec::new();
    };
    let mut taken: BTreeSet<String> = schemas.keys().cloned().collect();
    let mut out = Vec::new();
    for name in &response_only {
        let Some(schema) = schemas.get(name) else {
            continue;
        };
        let pointer = child("/components/schemas", name);
        collect_inline_enums(schema, &pointer, name, &mut taken, &mut out);
    }
    out
}

/// Inline string enums below `schema` (not following `$ref`s), with the name typify would use.
fn collect_inline_enums(
    schema: &Value,
    pointer: &str,
    type_name: &str,
    taken: &mut BTreeSet<String>,
    out: &mut Vec<Opening>,
) {
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        let base = child(pointer, "properties");
        for (property, sub) in properties {
            let name = format!("{type_name}{}", pascal_case(property));
            let at = child(&base, property);
            if is_string_enum(sub) {
                let mut known = name.clone();
                while !taken.insert(known.clone()) {
                    known.push_str("Value");
                }
                out.push(Opening {
                    pointer: at,
                    known_values_schema: known,
                });
            } else {
                collect_inline_enums(sub, &at, &name, taken, out);
            }
        }
    }
    if let Some(items) = schema.get("items") {
        let at = child(pointer, "items");
        if is_string_enum(items) {
            let mut known = format!("{type_name}Item");
            while !taken.insert(known.clone()) {
                known.push_str("Value");
            }
            out.push(Opening {
                pointer: at,
                known_values_schema: known,
            });
        } else {
            collect_inline_enums(items, &at, &format!("{type_name}Item"), taken, out);
        }
    }
}

fn is_string_enum(schema: &Value) -> bool {
    schema.get("enum").is_some()
        && schema.get("$ref").is_none()
        && schema
            .get("type")
            .and_then(Value::as_str)
            .is_none_or(|t| t == "string")
}

fn pascal_case(name: &str) -> String {
    let mut out = String::new();
    let mut upper = true;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Value {
        json!({
            "paths": {
                "/s": {
                    "post": {
                        "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Req"}}}},
                        "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Res"}}}}}
                    }
                }
            },
            "components": {"schemas": {
                "Req": {"type": "object", "properties": {"title": {"type": "string", "enum": ["MR", "MRS"]}, "address": {"$ref": "#/components/schemas/Shared"}}},
                "Shared": {"type": "object", "properties": {"kind": {"type": "string", "enum": ["A", "B"]}}},
                "Res": {"type": "object", "properties": {
                    "status": {"type": "string", "description": "where it stands", "enum": ["OK", "KO"]},
                    "address": {"$ref": "#/components/schemas/Shared"}
                }}
            }}
        })
    }

    #[test]
    fn opens_response_only_enums() {
        let mut doc = doc();
        let opened = apply(&mut doc);
        assert_eq!(opened, ["/components/schemas/Res/properties/status"]);
        let status = doc
            .pointer("/components/schemas/Res/properties/status")
            .expect("property");
        assert_eq!(status["x-rust-type"]["path"], OPEN_ENUM_PATH);
        assert_eq!(
            status["x-rust-type"]["parameters"][0]["$ref"],
            "#/components/schemas/ResStatus"
        );
        assert_eq!(status["description"], "where it stands");
        assert_eq!(
            doc.pointer("/components/schemas/ResStatus/enum"),
            Some(&json!(["OK", "KO"]))
        );
    }

    #[test]
    fn request_side_enums_stay_closed() {
        let mut doc = doc();
        apply(&mut doc);
        assert_eq!(
            doc.pointer("/components/schemas/Req/properties/title/enum"),
            Some(&json!(["MR", "MRS"]))
        );
        // Shared by a request and a response: a request may send it, so it stays closed.
        assert_eq!(
            doc.pointer("/components/schemas/Shared/properties/kind/enum"),
            Some(&json!(["A", "B"]))
        );
    }

    #[test]
    fn another_crate_may_own_the_open_enum() {
        let mut doc = doc();
        let target = RustType {
            crate_name: "payment-assist",
            path: "payment_assist::OpenEnum",
        };
        apply_at(&mut doc, &target);
        let status = &doc["components"]["schemas"]["Res"]["properties"]["status"]["x-rust-type"];
        assert_eq!(status["crate"], "payment-assist");
        assert_eq!(status["path"], "payment_assist::OpenEnum");
    }

    #[test]
    fn enums_of_callback_bodies_are_opened() {
        let mut doc = json!({
            "paths": {"/begin": {"post": {
                "responses": {"200": {}},
                "callbacks": {"event": {"{$request.body#/webhook_url}": {"post": {
                    "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Event"}}}},
                    "responses": {"200": {}}
                }}}}
            }}},
            "components": {"schemas": {"Event": {"type": "object", "properties": {
                "event_name": {"type": "string", "enum": ["application.completed"]}
            }}}}
        });
        assert_eq!(
            apply(&mut doc),
            ["/components/schemas/Event/properties/event_name"]
        );
        assert!(doc
            .pointer("/components/schemas/EventEventName/enum")
            .is_some());
    }

    #[test]
    fn hoisted_names_never_clash() {
        let mut d = doc();
        d["components"]["schemas"]["ResStatus"] = json!({"type": "string"});
        let plan = plan(&d);
        assert_eq!(plan[0].known_values_schema, "ResStatusValue");
    }
}
