//! Naming a hand-written Rust type for the generated code to use.
//!
//! typify reads the `x-rust-type` extension of a schema as "use this existing type here": a
//! crate, a version requirement, a path and type parameters. Rules that point schemas at a
//! facade's own types (open enums, bounded lists, amounts in a unit) build it here, so the
//! crate they point at is the caller's choice rather than fixed in the rule.

use serde_json::{json, Value};

/// A type of the crate the generated code is compiled into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RustType<'a> {
    /// The crate, as the build passes it to progenitor's `with_crate` (`scalexpert`).
    pub crate_name: &'a str,
    /// The type's path, starting with the crate's name in Rust (`scalexpert::OpenEnum`).
    pub path: &'a str,
}

impl RustType<'_> {
    /// The `x-rust-type` value naming this type with `parameters` (schemas) as type arguments.
    pub fn extension(&self, parameters: Vec<Value>) -> Value {
        json!({
            "crate": self.crate_name,
            "version": "*",
            "path": self.path,
            "parameters": parameters,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_crate_path_and_parameters() {
        let ty = RustType {
            crate_name: "payment-assist",
            path: "payment_assist::Pence",
        };
        assert_eq!(
            ty.extension(vec![json!({"type": "string"})]),
            json!({"crate": "payment-assist", "version": "*", "path": "payment_assist::Pence", "parameters": [{"type": "string"}]})
        );
    }
}
