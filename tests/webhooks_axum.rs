//! The axum route, through real HTTP on loopback: statuses and bodies for accepted,
//! duplicate, concurrent, failed and rejected deliveries.
#![cfg(feature = "webhooks-axum")]

use axum::Router;
use chrono::Utc;
use scalexpert::webhooks::{axum::route, Event, Receiver, ReceiverSecrets};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, Notify};

const BODY: &str = r#"{"timestamp":"2024-03-18T14:27:45.612Z","id":"3e8b5f21-7c0d-4a96-b1e4-9f62d0a8c573","correlationId":"6a2d9c47-1f85-4e3b-a0d7-c5b8e2f19046","eventTypeCode":"SC_SUBSCRIPTION","eventCode":"SC_SUBSCRIPTION_ACCEPTED","data":{"eventTypeCode":"SC_SUBSCRIPTION","eventCode":"SC_SUBSCRIPTION_ACCEPTED","merchantGlobalOrderId":"CMD-2024-009347","financedAmount":1249.9,"consolidatedStatus":"ACCEPTED"}}"#;

fn secrets() -> ReceiverSecrets {
    ReceiverSecrets::api_key("sx-live-api-key-7f31c2").with_signature_key("sig-key")
}

/// Serves `app` on a loopback port; returns the URL of `/hooks`.
async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{address}/hooks")
}

/// Posts `body` as Scalexpert would for `secrets` (and `merchant`); returns status and body.
async fn post(
    url: &str,
    secrets: &ReceiverSecrets,
    merchant: Option<&str>,
    body: &str,
) -> (u16, String) {
    let headers = secrets
        .delivery_headers(merchant, body.as_bytes(), Utc::now())
        .unwrap();
    let response = reqwest::Client::new()
        .post(url)
        .headers(headers)
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

#[tokio::test]
async fn a_new_event_is_handled_once_and_its_redelivery_acknowledged() {
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = seen.clone();
    let app = Router::new().route(
        "/hooks",
        route(Receiver::new(secrets()), move |event: Event| {
            let sink = sink.clone();
            async move {
                let order = event
                    .merchant_global_order_id()
                    .unwrap_or_default()
                    .to_string();
                sink.lock().unwrap().push(order);
                Ok::<_, std::convert::Infallible>(())
            }
        }),
    );
    let url = serve(app).await;

    assert_eq!(
        post(&url, &secrets(), None, BODY).await,
        (200, String::new())
    );
    assert_eq!(
        post(&url, &secrets(), None, BODY).await,
        (200, String::new())
    );
    assert_eq!(*seen.lock().unwrap(), vec!["CMD-2024-009347".to_string()]);
}

#[tokio::test]
async fn rejections_are_4xx_with_an_empty_body_and_never_reach_the_handler() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let app = Router::new().route(
        "/hooks",
        route(Receiver::new(secrets()), move |_event: Event| {
            counter.fetch_add(1, Ordering::SeqCst);
            async { Ok::<_, std::convert::Infallible>(()) }
        }),
    );
    let url = serve(app).await;

    let wrong_key = ReceiverSecrets::api_key("sx-live-api-key-7f31c2").with_signature_key("other");
    assert_eq!(
        post(&url, &wrong_key, None, BODY).await,
        (401, String::new())
    );
    let wrong_secret = ReceiverSecrets::api_key("guess").with_signature_key("sig-key");
    assert_eq!(
        post(&url, &wrong_secret, None, BODY).await,
        (401, String::new())
    );
    let unsigned = ReceiverSecrets::api_key("sx-live-api-key-7f31c2");
    assert_eq!(
        post(&url, &unsigned, None, BODY).await,
        (401, String::new())
    );
    assert_eq!(
        post(&url, &secrets(), None, "{}").await,
        (400, String::new())
    );
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_failing_handler_answers_500_and_the_redelivery_is_handled_again() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let app = Router::new().route(
        "/hooks",
        route(Receiver::new(secrets()), move |_event: Event| {
            let attempt = counter.fetch_add(1, Ordering::SeqCst);
            async move {
                if attempt == 0 {
                    Err("database unavailable")
                } else {
                    Ok(())
                }
            }
        }),
    );
    let url = serve(app).await;

    assert_eq!(post(&url, &secrets(), None, BODY).await.0, 500);
    assert_eq!(
        post(&url, &secrets(), None, BODY).await,
        (200, String::new())
    );
    assert_eq!(
        post(&url, &secrets(), None, BODY).await,
        (200, String::new())
    );
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_redelivery_while_the_first_is_being_handled_gets_409() {
    let (started_tx, mut started) = mpsc::unbounded_channel::<()>();
    let release = Arc::new(Notify::new());
    let gate = release.clone();
    let app = Router::new().route(
        "/hooks",
        route(Receiver::new(secrets()), move |_event: Event| {
            let started_tx = started_tx.clone();
            let gate = gate.clone();
            async move {
                started_tx.send(()).unwrap();
                gate.notified().await;
                Ok::<_, std::convert::Infallible>(())
            }
        }),
    );
    let url = serve(app).await;

    let first = tokio::spawn({
        let url = url.clone();
        async move { post(&url, &secrets(), None, BODY).await }
    });
    started.recv().await.unwrap();
    assert_eq!(post(&url, &secrets(), None, BODY).await.0, 409);
    release.notify_one();
    assert_eq!(first.await.unwrap(), (200, String::new()));
    assert_eq!(
        post(&url, &secrets(), None, BODY).await,
        (200, String::new())
    );
}

#[tokio::test]
async fn a_psp_endpoint_dispatches_by_merchant() {
    let shops = HashMap::from([
        (
            "SHOP-1".to_string(),
            ReceiverSecrets::secret_header("one").with_signature_key("k1"),
        ),
        (
            "SHOP-2".to_string(),
            ReceiverSecrets::secret_header("two").with_signature_key("k2"),
        ),
    ]);
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = seen.clone();
    let app = Router::new().route(
        "/hooks",
        route(Receiver::new(shops.clone()), move |event: Event| {
            sink.lock()
                .unwrap()
                .push(event.merchant.clone().unwrap_or_default());
            async { Ok::<_, std::convert::Infallible>(()) }
        }),
    );
    let url = serve(app).await;

    let other = BODY.replace("3e8b5f21", "4e8b5f21");
    assert_eq!(
        post(&url, &shops["SHOP-1"], Some("SHOP-1"), BODY).await.0,
        200
    );
    assert_eq!(
        post(&url, &shops["SHOP-2"], Some("SHOP-2"), &other).await.0,
        200
    );
    // SHOP-1's secrets presented for SHOP-2, and an unknown shop.
    let replay = BODY.replace("3e8b5f21", "5e8b5f21");
    assert_eq!(
        post(&url, &shops["SHOP-1"], Some("SHOP-2"), &replay)
            .await
            .0,
        401
    );
    assert_eq!(
        post(&url, &shops["SHOP-1"], Some("SHOP-3"), &replay)
            .await
            .0,
        401
    );
    assert_eq!(
        *seen.lock().unwrap(),
        vec!["SHOP-1".to_string(), "SHOP-2".to_string()]
    );
}
