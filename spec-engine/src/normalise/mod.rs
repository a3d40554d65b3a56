//! Normalisation: named rewrites applied to a spec before progenitor sees it.
//!
//! Our specs stay exactly as Scalexpert's (same structure); a few of their shapes make
//! progenitor 0.15 panic or generate a client that fails on real traffic. Each rule below
//! rewrites one such shape, says why in its doc comment, and has its own tests. The rules run
//! in [`RULES`] order; each returns the JSON pointers it touched so the build can report them.
//!
//! Generated code is never edited by hand: if the generator cannot take a shape, the fix is a
//! rule here.

use serde_json::Value;

pub mod bounded_request_arrays;
pub mod decimal_numbers;
pub mod discriminated_one_of;
pub mod error_responses_left_to_facade;
pub mod lenient_response_schemas;
pub mod no_content_has_no_body;
pub mod open_response_enums;
pub mod optional_body_with_no_content;
pub mod rust_type;
pub mod schemaless_json_bodies;
pub mod sides;
pub mod success_as_any_2xx;
pub mod unit_types;

/// A named rewrite of a spec document.
pub struct Rule {
    /// Stable name, used in build output and documentation.
    pub name: &'static str,
    /// Applies the rule in place; returns the pointers it changed.
    pub apply: fn(&mut Value) -> Vec<String>,
}

/// Every rule, in the order they run.
pub const RULES: &[Rule] = &[
    Rule {
        name: "error_responses_left_to_facade",
        apply: error_responses_left_to_facade::apply,
    },
    Rule {
        name: "no_content_has_no_body",
        apply: no_content_has_no_body::apply,
    },
    Rule {
        name: "schemaless_json_bodies",
        apply: schemaless_json_bodies::apply,
    },
    Rule {
        name: "decimal_numbers",
        apply: decimal_numbers::apply,
    },
    Rule {
        name: "lenient_response_schemas",
        apply: lenient_response_schemas::apply,
    },
    // After `lenient_response_schemas`, which leaves item limits on the request side only.
    Rule {
        name: "bounded_request_arrays",
        apply: bounded_request_arrays::apply,
    },
    // After `lenient_response_schemas`: its response-side copies are response-only, so their
    // enums open too.
    Rule {
        name: "open_response_enums",
        apply: open_response_enums::apply,
    },
    // After `open_response_enums`, which would open the tags this rule pins.
    Rule {
        name: "discriminated_one_of",
        apply: discriminated_one_of::apply,
    },
    // Last but one: it wraps a response schema the rules above have already made lenient.
    Rule {
        name: "optional_body_with_no_content",
        apply: optional_body_with_no_content::apply,
    },
    // After `optional_body_with_no_content`, which leaves such operations one success response.
    Rule {
        name: "success_as_any_2xx",
        apply: success_as_any_2xx::apply,
    },
];

/// What one rule changed.
#[derive(Debug, Clone)]
pub struct Applied {
    /// The rule's name.
    pub rule: &'static str,
    /// JSON pointers of what it changed (empty when the spec has no such shape).
    pub pointers: Vec<String>,
}

/// Applies every rule in order and reports what each changed.
pub fn normalise(doc: &mut Value) -> Vec<Applied> {
    RULES
        .iter()
        .map(|rule| Applied {
            rule: rule.name,
            pointers: (rule.apply)(doc),
        })
        .collect()
}

/// Every `(pointer, media-type object)` under request bodies and responses of every operation.
pub(crate) fn for_each_operation_mut(doc: &mut Value, mut f: impl FnMut(&str, &mut Value)) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        for method in crate::walk::METHODS {
            if let Some(operation) = item.get_mut(*method) {
                let pointer = crate::walk::child(&crate::walk::child("/paths", path), method);
                f(&pointer, operation);
            }
        }
    }
}
