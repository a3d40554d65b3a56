//! Money and rates as exact decimals.
//!
//! Every amount in the Scalexpert specs is `type: number, format: float`. Held as a binary
//! float, `1249.90` becomes 1249.900000000000090949…, and a basket's lines no longer add up to
//! its total without rounding everywhere. The build's `decimal_numbers` rule makes every number
//! of every spec an [`Amount`] (or a [`Rate`] for the percentage rates of a simulation), so the
//! generated types hold what the gateway wrote, exactly.
//!
//! On the wire both stay JSON numbers: a decimal of at most 15 significant digits is written as
//! the shortest number that reads back as the same double, which is its own decimal text
//! (`1249.90` is sent as `1249.9`), and read back the same way. No global serde_json feature is
//! involved, so the caller's own JSON code behaves as before.

use rust_decimal::Decimal;
use serde::de::{self, Deserializer, Visitor};
use serde::{Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// The decimal places the gateway accepts in an amount; more is refused (`INVALID_AMOUNT`).
pub const AMOUNT_DECIMALS: u32 = 2;

/// The largest magnitude an amount may have: 13 digits before the point and 2 after keep every
/// amount within the 15 significant digits a JSON number carries exactly through a double.
const AMOUNT_LIMIT: Decimal = Decimal::from_parts(1_316_134_912, 2_328, 0, false, 0); // 10^13

/// An amount of money (EUR), held exactly.
///
/// Built from text, a float, whole euros or cents; every constructor refuses more than two
/// decimal places before anything is sent, and values of 10^13 or more. Amounts read from an
/// answer are taken as the gateway wrote them, whatever their scale.
///
/// ```
/// use scalexpert::Amount;
///
/// let price: Amount = "1249.90".parse()?;
/// let shipping = Amount::try_from(9.99)?;
/// let total = price.checked_add(shipping).expect("within range");
/// assert_eq!(total.to_string(), "1259.89");
/// assert_eq!(serde_json::to_string(&total)?, "1259.89");
/// assert!("10.005".parse::<Amount>().is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Amount(Decimal);

/// A percentage rate of a simulation (`effectiveAnnualPercentageRate`, `nominalPercentageRate`),
/// held exactly: `12.864` means 12.864 %.
///
/// Rates come from the gateway only; they are read as written, without a limit on decimals.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Rate(Decimal);

/// Why a value is not an [`Amount`] or a [`Rate`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AmountError {
    /// Not a decimal number.
    #[error("not a decimal number")]
    NotANumber,
    /// More decimal places than the gateway accepts.
    #[error("an amount has at most {AMOUNT_DECIMALS} decimal places")]
    TooManyDecimals,
    /// Too large to be sent exactly as a JSON number.
    #[error("an amount must be below 10^13")]
    TooLarge,
}

impl Amount {
    /// Zero euros.
    pub const ZERO: Amount = Amount(Decimal::ZERO);

    /// An amount from an exact decimal: at most two decimal places once trailing zeros are
    /// dropped (`10.050` is 10.05), below 10^13 in magnitude.
    pub fn new(value: Decimal) -> Result<Amount, AmountError> {
        let value = value.normalize();
        if value.scale() > AMOUNT_DECIMALS {
            return Err(AmountError::TooManyDecimals);
        }
        if value.abs() >= AMOUNT_LIMIT {
            return Err(AmountError::TooLarge);
        }
        Ok(Amount(value))
    }

    /// An amount from a number of cents (`124990` is 1249.90).
    pub fn from_cents(cents: i64) -> Result<Amount, AmountError> {
        Amount::new(Decimal::new(cents, AMOUNT_DECIMALS))
    }

    /// The amount as an exact decimal.
    pub fn as_decimal(self) -> Decimal {
        self.0
    }

    /// The amount in cents, when it has at most two decimal places (every amount built here
    /// does; one read from an answer may not).
    pub fn cents(self) -> Option<i64> {
        let scaled = self.0.checked_mul(Decimal::ONE_HUNDRED)?.normalize();
        if scaled.scale() != 0 {
            return None;
        }
        i64::try_from(scaled.mantissa()).ok()
    }

    /// `self + other`, or `None` past the limit.
    pub fn checked_add(self, other: Amount) -> Option<Amount> {
        Amount::new(self.0.checked_add(other.0)?).ok()
    }

    /// `self - other`, or `None` past the limit.
    pub fn checked_sub(self, other: Amount) -> Option<Amount> {
        Amount::new(self.0.checked_sub(other.0)?).ok()
    }

    /// `self × quantity` (a basket line), or `None` past the limit.
    pub fn checked_mul(self, quantity: u32) -> Option<Amount> {
        Amount::new(self.0.checked_mul(Decimal::from(quantity))?).ok()
    }

    /// The sum of `amounts`, or `None` past the limit.
    pub fn total(amounts: impl IntoIterator<Item = Amount>) -> Option<Amount> {
        amounts
            .into_iter()
            .try_fold(Amount::ZERO, Amount::checked_add)
    }
}

impl Rate {
    /// A rate from an exact decimal.
    pub fn new(value: Decimal) -> Rate {
        Rate(value.normalize())
    }

    /// The rate as an exact decimal (percent).
    pub fn as_decimal(self) -> Decimal {
        self.0
    }
}

impl From<u32> for Amount {
    /// Whole euros (always within the limit).
    fn from(euros: u32) -> Amount {
        Amount(Decimal::from(euros))
    }
}

impl From<Amount> for Decimal {
    fn from(amount: Amount) -> Decimal {
        amount.0
    }
}

impl From<Rate> for Decimal {
    fn from(rate: Rate) -> Decimal {
        rate.0
    }
}

impl TryFrom<Decimal> for Amount {
    type Error = AmountError;
    fn try_from(value: Decimal) -> Result<Amount, AmountError> {
        Amount::new(value)
    }
}

impl TryFrom<f64> for Amount {
    type Error = AmountError;
    /// The decimal a float literal stands for (`1249.9` is 1249.90), as the shortest text that
    /// reads back as the same double; then as [`Amount::new`].
    fn try_from(value: f64) -> Result<Amount, AmountError> {
        // The common case, a number of cents: `whole_cents` has checked the limit already.
        if let Some(cents) = whole_cents(value) {
            return Ok(Amount(decimal_of_cents(cents)));
        }
        Amount::new(decimal_of_f64(value)?)
    }
}

impl TryFrom<f64> for Rate {
    type Error = AmountError;
    fn try_from(value: f64) -> Result<Rate, AmountError> {
        decimal_of_f64(value).map(Rate::new)
    }
}

impl TryFrom<&str> for Amount {
    type Error = AmountError;
    fn try_from(text: &str) -> Result<Amount, AmountError> {
        text.parse()
    }
}

impl FromStr for Amount {
    type Err = AmountError;
    fn from_str(text: &str) -> Result<Amount, AmountError> {
        Amount::new(parse_decimal(text)?)
    }
}

impl FromStr for Rate {
    type Err = AmountError;
    fn from_str(text: &str) -> Result<Rate, AmountError> {
        parse_decimal(text).map(Rate::new)
    }
}

impl fmt::Display for Amount {
    /// With two decimals, as money is written: `1249.90`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.scale() <= AMOUNT_DECIMALS {
            let mut shown = self.0;
            shown.rescale(AMOUNT_DECIMALS);
            fmt::Display::fmt(&shown, f)
        } else {
            fmt::Display::fmt(&self.0, f)
        }
    }
}

impl fmt::Debug for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Amount({self})")
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Rate({self})")
    }
}

/// The decimal `text` writes, without trailing zeros.
fn parse_decimal(text: &str) -> Result<Decimal, AmountError> {
    let text = text.trim();
    Decimal::from_str(text)
        .or_else(|_| Decimal::from_scientific(text))
        .map(|value| value.normalize())
        .map_err(|_| AmountError::NotANumber)
}

/// The decimal a double stands for: its shortest round-trip text, read exactly, without
/// trailing zeros.
fn decimal_of_f64(value: f64) -> Result<Decimal, AmountError> {
    if !value.is_finite() {
        return Err(AmountError::NotANumber);
    }
    if let Some(cents) = whole_cents(value) {
        return Ok(decimal_of_cents(cents));
    }
    let mut buffer = ryu::Buffer::new();
    parse_decimal(buffer.format_finite(value))
}

/// `cents` hundredths without trailing zeros: what `Decimal::normalize` gives, without its
/// loop of 96-bit divisions.
fn decimal_of_cents(cents: i64) -> Decimal {
    if cents % 100 == 0 {
        Decimal::from(cents / 100)
    } else if cents % 10 == 0 {
        Decimal::new(cents / 10, 1)
    } else {
        Decimal::new(cents, AMOUNT_DECIMALS)
    }
}

/// The cents of `value` when it is the double nearest to a number of cents below the amount
/// limit: the common case, decoded without formatting. Below 10^13 two different cent values
/// never share a double (their spacing is at most 0.002), so these cents are the ones the
/// shortest round-trip text would give.
fn whole_cents(value: f64) -> Option<i64> {
    const LIMIT: f64 = 1e13;
    // NaN passes here and fails the check below (it converts to 0 cents).
    if value.abs() >= LIMIT {
        return None;
    }
    let scaled = value * 100.0;
    // Rounded half away from zero by truncation, which needs no call to `round`; the check
    // below refuses any value whose cents this did not find.
    let cents = (scaled + 0.5_f64.copysign(scaled)) as i64;
    (cents as f64 / 100.0 == value).then_some(cents)
}

/// The double nearest to `value`. Exact for decimals of at most 15 significant digits, whose
/// shortest round-trip text is their own: both operands below are exact doubles and IEEE
/// division rounds correctly.
fn f64_of_decimal(value: Decimal) -> f64 {
    // Powers of ten up to 10^22 are exact doubles; every amount's mantissa fits an i64, whose
    // conversion rounds exactly as the i128 one would.
    const POWERS_OF_TEN: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];
    let mantissa = value.mantissa();
    match (
        i64::try_from(mantissa),
        POWERS_OF_TEN.get(value.scale() as usize),
    ) {
        (Ok(small), Some(power)) => small as f64 / power,
        _ => mantissa as f64 / 10f64.powi(value.scale() as i32),
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(f64_of_decimal(self.0))
    }
}

impl Serialize for Rate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(f64_of_decimal(self.0))
    }
}

/// Reads a JSON number (or a numeric string, from a lenient server) as an exact decimal,
/// without trailing zeros.
struct DecimalVisitor;

impl Visitor<'_> for DecimalVisitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a decimal number")
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Decimal, E> {
        decimal_of_f64(value).map_err(|_| E::custom("a number that is not finite"))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Decimal, E> {
        Ok(Decimal::from(value))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Decimal, E> {
        Ok(Decimal::from(value))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Decimal, E> {
        // The value is the server's data: name the problem, not the text.
        parse_decimal(text).map_err(|_| E::custom("a string that is not a decimal number"))
    }
}

impl<'de> serde::Deserialize<'de> for Amount {
    /// Lenient on read: the amount as the gateway wrote it, whatever its scale.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Amount, D::Error> {
        deserializer.deserialize_any(DecimalVisitor).map(Amount)
    }
}

impl<'de> serde::Deserialize<'de> for Rate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Rate, D::Error> {
        deserializer.deserialize_any(DecimalVisitor).map(Rate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_is_ten_to_the_thirteenth() {
        assert_eq!(AMOUNT_LIMIT, Decimal::from(10_000_000_000_000_i64));
    }

    #[test]
    fn amounts_are_sent_and_read_back_exactly() {
        let amount: Amount = "1249.90".parse().expect("amount");
        assert_eq!(serde_json::to_string(&amount).expect("json"), "1249.9");
        let back: Amount = serde_json::from_str("1249.90").expect("read");
        assert_eq!(back, amount);
        assert_eq!(back.as_decimal(), Decimal::new(124990, 2));
        assert_eq!(back.to_string(), "1249.90");
        // The sum a float would get wrong.
        let sum = Amount::total(["0.10", "0.20"].map(|t| t.parse::<Amount>().expect("amount")));
        assert_eq!(sum.map(|s| s.to_string()).as_deref(), Some("0.30"));
    }

    #[test]
    fn more_than_two_decimals_and_huge_values_are_refused() {
        assert_eq!(
            "10.005".parse::<Amount>(),
            Err(AmountError::TooManyDecimals)
        );
        assert_eq!(
            Amount::try_from(1500.001),
            Err(AmountError::TooManyDecimals)
        );
        assert_eq!(
            "10.050".parse::<Amount>().map(|a| a.to_string()).as_deref(),
            Ok("10.05")
        );
        assert_eq!(
            "10000000000000".parse::<Amount>(),
            Err(AmountError::TooLarge)
        );
        assert_eq!("abc".parse::<Amount>(), Err(AmountError::NotANumber));
        assert_eq!(Amount::try_from(f64::NAN), Err(AmountError::NotANumber));
    }

    #[test]
    fn every_two_decimal_amount_round_trips_through_json() {
        // Largest magnitudes and awkward cents: each is written as its own decimal text.
        for cents in [
            1,
            10,
            99,
            124_990,
            999_999_999_999_999,
            -999_999_999_999_999,
            123_456_789_012_345,
            100_000_000_000_001,
        ] {
            let amount = Amount::from_cents(cents).expect("within limit");
            let json = serde_json::to_string(&amount).expect("json");
            let back: Amount = serde_json::from_str(&json).expect("read");
            assert_eq!(back, amount, "{cents} cents sent as {json}");
            assert_eq!(back.cents(), Some(cents));
        }
    }

    #[test]
    fn answers_are_read_as_written_whatever_their_scale() {
        let read: Amount = serde_json::from_str("83.3333").expect("lenient");
        assert_eq!(read.as_decimal(), Decimal::new(833_333, 4));
        assert_eq!(read.cents(), None);
        let from_text: Amount = serde_json::from_str("\"12.50\"").expect("numeric string");
        assert_eq!(from_text.cents(), Some(1250));
        let rate: Rate = serde_json::from_str("12.864").expect("rate");
        assert_eq!(rate.as_decimal(), Decimal::new(12_864, 3));
        assert_eq!(serde_json::to_string(&rate).expect("json"), "12.864");
        let error = serde_json::from_str::<Amount>("\"12 bis rue\"").expect_err("text");
        assert!(!error.to_string().contains("bis"), "{error}");
    }

    #[test]
    fn the_fast_path_agrees_with_the_shortest_text() {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..20_000 {
            // xorshift: cents of every magnitude, and values with more decimals.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let cents = (state % 1_000_000_000_000_000) as i64 / 10_i64.pow((state % 16) as u32);
            for value in [
                cents as f64 / 100.0,
                cents as f64 / 1000.0,
                -(cents as f64) / 100.0,
            ] {
                let mut buffer = ryu::Buffer::new();
                let text = parse_decimal(buffer.format_finite(value)).expect("ryu text");
                let fast = decimal_of_f64(value).expect("finite");
                // The same representation, not only the same value: no trailing zeros.
                assert_eq!(
                    (fast.mantissa(), fast.scale()),
                    (text.mantissa(), text.scale()),
                    "{value}"
                );
            }
        }
    }

    #[test]
    fn the_shortcuts_agree_with_normalize_and_powi() {
        for not_cents in [
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e13,
            0.005,
            0.125,
        ] {
            assert_eq!(whole_cents(not_cents), None, "{not_cents}");
        }
        assert_eq!(whole_cents(-0.0), Some(0));
        assert_eq!(whole_cents(1249.9), Some(124_990));
        assert_eq!(
            Amount::try_from(f64::NEG_INFINITY),
            Err(AmountError::NotANumber)
        );
        for cents in [
            0,
            1,
            -1,
            5,
            10,
            -10,
            50,
            100,
            -100,
            124_990,
            150_000,
            999_999_999_999_999,
            -999_999_999_999_990,
        ] {
            let normalized = Decimal::new(cents, AMOUNT_DECIMALS).normalize();
            let quick = decimal_of_cents(cents);
            assert_eq!(
                (quick.mantissa(), quick.scale()),
                (normalized.mantissa(), normalized.scale()),
                "{cents} cents"
            );
        }
        for value in [
            Decimal::new(124_990, 2),
            Decimal::new(833_333, 4),
            Decimal::new(1, 28),
            Decimal::new(-15, 23),
            Decimal::MAX,
            Decimal::MIN,
        ] {
            let by_powi = value.mantissa() as f64 / 10f64.powi(value.scale() as i32);
            assert_eq!(f64_of_decimal(value), by_powi, "{value}");
        }
    }

    #[test]
    fn amounts_are_held_without_trailing_zeros_however_they_came() {
        for read in [
            Amount::try_from(1500.0).expect("float"),
            "1500.00".parse().expect("text"),
            serde_json::from_str("1500.0").expect("JSON float"),
            serde_json::from_str("1500").expect("JSON integer"),
            serde_json::from_str("\"1500.00\"").expect("JSON string"),
        ] {
            let value = read.as_decimal();
            assert_eq!((value.mantissa(), value.scale()), (1500, 0), "{read:?}");
        }
        let rate: Rate = serde_json::from_str("\"12.50\"").expect("rate");
        assert_eq!(rate.as_decimal().scale(), 1);
    }

    #[test]
    fn whole_euros_and_cents() {
        assert_eq!(Amount::from(300).to_string(), "300.00");
        assert_eq!(
            serde_json::to_string(&Amount::from(300)).expect("json"),
            "300.0"
        );
        assert_eq!(
            Amount::from_cents(5).map(|a| a.to_string()).as_deref(),
            Ok("0.05")
        );
        let line = Amount::try_from(19.99).expect("price").checked_mul(3);
        assert_eq!(line.map(|a| a.to_string()).as_deref(), Some("59.97"));
    }
}
