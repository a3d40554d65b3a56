//! Reading answer bodies: bounded for error answers, buffered inside the attempt for calls
//! that may be replayed, `null` for an empty success.

use bytes::Bytes;
use reqwest::header::{HeaderValue, CONTENT_LENGTH, CONTENT_TYPE};
use reqwest::{ResponseBuilderExt, StatusCode};

/// How much of an error body is read at most.
pub(crate) const MAX_ERROR_BODY: usize = 64 * 1024;

/// The largest success body the transport buffers: far above any Scalexpert answer (a page of
/// 1 000 subscriptions is about 500 KB), low enough that a broken server cannot exhaust memory.
pub(crate) const MAX_SUCCESS_BODY: usize = 16 * 1024 * 1024;

/// At most `limit` bytes of `response`'s body; a body that breaks off gives what came.
pub(crate) async fn read_bounded(response: &mut reqwest::Response, limit: usize) -> Vec<u8> {
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        let room = limit.saturating_sub(body.len());
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= limit {
            break;
        }
    }
    body
}

/// Why a success body could not be buffered.
pub(crate) enum Unread {
    /// The connection broke or stalled before the whole body arrived.
    Network(reqwest::Error),
    /// The body is larger than [`MAX_SUCCESS_BODY`].
    TooLarge,
}

/// The whole body of `response`, so that a body that breaks off fails the attempt (which may
/// then be retried) instead of the generated code's decoding.
pub(crate) async fn read_whole(response: &mut reqwest::Response) -> Result<Bytes, Unread> {
    let declared = response.content_length();
    if declared.is_some_and(|length| length > MAX_SUCCESS_BODY as u64) {
        return Err(Unread::TooLarge);
    }
    // Most bodies arrive as one chunk, which is kept as it is: no copy.
    let mut first = Bytes::new();
    let mut joined: Vec<u8> = Vec::new();
    let mut length = 0usize;
    // With a declared length, the last chunk ends the body: no poll for the end is needed.
    while declared != Some(length as u64) {
        let chunk = match response.chunk().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            Err(error) => return Err(Unread::Network(error)),
        };
        length += chunk.len();
        if length > MAX_SUCCESS_BODY {
            return Err(Unread::TooLarge);
        }
        if first.is_empty() && joined.is_empty() {
            first = chunk;
        } else {
            if joined.is_empty() {
                joined.reserve(declared.map_or(2 * length, |d| d as usize));
                joined.extend_from_slice(&first);
            }
            joined.extend_from_slice(&chunk);
        }
    }
    Ok(if joined.is_empty() {
        first
    } else {
        Bytes::from(joined)
    })
}

/// `response` (its body read) again, now holding `body`, for the generated code to decode;
/// an empty body becomes `null`. `url` is the request's, given up by the caller.
pub(crate) fn with_body(
    mut response: reqwest::Response,
    body: Bytes,
    url: Option<reqwest::Url>,
) -> reqwest::Response {
    let url = url.unwrap_or_else(|| response.url().clone());
    let mut builder = http::Response::builder()
        .status(response.status())
        .version(response.version());
    if let Some(headers) = builder.headers_mut() {
        std::mem::swap(headers, response.headers_mut());
        if body.is_empty() {
            mark_as_null(headers);
        }
    }
    // The connection already gave the answer an extension map: reused, it takes the URL where
    // `reqwest` looks for it (without it, `reqwest` would parse a placeholder URL, which costs
    // more than the whole rest of the buffering).
    if let Some(extensions) = builder.extensions_mut() {
        std::mem::swap(extensions, response.extensions_mut());
    }
    drop(response);
    let body = if body.is_empty() {
        Bytes::from_static(b"null")
    } else {
        body
    };
    // A builder given a status, a version and extensions cannot fail.
    let rebuilt = match builder.url(url).body(()) {
        Ok(head) => head.map(|()| body),
        Err(_) => http::Response::new(body),
    };
    reqwest::Response::from(rebuilt)
}

/// A success answer with no body reaches the generated code as the JSON `null`.
///
/// Operations that answer either a body or nothing (rule `optional_body_with_no_content`)
/// decode `null` as `None`; operations without a body never read it, and one that expects a
/// body fails to decode either way.
pub(crate) fn null_for_empty_body(response: reqwest::Response) -> reqwest::Response {
    let empty = response.status() == StatusCode::NO_CONTENT || response.content_length() == Some(0);
    if !empty {
        return response;
    }
    let mut replaced = http::Response::new(b"null".to_vec());
    *replaced.status_mut() = response.status();
    *replaced.version_mut() = response.version();
    *replaced.headers_mut() = response.headers().clone();
    mark_as_null(replaced.headers_mut());
    reqwest::Response::from(replaced)
}

fn mark_as_null(headers: &mut reqwest::header::HeaderMap) {
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.remove(CONTENT_LENGTH);
}
