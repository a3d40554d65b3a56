//! The test tools under `/sandbox/admin/`: faults, webhook endpoints, tokens, quota stats and
//! insurance subscription statuses.
//!
//! They change what every tenant sees, so they answer only to someone who can read the
//! sandbox's output: each request needs the admin token (`X-Sandbox-Admin-Token`, printed at
//! start or given with `--admin-token`), a `Host` that is the sandbox's own address (a web page
//! on another name resolved to loopback, DNS rebinding, is refused) and, when it has a body, a
//! JSON content type (a cross-site `text/plain` form post is refused). The library API of
//! [`Sandbox`](crate::Sandbox) needs none of this.

use super::auth;
use super::errors::json_response;
use super::faults::Fault;
use super::gate;
use super::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::Router;
use serde::Deserialize;
use serde_json::Value;
use std::net::{IpAddr, SocketAddr};

/// The header that carries the admin token.
pub const ADMIN_TOKEN_HEADER: &str = "X-Sandbox-Admin-Token";

/// The admin routes, behind their guard.
pub(crate) fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route(
            "/sandbox/admin/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route(
            "/sandbox/admin/webhooks",
            get(list_webhooks).put(set_webhook).delete(clear_webhooks),
        )
        .route("/sandbox/admin/tokens", delete(expire_tokens))
        .route("/sandbox/admin/stats", get(stats))
        .route(
            "/sandbox/admin/insurance/subscriptions/{id}/status",
            post(super::insurance::handlers::admin_set_status),
        )
        .route_layer(middleware::from_fn_with_state(state.clone(), guard))
}

fn refuse(status: StatusCode, message: impl Into<String>) -> Response {
    json_response(status, &serde_json::json!({ "error": message.into() }))
}

async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok());
    if !host.is_some_and(|host| is_own_host(host, state.local)) {
        return refuse(
            StatusCode::FORBIDDEN,
            format!(
                "admin endpoints answer only to Host {}: this request names another host",
                state.base_url.trim_start_matches("http://")
            ),
        );
    }
    let tokens = parts.headers.get_all(ADMIN_TOKEN_HEADER);
    let mut tokens = tokens.iter();
    let token = match (tokens.next(), tokens.next()) {
        (Some(token), None) => token.to_str().ok(),
        _ => None,
    };
    if !token.is_some_and(|token| auth::same(token, &state.admin_token)) {
        return refuse(
            StatusCode::UNAUTHORIZED,
            format!(
                "admin endpoints need the {ADMIN_TOKEN_HEADER} header: the token the sandbox printed at start, or the one given with --admin-token"
            ),
        );
    }
    if has_body(&parts.method, &parts.headers) && !is_json(&parts.headers) {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "admin request bodies are JSON: send Content-Type: application/json",
        );
    }
    let limits = &state.limits;
    let body = match gate::read_body(
        body,
        &parts.headers,
        limits.max_body_bytes,
        limits.body_read_timeout,
    )
    .await
    {
        Ok(body) => body,
        Err(failure) => return failure.respond(&parts.method, parts.uri.path()),
    };
    next.run(Request::from_parts(parts, Body::from(body))).await
}

/// Whether `host` (a `Host` header) names the address the sandbox listens on: that IP literal
/// with its port, `localhost` when it listens on loopback, any IP literal when it listens on
/// every address. A DNS name other than `localhost` could resolve anywhere: refused.
pub(crate) fn is_own_host(host: &str, local: SocketAddr) -> bool {
    let (name, port) = match host.rsplit_once(':') {
        // `[::1]:8080`, `127.0.0.1:8080`, `localhost:8080`; but `::1` alone has colons too.
        Some((name, port)) if !name.contains(':') || name.ends_with(']') => (name, Some(port)),
        _ => (host, None),
    };
    let port_matches = match port {
        Some(port) => port.parse::<u16>().ok() == Some(local.port()),
        None => local.port() == 80,
    };
    if !port_matches {
        return false;
    }
    let literal = name.trim_start_matches('[').trim_end_matches(']');
    match literal.parse::<IpAddr>() {
        Ok(ip) => local.ip().is_unspecified() || ip == local.ip(),
        Err(_) => {
            name.eq_ignore_ascii_case("localhost")
                && (local.ip().is_loopback() || local.ip().is_unspecified())
        }
    }
}

fn has_body(method: &Method, headers: &HeaderMap) -> bool {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    matches!(*method, Method::POST | Method::PUT | Method::PATCH)
        || declared.is_some_and(|length| length > 0)
        || headers.contains_key(header::TRANSFER_ENCODING)
}

/// `application/json`, with parameters or not.
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
}

/// The admin endpoint's shape: an operation (an operationId, or `token`) and a [`Fault`].
#[derive(Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct QueuedFault {
    operation: String,
    #[serde(flatten)]
    fault: Fault,
}

async fn list_faults(State(state): State<AppState>) -> Response {
    let queued: Vec<QueuedFault> = state
        .faults
        .queued()
        .into_iter()
        .map(|(operation, fault)| QueuedFault {
            operation: operation.into(),
            fault,
        })
        .collect();
    json_response(StatusCode::OK, &queued)
}

async fn add_fault(State(state): State<AppState>, body: Bytes) -> Response {
    let added = serde_json::from_slice::<QueuedFault>(&body)
        .map_err(|e| e.to_string())
        .and_then(|q| {
            state
                .faults
                .inject(&q.operation, q.fault)
                .map_err(|e| e.to_string())
        });
    match added {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(message) => refuse(StatusCode::BAD_REQUEST, message),
    }
}

async fn clear_faults(State(state): State<AppState>) -> Response {
    state.faults.clear();
    StatusCode::NO_CONTENT.into_response()
}

async fn list_webhooks(State(state): State<AppState>) -> Response {
    let endpoints: Vec<Value> = state
        .store
        .webhooks
        .list()
        .into_iter()
        .map(|(merchant, url)| serde_json::json!({ "merchant": merchant, "url": url }))
        .collect();
    json_response(StatusCode::OK, &endpoints)
}

/// The management API's upsert body (`eventTypeCode` optional here: every type is sent) plus
/// `merchant`, the PSP's merchant reference, absent for the merchant credentials' endpoint.
async fn set_webhook(State(state): State<AppState>, body: Bytes) -> Response {
    use scalexpert::merchant_webhooks::v1_0_6::types::MerchantWebhookConfigRequest;
    let set = || -> Result<(), String> {
        let mut body: Value =
            serde_json::from_slice(&body).map_err(|e| format!("body is not JSON: {e}"))?;
        let object = body
            .as_object_mut()
            .ok_or("the body must be a JSON object")?;
        let merchant = match object.remove("merchant") {
            None | Some(Value::Null) => None,
            Some(Value::String(merchant)) => Some(merchant),
            Some(_) => return Err("merchant must be a string".into()),
        };
        object
            .entry("eventTypeCode")
            .or_insert_with(|| Value::from("ANY"));
        let config: MerchantWebhookConfigRequest = serde_json::from_value(body)
            .map_err(|e| format!("not a webhook configuration: {e}"))?;
        let url = config.url.as_deref().ok_or("url is required")?;
        let secrets = scalexpert::webhooks::ReceiverSecrets::from_request(&config)
            .map_err(|e| e.to_string())?;
        let endpoint = super::webhook_endpoint(merchant.as_deref(), url, secrets)
            .map_err(|e| e.to_string())?;
        state.store.webhooks.set(merchant, Some(endpoint));
        Ok(())
    };
    match set() {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(message) => refuse(StatusCode::BAD_REQUEST, message),
    }
}

async fn clear_webhooks(State(state): State<AppState>) -> Response {
    state.store.webhooks.clear();
    StatusCode::NO_CONTENT.into_response()
}

async fn expire_tokens(State(state): State<AppState>) -> Response {
    state.auth.expire_all();
    StatusCode::NO_CONTENT.into_response()
}

async fn stats(State(state): State<AppState>) -> Response {
    json_response(StatusCode::OK, &state.quota.stats())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_listen_address_is_this_sandbox() {
        let loopback: SocketAddr = "127.0.0.1:8080".parse().expect("address");
        for host in ["127.0.0.1:8080", "localhost:8080", "LOCALHOST:8080"] {
            assert!(is_own_host(host, loopback), "{host}");
        }
        for host in [
            "attacker.example:8080",
            "127.0.0.1:8081",
            "127.0.0.1",
            "10.0.0.1:8080",
            "localhost",
            "127.0.0.1.nip.io:8080",
            "",
        ] {
            assert!(!is_own_host(host, loopback), "{host}");
        }
        let v6: SocketAddr = "[::1]:9000".parse().expect("address");
        assert!(is_own_host("[::1]:9000", v6));
        assert!(is_own_host("localhost:9000", v6));
        assert!(!is_own_host("[::2]:9000", v6));
        let everywhere: SocketAddr = "0.0.0.0:80".parse().expect("address");
        assert!(is_own_host("192.168.1.20", everywhere));
        assert!(is_own_host("192.168.1.20:80", everywhere));
        assert!(!is_own_host("rebound.example", everywhere));
    }

    #[test]
    fn json_is_json_whatever_its_parameters() {
        let mut headers = HeaderMap::new();
        assert!(!is_json(&headers));
        headers.insert(header::CONTENT_TYPE, "text/plain".parse().expect("value"));
        assert!(!is_json(&headers));
        headers.insert(
            header::CONTENT_TYPE,
            "Application/JSON; charset=utf-8".parse().expect("value"),
        );
        assert!(is_json(&headers));
        assert!(has_body(&Method::POST, &HeaderMap::new()));
        assert!(!has_body(&Method::DELETE, &HeaderMap::new()));
    }
}
