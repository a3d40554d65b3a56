//! The one error type of the crate.
//!
//! Generated methods return `progenitor_client::Error`; it converts into `Error` with `?`.
//! Error statuses never reach the generated code as typed values (the build's
//! `error_responses_left_to_facade` rule): the transport reads their bodies, types the error
//! and attaches it to the response it hands back (`carry`), so the conversion needs no I/O.

mod body;
mod network;
mod throttled;

pub use body::{BaasError, ErrorBody, ErrorDetail, GatewayError};
pub use network::{NetworkError, NetworkErrorKind, Step};
pub use throttled::Throttled;

use reqwest::StatusCode;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Everything that can go wrong calling Scalexpert.
///
/// No message quotes a secret, a token or a value of a response body: credentials a server
/// echoes are removed, and decoding errors name the path and the expected type only.
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
    /// The gateway answered 429 and retries ran out; [`ApiError::retry_after`] says how long
    /// it asked to wait.
    #[error("rate limited: {0}")]
    RateLimited(Box<ApiError>),
    /// Any other error status: 400 validation errors, 422 gateway schema errors, 5xx.
    #[error("API error: {0}")]
    Api(Box<ApiError>),
    /// The client's quota governor found no slot before the call's deadline; nothing was sent.
    /// Unlike [`Error::RateLimited`] (the gateway's 429), the gateway never saw the call.
    #[error("throttled: {0}")]
    Throttled(Throttled),
    /// The token endpoint refused, failed or could not be reached; nothing was sent to the API.
    #[error("authentication failed: {0}")]
    Auth(#[source] AuthError),
    /// No (whole) answer in time: connecting, the token request, the call or its body.
    #[error("timed out: {0}")]
    Timeout(#[source] NetworkError),
    /// The connection could not be opened, or broke before the whole answer arrived.
    #[error("network error: {0}")]
    Transport(#[source] NetworkError),
    /// A success status whose body does not match the spec. The message names where and what
    /// was expected; the excerpt keeps the body's shape with every string masked, so no buyer
    /// data ends up in logs.
    #[error("cannot decode response{}: {message}; body starts with {excerpt:?}", status.map(|s| format!(" ({s})")).unwrap_or_default())]
    Decode {
        /// The status of the answer, when there was one.
        status: Option<StatusCode>,
        /// What did not match, and where.
        message: String,
        /// The first characters of the body, JSON strings masked.
        excerpt: String,
    },
    /// A value breaks a spec constraint (length, pattern, enum, required); nothing was sent.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The client is configured wrongly (environment, credentials, merchant reference); an
    /// error about an environment variable names the variable.
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
    /// The body, parsed as far as its shape is known, credentials the server echoed removed.
    pub body: ErrorBody,
    /// How long the server asked to wait (`Retry-After`), when it said.
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
        if let Some(wait) = self.retry_after {
            write!(f, ", retry after {wait:?}")?;
        }
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

/// The token endpoint did not give a token.
#[derive(Debug, Clone)]
pub struct AuthError {
    /// HTTP status of the token endpoint, when it answered.
    pub status: Option<StatusCode>,
    /// What went wrong, with the start of the body (credentials removed).
    pub detail: String,
    /// Why the endpoint could not be reached, when it did not answer.
    cause: Option<NetworkError>,
}

impl AuthError {
    /// The endpoint answered `status` without a usable token.
    pub(crate) fn answered(status: StatusCode, detail: String) -> Self {
        AuthError {
            status: Some(status),
            detail,
            cause: None,
        }
    }

    /// The endpoint could not be reached (host unknown, connection refused or broken).
    pub(crate) fn unreachable(cause: NetworkError) -> Self {
        AuthError {
            status: None,
            detail: cause.to_string(),
            cause: Some(cause),
        }
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status {
            Some(status) => write!(f, "token endpoint answered {status}: {}", self.detail),
            None => write!(f, "token endpoint unreachable: {}", self.detail),
        }
    }
}

impl std::error::Error for AuthError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause
            .as_ref()
            .map(|cause| cause as &(dyn std::error::Error + 'static))
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
            | Error::RateLimited(e)
            | Error::Api(e) => Some(e),
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

    /// How long the server asked to wait before trying again (`Retry-After`), when it said.
    pub fn retry_after(&self) -> Option<Duration> {
        self.api_error().and_then(|e| e.retry_after)
    }

    /// Sorts an API error answer into its variant.
    pub(crate) fn from_api(error: ApiError) -> Error {
        let error = Box::new(error);
        match error.status {
            StatusCode::UNAUTHORIZED => Error::Unauthorized(error),
            StatusCode::FORBIDDEN => Error::Forbidden(error),
            StatusCode::NOT_FOUND => Error::NotFound(error),
            StatusCode::CONFLICT => Error::Conflict(error),
            StatusCode::TOO_MANY_REQUESTS => Error::RateLimited(error),
            _ => Error::Api(error),
        }
    }

    /// A failure of `reqwest` outside the transport's attempts: the generated code reading
    /// the body of a call that is not replayed.
    fn from_reqwest(error: reqwest::Error) -> Error {
        if error.is_builder() {
            return Error::InvalidRequest(error.without_url().to_string());
        }
        NetworkError::from_reqwest(error, Step::Call, None).into_error()
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
            | Generated::InvalidUpgrade(e) => Error::from_reqwest(e),
            Generated::InvalidResponsePayload(bytes, e) => Error::Decode {
                status: None,
                message: crate::redact::decode_message(&e, &bytes),
                excerpt: crate::redact::shape_excerpt(&bytes),
            },
            Generated::ErrorResponse(response) => Error::Api(Box::new(ApiError {
                status: response.status(),
                operation_id: "",
                request: String::new(),
                body: ErrorBody::Empty,
                retry_after: None,
            })),
            Generated::UnexpectedResponse(response) => match take_carried(&response) {
                Some(error) => error,
                None => Error::Decode {
                    status: Some(response.status()),
                    message: "a status the spec does not declare".to_string(),
                    excerpt: String::new(),
                },
            },
        }
    }
}

/// A typed error travelling to `From<progenitor_client::Error>` inside the extensions of the
/// response the transport hands the generated code.
#[derive(Clone)]
struct Carried(Arc<Mutex<Option<Error>>>);

/// A response the generated code passes on unread (its status is not a success), carrying
/// `error` for the conversion into [`Error`].
pub(crate) fn carry(error: Error, status: Option<StatusCode>) -> reqwest::Response {
    let status = status
        .filter(|status| !status.is_success())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = http::Response::new(Vec::new());
    *response.status_mut() = status;
    response
        .extensions_mut()
        .insert(Carried(Arc::new(Mutex::new(Some(error)))));
    reqwest::Response::from(response)
}

/// Takes the typed error [`carry`] attached to a response, if any.
fn take_carried(response: &reqwest::Response) -> Option<Error> {
    let carried = response.extensions().get::<Carried>()?;
    carried
        .0
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .take()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn a_carried_error_comes_back_once() {
        let response = carry(
            Error::InvalidRequest("no".into()),
            Some(StatusCode::BAD_REQUEST),
        );
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let error = Error::from(progenitor_client::Error::UnexpectedResponse(response));
        assert!(matches!(error, Error::InvalidRequest(m) if m == "no"));
    }

    #[test]
    fn a_deadline_timeout_names_its_step_and_limit() {
        let error = NetworkError::deadline_passed(Step::TokenRequest, Duration::from_millis(300))
            .into_error();
        assert!(matches!(&error, Error::Timeout(n) if n.step() == Step::TokenRequest));
        assert_eq!(
            error.to_string(),
            "timed out: no answer within 300ms (token request)"
        );
        assert!(error.source().is_some(), "the network error is the source");
    }
}
