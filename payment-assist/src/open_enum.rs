//! Enums the server may extend without breaking decoding.

use serde::de::{DeserializeOwned, IntoDeserializer};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A value of a string enum that Payment Assist sends, which may be one the spec does not list.
///
/// The generated types use it for every enum found only in what the server sends (the build's
/// `open_response_enums` rule): a status added before the spec knows it (as `pending_capture`
/// once was) decodes as [`OpenEnum::Unknown`] instead of failing the whole answer.
///
/// ```
/// use payment_assist::{v1::types::ApplicationStatus, OpenEnum};
/// let status: OpenEnum<ApplicationStatus> = serde_json::from_str("\"in progress\"").unwrap();
/// assert_eq!(status, OpenEnum::Known(ApplicationStatus::InProgress));
/// let later: OpenEnum<ApplicationStatus> = serde_json::from_str("\"on_hold\"").unwrap();
/// assert_eq!(later.as_unknown(), Some("on_hold"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OpenEnum<T> {
    /// A value the spec lists.
    Known(T),
    /// A value the spec does not list, kept as sent.
    Unknown(String),
}

impl<T> OpenEnum<T> {
    /// The known value, if it is one.
    pub fn known(&self) -> Option<&T> {
        match self {
            OpenEnum::Known(value) => Some(value),
            OpenEnum::Unknown(_) => None,
        }
    }

    /// The raw string of a value the spec does not list.
    pub fn as_unknown(&self) -> Option<&str> {
        match self {
            OpenEnum::Known(_) => None,
            OpenEnum::Unknown(raw) => Some(raw),
        }
    }
}

impl<T: DeserializeOwned> OpenEnum<T> {
    /// Reads one value as the server would send it.
    pub fn parse(raw: &str) -> Self {
        let known: Result<T, serde::de::value::Error> =
            T::deserialize(raw.to_string().into_deserializer());
        match known {
            Ok(value) => OpenEnum::Known(value),
            Err(_) => OpenEnum::Unknown(raw.to_string()),
        }
    }
}

impl<T> From<T> for OpenEnum<T> {
    fn from(value: T) -> Self {
        OpenEnum::Known(value)
    }
}

impl<T: fmt::Display> fmt::Display for OpenEnum<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpenEnum::Known(value) => value.fmt(f),
            OpenEnum::Unknown(raw) => f.write_str(raw),
        }
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for OpenEnum<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Ok(OpenEnum::parse(&raw))
    }
}

impl<T: Serialize> Serialize for OpenEnum<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            OpenEnum::Known(value) => value.serialize(serializer),
            OpenEnum::Unknown(raw) => serializer.serialize_str(raw),
        }
    }
}
