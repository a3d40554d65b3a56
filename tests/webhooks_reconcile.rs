//! The backfill reconciler against httpmock: a fake `GET /events` that filters by status and
//! time window, sorts and pages as the management API does, and can change events' states
//! between pages as Scalexpert's redeliveries would.
#![cfg(feature = "webhooks")]

use chrono::{DateTime, Utc};
use httpmock::{HttpMockRequest, HttpMockResponse, MockServer};
use scalexpert::merchant_webhooks::v1_0_6::types::FindWebhookEventsForMerchantStatus;
use scalexpert::webhooks::{Delivery, Event, Receiver, ReceiverSecrets, Reconciler};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use uuid::Uuid;

const TOKEN_PATH: &str = "/auth-server/api/v1/oauth2/token";
const EVENTS_PATH: &str = "/merchant-webhooks/api/v1/events";

/// A change to the listed events, as Scalexpert's redeliveries make them.
type Change = Box<dyn FnOnce(&mut Vec<Value>) + Send>;

/// The fake's state: every event the merchant has, and what was asked.
#[derive(Default)]
struct Store {
    events: Vec<Value>,
    requests: Vec<HashMap<String, String>>,
    /// Applied to the events once the first page was served (redeliveries succeeding).
    after_first_page: Option<Change>,
    /// Serve the first page from the window's start whatever is asked (a listing that ignores
    /// paging).
    ignore_paging: bool,
}

struct Gateway {
    server: MockServer,
    store: Arc<Mutex<Store>>,
}

fn time(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

/// The management API's listing over `store`: status filter, exclusive time bounds, sort by
/// timestamp (ascending, or descending with a leading minus), one-based pages.
fn list(store: &mut Store, request: &HttpMockRequest) -> HttpMockResponse {
    let query: HashMap<String, String> = request.query_params().into_iter().collect();
    store.requests.push(query.clone());
    let status = query.get("status");
    let from = query
        .get("fromTimestamp")
        .filter(|_| !store.ignore_paging)
        .map(|t| time(t));
    let to = query.get("toTimestamp").map(|t| time(t));
    let mut matching: Vec<Value> = store
        .events
        .iter()
        .filter(|e| status.is_none_or(|s| e["status"] == **s))
        .filter(|e| {
            let at = time(e["timestamp"].as_str().unwrap());
            from.is_none_or(|from| at > from) && to.is_none_or(|to| at < to)
        })
        .cloned()
        .collect();
    matching.sort_by_key(|e| time(e["timestamp"].as_str().unwrap()));
    if query.get("sort").is_none_or(|s| s.starts_with('-')) {
        matching.reverse();
    }
    let size: usize = query.get("pageSize").map_or(20, |s| s.parse().unwrap());
    let page: usize = query.get("page").map_or(1, |p| p.parse().unwrap());
    let page = if store.ignore_paging { 1 } else { page };
    let events: Vec<Value> = matching
        .iter()
        .skip((page - 1) * size)
        .take(size)
        .cloned()
        .collect();
    if let Some(change) = store.after_first_page.take() {
        change(&mut store.events);
    }
    HttpMockResponse::builder()
        .status(200)
        .header("content-type", "application/json")
        .body(json!({ "totalEventCount": matching.len(), "events": events }).to_string())
        .build()
}

impl Gateway {
    async fn start(events: Vec<Value>) -> Gateway {
        let server = MockServer::start_async().await;
        server
            .mock_async(|when, then| {
                when.method("POST").path(TOKEN_PATH);
                then.status(200).json_body(json!({
                    "access_token": "t", "token_type": "Bearer", "expires_in": 900
                }));
            })
            .await;
        let store = Arc::new(Mutex::new(Store {
            events,
            ..Store::default()
        }));
        let shared = Arc::clone(&store);
        server
            .mock_async(move |when, then| {
                when.method("GET").path(EVENTS_PATH);
                then.respond_with(move |request: &HttpMockRequest| {
                    list(&mut shared.lock().unwrap(), request)
                });
            })
            .await;
        Gateway { server, store }
    }

    fn client(&self) -> scalexpert::Client {
        scalexpert::Client::builder()
            .environment(scalexpert::Environment::custom(self.server.base_url()).unwrap())
            .credentials(scalexpert::Credentials::new("id", "secret"))
            .retry_policy(scalexpert::RetryPolicy::none())
            .build()
            .unwrap()
    }

    fn requests(&self) -> Vec<HashMap<String, String>> {
        self.store.lock().unwrap().requests.clone()
    }
}

fn id(n: u128) -> Uuid {
    Uuid::from_u128(0x5c9d_0000 + n)
}

/// An event as the API lists it: `n` picks the id, the type cycles through credit,
/// cancellation and insurance.
fn listed(n: u128, timestamp: &str, status: &str) -> Value {
    let (type_code, code, data) = match n % 3 {
        0 => (
            "SC_SUBSCRIPTION",
            "SC_SUBSCRIPTION_ACCEPTED",
            json!({ "financedAmount": 899.0, "consolidatedStatus": "ACCEPTED" }),
        ),
        1 => (
            "SC_CANCEL_REQUEST",
            "SC_CANCEL_REQUEST_PARTIAL_CANCELLATION_ACCEPTED",
            json!({ "cancelledAmount": 150.0, "cancellationStatus": "PARTIAL_CANCELLATION_ACCEPTED" }),
        ),
        _ => (
            "CI_SUBSCRIPTION",
            "CI_SUBSCRIPTION_SUBSCRIBED",
            json!({ "insuranceSubscriptionId": "c5c964cd-37dc-4caa-8d57-ca7cf484f1ae", "consolidatedStatus": "SUBSCRIBED" }),
        ),
    };
    let mut data = data;
    data["eventTypeCode"] = json!(type_code);
    data["eventCode"] = json!(code);
    data["merchantGlobalOrderId"] = json!(format!("CMD-{n}"));
    json!({
        "timestamp": timestamp,
        "id": id(n),
        "eventTypeCode": type_code,
        "eventCode": code,
        "data": data,
        "replayCount": 3,
        "status": status,
        "timestampOfLastDeliveryAttempt": timestamp,
        "httpStatusCodeOfLastDeliveryAttempt": 503
    })
}

fn secrets() -> ReceiverSecrets {
    ReceiverSecrets::api_key("live-key").with_signature_key("sig-key")
}

/// A handler recording the events it handles, failing for the order references in `fail`.
#[derive(Clone, Default)]
struct Handler {
    handled: Arc<Mutex<Vec<Event>>>,
    fail: Arc<Mutex<Vec<String>>>,
}

impl Handler {
    fn call(&self) -> impl Fn(Event) -> std::future::Ready<Result<(), String>> + Clone {
        let handler = self.clone();
        move |event: Event| {
            let order = event.merchant_global_order_id().unwrap_or("").to_string();
            if handler.fail.lock().unwrap().contains(&order) {
                return std::future::ready(Err(format!("cannot store {order}")));
            }
            handler.handled.lock().unwrap().push(event);
            std::future::ready(Ok(()))
        }
    }

    fn ids(&self) -> Vec<Uuid> {
        self.handled.lock().unwrap().iter().map(|e| e.id).collect()
    }
}

fn window() -> (DateTime<Utc>, DateTime<Utc>) {
    (time("2024-03-10T00:00:00Z"), time("2024-03-15T00:00:00Z"))
}

#[tokio::test]
async fn a_fleet_that_was_down_handles_each_failed_event_once_through_the_delivery_path() {
    let mut events = vec![
        listed(100, "2024-03-09T23:59:00Z", "ERROR"), // before the window
        listed(101, "2024-03-15T00:00:01Z", "ERROR"), // after it
        listed(102, "2024-03-11T08:00:00Z", "OK"),    // delivered fine
    ];
    for n in 1..=7 {
        events.push(listed(
            n,
            &format!("2024-03-1{}T09:00:0{n}Z", 1 + n % 3),
            "ERROR",
        ));
    }
    let gateway = Gateway::start(events.clone()).await;
    let receiver = Receiver::new(secrets());
    let handler = Handler::default();

    // Event 3 reached a replica through a redelivery before the backfill runs.
    let body = serde_json::to_string(&{
        let mut e = listed(3, "2024-03-12T09:00:03Z", "ERROR");
        for delivery_state in [
            "replayCount",
            "status",
            "timestampOfLastDeliveryAttempt",
            "httpStatusCodeOfLastDeliveryAttempt",
        ] {
            e.as_object_mut().unwrap().remove(delivery_state);
        }
        e
    })
    .unwrap();
    let headers = secrets()
        .delivery_headers(None, body.as_bytes(), Utc::now())
        .unwrap();
    let Delivery::New { ticket, .. } = receiver.receive(&headers, body.as_bytes()).await.unwrap()
    else {
        panic!("the redelivery is new")
    };
    ticket.complete().await.unwrap();

    let (from, to) = window();
    let report = Reconciler::new(receiver.clone())
        .page_size(3)
        .run(&gateway.client(), from, to, handler.call())
        .await
        .unwrap();
    assert_eq!(report.listed, 7);
    assert_eq!(report.handled, 6);
    assert_eq!(report.duplicates, 1);
    assert_eq!(
        report.failed + report.in_progress + report.unavailable + report.undecodable,
        0
    );
    let mut handled = handler.ids();
    handled.sort();
    let mut expected: Vec<Uuid> = [1, 2, 4, 5, 6, 7].into_iter().map(id).collect();
    expected.sort();
    assert_eq!(handled, expected);
    // Oldest first, typed as deliveries are.
    let timestamps: Vec<_> = handler
        .handled
        .lock()
        .unwrap()
        .iter()
        .map(|e| e.timestamp)
        .collect();
    assert!(
        timestamps.windows(2).all(|w| w[0] <= w[1]),
        "{timestamps:?}"
    );
    let insurance = handler
        .handled
        .lock()
        .unwrap()
        .iter()
        .find(|e| e.id == id(2))
        .cloned()
        .unwrap();
    assert_eq!(
        insurance.data.insurance_subscription_id(),
        Some("c5c964cd-37dc-4caa-8d57-ca7cf484f1ae")
    );

    // A second run, or the redelivery of a backfilled event: nothing handled again.
    let again = Reconciler::new(receiver.clone())
        .page_size(3)
        .run(&gateway.client(), from, to, handler.call())
        .await
        .unwrap();
    assert_eq!((again.listed, again.handled, again.duplicates), (7, 0, 7));
    let body = json!({
        "timestamp": "2024-03-12T09:00:01Z", "id": id(1), "eventTypeCode": "SC_CANCEL_REQUEST",
        "eventCode": "SC_CANCEL_REQUEST_PARTIAL_CANCELLATION_ACCEPTED",
        "data": { "eventTypeCode": "SC_CANCEL_REQUEST" }
    })
    .to_string();
    let headers = secrets()
        .delivery_headers(None, body.as_bytes(), Utc::now())
        .unwrap();
    assert!(matches!(
        receiver.receive(&headers, body.as_bytes()).await.unwrap(),
        Delivery::Duplicate(_)
    ));
    assert_eq!(handler.ids().len(), 6);
}

#[tokio::test]
async fn the_listing_is_asked_by_status_and_time_window_oldest_first_for_the_merchant() {
    let gateway = Gateway::start(vec![listed(1, "2024-03-12T09:00:00Z", "ERROR")]).await;
    let handler = Handler::default();
    let (from, to) = window();
    let shop = gateway.client().for_merchant("SHOP-7").unwrap();
    let report = Reconciler::new(Receiver::new(secrets()))
        .run(&shop, from, to, handler.call())
        .await
        .unwrap();
    assert_eq!(report.handled, 1);
    assert_eq!(
        handler.handled.lock().unwrap()[0].merchant.as_deref(),
        Some("SHOP-7")
    );

    let requests = gateway.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    let query = &requests[0];
    assert_eq!(query["status"], "ERROR");
    assert_eq!(time(&query["fromTimestamp"]), from);
    assert_eq!(time(&query["toTimestamp"]), to);
    assert_eq!(query["sort"], "timestamp");
    assert_eq!(query["page"], "1");
    assert_eq!(query["pageSize"], "100");
}

#[tokio::test]
async fn events_changing_state_during_the_run_and_crowded_milliseconds_hide_nothing() {
    let mut events = Vec::new();
    for n in 1..=6 {
        events.push(listed(n, &format!("2024-03-11T10:00:0{n}Z"), "ERROR"));
    }
    // Five events in one millisecond: more than a page.
    for n in 7..=11 {
        events.push(listed(n, "2024-03-12T10:00:00.500Z", "ERROR"));
    }
    let gateway = Gateway::start(events).await;
    // While the first page is read, redeliveries of its events succeed: they leave the
    // ERROR listing, which would shift page 2 over events never seen.
    gateway.store.lock().unwrap().after_first_page = Some(Box::new(|events: &mut Vec<Value>| {
        for event in events.iter_mut().take(2) {
            event["status"] = json!("OK");
        }
    }));
    let handler = Handler::default();
    let (from, to) = window();
    let report = Reconciler::new(Receiver::new(secrets()))
        .page_size(2)
        .run(&gateway.client(), from, to, handler.call())
        .await
        .unwrap();
    let mut handled = handler.ids();
    handled.sort();
    let expected: Vec<Uuid> = (1..=11).map(id).collect();
    assert_eq!(handled, expected, "{:?}", gateway.requests());
    assert_eq!(report.handled, 11);
}

#[tokio::test]
async fn a_failing_handler_leaves_the_event_for_the_next_run() {
    let gateway = Gateway::start(vec![
        listed(1, "2024-03-11T10:00:01Z", "ERROR"),
        listed(2, "2024-03-11T10:00:02Z", "ERROR"),
    ])
    .await;
    let receiver = Receiver::new(secrets());
    let handler = Handler::default();
    handler.fail.lock().unwrap().push("CMD-2".into());
    let (from, to) = window();
    let report = Reconciler::new(receiver.clone())
        .run(&gateway.client(), from, to, handler.call())
        .await
        .unwrap();
    assert_eq!((report.handled, report.failed), (1, 1));

    handler.fail.lock().unwrap().clear();
    let report = Reconciler::new(receiver)
        .run(&gateway.client(), from, to, handler.call())
        .await
        .unwrap();
    assert_eq!((report.handled, report.duplicates), (1, 1));
    assert_eq!(handler.ids(), vec![id(1), id(2)]);
}

#[tokio::test]
async fn other_delivery_states_can_be_pulled_and_each_is_listed_on_its_own() {
    let gateway = Gateway::start(vec![
        listed(1, "2024-03-11T10:00:01Z", "ERROR"),
        listed(2, "2024-03-11T10:00:02Z", "NO_CONFIG"),
        listed(3, "2024-03-11T10:00:03Z", "INACTIVE"),
        listed(4, "2024-03-11T10:00:04Z", "OK"),
    ])
    .await;
    let handler = Handler::default();
    let (from, to) = window();
    let report = Reconciler::new(Receiver::new(secrets()))
        .statuses([
            FindWebhookEventsForMerchantStatus::Error,
            FindWebhookEventsForMerchantStatus::NoConfig,
            FindWebhookEventsForMerchantStatus::Inactive,
        ])
        .run(&gateway.client(), from, to, handler.call())
        .await
        .unwrap();
    assert_eq!(report.handled, 3);
    assert_eq!(handler.ids(), vec![id(1), id(2), id(3)]);
    let statuses: Vec<String> = gateway
        .requests()
        .iter()
        .map(|q| q["status"].clone())
        .collect();
    assert_eq!(statuses, ["ERROR", "NO_CONFIG", "INACTIVE"]);
}

#[tokio::test]
async fn a_listing_that_ignores_paging_ends_the_run_instead_of_looping() {
    let events = (1..=4)
        .map(|n| listed(n, &format!("2024-03-11T10:00:0{n}Z"), "ERROR"))
        .collect();
    let gateway = Gateway::start(events).await;
    gateway.store.lock().unwrap().ignore_paging = true;
    let handler = Handler::default();
    let (from, to) = window();
    let report = Reconciler::new(Receiver::new(secrets()))
        .page_size(4)
        .run(&gateway.client(), from, to, handler.call())
        .await
        .unwrap();
    assert_eq!(report.handled, 4);
    // The first page, then twice the same page with nothing new: stop.
    assert_eq!(gateway.requests().len(), 3, "{:?}", gateway.requests());
}

#[tokio::test]
async fn an_unavailable_listing_is_a_typed_error_and_handles_nothing() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method("POST").path(TOKEN_PATH);
            then.status(200).json_body(json!({
                "access_token": "t", "token_type": "Bearer", "expires_in": 900
            }));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method("GET").path(EVENTS_PATH);
            then.status(503)
                .header("content-type", "application/json")
                .json_body(json!({
                    "errors": [{ "code": "SERVICE_UNAVAILABLE", "message": "try later" }]
                }));
        })
        .await;
    let client = scalexpert::Client::builder()
        .environment(scalexpert::Environment::custom(server.base_url()).unwrap())
        .credentials(scalexpert::Credentials::new("id", "secret"))
        .retry_policy(scalexpert::RetryPolicy::none())
        .build()
        .unwrap();
    let handler = Handler::default();
    let (from, to) = window();
    let error = Reconciler::new(Receiver::new(secrets()))
        .run(&client, from, to, handler.call())
        .await
        .unwrap_err();
    assert!(!error.to_string().is_empty());
    assert!(handler.ids().is_empty());
}
