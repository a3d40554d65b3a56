//! The acceptance scenarios, per solution code, in the order they run.
//!
//! | kind | scenarios |
//! |---|---|
//! | split payment | accepted (accepted test card), refused (refused test card), partial cancellation, full cancellation, webhook receipt |
//! | long-term credit | pre-accepted, accepted, rejected, partial cancellation, delivery confirmation, full cancellation (after reporting the return), webhook receipt |
//!
//! Cancellations and the delivery work on the subscription the "accepted" scenario created;
//! when it failed they are skipped, saying so.

use super::application::{self, Kind, Solution};
use super::gateway::Gateway;
use super::journey::{Buyer, Ending};
use super::report::{Outcome, Scenario, Seen};
use super::webhooks::{self, Webhooks};
use chrono::Utc;
use scalexpert::Amount;
use serde_json::Value;
use std::time::Duration;

/// Scenario names (what `--scenario` takes).
pub const SPLIT_ACCEPTED: &str = "split payment accepted";
/// A split payment refused with the refused test card.
pub const SPLIT_REFUSED: &str = "split payment refused";
/// A long-term credit pre-accepted.
pub const CREDIT_PRE_ACCEPTED: &str = "long-term credit pre-accepted";
/// A long-term credit accepted.
pub const CREDIT_ACCEPTED: &str = "long-term credit accepted";
/// A long-term credit rejected.
pub const CREDIT_REJECTED: &str = "long-term credit rejected";
/// Part of an accepted subscription cancelled.
pub const PARTIAL_CANCELLATION: &str = "partial cancellation";
/// The delivery of an accepted credit reported.
pub const DELIVERY: &str = "delivery confirmation";
/// The rest of an accepted subscription cancelled.
pub const FULL_CANCELLATION: &str = "full cancellation";

/// Every scenario name, in running order.
pub const ALL: &[&str] = &[
    SPLIT_ACCEPTED,
    SPLIT_REFUSED,
    CREDIT_PRE_ACCEPTED,
    CREDIT_ACCEPTED,
    CREDIT_REJECTED,
    PARTIAL_CANCELLATION,
    DELIVERY,
    FULL_CANCELLATION,
    webhooks::SCENARIO,
];

/// The scenarios of a kind of solution, in order.
pub fn scenarios_of(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::SplitPayment => &[
            SPLIT_ACCEPTED,
            SPLIT_REFUSED,
            PARTIAL_CANCELLATION,
            FULL_CANCELLATION,
            webhooks::SCENARIO,
        ],
        Kind::LongTermCredit => &[
            CREDIT_PRE_ACCEPTED,
            CREDIT_ACCEPTED,
            CREDIT_REJECTED,
            PARTIAL_CANCELLATION,
            DELIVERY,
            FULL_CANCELLATION,
            webhooks::SCENARIO,
        ],
    }
}

/// The scenarios to run for `kind` when `only` are asked for (all when empty): those, and the
/// accepted journey that cancellations, delivery and webhook receipt need.
pub fn selected(kind: Kind, only: &[String]) -> Vec<&'static str> {
    let all = scenarios_of(kind);
    if only.is_empty() {
        return all.to_vec();
    }
    let accepted = all[usize::from(kind == Kind::LongTermCredit)];
    // Cancellations and delivery work on it; webhook receipt needs a subscription to hear of.
    let needs_accepted = only.iter().any(|s| {
        [
            PARTIAL_CANCELLATION,
            DELIVERY,
            FULL_CANCELLATION,
            webhooks::SCENARIO,
        ]
        .contains(&s.as_str())
    });
    all.iter()
        .copied()
        .filter(|name| only.iter().any(|s| s == name) || (needs_accepted && *name == accepted))
        .collect()
}

/// What the scenarios share.
pub struct Run<'a> {
    /// The calls.
    pub gateway: &'a dyn Gateway,
    /// Who plays the buyer.
    pub buyer: &'a Buyer,
    /// How receipt of webhooks is checked.
    pub webhooks: &'a Webhooks,
    /// How long a journey (or a lender's decision) may take.
    pub timeout: Duration,
    /// How often statuses are read.
    pub poll: Duration,
    /// Prefix of this run's order references.
    pub run_id: String,
    /// Orders created so far (to number them).
    pub orders: usize,
}

/// A subscription a scenario created, for the ones after it.
#[derive(Debug, Clone)]
struct Subscription {
    id: uuid::Uuid,
    order_id: String,
    last_status: String,
    delivered: bool,
}

impl Run<'_> {
    /// Runs `names` (a selection of `solution`'s scenarios, in order) and returns their results.
    pub async fn solution(&mut self, solution: &Solution, names: &[&str]) -> Vec<Scenario> {
        let mut results = Vec::new();
        let mut accepted: Option<Subscription> = None;
        let mut accepted_problem = String::new();
        let mut created: Vec<Subscription> = Vec::new();
        for name in names {
            let (scenario, subscription) = match *name {
                SPLIT_ACCEPTED | CREDIT_ACCEPTED => {
                    let (scenario, subscription) =
                        self.journey(solution, name, Ending::Accepted).await;
                    if scenario.status == Outcome::Pass {
                        accepted = subscription.clone();
                    } else {
                        accepted_problem = format!("\"{name}\" did not pass");
                    }
                    (scenario, subscription)
                }
                SPLIT_REFUSED | CREDIT_REJECTED => {
                    self.journey(solution, name, Ending::Refused).await
                }
                CREDIT_PRE_ACCEPTED => self.journey(solution, name, Ending::PreAccepted).await,
                PARTIAL_CANCELLATION | DELIVERY | FULL_CANCELLATION => {
                    let Some(subscription) = accepted.as_mut() else {
                        results.push(skipped(
                            solution,
                            name,
                            format!(
                                "needs the accepted subscription, and {}",
                                if accepted_problem.is_empty() {
                                    "the accepted journey was not run".to_string()
                                } else {
                                    accepted_problem.clone()
                                }
                            ),
                        ));
                        continue;
                    };
                    let scenario = match *name {
                        PARTIAL_CANCELLATION => {
                            self.partial_cancellation(solution, subscription).await
                        }
                        DELIVERY => self.delivery(solution, subscription).await,
                        _ => self.full_cancellation(solution, subscription).await,
                    };
                    if let Some(same) = created.iter_mut().find(|s| s.id == subscription.id) {
                        *same = subscription.clone();
                    }
                    (scenario, None)
                }
                _ => {
                    let subscriptions: Vec<(String, String, String)> = created
                        .iter()
                        .map(|s| (s.order_id.clone(), s.id.to_string(), s.last_status.clone()))
                        .collect();
                    let scenario = self
                        .webhooks
                        .check(
                            &solution.code,
                            &subscriptions,
                            self.webhook_timeout(),
                            self.buyer.poll_interval(self.poll),
                        )
                        .await;
                    (scenario, None)
                }
            };
            if let Some(subscription) = subscription {
                created.push(subscription);
            }
            report_progress(&scenario);
            results.push(scenario);
        }
        results
    }

    fn webhook_timeout(&self) -> Duration {
        if self.buyer.is_sandbox() {
            Duration::from_secs(15)
        } else {
            self.timeout.min(Duration::from_secs(300))
        }
    }

    /// Creates a subscription and has its journey end with `ending`.
    async fn journey(
        &mut self,
        solution: &Solution,
        name: &str,
        ending: Ending,
    ) -> (Scenario, Option<Subscription>) {
        self.orders += 1;
        let order_id = format!("{}-{}", self.run_id, self.orders);
        let body = application::application(solution, &order_id);
        let created = match self
            .gateway
            .create(body, application::language(&solution.market))
            .await
        {
            Ok(created) => created,
            Err(error) => {
                return (
                    failed(
                        solution,
                        name,
                        None,
                        Vec::new(),
                        format!(
                            "the subscription could not be created: {error}. Check that \
                             {} is activated for this merchant.",
                            solution.code
                        ),
                    ),
                    None,
                )
            }
        };
        let mut statuses = Vec::new();
        let first = self.read(created.id, &mut statuses).await;
        if let Err(error) = first {
            return (
                failed(solution, name, Some(created.id), statuses, error),
                None,
            );
        }
        if let Err(problem) = self
            .buyer
            .complete(
                name,
                solution,
                created.redirect.as_deref(),
                ending,
                self.timeout,
            )
            .await
        {
            return (
                failed(solution, name, Some(created.id), statuses, problem),
                None,
            );
        }
        let target = ending.status();
        let outcome = self
            .wait(created.id, &mut statuses, |snapshot| {
                snapshot.status == target || is_final(&snapshot.status)
            })
            .await;
        let seen_target = statuses.iter().any(|s| s.status == target);
        let last = statuses
            .last()
            .map_or_else(|| "unknown".to_string(), |s| s.status.clone());
        let subscription = Subscription {
            id: created.id,
            order_id,
            last_status: last.clone(),
            delivered: false,
        };
        let scenario = match outcome {
            Err(error) => failed(solution, name, Some(created.id), statuses, error),
            Ok(_) if seen_target => Scenario {
                name: name.to_string(),
                solution_code: solution.code.clone(),
                status: Outcome::Pass,
                subscription_id: Some(created.id.to_string()),
                statuses,
                detail: format!("the journey ended {target}, as it should"),
            },
            Ok(_) => {
                let detail = if is_final(&last) || last == "PRE_ACCEPTED" {
                    format!(
                        "the journey ended {last}, not {target}: {}",
                        what_to_fix(solution.kind, ending)
                    )
                } else {
                    format!(
                        "still {last} after {} s: the journey was not finished in time; \
                         complete it, or allow more time with --journey-timeout",
                        self.timeout.as_secs()
                    )
                };
                failed(solution, name, Some(created.id), statuses, detail)
            }
        };
        (scenario, Some(subscription))
    }

    /// Cancels about a third of the accepted subscription.
    async fn partial_cancellation(
        &mut self,
        solution: &Solution,
        subscription: &mut Subscription,
    ) -> Scenario {
        let name = PARTIAL_CANCELLATION;
        let cents = solution.amount.cents().unwrap_or(0);
        let part = match Amount::from_cents((cents / 3).max(1)) {
            Ok(part) => part,
            Err(e) => {
                return failed(
                    solution,
                    name,
                    Some(subscription.id),
                    Vec::new(),
                    e.to_string(),
                )
            }
        };
        let mut statuses = Vec::new();
        let answer = self.gateway.cancel(subscription.id, Some(part)).await;
        self.cancellation_outcome(
            solution,
            name,
            subscription,
            answer,
            &mut statuses,
            "PARTIAL_CANCELLATION_ACCEPTED",
            format!("{part} EUR of {} EUR cancelled", solution.amount),
        )
        .await
    }

    /// Reports the delivery of the accepted credit.
    async fn delivery(&mut self, solution: &Solution, subscription: &mut Subscription) -> Scenario {
        let name = DELIVERY;
        let mut statuses = Vec::new();
        if let Err(error) = self.gateway.confirm_delivery(subscription.id).await {
            return failed(
                solution,
                name,
                Some(subscription.id),
                statuses,
                format!("the delivery report was refused: {error}"),
            );
        }
        let outcome = self
            .wait(subscription.id, &mut statuses, |s| {
                s.delivered == Some(true)
            })
            .await;
        match outcome {
            Ok(snapshot) if snapshot.delivered == Some(true) => {
                subscription.delivered = true;
                passed(
                    solution,
                    name,
                    subscription.id,
                    statuses,
                    "the delivery was reported and the subscription shows isDelivered".into(),
                )
            }
            Ok(_) => failed(
                solution,
                name,
                Some(subscription.id),
                statuses,
                "the delivery report was accepted but the subscription never showed isDelivered"
                    .into(),
            ),
            Err(error) => failed(solution, name, Some(subscription.id), statuses, error),
        }
    }

    /// Cancels what is left of the accepted subscription (reporting the return first when the
    /// goods were delivered, as the lender requires).
    async fn full_cancellation(
        &mut self,
        solution: &Solution,
        subscription: &mut Subscription,
    ) -> Scenario {
        let name = FULL_CANCELLATION;
        let mut statuses = Vec::new();
        let mut done = "everything left cancelled".to_string();
        if subscription.delivered {
            if let Err(error) = self.gateway.confirm_return(subscription.id).await {
                return failed(
                    solution,
                    name,
                    Some(subscription.id),
                    statuses,
                    format!("the return report (needed before cancelling a delivered credit) was refused: {error}"),
                );
            }
            done = "return reported, then everything left cancelled".into();
        }
        let answer = self.gateway.cancel(subscription.id, None).await;
        self.cancellation_outcome(
            solution,
            name,
            subscription,
            answer,
            &mut statuses,
            "CANCELLATION_ACCEPTED",
            done,
        )
        .await
    }

    /// Waits for the lender's decision on a cancellation (`expected` cancellation status).
    #[allow(clippy::too_many_arguments)]
    async fn cancellation_outcome(
        &mut self,
        solution: &Solution,
        name: &str,
        subscription: &mut Subscription,
        answer: scalexpert::Result<Value>,
        statuses: &mut Vec<Seen>,
        expected: &str,
        done: String,
    ) -> Scenario {
        if let Err(error) = answer {
            return failed(
                solution,
                name,
                Some(subscription.id),
                std::mem::take(statuses),
                format!("the cancellation was refused: {error}"),
            );
        }
        let outcome = self
            .wait(subscription.id, statuses, |s| {
                s.cancellation
                    .as_deref()
                    .is_some_and(|c| c == expected || c.ends_with("_REJECTED"))
            })
            .await;
        if let Some(last) = statuses.last() {
            subscription.last_status = last.status.clone();
        }
        match outcome {
            Ok(snapshot) if snapshot.cancellation.as_deref() == Some(expected) => passed(
                solution,
                name,
                subscription.id,
                std::mem::take(statuses),
                format!("{done}; cancellation status {expected}"),
            ),
            Ok(_) => failed(
                solution,
                name,
                Some(subscription.id),
                std::mem::take(statuses),
                format!(
                    "the cancellation did not end {expected} in time: ask Scalexpert support \
                     why the lender did not accept it"
                ),
            ),
            Err(error) => failed(
                solution,
                name,
                Some(subscription.id),
                std::mem::take(statuses),
                error,
            ),
        }
    }

    /// Reads the subscription once, recording its status if it changed.
    async fn read(&self, id: uuid::Uuid, statuses: &mut Vec<Seen>) -> Result<Snapshot, String> {
        let value = self
            .gateway
            .status(id)
            .await
            .map_err(|e| format!("the subscription could not be read: {e}"))?;
        let snapshot = Snapshot::from(&value);
        let seen = Seen {
            status: snapshot.status.clone(),
            substatus: snapshot.substatus.clone(),
            cancellation_status: snapshot.cancellation.clone(),
            at: Utc::now(),
        };
        let changed = statuses.last().is_none_or(|last| {
            (&last.status, &last.substatus, &last.cancellation_status)
                != (&seen.status, &seen.substatus, &seen.cancellation_status)
        });
        if changed {
            if !self.buyer.is_sandbox() {
                eprintln!(
                    "    {} {}{}",
                    seen.at.format("%H:%M:%S"),
                    seen.status,
                    seen.substatus
                        .as_deref()
                        .map(|s| format!(" ({s})"))
                        .unwrap_or_default()
                );
            }
            statuses.push(seen);
        }
        Ok(snapshot)
    }

    /// Reads the subscription until `done` says so or the timeout passes, and returns what it
    /// read last (the caller judges it and the statuses seen).
    async fn wait(
        &self,
        id: uuid::Uuid,
        statuses: &mut Vec<Seen>,
        done: impl Fn(&Snapshot) -> bool,
    ) -> Result<Snapshot, String> {
        let deadline = tokio::time::Instant::now() + self.timeout;
        let poll = self.buyer.poll_interval(self.poll);
        loop {
            let snapshot = self.read(id, statuses).await?;
            if done(&snapshot) || tokio::time::Instant::now() >= deadline {
                return Ok(snapshot);
            }
            tokio::time::sleep(poll).await;
        }
    }
}

/// The fields of a subscription go-live looks at.
#[derive(Debug, Clone, Default)]
struct Snapshot {
    status: String,
    substatus: Option<String>,
    cancellation: Option<String>,
    delivered: Option<bool>,
}

impl From<&Value> for Snapshot {
    fn from(value: &Value) -> Self {
        let text = |key: &str| value[key].as_str().map(str::to_string);
        Snapshot {
            status: text("consolidatedStatus").unwrap_or_else(|| "unknown".into()),
            substatus: text("consolidatedSubstatus"),
            cancellation: text("cancellationStatus"),
            delivered: value["isDelivered"].as_bool(),
        }
    }
}

/// A status no journey leaves by itself.
fn is_final(status: &str) -> bool {
    matches!(status, "ACCEPTED" | "REJECTED" | "ABORTED" | "CANCELLED")
}

/// What to check when a journey ended otherwise than it should.
fn what_to_fix(kind: Kind, ending: Ending) -> &'static str {
    match (kind, ending) {
        (Kind::SplitPayment, Ending::Accepted) => {
            "pay with one of the accepted test cards (5017 6791 1038 0400 for CB)"
        }
        (Kind::SplitPayment, _) => {
            "pay with one of the refused test cards (5017 6791 1038 0900 for CB)"
        }
        (Kind::LongTermCredit, Ending::Refused) => {
            "the application must fail the lender's checks (a failing KYC code, documents that do not match)"
        }
        (Kind::LongTermCredit, Ending::PreAccepted) => {
            "stop the journey once it is pre-approved, before signing the contract"
        }
        (Kind::LongTermCredit, Ending::Accepted) => {
            "finish the journey and sign, with an amount below 3,000 EUR for an automatic acceptance"
        }
    }
}

fn passed(
    solution: &Solution,
    name: &str,
    id: uuid::Uuid,
    statuses: Vec<Seen>,
    detail: String,
) -> Scenario {
    Scenario {
        name: name.to_string(),
        solution_code: solution.code.clone(),
        status: Outcome::Pass,
        subscription_id: Some(id.to_string()),
        statuses,
        detail,
    }
}

fn failed(
    solution: &Solution,
    name: &str,
    id: Option<uuid::Uuid>,
    statuses: Vec<Seen>,
    detail: String,
) -> Scenario {
    Scenario {
        name: name.to_string(),
        solution_code: solution.code.clone(),
        status: Outcome::Fail,
        subscription_id: id.map(|id| id.to_string()),
        statuses,
        detail,
    }
}

fn skipped(solution: &Solution, name: &str, detail: String) -> Scenario {
    Scenario {
        name: name.to_string(),
        solution_code: solution.code.clone(),
        status: Outcome::Skipped,
        subscription_id: None,
        statuses: Vec::new(),
        detail,
    }
}

/// One line per finished scenario on standard error.
fn report_progress(scenario: &Scenario) {
    let mark = match scenario.status {
        Outcome::Pass => "pass",
        Outcome::Fail => "FAIL",
        Outcome::Skipped => "skip",
    };
    eprintln!(
        "[{mark}] {} · {}: {}",
        scenario.solution_code, scenario.name, scenario.detail
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cancellations_bring_the_accepted_journey_along() {
        assert_eq!(
            selected(Kind::SplitPayment, &["full cancellation".to_string()]),
            [SPLIT_ACCEPTED, FULL_CANCELLATION]
        );
        assert_eq!(
            selected(Kind::LongTermCredit, &["delivery confirmation".to_string()]),
            [CREDIT_ACCEPTED, DELIVERY]
        );
        assert_eq!(
            selected(Kind::LongTermCredit, &["split payment refused".to_string()]),
            Vec::<&str>::new()
        );
        assert_eq!(
            selected(Kind::SplitPayment, &[]),
            scenarios_of(Kind::SplitPayment)
        );
    }

    #[test]
    fn every_scenario_of_every_kind_is_listed() {
        for kind in [Kind::SplitPayment, Kind::LongTermCredit] {
            assert!(scenarios_of(kind).iter().all(|s| ALL.contains(s)));
        }
    }
}
