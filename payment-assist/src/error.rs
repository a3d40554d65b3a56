//! The one error type of the crate.
//!
//! Generated methods return `progenitor_client::Error`; it converts into [`Error`] with `?`.
//! Error answers never reach the generated code as typed values (the build's
//! `error_responses_left_to_facade` rule): the transport reads the `{status, msg, data}`
//! envelope of every answer, and attaches the typed error to the response it hands back, so
//! the conversion needs no I/O. A `200` whose envelope says `error` is an error too.

use reqwest::StatusCode;
use std::fmt;

/// Everything that can go wrong calling Payment Assist.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// 400: a parameter is missing or wrong.
    #[error("bad request: {0}")]
    BadRequest(Box<ApiError>),
    /// 401: the API key or the signature was refused.
    #[error("unauthorized: {0}")]
    Unauthorized(Box<ApiError>),
    /// 403: the dealer may not do this.
    #[error("forbidden: {0}")]
    Forbidden(Box<ApiError>),
    /// 404: no such application, or not in a state that allows it (an invoice for an
    /// application that is not completed).
    #[error("not found: {0}")]
    NotFound(Box<ApiError>),
    /// Any other refusal: `status: "error"` with a success status, 405, 5xx, …
    #[error("API error: {0}")]
    Api(Box<ApiError>),
    /// No answer in time (connect or whole request).
    #[error("timed out: {0}")]
    Timeout(String),
    /// The connection failed or broke.
    #[error("transport error: {0}")]
    Transport(String),
    /// An answer that is not the envelope the spec describes, or whose data does not match.
    /// The message names the position, never the values (they may be the customer's).
    #[error("cannot decode answer{}: {message}", status.map(|s| format!(" ({s})")).unwrap_or_default())]
    Decode {
        /// The status of the answer, when there was one.
        status: Option<StatusCode>,
        /// What did not match.
        message: String,
    },
    /// A value breaks a spec constraint (length, required field); nothing was sent.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The client is configured wrongly (a demo secret against production, say).
    #[error("configuration error: {0}")]
    Configuration(String),
}

/// A result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An answer Payment Assist gave as an error, with what its envelope said.
#[derive(Clone)]
pub struct ApiError {
    /// HTTP status of the answer (a success status when only the envelope said `error`).
    pub status: StatusCode,
    /// The operation that made the call (`begin`, `status`, …).
    pub operation_id: &'static str,
    /// Method and path of the request (no query: it holds the key and the signature).
    pub request: String,
    /// The envelope's `msg`, when the answer was an envelope.
    pub message: Option<String>,
    /// The envelope's `data`, when it had any. Left out of `Display` and `Debug`: it may
    /// repeat what was sent about the customer.
    pub data: Option<serde_json::Value>,
    /// Whether the body was the documented envelope at all (an HTML error page is not).
    pub enveloped: bool,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} on {} ({})",
            self.status, self.request, self.operation_id
        )?;
        match &self.message {
            Some(message) => write!(f, ": {message}"),
            None if !self.enveloped => f.write_str(": the answer was not a JSON envelope"),
            None => Ok(()),
        }
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("status", &self.status)
            .field("operation_id", &self.operation_id)
            .field("request", &self.request)
            .field("message", &self.message)
            .field("data", &self.data.as_ref().map(|_| "[withheld]"))
            .field("enveloped", &self.enveloped)
            .finish()
    }
}

impl Error {
    /// The error answer, for the variants that come from one.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::BadRequest(e)
            | Error::Unauthorized(e)
            | Error::Forbidden(e)
            | Error::NotFound(e)
            | Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// The variant an error answer belongs to, by its HTTP status.
    pub(crate) fn from_api(error: ApiError) -> Error {
        let boxed = Box::new(error);
        match boxed.status {
            StatusCode::BAD_REQUEST => Error::BadRequest(boxed),
            StatusCode::UNAUTHORIZED => Error::Unauthorized(boxed),
            StatusCode::FORBIDDEN => Error::Forbidden(boxed),
            StatusCode::NOT_FOUND => Error::NotFound(boxed),
            _ => Error::Api(boxed),
        }
    }

    /// A decoding error that names where, not what: serde's messages quote the values.
    pub(crate) fn decode(status: Option<StatusCode>, error: &serde_json::Error) -> Error {
        Error::Decode {
            status,
            message: format!(
                "{:?} error at line {} column {}",
                error.classify(),
                error.line(),
                error.column()
            ),
        }
    }

    pub(crate) fn from_reqwest(error: reqwest::Error) -> Error {
        // reqwest's message may hold the URL, whose query holds the key and the signature.
        let error = error.without_url();
        if error.is_timeout() {
            Error::Timeout(error.to_string())
        } else {
            Error::Transport(error.to_string())
        }
    }
}
