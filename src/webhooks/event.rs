//! The events Scalexpert delivers, decoded by their `eventTypeCode`.

use crate::merchant_webhooks::v1_0_6::types;
use crate::OpenEnum;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

/// Data of an `SC_SUBSCRIPTION` event (consumer credit life cycle), as the spec defines it.
pub type ScSubscriptionData = types::ScSubscriptionPayload;
/// Data of an `SC_CANCEL_REQUEST` event (credit cancellation), as the spec defines it.
pub type ScCancelRequestData = types::ScCancelRequestPayload;
/// Data of a `CI_SUBSCRIPTION` event (insurance subscription life cycle), as the spec defines it.
pub type CiSubscriptionData = types::CiSubscriptionPayload;
/// Data of a `HELLO_WORLD` test event, as the spec defines it.
pub type HelloWorldData = types::WebhookPayloadForHelloWorld;

/// The family of an event: its `eventTypeCode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[non_exhaustive]
pub enum EventType {
    /// `SC_SUBSCRIPTION`: a consumer credit application changed state.
    #[serde(rename = "SC_SUBSCRIPTION")]
    ScSubscription,
    /// `SC_CANCEL_REQUEST`: a (partial) cancellation of a credit progressed.
    #[serde(rename = "SC_CANCEL_REQUEST")]
    ScCancelRequest,
    /// `CI_SUBSCRIPTION`: an insurance subscription changed state.
    #[serde(rename = "CI_SUBSCRIPTION")]
    CiSubscription,
    /// `HELLO_WORLD`: a test event (management API "trigger test event").
    #[serde(rename = "HELLO_WORLD")]
    HelloWorld,
}

impl EventType {
    /// Every event type the spec lists.
    pub const ALL: [EventType; 4] = [
        EventType::ScSubscription,
        EventType::ScCancelRequest,
        EventType::CiSubscription,
        EventType::HelloWorld,
    ];

    /// The wire value (`SC_SUBSCRIPTION`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::ScSubscription => "SC_SUBSCRIPTION",
            EventType::ScCancelRequest => "SC_CANCEL_REQUEST",
            EventType::CiSubscription => "CI_SUBSCRIPTION",
            EventType::HelloWorld => "HELLO_WORLD",
        }
    }

    fn from_wire(code: &str) -> Option<EventType> {
        EventType::ALL.into_iter().find(|t| t.as_str() == code)
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! event_codes {
    ($( $(#[$doc:meta])* $variant:ident = $wire:literal => $ty:ident, )*) => {
        /// What happened: the `eventCode`, always `<eventTypeCode>_<state>`.
        ///
        /// The variants are the codes our merchant-webhooks spec names, plus the codes formed
        /// from the states the specs enumerate (the spec's `cancellationStatus` and insurance
        /// `consolidatedStatus`, and e-financing's credit `consolidatedStatus`). Events carry it
        /// as an [`OpenEnum`], so a code Scalexpert adds later arrives as
        /// [`OpenEnum::Unknown`] instead of an error.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[non_exhaustive]
        pub enum EventCode {
            $( $(#[$doc])* #[serde(rename = $wire)] $variant, )*
        }

        impl EventCode {
            /// Every event code this crate knows.
            pub const ALL: &'static [EventCode] = &[$(EventCode::$variant),*];

            /// The wire value (`SC_SUBSCRIPTION_ACCEPTED`, ...).
            pub fn as_str(self) -> &'static str {
                match self { $(EventCode::$variant => $wire,)* }
            }

            /// The event type this code belongs to.
            pub fn event_type(self) -> EventType {
                match self { $(EventCode::$variant => EventType::$ty,)* }
            }

            /// The state part of the code, after `<eventTypeCode>_` (`SUBSCRIBED` for
            /// `CI_SUBSCRIPTION_SUBSCRIBED`); empty for `HELLO_WORLD`.
            pub fn state(self) -> &'static str {
                let wire = self.as_str();
                wire.strip_prefix(self.event_type().as_str())
                    .and_then(|rest| rest.strip_prefix('_'))
                    .unwrap_or("")
            }

            /// The code of `event_type` for a state (`of(CiSubscription, "SUBSCRIBED")` is
            /// `CI_SUBSCRIPTION_SUBSCRIBED`), as a simulator of Scalexpert builds it from a
            /// subscription's new status; `None` for a state this crate does not know.
            pub fn of(event_type: EventType, state: &str) -> Option<EventCode> {
                EventCode::ALL
                    .iter()
                    .copied()
                    .find(|code| code.event_type() == event_type && code.state() == state)
            }
        }
    };
}

event_codes! {
    /// The credit application was opened (named in the spec).
    ScSubscriptionInitialized = "SC_SUBSCRIPTION_INITIALIZED" => ScSubscription,
    /// The credit application was submitted to the lender (from e-financing's states).
    ScSubscriptionRequested = "SC_SUBSCRIPTION_REQUESTED" => ScSubscription,
    /// The lender gave a provisional yes (named in the spec).
    ScSubscriptionPreAccepted = "SC_SUBSCRIPTION_PRE_ACCEPTED" => ScSubscription,
    /// The lender granted the credit (named in the spec).
    ScSubscriptionAccepted = "SC_SUBSCRIPTION_ACCEPTED" => ScSubscription,
    /// The lender declined the credit (named in the spec).
    ScSubscriptionRejected = "SC_SUBSCRIPTION_REJECTED" => ScSubscription,
    /// The buyer abandoned the application (from e-financing's states).
    ScSubscriptionAborted = "SC_SUBSCRIPTION_ABORTED" => ScSubscription,
    /// The credit was cancelled (named in the spec).
    ScSubscriptionCancelled = "SC_SUBSCRIPTION_CANCELLED" => ScSubscription,
    /// A partial cancellation was requested.
    ScCancelRequestRequestForPartialCancellation =
        "SC_CANCEL_REQUEST_REQUEST_FOR_PARTIAL_CANCELLATION" => ScCancelRequest,
    /// A full cancellation was requested.
    ScCancelRequestRequestForCancellation =
        "SC_CANCEL_REQUEST_REQUEST_FOR_CANCELLATION" => ScCancelRequest,
    /// The full cancellation was accepted.
    ScCancelRequestCancellationAccepted =
        "SC_CANCEL_REQUEST_CANCELLATION_ACCEPTED" => ScCancelRequest,
    /// The full cancellation was rejected.
    ScCancelRequestCancellationRejected =
        "SC_CANCEL_REQUEST_CANCELLATION_REJECTED" => ScCancelRequest,
    /// The partial cancellation was accepted (named in the spec).
    ScCancelRequestPartialCancellationAccepted =
        "SC_CANCEL_REQUEST_PARTIAL_CANCELLATION_ACCEPTED" => ScCancelRequest,
    /// The partial cancellation was rejected.
    ScCancelRequestPartialCancellationRejected =
        "SC_CANCEL_REQUEST_PARTIAL_CANCELLATION_REJECTED" => ScCancelRequest,
    /// The insurance subscription was opened (from the insurance states).
    CiSubscriptionInitialized = "CI_SUBSCRIPTION_INITIALIZED" => CiSubscription,
    /// The insurer accepted the subscription (named in the spec and in Scalexpert's event
    /// catalogue).
    CiSubscriptionSubscribed = "CI_SUBSCRIPTION_SUBSCRIBED" => CiSubscription,
    /// The cover started, for example when the manufacturer's warranty ended (named in the
    /// spec).
    CiSubscriptionActivated = "CI_SUBSCRIPTION_ACTIVATED" => CiSubscription,
    /// The subscription was cancelled (named in the spec and the catalogue).
    CiSubscriptionCancelled = "CI_SUBSCRIPTION_CANCELLED" => CiSubscription,
    /// The cover reached its end (from the insurance states).
    CiSubscriptionTerminated = "CI_SUBSCRIPTION_TERMINATED" => CiSubscription,
    /// The subscription was abandoned after a technical incident (in the catalogue).
    CiSubscriptionAborted = "CI_SUBSCRIPTION_ABORTED" => CiSubscription,
    /// The insurer refused the subscription (in the catalogue).
    CiSubscriptionRejected = "CI_SUBSCRIPTION_REJECTED" => CiSubscription,
    /// The test event (named in the spec).
    HelloWorld = "HELLO_WORLD" => HelloWorld,
}

impl fmt::Display for EventCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The business data of an event, chosen by its `eventTypeCode`.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum EventData {
    /// `SC_SUBSCRIPTION`.
    ScSubscription(ScSubscriptionData),
    /// `SC_CANCEL_REQUEST`.
    ScCancelRequest(ScCancelRequestData),
    /// `CI_SUBSCRIPTION`.
    CiSubscription(CiSubscriptionData),
    /// `HELLO_WORLD`.
    HelloWorld(HelloWorldData),
    /// An event type this crate does not know yet; not an error, so it can be logged and
    /// acknowledged (or handled from the raw JSON).
    Unknown {
        /// The `eventTypeCode` as sent.
        event_type_code: String,
        /// The `data` object as sent.
        data: serde_json::Value,
    },
}

impl EventData {
    /// The event type of this data; `None` for [`EventData::Unknown`].
    pub fn event_type(&self) -> Option<EventType> {
        match self {
            EventData::ScSubscription(_) => Some(EventType::ScSubscription),
            EventData::ScCancelRequest(_) => Some(EventType::ScCancelRequest),
            EventData::CiSubscription(_) => Some(EventType::CiSubscription),
            EventData::HelloWorld(_) => Some(EventType::HelloWorld),
            EventData::Unknown { .. } => None,
        }
    }

    /// The insurance subscription an insurance (`CI_SUBSCRIPTION`) event is about: the id the
    /// insurance API's subscription calls take.
    pub fn insurance_subscription_id(&self) -> Option<&str> {
        match self {
            EventData::CiSubscription(d) => d.insurance_subscription_id.as_deref(),
            _ => None,
        }
    }

    /// The data as JSON, with `eventCode` set to `code` when it is absent (Scalexpert sends
    /// it in `data` too).
    fn to_json(&self, code: EventCode) -> Result<serde_json::Value, ParseError> {
        let mut value = match self {
            EventData::ScSubscription(d) => serde_json::to_value(d),
            EventData::ScCancelRequest(d) => serde_json::to_value(d),
            EventData::CiSubscription(d) => serde_json::to_value(d),
            EventData::HelloWorld(d) => serde_json::to_value(d),
            EventData::Unknown { data, .. } => Ok(data.clone()),
        }
        .map_err(|e| ParseError(format!("event data not encodable: {e}")))?;
        if let serde_json::Value::Object(fields) = &mut value {
            fields
                .entry("eventCode")
                .or_insert_with(|| code.as_str().into());
        }
        Ok(value)
    }

    /// The merchant's own order reference (`merchantGlobalOrderId`): events carry no
    /// subscription id, so this is how an event is matched to an order.
    pub fn merchant_global_order_id(&self) -> Option<&str> {
        match self {
            EventData::ScSubscription(d) => d.merchant_global_order_id.as_deref(),
            EventData::ScCancelRequest(d) => d.merchant_global_order_id.as_deref(),
            EventData::CiSubscription(d) => d.merchant_global_order_id.as_deref(),
            EventData::HelloWorld(_) => None,
            EventData::Unknown { data, .. } => {
                data.get("merchantGlobalOrderId").and_then(|v| v.as_str())
            }
        }
    }
}

/// Why an event body could not be decoded. Carries the decoder's message, never the body.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParseError(String);

/// One event delivered by Scalexpert: the payload's fields, typed, plus the raw JSON.
#[derive(Clone, Debug)]
pub struct Event {
    /// Event UUID (`id`): the same on every redelivery, so the deduplication key.
    pub id: Uuid,
    /// When the event was produced (`timestamp`).
    pub timestamp: DateTime<Utc>,
    /// Ties together the events of one business flow (`correlationId`).
    pub correlation_id: Option<Uuid>,
    /// The event family (`eventTypeCode`).
    pub event_type: OpenEnum<EventType>,
    /// What happened (`eventCode`).
    pub event_code: OpenEnum<EventCode>,
    /// The business data (`data`), by event type.
    pub data: EventData,
    /// For PSPs: the merchant the event concerns (`X-BAAS-CLIENT-REF-FOR-PROXI-ID` of the
    /// delivery); `None` when the request did not carry it.
    pub merchant: Option<String>,
    raw: String,
}

/// The envelope as sent; `data` is decoded afterwards by `eventTypeCode`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Envelope {
    id: Uuid,
    timestamp: DateTime<Utc>,
    #[serde(default)]
    correlation_id: Option<Uuid>,
    event_type_code: String,
    #[serde(default)]
    event_code: Option<String>,
    data: serde_json::Value,
}

impl Event {
    /// An event as Scalexpert would deliver it, for simulators of Scalexpert and tests of
    /// handlers: [`raw_json`](Self::raw_json) is the body to POST (sign it with
    /// [`ReceiverSecrets::delivery_headers`](super::ReceiverSecrets::delivery_headers)). The
    /// timestamp is written with milliseconds, as Scalexpert does.
    ///
    /// Fails when `data` is not of `code`'s event type.
    ///
    /// ```
    /// use scalexpert::merchant_webhooks::v1_0_6::types::{
    ///     CiSubscriptionPayload, CiSubscriptionPayloadConsolidatedStatus as Status,
    ///     CiSubscriptionPayloadEventTypeCode,
    /// };
    /// use scalexpert::webhooks::{Event, EventCode, EventData, EventType};
    ///
    /// let status = Status::Subscribed;
    /// let code = EventCode::of(EventType::CiSubscription, &status.to_string()).unwrap();
    /// let data = EventData::CiSubscription(CiSubscriptionPayload {
    ///     event_type_code: CiSubscriptionPayloadEventTypeCode::CiSubscription,
    ///     event_code: None, // filled from `code`
    ///     merchant_global_order_id: Some("CMD-1".into()),
    ///     insurance_subscription_id: Some("4d8e2b71-0c9a-4f36-9e15-b7a2c6d03e98".into()),
    ///     consolidated_status: Some(status.into()),
    /// });
    /// let event = Event::new(uuid::Uuid::from_u128(7), chrono::Utc::now(), None, code, data).unwrap();
    /// let again = Event::from_json(event.raw_json().as_bytes()).unwrap();
    /// assert_eq!(again.event_code.known(), Some(&EventCode::CiSubscriptionSubscribed));
    /// ```
    pub fn new(
        id: Uuid,
        timestamp: DateTime<Utc>,
        correlation_id: Option<Uuid>,
        code: EventCode,
        data: EventData,
    ) -> Result<Event, ParseError> {
        let event_type = code.event_type();
        if data.event_type() != Some(event_type) {
            return Err(ParseError(format!(
                "event code {code} is of type {event_type}, the data is not"
            )));
        }
        let mut envelope = serde_json::Map::new();
        envelope.insert(
            "timestamp".into(),
            timestamp
                .to_rfc3339_opts(SecondsFormat::Millis, true)
                .into(),
        );
        envelope.insert("id".into(), id.to_string().into());
        if let Some(correlation_id) = correlation_id {
            envelope.insert("correlationId".into(), correlation_id.to_string().into());
        }
        envelope.insert("eventTypeCode".into(), event_type.as_str().into());
        envelope.insert("eventCode".into(), code.as_str().into());
        envelope.insert("data".into(), data.to_json(code)?);
        Event::from_json(serde_json::Value::Object(envelope).to_string().as_bytes())
    }

    /// An event read back with the management API (`find_webhook_events_for_merchant`,
    /// `find_webhook_event_for_merchant`), as if it had been delivered: what the backfill
    /// [`Reconciler`](super::Reconciler) hands to the handler. `merchant` is the merchant the
    /// listing was made for (a PSP's merchant view), `None` for a merchant's own account.
    pub fn from_listed(
        listed: &types::WebhookEventForMerchant,
        merchant: Option<&str>,
    ) -> Result<Event, ParseError> {
        // The listing's delivery state (status, replay count...) is not part of the event.
        let body = serde_json::json!({
            "timestamp": listed.timestamp.to_rfc3339_opts(SecondsFormat::Millis, true),
            "id": listed.id,
            "correlationId": listed.correlation_id,
            "eventTypeCode": listed.event_type_code,
            "eventCode": listed.event_code,
            "data": listed.data,
        });
        let mut event = Event::from_json(body.to_string().as_bytes())?;
        event.merchant = merchant.map(str::to_owned);
        Ok(event)
    }

    /// Decodes an event payload without any authentication: for bodies that are already
    /// trusted (the management API's event list, a test fixture). Deliveries go through
    /// [`Verifier`](super::Verifier) instead.
    pub fn from_json(body: &[u8]) -> Result<Event, ParseError> {
        let raw = std::str::from_utf8(body)
            .map_err(|e| ParseError(format!("the body is not UTF-8: {e}")))?;
        let envelope: Envelope = serde_json::from_str(raw)
            .map_err(|e| ParseError(format!("not an event payload: {e}")))?;
        let Envelope {
            id,
            timestamp,
            correlation_id,
            event_type_code,
            event_code,
            mut data,
        } = envelope;

        let event_code = event_code
            .or_else(|| {
                data.get("eventCode")
                    .and_then(|c| c.as_str())
                    .map(str::to_owned)
            })
            .ok_or_else(|| ParseError("the event has no eventCode".into()))?;
        let event_code = match EventCode::ALL.iter().find(|c| c.as_str() == event_code) {
            Some(code) => OpenEnum::Known(*code),
            None => OpenEnum::Unknown(event_code),
        };

        let event_type = EventType::from_wire(&event_type_code);
        if let (Some(event_type), serde_json::Value::Object(fields)) = (event_type, &mut data) {
            // The spec requires `eventTypeCode` inside `data` too; the envelope's is the one we
            // dispatch on, so lend it to a `data` that lacks it rather than reject the event.
            fields
                .entry("eventTypeCode")
                .or_insert_with(|| event_type.as_str().into());
        }
        let data = match event_type {
            Some(EventType::ScSubscription) => EventData::ScSubscription(decode_data(data)?),
            Some(EventType::ScCancelRequest) => EventData::ScCancelRequest(decode_data(data)?),
            Some(EventType::CiSubscription) => EventData::CiSubscription(decode_data(data)?),
            Some(EventType::HelloWorld) => EventData::HelloWorld(decode_data(data)?),
            None => EventData::Unknown {
                event_type_code: event_type_code.clone(),
                data,
            },
        };
        Ok(Event {
            id,
            timestamp,
            correlation_id,
            event_type: match event_type {
                Some(t) => OpenEnum::Known(t),
                None => OpenEnum::Unknown(event_type_code),
            },
            event_code,
            data,
            merchant: None,
            raw: raw.to_owned(),
        })
    }

    /// The payload exactly as received, for logging or archiving.
    pub fn raw_json(&self) -> &str {
        &self.raw
    }

    /// The merchant's order reference the event is about, if its data carries one.
    pub fn merchant_global_order_id(&self) -> Option<&str> {
        self.data.merchant_global_order_id()
    }
}

fn decode_data<T: serde::de::DeserializeOwned>(data: serde_json::Value) -> Result<T, ParseError> {
    serde_json::from_value(data).map_err(|e| ParseError(format!("invalid event data: {e}")))
}
