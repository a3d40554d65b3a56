//! What every request goes through, whatever its route: the request target and header limits
//! (414, 431), error answers in the gateway's shape whoever made them (axum's 405 and
//! extractor rejections included), and one log line.
//!
//! The log line names the method, the route's template (`/sandbox/journey/{token}`, never the
//! path itself, which may hold a journey token), the status and the time taken: no query, no
//! header, no body, so no secret, token or buyer data.

use super::errors::Failure;
use super::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::Response;
use std::time::Instant;

/// The most of a plain-text error body (an axum rejection) kept as the error message.
const KEPT_MESSAGE_BYTES: usize = 512;

pub(crate) async fn outer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|matched| matched.as_str().to_string());
    let limits = &state.limits;
    let target = request
        .uri()
        .path_and_query()
        .map_or(0, |target| target.as_str().len());
    let response = if target > limits.max_uri_bytes {
        Failure::uri_too_long(limits.max_uri_bytes).respond(&method, &path)
    } else if header_bytes(request.headers()) > limits.max_header_bytes {
        Failure::headers_too_large(limits.max_header_bytes).respond(&method, &path)
    } else {
        shaped(next.run(request).await, &method, &path).await
    };
    tracing::info!(
        target: "scalexpert_sandbox::http",
        method = %method,
        route = route.as_deref().unwrap_or("-"),
        status = response.status().as_u16(),
        ms = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}

/// The bytes of a header section's names and values.
fn header_bytes(headers: &HeaderMap) -> usize {
    headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum()
}

/// `response` itself, or, for an error without a JSON or HTML body (axum's 405, a rejected
/// path or body), the same status and headers with a `BaasExceptionHttpResponse`.
async fn shaped(response: Response, method: &axum::http::Method, path: &str) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || has_typed_body(&response) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, KEPT_MESSAGE_BYTES)
        .await
        .ok()
        .and_then(|bytes| String::from_utf8(bytes.to_vec()).ok())
        .map(|text| text.trim().to_string())
        .filter(|text| !text.is_empty());
    let message =
        text.unwrap_or_else(|| status.canonical_reason().unwrap_or("error").to_lowercase());
    let mut answer = Failure::status(status, message).respond(method, path);
    // Keep what the answer said besides its body (`Allow` of a 405, for one).
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            answer.headers_mut().append(name, value.clone());
        }
    }
    answer
}

fn has_typed_body(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json") || v.starts_with("text/html"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::{HeaderValue, StatusCode};

    /// A text answer, as axum's rejections are.
    fn plain(status: StatusCode, text: &'static str) -> Response {
        let mut response = Response::new(Body::from(text));
        *response.status_mut() = status;
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        response
    }

    async fn body(response: Response) -> serde_json::Value {
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .expect("body");
        serde_json::from_slice(&bytes).expect("JSON")
    }

    #[tokio::test]
    async fn bare_and_plain_errors_get_the_gateways_shape() {
        let mut bare = Response::new(Body::empty());
        *bare.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
        bare.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET,HEAD"));
        let answer = shaped(bare, &axum::http::Method::PUT, "/p").await;
        assert_eq!(answer.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(answer.headers()[header::ALLOW], "GET,HEAD");
        let json = body(answer).await;
        assert_eq!(json["errorCode"], "METHOD_NOT_ALLOWED");
        assert_eq!(json["requestMethod"], "PUT");
        assert_eq!(json["requestURI"], "/p");

        let rejected = plain(StatusCode::BAD_REQUEST, "Invalid URL: not UTF-8");
        let json = body(shaped(rejected, &axum::http::Method::GET, "/p").await).await;
        assert_eq!(json["errorCode"], "BAD_REQUEST");
        assert_eq!(json["errorMessage"], "Invalid URL: not UTF-8");
    }

    #[tokio::test]
    async fn typed_and_successful_answers_pass_untouched() {
        let ok = plain(StatusCode::OK, "fine");
        let answer = shaped(ok, &axum::http::Method::GET, "/p").await;
        assert_eq!(
            answer.headers()[header::CONTENT_TYPE],
            "text/plain; charset=utf-8"
        );
        let mut page = plain(StatusCode::NOT_FOUND, "<p>no</p>");
        page.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        let answer = shaped(page, &axum::http::Method::GET, "/p").await;
        assert_eq!(
            answer.headers()[header::CONTENT_TYPE],
            "text/html; charset=utf-8"
        );
    }
}
