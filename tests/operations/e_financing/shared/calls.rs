//! Calls and bodies the shared tests of every version make.

use super::{api, initiate_call, spec, types};
use crate::support::{Gateway, JsonBody};

crate::json_bodies!(
    types::InitiateCreditSubscriptionRequest,
    types::SolutionSimulationRequest,
    types::ConfirmDeliveryRequest,
    types::CreditCancellationDto,
);

/// `initiateCreditSubscription` with the version's query and `body` as the JSON body.
pub(super) async fn initiate(
    gateway: &Gateway,
    body: serde_json::Value,
) -> Result<types::InitiateCreditSubscriptionResponse, scalexpert::Error> {
    let api = api(gateway);
    Ok(initiate_call(&api)
        .body(JsonBody(body))
        .send()
        .await?
        .into_inner())
}

/// Our spec's example body of `initiateCreditSubscription`.
pub(super) fn initiate_example() -> serde_json::Value {
    spec().request_example("initiateCreditSubscription")
}
