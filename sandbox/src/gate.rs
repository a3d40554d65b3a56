//! The gate every operation goes through before and after its handler, whatever the API:
//!
//! 1. exactly one `Authorization` header, a known unexpired bearer token (401 otherwise); at
//!    the token endpoint, the client id and secret of its `Basic` header (401 otherwise);
//! 2. the API's scope among the token's (403), and the quota of the token's client for that
//!    scope (429 with `Retry-After`);
//! 3. the tenant: at most one non-empty `X-BAAS-CLIENT-REF-FOR-PROXI-ID`, present for PSP
//!    credentials and absent for a merchant's (400, 403);
//! 4. the body, only now: at most [`Limits::max_body_bytes`](crate::Limits), declared or sent
//!    (413), within [`Limits::body_read_timeout`](crate::Limits) (408);
//! 5. an injected fault of the operation: [`Phase::Before`] replaces the handler,
//!    [`Phase::After`] lets it run and then decides what the client gets.
//!
//! So an unauthenticated client never makes the sandbox read a body, and a route built from an
//! operation table gets all of this by being wrapped with [`gated`].

use super::auth::Caller;
use super::connections::Connection;
use super::errors::Failure;
use super::faults::{Phase, Shot, Target};
use super::lifecycle::Tenant;
use super::quota::{self, Admission};
use super::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, request::Parts, HeaderMap, Method};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::MethodRouter;
use http_body_util::{BodyExt as _, LengthLimitError, Limited};
use scalexpert::MERCHANT_HEADER;
use std::time::Duration;

/// What the gate checks for one route.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Door {
    /// The fault target: the operation's `operationId`, or [`TOKEN`](crate::TOKEN).
    pub(crate) target: Target,
    /// The scope the API requires, for the quota; `None` for the token endpoint, which takes
    /// client credentials instead of a bearer token.
    pub(crate) scope: Option<&'static str>,
}

/// `route` (the handler of `door`'s operation) behind the gate.
pub(crate) fn gated(
    route: MethodRouter<AppState>,
    state: &AppState,
    door: Door,
) -> MethodRouter<AppState> {
    route.route_layer(middleware::from_fn_with_state((state.clone(), door), gate))
}

async fn gate(
    State((state, door)): State<(AppState, Door)>,
    request: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = request.into_parts();
    match admit(&state, door, &mut parts, body).await {
        Ok((body, shot)) => {
            let request = Request::from_parts(parts, Body::from(body));
            match shot {
                None => next.run(request).await,
                Some(shot) => strike(shot, request, next).await,
            }
        }
        Err(failure) => failure.respond(&parts.method, parts.uri.path()),
    }
}

/// Steps 1 to 4, and the fault the call takes: the body, read, if everything passed.
async fn admit(
    state: &AppState,
    door: Door,
    parts: &mut Parts,
    body: Body,
) -> Result<(Bytes, Option<Shot>), Failure> {
    if parts.headers.get_all(header::AUTHORIZATION).iter().count() > 1 {
        return Err(Failure::duplicated_authorization(door.scope.is_none()));
    }
    if let Some(scope) = door.scope {
        let authorization = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        let caller = state
            .auth
            .verify(authorization)
            .ok_or_else(Failure::invalid_token)?;
        if !caller.has_scope(scope) {
            return Err(Failure::forbidden(format!(
                "the access token was not granted the scope {scope}"
            )));
        }
        if let Admission::Limited { retry_after } = state.quota.call(&caller.client_id, scope) {
            return Err(Failure::rate_limited(
                quota::retry_after_seconds(retry_after),
                state.quota.limit(),
                state.quota.window().as_secs_f64(),
            ));
        }
        let tenant = tenant(&caller, &parts.headers)?;
        parts.extensions.insert(tenant);
        parts.extensions.insert(caller);
    } else {
        // The token endpoint: its client credentials are in the head too.
        let authorization = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        state
            .auth
            .authenticate(authorization)
            .map_err(|refusal| refusal.into_failure())?;
    }
    let body = read_body(
        body,
        &parts.headers,
        state.limits.max_body_bytes,
        state.limits.body_read_timeout,
    )
    .await?;
    Ok((body, state.faults.take(door.target)))
}

/// The tenant a call acts for: the caller's credentials and, for a PSP, the one merchant its
/// header names. An empty, blank or repeated header is refused rather than guessed at.
fn tenant(caller: &Caller, headers: &HeaderMap) -> Result<Tenant, Failure> {
    let mut values = headers.get_all(MERCHANT_HEADER).iter();
    let merchant = match (values.next(), values.next()) {
        (None, _) => None,
        (Some(_), Some(_)) => {
            return Err(Failure::bad_request(
                "send X-BAAS-CLIENT-REF-FOR-PROXI-ID once: it names one merchant",
            ))
        }
        (Some(value), None) => {
            let merchant = value.to_str().map(str::trim).map_err(|_| {
                Failure::bad_request("X-BAAS-CLIENT-REF-FOR-PROXI-ID must be printable ASCII")
            })?;
            if merchant.is_empty() {
                return Err(Failure::bad_request(
                    "X-BAAS-CLIENT-REF-FOR-PROXI-ID is empty: name the merchant, or leave the header out",
                ));
            }
            Some(merchant.to_string())
        }
    };
    match (caller.psp, &merchant) {
        (true, None) => Err(Failure::bad_request(
            "PSP credentials must name the merchant in X-BAAS-CLIENT-REF-FOR-PROXI-ID",
        )),
        (false, Some(_)) => Err(Failure::forbidden(
            "X-BAAS-CLIENT-REF-FOR-PROXI-ID is for PSP credentials; these are a merchant's",
        )),
        _ => Ok(Tenant {
            client_id: caller.client_id.clone(),
            merchant,
        }),
    }
}

/// Reads a body of at most `limit` bytes within `timeout`: a longer declared length is refused
/// before anything is read.
pub(crate) async fn read_body(
    body: Body,
    headers: &HeaderMap,
    limit: usize,
    timeout: Duration,
) -> Result<Bytes, Failure> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(Failure::body_too_large(limit));
    }
    match tokio::time::timeout(timeout, Limited::new(body, limit).collect()).await {
        Err(_) => Err(Failure::body_timeout()),
        Ok(Err(error)) if error.downcast_ref::<LengthLimitError>().is_some() => {
            Err(Failure::body_too_large(limit))
        }
        Ok(Err(_)) => Err(Failure::body_unreadable()),
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
    }
}

/// Runs the call through its fault: before the handler (which then runs only if the fault
/// only delays), or after it.
async fn strike(shot: Shot, request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let connection = request.extensions().get::<Connection>().cloned();
    match shot.phase {
        Phase::Before => match struck(&shot, connection, &method, &path).await {
            Some(answer) => answer,
            None => next.run(request).await,
        },
        Phase::After => {
            let answer = next.run(request).await;
            struck(&shot, connection, &method, &path)
                .await
                .unwrap_or(answer)
        }
    }
}

/// What a shot answers once its delay is over; `None` when it only delays.
async fn struck(
    shot: &Shot,
    connection: Option<Connection>,
    method: &Method,
    path: &str,
) -> Option<Response> {
    if let Some(delay) = shot.delay {
        tokio::time::sleep(delay).await;
    }
    if shot.reset {
        let Some(connection) = connection else {
            // Only a connection of the sandbox's own server can be reset.
            return Some(
                Failure::internal("this connection cannot be reset").respond(method, path),
            );
        };
        connection.reset();
        // The connection's task drops this request with the connection.
        return std::future::pending().await;
    }
    shot.status
        .map(|status| Failure::injected(status, shot.retry_after_seconds).respond(method, path))
}
