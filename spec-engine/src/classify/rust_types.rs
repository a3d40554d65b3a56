//! What the generator makes of a schema node's constraints: whether a string becomes a checked
//! newtype, a list a `BoundedVec` with type-level bounds, an integer a `NonZero` type. A
//! constraint change that changes one of these changes a type callers' code names, so it
//! breaks compilation even when it loosens what the API accepts.
//!
//! The model follows typify 0.8 (`convert_string`, `convert_integer`) and the engine's own
//! rules (`bounded_request_arrays`, `lenient_response_schemas`); the test
//! `spec-engine/tests/generated_rust.rs` checks it against the generated code of every vendored
//! version.

use super::Side;
use crate::walk::segments;
use serde_json::{Map, Value};

/// String formats typify maps to a type of their own, ignoring length and pattern.
const NATIVE_STRING_FORMATS: &[&str] = &["uuid", "date", "date-time", "ip", "ipv4", "ipv6"];

/// Keywords whose change can change the generated type of a node.
pub(super) const TYPE_SHAPING: &[&str] = &[
    "maxLength",
    "minLength",
    "pattern",
    "minItems",
    "maxItems",
    "minimum",
    "exclusiveMinimum",
];

/// The generated type of a node as its constraints decide it, in words; `None` when the
/// constraints do not matter for it. `side` says whether the request-side type (which keeps
/// every constraint) or the response-side one (relaxed by `lenient_response_schemas`) is
/// generated.
pub(super) fn constrained_type(node: &Map<String, Value>, side: Side) -> Option<String> {
    let built = side != Side::Response;
    match node.get("type").and_then(Value::as_str)? {
        "string" => {
            let format = node.get("format").and_then(Value::as_str);
            if format.is_some_and(|f| NATIVE_STRING_FORMATS.contains(&f)) {
                return None;
            }
            let checked = ["maxLength", "minLength", "pattern"]
                .iter()
                .any(|k| node.contains_key(*k));
            Some(if built && checked {
                "a checked newtype around `String`".to_string()
            } else {
                "`String`".to_string()
            })
        }
        "array" => {
            let count = |key: &str| node.get(key).and_then(Value::as_u64);
            let (min, max) = (count("minItems").unwrap_or(0), count("maxItems"));
            Some(match max {
                _ if !built => "`Vec<_>`".to_string(),
                None if min == 0 => "`Vec<_>`".to_string(),
                None => format!("`BoundedVec<_, Min<{min}>, Max<usize::MAX>>`"),
                Some(max) => format!("`BoundedVec<_, Min<{min}>, Max<{max}>>`"),
            })
        }
        "integer" => {
            let minimum = node.get("minimum").and_then(Value::as_f64);
            let exclusive = node.get("exclusiveMinimum").and_then(Value::as_bool) == Some(true);
            let lowest = minimum.map(|m| if exclusive { m + 1.0 } else { m });
            Some(if lowest == Some(1.0) {
                "a `NonZero` integer".to_string()
            } else {
                "a plain integer".to_string()
            })
        }
        _ => None,
    }
}

/// The name typify gives the type at `pointer`, for component-rooted nodes:
/// `/components/schemas/Contact/properties/email` is `ContactEmail`.
pub(super) fn generated_name(pointer: &str) -> Option<String> {
    let mut keys = segments(pointer);
    if (keys.next()?, keys.next()?) != ("components".to_string(), "schemas".to_string()) {
        return None;
    }
    let mut name = pascal(&keys.next()?);
    while let Some(key) = keys.next() {
        match key.as_str() {
            "properties" => name.push_str(&pascal(&keys.next()?)),
            "items" => name.push_str("Item"),
            _ => return None,
        }
    }
    Some(name)
}

/// typify's spelling of a name: words joined, each capitalised.
pub(super) fn pascal(name: &str) -> String {
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
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().expect("object").clone()
    }

    #[test]
    fn the_last_string_constraint_decides_the_newtype() {
        let checked = map(json!({"type": "string", "pattern": "^a$"}));
        let plain = map(json!({"type": "string"}));
        assert_ne!(
            constrained_type(&checked, Side::Request),
            constrained_type(&plain, Side::Request)
        );
        assert_eq!(
            constrained_type(&checked, Side::Response),
            constrained_type(&plain, Side::Response)
        );
        let dated = map(json!({"type": "string", "format": "date", "maxLength": 10}));
        assert_eq!(constrained_type(&dated, Side::Request), None);
    }

    #[test]
    fn list_bounds_are_part_of_the_type() {
        let one = map(json!({"type": "array", "maxItems": 1}));
        let hundred = map(json!({"type": "array", "maxItems": 100}));
        let free = map(json!({"type": "array", "minItems": 0}));
        assert_ne!(
            constrained_type(&one, Side::Both),
            constrained_type(&hundred, Side::Both)
        );
        assert_eq!(
            constrained_type(&free, Side::Request).as_deref(),
            Some("`Vec<_>`")
        );
    }

    #[test]
    fn names_follow_typify() {
        assert_eq!(
            generated_name("/components/schemas/Contact/properties/email").as_deref(),
            Some("ContactEmail")
        );
        assert_eq!(
            generated_name("/components/schemas/Req/properties/solution_codes/items").as_deref(),
            Some("ReqSolutionCodesItem")
        );
        assert_eq!(generated_name("/paths/~1x/get"), None);
    }
}
