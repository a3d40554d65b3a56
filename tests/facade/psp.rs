//! PSP mode: one API key, one token, many merchants, each call naming its merchant.

use crate::*;
use httpmock::prelude::*;
use scalexpert::{Error, MERCHANT_HEADER};

#[tokio::test]
async fn the_merchant_header_is_on_the_views_calls_only() {
    let server = MockServer::start_async().await;
    let token = token_mock(&server, 900);
    let for_merchant = server.mock(|when, then| {
        when.method(GET)
            .path(ELIGIBLE_PATH)
            .header(MERCHANT_HEADER.as_str(), "SHOP-0042");
        then.status(200)
            .json_body(serde_json::json!({ "solutions": [] }));
    });
    let plain = server.mock(|when, then| {
        when.method(GET)
            .path(ELIGIBLE_PATH)
            .header_missing(MERCHANT_HEADER.as_str());
        then.status(200)
            .json_body(serde_json::json!({ "solutions": [] }));
    });

    let psp = client(&server);
    let shop = psp.for_merchant("SHOP-0042").expect("valid reference");
    eligible(&shop).await.expect("merchant call");
    eligible(&psp).await.expect("plain call");
    eligible(&shop).await.expect("merchant call again");

    for_merchant.assert_calls(2);
    plain.assert_calls(1);
    token.assert_calls(1);
}

#[tokio::test]
async fn a_client_level_merchant_is_sent_on_every_call() {
    let server = MockServer::start_async().await;
    token_mock(&server, 900);
    let api = server.mock(|when, then| {
        when.method(GET)
            .path(ELIGIBLE_PATH)
            .header(MERCHANT_HEADER.as_str(), "SHOP-7");
        then.status(200)
            .json_body(serde_json::json!({ "solutions": [] }));
    });
    let client = builder(&server).merchant("SHOP-7").build().expect("valid");
    eligible(&client).await.expect("call succeeds");
    api.assert_calls(1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_thousand_merchant_views_share_one_token() {
    let server = MockServer::start_async().await;
    let token = token_mock(&server, 900);
    let api = server.mock(|when, then| {
        when.method(GET)
            .path(ELIGIBLE_PATH)
            .header_exists(MERCHANT_HEADER.as_str());
        then.status(200)
            .json_body(serde_json::json!({ "solutions": [] }));
    });
    let psp = client(&server);
    let views: Vec<Client> = (0..10_000)
        .map(|i| {
            psp.for_merchant(&format!("MERCHANT-{i:05}"))
                .expect("valid")
        })
        .collect();

    // Every view calls once, 50 at a time.
    for batch in views.chunks(50) {
        let calls: Vec<_> = batch
            .iter()
            .cloned()
            .map(|view| tokio::spawn(async move { eligible(&view).await }))
            .collect();
        for call in calls {
            call.await.expect("task").expect("call succeeds");
        }
    }

    token.assert_calls(1);
    api.assert_calls(10_000);
}

#[test]
fn a_merchant_reference_that_is_no_header_value_is_refused() {
    let server = MockServer::start();
    let psp = client(&server);
    for bad in ["", "   ", "line\nbreak", "tab\there", "accentué"] {
        match psp.for_merchant(bad) {
            Err(Error::InvalidRequest(message)) => {
                assert!(message.contains("merchant reference"), "{message}")
            }
            other => panic!("{bad:?} accepted: {other:?}"),
        }
    }
    assert!(matches!(
        builder(&server).merchant("bad\r\nX-Injected: 1").build(),
        Err(Error::InvalidRequest(_) | Error::Configuration(_))
    ));
}
