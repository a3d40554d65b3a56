//! Rule `unit_types`: numbers marked with a unit become the facade's type for that unit.
//!
//! A spec we write can say what a number counts with the extension `x-unit` (Payment Assist's
//! amounts are `x-unit: pence`). Left alone, typify generates a bare `i64`, and nothing stops a
//! caller from passing pounds where pence are meant. The rule points every such schema at the
//! Rust type the caller names for its unit through typify's `x-rust-type` extension, keeping
//! the schema's prose and nullability; range keywords go with the rest, since the unit type
//! decides what values exist.
//!
//! Unlike the rules in [`super::RULES`] it takes the caller's types, so it runs only where a
//! build calls it; a unit the caller has no type for is an error, not a silent `i64`.

use super::rust_type::RustType;
use crate::walk::child;
use serde_json::{Map, Value};
use std::fmt;

/// The extension naming a number's unit.
pub const UNIT_EXTENSION: &str = "x-unit";

/// Keys of a unit schema that stay beside `x-rust-type`.
const KEPT: &[&str] = &["description", "nullable", "example", "title"];

/// A unit and the Rust type that carries it.
#[derive(Debug, Clone, Copy)]
pub struct UnitType<'a> {
    /// The unit as `x-unit` names it (`pence`).
    pub unit: &'a str,
    /// The type that carries it.
    pub rust_type: RustType<'a>,
}

/// An `x-unit` the caller has no type for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownUnit {
    /// Where it is.
    pub pointer: String,
    /// The unit named there.
    pub unit: String,
}

impl fmt::Display for UnknownUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: `{UNIT_EXTENSION}: {}` has no Rust type in this build",
            self.pointer, self.unit
        )
    }
}

impl std::error::Error for UnknownUnit {}

/// Applies the rule; returns the pointers of the schemas it changed.
pub fn apply(doc: &mut Value, units: &[UnitType<'_>]) -> Result<Vec<String>, UnknownUnit> {
    let mut touched = Vec::new();
    rewrite(doc, "", units, &mut touched)?;
    Ok(touched)
}

fn rewrite(
    node: &mut Value,
    pointer: &str,
    units: &[UnitType<'_>],
    touched: &mut Vec<String>,
) -> Result<(), UnknownUnit> {
    match node {
        Value::Object(map) => {
            if let Some(unit) = map.get(UNIT_EXTENSION).and_then(Value::as_str) {
                let Some(found) = units.iter().find(|u| u.unit == unit) else {
                    return Err(UnknownUnit {
                        pointer: pointer.to_string(),
                        unit: unit.to_string(),
                    });
                };
                let mut replaced: Map<String, Value> = KEPT
                    .iter()
                    .filter_map(|key| map.get(*key).map(|v| (key.to_string(), v.clone())))
                    .collect();
                replaced.insert(
                    "x-rust-type".to_string(),
                    found.rust_type.extension(Vec::new()),
                );
                *map = replaced;
                touched.push(pointer.to_string());
                return Ok(());
            }
            for (key, value) in map.iter_mut() {
                rewrite(value, &child(pointer, key), units, touched)?;
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter_mut().enumerate() {
                rewrite(item, &child(pointer, &index.to_string()), units, touched)?;
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const PENCE: UnitType<'static> = UnitType {
        unit: "pence",
        rust_type: RustType {
            crate_name: "payment-assist",
            path: "payment_assist::Pence",
        },
    };

    #[test]
    fn unit_schemas_point_at_the_unit_type() {
        let mut doc = json!({"components": {"schemas": {
            "Begin": {"type": "object", "properties": {
                "amount": {"type": "integer", "format": "int64", "minimum": 1, "x-unit": "pence", "description": "what the buyer pays"},
                "count": {"type": "integer"}
            }},
            "Plan": {"type": "object", "properties": {
                "max_amount": {"type": "integer", "nullable": true, "x-unit": "pence"}
            }}
        }}});
        let touched = apply(&mut doc, &[PENCE]).expect("known unit");
        assert_eq!(
            touched,
            [
                "/components/schemas/Begin/properties/amount",
                "/components/schemas/Plan/properties/max_amount"
            ]
        );
        let amount = &doc["components"]["schemas"]["Begin"]["properties"]["amount"];
        assert_eq!(amount["x-rust-type"]["path"], "payment_assist::Pence");
        assert_eq!(amount["description"], "what the buyer pays");
        assert!(amount.get("minimum").is_none() && amount.get("type").is_none());
        assert_eq!(
            doc["components"]["schemas"]["Plan"]["properties"]["max_amount"]["nullable"],
            true
        );
        assert_eq!(
            doc["components"]["schemas"]["Begin"]["properties"]["count"],
            json!({"type": "integer"})
        );
    }

    #[test]
    fn a_unit_without_a_type_is_an_error() {
        let mut doc = json!({"paths": {"/plan": {"get": {"parameters": [
            {"name": "amount", "in": "query", "schema": {"type": "integer", "x-unit": "cents"}}
        ]}}}});
        let err = apply(&mut doc, &[PENCE]).expect_err("unknown unit");
        assert_eq!(err.pointer, "/paths/~1plan/get/parameters/0/schema");
        assert!(err.to_string().contains("x-unit: cents"));
    }
}
