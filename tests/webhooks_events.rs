//! Decoding events (every type and code of our spec, unknown ones, malformed ones) and
//! deduplicating redeliveries.
#![cfg(feature = "webhooks")]

use chrono::Utc;
use scalexpert::merchant_webhooks::v1_0_6::types::{
    CiSubscriptionPayloadConsolidatedStatus, ScCancelRequestPayloadCancellationStatus,
};
use scalexpert::webhooks::{
    Claim, Deduplicator, Delivery, Event, EventCode, EventData, EventType, InMemoryDeduplicator,
    Receiver, ReceiverSecrets,
};
use scalexpert::OpenEnum;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const SPEC: &str = include_str!("../specs/merchant-webhooks/1.0.6/prod.yaml");

fn spec() -> Value {
    serde_yaml_ng::from_str(SPEC).unwrap()
}

fn event(value: &Value) -> Event {
    Event::from_json(value.to_string().as_bytes()).unwrap()
}

fn envelope(event_type: &str, code: &str, data: Value) -> Value {
    json!({
        "timestamp": "2024-03-18T14:27:45.612Z",
        "id": "3e8b5f21-7c0d-4a96-b1e4-9f62d0a8c573",
        "correlationId": "6a2d9c47-1f85-4e3b-a0d7-c5b8e2f19046",
        "eventTypeCode": event_type,
        "eventCode": code,
        "data": data,
    })
}

#[test]
fn every_event_type_and_code_named_in_our_spec_is_known() {
    let mut names: Vec<&str> = SPEC
        .split(|c: char| !(c.is_ascii_uppercase() || c == '_'))
        .filter(|t| {
            [
                "SC_SUBSCRIPTION",
                "SC_CANCEL_REQUEST",
                "CI_SUBSCRIPTION",
                "HELLO_WORLD",
            ]
            .iter()
            .any(|p| t.starts_with(p))
        })
        .collect();
    names.sort_unstable();
    names.dedup();
    // The spec names 4 types and 10 codes (HELLO_WORLD is both); a change here means the
    // spec changed and this list of known values must be looked at again.
    assert_eq!(names.len(), 13, "{names:?}");
    for name in names {
        let as_type = EventType::ALL.iter().find(|t| t.as_str() == name);
        let as_code = EventCode::ALL.iter().find(|c| c.as_str() == name);
        assert!(as_type.is_some() || as_code.is_some(), "{name} is unknown");
        if let Some(code) = as_code {
            let data = json!({ "merchantGlobalOrderId": "CMD-1", "helloWorldMessage": "hi" });
            let ev = event(&envelope(code.event_type().as_str(), name, data));
            assert_eq!(ev.event_code, OpenEnum::Known(*code));
            assert_eq!(ev.event_type, OpenEnum::Known(code.event_type()));
        }
    }
}

#[test]
fn every_known_code_parses_into_the_data_of_its_type() {
    for code in EventCode::ALL {
        let data = json!({
            "eventTypeCode": code.event_type().as_str(),
            "eventCode": code.as_str(),
            "merchantGlobalOrderId": "CMD-2024-000001",
            "helloWorldMessage": "hi",
        });
        let ev = event(&envelope(code.event_type().as_str(), code.as_str(), data));
        assert_eq!(ev.event_code, OpenEnum::Known(*code));
        let matches_type = matches!(
            (&ev.data, code.event_type()),
            (EventData::ScSubscription(_), EventType::ScSubscription)
                | (EventData::ScCancelRequest(_), EventType::ScCancelRequest)
                | (EventData::CiSubscription(_), EventType::CiSubscription)
                | (EventData::HelloWorld(_), EventType::HelloWorld)
        );
        assert!(matches_type, "{code}: {:?}", ev.data);
        if code.event_type() != EventType::HelloWorld {
            assert_eq!(ev.merchant_global_order_id(), Some("CMD-2024-000001"));
        }
    }
}

#[test]
fn the_event_examples_of_our_spec_decode_by_event_type() {
    let spec = spec();
    let listed = &spec["paths"]["/events"]["get"]["responses"]["200"]["content"]
        ["application/json"]["example"]["events"];
    let one = &spec["paths"]["/events/{eventId}"]["get"]["responses"]["200"]["content"]
        ["application/json"]["example"];

    let cancel = event(&listed[0]);
    assert_eq!(
        cancel.event_code,
        OpenEnum::Known(EventCode::ScCancelRequestPartialCancellationAccepted)
    );
    assert_eq!(cancel.merchant_global_order_id(), Some("CMD-2024-008812"));
    let EventData::ScCancelRequest(data) = &cancel.data else {
        panic!("{:?}", cancel.data)
    };
    assert_eq!(data.cancelled_amount, Some(150.0));
    assert_eq!(data.financed_amount, Some(899.0));
    assert_eq!(data.consolidated_status.as_deref(), Some("ACCEPTED"));
    assert_eq!(
        data.cancellation_status,
        Some(OpenEnum::Known(
            ScCancelRequestPayloadCancellationStatus::PartialCancellationAccepted
        ))
    );
    assert_eq!(
        cancel.correlation_id.map(|c| c.to_string()).as_deref(),
        Some("e41f8a02-6d3b-4c59-b7e1-0a9c5d2f8e64")
    );

    let hello = event(&listed[1]);
    assert_eq!(hello.correlation_id, None);
    let EventData::HelloWorld(data) = &hello.data else {
        panic!("{:?}", hello.data)
    };
    assert_eq!(
        data.hello_world_message,
        "Connectivity check from Scalexpert"
    );

    let accepted = event(one);
    assert_eq!(
        accepted.timestamp.to_rfc3339(),
        "2024-03-18T14:27:45.612+00:00"
    );
    let EventData::ScSubscription(data) = &accepted.data else {
        panic!("{:?}", accepted.data)
    };
    assert_eq!(data.financed_amount, Some(1249.9));
    assert_eq!(
        data.merchant_global_order_id.as_deref(),
        Some("CMD-2024-009347")
    );
}

#[test]
fn an_insurance_event_carries_its_typed_status() {
    let ev = event(&envelope(
        "CI_SUBSCRIPTION",
        "CI_SUBSCRIPTION_SUBSCRIBED",
        json!({
            "eventTypeCode": "CI_SUBSCRIPTION",
            "eventCode": "CI_SUBSCRIPTION_SUBSCRIBED",
            "merchantGlobalOrderId": "CMD-2024-010001",
            "insuranceSubscriptionId": "INS-88",
            "consolidatedStatus": "SUBSCRIBED"
        }),
    ));
    let EventData::CiSubscription(data) = &ev.data else {
        panic!("{:?}", ev.data)
    };
    assert_eq!(data.insurance_subscription_id.as_deref(), Some("INS-88"));
    assert_eq!(
        data.consolidated_status,
        Some(OpenEnum::Known(
            CiSubscriptionPayloadConsolidatedStatus::Subscribed
        ))
    );
}

#[test]
fn an_unknown_event_type_is_not_an_error() {
    let body = envelope(
        "SC_REFUND",
        "SC_REFUND_DONE",
        json!({ "merchantGlobalOrderId": "CMD-9", "refundedAmount": 10.5 }),
    );
    let ev = event(&body);
    assert_eq!(ev.event_type, OpenEnum::Unknown("SC_REFUND".into()));
    assert_eq!(ev.event_code, OpenEnum::Unknown("SC_REFUND_DONE".into()));
    let EventData::Unknown {
        event_type_code,
        data,
    } = &ev.data
    else {
        panic!("{:?}", ev.data)
    };
    assert_eq!(event_type_code, "SC_REFUND");
    assert_eq!(data["refundedAmount"], json!(10.5));
    assert_eq!(ev.merchant_global_order_id(), Some("CMD-9"));
}

#[test]
fn an_unknown_code_of_a_known_type_keeps_its_typed_data() {
    let ev = event(&envelope(
        "SC_SUBSCRIPTION",
        "SC_SUBSCRIPTION_ON_HOLD",
        json!({ "merchantGlobalOrderId": "CMD-3", "financedAmount": 300.0 }),
    ));
    assert_eq!(
        ev.event_code,
        OpenEnum::Unknown("SC_SUBSCRIPTION_ON_HOLD".into())
    );
    let EventData::ScSubscription(data) = &ev.data else {
        panic!("{:?}", ev.data)
    };
    // `data` lacked its own eventTypeCode: the envelope's stands in.
    assert_eq!(data.event_type_code.to_string(), "SC_SUBSCRIPTION");
    assert_eq!(data.financed_amount, Some(300.0));
}

#[test]
fn the_code_falls_back_to_the_one_in_data_and_is_required_somewhere() {
    let mut body = envelope(
        "HELLO_WORLD",
        "HELLO_WORLD",
        json!({ "eventCode": "HELLO_WORLD", "helloWorldMessage": "hi" }),
    );
    body.as_object_mut().unwrap().remove("eventCode");
    assert_eq!(
        event(&body).event_code,
        OpenEnum::Known(EventCode::HelloWorld)
    );
    body["data"].as_object_mut().unwrap().remove("eventCode");
    assert!(Event::from_json(body.to_string().as_bytes()).is_err());
}

#[test]
fn malformed_events_are_errors_naming_the_problem() {
    let cases = [
        // Known type, data of the wrong shape.
        envelope(
            "HELLO_WORLD",
            "HELLO_WORLD",
            json!({ "eventCode": "HELLO_WORLD" }),
        ),
        envelope(
            "SC_SUBSCRIPTION",
            "SC_SUBSCRIPTION_ACCEPTED",
            json!({ "financedAmount": "a lot" }),
        ),
        envelope("SC_SUBSCRIPTION", "SC_SUBSCRIPTION_ACCEPTED", json!("text")),
        // Envelope problems.
        json!({ "id": "3e8b5f21-7c0d-4a96-b1e4-9f62d0a8c573" }),
        {
            let mut b = envelope(
                "HELLO_WORLD",
                "HELLO_WORLD",
                json!({ "helloWorldMessage": "hi" }),
            );
            b["timestamp"] = json!("yesterday");
            b
        },
    ];
    for body in cases {
        let err = Event::from_json(body.to_string().as_bytes()).unwrap_err();
        assert!(!err.to_string().is_empty());
    }
    assert!(Event::from_json(&[0xff, 0xfe]).is_err());
}

#[test]
fn the_raw_json_is_kept_as_received() {
    let raw = "{ \"id\":\"3e8b5f21-7c0d-4a96-b1e4-9f62d0a8c573\", \"timestamp\":\"2024-03-18T14:27:45.612Z\",\n \"eventTypeCode\":\"HELLO_WORLD\",\"eventCode\":\"HELLO_WORLD\",\"data\":{\"helloWorldMessage\":\"hi\"}, \"extra\": [1,2] }";
    let ev = Event::from_json(raw.as_bytes()).unwrap();
    assert_eq!(ev.raw_json(), raw);
}

// ---------------------------------------------------------------------------------------------
// Deduplication
// ---------------------------------------------------------------------------------------------

const HELLO: &str = r#"{"timestamp":"2024-03-12T16:02:55.004Z","id":"a7f30c18-94e2-4b6d-8c0a-3e5b7d91f426","eventTypeCode":"HELLO_WORLD","eventCode":"HELLO_WORLD","data":{"eventTypeCode":"HELLO_WORLD","eventCode":"HELLO_WORLD","helloWorldMessage":"Connectivity check from Scalexpert"}}"#;

fn secrets() -> ReceiverSecrets {
    ReceiverSecrets::secret_header("s3").with_signature_key("k3")
}

fn deliver(receiver: &Receiver) -> Delivery {
    let headers = secrets()
        .delivery_headers(None, HELLO.as_bytes(), Utc::now())
        .unwrap();
    receiver.receive(&headers, HELLO.as_bytes()).unwrap()
}

#[test]
fn the_same_event_delivered_twice_is_a_duplicate_the_second_time() {
    let receiver = Receiver::new(secrets());
    let Delivery::New { event, ticket } = deliver(&receiver) else {
        panic!("first delivery is new")
    };
    assert_eq!(event.id.to_string(), "a7f30c18-94e2-4b6d-8c0a-3e5b7d91f426");
    ticket.complete();
    let Delivery::Duplicate(again) = deliver(&receiver) else {
        panic!("second delivery is a duplicate")
    };
    assert_eq!(again.id, event.id);
    assert!(matches!(deliver(&receiver), Delivery::Duplicate(_)));
}

#[test]
fn a_failed_handling_lets_the_redelivery_through() {
    let receiver = Receiver::new(secrets());
    let Delivery::New { ticket, .. } = deliver(&receiver) else {
        panic!("first delivery is new")
    };
    ticket.fail();
    let Delivery::New { ticket, .. } = deliver(&receiver) else {
        panic!("after a failure the redelivery is new again")
    };
    drop(ticket); // dropping is a failure too
    assert!(matches!(deliver(&receiver), Delivery::New { .. }));
}

#[test]
fn a_delivery_during_handling_is_in_progress() {
    let receiver = Receiver::new(secrets());
    let Delivery::New { ticket, .. } = deliver(&receiver) else {
        panic!("first delivery is new")
    };
    assert!(matches!(deliver(&receiver), Delivery::InProgress(_)));
    ticket.complete();
    assert!(matches!(deliver(&receiver), Delivery::Duplicate(_)));
}

#[test]
fn rejected_deliveries_leave_no_trace_in_the_deduplicator() {
    let dedupe = std::sync::Arc::new(InMemoryDeduplicator::default());
    let receiver = Receiver::new(secrets()).deduplicator(dedupe.clone());
    let forged = [("X-BAAS-SECRET", "guess")];
    assert!(receiver.receive(&forged[..], HELLO.as_bytes()).is_err());
    assert!(dedupe.is_empty());
    let Delivery::New { ticket, .. } = deliver(&receiver) else {
        panic!("the genuine delivery is new")
    };
    ticket.complete();
    assert_eq!(dedupe.len(), 1);
}

fn id(n: u128) -> uuid::Uuid {
    uuid::Uuid::from_u128(n)
}

#[test]
fn the_in_memory_deduplicator_is_bounded_in_size() {
    let dedupe = InMemoryDeduplicator::new(2, Duration::from_secs(3600));
    let t = Instant::now();
    for n in 1..=3 {
        assert_eq!(dedupe.claim_at(id(n), t), Claim::First);
        dedupe.finish(id(n), true);
    }
    assert_eq!(dedupe.len(), 2);
    // The oldest (1) was dropped; 2 and 3 are remembered.
    assert_eq!(dedupe.claim_at(id(3), t), Claim::Done);
    assert_eq!(dedupe.claim_at(id(2), t), Claim::Done);
    assert_eq!(dedupe.claim_at(id(1), t), Claim::First);
    assert_eq!(dedupe.len(), 2);
}

#[test]
fn the_in_memory_deduplicator_is_bounded_in_age() {
    let max_age = Duration::from_secs(6 * 24 * 3600);
    let dedupe = InMemoryDeduplicator::new(10, max_age);
    let t0 = Instant::now();
    assert_eq!(dedupe.claim_at(id(1), t0), Claim::First);
    dedupe.finish(id(1), true);
    assert_eq!(
        dedupe.claim_at(id(2), t0 + Duration::from_secs(60)),
        Claim::First
    );
    assert_eq!(dedupe.claim_at(id(1), t0 + max_age), Claim::Done);
    // Just past its age, 1 is forgotten; 2 (claimed a minute later) is not yet.
    let later = t0 + max_age + Duration::from_secs(1);
    assert_eq!(dedupe.claim_at(id(1), later), Claim::First);
    assert_eq!(dedupe.claim_at(id(2), later), Claim::InProgress);
}

#[test]
fn forgetting_then_reclaiming_keeps_the_bookkeeping_consistent() {
    let dedupe = InMemoryDeduplicator::new(2, Duration::from_secs(3600));
    let t = Instant::now();
    assert_eq!(dedupe.claim_at(id(1), t), Claim::First);
    dedupe.finish(id(1), false);
    assert_eq!(dedupe.claim_at(id(1), t), Claim::First);
    dedupe.finish(id(1), true);
    assert_eq!(dedupe.claim_at(id(2), t), Claim::First);
    // At capacity, the oldest live entry (1) goes, not the stale queue slot of its first claim.
    assert_eq!(dedupe.claim_at(id(3), t), Claim::First);
    assert_eq!(dedupe.claim_at(id(2), t), Claim::InProgress);
    assert_eq!(dedupe.len(), 2);
}
