//! Schemas: component schemas added, removed or renamed, and two schema nodes standing at the
//! same place compared keyword by keyword (type, format, nullability; constraints, enums and
//! properties have their own files).

use super::context::{flag, show, At, Classifier, Role, Usage};
use super::verdict::{compile, compile_and_runtime, non_breaking, Verdict};
use crate::diff::DifferenceKind;
use crate::normalise::lenient_response_schemas::REQUEST_ONLY_CONSTRAINTS;
use crate::refs::schema_name;
use crate::walk::child;
use crate::walk::component_schemas;
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// Schema keywords [`Classifier::compare_schema`] handles itself.
const HANDLED_SCHEMA_KEYS: &[&str] = &[
    "$ref",
    "type",
    "format",
    "enum",
    "nullable",
    "properties",
    "required",
    "items",
    "additionalProperties",
    "allOf",
    "anyOf",
    "oneOf",
    "default",
    "deprecated",
    "maxLength",
    "maxItems",
    "maxProperties",
    "maximum",
    "minLength",
    "minItems",
    "minProperties",
    "minimum",
    "exclusiveMaximum",
    "exclusiveMinimum",
    "pattern",
    "uniqueItems",
    "multipleOf",
];

impl Classifier<'_> {
    pub(super) fn compare_component_schemas(&mut self) {
        let empty = Map::new();
        let old_schemas = component_schemas(self.old).unwrap_or(&empty);
        let new_schemas = component_schemas(self.new).unwrap_or(&empty);
        let base = At::root().child("components").child("schemas");
        let renamed_to: BTreeSet<&String> = self.renames.values().collect();
        let mut added_later = Vec::new();
        for (name, new) in new_schemas {
            if !old_schemas.contains_key(name) && !renamed_to.contains(name) {
                added_later.push((name.clone(), new.clone()));
            }
        }
        for (name, old) in old_schemas {
            let new_name = if new_schemas.contains_key(name) {
                Some(name.clone())
            } else {
                self.renames.get(name).cloned()
            };
            let usage_old = self.old_usage.get(name).copied().unwrap_or_default();
            let Some(new_name) = new_name else {
                let at = At {
                    old_schema: Some(name.clone()),
                    ..base.child(name)
                }
                .with_side(usage_old.side());
                self.emit(
                    &at,
                    None,
                    DifferenceKind::Removed,
                    compile(
                        "schema-removed",
                        format!("the generated type `{name}` disappears: code naming it stops compiling"),
                    ),
                    Some(Value::String(name.clone())),
                    None,
                );
                continue;
            };
            let usage_new = self.new_usage.get(&new_name).copied().unwrap_or_default();
            let side = (usage_old | usage_new).side();
            let at = At {
                old_ptr: child(&base.old_ptr, name),
                new_ptr: child(&base.new_ptr, &new_name),
                old_schema: Some(name.clone()),
                new_schema: Some(new_name.clone()),
                ..At::root()
            }
            .with_side(side)
            .with_role(Role::Component);
            if new_name != *name {
                self.emit(
                    &at,
                    None,
                    DifferenceKind::Changed,
                    compile(
                        "schema-renamed",
                        format!(
                            "component renamed: the generated Rust type `{name}` is now \
                             `{new_name}`, so code naming it stops compiling (wire changes, if \
                             any, are listed separately)"
                        ),
                    ),
                    Some(Value::String(name.clone())),
                    Some(Value::String(new_name.clone())),
                );
            }
            if let Some(new) = new_schemas.get(&new_name) {
                if let Some(why) = side_change(usage_old, usage_new, old, new) {
                    self.emit(
                        &at,
                        None,
                        DifferenceKind::Changed,
                        compile("schema-side-changed", why),
                        Some(Value::String(usage_old.side().as_str().to_string())),
                        Some(Value::String(usage_new.side().as_str().to_string())),
                    );
                }
                self.compare_schema(old, new, &at);
            }
        }
        for (name, new) in added_later {
            let usage = self.new_usage.get(&name).copied().unwrap_or_default();
            let at = At {
                new_schema: Some(name.clone()),
                ..base.child(&name)
            }
            .with_side(usage.side());
            self.emit(
                &at,
                None,
                DifferenceKind::Added,
                non_breaking("schema-added", format!("a new generated type `{name}`")),
                None,
                Some(new),
            );
        }
    }

    /// Compares two schema nodes standing at the same place.
    pub(super) fn compare_schema(&mut self, old: &Value, new: &Value, at: &At) {
        let (Some(o), Some(n)) = (old.as_object(), new.as_object()) else {
            if old != new {
                self.emit(
                    at,
                    None,
                    DifferenceKind::Changed,
                    self.type_verdict(at, "the schema changed"),
                    Some(old.clone()),
                    Some(new.clone()),
                );
            }
            return;
        };
        let old_ref = o.get("$ref").and_then(Value::as_str);
        let new_ref = n.get("$ref").and_then(Value::as_str);
        if old_ref.is_some() || new_ref.is_some() {
            let same = matches!((old_ref, new_ref), (Some(a), Some(b)) if self.same_ref(a, b));
            if !same {
                let describe = |r: Option<&str>| {
                    r.and_then(schema_name)
                        .map_or_else(|| "an inline schema".to_string(), |n| format!("`{n}`"))
                };
                let verdict = self.type_verdict(
                    at,
                    &format!(
                        "the type changed from {} to {}",
                        describe(old_ref),
                        describe(new_ref)
                    ),
                );
                self.emit(
                    at,
                    None,
                    DifferenceKind::Changed,
                    verdict,
                    Some(old_ref.map_or_else(|| old.clone(), |r| Value::String(r.to_string()))),
                    Some(new_ref.map_or_else(|| new.clone(), |r| Value::String(r.to_string()))),
                );
            }
            // Keywords beside a `$ref` are ignored by OpenAPI 3.0 and by the generator.
            return;
        }
        if o.get("type") != n.get("type") {
            let verdict = self.type_verdict(
                at,
                &format!(
                    "the type changed from `{}` to `{}`",
                    show(o.get("type")),
                    show(n.get("type"))
                ),
            );
            self.emit(
                at,
                Some("type"),
                DifferenceKind::Changed,
                verdict,
                o.get("type").cloned(),
                n.get("type").cloned(),
            );
            return;
        }
        self.compare_format(o, n, at);
        self.compare_nullable(o, n, at);
        match (o.get("enum"), n.get("enum")) {
            (Some(a), Some(b)) => self.compare_enum(a, b, at),
            (None, None) => {}
            (a, b) => {
                let verdict = self.type_verdict(
                    at,
                    "the value list appeared or disappeared: the generated type changes between a \
                     plain type and an enum",
                );
                self.emit(
                    at,
                    Some("enum"),
                    DifferenceKind::Changed,
                    verdict,
                    a.cloned(),
                    b.cloned(),
                );
            }
        }
        self.compare_constraints(o, n, at);
        self.compare_properties(o, n, at);
        match (o.get("items"), n.get("items")) {
            (Some(a), Some(b)) => self.compare_schema(a, b, &at.child("items")),
            (None, None) => {}
            (a, b) => {
                let verdict =
                    self.type_verdict(at, "the array item schema appeared or disappeared");
                self.emit(
                    at,
                    Some("items"),
                    DifferenceKind::Changed,
                    verdict,
                    a.cloned(),
                    b.cloned(),
                );
            }
        }
        match (o.get("additionalProperties"), n.get("additionalProperties")) {
            (Some(a @ Value::Object(_)), Some(b @ Value::Object(_))) => {
                self.compare_schema(a, b, &at.child("additionalProperties"))
            }
            (a, b) if a != b => {
                let verdict = self.type_verdict(
                    at,
                    "additionalProperties changed: the generated map or struct changes",
                );
                self.emit(
                    at,
                    Some("additionalProperties"),
                    DifferenceKind::Changed,
                    verdict,
                    a.cloned(),
                    b.cloned(),
                );
            }
            _ => {}
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            match (
                o.get(key).and_then(Value::as_array),
                n.get(key).and_then(Value::as_array),
            ) {
                (Some(a), Some(b)) if a.len() == b.len() => {
                    for (i, (x, y)) in a.iter().zip(b).enumerate() {
                        self.compare_schema(x, y, &at.child(key).child(&i.to_string()));
                    }
                }
                (None, None) => {}
                _ => {
                    let verdict = self.type_verdict(
                        at,
                        &format!("the {key} composition changed: the generated type changes"),
                    );
                    self.emit(
                        at,
                        Some(key),
                        DifferenceKind::Changed,
                        verdict,
                        o.get(key).cloned(),
                        n.get(key).cloned(),
                    );
                }
            }
        }
        if o.get("default") != n.get("default") {
            self.emit(
                at,
                Some("default"),
                DifferenceKind::Changed,
                non_breaking(
                    "default-changed",
                    "the documented default changed; the client sends values explicitly",
                ),
                o.get("default").cloned(),
                n.get("default").cloned(),
            );
        }
        if flag(old, "deprecated") != flag(new, "deprecated") {
            self.emit(
                at,
                Some("deprecated"),
                DifferenceKind::Changed,
                non_breaking(
                    "schema-deprecated",
                    "deprecation flag changed; the type stays",
                ),
                o.get("deprecated").cloned(),
                n.get("deprecated").cloned(),
            );
        }
        self.unclassified_keys(at, old, new, HANDLED_SCHEMA_KEYS);
    }

    /// The verdict for a change of generated type at `at` (its wording depends on the role).
    pub(super) fn type_verdict(&self, at: &At, what: &str) -> Verdict {
        match at.role {
            Role::SuccessBody => compile_and_runtime(
                "success-response-schema-changed",
                format!("success response: {what}; the generated method returns another type"),
            ),
            Role::RequestBody => compile_and_runtime(
                "request-body-schema-changed",
                format!("request body: {what}; the generated body() takes another type"),
            ),
            Role::Parameter => compile_and_runtime(
                "type-changed",
                format!("parameter: {what}; its builder method takes another type"),
            ),
            Role::Component | Role::Nested => compile_and_runtime(
                "type-changed",
                format!("{what}; the generated Rust type changes"),
            ),
        }
    }

    pub(super) fn compare_format(
        &mut self,
        o: &Map<String, Value>,
        n: &Map<String, Value>,
        at: &At,
    ) {
        let (a, b) = (o.get("format"), n.get("format"));
        if a == b {
            return;
        }
        let is_number = o.get("type").and_then(Value::as_str) == Some("number");
        let f64_formats = |f: Option<&Value>| {
            matches!(
                f.and_then(Value::as_str),
                None | Some("float") | Some("double")
            )
        };
        let verdict = if is_number && f64_formats(a) && f64_formats(b) {
            non_breaking(
                "format-changed",
                "number format changed between none, float and double: the generated field stays \
                 an exact decimal (rule decimal_numbers)",
            )
        } else {
            compile_and_runtime(
                "format-changed",
                format!(
                    "format changed from `{}` to `{}`: the generated Rust type changes",
                    show(a),
                    show(b)
                ),
            )
        };
        let kind = match (a, b) {
            (None, _) => DifferenceKind::Added,
            (_, None) => DifferenceKind::Removed,
            _ => DifferenceKind::Changed,
        };
        self.emit(at, Some("format"), kind, verdict, a.cloned(), b.cloned());
    }

    pub(super) fn compare_nullable(
        &mut self,
        o: &Map<String, Value>,
        n: &Map<String, Value>,
        at: &At,
    ) {
        let was = o.get("nullable").and_then(Value::as_bool).unwrap_or(false);
        let is = n.get("nullable").and_then(Value::as_bool).unwrap_or(false);
        if was == is {
            return;
        }
        let required = matches!(at.required, Some((true, true)));
        let verdict = if required && is {
            compile_and_runtime(
                "nullable-changed",
                "a required field became nullable: its type changes from `T` to `Option<T>` and the old client fails on null",
            )
        } else if required {
            compile(
                "nullable-changed",
                "a required field is no longer nullable: its type changes from `Option<T>` to `T`",
            )
        } else {
            non_breaking(
                "nullable-changed",
                "nullability of an optional field changed: it is an Option either way",
            )
        };
        self.emit(
            at,
            Some("nullable"),
            DifferenceKind::Changed,
            verdict,
            o.get("nullable").cloned(),
            n.get("nullable").cloned(),
        );
    }
}

/// How the generator treats a component schema, by where it is used: request-side types keep
/// every constraint; a schema used by both sides also gets a relaxed response copy
/// (`<Schema>Returned`); a response-only schema is relaxed itself, its enums open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Generated {
    /// Used by requests only, or by nothing: generated as the spec writes it.
    AsWritten,
    /// Used by both: as written, plus a relaxed copy for responses.
    WithResponseCopy,
    /// Used by responses only: relaxed, enums open.
    Relaxed,
}

fn generated(usage: Usage) -> Generated {
    match (usage.request, usage.response) {
        (true, true) => Generated::WithResponseCopy,
        (false, true) => Generated::Relaxed,
        _ => Generated::AsWritten,
    }
}

/// Why a schema's move between request and response use changes its generated types, if it
/// does: a copy appears or disappears, or relaxing it changes a type (a constraint that makes
/// a newtype or a bounded list, an enum that opens).
fn side_change(old_usage: Usage, new_usage: Usage, old: &Value, new: &Value) -> Option<String> {
    let (was, is) = (generated(old_usage), generated(new_usage));
    if was == is {
        return None;
    }
    let copy = |g| g == Generated::WithResponseCopy;
    let relaxed = |g| g == Generated::Relaxed;
    let shaped = |schema: &Value| relaxing_changes_types(schema);
    let why = if copy(was) != copy(is) && !relaxed(was) && !relaxed(is) {
        if copy(is) {
            "the schema is now used by responses too: they get a relaxed copy `<Schema>Returned`, so response fields change type"
        } else {
            "the schema is no longer used by both requests and responses: its response copy `<Schema>Returned` disappears"
        }
    } else if copy(was) || copy(is) || shaped(old) || shaped(new) {
        if relaxed(is) {
            "the schema is now used by responses only: its generated type is relaxed (no newtypes for lengths and patterns, no bounded lists, open enums), and a response copy, if any, disappears"
        } else {
            "the schema is no longer used by responses only: its generated type keeps every constraint (newtypes, bounded lists, closed enums)"
        }
    } else {
        return None;
    };
    Some(why.to_string())
}

/// Whether relaxing `schema` for responses changes a generated type: it holds (not through
/// `$ref`) a length, pattern or item count, or a string enum.
fn relaxing_changes_types(schema: &Value) -> bool {
    match schema {
        Value::Object(map) => {
            REQUEST_ONLY_CONSTRAINTS
                .iter()
                .any(|k| map.contains_key(*k))
                || (map.contains_key("enum") && !map.contains_key("$ref"))
                || map.values().any(relaxing_changes_types)
        }
        Value::Array(items) => items.iter().any(relaxing_changes_types),
        _ => false,
    }
}
