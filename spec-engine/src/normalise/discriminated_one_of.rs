//! Rule `discriminated_one_of`: a `oneOf` with a `discriminator` decodes to the variant its tag
//! names, and to a catch-all variant for tags the spec does not list.
//!
//! typify 0.8 ignores `discriminator` and generates an untagged enum tried in order. In the
//! merchant-webhooks spec every event payload variant has only optional fields besides the tag,
//! so the first variant accepts any event and the others are never reached: an `SC_SUBSCRIPTION`
//! event decoded as an insurance payload, losing `financedAmount`.
//!
//! For each mapping entry the rule pins the tag property of the mapped variant to its one value
//! (`enum: [SC_SUBSCRIPTION]`), so a variant accepts only its own events. It then adds a last
//! variant, `<Schema>Other`, holding the parent's own properties plus every other field, so an
//! event type Scalexpert adds later still decodes. Runs after `open_response_enums`, which would
//! otherwise open the pinned tags again.

use crate::refs::{schema_name, schema_ref};
use crate::walk::child;
use serde_json::{json, Map, Value};

/// Applies the rule; returns the pointers of the `oneOf` schemas it rewrote.
pub fn apply(doc: &mut Value) -> Vec<String> {
    let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return Vec::new();
    };
    let parents: Vec<String> = schemas
        .iter()
        .filter(|(_, schema)| {
            schema.pointer("/discriminator/propertyName").is_some() && schema.get("oneOf").is_some()
        })
        .map(|(name, _)| name.clone())
        .collect();
    let mut changed = Vec::new();
    for parent_name in parents {
        let Some(parent) = schemas.get(&parent_name).cloned() else {
            continue;
        };
        let Some(tag) = parent
            .pointer("/discriminator/propertyName")
            .and_then(Value::as_str)
        else {
            continue;
        };
        let mapping = parent
            .pointer("/discriminator/mapping")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        for (value, target) in &mapping {
            let Some(variant) = target
                .as_str()
                .and_then(schema_name)
                .and_then(|name| schemas.get_mut(name))
            else {
                continue;
            };
            pin_tag(variant, tag, value);
        }

        let mut other_name = format!("{parent_name}Other");
        while schemas.contains_key(&other_name) {
            other_name.push('_');
        }
        let mut other = Map::new();
        other.insert("type".into(), json!("object"));
        other.insert(
            "description".into(),
            json!(format!(
                "A `{tag}` the spec does not list; every field is kept."
            )),
        );
        for key in ["properties", "required"] {
            if let Some(value) = parent.get(key) {
                other.insert(key.into(), value.clone());
            }
        }
        other.insert("additionalProperties".into(), json!({}));
        schemas.insert(other_name.clone(), Value::Object(other));

        let mut variants = parent.get("oneOf").cloned().unwrap_or_else(|| json!([]));
        if let Some(list) = variants.as_array_mut() {
            list.push(json!({"$ref": schema_ref(&other_name)}));
        }
        let mut rewritten = Map::new();
        if let Some(description) = parent.get("description") {
            rewritten.insert("description".into(), description.clone());
        }
        rewritten.insert("oneOf".into(), variants);
        schemas.insert(parent_name.clone(), Value::Object(rewritten));
        changed.push(child("/components/schemas", &parent_name));
    }
    changed
}

/// Makes `variant` accept only objects whose `tag` is `value`.
fn pin_tag(variant: &mut Value, tag: &str, value: &str) {
    let Some(variant) = variant.as_object_mut() else {
        return;
    };
    let properties = variant.entry("properties").or_insert_with(|| json!({}));
    if let Some(properties) = properties.as_object_mut() {
        let mut pinned = json!({"type": "string", "enum": [value]});
        if let Some(description) = properties.get(tag).and_then(|p| p.get("description")) {
            pinned["description"] = description.clone();
        }
        properties.insert(tag.to_string(), pinned);
    }
    let required = variant.entry("required").or_insert_with(|| json!([]));
    if let Some(required) = required.as_array_mut() {
        if !required.iter().any(|r| r == tag) {
            required.push(json!(tag));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Value {
        json!({"components": {"schemas": {
            "Payload": {
                "type": "object", "required": ["kind"], "description": "by kind",
                "properties": {"kind": {"type": "string"}, "code": {"type": "string"}},
                "discriminator": {"propertyName": "kind", "mapping": {
                    "A": "#/components/schemas/APayload", "B": "#/components/schemas/BPayload"
                }},
                "oneOf": [{"$ref": "#/components/schemas/APayload"}, {"$ref": "#/components/schemas/BPayload"}]
            },
            "APayload": {"type": "object", "properties": {"kind": {"type": "string", "description": "always A"}, "a": {"type": "string"}}},
            "BPayload": {"type": "object", "required": ["kind"], "properties": {"kind": {"type": "string"}, "b": {"type": "number"}}}
        }}})
    }

    #[test]
    fn each_variant_accepts_only_its_own_tag() {
        let mut doc = doc();
        assert_eq!(apply(&mut doc), ["/components/schemas/Payload"]);
        assert_eq!(
            doc.pointer("/components/schemas/APayload/properties/kind"),
            Some(&json!({"type": "string", "enum": ["A"], "description": "always A"}))
        );
        assert_eq!(
            doc.pointer("/components/schemas/APayload/required"),
            Some(&json!(["kind"]))
        );
        assert_eq!(
            doc.pointer("/components/schemas/BPayload/properties/kind/enum"),
            Some(&json!(["B"]))
        );
    }

    #[test]
    fn unknown_tags_fall_through_to_a_catch_all_variant() {
        let mut doc = doc();
        apply(&mut doc);
        let parent = doc.pointer("/components/schemas/Payload").expect("kept");
        assert_eq!(parent.get("discriminator"), None);
        assert_eq!(
            parent["oneOf"].as_array().map(Vec::len),
            Some(3),
            "the two variants, then the catch-all"
        );
        assert_eq!(
            parent["oneOf"][2]["$ref"],
            "#/components/schemas/PayloadOther"
        );
        let other = doc
            .pointer("/components/schemas/PayloadOther")
            .expect("added");
        assert_eq!(other["additionalProperties"], json!({}));
        assert_eq!(other["properties"]["kind"], json!({"type": "string"}));
    }
}
