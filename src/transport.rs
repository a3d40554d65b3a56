//! What happens to every generated call: token, merchant header, timeout, retries, tracing, and
//! turning error answers into [`crate::Error`].
//!
//! progenitor's `ClientHooks::exec` is the one place a generated call goes through; each
//! version's `Client` implements it by calling [`execute`] (see `client_hooks!`).

use crate::auth::TokenSlot;
use crate::client::Shared;
use crate::error::{excerpt, ApiError, ErrorBody};
use crate::retry::is_replay_safe;
use crate::{ApiVersion, Error};
use progenitor_client::OperationInfo;
use reqwest::header::{HeaderName, HeaderValue, AUTHORIZATION};
use reqwest::StatusCode;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tracing::Instrument;

/// The header naming the merchant a PSP calls for.
pub const MERCHANT_HEADER: HeaderName = HeaderName::from_static("x-baas-client-ref-for-proxi-id");

/// How much of an error body is read at most.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// State every generated client carries: the shared pool and token cache, plus what is
/// particular to this view (merchant, timeout). Opaque; build clients with [`crate::Client`].
#[derive(Clone)]
pub struct Inner {
    pub(crate) shared: Arc<Shared>,
    pub(crate) token: Arc<TokenSlot>,
    pub(crate) merchant: Option<HeaderValue>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) api: ApiVersion,
    /// The version's operation table (replay safety per operation).
    pub(crate) operations: &'static [crate::Operation],
}

impl fmt::Debug for Inner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Inner")
            .field("api", &self.api)
            .field("merchant", &self.merchant)
            .field("timeout", &self.timeout)
            .field("token", &self.token)
            .field("shared", &self.shared)
            .finish()
    }
}

/// Implements the hooks and [`crate::GeneratedClient`] for one generated version's `Client`.
/// `build.rs` invokes it in every generated module.
// Unused only in a build with every API version feature off.
#[allow(unused_macros)]
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
                )
                .await
            }
        }

        impl $crate::GeneratedClient for $client {
            const API: $crate::ApiVersion = API;
            const UATC_URLS: $crate::environment::SpecUrls = UATC_URLS;
            const PRODUCTION_URLS: $crate::environment::SpecUrls = PRODUCTION_URLS;
            const SCOPE: &'static str = SCOPE;
            const OPERATIONS: &'static [$crate::Operation] = OPERATIONS;

            fn assemble(
                baseurl: &str,
                http: ::reqwest::Client,
                inner: $crate::transport::Inner,
            ) -> Self {
                Self::new_with_client(baseurl, http, inner)
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use client_hooks;

/// Error answers travel to `From<progenitor_client::Error>` inside the response's extensions,
/// already read and typed, so the conversion needs no I/O.
#[derive(Clone)]
struct Carried(Arc<Mutex<Option<Error>>>);

/// Takes the typed error the transport attached to a response, if any.
pub(crate) fn take_carried_error(response: &reqwest::Response) -> Option<Error> {
    let carried = response.extensions().get::<Carried>()?;
    carried
        .0
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .take()
}

fn carry(error: Error, status: StatusCode) -> reqwest::Response {
    // The generated code only needs a non-success status to hand the response back unread.
    let status = if status.is_success() {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        status
    };
    let mut response = http_response(status);
    response
        .extensions_mut()
        .insert(Carried(Arc::new(Mutex::new(Some(error)))));
    reqwest::Response::from(response)
}

fn http_response(status: StatusCode) -> http::Response<Vec<u8>> {
    let mut response = http::Response::new(Vec::new());
    *response.status_mut() = status;
    response
}

/// Sends one generated call with everything the facade adds.
pub async fn execute(
    inner: &Inner,
    request: reqwest::Request,
    info: &OperationInfo,
) -> reqwest::Result<reqwest::Response> {
    let span = tracing::info_span!(
        "scalexpert.call",
        operation = info.operation_id,
        api = inner.api.api,
        version = inner.api.version,
        method = %request.method(),
        merchant = tracing::field::Empty,
        status = tracing::field::Empty,
        attempt = tracing::field::Empty,
        latency_ms = tracing::field::Empty,
    );
    if span.is_disabled() {
        // No subscriber listens: skip entering and leaving the span on every poll.
        return execute_with_retries(inner, request, info, &span).await;
    }
    if let Some(merchant) = inner.merchant.as_ref().and_then(|m| m.to_str().ok()) {
        span.record("merchant", merchant);
    }
    execute_with_retries(inner, request, info, &span)
        .instrument(span.clone())
        .await
}

/// progenitor adds this header to every call; the Scalexpert specs declare no such header, so
/// the facade sends exactly what the spec describes.
const GENERATOR_VERSION_HEADER: HeaderName = HeaderName::from_static("api-version");

async fn execute_with_retries(
    inner: &Inner,
    mut request: reqwest::Request,
    info: &OperationInfo,
    span: &tracing::Span,
) -> reqwest::Result<reqwest::Response> {
    request.headers_mut().remove(&GENERATOR_VERSION_HEADER);
    // Spans are off unless a subscriber listens: then the per-attempt fields cost nothing.
    let traced = !span.is_disabled();
    let shared = &inner.shared;
    let policy = &shared.retry;
    let replay_safe = is_replay_safe(request.method(), info.operation_id, inner.operations);
    if shared.log_payloads {
        if let Some(body) = request.body().and_then(|b| b.as_bytes()) {
            tracing::trace!(body = %String::from_utf8_lossy(body), "request body");
        }
    }
    let mut attempt: u32 = 0;
    let mut refreshed_after_401 = false;
    loop {
        attempt += 1;
        let token = match shared.auth.token(&inner.token, &shared.http).await {
            Ok(token) => token,
            Err(error) => return Ok(carry(Error::Auth(error), StatusCode::UNAUTHORIZED)),
        };
        // Set on the kept request, then copied: the copy's header map is then sized for them.
        request
            .headers_mut()
            .insert(AUTHORIZATION, token.authorization.clone());
        if let Some(merchant) = &inner.merchant {
            request
                .headers_mut()
                .insert(MERCHANT_HEADER, merchant.clone());
        }
        let Some(mut outgoing) = copy_request(&request) else {
            return Ok(carry(
                Error::InvalidRequest(
                    "a streaming request body cannot be sent through the retrying client".into(),
                ),
                StatusCode::BAD_REQUEST,
            ));
        };
        let timeout = inner.timeout.unwrap_or(shared.request_timeout);
        // A timeout the pool already applies needs no per-request setting, which would cost the
        // request an extension map.
        if shared.pool_timeout != Some(timeout) {
            *outgoing.timeout_mut() = Some(timeout);
        }

        let started = traced.then(Instant::now);
        let result = shared.http.execute(outgoing).await;
        if let Some(started) = started {
            span.record("attempt", attempt);
            span.record("latency_ms", started.elapsed().as_millis() as u64);
        }

        let response = match result {
            Ok(response) => response,
            Err(error) => {
                // A connection that never opened carried nothing: any call may go again.
                // Otherwise the server may have received it: only replay-safe calls go again.
                let retry = attempt < policy.max_attempts
                    && (error.is_connect()
                        || (replay_safe && (error.is_timeout() || error.is_request())));
                tracing::debug!(error = %error, retry, "request failed");
                if retry {
                    tokio::time::sleep(policy.backoff(attempt)).await;
                    continue;
                }
                return Err(error);
            }
        };
        let status = response.status();
        if traced {
            span.record("status", status.as_u16());
        }
        if status.is_success() {
            return Ok(null_for_empty_body(response));
        }
        if status == StatusCode::UNAUTHORIZED && !refreshed_after_401 {
            // The gateway refused the token before the API saw the call: refresh once, replay once.
            refreshed_after_401 = true;
            inner.token.invalidate(&token);
            attempt -= 1;
            continue;
        }
        if replay_safe && attempt < policy.max_attempts {
            if let Some(wait) = policy.wait_after_status(status, response.headers(), attempt) {
                tracing::debug!(?wait, "retrying after {status}");
                tokio::time::sleep(wait).await;
                continue;
            }
        }
        let retry_after = crate::retry::retry_after(response.headers());
        let body = read_bounded(response).await;
        if shared.log_payloads {
            tracing::trace!(body = %excerpt(&body), "error body");
        }
        let error = ApiError {
            status,
            operation_id: info.operation_id,
            request: format!("{} {}", request.method(), request.url().path()),
            body: ErrorBody::parse(&body),
            retry_after,
        };
        return Ok(carry(Error::from_api(error), status));
    }
}

/// A success answer with no body reaches the generated code as the JSON `null`.
///
/// Operations that answer either a body or nothing (rule `optional_body_with_no_content`)
/// decode `null` as `None`; operations without a body never read it, and one that expects a
/// body fails to decode either way.
fn null_for_empty_body(response: reqwest::Response) -> reqwest::Response {
    let empty = response.status() == StatusCode::NO_CONTENT || response.content_length() == Some(0);
    if !empty {
        return response;
    }
    let mut replaced = http::Response::new(b"null".to_vec());
    *replaced.status_mut() = response.status();
    *replaced.version_mut() = response.version();
    *replaced.headers_mut() = response.headers().clone();
    replaced.headers_mut().insert(
        reqwest::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    replaced
        .headers_mut()
        .remove(reqwest::header::CONTENT_LENGTH);
    reqwest::Response::from(replaced)
}

/// A copy of `request` for one attempt, or `None` if its body is a stream.
///
/// `reqwest::Request::try_clone` always gives the copy an extension map for its timeout
/// setting, which costs allocations on every call. The generated code builds requests with
/// `RequestBuilder`, whose only extension is that timeout: without one, nothing else is lost
/// by copying the parts here.
fn copy_request(request: &reqwest::Request) -> Option<reqwest::Request> {
    if request.timeout().is_some() {
        return request.try_clone();
    }
    let body = match request.body() {
        // Bodies the generated code builds are whole buffers, never streams.
        Some(body) => Some(reqwest::Body::from(bytes::Bytes::copy_from_slice(
            body.as_bytes()?,
        ))),
        None => None,
    };
    let mut copy = reqwest::Request::new(request.method().clone(), request.url().clone());
    *copy.headers_mut() = request.headers().clone();
    *copy.version_mut() = request.version();
    *copy.body_mut() = body;
    Some(copy)
}

/// The body of an error answer, at most [`MAX_ERROR_BODY`] bytes of it.
async fn read_bounded(mut response: reqwest::Response) -> Vec<u8> {
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        let room = MAX_ERROR_BODY.saturating_sub(body.len());
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= MAX_ERROR_BODY {
            break;
        }
    }
    body
}
