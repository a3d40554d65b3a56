//! Amounts, written once so that a change of the type the generated code holds `type: number,
//! format: float` in (today `f64`) changes this file and no test.

use serde_json::Value;

/// What the generated types hold an amount (or a rate: also `format: float`) in.
pub type Amount = f64;

/// An amount written as in a JSON document or on a receipt (`"1249.90"`).
pub fn amount(text: &str) -> Amount {
    text.parse()
        .unwrap_or_else(|e| panic!("{text:?} is not an amount: {e}"))
}

/// The amount (or rate) a JSON number of an example holds.
pub fn amount_of(value: &Value) -> Amount {
    value
        .as_f64()
        .unwrap_or_else(|| panic!("not an amount: {value}"))
}
