//! Versions before 1.6.6 allow one buyer (`maxItems: 1`).

use super::calls::{initiate, initiate_example};
use crate::support::{assert_invalid_request, Gateway};

#[tokio::test]
// `bounded_request_arrays` makes the generated type check the spec's maxItems.
async fn initiate_refuses_a_second_buyer_before_sending() {
    let gateway = Gateway::expecting_nothing();
    let mut body = initiate_example();
    let buyer = body["buyers"][0].clone();
    body["buyers"].as_array_mut().expect("buyers").push(buyer);

    let result = initiate(&gateway, body).await;

    assert_invalid_request(
        result,
        &[
            "InitiateCreditSubscriptionRequest",
            "2 items where the spec allows 0 to 1",
        ],
    );
    gateway.assert_nothing_received();
}
