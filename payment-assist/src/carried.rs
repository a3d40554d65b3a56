//! How an error answer, already read and typed by the transport, reaches the caller.
//!
//! progenitor's generated methods only hand back a `reqwest::Response` for an answer they do
//! not expect; the transport attaches the typed [`Error`] to that response's extensions, and
//! `From<progenitor_client::Error>` takes it out again, so the conversion needs no I/O.

use crate::error::{ApiError, Error};
use reqwest::StatusCode;
use std::sync::{Arc, Mutex};

/// Error answers travel to `From<progenitor_client::Error>` inside the response's extensions,
/// already read and typed, so the conversion needs no I/O.
#[derive(Clone)]
struct Carried(Arc<Mutex<Option<Error>>>);

/// Takes the typed error the transport attached to a response, if any.
fn take_carried_error(response: &reqwest::Response) -> Option<Error> {
    let carried = response.extensions().get::<Carried>()?;
    carried
        .0
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .take()
}

pub(crate) fn carry(error: Error, status: StatusCode) -> reqwest::Response {
    // The generated code only needs a status that is no success to hand the response back.
    let status = if status.is_success() {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        status
    };
    let mut response = http::Response::new(Vec::new());
    *response.status_mut() = status;
    response
        .extensions_mut()
        .insert(Carried(Arc::new(Mutex::new(Some(error)))));
    reqwest::Response::from(response)
}

impl From<progenitor_client::Error<()>> for Error {
    fn from(error: progenitor_client::Error<()>) -> Self {
        use progenitor_client::Error as Generated;
        match error {
            Generated::UnexpectedResponse(response) => match take_carried_error(&response) {
                Some(carried) => carried,
                None => Error::Api(Box::new(ApiError {
                    status: response.status(),
                    operation_id: "unknown",
                    request: response.url().path().to_string(),
                    message: None,
                    data: None,
                    enveloped: false,
                })),
            },
            Generated::InvalidRequest(message) => Error::InvalidRequest(message),
            Generated::CommunicationError(e)
            | Generated::InvalidUpgrade(e)
            | Generated::ResponseBodyError(e) => Error::from_reqwest(e),
            Generated::InvalidResponsePayload(_, e) => Error::decode(None, &e),
            Generated::ErrorResponse(response) => Error::Api(Box::new(ApiError {
                status: response.status(),
                operation_id: "unknown",
                request: String::new(),
                message: None,
                data: None,
                enveloped: false,
            })),
            Generated::Custom(message) => Error::Transport(message),
        }
    }
}
