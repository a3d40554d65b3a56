//! Whether a JSON value is one a schema accepts, as the generated types decode it.
//!
//! `spec-add` keeps our example of a place when the new version's schema there still accepts
//! it, so the version's tests keep decoding what its spec documents. The check follows what
//! the generated code enforces: types, required fields, enums, `nullable`, string lengths and
//! patterns (checked newtypes), item counts (`BoundedVec`), numeric bounds, `uuid`, `date` and
//! `date-time` formats, and `additionalProperties: false`.

use crate::refs::{reference_of, resolve};
use serde_json::Value;

/// How deep references and nesting are followed before a value counts as not conforming.
const MAX_DEPTH: usize = 64;

/// Whether `value` conforms to `schema`, whose references point into `doc`.
pub fn conforms(doc: &Value, schema: &Value, value: &Value) -> bool {
    check(doc, schema, value, 0)
}

fn check(doc: &Value, schema: &Value, value: &Value, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    let Some(map) = schema.as_object() else {
        // `true`, `{}` or an unreadable schema: anything goes.
        return schema != &Value::Bool(false);
    };
    if let Some(reference) = reference_of(schema) {
        return resolve(doc, reference).is_some_and(|target| check(doc, target, value, depth + 1));
    }
    if value.is_null() && map.get("nullable").and_then(Value::as_bool) == Some(true) {
        return true;
    }
    let all = |key: &str| {
        map.get(key)
            .and_then(Value::as_array)
            .is_none_or(|parts| parts.iter().all(|p| check(doc, p, value, depth + 1)))
    };
    let any = |key: &str| {
        map.get(key)
            .and_then(Value::as_array)
            .is_none_or(|parts| parts.iter().any(|p| check(doc, p, value, depth + 1)))
    };
    if !(all("allOf") && any("oneOf") && any("anyOf")) {
        return false;
    }
    if let Some(values) = map.get("enum").and_then(Value::as_array) {
        if !values.contains(value) {
            return false;
        }
    }
    match map.get("type").and_then(Value::as_str) {
        Some("string") => value.as_str().is_some_and(|s| string(map, s)),
        Some("integer") => is_integer(value) && number(map, value),
        Some("number") => value.is_number() && number(map, value),
        Some("boolean") => value.is_boolean(),
        Some("array") => value
            .as_array()
            .is_some_and(|items| array(doc, map, items, depth)),
        Some("object") => object(doc, map, value, depth),
        // No type: whatever the other keywords allow (objects by their properties).
        _ => !value.is_object() || object(doc, map, value, depth),
    }
}

fn string(map: &serde_json::Map<String, Value>, s: &str) -> bool {
    let length = s.chars().count() as u64;
    let bound = |key: &str| map.get(key).and_then(Value::as_u64);
    if bound("maxLength").is_some_and(|max| length > max)
        || bound("minLength").is_some_and(|min| length < min)
    {
        return false;
    }
    if let Some(pattern) = map.get("pattern").and_then(Value::as_str) {
        // The generated newtypes check patterns with regress (ECMAScript syntax), so do we.
        match regress::Regex::new(pattern) {
            Ok(regex) if regex.find(s).is_some() => {}
            _ => return false,
        }
    }
    match map.get("format").and_then(Value::as_str) {
        Some("uuid") => is_uuid(s),
        Some("date") => is_date(s),
        Some("date-time") => is_date_time(s),
        _ => true,
    }
}

fn is_integer(value: &Value) -> bool {
    value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|f| f.fract() == 0.0)
}

fn number(map: &serde_json::Map<String, Value>, value: &Value) -> bool {
    let Some(x) = value.as_f64() else {
        return false;
    };
    let bound = |key: &str| map.get(key).and_then(Value::as_f64);
    let exclusive = |key: &str| map.get(key).and_then(Value::as_bool) == Some(true);
    let above = bound("minimum").is_none_or(|min| {
        if exclusive("exclusiveMinimum") {
            x > min
        } else {
            x >= min
        }
    });
    let below = bound("maximum").is_none_or(|max| {
        if exclusive("exclusiveMaximum") {
            x < max
        } else {
            x <= max
        }
    });
    above && below
}

fn array(doc: &Value, map: &serde_json::Map<String, Value>, items: &[Value], depth: usize) -> bool {
    let count = items.len() as u64;
    let bound = |key: &str| map.get(key).and_then(Value::as_u64);
    if bound("maxItems").is_some_and(|max| count > max)
        || bound("minItems").is_some_and(|min| count < min)
    {
        return false;
    }
    match map.get("items") {
        Some(schema) => items.iter().all(|item| check(doc, schema, item, depth + 1)),
        None => true,
    }
}

fn object(doc: &Value, map: &serde_json::Map<String, Value>, value: &Value, depth: usize) -> bool {
    let Some(fields) = value.as_object() else {
        return false;
    };
    let required = map.get("required").and_then(Value::as_array);
    if required
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .any(|name| !fields.contains_key(name))
    {
        return false;
    }
    let properties = map.get("properties").and_then(Value::as_object);
    fields
        .iter()
        .all(|(name, field)| match properties.and_then(|p| p.get(name)) {
            Some(schema) => check(doc, schema, field, depth + 1),
            None => match map.get("additionalProperties") {
                Some(Value::Bool(false)) => false,
                Some(schema @ Value::Object(_)) => check(doc, schema, field, depth + 1),
                _ => true,
            },
        })
}

fn digits(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_digit())
}

fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

fn is_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let [year, month, day] = parts.as_slice() else {
        return false;
    };
    let in_range =
        |p: &str, lo: u32, hi: u32| p.parse::<u32>().is_ok_and(|n| (lo..=hi).contains(&n));
    year.len() == 4
        && digits(year)
        && month.len() == 2
        && in_range(month, 1, 12)
        && day.len() == 2
        && in_range(day, 1, 31)
}

/// RFC 3339 as chrono reads it: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`.
fn is_date_time(s: &str) -> bool {
    let Some((date, time)) = s.split_once(['T', 't', ' ']) else {
        return false;
    };
    let zone_at = time.rfind(['Z', 'z', '+', '-']).filter(|&i| i >= 8);
    let Some(zone_at) = zone_at else {
        return false;
    };
    let (clock, zone) = time.split_at(zone_at);
    let clock = clock.split('.').next().unwrap_or("");
    let hms: Vec<&str> = clock.split(':').collect();
    let zone_ok = zone.eq_ignore_ascii_case("z")
        || (zone.len() == 6 && digits(&zone[1..3]) && &zone[3..4] == ":" && digits(&zone[4..]));
    is_date(date) && hms.len() == 3 && hms.iter().all(|p| p.len() == 2 && digits(p)) && zone_ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn objects_need_their_required_fields_and_valid_values() {
        let doc = json!({"components": {"schemas": {"Buyer": {
            "type": "object", "required": ["name"],
            "properties": {
                "name": {"type": "string", "maxLength": 5},
                "born": {"type": "string", "format": "date"},
                "kind": {"type": "string", "enum": ["A", "B"]},
                "tags": {"type": "array", "maxItems": 1, "items": {"type": "string", "pattern": "^[a-z]+$"}},
                "age": {"type": "integer", "minimum": 18, "nullable": true}
            }
        }}}});
        let buyer = json!({"$ref": "#/components/schemas/Buyer"});
        assert!(conforms(
            &doc,
            &buyer,
            &json!({"name": "Ana", "born": "1990-02-01", "kind": "A", "tags": ["x"], "age": null})
        ));
        for bad in [
            json!({}),
            json!({"name": "Anastasia"}),
            json!({"name": "Ana", "born": "01/02/1990"}),
            json!({"name": "Ana", "kind": "C"}),
            json!({"name": "Ana", "tags": ["x", "y"]}),
            json!({"name": "Ana", "tags": ["X"]}),
            json!({"name": "Ana", "age": 17}),
            json!({"name": 5}),
        ] {
            assert!(!conforms(&doc, &buyer, &bad), "{bad}");
        }
    }

    #[test]
    fn formats_the_generated_types_parse() {
        let doc = json!({});
        let at = |format: &str, v: &str| {
            conforms(
                &doc,
                &json!({"type": "string", "format": format}),
                &json!(v),
            )
        };
        assert!(at("uuid", "5f0c2d5e-8a51-4c0e-9d3e-6f1b2a7c9e40"));
        assert!(!at("uuid", "5f0c2d5e"));
        assert!(at("date-time", "2024-05-01T10:00:00Z"));
        assert!(at("date-time", "2024-05-01T10:00:00.123+02:00"));
        assert!(!at("date-time", "2024-05-01"));
        assert!(at("email", "anything"));
    }

    #[test]
    fn compositions_and_closed_objects() {
        let doc = json!({});
        let closed = json!({"type": "object", "properties": {"a": {"type": "integer"}}, "additionalProperties": false});
        assert!(conforms(&doc, &closed, &json!({"a": 1})));
        assert!(!conforms(&doc, &closed, &json!({"a": 1, "b": 2})));
        let either = json!({"oneOf": [{"type": "string"}, {"type": "integer"}]});
        assert!(conforms(&doc, &either, &json!(3)));
        assert!(!conforms(&doc, &either, &json!(true)));
    }
}
