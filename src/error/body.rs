//! The bodies of error answers, read leniently: Scalexpert's, the gateway's, anything else.

use crate::redact::excerpt;
use serde::Deserialize;

/// The body of an error answer.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ErrorBody {
    /// Scalexpert's `BaasExceptionHttpResponse`.
    Baas(BaasError),
    /// The gateway's own shape for requests it rejects before the API (422 and others).
    Gateway(GatewayError),
    /// Anything else (an HTML page, plain text): the first characters.
    Unstructured {
        /// The first characters of the body, as text.
        excerpt: String,
    },
    /// No body.
    Empty,
}

/// Scalexpert's error body (`BaasExceptionHttpResponse`), read leniently: every field optional,
/// `httpStatusCode` as a number or a string.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct BaasError {
    /// When the gateway produced the error.
    pub timestamp: Option<String>,
    /// `httpStatusCode`, whether sent as a number or as text.
    #[serde(default, deserialize_with = "status_code_lenient")]
    pub http_status_code: Option<u16>,
    /// The status reason phrase (`BAD_REQUEST`, ...).
    pub http_status_message: Option<String>,
    /// The main error code (`REQUEST_VALIDATION_ERROR`, `ENTITY_NOT_FOUND`, ...).
    pub error_code: Option<String>,
    /// A human-readable explanation.
    pub error_message: Option<String>,
    /// One entry per violation, for validation errors.
    #[serde(default)]
    pub errors: Vec<ErrorDetail>,
    /// The method of the failed request, as the gateway saw it.
    pub request_method: Option<String>,
    /// The path of the failed request, as the gateway saw it.
    #[serde(rename = "requestURI")]
    pub request_uri: Option<String>,
}

/// One entry of `errors[]`: a code and what it means.
#[derive(Debug, Clone, Default, Deserialize)]
#[non_exhaustive]
pub struct ErrorDetail {
    /// The violation's code (`INVALID_COUNTRY_CODE`, ...).
    pub code: Option<String>,
    /// What it means.
    pub message: Option<String>,
}

/// The gateway's rejection body (`path`, `status`, `error`, `message`, `requestId`, `traceId`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct GatewayError {
    /// The path of the rejected request.
    pub path: Option<String>,
    /// The HTTP status, repeated in the body.
    pub status: Option<u16>,
    /// The status reason phrase.
    pub error: Option<String>,
    /// What was wrong.
    pub message: Option<String>,
    /// The gateway's request id, worth quoting to Scalexpert support.
    pub request_id: Option<String>,
    /// The gateway's trace id, worth quoting to Scalexpert support.
    pub trace_id: Option<String>,
}

impl ErrorBody {
    /// Reads an error body of any shape; never fails.
    pub fn parse(bytes: &[u8]) -> ErrorBody {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return ErrorBody::Empty;
        }
        if let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes) {
            let has = |key: &str| value.get(key).is_some();
            if has("errorCode") || has("httpStatusCode") || has("errorMessage") || has("errors") {
                if let Ok(baas) = serde_json::from_value(value.clone()) {
                    return ErrorBody::Baas(baas);
                }
            }
            if has("traceId") || has("requestId") || (has("path") && has("status")) {
                if let Ok(gateway) = serde_json::from_value(value) {
                    return ErrorBody::Gateway(gateway);
                }
            }
        }
        ErrorBody::Unstructured {
            excerpt: excerpt(bytes),
        }
    }
}

fn status_code_lenient<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u16>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum NumberOrText {
        Number(u16),
        Text(String),
    }
    Ok(match Option::<NumberOrText>::deserialize(d)? {
        Some(NumberOrText::Number(n)) => Some(n),
        Some(NumberOrText::Text(t)) => t.trim().parse().ok(),
        None => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redact::EXCERPT_CHARS;

    #[test]
    fn parses_baas_body_with_textual_status() {
        let body = ErrorBody::parse(
            br#"{"timestamp":"2024-01-01T00:00:00Z","httpStatusCode":"400","errorCode":"BAD_REQUEST","errorMessage":"duplicate","requestURI":"/v1/subscriptions"}"#,
        );
        match body {
            ErrorBody::Baas(b) => {
                assert_eq!(b.http_status_code, Some(400));
                assert_eq!(b.error_code.as_deref(), Some("BAD_REQUEST"));
                assert_eq!(b.request_uri.as_deref(), Some("/v1/subscriptions"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn parses_gateway_422_body() {
        let body = ErrorBody::parse(
            br#"{"path":"/e-financing/api/v1/subscriptions","status":422,"error":"Unprocessable Entity","message":"bad","requestId":"r1","traceId":"t1"}"#,
        );
        assert!(
            matches!(
                body,
                ErrorBody::Gateway(GatewayError {
                    status: Some(422),
                    ..
                })
            ),
            "{body:?}"
        );
    }

    #[test]
    fn html_and_empty_bodies_are_kept_as_excerpts() {
        let html = "<html>".to_string() + &"x".repeat(1000);
        match ErrorBody::parse(html.as_bytes()) {
            ErrorBody::Unstructured { excerpt } => {
                assert!(excerpt.starts_with("<html>"));
                assert!(excerpt.chars().count() <= EXCERPT_CHARS + 1);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(ErrorBody::parse(b"  "), ErrorBody::Empty));
    }
}
