//! Rule `float_amounts_as_double`: `type: number, format: float` becomes `format: double`.
//!
//! Every amount, rate and price in the Scalexpert specs is `format: float`, which progenitor
//! maps to `f32`: seven significant digits, so 99 999.99 EUR cannot be held to the cent and sums
//! drift. JSON numbers carry no width; decoding them as `f64` loses nothing the wire carries.

use serde_json::Value;

/// Applies the rule; returns the pointers of the formats changed.
pub fn apply(doc: &mut Value) -> Vec<String> {
    let mut touched = Vec::new();
    visit(doc, String::new(), &mut touched);
    touched
}

fn visit(node: &mut Value, pointer: String, touched: &mut Vec<String>) {
    match node {
        Value::Object(map) => {
            let is_float = map.get("type").and_then(Value::as_str) == Some("number")
                && map.get("format").and_then(Value::as_str) == Some("float");
            if is_float {
                map.insert("format".to_string(), Value::String("double".to_string()));
                touched.push(format!("{pointer}/format"));
            }
            for (key, value) in map.iter_mut() {
                visit(value, crate::walk::child(&pointer, key), touched);
            }
        }
        Value::Array(items) => {
            for (i, value) in items.iter_mut().enumerate() {
                visit(value, crate::walk::child(&pointer, &i.to_string()), touched);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn widens_float_numbers_only() {
        let mut doc = json!({"a": {"type": "number", "format": "float"}, "b": {"type": "integer", "format": "int32"}});
        assert_eq!(apply(&mut doc), ["/a/format"]);
        assert_eq!(doc["a"]["format"], "double");
        assert_eq!(doc["b"]["format"], "int32");
    }
}
