//! The run's webhook events, emitted by the gateway: the coordinator points the webhook of one
//! of the PSP's merchants ([`HOOKS_MERCHANT`]) at the balancer with merchant-webhooks'
//! `setMerchantWebConfig`, as a merchant does at the gateway, then has the gateway send
//! `HELLO_WORLD` events (`triggerEventHelloWorldForMerchant`), spread over the first half of
//! the run. Deliveries, redeliveries and retries are the gateway's.

use crate::options::Options;
use crate::worker::{WEBHOOK_SECRET, WEBHOOK_SIGNING_KEY};
use scalexpert::merchant_webhooks::v1_0_6::types::{
    MerchantWebhookConfigRequest, MerchantWebhookConfigRequestAuthMethod,
};
use scalexpert::quota::Quota;
use scalexpert::{Client, Credentials, Environment};
use uuid::Uuid;

/// The merchant whose events the fleet receives.
pub(crate) const HOOKS_MERCHANT: &str = "MERCHANT-HOOKS";

/// The PSP's view of [`HOOKS_MERCHANT`], with a quota of its own in this process (its calls
/// are on another scope than the workers').
pub(crate) fn client(options: &Options) -> Result<Client, String> {
    let environment = Environment::custom(&options.sandbox).map_err(|e| e.to_string())?;
    Client::builder()
        .environment(environment)
        .credentials(Credentials::new(&options.client_id, &options.client_secret))
        .quota(Quota::new(options.quota_calls, options.quota_window))
        .build()
        .and_then(|client| client.for_merchant(HOOKS_MERCHANT))
        .map_err(|e| e.to_string())
}

/// Sends every event of the merchant to `url`, authenticated and signed as the receivers
/// expect (`X-BAAS-SECRET` and a signature).
pub(crate) async fn point_at(client: &Client, url: &str) -> Result<(), String> {
    let config = MerchantWebhookConfigRequest {
        active: Some(true),
        active_event_codes: Vec::new(),
        auth_login: None,
        auth_method: Some(MerchantWebhookConfigRequestAuthMethod::None),
        auth_password: None,
        auth_scope: None,
        email_for_alerts: None,
        event_type_code: "HELLO_WORLD".into(),
        key_for_signature: Some(WEBHOOK_SIGNING_KEY.into()),
        secret: Some(WEBHOOK_SECRET.into()),
        url: Some(url.into()),
    };
    client
        .merchant_webhooks_v1_0_6()
        .set_merchant_web_config()
        .body(config)
        .send()
        .await
        .map(drop)
        .map_err(|e| {
            format!(
                "the webhook could not be set: {}",
                scalexpert::Error::from(e)
            )
        })
}

/// Has the gateway send `options.events` test events over the first half of the run; the ids
/// it gave them, and the number of triggers that failed.
pub(crate) async fn emit(client: &Client, options: &Options) -> (Vec<Uuid>, usize) {
    let pause = options.duration / 2 / (options.events.max(1) as u32);
    let (mut ids, mut failed) = (Vec::new(), 0);
    for _ in 0..options.events {
        let triggered = client
            .merchant_webhooks_v1_0_6()
            .trigger_event_hello_world_for_merchant()
            .send()
            .await;
        match triggered {
            Ok(answer) => ids.push(answer.into_inner().event_id),
            Err(error) => {
                let status = scalexpert::Error::from(error)
                    .status()
                    .map_or_else(|| "no answer".to_string(), |s| s.as_u16().to_string());
                eprintln!("psp_fleet: an event was not triggered: {status}");
                failed += 1;
            }
        }
        tokio::time::sleep(pause).await;
    }
    (ids, failed)
}
