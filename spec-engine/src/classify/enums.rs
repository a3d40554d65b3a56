//! Enum values added or removed, judged by side; on the response side, by whether our
//! generated field is an `OpenEnum` (rule `open_response_enums`) or a closed enum.

use super::context::{component_schemas, show, At, Classifier};
use super::verdict::{by_side, compile, compile_and_runtime, non_breaking, runtime};
use crate::diff::DifferenceKind;
use crate::normalise::{self, lenient_response_schemas};
use serde_json::Value;
use std::collections::BTreeSet;

impl Classifier<'_> {
    pub(super) fn compare_enum(&mut self, old: &Value, new: &Value, at: &At) {
        let empty = Vec::new();
        let a = old.as_array().unwrap_or(&empty);
        let b = new.as_array().unwrap_or(&empty);
        let side = at.side();
        let open = self.open_enums.contains(&at.old_ptr);
        for value in a.iter().filter(|v| !b.contains(v)) {
            let shown = show(Some(value));
            let verdict = by_side(
                side,
                || {
                    compile_and_runtime(
                    "request-enum-value-removed",
                    format!("value `{shown}` is no longer accepted: requests using it are refused and its variant disappears"),
                )
                },
                || {
                    compile(
                    "response-enum-value-removed",
                    format!("value `{shown}` is no longer sent: its variant disappears from the generated enum, so code naming it stops compiling"),
                )
                },
            );
            self.emit(
                at,
                Some("enum"),
                DifferenceKind::Removed,
                verdict,
                Some(value.clone()),
                None,
            );
        }
        for value in b.iter().filter(|v| !a.contains(v)) {
            let shown = show(Some(value));
            let verdict = by_side(
                side,
                || {
                    non_breaking(
                        "request-enum-value-added",
                        format!(
                            "value `{shown}` is now accepted: a new variant the client may send"
                        ),
                    )
                },
                || {
                    if open {
                        non_breaking(
                            "response-enum-value-added-open",
                            format!("value `{shown}` may now be received: our generated field is an OpenEnum, so the old client decodes it as Unknown"),
                        )
                    } else {
                        runtime(
                            "response-enum-value-added-closed",
                            format!("value `{shown}` may now be received: the generated enum is closed, so the old client fails to decode it"),
                        )
                    }
                },
            );
            self.emit(
                at,
                Some("enum"),
                DifferenceKind::Added,
                verdict,
                None,
                Some(value.clone()),
            );
        }
    }
}

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
