//! The sandbox delivers signed webhook events on every lifecycle change, and the crate's own
//! receiver (`scalexpert::webhooks::Receiver`) verifies and decodes them end to end.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use scalexpert::e_financing::v1_7_1::types::CreditCancellationDto;
use scalexpert::webhooks::{
    Delivery, Event, EventData, Receiver, ReceiverSecrets, Rejection, SecretsProvider,
};
use scalexpert::{Client, OpenEnum};
use scalexpert_sandbox::{sample_application, JourneyOutcome, Sandbox, WebhookRetry};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use uuid::Uuid;

pub(crate) const API_KEY: &str = "hook-api-key";
pub(crate) const SIGNING_KEY: &str = "hook-signing-key";

/// What the loopback receiver saw.
#[derive(Default)]
pub(crate) struct Seen {
    pub(crate) events: Vec<Event>,
    pub(crate) rejections: Vec<Rejection>,
    /// Deliveries still to answer 500, to make the sandbox retry.
    fail_next: usize,
    attempts: usize,
    /// Deliveries of events already handled.
    duplicates: usize,
}

pub(crate) struct Hook {
    receiver: Receiver,
    pub(crate) seen: Mutex<Seen>,
}

async fn handle(State(hook): State<Arc<Hook>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    {
        let mut seen = hook.seen.lock().unwrap();
        seen.attempts += 1;
        if seen.fail_next > 0 {
            seen.fail_next -= 1;
            return StatusCode::INTERNAL_SERVER_ERROR;
        }
    }
    // The receiver is asynchronous (its deduplicator may be shared over the network).
    match hook.receiver.receive(&headers, &body).await {
        Ok(Delivery::New { event, ticket }) => {
            hook.seen.lock().unwrap().events.push(event);
            ticket.complete().await.unwrap();
            StatusCode::OK
        }
        Ok(Delivery::Duplicate(_)) => {
            hook.seen.lock().unwrap().duplicates += 1;
            StatusCode::OK
        }
        Ok(Delivery::InProgress(_)) => StatusCode::CONFLICT,
        Err(rejection) => {
            let status = rejection.status();
            hook.seen.lock().unwrap().rejections.push(rejection);
            status
        }
    }
}

/// Serves `secrets` on a free loopback port; returns the hook URL and what it sees.
pub(crate) async fn receiver(secrets: impl SecretsProvider + 'static) -> (String, Arc<Hook>) {
    let hook = Arc::new(Hook {
        receiver: Receiver::new(secrets),
        seen: Mutex::new(Seen::default()),
    });
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(handle))
        .with_state(Arc::clone(&hook));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, hook)
}

/// Polls `done` every 20 ms for up to 10 s; deliveries are asynchronous.
pub(crate) async fn wait_for(hook: &Hook, done: impl Fn(&Seen) -> bool) {
    for _ in 0..500 {
        if done(&hook.seen.lock().unwrap()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let seen = hook.seen.lock().unwrap();
    panic!(
        "deliveries did not arrive: events {:?}, rejections {:?}",
        codes(&seen.events),
        seen.rejections
    );
}

fn codes(events: &[Event]) -> Vec<String> {
    events.iter().map(|e| e.event_code.to_string()).collect()
}

pub(crate) fn tiny_retry() -> WebhookRetry {
    WebhookRetry {
        retries: 2,
        delay: Duration::from_millis(10),
    }
}

async fn open(client: &Client, order: &str, amount: f64) -> Uuid {
    client
        .e_financing_v1_7_1()
        .initiate_credit_subscription()
        .language("fr-FR")
        .body(sample_application("SCFRLT-TXNO", order, amount).unwrap())
        .send()
        .await
        .unwrap()
        .into_inner()
        .id
}

async fn cancel(client: &Client, id: Uuid, amount: Option<f64>) {
    client
        .e_financing_v1_7_1()
        .cancel_credit_subscription()
        .credit_subscription_id(id)
        .body(CreditCancellationDto {
            cancelled_amount: amount
                .map(|a| scalexpert::Amount::try_from(a).expect("a test amount")),
            cancelled_item: None,
            cancellation_reason: Some("returned".into()),
            cancellation_contact: None,
        })
        .send()
        .await
        .unwrap();
}

/// `(eventCode, merchantGlobalOrderId, financedAmount, cancelledAmount, consolidatedStatus)`.
fn summary(event: &Event) -> (String, String, Option<f64>, Option<f64>, String) {
    let code = event.event_code.to_string();
    match &event.data {
        EventData::ScSubscription(d) => (
            code,
            d.merchant_global_order_id.clone().unwrap(),
            d.financed_amount.map(crate::float),
            None,
            d.consolidated_status.clone().unwrap(),
        ),
        EventData::ScCancelRequest(d) => (
            code,
            d.merchant_global_order_id.clone().unwrap(),
            d.financed_amount.map(crate::float),
            d.cancelled_amount.map(crate::float),
            d.consolidated_status.clone().unwrap(),
        ),
        other => panic!("unexpected event data {other:?}"),
    }
}

fn row(
    code: &str,
    order: &str,
    financed: f64,
    cancelled: Option<f64>,
    status: &str,
) -> (String, String, Option<f64>, Option<f64>, String) {
    (
        code.into(),
        order.into(),
        Some(financed),
        cancelled,
        status.into(),
    )
}

#[tokio::test]
async fn merchant_receives_every_change_signed_and_in_order() {
    let secrets = ReceiverSecrets::api_key(API_KEY).with_signature_key(SIGNING_KEY);
    let (url, hook) = receiver(secrets.clone()).await;
    let sandbox = Sandbox::builder()
        .webhook(None, &url, secrets)
        .webhook_retry(tiny_retry())
        .start()
        .await
        .unwrap();
    let client = sandbox.client().unwrap();

    let id = open(&client, "ORDER-HOOK-1", 1500.0).await;
    sandbox
        .complete_journey(id, JourneyOutcome::Accepted)
        .unwrap();
    cancel(&client, id, Some(200.0)).await;
    cancel(&client, id, None).await;

    wait_for(&hook, |seen| seen.events.len() >= 5).await;
    let seen = hook.seen.lock().unwrap();
    assert!(seen.rejections.is_empty(), "{:?}", seen.rejections);
    let rows: Vec<_> = seen.events.iter().map(summary).collect();
    assert_eq!(
        rows,
        vec![
            row(
                "SC_SUBSCRIPTION_INITIALIZED",
                "ORDER-HOOK-1",
                1500.0,
                None,
                "INITIALIZED"
            ),
            row(
                "SC_SUBSCRIPTION_ACCEPTED",
                "ORDER-HOOK-1",
                1500.0,
                None,
                "ACCEPTED"
            ),
            row(
                "SC_CANCEL_REQUEST_PARTIAL_CANCELLATION_ACCEPTED",
                "ORDER-HOOK-1",
                1300.0,
                Some(200.0),
                "ACCEPTED"
            ),
            row(
                "SC_CANCEL_REQUEST_CANCELLATION_ACCEPTED",
                "ORDER-HOOK-1",
                0.0,
                Some(1300.0),
                "CANCELLED"
            ),
            row(
                "SC_SUBSCRIPTION_CANCELLED",
                "ORDER-HOOK-1",
                0.0,
                None,
                "CANCELLED"
            ),
        ]
    );
    // Every code is one the crate knows, typed as such; the event type matches the data.
    for event in &seen.events {
        assert!(
            matches!(event.event_code, OpenEnum::Known(_)),
            "{}",
            event.event_code
        );
        assert_eq!(event.merchant, None);
    }
    if let EventData::ScCancelRequest(d) = &seen.events[2].data {
        assert_eq!(
            d.cancellation_status.as_ref().map(|s| s.to_string()),
            Some("PARTIAL_CANCELLATION_ACCEPTED".to_string())
        );
    } else {
        panic!("the third event is a cancellation");
    }
    // One subscription, one correlation id; each event its own id.
    let correlation = seen.events[0].correlation_id;
    assert!(correlation.is_some());
    assert!(seen.events.iter().all(|e| e.correlation_id == correlation));
    let mut ids: Vec<Uuid> = seen.events.iter().map(|e| e.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 5);
}

#[tokio::test]
async fn psp_tenant_deliveries_name_the_merchant() {
    // The PSP's receiver knows SHOP-A only, with Basic credentials and a signing key.
    let shop_a = ReceiverSecrets::basic_auth("psp-login", "psp-password")
        .with_secret("psp-secret")
        .with_signature_key(SIGNING_KEY);
    let mut by_merchant = HashMap::new();
    by_merchant.insert("SHOP-A".to_string(), shop_a.clone());
    let (url, hook) = receiver(by_merchant).await;
    let sandbox = Sandbox::builder()
        .webhook_retry(tiny_retry())
        .start()
        .await
        .unwrap();
    sandbox.set_webhook(Some("SHOP-A"), &url, shop_a).unwrap();
    let psp = sandbox.psp_client().unwrap();

    // SHOP-B has no endpoint: its events are not sent. Queued first, they would arrive first.
    let b = open(&psp.for_merchant("SHOP-B").unwrap(), "ORDER-B", 1100.0).await;
    sandbox
        .complete_journey(b, JourneyOutcome::Accepted)
        .unwrap();
    // The merchant's own credentials have no endpoint either.
    open(&sandbox.client().unwrap(), "ORDER-M", 1000.0).await;

    let a = open(&psp.for_merchant("SHOP-A").unwrap(), "ORDER-A", 1200.0).await;
    sandbox
        .complete_journey(a, JourneyOutcome::Rejected)
        .unwrap();

    wait_for(&hook, |seen| seen.events.len() >= 2).await;
    let seen = hook.seen.lock().unwrap();
    assert!(seen.rejections.is_empty(), "{:?}", seen.rejections);
    assert_eq!(
        codes(&seen.events),
        ["SC_SUBSCRIPTION_INITIALIZED", "SC_SUBSCRIPTION_REJECTED"]
    );
    for event in &seen.events {
        assert_eq!(event.merchant.as_deref(), Some("SHOP-A"));
        assert_eq!(event.merchant_global_order_id(), Some("ORDER-A"));
    }
}

#[tokio::test]
async fn a_failing_receiver_delays_no_other_tenant_s_deliveries() {
    let secrets = ReceiverSecrets::secret_header("shared").with_signature_key(SIGNING_KEY);
    let (down_url, down) = receiver(secrets.clone()).await;
    let (up_url, up) = receiver(secrets.clone()).await;
    // SHOP-DOWN answers 500 to everything, and the sandbox retries for 50 s.
    down.seen.lock().unwrap().fail_next = usize::MAX;
    let sandbox = Sandbox::builder()
        .webhook_retry(WebhookRetry {
            retries: 1000,
            delay: Duration::from_millis(50),
        })
        .start()
        .await
        .unwrap();
    sandbox
        .set_webhook(Some("SHOP-DOWN"), &down_url, secrets.clone())
        .unwrap();
    sandbox
        .set_webhook(Some("SHOP-UP"), &up_url, secrets)
        .unwrap();
    let psp = sandbox.psp_client().unwrap();
    // Queued first, SHOP-DOWN's event would hold SHOP-UP's back for the whole 50 s.
    open(
        &psp.for_merchant("SHOP-DOWN").unwrap(),
        "ORDER-DOWN",
        1100.0,
    )
    .await;
    open(&psp.for_merchant("SHOP-UP").unwrap(), "ORDER-UP", 1200.0).await;

    wait_for(&up, |seen| !seen.events.is_empty()).await;
    assert_eq!(
        codes(&up.seen.lock().unwrap().events),
        ["SC_SUBSCRIPTION_INITIALIZED"]
    );
    // SHOP-DOWN's event is still being retried, on its own.
    wait_for(&down, |seen| seen.attempts >= 3).await;
    assert!(down.seen.lock().unwrap().events.is_empty());
}

#[tokio::test]
async fn a_receiver_with_another_key_rejects_every_attempt() {
    let (url, hook) =
        receiver(ReceiverSecrets::api_key(API_KEY).with_signature_key("not-the-key")).await;
    let sandbox = Sandbox::builder()
        .webhook(
            None,
            &url,
            ReceiverSecrets::api_key(API_KEY).with_signature_key(SIGNING_KEY),
        )
        .webhook_retry(tiny_retry())
        .start()
        .await
        .unwrap();
    open(&sandbox.client().unwrap(), "ORDER-WRONG-KEY", 1500.0).await;

    // One attempt and two retries, each refused for its signature.
    wait_for(&hook, |seen| seen.rejections.len() >= 3).await;
    let seen = hook.seen.lock().unwrap();
    assert!(seen.events.is_empty());
    assert!(
        seen.rejections
            .iter()
            .all(|r| *r == Rejection::BadSignature),
        "{:?}",
        seen.rejections
    );
}

#[tokio::test]
async fn a_refused_delivery_is_retried() {
    let secrets = ReceiverSecrets::secret_header("shared").with_signature_key(SIGNING_KEY);
    let (url, hook) = receiver(secrets.clone()).await;
    hook.seen.lock().unwrap().fail_next = 2;
    let sandbox = Sandbox::builder()
        .webhook(None, &url, secrets)
        .webhook_retry(tiny_retry())
        .start()
        .await
        .unwrap();
    open(&sandbox.client().unwrap(), "ORDER-RETRY", 1500.0).await;

    wait_for(&hook, |seen| !seen.events.is_empty()).await;
    let seen = hook.seen.lock().unwrap();
    assert_eq!(codes(&seen.events), ["SC_SUBSCRIPTION_INITIALIZED"]);
    assert_eq!(seen.attempts, 3, "two refusals, then the delivery");
}

#[tokio::test]
async fn with_copies_each_event_is_delivered_that_many_times_each_copy_retried() {
    let secrets = ReceiverSecrets::secret_header("shared").with_signature_key(SIGNING_KEY);
    let (url, hook) = receiver(secrets.clone()).await;
    // The first copy is refused once: retried, then acknowledged; the next two copies come
    // all the same, and the receiver knows them as duplicates.
    hook.seen.lock().unwrap().fail_next = 1;
    let sandbox = Sandbox::builder()
        .webhook(None, &url, secrets)
        .webhook_retry(tiny_retry())
        .webhook_copies(3)
        .start()
        .await
        .unwrap();
    let client = sandbox.client().unwrap();
    let id = open(&client, "ORDER-COPIES", 1500.0).await;
    sandbox
        .complete_journey(id, JourneyOutcome::Accepted)
        .unwrap();

    // Two events, three copies each, plus the one refusal.
    wait_for(&hook, |seen| seen.attempts >= 7).await;
    // Nothing more comes.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let seen = hook.seen.lock().unwrap();
    assert!(seen.rejections.is_empty(), "{:?}", seen.rejections);
    assert_eq!(seen.attempts, 7);
    assert_eq!(seen.duplicates, 4, "two duplicates of each event");
    assert_eq!(
        codes(&seen.events),
        ["SC_SUBSCRIPTION_INITIALIZED", "SC_SUBSCRIPTION_ACCEPTED"]
    );
}

#[tokio::test]
async fn the_binary_takes_the_webhook_retry_and_copies_flags() {
    use scalexpert::merchant_webhooks::v1_0_6::types::{
        MerchantWebhookConfigRequest, MerchantWebhookConfigRequestAuthMethod,
    };
    let secrets = ReceiverSecrets::secret_header("shared").with_signature_key(SIGNING_KEY);
    let (url, hook) = receiver(secrets).await;
    // The first copy is refused twice: with one retry it is dropped, and the second copy is
    // then the one handled (the default 3 retries would have delivered the first).
    hook.seen.lock().unwrap().fail_next = 2;
    let (_running, base) = crate::binary::start(&[
        "--webhook-copies",
        "2",
        "--webhook-retries",
        "1",
        "--webhook-retry-delay-ms",
        "10",
    ]);
    let client = Client::builder()
        .environment(scalexpert::Environment::custom(&base).unwrap())
        .credentials(scalexpert::Credentials::new(
            scalexpert_sandbox::DEFAULT_CLIENT_ID,
            scalexpert_sandbox::DEFAULT_CLIENT_SECRET,
        ))
        .build()
        .unwrap();
    let hooks = client.merchant_webhooks_v1_0_6();
    hooks
        .set_merchant_web_config()
        .body(MerchantWebhookConfigRequest {
            active: Some(true),
            active_event_codes: Vec::new(),
            auth_login: None,
            auth_method: Some(MerchantWebhookConfigRequestAuthMethod::None),
            auth_password: None,
            auth_scope: None,
            email_for_alerts: None,
            event_type_code: "HELLO_WORLD".into(),
            key_for_signature: Some(SIGNING_KEY.into()),
            secret: Some("shared".into()),
            url: Some(url),
        })
        .send()
        .await
        .unwrap();
    hooks
        .trigger_event_hello_world_for_merchant()
        .send()
        .await
        .unwrap();

    wait_for(&hook, |seen| !seen.events.is_empty()).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let seen = hook.seen.lock().unwrap();
    assert_eq!(codes(&seen.events), ["HELLO_WORLD"]);
    assert_eq!(
        seen.attempts, 3,
        "two refusals of the first copy, then the second"
    );
    assert_eq!(seen.duplicates, 0);
}

#[tokio::test]
async fn zero_copies_are_refused() {
    let error = Sandbox::builder().webhook_copies(0).start().await;
    assert!(
        matches!(
            error,
            Err(scalexpert_sandbox::SandboxError::Configuration(_))
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn admin_endpoint_configures_webhooks() {
    let (url, hook) =
        receiver(ReceiverSecrets::api_key(API_KEY).with_signature_key(SIGNING_KEY)).await;
    let sandbox = Sandbox::builder()
        .webhook_retry(tiny_retry())
        .start()
        .await
        .unwrap();
    let admin = format!("{}/sandbox/admin/webhooks", sandbox.base_url());
    let http = crate::admin_http(&sandbox);

    // The management API's upsert body, plus `merchant` for a PSP's merchant.
    let answer = http
        .put(&admin)
        .json(&serde_json::json!({
            "url": url, "authMethod": "API_KEY", "secret": API_KEY,
            "keyForSignature": SIGNING_KEY
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 204);
    for bad in [
        serde_json::json!({ "url": "ftp://example.test/hook" }),
        serde_json::json!({ "authMethod": "API_KEY", "secret": "s" }),
        serde_json::json!({ "url": url, "authMethod": "API_KEY" }),
    ] {
        let answer = http.put(&admin).json(&bad).send().await.unwrap();
        assert_eq!(answer.status(), 400, "{bad}");
    }
    let listed: serde_json::Value = http.get(&admin).send().await.unwrap().json().await.unwrap();
    assert_eq!(
        listed,
        serde_json::json!([{ "merchant": null, "url": url }])
    );
    assert!(!listed.to_string().contains(API_KEY));

    open(&sandbox.client().unwrap(), "ORDER-ADMIN", 1500.0).await;
    wait_for(&hook, |seen| !seen.events.is_empty()).await;
    assert_eq!(
        codes(&hook.seen.lock().unwrap().events),
        ["SC_SUBSCRIPTION_INITIALIZED"]
    );

    let answer = http.delete(&admin).send().await.unwrap();
    assert_eq!(answer.status(), 204);
    let listed: serde_json::Value = http.get(&admin).send().await.unwrap().json().await.unwrap();
    assert_eq!(listed, serde_json::json!([]));
}

#[tokio::test]
async fn bad_endpoints_are_refused() {
    let sandbox = Sandbox::start().await.unwrap();
    let secrets = ReceiverSecrets::api_key(API_KEY);
    assert!(sandbox
        .set_webhook(None, "not a url", secrets.clone())
        .is_err());
    assert!(sandbox
        .set_webhook(
            Some("bad\nmerchant"),
            "http://127.0.0.1:1/hook",
            secrets.clone()
        )
        .is_err());
    let error = Sandbox::builder()
        .webhook(None, "mailto:x@example.test", secrets)
        .start()
        .await
        .expect_err("refused");
    assert!(!error.to_string().contains(API_KEY));
}
