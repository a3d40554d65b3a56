//! The quota governor: slots before calls, lanes, deadlines, and the 429 feedback.

use crate::*;
use httpmock::prelude::*;
use scalexpert::quota::{Lane, Quota};
use scalexpert::{Error, Operation};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A quota of one call at once, then one every `interval`.
fn one_at_a_time(interval: Duration) -> Quota {
    // 2 calls per window with a burst of 1: one at once, the next after `window`.
    Quota::new(2, interval).burst(1)
}

#[tokio::test]
async fn a_call_without_a_slot_before_its_deadline_is_throttled_and_not_sent() {
    let server = MockServer::start_async().await;
    token_mock(&server, 900);
    let api = eligible_mock(&server);
    let client = builder(&server)
        .quota(one_at_a_time(Duration::from_secs(3600)))
        .build()
        .unwrap();
    eligible(&client).await.expect("the burst's slot");
    let error = eligible(&client.with_timeout(Duration::from_millis(200)))
        .await
        .expect_err("no slot within 200 ms");
    let Error::Throttled(throttled) = &error else {
        panic!("expected Throttled, got {error:?}");
    };
    assert_eq!(throttled.scope, "e-financing:rw");
    assert_eq!(throttled.lane, Lane::Interactive);
    assert!(throttled.next_slot_in.is_some());
    assert!(error.to_string().contains("nothing was sent"), "{error}");
    api.assert_calls(1);
}

#[tokio::test]
async fn views_and_versions_of_one_client_share_its_budget_and_no_quota_turns_it_off() {
    let server = MockServer::start_async().await;
    token_mock(&server, 900);
    let api = eligible_mock(&server);
    let client = builder(&server)
        .quota(one_at_a_time(Duration::from_secs(3600)))
        .build()
        .unwrap();
    eligible(&client.for_merchant("M-1").unwrap())
        .await
        .unwrap();
    let other = client
        .for_merchant("M-2")
        .unwrap()
        .with_timeout(Duration::from_millis(100));
    assert!(matches!(eligible(&other).await, Err(Error::Throttled(_))));
    api.assert_calls(1);

    let unlimited = builder(&server).no_quota().build().unwrap();
    for _ in 0..5 {
        eligible(&unlimited).await.unwrap();
    }
    api.assert_calls(6);
}

#[tokio::test]
async fn interactive_calls_are_served_before_background_calls_when_the_budget_is_short() {
    let server = MockServer::start_async().await;
    token_mock(&server, 900);
    eligible_mock(&server);
    let client = builder(&server)
        .quota(one_at_a_time(Duration::from_millis(150)))
        .build()
        .unwrap();
    eligible(&client).await.unwrap();
    let served = Arc::new(Mutex::new(Vec::new()));
    let mut calls = Vec::new();
    // Background calls queue first, interactive ones after them.
    for (i, lane) in [Lane::Background; 3]
        .into_iter()
        .chain([Lane::Interactive; 3])
        .enumerate()
    {
        let view = client.with_lane(lane).with_timeout(Duration::from_secs(20));
        let served = Arc::clone(&served);
        calls.push(tokio::spawn(async move {
            eligible(&view).await.expect("served before the deadline");
            served.lock().unwrap().push(lane);
        }));
        if i == 2 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    for call in calls {
        call.await.unwrap();
    }
    let served = served.lock().unwrap().clone();
    assert_eq!(
        served,
        [
            Lane::Interactive,
            Lane::Interactive,
            Lane::Interactive,
            Lane::Background,
            Lane::Background,
            Lane::Background
        ]
    );
}

#[tokio::test]
async fn a_429_pauses_the_budget_for_its_retry_after() {
    let server = MockServer::start_async().await;
    token_mock(&server, 900);
    let limited = server.mock(|when, then| {
        when.method(GET).path(ELIGIBLE_PATH);
        then.status(429).header("retry-after", "30");
    });
    let client = builder(&server)
        .retry_policy(scalexpert::RetryPolicy::none())
        .quota(Quota::new(1000, Duration::from_secs(1)))
        .build()
        .unwrap();
    let error = eligible(&client).await.expect_err("429");
    assert!(matches!(error, Error::RateLimited(_)), "{error:?}");
    // A full budget, but the gateway asked for 30 s: the next call is not sent.
    let error = eligible(&client.with_timeout(Duration::from_millis(200)))
        .await
        .expect_err("paused");
    let Error::Throttled(throttled) = error else {
        panic!("expected Throttled, got {error:?}");
    };
    assert!(throttled
        .next_slot_in
        .is_some_and(|next| next > Duration::from_secs(20)));
    limited.assert_calls(1);
}

#[test]
fn paged_listings_are_background_and_the_buyers_operations_interactive() {
    let lane = |id: &str| {
        Operation::by_id(scalexpert::e_financing::v1_6_6::OPERATIONS, id)
            .expect("operation")
            .lane
    };
    assert_eq!(
        lane("retrieveCreditSubscriptionForSpecificMerchant"),
        Lane::Background
    );
    for id in [
        "getEligibleProductServices",
        "creditSimulation",
        "initiateCreditSubscription",
        "retrieveCreditSubscription",
        "doConfirmDelivery",
        "cancelCreditSubscription",
    ] {
        assert_eq!(lane(id), Lane::Interactive, "{id}");
    }
}

#[test]
fn an_impossible_quota_is_refused_at_build() {
    let server = MockServer::start();
    let error = builder(&server)
        .quota(Quota::new(10, Duration::from_secs(1)).burst(10))
        .build()
        .expect_err("burst of the whole quota");
    assert!(matches!(error, Error::Configuration(_)), "{error:?}");
}
