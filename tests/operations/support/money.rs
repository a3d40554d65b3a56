//! Amounts, written once: the generated types hold every `type: number` as an exact decimal
//! (`scalexpert::Amount`, or `scalexpert::Rate` for a simulation's rates; rule
//! `decimal_numbers`).

use serde_json::Value;

pub use scalexpert::{Amount, Rate};

/// An amount written as in a JSON document or on a receipt (`"1249.90"`).
pub fn amount(text: &str) -> Amount {
    text.parse()
        .unwrap_or_else(|e| panic!("{text:?} is not an amount: {e}"))
}

/// The amount a JSON number of an example holds, exactly.
pub fn amount_of(value: &Value) -> Amount {
    serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("not an amount: {value}: {e}"))
}

/// The rate a JSON number of an example holds, exactly.
pub fn rate_of(value: &Value) -> Rate {
    serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("not a rate: {value}: {e}"))
}
