//! The merchant configures its own webhook through the merchant-webhooks API, with its own
//! token, as at the gateway: no admin token involved, and deliveries then go there.

use crate::webhooks::{receiver, tiny_retry, wait_for, API_KEY, SIGNING_KEY};
use scalexpert::merchant_webhooks::v1_0_6::types::{
    MerchantWebhookConfigRequest, MerchantWebhookConfigRequestAuthMethod,
};
use scalexpert::webhooks::{EventData, ReceiverSecrets};
use scalexpert::Client;
use scalexpert_sandbox::{sample_application, JourneyOutcome, Sandbox};

fn config(event_type_code: &str, url: &str) -> MerchantWebhookConfigRequest {
    MerchantWebhookConfigRequest {
        active: Some(true),
        active_event_codes: Vec::new(),
        auth_login: None,
        auth_method: Some(MerchantWebhookConfigRequestAuthMethod::ApiKey),
        auth_password: None,
        auth_scope: None,
        email_for_alerts: None,
        event_type_code: event_type_code.into(),
        key_for_signature: Some(SIGNING_KEY.into()),
        secret: Some(API_KEY.into()),
        url: Some(url.into()),
    }
}

async fn configure(client: &Client, url: &str) {
    client
        .merchant_webhooks_v1_0_6()
        .set_merchant_web_config()
        .body(config("SC_SUBSCRIPTION", url))
        .send()
        .await
        .expect("the merchant's token may set its webhook");
}

async fn open(client: &Client, order: &str) -> uuid::Uuid {
    client
        .e_financing_v1_7_1()
        .initiate_credit_subscription()
        .language("fr-FR")
        .body(sample_application("SCFRLT-TXNO", order, 1500.0).expect("application"))
        .send()
        .await
        .expect("created")
        .into_inner()
        .id
}

#[tokio::test]
async fn a_webhook_set_through_the_api_receives_the_events() {
    let secrets = ReceiverSecrets::api_key(API_KEY).with_signature_key(SIGNING_KEY);
    let (url, hook) = receiver(secrets).await;
    let sandbox = Sandbox::builder()
        .webhook_retry(tiny_retry())
        .start()
        .await
        .expect("sandbox");
    let client = sandbox.client().expect("client");
    configure(&client, &url).await;

    let stored = client
        .merchant_webhooks_v1_0_6()
        .find_merchant_webhook_config()
        .event_type_code("SC_SUBSCRIPTION")
        .send()
        .await
        .expect("stored")
        .into_inner();
    assert_eq!(stored.url.as_deref(), Some(url.as_str()));
    assert_eq!(stored.active, Some(true));
    assert_eq!(stored.event_type_code, "SC_SUBSCRIPTION");
    assert_eq!(stored.secret, None, "secrets are never shown back");
    assert_eq!(stored.key_for_signature, None);

    let id = open(&client, "ORDER-MWH-1").await;
    sandbox
        .complete_journey(id, JourneyOutcome::Accepted)
        .expect("journey");
    wait_for(&hook, |seen| seen.events.len() >= 2).await;
    let seen = hook.seen.lock().expect("lock");
    assert!(seen.rejections.is_empty(), "{:?}", seen.rejections);
    let codes: Vec<String> = seen
        .events
        .iter()
        .map(|e| e.event_code.to_string())
        .collect();
    assert_eq!(
        codes,
        ["SC_SUBSCRIPTION_INITIALIZED", "SC_SUBSCRIPTION_ACCEPTED"]
    );
}

#[tokio::test]
async fn an_unconfigured_event_type_is_not_found_and_the_test_event_arrives() {
    let secrets = ReceiverSecrets::api_key(API_KEY).with_signature_key(SIGNING_KEY);
    let (url, hook) = receiver(secrets).await;
    let sandbox = Sandbox::builder()
        .webhook_retry(tiny_retry())
        .start()
        .await
        .expect("sandbox");
    let client = sandbox.client().expect("client");

    let trigger = client
        .merchant_webhooks_v1_0_6()
        .trigger_event_hello_world_for_merchant()
        .send()
        .await
        .map_err(scalexpert::Error::from);
    assert!(
        matches!(trigger, Err(scalexpert::Error::NotFound { .. })),
        "no webhook yet: {trigger:?}"
    );

    configure(&client, &url).await;
    let missing = client
        .merchant_webhooks_v1_0_6()
        .find_merchant_webhook_config()
        .event_type_code("CI_SUBSCRIPTION")
        .send()
        .await
        .map_err(scalexpert::Error::from);
    assert!(
        matches!(missing, Err(scalexpert::Error::NotFound { .. })),
        "{missing:?}"
    );

    let sent = client
        .merchant_webhooks_v1_0_6()
        .trigger_event_hello_world_for_merchant()
        .send()
        .await
        .expect("triggered")
        .into_inner();
    wait_for(&hook, |seen| !seen.events.is_empty()).await;
    let seen = hook.seen.lock().expect("lock");
    assert_eq!(seen.events[0].id, sent.event_id);
    assert!(matches!(seen.events[0].data, EventData::HelloWorld(_)));
}

#[tokio::test]
async fn psp_merchants_configure_their_own_webhooks() {
    let secrets = ReceiverSecrets::api_key(API_KEY).with_signature_key(SIGNING_KEY);
    let (url, _hook) = receiver(secrets).await;
    let sandbox = Sandbox::builder().start().await.expect("sandbox");
    let psp = sandbox.psp_client().expect("psp");
    let shop_a = psp.for_merchant("SHOP-A").expect("view");
    let shop_b = psp.for_merchant("SHOP-B").expect("view");
    configure(&shop_a, &url).await;

    let read = |client: Client| async move {
        client
            .merchant_webhooks_v1_0_6()
            .find_merchant_webhook_config()
            .event_type_code("SC_SUBSCRIPTION")
            .send()
            .await
            .map(|answer| answer.into_inner().url)
            .map_err(scalexpert::Error::from)
    };
    assert_eq!(read(shop_a).await.expect("A's own"), Some(url.clone()));
    assert!(matches!(
        read(shop_b).await,
        Err(scalexpert::Error::NotFound { .. })
    ));
    let listed = crate::admin_http(&sandbox)
        .get(format!("{}/sandbox/admin/webhooks", sandbox.base_url()))
        .send()
        .await
        .expect("admin")
        .json::<serde_json::Value>()
        .await
        .expect("json");
    assert_eq!(
        listed,
        serde_json::json!([{ "merchant": "SHOP-A", "url": url }])
    );
}

#[tokio::test]
async fn configuring_needs_a_token_and_a_valid_body() {
    let sandbox = Sandbox::builder().start().await.expect("sandbox");
    let url = format!("{}/merchant-webhooks/api/v1/webhooks", sandbox.base_url());
    let http = reqwest::Client::new();
    let anonymous = http
        .put(&url)
        .json(&serde_json::json!({ "eventTypeCode": "SC_SUBSCRIPTION", "url": "http://127.0.0.1:1/h" }))
        .send()
        .await
        .expect("answer");
    assert_eq!(anonymous.status(), reqwest::StatusCode::UNAUTHORIZED);

    let client = sandbox.client().expect("client");
    let refused = client
        .merchant_webhooks_v1_0_6()
        .set_merchant_web_config()
        .body(config("SC_SUBSCRIPTION", "ftp://example.test/hook"))
        .send()
        .await
        .map_err(scalexpert::Error::from);
    assert!(refused.is_err(), "not an http(s) URL: {refused:?}");
    let listed = crate::admin_http(&sandbox)
        .get(format!("{}/sandbox/admin/webhooks", sandbox.base_url()))
        .send()
        .await
        .expect("admin")
        .json::<serde_json::Value>()
        .await
        .expect("json");
    assert_eq!(listed, serde_json::json!([]), "nothing stored");
}

#[tokio::test]
async fn the_plainly_started_binary_takes_a_webhook_from_the_merchants_token() {
    let (_running, url) = crate::binary::start(&[]);
    let http = reqwest::Client::new();
    let token: serde_json::Value = http
        .post(format!("{url}/auth-server/api/v1/oauth2/token"))
        .basic_auth(
            scalexpert_sandbox::DEFAULT_CLIENT_ID,
            Some(scalexpert_sandbox::DEFAULT_CLIENT_SECRET),
        )
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    assert!(
        token["scope"]
            .as_str()
            .is_some_and(|scope| scope.split(' ').any(|s| s == "common-services:rw")),
        "a token asked without scope carries merchant-webhooks' too: {token}"
    );
    let bearer = token["access_token"].as_str().expect("a token");
    let hooks = format!("{url}/merchant-webhooks/api/v1/webhooks");
    let set = http
        .put(&hooks)
        .bearer_auth(bearer)
        .json(&serde_json::json!({
            "eventTypeCode": "SC_SUBSCRIPTION",
            "active": true,
            "url": "http://127.0.0.1:9/hook",
            "authMethod": "API_KEY",
            "secret": API_KEY,
        }))
        .send()
        .await
        .expect("answer");
    assert_eq!(set.status(), 200);
    let read: serde_json::Value = http
        .get(format!("{hooks}?eventTypeCode=SC_SUBSCRIPTION"))
        .bearer_auth(bearer)
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("json");
    assert_eq!(read["url"], "http://127.0.0.1:9/hook");
    assert_eq!(read["secret"], serde_json::Value::Null);

    let scoped: serde_json::Value = http
        .post(format!("{url}/auth-server/api/v1/oauth2/token"))
        .basic_auth(
            scalexpert_sandbox::DEFAULT_CLIENT_ID,
            Some(scalexpert_sandbox::DEFAULT_CLIENT_SECRET),
        )
        .form(&[
            ("grant_type", "client_credentials"),
            ("scope", "e-financing:rw"),
        ])
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    let forbidden = http
        .get(format!("{hooks}?eventTypeCode=SC_SUBSCRIPTION"))
        .bearer_auth(scoped["access_token"].as_str().expect("a token"))
        .send()
        .await
        .expect("answer");
    assert_eq!(forbidden.status(), 403, "needs common-services:rw");
}
