//! Structural comparison of two OpenAPI documents, prose ignored.
//!
//! The result is a flat list of differences at the deepest point where the two trees part, each
//! with a JSON pointer into the newer document (into the older one for removals). Lists whose
//! order carries no meaning (`required`, `enum`) are compared as sets, item by item, and
//! `parameters` lists are matched by `in` and `name` so that inserting a parameter reports one
//! addition rather than a shifted list.

use crate::prose::strip_prose;
use crate::walk::child;
use serde::Serialize;
use serde_json::Value;

/// What happened at a pointer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DifferenceKind {
    /// Present only in the newer document.
    Added,
    /// Present only in the older document.
    Removed,
    /// Present in both with another value.
    Changed,
}

/// One structural difference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Difference {
    /// Added, removed or changed.
    pub kind: DifferenceKind,
    /// JSON pointer (RFC 6901) to the place that differs.
    pub pointer: String,
    /// The older document's value, if it has one there.
    pub before: Option<Value>,
    /// The newer document's value, if it has one there.
    pub after: Option<Value>,
}

/// Structural differences from `old` to `new`, prose ignored.
pub fn structural_diff(old: &Value, new: &Value) -> Vec<Difference> {
    let mut out = Vec::new();
    compare(&strip_prose(old), &strip_prose(new), "", &mut out);
    out
}

/// Differences between two trees as they are (no prose stripping).
pub fn raw_diff(old: &Value, new: &Value) -> Vec<Difference> {
    let mut out = Vec::new();
    compare(old, new, "", &mut out);
    out
}

fn compare(old: &Value, new: &Value, pointer: &str, out: &mut Vec<Difference>) {
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, old_value) in a {
                let here = child(pointer, key);
                match b.get(key) {
                    Some(new_value) => compare(old_value, new_value, &here, out),
                    None => out.push(removed(here, old_value)),
                }
            }
            for (key, new_value) in b {
                if !a.contains_key(key) {
                    out.push(added(child(pointer, key), new_value));
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if is_set_valued(pointer) => {
            for item in a.iter().filter(|item| !b.contains(item)) {
                out.push(removed(child(pointer, &set_key(item)), item));
            }
            for item in b.iter().filter(|item| !a.contains(item)) {
                out.push(added(child(pointer, &set_key(item)), item));
            }
        }
        (Value::Array(a), Value::Array(b)) if pointer.ends_with("/parameters") => {
            compare_parameters(a, b, pointer, out);
        }
        (Value::Array(a), Value::Array(b)) => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                compare(x, y, &child(pointer, &i.to_string()), out);
            }
            for (i, x) in a.iter().enumerate().skip(b.len()) {
                out.push(removed(child(pointer, &i.to_string()), x));
            }
            for (i, y) in b.iter().enumerate().skip(a.len()) {
                out.push(added(child(pointer, &i.to_string()), y));
            }
        }
        (Value::Number(x), Value::Number(y)) if x.as_f64() == y.as_f64() => {}
        (Value::String(x), Value::String(y)) if x.trim() == y.trim() => {}
        _ if old == new => {}
        _ => out.push(Difference {
            kind: DifferenceKind::Changed,
            pointer: pointer.to_string(),
            before: Some(old.clone()),
            after: Some(new.clone()),
        }),
    }
}

/// `required` and `enum` lists: order carries no meaning.
fn is_set_valued(pointer: &str) -> bool {
    pointer.ends_with("/required") || pointer.ends_with("/enum")
}

fn set_key(item: &Value) -> String {
    match item {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn parameter_key(parameter: &Value) -> Option<(String, String)> {
    Some((
        parameter.get("in")?.as_str()?.to_string(),
        parameter.get("name")?.as_str()?.to_string(),
    ))
}

fn compare_parameters(a: &[Value], b: &[Value], pointer: &str, out: &mut Vec<Difference>) {
    for (i, old) in a.iter().enumerate() {
        let key = parameter_key(old);
        match b
            .iter()
            .position(|new| key.is_some() && parameter_key(new) == key)
        {
            Some(j) => compare(old, &b[j], &child(pointer, &j.to_string()), out),
            None => out.push(removed(child(pointer, &i.to_string()), old)),
        }
    }
    for (j, new) in b.iter().enumerate() {
        let key = parameter_key(new);
        if !a
            .iter()
            .any(|old| key.is_some() && parameter_key(old) == key)
        {
            out.push(added(child(pointer, &j.to_string()), new));
        }
    }
}

fn added(pointer: String, value: &Value) -> Difference {
    Difference {
        kind: DifferenceKind::Added,
        pointer,
        before: None,
        after: Some(value.clone()),
    }
}

fn removed(pointer: String, value: &Value) -> Difference {
    Difference {
        kind: DifferenceKind::Removed,
        pointer,
        before: Some(value.clone()),
        after: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn prose_only_changes_are_not_differences() {
        let a = json!({"info": {"title": "A", "version": "1"}, "paths": {"/x": {"get": {"summary": "a"}}}});
        let b = json!({"info": {"title": "B", "version": "1"}, "paths": {"/x": {"get": {"summary": "b"}}}});
        assert!(structural_diff(&a, &b).is_empty());
    }

    #[test]
    fn enum_and_required_compare_as_sets() {
        let a = json!({"enum": ["A", "B"], "required": ["x", "y"]});
        let b = json!({"enum": ["B", "A", "C"], "required": ["y"]});
        let diffs = structural_diff(&a, &b);
        assert_eq!(diffs.len(), 2);
        assert!(diffs.contains(&Difference {
            kind: DifferenceKind::Removed,
            pointer: "/required/x".into(),
            before: Some(json!("x")),
            after: None
        }));
        assert!(diffs
            .iter()
            .any(|d| d.kind == DifferenceKind::Added && d.pointer == "/enum/C"));
    }

    #[test]
    fn parameters_match_by_location_and_name() {
        let a = json!({"parameters": [{"in": "query", "name": "page"}]});
        let b = json!({"parameters": [{"in": "query", "name": "lang"}, {"in": "query", "name": "page"}]});
        let diffs = structural_diff(&a, &b);
        assert_eq!(diffs.len(), 1, "{diffs:?}");
        assert_eq!(diffs[0].kind, DifferenceKind::Added);
        assert_eq!(diffs[0].pointer, "/parameters/0");
    }

    #[test]
    fn integral_floats_equal_integers() {
        assert!(structural_diff(&json!({"maximum": 1.0}), &json!({"maximum": 1})).is_empty());
        assert_eq!(
            structural_diff(&json!({"maxLength": 32}), &json!({"maxLength": 140})).len(),
            1
        );
    }
}
