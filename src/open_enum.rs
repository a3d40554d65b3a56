//! Enums the server may extend without breaking decoding.

use serde::{de::IntoDeserializer, Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A value of a string enum that the server sends, which may be one the spec does not list yet.
///
/// The generated response types use it for every enum found only in responses (the build's
/// `open_response_enums` rule), so a new `consolidatedStatus` from Scalexpert decodes as
/// [`OpenEnum::Unknown`] instead of failing the whole response. Enums we send stay closed.
///
/// ```
/// use scalexpert::OpenEnum;
/// #[derive(Debug, PartialEq, serde::Deserialize, serde::Serialize)]
/// enum Status { #[serde(rename = "ACCEPTED")] Accepted }
///
/// let known: OpenEnum<Status> = serde_json::from_str("\"ACCEPTED\"").unwrap();
/// assert_eq!(known, OpenEnum::Known(Status::Accepted));
/// let new: OpenEnum<Status> = serde_json::from_str("\"ON_HOLD\"").unwrap();
/// assert_eq!(new.as_unknown(), Some("ON_HOLD"));
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

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OpenEnum<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        let known: Result<T, serde::de::value::Error> =
            T::deserialize(raw.as_str().into_deserializer());
        Ok(match known {
            Ok(value) => OpenEnum::Known(value),
            Err(_) => OpenEnum::Unknown(raw),
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Deserialize, Serialize)]
    enum Status {
        #[serde(rename = "ACCEPTED")]
        Accepted,
    }

    #[test]
    fn round_trips_known_and_unknown_values() {
        for raw in ["\"ACCEPTED\"", "\"ON_HOLD\""] {
            let value: OpenEnum<Status> = serde_json::from_str(raw).expect("decodes");
            assert_eq!(serde_json::to_string(&value).expect("encodes"), raw);
        }
    }

    #[test]
    fn non_strings_are_still_errors() {
        assert!(serde_json::from_str::<OpenEnum<Status>>("3").is_err());
    }
}
