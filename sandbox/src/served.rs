//! The API versions the sandbox serves, and every fact it takes from them rather than
//! restating: the generated types answers are built from, the spec text requests are validated
//! against, the operation table routes and fault targets come from, the OAuth2 scope tokens
//! carry, and the paths a client pointed at the sandbox calls.
//!
//! Three APIs are served: e-financing (the sandbox's first API: [`API`], [`OPERATIONS`]),
//! insurance ([`INSURANCE_API`], [`INSURANCE_OPERATIONS`]) and merchant-webhooks (the
//! merchant's own webhook configuration, [`MERCHANT_WEBHOOKS`]). Serving another version starts
//! here. Each API's operations are routed from its table, and one without a handler stops the
//! sandbox from starting (see `server::api_routes`), so a version cannot be half-served.

use scalexpert::e_financing::v1_7_1 as e_financing;
use scalexpert::environment::SpecUrls;
use scalexpert::insurance::v1_7_1 as insurance;
use scalexpert::merchant_webhooks::v1_0_6 as merchant_webhooks;
use scalexpert::{ApiVersion, Environment, Operation};
use std::borrow::Cow;
use std::sync::LazyLock;

pub(crate) use e_financing::types;
pub(crate) use insurance::types as insurance_types;
pub(crate) use merchant_webhooks::types as merchant_webhooks_types;

/// The e-financing version the sandbox serves.
pub const API: ApiVersion = e_financing::API;

/// Every operation of the served e-financing version, in spec order: what the sandbox routes,
/// and what faults can target by [`Operation::id`] (besides [`TOKEN`](crate::TOKEN)).
pub static OPERATIONS: &[Operation] = e_financing::OPERATIONS;

/// The insurance version the sandbox serves.
pub const INSURANCE_API: ApiVersion = insurance::API;

/// Every operation of the served insurance version, in spec order. Faults target them as
/// `insurance:` followed by the [`Operation::id`] (`insurance:createInsuranceQuotation`): both
/// APIs have a `getEligibleProductServices`.
pub static INSURANCE_OPERATIONS: &[Operation] = insurance::OPERATIONS;

/// One served API version: the facts the router, the validator, the token endpoint and the
/// fault queues read.
///
/// Its operations are told apart by identity (both APIs have a `getEligibleProductServices`
/// on the same method and path), so its table is the one of the statics above: every
/// reference into it points into one allocation, which a `const` does not promise.
pub(crate) struct Served {
    pub(crate) api: ApiVersion,
    pub(crate) operations: &'static [Operation],
    /// The spec text (its UATC file), validated against at start-up.
    pub(crate) spec: &'static str,
    /// The OAuth2 scope(s) the spec declares, space-separated.
    pub(crate) scope: &'static str,
    uatc: SpecUrls,
    production: SpecUrls,
    /// What fault target names of its operations start with (empty: the bare operationId).
    fault_prefix: &'static str,
}

/// e-financing, whose fault targets are bare operationIds, as before insurance was served.
pub(crate) static E_FINANCING: Served = Served {
    api: e_financing::API,
    operations: OPERATIONS,
    spec: e_financing::SPEC,
    scope: e_financing::SCOPE,
    uatc: e_financing::UATC_URLS,
    production: e_financing::PRODUCTION_URLS,
    fault_prefix: "",
};

/// Insurance, whose fault targets are `insurance:<operationId>`.
pub(crate) static INSURANCE: Served = Served {
    api: insurance::API,
    operations: INSURANCE_OPERATIONS,
    spec: insurance::SPEC,
    scope: insurance::SCOPE,
    uatc: insurance::UATC_URLS,
    production: insurance::PRODUCTION_URLS,
    fault_prefix: "insurance:",
};

/// Every operation of the served merchant-webhooks version, in spec order (a static: see
/// [`Served`]).
static MERCHANT_WEBHOOKS_OPERATIONS: &[Operation] = merchant_webhooks::OPERATIONS;

/// Merchant-webhooks, whose fault targets are `merchant-webhooks:<operationId>`.
pub(crate) static MERCHANT_WEBHOOKS: Served = Served {
    api: merchant_webhooks::API,
    operations: MERCHANT_WEBHOOKS_OPERATIONS,
    spec: merchant_webhooks::SPEC,
    scope: merchant_webhooks::SCOPE,
    uatc: merchant_webhooks::UATC_URLS,
    production: merchant_webhooks::PRODUCTION_URLS,
    fault_prefix: "merchant-webhooks:",
};

/// Every served API, in the order fault targets and scopes are listed.
pub(crate) static ALL: [&Served; 3] = [&E_FINANCING, &INSURANCE, &MERCHANT_WEBHOOKS];

impl Served {
    /// Where the API hangs below the sandbox's root (`/e-financing/api/v1`): the path the
    /// facade appends to a custom root, so a client built with [`Environment::Custom`] for the
    /// sandbox calls exactly the routes served.
    pub(crate) fn api_prefix(&self) -> String {
        // An empty root leaves only the path the facade adds to any root.
        Environment::Custom(String::new()).api_base_url(&self.uatc, &self.production)
    }

    /// Whether `operation` is an entry of this API's table (by identity: both APIs have an
    /// operation with the same id, method and path). Operations taken from [`OPERATIONS`],
    /// [`INSURANCE_OPERATIONS`] or a [`Served`] are.
    fn serves(&self, operation: &Operation) -> bool {
        self.operations.iter().any(|o| std::ptr::eq(o, operation))
    }
}

/// The served API an operation of one of the tables belongs to (e-financing for any other).
pub(crate) fn of(operation: &Operation) -> &'static Served {
    ALL.into_iter()
        .find(|served| served.serves(operation))
        .unwrap_or(&E_FINANCING)
}

/// Where the e-financing API hangs below the sandbox's root.
pub(crate) fn api_prefix() -> String {
    E_FINANCING.api_prefix()
}

/// Where the token endpoint hangs below the sandbox's root, as the facade asks for tokens.
pub(crate) fn token_path() -> String {
    Environment::Custom(String::new()).token_url()
}

/// Every scope of every served API, space-separated: all the token endpoint grants.
pub(crate) static SCOPE: LazyLock<String> = LazyLock::new(|| {
    let scopes: Vec<&str> = ALL
        .iter()
        .flat_map(|served| served.scope.split_whitespace())
        .collect();
    scopes.join(" ")
});

/// Every operation with the name faults know it by, e-financing's first, each in spec order.
static FAULT_NAMES: LazyLock<Vec<(&'static Operation, Cow<'static, str>)>> = LazyLock::new(|| {
    ALL.iter()
        .flat_map(|served| {
            served.operations.iter().map(move |operation| {
                let name = if served.fault_prefix.is_empty() {
                    Cow::Borrowed(operation.id)
                } else {
                    Cow::Owned(format!("{}{}", served.fault_prefix, operation.id))
                };
                (operation, name)
            })
        })
        .collect()
});

/// The fault target name of an operation of one of the tables.
pub(crate) fn fault_target(operation: &Operation) -> &'static str {
    FAULT_NAMES
        .iter()
        .find(|(known, _)| std::ptr::eq(*known, operation))
        .map_or(operation.id, |(_, name)| name.as_ref())
}

/// Every operation's fault target name, e-financing's first, each API in spec order.
pub(crate) fn fault_targets() -> impl Iterator<Item = &'static str> {
    FAULT_NAMES.iter().map(|(_, name)| name.as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_the_ones_the_facade_calls() {
        assert_eq!(api_prefix(), "/e-financing/api/v1");
        assert_eq!(INSURANCE.api_prefix(), "/insurance/api/v1");
        assert_eq!(token_path(), "/auth-server/api/v1/oauth2/token");
        assert_eq!((API.api, API.version), ("e-financing", "1.7.1"));
        assert_eq!(
            (INSURANCE_API.api, INSURANCE_API.version),
            ("insurance", "1.7.1")
        );
        assert_eq!(MERCHANT_WEBHOOKS.api_prefix(), "/merchant-webhooks/api/v1");
        assert_eq!(
            SCOPE.as_str(),
            "e-financing:rw insurance:rw common-services:rw"
        );
    }

    #[test]
    fn operations_with_the_same_id_belong_to_their_own_api() {
        let ours = Operation::by_id(OPERATIONS, "getEligibleProductServices").expect("listed");
        let theirs =
            Operation::by_id(INSURANCE_OPERATIONS, "getEligibleProductServices").expect("listed");
        assert_eq!((ours.method, ours.path), (theirs.method, theirs.path));
        assert_eq!(of(ours).api, API);
        assert_eq!(of(theirs).api, INSURANCE_API);
        assert_eq!(fault_target(ours), "getEligibleProductServices");
        assert_eq!(fault_target(theirs), "insurance:getEligibleProductServices");
        let names: Vec<&str> = fault_targets().collect();
        assert_eq!(
            names.len(),
            OPERATIONS.len() + INSURANCE_OPERATIONS.len() + MERCHANT_WEBHOOKS.operations.len()
        );
        let mut unique = names.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "every target has its own name");
    }
}
