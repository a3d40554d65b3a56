//! One attempt of a call: token, headers, timeout, send, and the body of a call that may be
//! replayed. What to do with the result is [`crate::retry::decide`]'s business.

use crate::auth::Token;
use crate::body::{self, Unread};
use crate::error::{NetworkError, NetworkErrorKind, Step};
use crate::operation::{Lane, Operation};
use crate::retry::{self, Outcome};
use crate::shared::{Inner, MERCHANT_HEADER};
use crate::{Error, Replay};
use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION};
use std::future::Future;
use std::time::Duration;
use tokio::time::Instant;

/// progenitor adds this header to every call; the Scalexpert specs declare no such header, so
/// the facade sends exactly what the spec describes.
const GENERATOR_VERSION_HEADER: HeaderName = HeaderName::from_static("api-version");

/// A call being made.
pub(crate) struct Call<'a> {
    pub(crate) inner: &'a Inner,
    pub(crate) operation_id: &'static str,
    pub(crate) replay: Replay,
    /// The quota lane of the call (looked up only when the governor is on).
    lane: Lane,
    /// What the next attempt sends.
    request: Source,
}

/// Where the next attempt's request comes from.
enum Source {
    /// The request as the generated code built it: the first attempt sends it.
    Generated(reqwest::Request),
    /// Its parts, copied before it went: later attempts send copies.
    Kept(Kept),
    /// The call succeeded and gave its URL to the answer.
    Spent,
}

/// The parts of a request, kept to build it again.
struct Kept {
    method: reqwest::Method,
    url: reqwest::Url,
    headers: KeptHeaders,
    body: Option<Bytes>,
    version: reqwest::Version,
}

/// How many headers are kept without an allocation: the generated code sets one or two, the
/// facade two more. Copying a `HeaderMap` costs two allocations on every call, though most
/// calls are never sent again.
const FEW_HEADERS: usize = 4;

/// The headers of a kept request.
enum KeptHeaders {
    Few([Option<(HeaderName, HeaderValue)>; FEW_HEADERS]),
    Many(HeaderMap),
}

impl KeptHeaders {
    /// The headers of `headers` but the token, which each attempt sets anew.
    fn of(headers: &HeaderMap) -> KeptHeaders {
        if headers.len() > FEW_HEADERS {
            return KeptHeaders::Many(headers.clone());
        }
        let mut few: [Option<(HeaderName, HeaderValue)>; FEW_HEADERS] = Default::default();
        let kept = headers.iter().filter(|(name, _)| **name != AUTHORIZATION);
        for (slot, (name, value)) in few.iter_mut().zip(kept) {
            *slot = Some((name.clone(), value.clone()));
        }
        KeptHeaders::Few(few)
    }

    /// Sets `name` (the token, the merchant) for the next copy.
    fn insert(&mut self, name: HeaderName, value: HeaderValue) {
        if let KeptHeaders::Few(few) = self {
            if let Some(slot) = few
                .iter_mut()
                .find(|slot| slot.as_ref().is_none_or(|(kept, _)| *kept == name))
            {
                *slot = Some((name, value));
                return;
            }
            *self = KeptHeaders::Many(self.to_map());
        }
        if let KeptHeaders::Many(map) = self {
            map.insert(name, value);
        }
    }

    fn to_map(&self) -> HeaderMap {
        match self {
            KeptHeaders::Many(map) => map.clone(),
            KeptHeaders::Few(few) => {
                let mut map = HeaderMap::with_capacity(FEW_HEADERS);
                for (name, value) in few.iter().flatten() {
                    map.append(name.clone(), value.clone());
                }
                map
            }
        }
    }
}

/// What one attempt gave.
pub(crate) enum Attempted {
    /// The server answered; for a success of a replay-safe call, its whole body is read.
    Answer {
        response: reqwest::Response,
        /// The token the call carried: dropped after a 401, removed from echoing bodies.
        token: Token,
    },
    /// The network failed during the call.
    Failed(NetworkError),
    /// The attempt ended with an error another attempt would not change (the token step
    /// failed, a body over the size limit, a request that cannot be copied).
    Refused(Error),
}

impl Attempted {
    /// What the retry decision needs to know of this attempt.
    pub(crate) fn outcome(&self) -> Outcome {
        match self {
            Attempted::Answer { response, .. } => {
                let status = response.status();
                Outcome::Answered {
                    status,
                    // Only error answers are retried: successes skip the header lookup.
                    retry_after: if status.is_success() {
                        None
                    } else {
                        retry::retry_after(response.headers())
                    },
                }
            }
            Attempted::Failed(failure) if !failure.may_have_arrived() => Outcome::NotConnected,
            Attempted::Failed(failure) => match failure.kind() {
                NetworkErrorKind::Timeout => Outcome::TimedOut,
                NetworkErrorKind::ConnectionBroken => Outcome::Broken,
                _ => Outcome::Final,
            },
            Attempted::Refused(_) => Outcome::Final,
        }
    }
}

impl<'a> Call<'a> {
    /// Prepares `request`, built by the generated code for `operation_id`.
    pub(crate) fn new(
        inner: &'a Inner,
        mut request: reqwest::Request,
        operation_id: &'static str,
    ) -> Self {
        request.headers_mut().remove(&GENERATOR_VERSION_HEADER);
        let replay = retry::replay_of(request.method(), operation_id, inner.operations);
        let lane = match (&inner.quota, inner.lane) {
            (None, _) => Lane::Interactive,
            (Some(_), Some(lane)) => lane,
            (Some(_), None) => Operation::by_method_name(inner.operations, operation_id)
                .map_or(Lane::Interactive, |op| op.lane),
        };
        if inner.shared.log_payloads {
            if let Some(body) = request.body().and_then(|b| b.as_bytes()) {
                tracing::trace!(body = %String::from_utf8_lossy(body), "request body");
            }
        }
        Call {
            inner,
            operation_id,
            replay,
            lane,
            request: Source::Generated(request),
        }
    }

    /// `METHOD /path` of the call, for error messages (the query string is left out).
    pub(crate) fn describe(&self) -> String {
        let (method, url) = match &self.request {
            Source::Generated(request) => (request.method(), request.url()),
            Source::Kept(kept) => (&kept.method, &kept.url),
            Source::Spent => return String::new(),
        };
        format!("{method} {}", url.path())
    }

    /// Sends the call once.
    pub(crate) async fn attempt(&mut self) -> Attempted {
        let shared = &*self.inner.shared;
        let mut timeout = self.inner.attempt_timeout();
        // A quota slot first: a free one costs no wait (and no future); waiting for one uses
        // part of the attempt's time, and a call that cannot get one in time is not sent.
        if let Some(quota) = &self.inner.quota {
            if !quota.try_take_now(self.lane) {
                let deadline = Instant::now() + timeout;
                // Boxed, as the other waits below: rare, and every call's future stays small.
                if let Err(throttled) = Box::pin(quota.take(self.lane, deadline)).await {
                    return Attempted::Refused(Error::Throttled(throttled));
                }
                timeout = deadline.saturating_duration_since(Instant::now());
            }
        }
        // A cached token costs no wait (and no future is made for the slow path).
        let (token, limit) = match self.inner.token.fresh() {
            Some(token) => (token, timeout),
            None => match Box::pin(self.fetch_token(timeout)).await {
                Ok(token) => token,
                Err(error) => return Attempted::Refused(error),
            },
        };
        let mut outgoing = match self.outgoing(&token) {
            Ok(request) => request,
            Err(error) => return Attempted::Refused(error),
        };
        // One timer, reqwest's, bounds the call and its body (read here for replay-safe calls,
        // by the generated code otherwise). The pool's needs no per-request setting, which
        // would cost the request an extension map.
        if shared.pool_timeout != Some(limit) {
            *outgoing.timeout_mut() = Some(limit);
        }
        let mut response = match shared.http.execute(outgoing).await {
            Ok(response) => response,
            Err(error) => return failed(error, timeout),
        };
        let status = response.status();
        if !status.is_success() {
            if status == reqwest::StatusCode::TOO_MANY_REQUESTS {
                if let Some(quota) = &self.inner.quota {
                    let asked = retry::retry_after(response.headers());
                    Box::pin(quota.rate_limited(asked, Instant::now() + limit)).await;
                }
            }
            return Attempted::Answer { response, token };
        }
        if self.replay == Replay::Unsafe {
            return Attempted::Answer {
                response: body::null_for_empty_body(response),
                token,
            };
        }
        // Read here, so that a body that breaks off is retried like a failure before the head;
        // the generated code then decodes the buffered body.
        let body = match body::read_whole(&mut response).await {
            Ok(body) => body,
            Err(Unread::Network(error)) => return failed(error, timeout),
            Err(Unread::TooLarge) => {
                return Attempted::Refused(Error::Decode {
                    status: Some(status),
                    message: format!(
                        "the body is larger than {} MiB",
                        body::MAX_SUCCESS_BODY >> 20
                    ),
                    excerpt: String::new(),
                })
            }
        };
        // A whole success is final: the kept URL is not needed again and becomes the answer's.
        let url = match std::mem::replace(&mut self.request, Source::Spent) {
            Source::Kept(kept) => Some(kept.url),
            _ => None,
        };
        Attempted::Answer {
            response: body::with_body(response, body, url),
            token,
        }
    }

    /// A new token, and the time left for the call: fetching one uses part of the attempt's
    /// time, so a view's timeout bounds the whole attempt.
    async fn fetch_token(&self, timeout: Duration) -> Result<(Token, Duration), Error> {
        let inner = self.inner;
        let deadline = Instant::now() + timeout;
        let token = inner
            .shared
            .auth
            .refresh(&inner.token, &inner.shared.http, timeout)
            .await?;
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(NetworkError::deadline_passed(Step::TokenRequest, timeout).into_error());
        }
        Ok((token, left))
    }

    /// The request this attempt sends, with `token` and the merchant: the generated one the
    /// first time (its parts kept), then copies of the kept parts.
    fn outgoing(&mut self, token: &Token) -> Result<reqwest::Request, Error> {
        let merchant = self.inner.merchant.as_ref();
        match std::mem::replace(&mut self.request, Source::Spent) {
            Source::Generated(mut request) => {
                let headers = request.headers_mut();
                headers.insert(AUTHORIZATION, token.authorization.clone());
                if let Some(merchant) = merchant {
                    headers.insert(MERCHANT_HEADER, merchant.clone());
                }
                self.request = Source::Kept(Kept::of(&mut request)?);
                Ok(request)
            }
            Source::Kept(mut kept) => {
                kept.headers
                    .insert(AUTHORIZATION, token.authorization.clone());
                if let Some(merchant) = merchant {
                    kept.headers.insert(MERCHANT_HEADER, merchant.clone());
                }
                let request = kept.request();
                self.request = Source::Kept(kept);
                Ok(request)
            }
            Source::Spent => Err(Error::InvalidRequest(
                "the call has no request left to send".into(),
            )),
        }
    }
}

/// A failure of the network during the call, which had `timeout` to answer.
fn failed(error: reqwest::Error, timeout: Duration) -> Attempted {
    Attempted::Failed(NetworkError::from_reqwest(error, Step::Call, Some(timeout)))
}

impl Kept {
    /// The parts of `request`, whose body is taken out as `Bytes` and put back shared, so
    /// that neither copy duplicates it.
    fn of(request: &mut reqwest::Request) -> Result<Kept, Error> {
        let body = match request.body_mut().take() {
            Some(body) => Some(whole(body).ok_or_else(|| {
                Error::InvalidRequest(
                    "a streaming request body cannot be sent through the retrying client".into(),
                )
            })?),
            None => None,
        };
        if let Some(bytes) = &body {
            *request.body_mut() = Some(reqwest::Body::from(bytes.clone()));
        }
        Ok(Kept {
            method: request.method().clone(),
            url: request.url().clone(),
            headers: KeptHeaders::of(request.headers()),
            body,
            version: request.version(),
        })
    }

    /// A request made of the kept parts.
    fn request(&self) -> reqwest::Request {
        let mut request = reqwest::Request::new(self.method.clone(), self.url.clone());
        *request.headers_mut() = self.headers.to_map();
        *request.version_mut() = self.version;
        *request.body_mut() = self.body.clone().map(reqwest::Body::from);
        request
    }
}

/// The bytes of a body held in memory, without copying them; `None` for a stream.
fn whole(mut body: reqwest::Body) -> Option<Bytes> {
    use http_body_util::BodyExt;
    use std::task::{Context, Poll, Waker};
    body.as_bytes()?;
    // A body in memory is one frame, ready at once: polled here, no runtime is needed.
    let mut next = std::pin::pin!(body.frame());
    match next.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(Some(Ok(frame))) => frame.into_data().ok(),
        Poll::Ready(None) => Some(Bytes::new()),
        _ => None,
    }
}
