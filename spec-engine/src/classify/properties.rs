//! Object properties: added, removed, made required or optional, on either side.

use super::context::{string_set, At, Classifier, Role};
use super::verdict::{breaking, by_side, non_breaking};
use crate::diff::DifferenceKind;
use serde_json::{json, Map, Value};

impl Classifier<'_> {
    pub(super) fn compare_properties(
        &mut self,
        o: &Map<String, Value>,
        n: &Map<String, Value>,
        at: &At,
    ) {
        let empty = Map::new();
        let a = o
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let b = n
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let old_required = string_set(o, "required");
        let new_required = string_set(n, "required");
        let side = at.side();
        let props = at.child("properties");
        for (name, old_schema) in a {
            let was = old_required.contains(name);
            let mut here = props.child(name);
            here.role = Role::Nested;
            let Some(new_schema) = b.get(name) else {
                let verdict = by_side(
                    side,
                    || {
                        breaking(
                        "request-property-removed",
                        format!("field `{name}` removed from a request: the generated struct loses it"),
                    )
                    },
                    || {
                        breaking(
                        "response-property-removed",
                        format!("field `{name}` removed from a response: the generated struct loses it"),
                    )
                    },
                );
                self.emit(
                    &here,
                    None,
                    DifferenceKind::Removed,
                    verdict,
                    Some(old_schema.clone()),
                    None,
                );
                continue;
            };
            let is = new_required.contains(name);
            here.required = Some((was, is));
            if was != is {
                let is_array = new_schema.get("type").and_then(Value::as_str) == Some("array");
                let verdict = if is {
                    by_side(
                        side,
                        || {
                            breaking(
                            "request-property-made-required",
                            format!("field `{name}` is now required in a request: requests without it are refused and its type changes from `Option<T>` to `T`"),
                        )
                        },
                        || {
                            if is_array {
                                non_breaking(
                                    "response-property-made-required",
                                    format!("field `{name}` is now always sent; as a list it stays a Vec"),
                                )
                            } else {
                                breaking(
                                    "response-property-made-required",
                                    format!("field `{name}` is now always sent: its generated type changes from `Option<T>` to `T`"),
                                )
                            }
                        },
                    )
                } else {
                    by_side(
                        side,
                        || {
                            non_breaking(
                            "request-property-made-optional",
                            format!("field `{name}` is now optional in a request: the API accepts more"),
                        )
                        },
                        || {
                            breaking(
                            "response-property-made-optional",
                            format!("field `{name}` may now be missing from a response: the old client fails to decode it, and its type becomes `Option<T>`"),
                        )
                        },
                    )
                };
                self.emit(
                    &here,
                    None,
                    DifferenceKind::Changed,
                    verdict,
                    Some(json!({"required": was})),
                    Some(json!({"required": is})),
                );
            }
            self.compare_schema(old_schema, new_schema, &here);
        }
        for (name, new_schema) in b {
            if a.contains_key(name) {
                continue;
            }
            let required = new_required.contains(name);
            let verdict = by_side(
                side,
                || {
                    if required {
                        breaking(
                            "request-property-added-required",
                            format!("new required field `{name}` in a request: existing code does not set it and the API refuses requests without it"),
                        )
                    } else {
                        non_breaking(
                            "request-property-added-optional",
                            format!("new optional field `{name}` in a request"),
                        )
                    }
                },
                || {
                    non_breaking(
                        "response-property-added",
                        format!("new field `{name}` in a response: the old client ignores it"),
                    )
                },
            );
            self.emit(
                &props,
                Some(name),
                DifferenceKind::Added,
                verdict,
                None,
                Some(new_schema.clone()),
            );
        }
    }
}
