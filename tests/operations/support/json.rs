//! Comparing JSON documents and editing our spec examples into the variants a test needs.

use serde_json::Value;

/// Asserts two JSON documents are equal, numbers compared by value (the generated types hold
/// amounts as binary floats, so an example's `2400` comes back as `2400.0`). Names the first
/// difference.
pub fn assert_json_equivalent(actual: &Value, expected: &Value, context: &str) {
    if let Some(difference) = first_difference(actual, expected, String::new()) {
        panic!(
            "{context}: {difference}\nactual:   {}\nexpected: {}",
            serde_json::to_string_pretty(actual).unwrap_or_default(),
            serde_json::to_string_pretty(expected).unwrap_or_default()
        );
    }
}

/// Asserts that a decoded value, encoded again, is the JSON it was decoded from: no field
/// dropped, renamed or altered on the way.
pub fn assert_round_trips<T: serde::Serialize>(decoded: &T, source: &Value, context: &str) {
    let encoded = serde_json::to_value(decoded).expect("generated types encode");
    assert_json_equivalent(&encoded, source, context);
}

fn first_difference(actual: &Value, expected: &Value, at: String) -> Option<String> {
    let at_or_root = || {
        if at.is_empty() {
            "/".to_string()
        } else {
            at.clone()
        }
    };
    match (actual, expected) {
        (Value::Number(a), Value::Number(e)) => {
            (a.as_f64() != e.as_f64()).then(|| format!("at {}: {a} != {e}", at_or_root()))
        }
        (Value::Object(a), Value::Object(e)) => {
            for key in e.keys() {
                if !a.contains_key(key) {
                    return Some(format!("at {}: missing {key:?}", at_or_root()));
                }
            }
            for key in a.keys() {
                if !e.contains_key(key) {
                    return Some(format!("at {}: unexpected {key:?}", at_or_root()));
                }
            }
            e.iter()
                .find_map(|(key, value)| first_difference(&a[key], value, format!("{at}/{key}")))
        }
        (Value::Array(a), Value::Array(e)) => {
            if a.len() != e.len() {
                return Some(format!(
                    "at {}: {} items != {} items",
                    at_or_root(),
                    a.len(),
                    e.len()
                ));
            }
            a.iter()
                .zip(e)
                .enumerate()
                .find_map(|(i, (a, e))| first_difference(a, e, format!("{at}/{i}")))
        }
        (a, e) => (a != e).then(|| format!("at {}: {a} != {e}", at_or_root())),
    }
}

/// `document` with the value at JSON `pointer` set (an object member is added if missing).
pub fn with(mut document: Value, pointer: &str, value: impl Into<Value>) -> Value {
    let (parent, key) = pointer.rsplit_once('/').expect("a JSON pointer");
    match document.pointer_mut(parent) {
        Some(Value::Object(object)) => {
            object.insert(key.to_string(), value.into());
        }
        Some(Value::Array(items)) => {
            let index: usize = key.parse().expect("an array index");
            items[index] = value.into();
        }
        _ => panic!("no object or array at {parent} in the document"),
    }
    document
}

/// `document` with the member at JSON `pointer` removed.
pub fn without(mut document: Value, pointer: &str) -> Value {
    let (parent, key) = pointer.rsplit_once('/').expect("a JSON pointer");
    let removed = document
        .pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .and_then(|object| object.remove(key));
    assert!(removed.is_some(), "no {pointer} in the document");
    document
}

/// The RFC 3339 timestamp a JSON string holds.
pub fn timestamp(value: &Value) -> chrono::DateTime<chrono::Utc> {
    value
        .as_str()
        .and_then(|text| text.parse().ok())
        .unwrap_or_else(|| panic!("not a date-time: {value}"))
}
