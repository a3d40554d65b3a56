//! `schemars::JsonSchema` for the facade's own types that generated types use (feature
//! `json-schema`).
//!
//! With the feature on, `build.rs` has every generated type derive `JsonSchema`; a derive needs
//! each field's type to implement it, and the normalisation rules put [`Amount`], [`Rate`],
//! [`OpenEnum`] and [`BoundedVec`] in those fields. Each schema describes the type's JSON as its
//! `Serialize` writes it.

use crate::bounded::{Bound, BoundedVec};
use crate::{Amount, OpenEnum, Rate};
use schemars::gen::SchemaGenerator;
use schemars::schema::{
    ArrayValidation, InstanceType, NumberValidation, Schema, SchemaObject, SubschemaValidation,
};
use schemars::JsonSchema;

/// A JSON number with at most two decimal places (`1249.9`).
impl JsonSchema for Amount {
    fn schema_name() -> String {
        "Amount".to_string()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        SchemaObject {
            instance_type: Some(InstanceType::Number.into()),
            number: Some(Box::new(NumberValidation {
                multiple_of: Some(0.01),
                ..NumberValidation::default()
            })),
            ..SchemaObject::default()
        }
        .into()
    }
}

/// A JSON number, a percentage (`12.864`).
impl JsonSchema for Rate {
    fn schema_name() -> String {
        "Rate".to_string()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        SchemaObject {
            instance_type: Some(InstanceType::Number.into()),
            ..SchemaObject::default()
        }
        .into()
    }
}

/// One of the enum's values, or any other string (a value added to the API later).
impl<T: JsonSchema> JsonSchema for OpenEnum<T> {
    fn schema_name() -> String {
        format!("OpenEnum_{}", T::schema_name())
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        SchemaObject {
            subschemas: Some(Box::new(SubschemaValidation {
                any_of: Some(vec![
                    generator.subschema_for::<T>(),
                    generator.subschema_for::<String>(),
                ]),
                ..SubschemaValidation::default()
            })),
            ..SchemaObject::default()
        }
        .into()
    }
}

/// An array of `L::COUNT` to `U::COUNT` items.
impl<T: JsonSchema, L: Bound, U: Bound> JsonSchema for BoundedVec<T, L, U> {
    fn schema_name() -> String {
        format!("BoundedVec_{}_{}_{}", T::schema_name(), L::COUNT, U::COUNT)
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let count = |n: usize| u32::try_from(n).ok();
        SchemaObject {
            instance_type: Some(InstanceType::Array.into()),
            array: Some(Box::new(ArrayValidation {
                items: Some(generator.subschema_for::<T>().into()),
                min_items: count(L::COUNT).filter(|n| *n > 0),
                max_items: count(U::COUNT),
                ..ArrayValidation::default()
            })),
            ..SchemaObject::default()
        }
        .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bounded::{Max, Min};

    /// The schema `T` describes itself with (a root schema's `title`, its name, left out).
    fn schema_of<T: JsonSchema>() -> serde_json::Value {
        let schema = SchemaGenerator::default().into_root_schema_for::<T>();
        let mut value = serde_json::to_value(schema.schema).expect("a schema is JSON");
        if let Some(object) = value.as_object_mut() {
            object.remove("title");
        }
        value
    }

    #[test]
    fn amounts_are_numbers_in_cents() {
        assert_eq!(
            schema_of::<Amount>(),
            serde_json::json!({"type": "number", "multipleOf": 0.01})
        );
        assert_eq!(schema_of::<Rate>(), serde_json::json!({"type": "number"}));
    }

    #[test]
    fn bounded_lists_carry_their_bounds() {
        let schema = schema_of::<BoundedVec<String, Min<1>, Max<100>>>();
        assert_eq!(schema["type"], "array");
        assert_eq!(schema["minItems"], 1);
        assert_eq!(schema["maxItems"], 100);
        assert_eq!(schema["items"]["type"], "string");
        assert!(schema_of::<BoundedVec<String, Min<0>, Max<3>>>()
            .get("minItems")
            .is_none());
    }

    #[test]
    fn open_enums_also_take_any_string() {
        #[derive(JsonSchema)]
        #[allow(dead_code)]
        enum Status {
            #[serde(rename = "ACCEPTED")]
            Accepted,
        }
        let schema = schema_of::<OpenEnum<Status>>();
        let any_of = schema["anyOf"].as_array().expect("anyOf");
        assert_eq!(any_of.len(), 2);
        assert_eq!(any_of[1]["type"], "string");
    }
}
