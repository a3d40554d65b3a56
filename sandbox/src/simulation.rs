//! Repayment plans: the maths behind `_simulate-solutions`.
//!
//! Amounts are whole cents (`i64`) so that every figure is exact once computed. The rules, which
//! reproduce every simulation of the e-financing documentation to the cent:
//!
//! - **Split payment** of `n` instalments: each instalment is the amount divided by `n`, rounded
//!   down to the cent; the first instalment also carries the cent remainder and the fees. Fees
//!   are a percentage of the amount, rounded half up to the cent. The nominal rate is 0; the APR
//!   is the offer's published one.
//! - **Long-term credit**: the nominal annual rate is the monthly rate equivalent to the APR,
//!   times 12, in percent rounded to three decimals (`9.9` → `9.477`). The instalment is the
//!   annuity `P·r / (1 − (1 + r)^−n)` with `r` = nominal / 12, truncated to the cent. The total due
//!   is `n` instalments and the cost is the total due minus the amount. A 0 % credit splits the
//!   amount as a split payment does.
//!
//! ```
//! use scalexpert_sandbox::simulation::{long_term_credit, nominal_rate};
//!
//! assert_eq!(nominal_rate(9.9), 9.477);
//! let plan = long_term_credit(500_000, 24, 9.9);
//! assert_eq!(plan.installments, [22_951]); // 229.51 EUR
//! assert_eq!(plan.total_cost, 50_824); // 508.24 EUR
//! ```

use scalexpert::{Amount, Rate};
use serde::Deserialize;

/// One repayment plan, amounts in cents.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// Number of instalments (months for long-term credit).
    pub duration: u32,
    /// APR (TAEG), in percent.
    pub annual_percentage_rate: f64,
    /// Nominal annual rate, in percent.
    pub nominal_rate: f64,
    /// Fees, in cents.
    pub fees: i64,
    /// Interest plus fees, in cents.
    pub total_cost: i64,
    /// Amount plus cost, in cents.
    pub due_total: i64,
    /// The instalments listed by the API, in cents: all of them for split payments, the first
    /// one for long-term credit.
    pub installments: Vec<i64>,
}

/// A split payment of `amount` cents in `installments` instalments.
///
/// ```
/// use scalexpert_sandbox::simulation::split_payment;
///
/// let plan = split_payment(150_000, 4, 4.0 / 3.0, 12.584);
/// assert_eq!(plan.installments, [39_500, 37_500, 37_500, 37_500]);
/// assert_eq!((plan.fees, plan.due_total), (2_000, 152_000));
/// ```
pub fn split_payment(amount: i64, installments: u32, fee_percent: f64, apr: f64) -> Plan {
    let count = i64::from(installments.max(1));
    let fees = fee(amount, fee_percent);
    let share = amount / count;
    let first = share + amount % count + fees;
    let mut listed = vec![share; count as usize];
    if let Some(head) = listed.first_mut() {
        *head = first;
    }
    Plan {
        duration: installments.max(1),
        annual_percentage_rate: if fees == 0 { 0.0 } else { apr },
        nominal_rate: 0.0,
        fees,
        total_cost: fees,
        due_total: amount + fees,
        installments: listed,
    }
}

/// A long-term credit of `amount` cents over `months` months at `apr` percent.
pub fn long_term_credit(amount: i64, months: u32, apr: f64) -> Plan {
    let months = months.max(1);
    let count = i64::from(months);
    let nominal = nominal_rate(apr);
    let monthly = nominal / 1200.0;
    let installment = if monthly > 0.0 {
        let principal = amount as f64 / 100.0;
        let annuity = principal * monthly / (1.0 - (1.0 + monthly).powi(-(months as i32)));
        // Truncated to the cent; the tolerance keeps a value that is a whole cent in exact
        // arithmetic from dropping a cent to binary rounding.
        let truncated = (annuity * 100.0 + 1e-6).floor() as i64;
        // A tiny rate must not make the credit cost less than the amount.
        truncated.max((amount + count - 1) / count)
    } else {
        0
    };
    if installment == 0 {
        let free = split_payment(amount, months, 0.0, 0.0);
        return Plan {
            installments: free.installments.into_iter().take(1).collect(),
            ..free
        };
    }
    let due_total = installment.saturating_mul(count);
    Plan {
        duration: months,
        annual_percentage_rate: apr,
        nominal_rate: nominal,
        fees: 0,
        total_cost: due_total - amount,
        due_total,
        installments: vec![installment],
    }
}

/// The nominal annual rate, in percent with three decimals, of a loan repaid monthly whose APR
/// is `apr` percent.
pub fn nominal_rate(apr: f64) -> f64 {
    if apr <= 0.0 || !apr.is_finite() {
        return 0.0;
    }
    let monthly = (1.0 + apr / 100.0).powf(1.0 / 12.0) - 1.0;
    (monthly * 1200.0 * 1000.0).round() / 1000.0
}

/// `percent` of `amount` cents, rounded half up to the cent.
pub fn fee(amount: i64, percent: f64) -> i64 {
    if percent <= 0.0 || !percent.is_finite() {
        return 0;
    }
    (amount as f64 * percent / 100.0).round() as i64
}

/// Largest amount the sandbox handles, in cents (ten billion EUR).
const MAX_CENTS: i64 = 1_000_000_000_000;

/// An amount as cents, when it is positive, has at most two decimals and is at most ten
/// billion EUR. Amounts arrive as exact decimals (`scalexpert::Amount`), so `1500.001` is
/// refused rather than rounded.
///
/// ```
/// use scalexpert::Amount;
/// use scalexpert_sandbox::simulation::cents;
/// let amount = |text: &str| serde_json::from_str::<Amount>(text).expect("a number");
/// assert_eq!(cents(amount("1249.9")), Some(124_990));
/// assert_eq!(cents(amount("1500.001")), None);
/// assert_eq!(cents(amount("-5")), None);
/// ```
pub fn cents(amount: Amount) -> Option<i64> {
    amount.cents().filter(|c| (1..=MAX_CENTS).contains(c))
}

/// A configured amount of the rule table, given as a float literal, as cents.
pub fn cents_of(eur: f64) -> Option<i64> {
    Amount::try_from(eur).ok().and_then(cents)
}

/// An amount in JSON (the spec's number), as cents.
pub fn cents_of_json(value: &serde_json::Value) -> Option<i64> {
    Amount::deserialize(value).ok().and_then(cents)
}

/// Cents as an exact amount. The sandbox's own figures stay far below the limit.
pub fn eur(cents: i64) -> Amount {
    Amount::from_cents(cents).unwrap_or(Amount::ZERO)
}

/// A rate in percent as the exact decimal its shortest text says (`12.584`).
pub fn rate(percent: f64) -> Rate {
    Rate::try_from(percent).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nominal_rates() {
        assert_eq!(nominal_rate(9.9), 9.477);
        assert_eq!(nominal_rate(0.0), 0.0);
        assert_eq!(nominal_rate(-1.0), 0.0);
    }

    #[test]
    fn remainders_go_to_the_first_installment() {
        let plan = split_payment(100_000, 3, 0.0, 0.0);
        assert_eq!(plan.installments, [33_334, 33_333, 33_333]);
        assert_eq!(plan.due_total, 100_000);
        assert_eq!(plan.installments.iter().sum::<i64>(), plan.due_total);
    }

    #[test]
    fn zero_rate_credit_costs_nothing() {
        let plan = long_term_credit(100_000, 6, 0.0);
        assert_eq!(plan.installments, [16_670]);
        assert_eq!((plan.total_cost, plan.due_total), (0, 100_000));
    }

    #[test]
    fn tiny_rates_never_cost_less_than_the_amount() {
        let plan = long_term_credit(100_000, 6, 0.0001);
        assert!(plan.total_cost >= 0, "{plan:?}");
    }

    #[test]
    fn amounts_in_cents() {
        let json = |text: &str| cents_of_json(&serde_json::from_str(text).expect("json"));
        assert_eq!(json("1500.0"), Some(150_000));
        assert_eq!(json("0.01"), Some(1));
        assert_eq!(json("1e300"), None);
        // Refused, not rounded: the gateway answers INVALID_AMOUNT.
        assert_eq!(json("12.345"), None);
        assert_eq!(json("1500.001"), None);
        assert_eq!(json("9999.995"), None);
        assert_eq!(json("0"), None);
        assert_eq!(cents_of(f64::NAN), None);
        assert_eq!(cents_of(f64::INFINITY), None);
        assert_eq!(cents_of(50.0), Some(5_000));
        assert_eq!(eur(124_990).to_string(), "1249.90");
    }
}
