//! `doConfirmDelivery`'s tracking number holds 1 to 100 characters in every version but 1.7.0
//! (which dropped the lower bound; 1.7.1 restored it).

use super::{api, spec, types};
use crate::support::{assert_invalid_request, with, Gateway, JsonBody, SUBSCRIPTION_ID};

#[tokio::test]
async fn confirm_delivery_refuses_tracking_numbers_outside_1_to_100_chars_before_sending() {
    use types::ConfirmDeliveryRequestTrackingNumber as TrackingNumber;
    // The typed value cannot even be built...
    assert!(TrackingNumber::try_from("6".repeat(101)).is_err());
    assert!(TrackingNumber::try_from("").is_err());
    assert!(TrackingNumber::try_from("6".repeat(100)).is_ok());

    // ...and a body carrying one is refused inside `send()`.
    let gateway = Gateway::expecting_nothing();
    let example = spec().request_example("doConfirmDelivery");
    for (tracking, complaint) in [
        ("6".repeat(101), "longer than 100"),
        (String::new(), "shorter than 1"),
    ] {
        let result = api(&gateway)
            .do_confirm_delivery()
            .credit_subscription_id(SUBSCRIPTION_ID)
            .body(JsonBody(with(example.clone(), "/trackingNumber", tracking)))
            .send()
            .await;
        assert_invalid_request(result, &["ConfirmDeliveryRequest", complaint]);
    }
    gateway.assert_nothing_received();
}
