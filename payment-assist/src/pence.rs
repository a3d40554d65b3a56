//! Amounts in pence.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An amount of money in pence, as Payment Assist counts every amount.
///
/// The generated types use it for every number the spec marks `x-unit: pence` (the build's
/// `unit_types` rule), so a caller cannot pass pounds where pence are meant: the unit is
/// written at the call site.
///
/// ```
/// use payment_assist::Pence;
/// let price = Pence::from_pounds(499).expect("fits");
/// assert_eq!(price, Pence::new(49_900));
/// assert_eq!(price.to_string(), "£499.00");
/// assert_eq!(Pence::new(1_005).to_string(), "£10.05");
/// ```
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Pence(u64);

impl Pence {
    /// `pence` pence.
    pub const fn new(pence: u64) -> Self {
        Pence(pence)
    }

    /// Whole pounds, or `None` if the amount does not fit.
    pub const fn from_pounds(pounds: u64) -> Option<Self> {
        match pounds.checked_mul(100) {
            Some(pence) => Some(Pence(pence)),
            None => None,
        }
    }

    /// The amount in pence.
    pub const fn get(self) -> u64 {
        self.0
    }

    /// The sum, or `None` on overflow.
    pub const fn checked_add(self, other: Pence) -> Option<Pence> {
        match self.0.checked_add(other.0) {
            Some(sum) => Some(Pence(sum)),
            None => None,
        }
    }
}

impl fmt::Display for Pence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "£{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_an_integer_on_the_wire() {
        assert_eq!(
            serde_json::to_string(&Pence::new(50_000)).expect("encodes"),
            "50000"
        );
        let read: Pence = serde_json::from_str("12500").expect("decodes");
        assert_eq!(read.get(), 12_500);
        assert!(serde_json::from_str::<Pence>("125.5").is_err());
        assert!(serde_json::from_str::<Pence>("-1").is_err());
    }

    #[test]
    fn overflow_is_none() {
        assert_eq!(Pence::from_pounds(u64::MAX), None);
        assert_eq!(Pence::new(u64::MAX).checked_add(Pence::new(1)), None);
        assert_eq!(
            Pence::new(1).checked_add(Pence::new(2)),
            Some(Pence::new(3))
        );
    }
}
