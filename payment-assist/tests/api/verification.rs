//! Returns and webhooks: accepted when signed by the dealer's secret, refused when altered.

use crate::*;
use payment_assist::returns::verify_return;
use payment_assist::v1::types::{ReturnParametersStatus, WebhookEventEventName};
use payment_assist::webhook::verify_webhook;
use payment_assist::{OpenEnum, VerifyError};

const CONFIGURED: &str = "https://shop.example/pa/return?order=ORD-1001";
// printf '%s' 'STATUS=success&TOKEN=3f2b8c1e-7d4a-4e59-9b06-1c8e2f7a5d30&' | openssl dgst -sha256 -hmac demo_b7c2e91f4a6d3058
const RETURN_SIGNATURE: &str = "2aa467be160494ba8b3676f1051625951bc8fce27ae5b9edf76068ab5db32556";

fn returned(query: &str) -> String {
    format!("https://shop.example/pa/return?{query}")
}

fn genuine() -> String {
    returned(&format!(
        "order=ORD-1001&token={TOKEN}&status=success&signature={RETURN_SIGNATURE}"
    ))
}

#[test]
fn a_genuine_return_is_accepted_without_the_merchants_own_parameters() {
    let customer = verify_return(&credentials(), &genuine(), CONFIGURED).expect("genuine");
    assert_eq!(customer.token, token());
    assert_eq!(customer.status, ReturnParametersStatus::Success);
    // Path and query only, as a web framework hands them over; order does not matter.
    let relative = format!(
        "/pa/return?status=success&order=ORD-1001&signature={RETURN_SIGNATURE}&token={TOKEN}"
    );
    assert!(verify_return(&credentials(), &relative, CONFIGURED).is_ok());
}

#[test]
fn a_tampered_return_is_refused() {
    let forged_status = genuine().replace("status=success", "status=failed");
    assert_eq!(
        verify_return(&credentials(), &forged_status, CONFIGURED),
        Err(VerifyError::Mismatch)
    );
    let forged_token = genuine().replace("3f2b8c1e", "3f2b8c1f");
    assert_eq!(
        verify_return(&credentials(), &forged_token, CONFIGURED),
        Err(VerifyError::Mismatch)
    );
    let extra = format!("{}&amount=1", genuine());
    assert_eq!(
        verify_return(&credentials(), &extra, CONFIGURED),
        Err(VerifyError::Mismatch)
    );
    let unsigned = returned(&format!("order=ORD-1001&token={TOKEN}&status=success"));
    assert!(matches!(
        verify_return(&credentials(), &unsigned, CONFIGURED),
        Err(VerifyError::Unsigned(_))
    ));
    let twice = format!("{}&signature={RETURN_SIGNATURE}", genuine());
    assert!(matches!(
        verify_return(&credentials(), &twice, CONFIGURED),
        Err(VerifyError::Unsigned(_))
    ));
    let other_dealer = Credentials::new(API_KEY, "demo_another-dealer");
    assert_eq!(
        verify_return(&other_dealer, &genuine(), CONFIGURED),
        Err(VerifyError::Mismatch)
    );
}

#[test]
fn the_merchants_own_parameters_must_be_there_and_are_not_signed() {
    let moved = genuine().replace("order=ORD-1001", "order=ORD-9999");
    assert_eq!(
        verify_return(&credentials(), &moved, CONFIGURED),
        Err(VerifyError::OwnParameterMissing("order".into()))
    );
    // Verified against the wrong configured URL, the merchant's parameter counts as appended.
    assert_eq!(
        verify_return(&credentials(), &genuine(), "https://shop.example/pa/return"),
        Err(VerifyError::Mismatch)
    );
}

#[test]
fn a_failed_return_is_verified_as_failed() {
    // printf '%s' 'STATUS=failed&TOKEN=3f2b8c1e-7d4a-4e59-9b06-1c8e2f7a5d30&' | openssl dgst -sha256 -hmac demo_b7c2e91f4a6d3058
    let signature = "7dee8665b904934dbc645e7cae73faf01c4f03fff1ce2f432ed87217cb840ae1";
    let failed =
        format!("https://shop.example/pa/failed?token={TOKEN}&status=failed&signature={signature}");
    let customer =
        verify_return(&credentials(), &failed, "https://shop.example/pa/failed").expect("genuine");
    assert_eq!(customer.status, ReturnParametersStatus::Failed);
}

// printf '%s' 'EVENT_DATA={"token":"3f2b8c1e-7d4a-4e59-9b06-1c8e2f7a5d30"}&EVENT_NAME=application.completed&EVENT_TIME=2024-05-02 10:15:00 UTC&' | openssl dgst -sha256 -hmac demo_b7c2e91f4a6d3058
const WEBHOOK_SIGNATURE: &str = "c2242d0ae8494bf5ada32300ba9382a91d5acb58093ddb47e6f1b2992856a081";

fn webhook() -> String {
    format!(
        r#"{{"event_name":"application.completed","event_data":{{"token":"{TOKEN}"}},"event_time":"2024-05-02 10:15:00 UTC","signature":"{WEBHOOK_SIGNATURE}"}}"#
    )
}

#[test]
fn a_genuine_webhook_is_accepted_and_read() {
    let event = verify_webhook(&credentials(), webhook().as_bytes()).expect("genuine");
    assert_eq!(
        event.event_name,
        OpenEnum::Known(WebhookEventEventName::ApplicationCompleted)
    );
    assert_eq!(event.event_data.token, Some(token()));
    assert_eq!(event.event_time, "2024-05-02 10:15:00 UTC");
    // Member order does not matter: the signed text is sorted.
    let reordered = format!(
        r#"{{"signature":"{WEBHOOK_SIGNATURE}","event_time":"2024-05-02 10:15:00 UTC","event_data":{{"token":"{TOKEN}"}},"event_name":"application.completed"}}"#
    );
    assert!(verify_webhook(&credentials(), reordered.as_bytes()).is_ok());
}

#[test]
fn a_tampered_webhook_is_refused() {
    let cases = [
        webhook().replace("application.completed", "application.failed"),
        webhook().replace("3f2b8c1e", "3f2b8c1f"),
        webhook().replace("10:15:00", "10:15:01"),
        webhook().replace(r#""event_time""#, r#""amount":100,"event_time""#),
    ];
    for body in cases {
        assert!(
            matches!(
                verify_webhook(&credentials(), body.as_bytes()),
                Err(VerifyError::Mismatch)
            ),
            "{body}"
        );
    }
    let other_dealer = Credentials::new(API_KEY, "demo_another-dealer");
    assert!(matches!(
        verify_webhook(&other_dealer, webhook().as_bytes()),
        Err(VerifyError::Mismatch)
    ));
}

#[test]
fn malformed_webhooks_are_refused_before_reading() {
    let unsigned = webhook().replace(&format!(r#","signature":"{WEBHOOK_SIGNATURE}""#), "");
    assert!(matches!(
        verify_webhook(&credentials(), unsigned.as_bytes()),
        Err(VerifyError::Unsigned(_))
    ));
    let doubled = webhook().replace(
        r#""event_time""#,
        r#""event_name":"application.failed","event_time""#,
    );
    assert!(matches!(
        verify_webhook(&credentials(), doubled.as_bytes()),
        Err(VerifyError::Malformed(_))
    ));
    for body in ["", "[]", "not json", "{\"event_name\": }"] {
        assert!(matches!(
            verify_webhook(&credentials(), body.as_bytes()),
            Err(VerifyError::Malformed(_))
        ));
    }
}

#[test]
fn an_event_this_version_does_not_know_still_verifies() {
    // printf '%s' 'EVENT_DATA={"token":"3f2b8c1e-7d4a-4e59-9b06-1c8e2f7a5d30"}&EVENT_NAME=application.pending_capture&EVENT_TIME=2024-05-02 10:15:00 UTC&' | openssl dgst -sha256 -hmac demo_b7c2e91f4a6d3058
    let signature = "86b393d6ad0af3508d56e9c2a4f99265a7ecc0bfcc63408d7f01f9d4ee79559f";
    let body = webhook()
        .replace("application.completed", "application.pending_capture")
        .replace(WEBHOOK_SIGNATURE, signature);
    let event = verify_webhook(&credentials(), body.as_bytes()).expect("genuine");
    assert_eq!(
        event.event_name,
        OpenEnum::Unknown("application.pending_capture".into())
    );
}
