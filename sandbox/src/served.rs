//! The API version the sandbox serves, and every fact it takes from it rather than restating:
//! the generated types answers are built from, the spec text requests are validated against,
//! the operation table routes and fault targets come from, the OAuth2 scope tokens carry, and
//! the paths a client pointed at the sandbox calls.
//!
//! Serving another version starts here. Its operations are routed from its table, and one
//! without a handler stops the sandbox from starting (see `server::router`), so a version
//! cannot be half-served.

use scalexpert::e_financing::v1_6_6 as version;
use scalexpert::{ApiVersion, Environment, Operation};

pub(crate) use version::types;

/// The API version the sandbox serves.
pub const API: ApiVersion = version::API;

/// Every operation of the served version, in spec order: what the sandbox routes, and what
/// faults can target by [`Operation::id`] (besides [`TOKEN`](crate::TOKEN)).
pub const OPERATIONS: &[Operation] = version::OPERATIONS;

/// The spec text of the served version (its UATC file), validated against at start-up.
pub(crate) const SPEC: &str = version::SPEC;

/// The OAuth2 scope(s) the spec declares, space-separated: all the token endpoint grants.
pub(crate) const SCOPE: &str = version::SCOPE;

/// Where the served API hangs below the sandbox's root (`/e-financing/api/v1`): the path the
/// facade appends to a custom root, so a client built with [`Environment::Custom`] for the
/// sandbox calls exactly the routes served.
pub(crate) fn api_prefix() -> String {
    // An empty root leaves only the path the facade adds to any root.
    Environment::Custom(String::new()).api_base_url(&version::UATC_URLS, &version::PRODUCTION_URLS)
}

/// Where the token endpoint hangs below the sandbox's root, as the facade asks for tokens.
pub(crate) fn token_path() -> String {
    Environment::Custom(String::new()).token_url()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_the_ones_the_facade_calls() {
        assert_eq!(api_prefix(), "/e-financing/api/v1");
        assert_eq!(token_path(), "/auth-server/api/v1/oauth2/token");
        assert_eq!((API.api, API.version), ("e-financing", "1.6.6"));
    }
}
