//! Serving an API's operations: each operation of a served version's table routed to its
//! handler behind its gate, and what every handler needs (the request's context, JSON bodies,
//! validation refusals). The e-financing, insurance and merchant-webhooks handlers all use it.

use super::errors::Failure;
use super::gate::{self, Door};
use super::lifecycle::Tenant;
use super::served;
use super::state::{AppState, State};
use super::validation::{Query, Violation};
use axum::body::Bytes;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter};
use axum::Router;
use scalexpert::Operation;
use serde_json::Value;
use std::collections::BTreeMap;
use std::convert::Infallible;

/// How one operation is served: its handler, on the method the table gives it.
pub(crate) type Serve = fn(&'static Operation, MethodFilter) -> MethodRouter<AppState>;

/// One entry of a handler table: `serve!("operationId" => handler, path: IdPath, body: Bytes)`
/// serves the operation on the method its table gives it by
/// `handler(&state, &ctx, &tenant, <the extractors named>, operation)`, a `Result<Response,
/// Failure>` answered through [`Ctx::respond`]. The tenant is the one the gate admitted; the
/// extractors come between it and the operation, in the order named.
macro_rules! serve {
    ($id:literal => $handler:path $(, $arg:ident: $ty:ty)* $(,)?) => {
        ($id, |operation, method| {
            ::axum::routing::on(
                method,
                move |::axum::extract::State(state): ::axum::extract::State<$crate::state::AppState>,
                      ctx: $crate::api::Ctx
                      $(, $arg: $ty)*| async move {
                    let result = match ctx.admitted(operation) {
                        Ok(tenant) => $handler(&state, &ctx, tenant $(, $arg)*, operation).await,
                        Err(failure) => Err(failure),
                    };
                    ctx.respond(result)
                },
            )
        })
    };
}
pub(crate) use serve;

/// One operation's route: the operation, its full path, its handler on its method.
pub(crate) type OperationRoute = (&'static Operation, String, MethodRouter<AppState>);

/// A served API's routes: every operation of its table with its handler, on its method and
/// its path below the one a client adds to the sandbox's root. Fails when the table and
/// `handlers` disagree, so a version is served whole or not at all.
pub(crate) fn api_routes(
    api: &'static served::Served,
    handlers: &[(&str, Serve)],
) -> Result<Vec<OperationRoute>, String> {
    let served = api.api;
    let prefix = api.api_prefix();
    let mut routes = Vec::new();
    for operation in api.operations {
        let serve = handlers
            .iter()
            .find(|(id, _)| *id == operation.id)
            .map(|(_, serve)| *serve)
            .ok_or_else(|| {
                format!(
                    "{} {} operation {} ({} {}) has no handler",
                    served.api, served.version, operation.id, operation.method, operation.path
                )
            })?;
        let method = Method::from_bytes(operation.method.as_bytes())
            .ok()
            .and_then(|method| MethodFilter::try_from(method).ok())
            .ok_or_else(|| {
                format!(
                    "operation {}: method {} cannot be routed",
                    operation.id, operation.method
                )
            })?;
        routes.push((
            operation,
            format!("{prefix}{}", operation.path),
            serve(operation, method),
        ));
    }
    if let Some((stale, _)) = handlers
        .iter()
        .find(|(id, _)| Operation::by_id(api.operations, id).is_none())
    {
        return Err(format!(
            "handler {stale} serves no operation of {} {}",
            served.api, served.version
        ));
    }
    Ok(routes)
}

/// Each operation behind the [gate](gate) of its own fault target and its API's scope, the
/// operations of one path merged into one route.
pub(crate) fn gated_routes(state: &AppState, operations: Vec<OperationRoute>) -> Router<AppState> {
    let mut by_path: BTreeMap<String, MethodRouter<AppState>> = BTreeMap::new();
    for (operation, path, route) in operations {
        let door = Door {
            target: served::fault_target(operation),
            scope: Some(served::of(operation).scope),
        };
        let route = gate::gated(route, state, door);
        let merged = match by_path.remove(&path) {
            Some(others) => others.merge(route),
            None => route,
        };
        by_path.insert(path, merged);
    }
    by_path
        .into_iter()
        .fold(Router::new(), |router, (path, route)| {
            router.route(&path, route)
        })
}

/// What every handler needs of the request besides its body.
pub(crate) struct Ctx {
    method: Method,
    path: String,
    query: Option<String>,
    headers: HeaderMap,
    /// Who the call acts for, as the gate admitted it.
    tenant: Option<Tenant>,
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Ctx {
            method: parts.method.clone(),
            path: parts.uri.path().to_string(),
            query: parts.uri.query().map(String::from),
            headers: parts.headers.clone(),
            tenant: parts.extensions.get::<Tenant>().cloned(),
        })
    }
}

impl Ctx {
    pub(crate) fn header(&self, name: impl header::AsHeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub(crate) fn path(&self) -> &str {
        &self.path
    }

    pub(crate) fn query(&self) -> Query {
        form_urlencoded::parse(self.query.as_deref().unwrap_or("").as_bytes())
            .into_owned()
            .collect()
    }

    /// The tenant the gate admitted for `operation`: a route served without its gate is the
    /// sandbox's bug, answered 500.
    pub(crate) fn admitted(&self, operation: &'static Operation) -> Result<&Tenant, Failure> {
        self.tenant.as_ref().ok_or_else(|| {
            Failure::internal(format!(
                "operation {} is served without its gate",
                operation.id
            ))
        })
    }

    pub(crate) fn respond(&self, result: Result<Response, Failure>) -> Response {
        result.unwrap_or_else(|failure| failure.respond(&self.method, &self.path))
    }

    pub(crate) fn wants_html(&self) -> bool {
        let says = |name: header::HeaderName, what: &str| {
            self.headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains(what))
        };
        says(header::ACCEPT, "text/html")
            || says(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
    }
}

/// The tenant of an API call, which the gate checked (bearer token, quota, merchant header)
/// before the body was read and before any fault of `operation`.
pub(crate) fn parse_json(body: &Bytes) -> Result<Value, Failure> {
    serde_json::from_slice(body).map_err(|e| Failure::malformed_json(&e))
}

/// The request's query, with what `operation`'s spec finds wrong in it (for the handler to
/// add its own findings to before [`reject_if_any`]).
pub(crate) fn checked_query(
    state: &State,
    ctx: &Ctx,
    operation: &'static Operation,
) -> (Query, Vec<Violation>) {
    let query = ctx.query();
    let mut violations = Vec::new();
    state.spec.check_query(operation, &query, &mut violations);
    (query, violations)
}

/// The request's JSON body, with what `operation`'s spec finds wrong in it; a body that is not
/// JSON is refused outright.
pub(crate) fn checked_body(
    state: &State,
    body: &Bytes,
    operation: &'static Operation,
) -> Result<(Value, Vec<Violation>), Failure> {
    let body = parse_json(body)?;
    let mut violations = Vec::new();
    state.spec.check_body(operation, &body, &mut violations);
    Ok((body, violations))
}

pub(crate) fn reject_if_any(violations: Vec<Violation>) -> Result<(), Failure> {
    if violations.is_empty() {
        Ok(())
    } else {
        Err(Failure::validation(violations))
    }
}

pub(crate) fn flagged(violations: &[Violation], field: &str) -> bool {
    violations.iter().any(|v| v.field == field)
}

pub(crate) fn no_content() -> Response {
    // No body, hence no Content-Type: a 204 cannot carry the `{}` the spec's example shows.
    StatusCode::NO_CONTENT.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(tenant: Option<Tenant>) -> Ctx {
        Ctx {
            method: Method::GET,
            path: "/e-financing/api/v1/eligible-solutions".into(),
            query: None,
            headers: HeaderMap::new(),
            tenant,
        }
    }

    #[test]
    fn a_handler_gets_the_tenant_the_gate_admitted() {
        let operation = &served::E_FINANCING.operations[0];
        let tenant = Tenant {
            client_id: "merchant".into(),
            merchant: Some("MERCHANT-1".into()),
        };
        let ctx = ctx(Some(tenant));
        let admitted = ctx.admitted(operation).ok().map(|t| t.merchant.clone());
        assert_eq!(admitted, Some(Some("MERCHANT-1".to_string())));
    }

    #[test]
    fn an_operation_served_without_its_gate_answers_500() {
        let operation = &served::E_FINANCING.operations[0];
        let ctx = ctx(None);
        let result = ctx.admitted(operation).map(|_| no_content());
        let response = ctx.respond(result);
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
