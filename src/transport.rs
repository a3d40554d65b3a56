//! Where every generated call starts: progenitor's `ClientHooks::exec`, which each version's
//! `Client` implements by calling `execute` (see `client_hooks!`).
//!
//! A call is a loop of attempts (`crate::attempt`) steered by the retry decision
//! (`crate::retry::decide`); an error answer or failure is typed here and carried to
//! `From<progenitor_client::Error>` (`crate::error::carry`).

use crate::attempt::{Attempted, Call};
use crate::body::{read_bounded, MAX_ERROR_BODY};
use crate::error::{carry, ApiError, ErrorBody};
use crate::redact::excerpt;
use crate::retry::{self, Decision, Progress};
use crate::Error;
use progenitor_client::OperationInfo;
use std::time::Instant;
use tracing::Instrument;

/// The state generated clients carry, named here for `build.rs`'s `with_inner_type`.
pub use crate::shared::{Inner, MERCHANT_HEADER};

/// Implements the hooks and [`crate::GeneratedClient`] for one generated version's `Client`.
/// `build.rs` invokes it in every generated module.
// Unused only in a build with every API version feature off.
#[allow(unused_macros)]
macro_rules! client_hooks {
    ($client:ident) => {
        impl ::progenitor_client::ClientHooks<$crate::transport::Inner> for $client {
            // The transport's future itself, without a wrapping one: a call's future is moved
            // less.
            fn exec(
                &self,
                request: ::reqwest::Request,
                info: &::progenitor_client::OperationInfo,
            ) -> impl ::std::future::Future<Output = ::reqwest::Result<::reqwest::Response>> {
                $crate::transport::execute(
                    ::progenitor_client::ClientInfo::inner(self),
                    request,
                    info,
                )
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

/// Sends one generated call with everything the facade adds. Errors come back as responses
/// carrying a typed [`Error`], which the generated code hands to the `From` conversion: the
/// result is always `Ok`.
pub(crate) async fn execute(
    inner: &Inner,
    request: reqwest::Request,
    info: &OperationInfo,
) -> reqwest::Result<reqwest::Response> {
    // Without a subscriber at INFO the span is not built at all (`info_span!` would still
    // format its fields for the `log` fallback).
    let span = if tracing::level_enabled!(tracing::Level::INFO) {
        tracing::info_span!(
            "scalexpert.call",
            operation = info.operation_id,
            api = inner.api.api,
            version = inner.api.version,
            method = %request.method(),
            merchant = tracing::field::Empty,
            status = tracing::field::Empty,
            attempt = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        )
    } else {
        tracing::Span::none()
    };
    if span.is_disabled() {
        // No subscriber listens: skip entering and leaving the span on every poll.
        return Ok(run(inner, request, info.operation_id, &span).await);
    }
    if let Some(merchant) = inner.merchant.as_ref().and_then(|m| m.to_str().ok()) {
        span.record("merchant", merchant);
    }
    Ok(run(inner, request, info.operation_id, &span)
        .instrument(span.clone())
        .await)
}

/// Attempts the call until the retry decision says to stop.
async fn run(
    inner: &Inner,
    request: reqwest::Request,
    operation_id: &'static str,
    span: &tracing::Span,
) -> reqwest::Response {
    let mut call = Call::new(inner, request, operation_id);
    // Spans are off unless a subscriber listens: then the per-attempt fields cost nothing.
    let traced = !span.is_disabled();
    let policy = &inner.shared.retry;
    let mut progress = Progress::FIRST;
    loop {
        let started = traced.then(Instant::now);
        let attempted = call.attempt().await;
        if let Some(started) = started {
            span.record("attempt", progress.attempt);
            span.record("latency_ms", started.elapsed().as_millis() as u64);
            if let Attempted::Answer { response, .. } = &attempted {
                span.record("status", response.status().as_u16());
            }
        }
        let decision = retry::decide(policy, call.replay, progress, attempted.outcome());
        match decision {
            Decision::Return | Decision::GiveUp(_) => {
                if let Decision::GiveUp(reason) = decision {
                    tracing::debug!(
                        attempt = progress.attempt,
                        ?reason,
                        "attempt failed, giving up"
                    );
                }
                return match attempted {
                    Attempted::Answer { response, .. } if response.status().is_success() => {
                        response
                    }
                    // Boxed: only error answers read a body here, and every call's future
                    // is smaller without this one in it.
                    unsuccessful => Box::pin(carried(&call, unsuccessful)).await,
                };
            }
            Decision::Retry(wait) => {
                // Not kept across the wait: the call's future stays small.
                drop(attempted);
                let wait = wait.duration();
                tracing::debug!(
                    attempt = progress.attempt,
                    ?wait,
                    "attempt failed, retrying"
                );
                tokio::time::sleep(wait).await;
                progress.attempt += 1;
            }
            Decision::RefreshToken => {
                tracing::debug!(attempt = progress.attempt, "token refused, refreshing");
                if let Attempted::Answer { token, .. } = &attempted {
                    call.inner.token.invalidate(token);
                }
                progress.token_refreshed = true;
            }
        }
    }
}

/// The response the generated code gets for an attempt that did not succeed: one carrying
/// the typed error.
async fn carried(call: &Call<'_>, attempted: Attempted) -> reqwest::Response {
    match attempted {
        Attempted::Answer {
            mut response,
            token,
        } => {
            let status = response.status();
            let retry_after = retry::retry_after(response.headers());
            let body = read_bounded(&mut response, MAX_ERROR_BODY).await;
            // Whatever the server echoes of what we sent goes before anything reads the body.
            let body = call
                .inner
                .shared
                .auth
                .scrub(&String::from_utf8_lossy(&body), Some(&token));
            if call.inner.shared.log_payloads {
                tracing::trace!(body = %excerpt(body.as_bytes()), "error body");
            }
            let error = ApiError {
                status,
                operation_id: call.operation_id,
                request: call.describe(),
                body: ErrorBody::parse(body.as_bytes()),
                retry_after,
            };
            carry(Error::from_api(error), Some(status))
        }
        Attempted::Failed(failure) => {
            tracing::debug!(error = %failure, "call failed");
            carry(failure.into_error(), None)
        }
        Attempted::Refused(error) => carry(error, None),
    }
}
