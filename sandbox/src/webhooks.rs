//! Webhook deliveries: the sandbox POSTs a signed event to the tenant's configured URL on every
//! lifecycle change of a credit or insurance subscription, the way Scalexpert's
//! merchant-webhooks service does.
//!
//! Changes are detected in the store (every path that changes a subscription goes through it),
//! turned into events while the store's lock is held, and queued; a background task per tenant
//! delivers that tenant's events in order, so a receiver sees a subscription's events in the
//! order they happened, and a receiver that is slow or down delays no other tenant's. The API
//! answer never waits for a delivery.

use super::lifecycle::{CancellationStatus, Status, Subscription};
use super::random;
use super::simulation;
use chrono::{SecondsFormat, Utc};
use scalexpert::merchant_webhooks::v1_0_6::types::MerchantWebhookConfigRequest;
use scalexpert::webhooks::ReceiverSecrets;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, OnceLock, RwLock};
use std::time::Duration;
use tokio::sync::mpsc;
use uuid::Uuid;

/// How undelivered events are retried: a delivery answered with anything but 2xx (or not
/// answered) is tried again `retries` times, `delay` apart, then dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WebhookRetry {
    /// Further attempts after the first one.
    pub retries: u32,
    /// Wait between two attempts.
    pub delay: Duration,
}

impl Default for WebhookRetry {
    /// 3 retries, 500 ms apart: Scalexpert's own schedule (every 10 minutes for 5 days) would
    /// outlive any test.
    fn default() -> Self {
        WebhookRetry {
            retries: 3,
            delay: Duration::from_millis(500),
        }
    }
}

/// Where one tenant's events go, and the secrets they are authenticated and signed with.
#[derive(Clone)]
pub(crate) struct Endpoint {
    pub(crate) url: reqwest::Url,
    pub(crate) secrets: ReceiverSecrets,
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // ReceiverSecrets' Debug redacts; the URL is shown without its credentials, if any.
        let mut url = self.url.clone();
        let _ = url.set_password(None);
        f.debug_struct("Endpoint")
            .field("url", &url.as_str())
            .field("secrets", &self.secrets)
            .finish()
    }
}

/// Checks a receiver URL: absolute `http` or `https`.
pub(crate) fn parse_url(url: &str) -> Result<reqwest::Url, String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("webhook URL: {e}"))?;
    match parsed.scheme() {
        "http" | "https" => Ok(parsed),
        other => Err(format!(
            "webhook URL: scheme {other:?} is not http or https"
        )),
    }
}

/// How many times each event is delivered by default: once, retried until acknowledged.
pub(crate) const DEFAULT_COPIES: u32 = 1;

/// One event waiting to be delivered.
struct Job {
    endpoint: Endpoint,
    merchant: Option<String>,
    body: Vec<u8>,
    code: String,
}

/// The endpoints per tenant and the delivery queue.
#[derive(Default)]
pub(crate) struct Hub {
    /// Keyed by the PSP's merchant reference; `None` for merchant credentials.
    endpoints: RwLock<HashMap<Option<String>, Endpoint>>,
    /// Subscription id → `correlationId`, so one subscription's events share one.
    correlations: Mutex<HashMap<Uuid, Uuid>>,
    /// What each tenant stored through merchant-webhooks' `setMerchantWebConfig`, by event
    /// type code: what `findMerchantWebhookConfig` answers. Its secrets are never shown.
    configs: RwLock<HashMap<(Option<String>, String), MerchantWebhookConfigRequest>>,
    /// Set when the sandbox starts; before that (store unit tests) events are not queued.
    queue: OnceLock<mpsc::UnboundedSender<Job>>,
}

impl fmt::Debug for Hub {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hub")
            .field("endpoints", &*self.read())
            .finish_non_exhaustive()
    }
}

impl Hub {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<Option<String>, Endpoint>> {
        self.endpoints
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Sets (or with `None`, removes) the endpoint of the tenant `merchant`.
    pub(crate) fn set(&self, merchant: Option<String>, endpoint: Option<Endpoint>) {
        let mut endpoints = self
            .endpoints
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match endpoint {
            Some(endpoint) => {
                endpoints.insert(merchant, endpoint);
            }
            None => {
                endpoints.remove(&merchant);
            }
        }
    }

    /// Removes every endpoint, and every configuration stored through merchant-webhooks.
    pub(crate) fn clear(&self) {
        self.endpoints
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clear();
        self.configs
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clear();
    }

    /// Stores `config` as the tenant `merchant`'s configuration for its event type code, and
    /// `endpoint` (made from it) as where all its events go: the sandbox keeps one endpoint
    /// per tenant, as its admin endpoint sets it.
    pub(crate) fn configure(
        &self,
        merchant: Option<String>,
        config: MerchantWebhookConfigRequest,
        endpoint: Endpoint,
    ) {
        self.set(merchant.clone(), Some(endpoint));
        self.configs
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert((merchant, config.event_type_code.clone()), config);
    }

    /// The configuration the tenant `merchant` stored for `event_type_code`, if any.
    pub(crate) fn config(
        &self,
        merchant: Option<&str>,
        event_type_code: &str,
    ) -> Option<MerchantWebhookConfigRequest> {
        self.configs
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(&(merchant.map(str::to_owned), event_type_code.to_owned()))
            .cloned()
    }

    /// Queues `body` (event `code`, about nothing that has a correlation id, such as a
    /// `HELLO_WORLD` test) for the endpoint of the tenant `merchant`. False when that tenant
    /// has no endpoint, or deliveries are not running.
    pub(crate) fn send(&self, merchant: Option<String>, code: &str, body: Vec<u8>) -> bool {
        let Some(queue) = self.queue.get() else {
            return false;
        };
        let Some(endpoint) = self.read().get(&merchant).cloned() else {
            return false;
        };
        queue
            .send(Job {
                endpoint,
                merchant,
                body,
                code: code.to_owned(),
            })
            .is_ok()
    }

    /// `(merchant, url)` of every endpoint, sorted, for the admin listing.
    pub(crate) fn list(&self) -> Vec<(Option<String>, String)> {
        let mut all: Vec<_> = self
            .read()
            .iter()
            .map(|(merchant, endpoint)| (merchant.clone(), endpoint.url.to_string()))
            .collect();
        all.sort();
        all
    }

    /// Starts the deliveries on the current runtime: each event is delivered `copies` times
    /// (at least once), each copy retried as `retry` says, by its tenant's lane. They end once
    /// the hub is dropped and the queues are drained.
    pub(crate) fn start(&self, retry: WebhookRetry, copies: u32) -> Result<(), String> {
        if copies == 0 {
            return Err("webhook copies must be at least 1".into());
        }
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| format!("webhook HTTP client: {e}"))?;
        let (sender, mut receiver) = mpsc::unbounded_channel::<Job>();
        if self.queue.set(sender).is_err() {
            return Err("webhook deliveries already started".into());
        }
        tokio::spawn(async move {
            // One lane per tenant: each delivers its tenant's events one at a time, so they
            // reach the receiver in order, and a slow or failing receiver delays only its own
            // tenant. Lanes end once this task ends (the hub dropped) and they are drained.
            let mut lanes: HashMap<Option<String>, mpsc::UnboundedSender<Job>> = HashMap::new();
            while let Some(job) = receiver.recv().await {
                let lane = lanes
                    .entry(job.merchant.clone())
                    .or_insert_with(|| delivery_lane(http.clone(), retry, copies));
                // A lane ends only with the runtime: then nothing is delivered anyway.
                let _ = lane.send(job);
            }
        });
        Ok(())
    }

    /// A subscription was created.
    pub(crate) fn created(&self, record: &Subscription) {
        self.status_event(record);
    }

    /// A subscription changed from `before` to `after`: queues the events this makes.
    pub(crate) fn changed(&self, before: &Snapshot, after: &Subscription) {
        if after.financed < before.financed {
            if let Some(cancellation) = after.cancellation {
                self.cancel_event(after, cancellation, before.financed - after.financed);
            }
        }
        if after.status != before.status {
            self.status_event(after);
        }
    }

    fn status_event(&self, record: &Subscription) {
        let data = serde_json::json!({
            "eventTypeCode": "SC_SUBSCRIPTION",
            "eventCode": status_code(record.status),
            "merchantGlobalOrderId": record.merchant_global_order_id,
            "financedAmount": simulation::eur(record.financed),
            "consolidatedStatus": record.status.as_str(),
        });
        self.queue_event(record, "SC_SUBSCRIPTION", status_code(record.status), data);
    }

    fn cancel_event(&self, record: &Subscription, status: CancellationStatus, cancelled: i64) {
        let code = format!("SC_CANCEL_REQUEST_{}", status.as_str());
        let data = serde_json::json!({
            "eventTypeCode": "SC_CANCEL_REQUEST",
            "eventCode": code,
            "merchantGlobalOrderId": record.merchant_global_order_id,
            "cancelledAmount": simulation::eur(cancelled),
            "financedAmount": simulation::eur(record.financed),
            "consolidatedStatus": record.status.as_str(),
            "cancellationStatus": status.as_str(),
        });
        self.queue_event(record, "SC_CANCEL_REQUEST", &code, data);
    }

    fn queue_event(
        &self,
        record: &Subscription,
        type_code: &str,
        code: &str,
        data: serde_json::Value,
    ) {
        self.queue(
            record.tenant.merchant.clone(),
            record.id,
            code,
            |correlation| {
                let id = random::uuid()
                    .map_err(|_| {
                        tracing::warn!(
                            code,
                            "sandbox webhook: no randomness for the event's id; not sent"
                        )
                    })
                    .ok()?;
                let event = serde_json::json!({
                    "timestamp": Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true),
                    "id": id,
                    "correlationId": correlation,
                    "eventTypeCode": type_code,
                    "eventCode": code,
                    "data": data,
                });
                serde_json::to_vec(&event)
                    .map_err(
                        |error| tracing::warn!(%error, "sandbox webhook: event not serialisable"),
                    )
                    .ok()
            },
        );
    }

    /// Queues the event `code` about `subject` (a subscription id, credit or insurance) for
    /// the endpoint of the tenant `merchant`, if it has one. `body` builds the delivery's body
    /// from the `correlationId` all of `subject`'s events share; it is not called when
    /// nobody listens.
    pub(crate) fn queue(
        &self,
        merchant: Option<String>,
        subject: Uuid,
        code: &str,
        body: impl FnOnce(Uuid) -> Option<Vec<u8>>,
    ) {
        let Some(queue) = self.queue.get() else {
            return;
        };
        let Some(endpoint) = self.read().get(&merchant).cloned() else {
            return;
        };
        let correlation = {
            let mut correlations = self
                .correlations
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            match correlations.get(&subject) {
                Some(known) => Ok(*known),
                None => random::uuid().map(|id| *correlations.entry(subject).or_insert(id)),
            }
        };
        let Ok(correlation) = correlation else {
            tracing::warn!(
                code,
                "sandbox webhook: no randomness for the event's correlation id; not sent"
            );
            return;
        };
        let Some(body) = body(correlation) else {
            return;
        };
        // Fails only once the delivery task is gone (runtime shutting down): nothing to do.
        let _ = queue.send(Job {
            endpoint,
            merchant,
            body,
            code: code.to_owned(),
        });
    }
}

/// The parts of a subscription whose change makes an event.
pub(crate) struct Snapshot {
    status: Status,
    financed: i64,
}

impl Snapshot {
    pub(crate) fn of(record: &Subscription) -> Snapshot {
        Snapshot {
            status: record.status,
            financed: record.financed,
        }
    }
}

/// `SC_SUBSCRIPTION_<consolidatedStatus>`: the spec names INITIALIZED, PRE_ACCEPTED, ACCEPTED,
/// REJECTED and CANCELLED; REQUESTED and ABORTED follow the same pattern from e-financing's
/// statuses (`webhooks::EventCode` knows all seven).
fn status_code(status: Status) -> &'static str {
    match status {
        Status::Initialized => "SC_SUBSCRIPTION_INITIALIZED",
        Status::Requested => "SC_SUBSCRIPTION_REQUESTED",
        Status::PreAccepted => "SC_SUBSCRIPTION_PRE_ACCEPTED",
        Status::Accepted => "SC_SUBSCRIPTION_ACCEPTED",
        Status::Rejected => "SC_SUBSCRIPTION_REJECTED",
        Status::Aborted => "SC_SUBSCRIPTION_ABORTED",
        Status::Cancelled => "SC_SUBSCRIPTION_CANCELLED",
    }
}

/// A task delivering the jobs sent to it in order: each event `copies` times, one copy after
/// the other, each retried as `retry` says until acknowledged. The copies of one event are
/// the duplicates an at-least-once sender makes when an acknowledgement is lost, which a
/// receiver must recognise.
fn delivery_lane(
    http: reqwest::Client,
    retry: WebhookRetry,
    copies: u32,
) -> mpsc::UnboundedSender<Job> {
    let (sender, mut jobs) = mpsc::unbounded_channel::<Job>();
    tokio::spawn(async move {
        while let Some(job) = jobs.recv().await {
            for copy in 1..=copies {
                deliver(&http, retry, &job, copy).await;
            }
        }
    });
    sender
}

/// Delivers one copy (counted from 1) of an event, retrying as configured. Signed afresh on
/// each attempt, so a retry's timestamp is current.
async fn deliver(http: &reqwest::Client, retry: WebhookRetry, job: &Job, copy: u32) {
    // Logged without what may be a secret: credentials in the URL, its query.
    let mut url = job.endpoint.url.clone();
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url.set_query(None);
    for attempt in 0..=retry.retries {
        if attempt > 0 {
            tokio::time::sleep(retry.delay).await;
        }
        let headers = match job.endpoint.secrets.delivery_headers(
            job.merchant.as_deref(),
            &job.body,
            Utc::now(),
        ) {
            Ok(headers) => headers,
            Err(_) => {
                // Checked when the endpoint is set; a merchant reference that is no
                // header value cannot be delivered at all.
                tracing::warn!(url = %url, code = %job.code, "sandbox webhook: headers cannot be built");
                return;
            }
        };
        let sent = http
            .post(job.endpoint.url.clone())
            .headers(headers)
            .body(job.body.clone())
            .send()
            .await;
        match sent {
            Ok(answer) if answer.status().is_success() => {
                tracing::info!(url = %url, code = %job.code, status = answer.status().as_u16(), copy, attempt, "sandbox webhook delivered");
                return;
            }
            Ok(answer) => {
                tracing::warn!(url = %url, code = %job.code, status = answer.status().as_u16(), copy, attempt, "sandbox webhook refused");
            }
            Err(error) => {
                tracing::warn!(url = %url, code = %job.code, error = %error.without_url(), copy, attempt, "sandbox webhook not delivered");
            }
        }
    }
    tracing::warn!(url = %url, code = %job.code, copy, attempts = retry.retries + 1, "sandbox webhook dropped: every attempt failed");
}
