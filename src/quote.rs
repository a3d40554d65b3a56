//! Insurance quotations expire: reading a quotation's expiry, and knowing when to quote again.
//!
//! A quotation (`POST /quotations`) answers `expirationDate` as a timestamp string
//! (`2024-10-18T14:05:31.000Z`), while subscribing the policy (`POST /subscriptions`) requires
//! `producerQuoteExpirationDate` as a date (`2024-10-18`) and is refused once the quotation has
//! expired. Between the two, the buyer pays, and a credit journey can take minutes:
//! [`QuoteExpiry`] converts the one into the other and says whether to quote again first.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, SecondsFormat, Utc};
use std::fmt;
use std::time::Duration;

/// When an insurance quotation stops being usable, as its `expirationDate` says.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use scalexpert::QuoteExpiry;
/// use std::time::Duration;
///
/// let expiry = QuoteExpiry::parse("2024-10-18T14:05:31.000Z")?;
/// // What `producerQuoteExpirationDate` wants.
/// assert_eq!(expiry.date().to_string(), "2024-10-18");
/// let paid = Utc.with_ymd_and_hms(2024, 10, 18, 14, 5, 0).unwrap();
/// assert!(!expiry.is_expired(paid));
/// // Less than a minute left: quote again rather than risk a refused subscription.
/// assert!(expiry.expires_within(paid, Duration::from_secs(60)));
/// # Ok::<(), scalexpert::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct QuoteExpiry(DateTime<FixedOffset>);

impl QuoteExpiry {
    /// Reads an `expirationDate`: an RFC 3339 timestamp (`2024-10-18T14:05:31.000Z`, any
    /// offset), or one without an offset, taken as UTC. Fails with [`Error::Decode`] for
    /// anything else.
    ///
    /// [`Error::Decode`]: crate::Error::Decode
    pub fn parse(expiration_date: &str) -> crate::Result<QuoteExpiry> {
        let text = expiration_date.trim();
        DateTime::parse_from_rfc3339(text)
            .or_else(|_| {
                NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
                    .map(|naive| naive.and_utc().fixed_offset())
            })
            .map(QuoteExpiry)
            .map_err(|_| crate::Error::Decode {
                status: None,
                message: "the quotation's expirationDate is not a timestamp".into(),
                // A timestamp holds no personal data; keep it short all the same.
                excerpt: text.chars().take(40).collect(),
            })
    }

    /// The expiry of a quotation answer; fails with [`Error::Decode`] when it has no
    /// `expirationDate` or an unreadable one.
    ///
    /// [`Error::Decode`]: crate::Error::Decode
    #[cfg(feature = "insurance-1_7_1")]
    #[cfg_attr(docsrs, doc(cfg(feature = "insurance-1_7_1")))]
    pub fn of(
        quotation: &crate::insurance::v1_7_1::types::InsuranceQuotationResponse,
    ) -> crate::Result<QuoteExpiry> {
        let text = quotation
            .expiration_date
            .as_deref()
            .ok_or_else(|| crate::Error::Decode {
                status: None,
                message: "the quotation has no expirationDate".into(),
                excerpt: String::new(),
            })?;
        QuoteExpiry::parse(text)
    }

    /// The instant the quotation expires.
    pub fn at(&self) -> DateTime<Utc> {
        self.0.with_timezone(&Utc)
    }

    /// The day it expires, as written in `expirationDate` (its date part): the
    /// `producerQuoteExpirationDate` a subscription must repeat.
    pub fn date(&self) -> NaiveDate {
        self.0.date_naive()
    }

    /// Whether it can no longer be subscribed at `now` (the expiry instant included).
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        now >= self.at()
    }

    /// Whether it expires at `now` or within `margin` after: the time a subscription call
    /// needs to arrive. Quote again when it does.
    pub fn expires_within(&self, now: DateTime<Utc>, margin: Duration) -> bool {
        let margin = chrono::TimeDelta::from_std(margin).unwrap_or(chrono::TimeDelta::MAX);
        now.checked_add_signed(margin)
            .is_none_or(|later| later >= self.at())
    }
}

impl From<DateTime<Utc>> for QuoteExpiry {
    fn from(at: DateTime<Utc>) -> Self {
        QuoteExpiry(at.fixed_offset())
    }
}

impl fmt::Display for QuoteExpiry {
    /// As the gateway writes it: RFC 3339 with milliseconds.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.to_rfc3339_opts(SecondsFormat::Millis, true))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn reads_the_gateway_timestamps_and_gives_the_subscription_date() {
        let expiry = QuoteExpiry::parse("2024-10-18T14:05:31.000Z").expect("rfc 3339");
        assert_eq!(
            expiry.at(),
            Utc.with_ymd_and_hms(2024, 10, 18, 14, 5, 31).unwrap()
        );
        assert_eq!(
            expiry.date(),
            NaiveDate::from_ymd_opt(2024, 10, 18).unwrap()
        );
        assert_eq!(expiry.to_string(), "2024-10-18T14:05:31.000Z");
        let no_offset = QuoteExpiry::parse("2024-10-18T14:05:31").expect("taken as UTC");
        assert_eq!(no_offset.at(), expiry.at());
    }

    #[test]
    fn the_date_is_the_one_written_whatever_the_offset() {
        let late = QuoteExpiry::parse("2024-10-19T00:30:00+02:00").expect("offset");
        assert_eq!(late.date(), NaiveDate::from_ymd_opt(2024, 10, 19).unwrap());
        assert_eq!(
            late.at(),
            Utc.with_ymd_and_hms(2024, 10, 18, 22, 30, 0).unwrap()
        );
    }

    #[test]
    fn expired_from_the_expiry_instant_on() {
        let at = Utc.with_ymd_and_hms(2024, 10, 18, 14, 5, 31).unwrap();
        let expiry = QuoteExpiry::from(at);
        assert!(!expiry.is_expired(at - chrono::TimeDelta::milliseconds(1)));
        assert!(expiry.is_expired(at));
        let before = at - chrono::TimeDelta::seconds(30);
        assert!(expiry.expires_within(before, Duration::from_secs(30)));
        assert!(!expiry.expires_within(before, Duration::from_secs(29)));
        assert!(expiry.expires_within(before, Duration::MAX));
    }

    #[test]
    fn anything_else_is_a_decode_error() {
        for text in ["", "2024-10-18", "tomorrow", "2024-13-01T00:00:00Z"] {
            let error = QuoteExpiry::parse(text).expect_err(text);
            assert!(
                matches!(error, crate::Error::Decode { status: None, .. }),
                "{text}: {error:?}"
            );
        }
    }

    #[cfg(feature = "insurance-1_7_1")]
    #[test]
    fn from_a_quotation_answer() {
        use crate::insurance::v1_7_1::types::InsuranceQuotationResponse;
        let answer: InsuranceQuotationResponse = serde_json::from_str(
            r#"{"quoteId":"b65bc7d5-e203-47f5-b7ea-9bdf0ddee862","insurancePrice":84.9,
                "expirationDate":"2024-10-18T14:05:31.000Z"}"#,
        )
        .expect("the spec's example");
        let expiry = QuoteExpiry::of(&answer).expect("has one");
        assert_eq!(expiry.date().to_string(), "2024-10-18");
        let none = InsuranceQuotationResponse::default();
        assert!(QuoteExpiry::of(&none).is_err());
    }
}
