//! The life of an insurance subscription, as the insurance documentation draws it:
//!
//! ```text
//! INITIALIZED ──▶ SUBSCRIBED ──▶ ACTIVATED ──▶ TERMINATED
//!      │              └────────▶ CANCELLED
//!      ├────────▶ REJECTED
//!      └────────▶ ABORTED (technical incident)
//! ```
//!
//! The sandbox subscribes a policy at once (INITIALIZED then SUBSCRIBED, or REJECTED when the
//! buyer lives outside the solution's market); `_cancel` cancels a SUBSCRIBED one; activation,
//! termination and aborts happen when a test asks for them
//! ([`Sandbox::set_insurance_status`](crate::Sandbox::set_insurance_status)).

use std::fmt;

/// `consolidatedStatus` of an insurance subscription, as the spec lists it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum InsuranceStatus {
    /// Opened with the insurer.
    Initialized,
    /// Accepted by the insurer.
    Subscribed,
    /// The cover runs (for a warranty extension: the manufacturer's warranty has ended).
    Activated,
    /// The cover is over.
    Terminated,
    /// Refused by the insurer.
    Rejected,
    /// Stopped by a technical incident.
    Aborted,
    /// Cancelled after subscription.
    Cancelled,
}

impl InsuranceStatus {
    /// Every status, in the spec's order.
    pub const ALL: [InsuranceStatus; 7] = [
        InsuranceStatus::Initialized,
        InsuranceStatus::Subscribed,
        InsuranceStatus::Activated,
        InsuranceStatus::Cancelled,
        InsuranceStatus::Terminated,
        InsuranceStatus::Aborted,
        InsuranceStatus::Rejected,
    ];

    /// The value on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            InsuranceStatus::Initialized => "INITIALIZED",
            InsuranceStatus::Subscribed => "SUBSCRIBED",
            InsuranceStatus::Activated => "ACTIVATED",
            InsuranceStatus::Terminated => "TERMINATED",
            InsuranceStatus::Rejected => "REJECTED",
            InsuranceStatus::Aborted => "ABORTED",
            InsuranceStatus::Cancelled => "CANCELLED",
        }
    }

    /// Reads a wire value back.
    pub fn from_wire(value: &str) -> Option<InsuranceStatus> {
        InsuranceStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == value)
    }

    /// Whether the life cycle goes from this status to `next` in one step.
    pub fn can_become(self, next: InsuranceStatus) -> bool {
        use InsuranceStatus::*;
        matches!(
            (self, next),
            (Initialized, Subscribed | Rejected | Aborted)
                | (Subscribed, Activated | Cancelled)
                | (Activated, Terminated)
        )
    }
}

impl fmt::Display for InsuranceStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::InsuranceStatus::*;
    use super::*;

    #[test]
    fn the_documented_transitions_and_no_other() {
        let allowed = [
            (Initialized, Subscribed),
            (Initialized, Rejected),
            (Initialized, Aborted),
            (Subscribed, Activated),
            (Subscribed, Cancelled),
            (Activated, Terminated),
        ];
        for from in InsuranceStatus::ALL {
            for to in InsuranceStatus::ALL {
                assert_eq!(
                    from.can_become(to),
                    allowed.contains(&(from, to)),
                    "{from} -> {to}"
                );
            }
        }
        for status in InsuranceStatus::ALL {
            assert_eq!(InsuranceStatus::from_wire(status.as_str()), Some(status));
        }
        assert_eq!(InsuranceStatus::from_wire("subscribed"), None);
    }
}
