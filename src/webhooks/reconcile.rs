//! Backfill: events pulled from the management API and fed through the receiver's path, so a
//! fleet that was down handles what it missed without waiting for Scalexpert's redeliveries.

use super::event::Event;
use super::receiver::{Dispatched, Receiver};
use crate::merchant_webhooks::v1_0_6::types::FindWebhookEventsForMerchantStatus;
use chrono::{DateTime, TimeDelta, Utc};
use std::collections::HashSet;
use std::fmt::Display;
use std::future::Future;

/// Events asked for per page by default.
pub const DEFAULT_PAGE_SIZE: u32 = 100;

/// Pulls the merchant's events from the merchant-webhooks API (`GET /events`, by delivery
/// status and time window, oldest first) and hands each to [`Receiver::dispatch`]: the same
/// deduplicator and the same handler as live deliveries, so an event is handled once whether
/// it arrives pushed, redelivered or pulled, on any replica sharing the deduplicator.
///
/// By default it pulls events whose delivery failed (`status=ERROR`): what Scalexpert is still
/// redelivering, every 10 minutes for 5 days, while the receivers were down or refusing.
///
/// ```no_run
/// use scalexpert::webhooks::{Event, Receiver, ReceiverSecrets, Reconciler};
/// # async fn backfill(client: scalexpert::Client) -> scalexpert::Result<()> {
/// let receiver = Receiver::new(ReceiverSecrets::api_key("k").with_signature_key("s"));
/// // ... the same receiver (same deduplicator) serves the webhook route.
/// let to = chrono::Utc::now();
/// let from = to - chrono::TimeDelta::days(5);
/// let report = Reconciler::new(receiver)
///     .run(&client, from, to, |event: Event| async move {
///         println!("{} for {:?}", event.event_code, event.merchant_global_order_id());
///         Ok::<_, std::convert::Infallible>(())
///     })
///     .await?;
/// println!("{} listed, {} handled now", report.listed, report.handled);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Reconciler {
    receiver: Receiver,
    statuses: Vec<FindWebhookEventsForMerchantStatus>,
    page_size: u32,
}

/// What one [`Reconciler::run`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Backfill {
    /// Distinct events listed.
    pub listed: usize,
    /// Handled now by the handler (new, handler succeeded).
    pub handled: usize,
    /// Already handled (by a delivery, another replica or an earlier run).
    pub duplicates: usize,
    /// Being handled elsewhere right now: left to that handling (or a later run).
    pub in_progress: usize,
    /// The handler failed: left for the redelivery or a later run.
    pub failed: usize,
    /// The deduplicator was unreachable: not handled.
    pub unavailable: usize,
    /// Listed but not decodable as an event: not handled (logged with their id).
    pub undecodable: usize,
}

impl Reconciler {
    /// A reconciler feeding `receiver` (clone the one your route uses, so they share its
    /// deduplicator), pulling `ERROR` events, [`DEFAULT_PAGE_SIZE`] per page.
    pub fn new(receiver: Receiver) -> Reconciler {
        Reconciler {
            receiver,
            statuses: vec![FindWebhookEventsForMerchantStatus::Error],
            page_size: DEFAULT_PAGE_SIZE,
        }
    }

    /// Which delivery states to pull, each with its own listing (`INACTIVE` and `NO_CONFIG`
    /// are events produced while the configuration was off or absent; `OK` ones were
    /// acknowledged, so they are duplicates unless the deduplicator forgot them).
    pub fn statuses(
        mut self,
        statuses: impl IntoIterator<Item = FindWebhookEventsForMerchantStatus>,
    ) -> Self {
        self.statuses = statuses.into_iter().collect();
        self
    }

    /// Events asked for per page (at least 1).
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = page_size.max(1);
        self
    }

    /// Pulls the events produced between `from` and `to` (both exclusive) with `client` (a
    /// PSP's merchant view lists that merchant's events, and they reach the handler with
    /// [`Event::merchant`] set to it), and dispatches each, oldest first.
    ///
    /// Pages are walked by time: each next page starts just before the last timestamp seen,
    /// so an event whose state changes meanwhile (a redelivery succeeding) does not shift the
    /// pages and hide another.
    pub async fn run<F, Fut, E>(
        &self,
        client: &crate::Client,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        on_event: F,
    ) -> crate::Result<Backfill>
    where
        F: Fn(Event) -> Fut,
        Fut: Future<Output = Result<(), E>>,
        E: Display,
    {
        let api = client.merchant_webhooks_v1_0_6();
        let merchant = client.merchant();
        let mut report = Backfill::default();
        let mut seen = HashSet::new();
        for status in &self.statuses {
            let mut cursor = from;
            let mut page: u32 = 1;
            let mut stalled = 0;
            loop {
                let listing = api
                    .find_webhook_events_for_merchant()
                    .status(*status)
                    .from_timestamp(cursor)
                    .to_timestamp(to)
                    .sort("timestamp")
                    .page(page)
                    .page_size(self.page_size)
                    .send()
                    .await?
                    .into_inner();
                let full = listing.events.len() >= self.page_size as usize;
                let mut new = 0;
                let mut newest = None;
                for listed in &listing.events {
                    newest = newest.max(Some(listed.timestamp));
                    if !seen.insert(listed.id) {
                        continue;
                    }
                    new += 1;
                    report.listed += 1;
                    let event = match Event::from_listed(listed, merchant) {
                        Ok(event) => event,
                        Err(error) => {
                            tracing::warn!(event_id = %listed.id, %error, "scalexpert webhook event listed but not decodable; skipped");
                            report.undecodable += 1;
                            continue;
                        }
                    };
                    match self.receiver.dispatch(event, &on_event).await {
                        Dispatched::Handled => report.handled += 1,
                        Dispatched::Duplicate => report.duplicates += 1,
                        Dispatched::InProgress => report.in_progress += 1,
                        Dispatched::Failed => report.failed += 1,
                        Dispatched::Unavailable => report.unavailable += 1,
                    }
                }
                if !full {
                    break;
                }
                // The lower bound is exclusive: the next page starts a millisecond before the
                // newest timestamp, so events sharing it are listed again (and skipped).
                let advanced = newest
                    .map(|newest| newest - TimeDelta::milliseconds(1))
                    .filter(|next| *next > cursor);
                match advanced {
                    Some(next) if new > 0 => {
                        cursor = next;
                        page = 1;
                        stalled = 0;
                    }
                    // A page's worth of events within one millisecond: page through them.
                    _ => {
                        if new == 0 {
                            stalled += 1;
                            // Twice nothing new: the listing ignores our paging; stop.
                            if stalled >= 2 {
                                tracing::warn!("scalexpert webhook backfill: the event listing repeats itself; stopped");
                                break;
                            }
                        } else {
                            stalled = 0;
                        }
                        page += 1;
                    }
                }
            }
        }
        Ok(report)
    }
}
