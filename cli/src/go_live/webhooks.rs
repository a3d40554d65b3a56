//! The webhook scenario: did Scalexpert tell the merchant's endpoint about each status change?
//!
//! - **Against the sandbox** go-live runs a receiver of its own on loopback (the SDK's verified
//!   `scalexpert::webhooks` route), configures it as the merchant's webhook with fresh secrets
//!   through the merchant-webhooks API (`setMerchantWebConfig`, the merchant's own token, as
//!   at the gateway: no sandbox admin token), and checks that the signed events arrived.
//! - **Against a gateway** it reads the merchant's webhook configuration for `SC_SUBSCRIPTION`
//!   events (merchant-webhooks API): none, or an inactive one, skips the scenario; otherwise
//!   it reads the event log and checks that each subscription's last status event was
//!   delivered (`status` `OK`), naming those that were not.

use super::report::{Outcome, Scenario, Seen};
use chrono::{DateTime, Utc};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Where the scenario's name is written once.
pub const SCENARIO: &str = "webhook receipt";

/// An event as go-live saw it.
#[derive(Debug, Clone)]
pub struct Received {
    /// `merchantGlobalOrderId` of its data.
    pub order_id: Option<String>,
    /// `SC_SUBSCRIPTION_ACCEPTED`, …
    pub code: String,
    /// When it was received (or, from the event log, produced).
    pub at: DateTime<Utc>,
    /// Whether it reached the merchant's endpoint (always, for the receiver's own).
    pub delivered: bool,
    /// Why not, when it did not.
    pub problem: Option<String>,
}

/// How the scenario checks receipt.
pub enum Webhooks {
    /// Not checked: the scenario is skipped for this reason.
    Off(String),
    /// go-live's own receiver, registered at the sandbox.
    Receiver {
        /// What arrived.
        events: Arc<Mutex<Vec<Received>>>,
        /// The server task (stopped on drop).
        server: tokio::task::JoinHandle<()>,
    },
    /// The gateway's event log, read through the merchant-webhooks API.
    EventLog {
        /// The client (with the merchant view, for PSPs).
        client: scalexpert::Client,
        /// Events before this are not this run's.
        since: DateTime<Utc>,
    },
}

impl Drop for Webhooks {
    fn drop(&mut self) {
        if let Webhooks::Receiver { server, .. } = self {
            server.abort();
        }
    }
}

/// A random value for a secret of this run only.
fn random_secret() -> String {
    std::iter::repeat_with(fastrand::alphanumeric)
        .take(32)
        .collect()
}

impl Webhooks {
    /// Starts go-live's receiver and configures it, through `client`'s merchant-webhooks API
    /// (`setMerchantWebConfig` for `SC_SUBSCRIPTION` events, with the merchant view of a PSP's
    /// client), as the merchant's webhook. When the configuration is refused, the scenario is
    /// skipped, saying why.
    pub async fn sandbox_receiver(client: &scalexpert::Client) -> Webhooks {
        use scalexpert::webhooks::axum::{route, serve, ServeLimits};
        use scalexpert::webhooks::{Event, Receiver, ReceiverSecrets};

        let secret = random_secret();
        let signature_key = random_secret();
        let receiver = Receiver::new(
            ReceiverSecrets::api_key(secret.clone()).with_signature_key(signature_key.clone()),
        );
        let events = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&events);
        let app = axum::Router::new().route(
            "/go-live/webhooks",
            route(receiver, move |event: Event| {
                let seen = Arc::clone(&seen);
                async move {
                    let received = Received {
                        order_id: event.merchant_global_order_id().map(str::to_string),
                        code: event.event_code.to_string(),
                        at: Utc::now(),
                        delivered: true,
                        problem: None,
                    };
                    seen.lock()
                        .unwrap_or_else(|poisoned| poisoned.into_inner())
                        .push(received);
                    Ok::<_, std::convert::Infallible>(())
                }
            }),
        );
        let listener = match tokio::net::TcpListener::bind(("127.0.0.1", 0)).await {
            Ok(listener) => listener,
            Err(e) => {
                return Webhooks::Off(format!("cannot start go-live's webhook receiver: {e}"))
            }
        };
        let url = match listener.local_addr() {
            Ok(address) => format!("http://{address}/go-live/webhooks"),
            Err(e) => {
                return Webhooks::Off(format!("cannot start go-live's webhook receiver: {e}"))
            }
        };
        let server = tokio::spawn(async move {
            let _ = serve(listener, app, ServeLimits::default()).await;
        });
        match configure(client, &url, secret, signature_key).await {
            Ok(()) => Webhooks::Receiver { events, server },
            Err(reason) => {
                server.abort();
                Webhooks::Off(reason)
            }
        }
    }

    /// Checks receipt of the events of `subscriptions`: `(order id, subscription id, last
    /// status seen)` each, all of `solution_code`.
    pub async fn check(
        &self,
        solution_code: &str,
        subscriptions: &[(String, String, String)],
        timeout: Duration,
        poll: Duration,
    ) -> Scenario {
        let scenario = |status, statuses, detail: String| Scenario {
            name: SCENARIO.to_string(),
            solution_code: solution_code.to_string(),
            status,
            subscription_id: None,
            statuses,
            detail,
        };
        if subscriptions.is_empty() {
            return scenario(
                Outcome::Skipped,
                Vec::new(),
                "no subscription of this solution was created, so no event to look for".into(),
            );
        }
        if let Webhooks::Off(reason) = self {
            return scenario(Outcome::Skipped, Vec::new(), reason.clone());
        }
        if let Webhooks::EventLog { client, .. } = self {
            if let Err(reason) = configured(client).await {
                return scenario(Outcome::Skipped, Vec::new(), reason);
            }
        }
        let expected: Vec<(String, String)> = subscriptions
            .iter()
            .map(|(order, _, status)| (order.clone(), format!("SC_SUBSCRIPTION_{status}")))
            .collect();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let events = match self.events().await {
                Ok(events) => events,
                Err(reason) => return scenario(Outcome::Fail, Vec::new(), reason),
            };
            let ours: Vec<&Received> = events
                .iter()
                .filter(|e| {
                    e.order_id
                        .as_ref()
                        .is_some_and(|order| expected.iter().any(|(o, _)| o == order))
                })
                .collect();
            let missing: Vec<&(String, String)> = expected
                .iter()
                .filter(|(order, code)| {
                    !ours
                        .iter()
                        .any(|e| e.order_id.as_deref() == Some(order) && &e.code == code)
                })
                .collect();
            let undelivered: Vec<String> = ours
                .iter()
                .filter(|e| !e.delivered)
                .map(|e| {
                    format!(
                        "{} for order {} ({})",
                        e.code,
                        e.order_id.as_deref().unwrap_or("?"),
                        e.problem.as_deref().unwrap_or("not delivered")
                    )
                })
                .collect();
            let statuses: Vec<Seen> = ours
                .iter()
                .map(|e| Seen {
                    status: e.code.clone(),
                    substatus: None,
                    cancellation_status: None,
                    at: e.at,
                })
                .collect();
            if missing.is_empty() && undelivered.is_empty() {
                return scenario(
                    Outcome::Pass,
                    statuses,
                    format!(
                        "every subscription's last status event arrived ({} events for {} subscriptions)",
                        ours.len(),
                        expected.len()
                    ),
                );
            }
            if tokio::time::Instant::now() >= deadline {
                let mut problems: Vec<String> = missing
                    .iter()
                    .map(|(order, code)| format!("{code} for order {order} never arrived"))
                    .collect();
                problems.extend(undelivered);
                return scenario(
                    Outcome::Fail,
                    statuses,
                    format!(
                        "{}. Check that the webhook URL is reachable from Scalexpert, answers 200 \
                         and accepts the configured authentication and signature.",
                        problems.join("; ")
                    ),
                );
            }
            tokio::time::sleep(poll).await;
        }
    }

    async fn events(&self) -> Result<Vec<Received>, String> {
        match self {
            Webhooks::Off(reason) => Err(reason.clone()),
            Webhooks::Receiver { events, .. } => Ok(events
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .clone()),
            Webhooks::EventLog { client, since } => event_log(client, *since).await,
        }
    }
}

/// Configures `url` as the merchant's active webhook for `SC_SUBSCRIPTION` events, with API key
/// `secret` and signature key `signature_key`; `Err` says why it was refused.
#[cfg(feature = "merchant-webhooks-1_0_6")]
async fn configure(
    client: &scalexpert::Client,
    url: &str,
    secret: String,
    signature_key: String,
) -> Result<(), String> {
    use scalexpert::merchant_webhooks::v1_0_6::types::{
        MerchantWebhookConfigRequest, MerchantWebhookConfigRequestAuthMethod,
    };
    let config = MerchantWebhookConfigRequest {
        active: Some(true),
        active_event_codes: Vec::new(),
        auth_login: None,
        auth_method: Some(MerchantWebhookConfigRequestAuthMethod::ApiKey),
        auth_password: None,
        auth_scope: None,
        email_for_alerts: None,
        event_type_code: "SC_SUBSCRIPTION".into(),
        key_for_signature: Some(signature_key),
        secret: Some(secret),
        url: Some(url.to_string()),
    };
    client
        .merchant_webhooks_v1_0_6()
        .set_merchant_web_config()
        .body(config)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| {
            format!(
                "the merchant-webhooks API refused go-live's webhook endpoint: {}",
                scalexpert::Error::from(e)
            )
        })
}

#[cfg(not(feature = "merchant-webhooks-1_0_6"))]
async fn configure(_: &scalexpert::Client, _: &str, _: String, _: String) -> Result<(), String> {
    Err("this build has no merchant-webhooks API (feature merchant-webhooks-1_0_6)".into())
}

/// Whether the merchant has an active webhook for `SC_SUBSCRIPTION` events; `Err` says why not.
#[cfg(feature = "merchant-webhooks-1_0_6")]
async fn configured(client: &scalexpert::Client) -> Result<(), String> {
    let answer = client
        .merchant_webhooks_v1_0_6()
        .find_merchant_webhook_config()
        .event_type_code("SC_SUBSCRIPTION")
        .send()
        .await
        .map_err(scalexpert::Error::from);
    let config = match answer {
        Ok(config) => config.into_inner(),
        Err(scalexpert::Error::NotFound { .. }) => {
            return Err(no_webhook(
                "no webhook is configured for SC_SUBSCRIPTION events",
            ))
        }
        Err(error) => return Err(format!("cannot read the webhook configuration: {error}")),
    };
    match (config.url.as_deref(), config.active) {
        (Some(url), Some(true)) if !url.is_empty() => Ok(()),
        (None, _) => Err(no_webhook("the SC_SUBSCRIPTION webhook has no URL")),
        _ => Err(no_webhook("the SC_SUBSCRIPTION webhook is not active")),
    }
}

#[cfg(not(feature = "merchant-webhooks-1_0_6"))]
async fn configured(_: &scalexpert::Client) -> Result<(), String> {
    Err("this build has no merchant-webhooks API (feature merchant-webhooks-1_0_6)".into())
}

fn no_webhook(why: &str) -> String {
    format!(
        "{why}; configure one (scalexpert merchant-webhooks webhooks set --json-body FILE) to \
         test receipt"
    )
}

/// This run's `SC_SUBSCRIPTION` events from the gateway's event log.
#[cfg(feature = "merchant-webhooks-1_0_6")]
async fn event_log(
    client: &scalexpert::Client,
    since: DateTime<Utc>,
) -> Result<Vec<Received>, String> {
    let mut received = Vec::new();
    for page in 1..=20_i64 {
        let answer = client
            .merchant_webhooks_v1_0_6()
            .find_webhook_events_for_merchant()
            .event_type_code("SC_SUBSCRIPTION")
            .from_timestamp(since)
            .page(page)
            .page_size(100_i64)
            .send()
            .await
            .map_err(|e| format!("cannot read the event log: {}", scalexpert::Error::from(e)))?;
        let answer = serde_json::to_value(&*answer).map_err(|e| e.to_string())?;
        let events = answer["events"].as_array().cloned().unwrap_or_default();
        for event in &events {
            let status = event["status"].as_str().unwrap_or("");
            received.push(Received {
                order_id: event["data"]["merchantGlobalOrderId"]
                    .as_str()
                    .map(str::to_string),
                code: event["eventCode"].as_str().unwrap_or("").to_string(),
                at: event["timestamp"]
                    .as_str()
                    .and_then(|t| t.parse().ok())
                    .unwrap_or_else(Utc::now),
                delivered: status == "OK",
                problem: (status != "OK").then(|| {
                    match event["httpStatusCodeOfLastDeliveryAttempt"].as_i64() {
                        Some(code) => format!("{status}, the endpoint answered {code}"),
                        None => status.to_string(),
                    }
                }),
            });
        }
        if events.len() < 100 {
            break;
        }
    }
    Ok(received)
}

#[cfg(not(feature = "merchant-webhooks-1_0_6"))]
async fn event_log(_: &scalexpert::Client, _: DateTime<Utc>) -> Result<Vec<Received>, String> {
    Err("this build has no merchant-webhooks API".into())
}
