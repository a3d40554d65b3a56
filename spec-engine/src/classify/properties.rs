//! Object properties: added, removed, made required or optional, on either side.

use super::context::{string_set, At, Classifier, Role};
use super::rust_types::constrained_type;
use super::verdict::{by_side, compile, compile_and_runtime, non_breaking};
use super::Side;
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
                        compile(
                        "request-property-removed",
                        format!("field `{name}` removed from a request: the generated struct loses it"),
                    )
                    },
                    || {
                        if was {
                            compile_and_runtime(
                                "response-property-removed",
                                format!("required field `{name}` removed from a response: the generated struct loses it, and the old client fails to decode responses without it"),
                            )
                        } else {
                            compile(
                                "response-property-removed",
                                format!("field `{name}` removed from a response: the generated struct loses it"),
                            )
                        }
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
                // An optional plain list is a `Vec` defaulting to empty, a required one a `Vec`
                // too: only for those does the field keep its type.
                let stays_vec = |schema: &Value, side| {
                    schema
                        .as_object()
                        .and_then(|m| constrained_type(m, side))
                        .is_some_and(|t| t == "`Vec<_>`")
                };
                let is_array = stays_vec(new_schema, Side::Response);
                let request_vec =
                    stays_vec(old_schema, Side::Request) && stays_vec(new_schema, Side::Request);
                let verdict = if is {
                    by_side(
                        side,
                        || {
                            compile_and_runtime(
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
                                compile(
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
                            if request_vec {
                                non_breaking(
                                    "request-property-made-optional",
                                    format!("field `{name}` is now optional in a request: the API accepts more, and as a list it stays a Vec"),
                                )
                            } else {
                                compile(
                                    "request-property-made-optional",
                                    format!("field `{name}` is now optional in a request: the API accepts more, but its type changes from `T` to `Option<T>`, so struct literals setting it stop compiling"),
                                )
                            }
                        },
                        || {
                            compile_and_runtime(
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
                        compile_and_runtime(
                            "request-property-added-required",
                            format!("new required field `{name}` in a request: existing code does not set it and the API refuses requests without it"),
                        )
                    } else {
                        compile(
                            "request-property-added-optional",
                            format!("new optional field `{name}` in a request struct: the API accepts requests without it, but the generated struct gains a public field, so struct literals stop compiling (`builder()` keeps working)"),
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
