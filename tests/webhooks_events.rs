//! Decoding events (every type and code of our spec, unknown ones, malformed ones), insurance
//! events through the receiver, and events built by a simulator.
#![cfg(feature = "webhooks")]

use chrono::Utc;
use scalexpert::merchant_webhooks::v1_0_6::types::{
    CiSubscriptionPayload, CiSubscriptionPayloadConsolidatedStatus,
    CiSubscriptionPayloadEventTypeCode, MerchantWebhookConfigRequest,
    PageOfWebhookEventsForMerchant, ScCancelRequestPayloadCancellationStatus,
};
use scalexpert::webhooks::{
    Delivery, Event, EventCode, EventData, EventType, Receiver, ReceiverSecrets,
};
use scalexpert::OpenEnum;
use serde_json::{json, Value};
use uuid::Uuid;

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
    assert_eq!(data.cancelled_amount, Some(eur("150.0")));
    assert_eq!(data.financed_amount, Some(eur("899.0")));
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
    assert_eq!(data.financed_amount, Some(eur("1249.9")));
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
    assert_eq!(data.financed_amount, Some(eur("300.0")));
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
// Insurance (CI_SUBSCRIPTION) events
// ---------------------------------------------------------------------------------------------

/// What Scalexpert pushes when an insurer accepts a warranty extension: the envelope, the
/// insurance data, and a field our spec does not list (tolerated, kept in the raw JSON).
const INSURANCE_DELIVERY: &str = r#"{"timestamp":"2024-10-16T14:22:09.604Z","id":"e2c7a915-3b08-4d6f-a1e4-58f0b9d2c613","correlationId":"71d4e8b2-9a3c-4f05-b6e7-0c2a5d9f1e84","eventTypeCode":"CI_SUBSCRIPTION","eventCode":"CI_SUBSCRIPTION_SUBSCRIBED","data":{"eventTypeCode":"CI_SUBSCRIPTION","eventCode":"CI_SUBSCRIPTION_SUBSCRIBED","merchantGlobalOrderId":"CMD-2024-011342","insuranceSubscriptionId":"c5c964cd-37dc-4caa-8d57-ca7cf484f1ae","consolidatedStatus":"SUBSCRIBED","solutionCode":"CIFRWE-DXCO"}}"#;

/// The insurance states our spec enumerates for `CiSubscriptionPayload.consolidatedStatus`.
fn spec_insurance_states() -> Vec<String> {
    let spec = spec();
    spec["components"]["schemas"]["CiSubscriptionPayload"]["properties"]["consolidatedStatus"]
        ["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_insurance_event_example_of_our_spec_decodes_listed_and_as_delivered() {
    let spec = spec();
    let example = &spec["paths"]["/events"]["get"]["responses"]["200"]["content"]
        ["application/json"]["example"];
    let listed = &example["events"][2];
    assert_eq!(listed["eventTypeCode"], "CI_SUBSCRIPTION");

    // As a delivery body.
    let delivered = event(listed);
    assert_eq!(
        delivered.event_code,
        OpenEnum::Known(EventCode::CiSubscriptionSubscribed)
    );
    assert_eq!(
        delivered.event_type,
        OpenEnum::Known(EventType::CiSubscription)
    );
    assert_eq!(
        delivered.merchant_global_order_id(),
        Some("CMD-2024-008907")
    );
    assert_eq!(
        delivered.data.insurance_subscription_id(),
        Some("4d8e2b71-0c9a-4f36-9e15-b7a2c6d03e98")
    );
    let EventData::CiSubscription(data) = &delivered.data else {
        panic!("{:?}", delivered.data)
    };
    assert_eq!(
        data.consolidated_status,
        Some(OpenEnum::Known(
            CiSubscriptionPayloadConsolidatedStatus::Subscribed
        ))
    );

    // As the management API lists it, then turned into the same event.
    let page: PageOfWebhookEventsForMerchant = serde_json::from_value(example.clone()).unwrap();
    let from_listing = Event::from_listed(&page.events[2], Some("SHOP-7")).unwrap();
    assert_eq!(from_listing.id, delivered.id);
    assert_eq!(from_listing.timestamp, delivered.timestamp);
    assert_eq!(from_listing.correlation_id, delivered.correlation_id);
    assert_eq!(from_listing.event_code, delivered.event_code);
    assert_eq!(from_listing.merchant.as_deref(), Some("SHOP-7"));
    assert_eq!(
        from_listing.data.insurance_subscription_id(),
        delivered.data.insurance_subscription_id()
    );
}

#[tokio::test]
async fn a_realistic_signed_insurance_delivery_is_typed_by_the_receiver_once() {
    // A PSP endpoint: the shop's own CI_SUBSCRIPTION configuration, as sent to the API.
    let config = MerchantWebhookConfigRequest {
        event_type_code: "CI_SUBSCRIPTION".into(),
        active: Some(true),
        url: Some("https://psp.example.fr/hooks/scalexpert".into()),
        auth_method: Some(
            scalexpert::merchant_webhooks::v1_0_6::types::MerchantWebhookConfigRequestAuthMethod::ApiKey,
        ),
        secret: Some("ci-api-key-2b7f".into()),
        key_for_signature: Some("ci-signing-key-91d0".into()),
        active_event_codes: vec![],
        auth_login: None,
        auth_password: None,
        auth_scope: None,
        email_for_alerts: None,
    };
    let secrets = ReceiverSecrets::from_request(&config).unwrap();
    let receiver = Receiver::new(std::collections::HashMap::from([(
        "SHOP-7".to_string(),
        secrets.clone(),
    )]));
    let body = INSURANCE_DELIVERY.as_bytes();
    let headers = secrets
        .delivery_headers(Some("SHOP-7"), body, Utc::now())
        .unwrap();

    let Delivery::New { event, ticket } = receiver.receive(&headers, body).await.unwrap() else {
        panic!("the first delivery is new")
    };
    assert_eq!(event.merchant.as_deref(), Some("SHOP-7"));
    assert_eq!(event.merchant_global_order_id(), Some("CMD-2024-011342"));
    let EventData::CiSubscription(data) = &event.data else {
        panic!("{:?}", event.data)
    };
    assert_eq!(
        data.insurance_subscription_id.as_deref(),
        Some("c5c964cd-37dc-4caa-8d57-ca7cf484f1ae")
    );
    assert_eq!(
        data.consolidated_status,
        Some(OpenEnum::Known(
            CiSubscriptionPayloadConsolidatedStatus::Subscribed
        ))
    );
    assert!(event.raw_json().contains(r#""solutionCode":"CIFRWE-DXCO""#));
    ticket.complete().await.unwrap();
    assert!(matches!(
        receiver.receive(&headers, body).await.unwrap(),
        Delivery::Duplicate(_)
    ));
}

#[test]
fn every_insurance_state_of_our_spec_has_its_event_code_and_the_catalogue_codes_are_known() {
    let states = spec_insurance_states();
    assert_eq!(states.len(), 7, "{states:?}");
    for state in &states {
        let code = EventCode::of(EventType::CiSubscription, state)
            .unwrap_or_else(|| panic!("no code for insurance state {state}"));
        assert_eq!(code.as_str(), format!("CI_SUBSCRIPTION_{state}"));
        assert_eq!(code.state(), state);
        assert_eq!(code.event_type(), EventType::CiSubscription);
        // The generated status enum names the same state.
        let status: CiSubscriptionPayloadConsolidatedStatus =
            serde_json::from_value(json!(state)).unwrap();
        assert_eq!(status.to_string(), *state);
    }
    // The four codes Scalexpert's event catalogue lists for insurance.
    for code in [
        "CI_SUBSCRIPTION_SUBSCRIBED",
        "CI_SUBSCRIPTION_REJECTED",
        "CI_SUBSCRIPTION_CANCELLED",
        "CI_SUBSCRIPTION_ABORTED",
    ] {
        let known = EventCode::ALL.iter().find(|c| c.as_str() == code);
        assert!(known.is_some(), "{code}");
    }
    assert_eq!(EventCode::of(EventType::CiSubscription, "ACCEPTED"), None);
    assert_eq!(EventCode::HelloWorld.state(), "");
}

#[test]
fn an_insurance_state_added_later_arrives_as_unknown_not_as_an_error() {
    let ev = event(&envelope(
        "CI_SUBSCRIPTION",
        "CI_SUBSCRIPTION_SUSPENDED",
        json!({
            "eventTypeCode": "CI_SUBSCRIPTION",
            "merchantGlobalOrderId": "CMD-2024-011343",
            "insuranceSubscriptionId": "c5c964cd-37dc-4caa-8d57-ca7cf484f1ae",
            "consolidatedStatus": "SUSPENDED"
        }),
    ));
    assert_eq!(
        ev.event_code,
        OpenEnum::Unknown("CI_SUBSCRIPTION_SUSPENDED".into())
    );
    let EventData::CiSubscription(data) = &ev.data else {
        panic!("{:?}", ev.data)
    };
    assert_eq!(
        data.consolidated_status,
        Some(OpenEnum::Unknown("SUSPENDED".into()))
    );
}

/// The insurance data a simulator builds for a subscription that reached `status`.
fn insurance_data(status: CiSubscriptionPayloadConsolidatedStatus) -> EventData {
    EventData::CiSubscription(CiSubscriptionPayload {
        event_type_code: CiSubscriptionPayloadEventTypeCode::CiSubscription,
        event_code: None,
        merchant_global_order_id: Some("CMD-2024-011342".into()),
        insurance_subscription_id: Some("c5c964cd-37dc-4caa-8d57-ca7cf484f1ae".into()),
        consolidated_status: Some(status.into()),
    })
}

#[tokio::test]
async fn a_simulator_builds_signed_insurance_events_that_the_receiver_types() {
    let secrets = ReceiverSecrets::secret_header("sim-secret").with_signature_key("sim-key");
    let receiver = Receiver::new(secrets.clone());
    for (n, state) in spec_insurance_states().iter().enumerate() {
        let status: CiSubscriptionPayloadConsolidatedStatus =
            serde_json::from_value(json!(state)).unwrap();
        let code = EventCode::of(EventType::CiSubscription, state).unwrap();
        let id = Uuid::from_u128(0x1000 + n as u128);
        let correlation = Uuid::from_u128(0x2000);
        let at = "2024-10-16T14:22:09.604Z".parse().unwrap();
        let built = Event::new(id, at, Some(correlation), code, insurance_data(status)).unwrap();

        // The body is what Scalexpert sends: envelope and data both carry type and code.
        let body: Value = serde_json::from_str(built.raw_json()).unwrap();
        assert_eq!(body["timestamp"], "2024-10-16T14:22:09.604Z");
        assert_eq!(body["eventCode"], code.as_str());
        assert_eq!(body["data"]["eventCode"], code.as_str());
        assert_eq!(body["data"]["eventTypeCode"], "CI_SUBSCRIPTION");
        assert_eq!(body["data"]["consolidatedStatus"], state.as_str());
        assert_eq!(body["correlationId"], correlation.to_string());

        let raw = built.raw_json().as_bytes();
        let headers = secrets.delivery_headers(None, raw, Utc::now()).unwrap();
        let Delivery::New { event, ticket } = receiver.receive(&headers, raw).await.unwrap() else {
            panic!("{state}: new")
        };
        assert_eq!(event.id, id);
        assert_eq!(event.event_code, OpenEnum::Known(code));
        assert_eq!(
            event.data.insurance_subscription_id(),
            Some("c5c964cd-37dc-4caa-8d57-ca7cf484f1ae")
        );
        ticket.complete().await.unwrap();
    }
}

#[test]
fn an_event_is_not_built_from_data_of_another_type() {
    let at = chrono::Utc::now();
    let mismatch = Event::new(
        Uuid::from_u128(1),
        at,
        None,
        EventCode::ScSubscriptionAccepted,
        insurance_data(CiSubscriptionPayloadConsolidatedStatus::Subscribed),
    );
    assert!(mismatch.is_err());
    let unknown = Event::new(
        Uuid::from_u128(1),
        at,
        None,
        EventCode::CiSubscriptionSubscribed,
        EventData::Unknown {
            event_type_code: "CI_SUBSCRIPTION".into(),
            data: json!({}),
        },
    );
    assert!(unknown.is_err());
}

/// An amount as written in an event.
fn eur(text: &str) -> scalexpert::Amount {
    text.parse().expect("an amount")
}
