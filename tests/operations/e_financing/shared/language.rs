//! `initiateCreditSubscription` requires `language` from 1.5.2 on.

use super::{api, spec};
use crate::support::{assert_invalid_request, Gateway, JsonBody};

#[tokio::test]
async fn initiate_refuses_a_missing_language_before_sending() {
    let gateway = Gateway::expecting_nothing();

    let result = api(&gateway)
        .initiate_credit_subscription()
        .body(JsonBody(
            spec().request_example("initiateCreditSubscription"),
        ))
        .send()
        .await;

    assert_invalid_request(result, &["language"]);
    gateway.assert_nothing_received();
}
