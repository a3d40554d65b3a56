//! Verifying and reading the notifications Payment Assist posts to a `webhook_url`.
//!
//! A notification is a JSON object (`event_name`, `event_data`, `event_time`, `signature`)
//! signed with the dealer's secret like a request: every member but the signature, sorted
//! by name, as `NAME=value&`. The documentation does not say how a member that is not a
//! string is written; this crate signs strings as their text and every other value (the
//! `event_data` object, numbers, booleans) as the JSON text it was sent as, with `null` as
//! empty text.
//!
//! Notifications are redelivered (three times at most) when the answer is not 200, and one may
//! never arrive: answer 200 quickly once verified, work from a queue, and poll `status` every
//! few minutes for an application whose notification is overdue.

use crate::credentials::Credentials;
use crate::signature;
use crate::v1::types::WebhookEvent;
use crate::verify::VerifyError;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::fmt;

/// A notification whose signature matched, read into the spec's `WebhookEvent`.
pub type VerifiedEvent = WebhookEvent;

/// Verifies a notification's body against the dealer's secret, then reads it.
///
/// The signature is compared in constant time; a body that is not one JSON object, has a
/// member twice, or lacks a signature is refused before anything is read from it.
pub fn verify_webhook(
    credentials: &Credentials,
    body: &[u8],
) -> Result<VerifiedEvent, VerifyError> {
    let Members(members) = serde_json::from_slice(body)
        .map_err(|_| VerifyError::Malformed("the notification is not a JSON object".into()))?;
    let mut given = None;
    let mut signed = Vec::with_capacity(members.len());
    let mut fields = Map::new();
    for (name, raw) in &members {
        let value: Value = serde_json::from_str(raw.get())
            .map_err(|_| VerifyError::Malformed("a member is not JSON".into()))?;
        if fields.insert(name.clone(), value).is_some() {
            return Err(VerifyError::Malformed(format!(
                "the member {name:?} appears twice"
            )));
        }
        let text = signed_text(raw);
        if name.eq_ignore_ascii_case(crate::v1::SIGNATURE_PARAMETER) {
            given = Some(text.clone());
        }
        signed.push((name.as_str(), text));
    }
    let Some(given) = given else {
        return Err(VerifyError::Unsigned("the notification has no signature"));
    };
    if !signature::matches(credentials, signed, &given) {
        return Err(VerifyError::Mismatch);
    }
    serde_json::from_value(Value::Object(fields)).map_err(|_| {
        VerifyError::Malformed("the notification is not an event as the spec describes it".into())
    })
}

/// How one member's value is written in the signed text.
fn signed_text(raw: &RawValue) -> String {
    let text = raw.get();
    if text.starts_with('"') {
        // A string: its decoded text. It parsed as JSON already, so this cannot fail.
        serde_json::from_str::<String>(text).unwrap_or_default()
    } else if text == "null" {
        String::new()
    } else {
        text.to_string()
    }
}

/// The members of a JSON object in order, duplicates kept, values as sent.
struct Members(Vec<(String, Box<RawValue>)>);

impl<'de> Deserialize<'de> for Members {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MembersVisitor;
        impl<'de> Visitor<'de> for MembersVisitor {
            type Value = Members;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members, A::Error> {
                let mut members = Vec::new();
                while let Some(entry) = map.next_entry::<String, Box<RawValue>>()? {
                    members.push(entry);
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(MembersVisitor)
    }
}
