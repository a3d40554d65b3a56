//! Error answers as the gateway gives them: `BaasExceptionHttpResponse` bodies for the API,
//! OAuth2 error bodies for the token endpoint and for bearer failures.

use super::validation::Violation;
use crate::served::types::{BaasExceptionHttpResponse, ErrorCodeAndMessage};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An answer other than success.
#[derive(Debug)]
pub(crate) enum Failure {
    /// A `BaasExceptionHttpResponse`.
    Baas {
        status: StatusCode,
        code: String,
        message: String,
        errors: Vec<Violation>,
        retry_after: Option<u64>,
    },
    /// An OAuth2 error (`{"error": ..., "error_description": ...}`).
    OAuth {
        status: StatusCode,
        error: &'static str,
        description: String,
        challenge: &'static str,
    },
}

impl Failure {
    /// A `BaasExceptionHttpResponse` with this status, `errorCode` and message.
    pub(crate) fn baas(status: StatusCode, code: &str, message: impl Into<String>) -> Failure {
        Failure::Baas {
            status,
            code: code.into(),
            message: message.into(),
            errors: Vec::new(),
            retry_after: None,
        }
    }

    /// 400 `REQUEST_VALIDATION_ERROR`, one `errors[]` entry per violation.
    pub(crate) fn validation(violations: Vec<Violation>) -> Failure {
        let message = match violations.len() {
            1 => "the request breaks 1 constraint".to_string(),
            n => format!("the request breaks {n} constraints"),
        };
        Failure::Baas {
            status: StatusCode::BAD_REQUEST,
            code: "REQUEST_VALIDATION_ERROR".into(),
            message,
            errors: violations,
            retry_after: None,
        }
    }

    /// 400 `BAD_REQUEST`: a valid request the current state refuses.
    pub(crate) fn bad_request(message: impl Into<String>) -> Failure {
        Failure::baas(StatusCode::BAD_REQUEST, "BAD_REQUEST", message)
    }

    /// 400 for a body that is not JSON at all.
    pub(crate) fn malformed_json(error: &serde_json::Error) -> Failure {
        Failure::Baas {
            status: StatusCode::BAD_REQUEST,
            code: "BAD_REQUEST".into(),
            message: "the request body is not valid JSON".into(),
            errors: vec![Violation::new("MALFORMED_JSON", "body", error.to_string())],
            retry_after: None,
        }
    }

    /// 400 `INVALID_UUID` for a path id that is not a UUID.
    pub(crate) fn invalid_uuid(raw: &str) -> Failure {
        let shown: String = raw.chars().take(64).collect();
        Failure::baas(
            StatusCode::BAD_REQUEST,
            "INVALID_UUID",
            format!("creditSubscriptionId {shown:?} is not a UUID"),
        )
    }

    /// 404 `ENTITY_NOT_FOUND`.
    pub(crate) fn not_found(id: uuid::Uuid) -> Failure {
        Failure::baas(
            StatusCode::NOT_FOUND,
            "ENTITY_NOT_FOUND",
            format!("no credit subscription {id}"),
        )
    }

    /// 404 for a path the sandbox does not serve.
    pub(crate) fn no_route() -> Failure {
        Failure::baas(StatusCode::NOT_FOUND, "NOT_FOUND", "no such endpoint")
    }

    /// 403 `FORBIDDEN`.
    pub(crate) fn forbidden(message: impl Into<String>) -> Failure {
        Failure::baas(StatusCode::FORBIDDEN, "FORBIDDEN", message)
    }

    /// 401 for a missing, unknown or expired bearer token.
    pub(crate) fn invalid_token() -> Failure {
        Failure::OAuth {
            status: StatusCode::UNAUTHORIZED,
            error: "invalid_token",
            description: "the access token is missing, unknown or expired".into(),
            challenge: "Bearer realm=\"scalexpert-sandbox\"",
        }
    }

    /// A status injected by a fault.
    pub(crate) fn injected(status: u16, retry_after: Option<u64>) -> Failure {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
        Failure::Baas {
            status,
            code: "SANDBOX_INJECTED_FAULT".into(),
            message: format!("fault injected by the sandbox: {status}"),
            errors: Vec::new(),
            retry_after,
        }
    }

    /// The response, naming the request the way the gateway's bodies do.
    pub(crate) fn respond(self, method: &Method, path: &str) -> Response {
        match self {
            Failure::Baas {
                status,
                code,
                message,
                errors,
                retry_after,
            } => {
                let body = BaasExceptionHttpResponse {
                    error_code: Some(code),
                    error_message: Some(message),
                    errors: errors
                        .into_iter()
                        .map(|v| ErrorCodeAndMessage {
                            code: Some(v.code.to_string()),
                            message: Some(format!("{}: {}", v.field, v.message)),
                        })
                        .collect(),
                    http_status_code: Some(i32::from(status.as_u16())),
                    http_status_message: status.canonical_reason().map(String::from),
                    request_method: Some(method.to_string()),
                    request_uri: Some(path.to_string()),
                    timestamp: Some(chrono::Utc::now()),
                };
                let mut response = json_response(status, &body);
                if let Some(seconds) = retry_after {
                    response
                        .headers_mut()
                        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
                }
                response
            }
            Failure::OAuth {
                status,
                error,
                description,
                challenge,
            } => {
                let body = serde_json::json!({ "error": error, "error_description": description });
                let mut response = json_response(status, &body);
                if status == StatusCode::UNAUTHORIZED {
                    response.headers_mut().insert(
                        header::WWW_AUTHENTICATE,
                        HeaderValue::from_static(challenge),
                    );
                }
                response
            }
        }
    }
}

/// `value` as a JSON response with `status`.
pub(crate) fn json_response<T: Serialize>(status: StatusCode, value: &T) -> Response {
    // These types always serialise; an empty object beats a panic if one ever did not.
    let body = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}
