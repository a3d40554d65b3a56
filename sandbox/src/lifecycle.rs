//! The life of a subscription: the buyer's journey, then delivery, return and cancellation.
//!
//! ```text
//! INITIALIZED ──page opened──▶ REQUESTED
//!      │                          │
//!      ├──────────────┬───────────┴──────┬───────────────┐
//!      ▼              ▼                  ▼               ▼
//!  PRE_ACCEPTED ──▶ ACCEPTED ──full cancel──▶ CANCELLED   REJECTED / ABORTED
//!      └──────────▶ REJECTED      └─partial cancel (once)─▶ ACCEPTED
//! ```
//! Long-term credit also takes a delivery report once accepted, and a return report after
//! delivery; a delivered long-term credit can only be cancelled once its return is reported.

use chrono::{DateTime, Utc};
use std::fmt;
use uuid::Uuid;

/// `consolidatedStatus`, as the spec lists it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Status {
    /// Created; the buyer has not opened the journey yet.
    Initialized,
    /// The buyer is on the journey.
    Requested,
    /// The lender agreed in principle and still has checks to make.
    PreAccepted,
    /// The lender granted the financing.
    Accepted,
    /// The lender refused.
    Rejected,
    /// The buyer left the journey.
    Aborted,
    /// Fully cancelled.
    Cancelled,
}

impl Status {
    /// The value on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Initialized => "INITIALIZED",
            Status::Requested => "REQUESTED",
            Status::PreAccepted => "PRE_ACCEPTED",
            Status::Accepted => "ACCEPTED",
            Status::Rejected => "REJECTED",
            Status::Aborted => "ABORTED",
            Status::Cancelled => "CANCELLED",
        }
    }

    /// The `consolidatedSubstatus` the sandbox reports with it.
    pub fn substatus(self) -> &'static str {
        match self {
            Status::Initialized => "WAITING FOR THE BUYER TO START THE JOURNEY",
            Status::Requested => "BUYER JOURNEY IN PROGRESS",
            Status::PreAccepted => "PRE-ACCEPTED, LENDER CHECKS PENDING",
            Status::Accepted => "SUBSCRIPTION APPROVED BY PRODUCER",
            Status::Rejected => "SUBSCRIPTION REJECTED BY PRODUCER",
            Status::Aborted => "JOURNEY ABORTED BY THE BUYER",
            Status::Cancelled => "SUBSCRIPTION CANCELLED",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `cancellationStatus`, as the spec lists it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CancellationStatus {
    /// A full cancellation was accepted.
    CancellationAccepted,
    /// A partial cancellation was accepted.
    PartialCancellationAccepted,
}

impl CancellationStatus {
    /// The value on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            CancellationStatus::CancellationAccepted => "CANCELLATION_ACCEPTED",
            CancellationStatus::PartialCancellationAccepted => "PARTIAL_CANCELLATION_ACCEPTED",
        }
    }
}

/// How the buyer's journey ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum JourneyOutcome {
    /// The lender grants the financing.
    Accepted,
    /// The lender agrees in principle; a later outcome settles it.
    PreAccepted,
    /// The lender refuses.
    Rejected,
    /// The buyer leaves.
    Aborted,
}

impl JourneyOutcome {
    /// The journey endpoint's path segment: `accept`, `pre-accept`, `reject`, `abort`.
    pub fn segment(self) -> &'static str {
        match self {
            JourneyOutcome::Accepted => "accept",
            JourneyOutcome::PreAccepted => "pre-accept",
            JourneyOutcome::Rejected => "reject",
            JourneyOutcome::Aborted => "abort",
        }
    }

    /// Reads a path segment back.
    pub fn from_segment(segment: &str) -> Option<JourneyOutcome> {
        [
            JourneyOutcome::Accepted,
            JourneyOutcome::PreAccepted,
            JourneyOutcome::Rejected,
            JourneyOutcome::Aborted,
        ]
        .into_iter()
        .find(|o| o.segment() == segment)
    }
}

/// A change the subscription's state does not allow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub(crate) message: String,
}

fn refuse(message: impl Into<String>) -> Refusal {
    Refusal {
        message: message.into(),
    }
}

/// What a cancellation did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Cancelled {
    /// Amount still financed, in cents.
    pub(crate) remaining: i64,
    /// Whether it cancelled everything.
    pub(crate) full: bool,
}

/// Who a subscription belongs to: the credentials, and the merchant a PSP acts for.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Tenant {
    pub(crate) client_id: String,
    pub(crate) merchant: Option<String>,
}

/// One subscription as the sandbox keeps it.
#[derive(Clone, Debug)]
pub(crate) struct Subscription {
    pub(crate) id: Uuid,
    pub(crate) tenant: Tenant,
    pub(crate) journey: String,
    pub(crate) registered: DateTime<Utc>,
    pub(crate) updated: DateTime<Utc>,
    pub(crate) solution_code: String,
    pub(crate) market: String,
    pub(crate) implementation_code: Option<String>,
    pub(crate) long_term: bool,
    pub(crate) merchant_basket_id: String,
    pub(crate) merchant_global_order_id: String,
    pub(crate) merchant_buyer_id: String,
    pub(crate) confirmation_url: String,
    /// Amount still financed, in cents.
    pub(crate) financed: i64,
    pub(crate) status: Status,
    pub(crate) cancellation: Option<CancellationStatus>,
    pub(crate) partially_cancelled: bool,
    pub(crate) delivered: bool,
    pub(crate) returned: bool,
    /// The first buyer as received, as compact JSON text (the response's buyer type may read
    /// it more leniently): a fraction of the memory a `serde_json::Value` tree takes.
    pub(crate) buyer: Box<str>,
    pub(crate) basket_summary: String,
}

impl Subscription {
    fn touch(&mut self) {
        self.updated = Utc::now();
    }

    /// The buyer opened the journey page.
    pub(crate) fn open_journey(&mut self) {
        if self.status == Status::Initialized {
            self.status = Status::Requested;
            self.touch();
        }
    }

    /// The journey ended with `outcome`.
    pub(crate) fn complete_journey(&mut self, outcome: JourneyOutcome) -> Result<Status, Refusal> {
        use Status::*;
        let next = match (self.status, outcome) {
            (Initialized | Requested, JourneyOutcome::Accepted) => Accepted,
            (Initialized | Requested, JourneyOutcome::PreAccepted) => PreAccepted,
            (Initialized | Requested, JourneyOutcome::Rejected) => Rejected,
            (Initialized | Requested, JourneyOutcome::Aborted) => Aborted,
            (PreAccepted, JourneyOutcome::Accepted) => Accepted,
            (PreAccepted, JourneyOutcome::Rejected) => Rejected,
            (current, _) => {
                return Err(refuse(format!(
                    "the journey cannot end as {} once the subscription is {current}",
                    outcome.segment()
                )))
            }
        };
        self.status = next;
        self.touch();
        Ok(next)
    }

    /// `_confirmDelivery`: recorded for long-term credit, accepted and ignored for split payment.
    pub(crate) fn confirm_delivery(&mut self, delivered: bool) -> Result<(), Refusal> {
        if !self.long_term {
            return Ok(());
        }
        if self.status != Status::Accepted {
            return Err(refuse(format!(
                "delivery can only be reported for an ACCEPTED subscription; this one is {}",
                self.status
            )));
        }
        self.delivered = delivered;
        self.touch();
        Ok(())
    }

    /// `_confirmReturn`: recorded for delivered long-term credit, ignored for split payment.
    pub(crate) fn confirm_return(&mut self, returned: bool) -> Result<(), Refusal> {
        if !self.long_term {
            return Ok(());
        }
        if self.status != Status::Accepted {
            return Err(refuse(format!(
                "a return can only be reported for an ACCEPTED subscription; this one is {}",
                self.status
            )));
        }
        if !self.delivered {
            return Err(refuse(
                "report the delivery (_confirmDelivery) before reporting a return",
            ));
        }
        self.returned = returned;
        self.touch();
        Ok(())
    }

    /// `_cancel` of `amount` cents, or of everything still financed when `None`.
    pub(crate) fn cancel(&mut self, amount: Option<i64>) -> Result<Cancelled, Refusal> {
        if self.status != Status::Accepted {
            return Err(refuse(format!(
                "only an ACCEPTED subscription can be cancelled; this one is {}",
                self.status
            )));
        }
        if self.long_term && self.delivered && !self.returned {
            return Err(refuse(
                "the goods were reported delivered: report their return (_confirmReturn) before cancelling",
            ));
        }
        let amount = amount.unwrap_or(self.financed);
        if amount > self.financed {
            return Err(refuse(format!(
                "cancelledAmount {:.2} is above the amount still financed, {:.2}",
                amount as f64 / 100.0,
                self.financed as f64 / 100.0
            )));
        }
        let full = amount == self.financed;
        if !full && self.partially_cancelled {
            return Err(refuse(
                "a partial cancellation was already made; only the rest can be cancelled now",
            ));
        }
        self.financed -= amount;
        self.cancellation = Some(if full {
            CancellationStatus::CancellationAccepted
        } else {
            CancellationStatus::PartialCancellationAccepted
        });
        if full {
            self.status = Status::Cancelled;
        } else {
            self.partially_cancelled = true;
        }
        self.touch();
        Ok(Cancelled {
            remaining: self.financed,
            full,
        })
    }

    /// Whether a full or partial cancellation went through.
    pub(crate) fn cancellation_already_made(&self) -> bool {
        self.cancellation.is_some()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn buyer() -> serde_json::Value {
        let contact = serde_json::json!({
            "firstName": "Claire", "lastName": "Martin", "commonTitle": "MRS",
            "email": "claire@example.fr", "mobilePhoneNumber": "+33612345678"
        });
        let address = serde_json::json!({
            "locationType": "MAIN_ADDRESS", "streetName": "rue Neuve", "zipCode": "69002",
            "cityName": "Lyon", "regionName": "Rhône", "countryCode": "FR"
        });
        serde_json::json!({
            "contact": contact, "billingContact": contact, "deliveryContact": contact,
            "contactAddress": address, "billingAddress": address, "deliveryAddress": address
        })
    }

    pub(crate) fn subscription(long_term: bool) -> Subscription {
        Subscription {
            id: Uuid::nil(),
            tenant: Tenant {
                client_id: "c".into(),
                merchant: None,
            },
            journey: "j".into(),
            registered: Utc::now(),
            updated: Utc::now(),
            solution_code: "SCFRLT-TXNO".into(),
            market: "FR".into(),
            implementation_code: None,
            long_term,
            merchant_basket_id: "b".into(),
            merchant_global_order_id: "o".into(),
            merchant_buyer_id: "u".into(),
            confirmation_url: "https://shop.test/back".into(),
            financed: 150_000,
            status: Status::Initialized,
            cancellation: None,
            partially_cancelled: false,
            delivered: false,
            returned: false,
            buyer: buyer().to_string().into_boxed_str(),
            basket_summary: "x".into(),
        }
    }

    #[test]
    fn journey_outcomes() {
        let mut s = subscription(false);
        s.open_journey();
        assert_eq!(s.status, Status::Requested);
        assert_eq!(
            s.complete_journey(JourneyOutcome::PreAccepted),
            Ok(Status::PreAccepted)
        );
        assert!(s.complete_journey(JourneyOutcome::Aborted).is_err());
        assert_eq!(
            s.complete_journey(JourneyOutcome::Accepted),
            Ok(Status::Accepted)
        );
        assert!(s.complete_journey(JourneyOutcome::Rejected).is_err());
        for segment in ["accept", "pre-accept", "reject", "abort"] {
            let outcome = JourneyOutcome::from_segment(segment).expect("known");
            assert_eq!(outcome.segment(), segment);
        }
        assert_eq!(JourneyOutcome::from_segment("approve"), None);
    }

    #[test]
    fn split_payment_ignores_delivery_and_return() {
        let mut s = subscription(false);
        assert_eq!(s.confirm_delivery(true), Ok(()));
        assert_eq!(s.confirm_return(true), Ok(()));
        assert!(!s.delivered && !s.returned);
    }

    #[test]
    fn delivered_credit_needs_its_return_before_cancelling() {
        let mut s = subscription(true);
        assert!(s.confirm_delivery(true).is_err(), "not accepted yet");
        s.complete_journey(JourneyOutcome::Accepted)
            .expect("accepts");
        assert!(s.confirm_return(true).is_err(), "not delivered yet");
        s.confirm_delivery(true).expect("delivery");
        assert!(s.cancel(Some(10_000)).is_err());
        s.confirm_return(true).expect("return");
        let partial = s.cancel(Some(10_000)).expect("partial");
        assert_eq!(
            partial,
            Cancelled {
                remaining: 140_000,
                full: false
            }
        );
        assert_eq!(s.status, Status::Accepted);
        assert!(s.cancel(Some(10_000)).is_err(), "second partial");
        assert!(s.cancel(Some(140_001)).is_err(), "above the rest");
        let full = s.cancel(None).expect("the rest");
        assert_eq!(
            full,
            Cancelled {
                remaining: 0,
                full: true
            }
        );
        assert_eq!(s.status, Status::Cancelled);
        assert_eq!(
            s.cancellation,
            Some(CancellationStatus::CancellationAccepted)
        );
        assert!(s.cancel(None).is_err());
    }

    #[test]
    fn undelivered_credit_cancels_directly() {
        let mut s = subscription(true);
        s.complete_journey(JourneyOutcome::Accepted)
            .expect("accepts");
        assert!(s.cancel(Some(150_000)).expect("full").full);
    }
}
