//! The insurance API (warranty extension, broken-screen cover), served beside e-financing with
//! the same tokens, tenancy and error shapes: eligibility by buyer's country, catalogue items
//! registered once per tenant, offers priced from the item by [`InsuranceRules`], quotations
//! that expire, subscriptions that follow the documented life cycle, and `CI_SUBSCRIPTION`
//! webhook events.
//!
//! Routes come from `scalexpert::insurance::v1_7_1::OPERATIONS` (see [`routes`]), request
//! checks from its `SPEC`, answers are its generated types.

mod events;
pub(crate) mod handlers;
mod lifecycle;
mod rules;
mod store;
mod wire;

pub use lifecycle::InsuranceStatus;
pub use rules::{CoverPrice, InsuranceOffer, InsuranceRules, InsuranceSolution, PriceBand};
pub use store::MAX_RECORDS as MAX_INSURANCE_RECORDS;

use std::sync::{Arc, RwLock};
use std::time::Duration;

/// How long a quotation can be subscribed, unless the builder or `--quote-lifetime` says
/// otherwise: 48 hours, as the spec's example quotation shows.
pub const DEFAULT_QUOTE_LIFETIME: Duration = Duration::from_secs(48 * 3600);

/// The insurance rules in force, the records, and how long quotations last.
pub(crate) struct Insurance {
    rules: RwLock<Arc<InsuranceRules>>,
    pub(crate) store: store::Store,
    pub(crate) quote_lifetime: Duration,
}

impl Insurance {
    pub(crate) fn new(rules: InsuranceRules, quote_lifetime: Duration) -> Insurance {
        Insurance {
            rules: RwLock::new(Arc::new(rules)),
            store: store::Store::default(),
            quote_lifetime,
        }
    }

    /// The rules in force.
    pub(crate) fn rules(&self) -> Arc<InsuranceRules> {
        Arc::clone(
            &self
                .rules
                .read()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        )
    }

    /// Replaces the rules; later calls use the new ones.
    pub(crate) fn set_rules(&self, rules: InsuranceRules) {
        *self
            .rules
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Arc::new(rules);
    }
}
