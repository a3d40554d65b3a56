//! The one error type of the crate.
//!
//! Generated methods return `progenitor_client::Error`; it converts into [`Error`] with `?`.
//! Error statuses never reach the generated code as typed values (the build's
//! `error_responses_left_to_facade` rule): the transport reads their bodies and attaches the
//! typed error here, so the conversion needs no I/O.

use reqwest::StatusCode;
use serde::Deserialize;
use std::fmt;
use std::time::Duration;

/// Everything that can go wrong calling Scalexpert.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The gateway answered 401 even after one token refresh.
    #[error("unauthorized: {0}")]
    Unauthorized(Box<ApiError>),
    /// The gateway answered 403: missing scope, or not allowed for this merchant.
    #[error("forbidden: {0}")]
    Forbidden(Box<ApiError>),
    /// The gateway answered 404 (`ENTITY_NOT_FOUND` and the like).
    #[error("not found: {0}")]
    NotFound(Box<ApiError>),
    /// The gateway answered 409.
    #[error("conflict: {0}")]
    Conflict(Box<ApiError>),
    /// The gateway answered 429 and retries ran out.
    #[error("rate limited (retry after {retry_after:?}): {error}")]
    RateLimited {
        /// How long the gateway asked to wait, when it said.
        retry_after: Option<Duration>,
        /// The answer itself.
        error: Box<ApiError>,
    },
    /// Any other error status: 400 validation errors, 422 gateway schema errors, 5xx.
    #[error("API error: {0}")]
    Api(Box<ApiError>),
    /// The token endpoint refused or failed; nothing was sent to the API.
    #[error("authentication failed: {0}")]
    Auth(AuthError),
    /// No answer in time (connect or whole request).
    #[error("timed out: {0}")]
    Timeout(String),
    /// The connection failed or broke.
    #[error("transport error: {0}")]
    Transport(String),
    /// A success status whose body does not match the spec. The excerpt keeps the body's shape
    /// with every string masked, so no buyer data ends up in logs.
    #[error("cannot decode response{}: {message}; body starts with {excerpt:?}", status.map(|s| format!(" ({s})")).unwrap_or_default())]
    Decode {
        /// The status of the answer, when there was one.
        status: Option<StatusCode>,
        /// What did not match.
        message: String,
        /// The first characters of the body, JSON strings masked.
        excerpt: String,
    },
    /// A value breaks a spec constraint (length, pattern, enum, required); nothing was sent.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The client is configured wrongly (environment, credentials, merchant reference).
    #[error("configuration error: {0}")]
    Configuration(String),
}

/// A result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error status from the API, with what its body said.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status of the answer.
    pub status: StatusCode,
    /// The generated method that made the call (`initiate_credit_subscription`, ...): the
    /// spec's `operationId` in snake case.
    pub operation_id: &'static str,
    /// Method and path of the request, as sent (query string left out).
    pub request: String,
    /// The body, parsed as far as its shape is known.
    pub body: ErrorBody,
    /// `Retry-After`, when the server gave one.
    pub retry_after: Option<Duration>,
}

impl ApiError {
    /// Every error code in the body: `errorCode`, then each `errors[].code`.
    ///
    /// ```
    /// # use scalexpert::error::{ApiError, ErrorBody};
    /// let body = ErrorBody::parse(br#"{"errorCode":"REQUEST_VALIDATION_ERROR","errors":[{"code":"INVALID_COUNTRY_CODE"}]}"#);
    /// let error = ApiError { status: reqwest::StatusCode::BAD_REQUEST, operation_id: "x", request: "GET /x".into(), body, retry_after: None };
    /// assert_eq!(error.codes(), ["REQUEST_VALIDATION_ERROR", "INVALID_COUNTRY_CODE"]);
    /// ```
    pub fn codes(&self) -> Vec<&str> {
        match &self.body {
            ErrorBody::Baas(baas) => baas
                .error_code
                .as_deref()
                .into_iter()
                .chain(baas.errors.iter().filter_map(|e| e.code.as_deref()))
                .collect(),
            ErrorBody::Gateway(gateway) => gateway.error.as_deref().into_iter().collect(),
            ErrorBody::Unstructured { .. } | ErrorBody::Empty => Vec::new(),
        }
    }

    /// Whether `code` is among [`ApiError::codes`].
    pub fn has_code(&self, code: &str) -> bool {
        self.codes().contains(&code)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} on {} ({})",
            self.status, self.request, self.operation_id
        )?;
        match &self.body {
            ErrorBody::Baas(b) => {
                if let Some(code) = &b.error_code {
                    write!(f, ": {code}")?;
                }
                if let Some(message) = &b.error_message {
                    write!(f, ": {message}")?;
                }
                for e in &b.errors {
                    write!(
                        f,
                        " [{}: {}]",
                        e.code.as_deref().unwrap_or("?"),
                        e.message.as_deref().unwrap_or("")
                    )?;
                }
                Ok(())
            }
            ErrorBody::Gateway(g) => write!(
                f,
                ": {} {}",
                g.error.as_deref().unwrap_or(""),
                g.message.as_deref().unwrap_or("")
            ),
            ErrorBody::Unstructured { excerpt } => write!(f, ": {excerpt:?}"),
            ErrorBody::Empty => Ok(()),
        }
    }
}

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

/// How much of an unparseable body errors keep.
pub(crate) const EXCERPT_CHARS: usize = 300;

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

/// The start of a body, as text, for messages.
pub(crate) fn excerpt(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out: String = text.chars().take(EXCERPT_CHARS).collect();
    if text.chars().count() > EXCERPT_CHARS {
        out.push('…');
    }
    out
}

/// The start of a success body with every JSON string replaced by `"…"`: enough to see the
/// shape that failed to decode, without the buyer's names, e-mail or address a subscription
/// holds. A body that is not JSON is excerpted as it is.
pub(crate) fn shape_excerpt(bytes: &[u8]) -> String {
    fn mask(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::String(text) => *text = "…".to_string(),
            serde_json::Value::Array(items) => items.iter_mut().for_each(mask),
            serde_json::Value::Object(map) => map.values_mut().for_each(mask),
            _ => {}
        }
    }
    match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(mut value) => {
            mask(&mut value);
            excerpt(value.to_string().as_bytes())
        }
        Err(_) => excerpt(bytes),
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

/// The token endpoint did not give a token.
#[derive(Debug, Clone)]
pub struct AuthError {
    /// HTTP status of the token endpoint, when it answered.
    pub status: Option<StatusCode>,
    /// What went wrong, with the start of the body (credentials scrubbed).
    pub detail: String,
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status {
            Some(status) => write!(f, "token endpoint answered {status}: {}", self.detail),
            None => write!(f, "token endpoint unreachable: {}", self.detail),
        }
    }
}

impl Error {
    /// The API error behind this error, for the variants that have one.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Unauthorized(e)
            | Error::Forbidden(e)
            | Error::NotFound(e)
            | Error::Conflict(e)
            | Error::Api(e)
            | Error::RateLimited { error: e, .. } => Some(e),
            _ => None,
        }
    }

    /// The HTTP status, when the error came from an answer.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Auth(a) => a.status,
            Error::Decode { status, .. } => *status,
            other => other.api_error().map(|e| e.status),
        }
    }

    /// Sorts an API error answer into its variant.
    pub(crate) fn from_api(error: ApiError) -> Error {
        let error = Box::new(error);
        match error.status {
            StatusCode::UNAUTHORIZED => Error::Unauthorized(error),
            StatusCode::FORBIDDEN => Error::Forbidden(error),
            StatusCode::NOT_FOUND => Error::NotFound(error),
            StatusCode::CONFLICT => Error::Conflict(error),
            StatusCode::TOO_MANY_REQUESTS => Error::RateLimited {
                retry_after: error.retry_after,
                error,
            },
            _ => Error::Api(error),
        }
    }

    pub(crate) fn from_reqwest(error: &reqwest::Error) -> Error {
        // reqwest's Display names the URL (never a header), so it is safe to keep.
        let text = error_chain(error);
        if error.is_timeout() {
            Error::Timeout(text)
        } else if error.is_builder() {
            Error::InvalidRequest(text)
        } else {
            Error::Transport(text)
        }
    }
}

/// progenitor's message for a builder value that did not convert names the type as tokens
/// (`conversion to `:: scalexpert :: Amount` for financed_amount failed`) and drops the reason;
/// this writes the path as Rust does and, for amounts, says what an amount must be.
fn explain_conversion(message: String) -> String {
    if !message.starts_with("conversion to `") {
        return message;
    }
    let mut text = message.replace(" :: ", "::").replace("`:: ", "`::");
    if text.contains("scalexpert::Amount`") {
        text.push_str(": ");
        text.push_str(&crate::amount::AmountError::TooManyDecimals.to_string());
        text.push_str(", below 10^13");
    }
    text
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl From<progenitor_client::Error<()>> for Error {
    fn from(error: progenitor_client::Error<()>) -> Self {
        use progenitor_client::Error as Generated;
        match error {
            Generated::InvalidRequest(message) => {
                Error::InvalidRequest(explain_conversion(message))
            }
            Generated::Custom(message) => Error::InvalidRequest(message),
            Generated::CommunicationError(e)
            | Generated::ResponseBodyError(e)
            | Generated::InvalidUpgrade(e) => Error::from_reqwest(&e),
            Generated::InvalidResponsePayload(bytes, e) => Error::Decode {
                status: None,
                message: e.to_string(),
                excerpt: shape_excerpt(&bytes),
            },
            Generated::ErrorResponse(response) => Error::Api(Box::new(ApiError {
                status: response.status(),
                operation_id: "",
                request: String::new(),
                body: ErrorBody::Empty,
                retry_after: None,
            })),
            Generated::UnexpectedResponse(response) => {
                match crate::transport::take_carried_error(&response) {
                    Some(error) => error,
                    None => Error::Decode {
                        status: Some(response.status()),
                        message: "a status the spec does not declare".to_string(),
                        excerpt: String::new(),
                    },
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn decode_excerpts_keep_the_shape_and_mask_every_string() {
        let shown = shape_excerpt(
            br#"{"buyer":{"email":"claire@example.fr","phones":["0612345678"]},"financedAmount":1500.5,"vip":true}"#,
        );
        assert_eq!(
            shown,
            r#"{"buyer":{"email":"…","phones":["…"]},"financedAmount":1500.5,"vip":true}"#
        );
        assert_eq!(shape_excerpt(b"<html>down</html>"), "<html>down</html>");
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
