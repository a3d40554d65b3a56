//! The response-side enums the client generated from a document keeps open (an unknown value
//! decodes instead of failing): a value added to one of them breaks no caller.

use crate::normalise::{self, lenient_response_schemas};
use crate::walk::component_schemas;
use serde_json::Value;
use std::collections::BTreeSet;

/// Pointers, in `old`, of the response-side enums the client generated from `old` keeps open.
///
/// Runs the normalisation rules up to `open_response_enums` on a copy, since earlier rules
/// decide what it sees: `lenient_response_schemas` gives schemas used by both sides a
/// response-side copy (`<Schema>Returned`), whose enums are then opened; those pointers are
/// mapped back to the shared schema.
pub(super) fn open_enum_pointers(old: &Value) -> BTreeSet<String> {
    let mut doc = old.clone();
    let mut opened = Vec::new();
    for rule in normalise::RULES {
        let touched = (rule.apply)(&mut doc);
        if rule.name == "open_response_enums" {
            opened = touched;
            break;
        }
    }
    let schemas = component_schemas(old);
    opened
        .into_iter()
        .map(|pointer| {
            let mut segments: Vec<String> = pointer.split('/').map(str::to_string).collect();
            if let (Some(schemas), Some(name)) = (schemas, segments.get(3).cloned()) {
                let original = name
                    .trim_end_matches('_')
                    .strip_suffix(lenient_response_schemas::COPY_SUFFIX)
                    .map(str::to_string);
                if let Some(original) = original {
                    if !schemas.contains_key(&name) && schemas.contains_key(&original) {
                        segments[3] = original;
                    }
                }
            }
            segments.join("/")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::tests::doc;
    use super::*;
    use serde_json::json;

    #[test]
    fn enums_of_shared_schemas_are_open_through_their_response_copy() {
        let shared =
            json!({"type": "object", "properties": {"kind": {"type": "string", "enum": ["A"]}}});
        let mut d = doc(
            json!({"type": "object", "properties": {"s": {"$ref": "#/components/schemas/Shared"}}}),
            json!({"type": "object", "properties": {
                "s": {"$ref": "#/components/schemas/Shared"},
                "own": {"type": "string", "enum": ["X"]}
            }}),
        );
        d["components"]["schemas"]["Shared"] = shared;
        let open = open_enum_pointers(&d);
        assert!(
            open.contains("/components/schemas/Shared/properties/kind"),
            "{open:?}"
        );
        assert!(
            open.contains("/components/schemas/Res/properties/own"),
            "{open:?}"
        );
        assert!(!open.iter().any(|p| p.contains("Returned")), "{open:?}");
    }
}
