//! Bodies given as JSON, and the assertion that a call was refused before anything was sent.

use serde_json::Value;

/// A request body given as JSON: the generated builder takes it through the generated type's
/// validating `Deserialize`, so a value that breaks the spec fails inside `send()`, as an
/// `Error::InvalidRequest`, before any request is made. [`json_bodies!`](crate::json_bodies)
/// wires it to the generated types.
pub struct JsonBody(pub Value);

/// Lets [`JsonBody`] stand for a body of the listed generated types.
#[macro_export]
macro_rules! json_bodies {
    ($($body:ty),+ $(,)?) => {
        $(
            impl ::std::convert::TryFrom<$crate::support::JsonBody> for $body {
                type Error = ::std::string::String;
                fn try_from(
                    body: $crate::support::JsonBody,
                ) -> ::std::result::Result<Self, Self::Error> {
                    ::serde_json::from_value(body.0).map_err(|e| e.to_string())
                }
            }
        )+
    };
}

/// Asserts a call was refused as `scalexpert::Error::InvalidRequest` whose message mentions
/// every one of `mentions`; returns the message.
pub fn assert_invalid_request<T, E>(result: Result<T, E>, mentions: &[&str]) -> String
where
    T: std::fmt::Debug,
    E: Into<scalexpert::Error>,
{
    let error: scalexpert::Error = match result {
        Ok(value) => panic!("the call should have been refused, it returned {value:?}"),
        Err(error) => error.into(),
    };
    let scalexpert::Error::InvalidRequest(message) = &error else {
        panic!("expected Error::InvalidRequest, got {error:?}");
    };
    for mention in mentions {
        assert!(
            message.contains(mention),
            "the refusal should mention {mention:?}: {message}"
        );
    }
    message.clone()
}
