//! Error answers as the gateway gives them: `BaasExceptionHttpResponse` bodies for the API and
//! for every refusal the HTTP layer makes (413, 414, 431, 405, 408, 429...), OAuth2 error bodies
//! for the token endpoint and for bearer failures.

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
    /// What the failure says, for the library's callers: the message, and the field of each
    /// violation.
    pub(crate) fn message(&self) -> String {
        match self {
            Failure::Baas {
                code,
                message,
                errors,
                ..
            } => {
                let fields: Vec<&str> = errors.iter().map(|v| v.field.as_str()).collect();
                if fields.is_empty() {
                    format!("{code}: {message}")
                } else {
                    format!("{code}: {message} ({})", fields.join(", "))
                }
            }
            Failure::OAuth {
                error, description, ..
            } => format!("{error}: {description}"),
        }
    }

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

    /// 400 for two `Authorization` headers: which one counts would be a guess.
    pub(crate) fn duplicated_authorization(oauth: bool) -> Failure {
        const MESSAGE: &str = "send exactly one Authorization header";
        if oauth {
            Failure::OAuth {
                status: StatusCode::BAD_REQUEST,
                error: "invalid_request",
                description: MESSAGE.into(),
                challenge: "Basic realm=\"scalexpert-sandbox\"",
            }
        } else {
            Failure::bad_request(MESSAGE)
        }
    }

    /// 429: the client's quota for this scope is used up.
    pub(crate) fn rate_limited(retry_after: u64, calls: u32, window_secs: f64) -> Failure {
        Failure::Baas {
            status: StatusCode::TOO_MANY_REQUESTS,
            code: "TOO_MANY_REQUESTS".into(),
            message: format!(
                "quota exceeded: at most {calls} calls per {window_secs} s for this client and scope"
            ),
            errors: Vec::new(),
            retry_after: Some(retry_after),
        }
    }

    /// 413: the body is longer than the sandbox reads.
    pub(crate) fn body_too_large(limit: usize) -> Failure {
        Failure::baas(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            format!("request bodies are at most {limit} bytes"),
        )
    }

    /// 408: the body did not arrive in time.
    pub(crate) fn body_timeout() -> Failure {
        Failure::baas(
            StatusCode::REQUEST_TIMEOUT,
            "REQUEST_TIMEOUT",
            "the request body did not arrive in time",
        )
    }

    /// 400: the body broke off.
    pub(crate) fn body_unreadable() -> Failure {
        Failure::bad_request("the request body could not be read")
    }

    /// 414: the request target is longer than the sandbox reads.
    pub(crate) fn uri_too_long(limit: usize) -> Failure {
        Failure::baas(
            StatusCode::URI_TOO_LONG,
            "URI_TOO_LONG",
            format!("request targets are at most {limit} bytes"),
        )
    }

    /// 431: the header section is larger than the sandbox reads.
    pub(crate) fn headers_too_large(limit: usize) -> Failure {
        Failure::baas(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "REQUEST_HEADER_FIELDS_TOO_LARGE",
            format!("header sections are at most {limit} bytes"),
        )
    }

    /// 507: the sandbox keeps no more subscriptions.
    pub(crate) fn storage_full(message: impl Into<String>) -> Failure {
        Failure::baas(
            StatusCode::INSUFFICIENT_STORAGE,
            "SANDBOX_STORAGE_FULL",
            message,
        )
    }

    /// 500: something the sandbox itself could not do.
    pub(crate) fn internal(message: impl Into<String>) -> Failure {
        Failure::baas(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL_SERVER_ERROR",
            message,
        )
    }

    /// Any error status, its code derived from the status's name (`METHOD_NOT_ALLOWED`).
    pub(crate) fn status(status: StatusCode, message: impl Into<String>) -> Failure {
        Failure::baas(status, &status_code_name(status), message)
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
                let body = baas_body(status, code, message, errors, Some((method.as_str(), path)));
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

/// The longest `requestURI` an error body repeats: a refused 8 KiB path is not sent back whole.
const SHOWN_URI_CHARS: usize = 256;

/// A `BaasExceptionHttpResponse`; `request` is the method and path, when they could be read.
pub(crate) fn baas_body(
    status: StatusCode,
    code: String,
    message: String,
    errors: Vec<Violation>,
    request: Option<(&str, &str)>,
) -> BaasExceptionHttpResponse {
    BaasExceptionHttpResponse {
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
        request_method: request.map(|(method, _)| method.to_string()),
        request_uri: request.map(|(_, path)| path.chars().take(SHOWN_URI_CHARS).collect()),
        timestamp: Some(chrono::Utc::now()),
    }
}

/// `Method Not Allowed` → `METHOD_NOT_ALLOWED`; `HTTP_<code>` for a status without a name.
pub(crate) fn status_code_name(status: StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => reason
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_uppercase()
                } else {
                    '_'
                }
            })
            .collect(),
        None => format!("HTTP_{}", status.as_u16()),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_names_become_codes() {
        assert_eq!(
            status_code_name(StatusCode::METHOD_NOT_ALLOWED),
            "METHOD_NOT_ALLOWED"
        );
        assert_eq!(
            status_code_name(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE),
            "REQUEST_HEADER_FIELDS_TOO_LARGE"
        );
        let unnamed = StatusCode::from_u16(499).expect("a status");
        assert_eq!(status_code_name(unnamed), "HTTP_499");
    }

    #[test]
    fn long_paths_are_not_echoed_whole() {
        let path = format!("/{}", "a".repeat(10_000));
        let body = baas_body(
            StatusCode::URI_TOO_LONG,
            "URI_TOO_LONG".into(),
            "too long".into(),
            Vec::new(),
            Some(("GET", &path)),
        );
        assert_eq!(body.request_uri.map(|u| u.len()), Some(SHOWN_URI_CHARS));
    }
}
