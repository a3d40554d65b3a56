//! Rule `decimal_numbers`: every number of a spec is an exact decimal in Rust.
//!
//! Every amount, price and rate in the Scalexpert specs is `type: number, format: float`,
//! which progenitor maps to `f32` (and `format: double` to `f64`): binary floats, so `1249.90`
//! is held as 1249.900000000000090949… and sums drift. The rule points each number schema at
//! `scalexpert::Amount` through typify's `x-rust-type` extension, or at `scalexpert::Rate` for
//! the percentage rates listed in [`RATE_PROPERTIES`]. `Amount` refuses more than two decimal
//! places when a caller builds one (the gateway's `INVALID_AMOUNT`) and both read answers
//! exactly; both travel as JSON numbers (see `src/amount.rs`).
//!
//! The schema keeps its `type` and `format`: only the Rust type changes, so the drift check
//! still sees the spec's own structure.

use serde_json::{json, Value};

/// The Rust type of amounts.
pub const AMOUNT_PATH: &str = "scalexpert::Amount";
/// The Rust type of percentage rates.
pub const RATE_PATH: &str = "scalexpert::Rate";

/// Number properties that hold a percentage rate, not money: a simulation's rates.
pub const RATE_PROPERTIES: &[&str] = &["effectiveAnnualPercentageRate", "nominalPercentageRate"];

/// Applies the rule; returns the pointers of the number schemas retyped.
pub fn apply(doc: &mut Value) -> Vec<String> {
    let mut touched = Vec::new();
    visit(doc, String::new(), None, &mut touched);
    touched
}

fn visit(node: &mut Value, pointer: String, property: Option<&str>, touched: &mut Vec<String>) {
    match node {
        Value::Object(map) => {
            let is_number = map.get("type").and_then(Value::as_str) == Some("number");
            if is_number && !map.contains_key("x-rust-type") {
                let path = match property {
                    Some(name) if RATE_PROPERTIES.contains(&name) => RATE_PATH,
                    _ => AMOUNT_PATH,
                };
                map.insert(
                    "x-rust-type".to_string(),
                    json!({"crate": "scalexpert", "version": "*", "path": path}),
                );
                touched.push(pointer.clone());
            }
            let in_properties = pointer.ends_with("/properties");
            for (key, value) in map.iter_mut() {
                let child = crate::walk::child(&pointer, key);
                visit(value, child, in_properties.then_some(key.as_str()), touched);
            }
        }
        Value::Array(items) => {
            for (i, value) in items.iter_mut().enumerate() {
                visit(value, format!("{pointer}/{i}"), None, touched);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rust_type(doc: &Value, pointer: &str) -> Option<String> {
        doc.pointer(&format!("{pointer}/x-rust-type/path"))
            .and_then(Value::as_str)
            .map(str::to_string)
    }

    #[test]
    fn amounts_and_rates_become_decimals() {
        let mut doc = json!({
            "paths": {"/e": {"get": {"parameters": [
                {"name": "financedAmount", "in": "query", "schema": {"type": "number", "format": "float"}}
            ]}}},
            "components": {"schemas": {"Simulation": {"type": "object", "properties": {
                "totalCost": {"type": "number", "format": "float"},
                "nominalPercentageRate": {"type": "number", "format": "float"},
                "duration": {"type": "integer", "format": "int32"}
            }}}}
        });
        let touched = apply(&mut doc);
        assert_eq!(touched.len(), 3, "{touched:?}");
        let props = "/components/schemas/Simulation/properties";
        assert_eq!(
            rust_type(&doc, &format!("{props}/totalCost")).as_deref(),
            Some(AMOUNT_PATH)
        );
        assert_eq!(
            rust_type(&doc, &format!("{props}/nominalPercentageRate")).as_deref(),
            Some(RATE_PATH)
        );
        assert_eq!(rust_type(&doc, &format!("{props}/duration")), None);
        assert_eq!(
            rust_type(&doc, "/paths/~1e/get/parameters/0/schema").as_deref(),
            Some(AMOUNT_PATH)
        );
        // The spec's own structure stays.
        assert_eq!(
            doc.pointer(&format!("{props}/totalCost/format")),
            Some(&json!("float"))
        );
    }

    #[test]
    fn a_property_named_like_a_rate_elsewhere_is_still_an_amount_unless_listed() {
        let mut doc = json!({"components": {"schemas": {"X": {"type": "object", "properties": {
            "rate": {"type": "number"}
        }}}}});
        apply(&mut doc);
        assert_eq!(
            rust_type(&doc, "/components/schemas/X/properties/rate").as_deref(),
            Some(AMOUNT_PATH)
        );
    }
}
