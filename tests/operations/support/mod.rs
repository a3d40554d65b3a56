//! What every operation test uses: a mock gateway and a facade client pointed at it, the spec
//! embedded in each generated module, request and JSON assertions, refusals, and amounts.

mod gateway;
mod json;
mod money;
mod refusal;
mod spec;

pub use gateway::Gateway;
pub use json::{assert_round_trips, timestamp, with, without};
pub use money::{amount, amount_of, rate_of, Amount};
pub use refusal::{assert_invalid_request, JsonBody};
pub use spec::{assert_request, operation_ids_of, Expected, Spec, E_FINANCING, INSURANCE};

/// The credit subscription id our e-financing spec examples use.
pub const SUBSCRIPTION_ID: &str = "73a91eda-b559-46d1-b2a3-2eb77b281077";
