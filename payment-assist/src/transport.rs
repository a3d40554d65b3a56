//! What happens to every generated call: signing, timeouts, retries, and the envelope.
//!
//! progenitor's `ClientHooks::exec` is the one place a generated call goes through; the
//! version's `Client` implements it by calling [`execute`] (see `client_hooks!`).

use crate::carried::carry;
pub use crate::context::Inner;
use crate::credentials::Credentials;
use crate::error::ApiError;
use crate::operation::{Operation, Replay};
use crate::v1::types::{Envelope, Outcome};
use crate::Error;
use progenitor_client::OperationInfo;
use reqwest::header::{HeaderName, HeaderValue, CONTENT_TYPE};
use reqwest::StatusCode;

/// The most of an answer that is read; Payment Assist's answers are a few kilobytes (a QR
/// code the largest).
const MAX_BODY: usize = 4 * 1024 * 1024;

/// progenitor adds this header to every call; the spec declares no such header.
const GENERATOR_VERSION_HEADER: HeaderName = HeaderName::from_static("api-version");

const FORM: &str = "application/x-www-form-urlencoded";

/// Implements the hooks for one generated version's `Client`; `build.rs` invokes it in every
/// generated module, where `OPERATIONS` is that version's table.
macro_rules! client_hooks {
    ($client:ident) => {
        impl ::progenitor_client::ClientHooks<$crate::transport::Inner> for $client {
            async fn exec(
                &self,
                request: ::reqwest::Request,
                info: &::progenitor_client::OperationInfo,
            ) -> ::reqwest::Result<::reqwest::Response> {
                $crate::transport::execute(
                    ::progenitor_client::ClientInfo::inner(self),
                    request,
                    info,
                    OPERATIONS,
                )
                .await
            }
        }
    };
}
pub(crate) use client_hooks;

/// Sends one generated call: signed, retried as far as its replay safety allows, its
/// envelope checked.
pub async fn execute(
    inner: &Inner,
    mut request: reqwest::Request,
    info: &OperationInfo,
    operations: &'static [Operation],
) -> reqwest::Result<reqwest::Response> {
    request.headers_mut().remove(&GENERATOR_VERSION_HEADER);
    let operation = Operation::by_id(operations, info.operation_id);
    let operation_id = operation.map_or(info.operation_id, |op| op.id);
    // Operations missing from the table are never replayed.
    let replay_safe = operation.is_some_and(|op| op.replay == Replay::Safe);
    let request_line = format!("{} {}", request.method(), request.url().path());
    if let Err(error) = sign(&mut request, &inner.credentials) {
        return Ok(carry(error, StatusCode::BAD_REQUEST));
    }
    let shared = &inner.shared;
    let policy = &shared.retry;
    let mut attempt: u32 = 0;
    loop {
        attempt += 1;
        let Some(outgoing) = request.try_clone() else {
            return Ok(carry(
                Error::InvalidRequest("a streaming body cannot be signed".into()),
                StatusCode::BAD_REQUEST,
            ));
        };
        let response = match shared.http.execute(outgoing).await {
            Ok(response) => response,
            Err(error) => {
                // A connection that never opened carried nothing: any call may go again.
                // Otherwise the server may have received it: only replay-safe calls go again.
                let retry = attempt < policy.max_attempts
                    && (error.is_connect()
                        || (replay_safe && (error.is_timeout() || error.is_request())));
                tracing::debug!(operation = operation_id, attempt, retry, "request failed");
                if retry {
                    tokio::time::sleep(policy.backoff(attempt)).await;
                    continue;
                }
                return Err(error);
            }
        };
        let status = response.status();
        tracing::debug!(
            operation = operation_id,
            attempt,
            status = status.as_u16(),
            "answer"
        );
        if replay_safe && attempt < policy.max_attempts {
            if let Some(wait) = policy.wait_after_status(status, response.headers(), attempt) {
                tokio::time::sleep(wait).await;
                continue;
            }
        }
        return Ok(open_envelope(response, operation_id, request_line).await);
    }
}

/// Signs `request` with the dealer's credentials, adding the API key and the signature where
/// its other parameters are: the form body of a POST, the query otherwise.
fn sign(request: &mut reqwest::Request, credentials: &Credentials) -> Result<(), Error> {
    let is_form = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(FORM));
    let body: Vec<u8> =
        match request.body() {
            None => Vec::new(),
            Some(body) if is_form => body
                .as_bytes()
                .ok_or_else(|| Error::InvalidRequest("a streaming body cannot be signed".into()))?
                .to_vec(),
            Some(_) => return Err(Error::InvalidRequest(
                "only form bodies can be signed; the spec sends every parameter as a form field"
                    .into(),
            )),
        };
    let mut parameters: Vec<(String, String)> = request.url().query_pairs().into_owned().collect();
    parameters.extend(form_urlencoded::parse(&body).into_owned());
    if let Some((name, _)) = parameters
        .iter()
        .find(|(name, _)| crate::signature::is_excluded(name))
    {
        return Err(Error::InvalidRequest(format!(
            "the request already has a parameter {name:?}, which only the signer adds"
        )));
    }
    let signature = crate::signature::sign(credentials, crate::signature::pairs(&parameters));
    let key = crate::v1::API_KEY_PARAMETER;
    let signature_name = crate::v1::SIGNATURE_PARAMETER;
    if request.body().is_some() {
        let mut signed = String::from_utf8_lossy(&body).into_owned();
        let mut added = form_urlencoded::Serializer::new(String::new());
        added.append_pair(key, credentials.api_key());
        added.append_pair(signature_name, &signature);
        if !signed.is_empty() {
            signed.push('&');
        }
        signed.push_str(&added.finish());
        *request.body_mut() = Some(reqwest::Body::from(signed));
    } else {
        request
            .url_mut()
            .query_pairs_mut()
            .append_pair(key, credentials.api_key())
            .append_pair(signature_name, &signature);
    }
    Ok(())
}

/// Reads the answer and its envelope: success data goes on to the generated code, anything
/// else becomes a typed error.
async fn open_envelope(
    mut response: reqwest::Response,
    operation_id: &'static str,
    request: String,
) -> reqwest::Response {
    let status = response.status();
    let version = response.version();
    let headers = response.headers().clone();
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > MAX_BODY {
                    return carry(
                        Error::Decode {
                            status: Some(status),
                            message: format!("the answer is larger than {MAX_BODY} bytes"),
                        },
                        status,
                    );
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(error) => return carry(Error::from_reqwest(error), status),
        }
    }
    let api_error = |message, data, enveloped| {
        Error::from_api(ApiError {
            status,
            operation_id,
            request: request.clone(),
            message,
            data,
            enveloped,
        })
    };
    match serde_json::from_slice::<Envelope>(&body) {
        Ok(envelope) if status.is_success() && envelope.status == Outcome::Ok => {
            let mut passed = http::Response::new(body);
            *passed.status_mut() = status;
            *passed.version_mut() = version;
            *passed.headers_mut() = headers;
            passed
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            reqwest::Response::from(passed)
        }
        Ok(envelope) => carry(
            api_error(envelope.msg.and_then(|m| m.0), envelope.data, true),
            status,
        ),
        Err(error) if status.is_success() => carry(Error::decode(Some(status), &error), status),
        Err(_) => carry(api_error(None, None, false), status),
    }
}
