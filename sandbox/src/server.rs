//! The HTTP side: the router (every API, the journey pages, admin), the token endpoint and
//! the e-financing handlers, one per operation.

use super::admin;
use super::api::{
    api_routes, checked_body, checked_query, flagged, gated_routes, no_content, reject_if_any,
    serve, Ctx, Serve,
};
use super::errors::{json_response, Failure};
use super::faults::TOKEN;
use super::gate::{self, Door};
use super::insurance;
use super::journey;
use super::lifecycle::{JourneyOutcome, Refusal, Status, Subscription, Tenant};
use super::limits::MAX_PAGE_SIZE;
use super::outer;
use super::random;
use super::served::{self, types};
use super::simulation;
use super::state::{AppState, State};
use super::store::{Full, ListQuery};
use super::validation::{self, Violation};
use super::wire;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State as Shared};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::Utc;
use scalexpert::Operation;
use serde_json::Value;
use std::sync::Arc;
use uuid::Uuid;

/// The sandbox's behaviour per operation of the served spec, by `operationId`. The method and
/// path of each come from the operation table, so this names behaviour, never a route.
const HANDLERS: &[(&str, Serve)] = &[
    serve!("getEligibleProductServices" => eligible_solutions),
    serve!("creditSimulation" => simulate, body: Bytes),
    serve!("initiateCreditSubscription" => create, body: Bytes),
    serve!("retrieveCreditSubscriptionForSpecificMerchant" => list),
    serve!("retrieveCreditSubscription" => retrieve, path: IdPath),
    serve!("doConfirmDelivery" => confirm_delivery, path: IdPath, body: Bytes),
    serve!("doConfirmReturn" => confirm_return, path: IdPath, body: Bytes),
    serve!("cancelCreditSubscription" => cancel, path: IdPath, body: Bytes),
];

pub(crate) fn router(state: AppState) -> Result<Router, String> {
    let token_door = Door {
        target: TOKEN,
        scope: None,
    };
    let mut operations = api_routes(&served::E_FINANCING, HANDLERS)?;
    operations.extend(insurance::handlers::routes()?);
    operations.extend(super::merchant_webhooks::routes()?);
    let routes = Router::new()
        .route(
            &served::token_path(),
            gate::gated(post(token), &state, token_door),
        )
        .merge(gated_routes(&state, operations))
        .route("/sandbox/journey/{token}", get(journey_page))
        .route("/sandbox/journey/{token}/{outcome}", post(journey_outcome))
        .route(journey::STYLESHEET_PATH, get(stylesheet))
        .route("/sandbox/kit/{code}/{file}", get(kit))
        .route("/sandbox/health", get(health))
        .merge(admin::routes(&state))
        .fallback(no_route);
    // Last, so that it wraps every route above.
    Ok(routes
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state),
            outer::outer,
        ))
        .with_state(state))
}

/// The id segment of a path such as `/subscriptions/{creditSubscriptionId}`, as axum gives it.
type IdPath = Result<Path<String>, PathRejection>;

fn subscription_id(path: IdPath, ctx: &Ctx, operation: &Operation) -> Result<Uuid, Failure> {
    match path {
        Ok(Path(raw)) => Uuid::parse_str(&raw).map_err(|_| Failure::invalid_uuid(&raw)),
        // Undecodable text in the path: show it as received, from where the template has it.
        Err(_) => {
            let template = format!("{}{}", served::api_prefix(), operation.path);
            let segment = template.split('/').position(|s| s.starts_with('{'));
            let raw = segment.and_then(|at| ctx.path().split('/').nth(at));
            Err(Failure::invalid_uuid(raw.unwrap_or_default()))
        }
    }
}

async fn token(Shared(state): Shared<AppState>, ctx: Ctx, body: Bytes) -> Response {
    let result = async {
        let form: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
        match state.auth.issue(ctx.header(header::AUTHORIZATION), &form) {
            Ok(grant) => {
                state.quota.token_granted(&grant.client_id, &grant.scope);
                let mut response = json_response(StatusCode::OK, &grant);
                response
                    .headers_mut()
                    .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                Ok(response)
            }
            Err(refusal) => Err(refusal.into_failure()),
        }
    }
    .await;
    ctx.respond(result)
}

async fn eligible_solutions(
    state: &State,
    ctx: &Ctx,
    _tenant: &Tenant,
    operation: &'static Operation,
) -> Result<Response, Failure> {
    let (query, mut violations) = checked_query(state, ctx, operation);
    let param = |name: &str| validation::param(&query, name);
    let country = param("buyerBillingCountry");
    if !flagged(&violations, "buyerBillingCountry") {
        validation::check_country(country, "buyerBillingCountry", &mut violations);
    }
    let mut amount = None;
    if !flagged(&violations, "financedAmount") {
        let number = param("financedAmount")
            .and_then(|raw| raw.trim().parse::<f64>().ok())
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number);
        amount = validation::check_amount(number.as_ref(), "financedAmount", &mut violations);
    }
    reject_if_any(violations)?;
    let (Some(country), Some(amount)) = (country, amount) else {
        return Err(Failure::bad_request(
            "buyerBillingCountry and financedAmount are required",
        ));
    };
    let rules = state.rules();
    let listed = types::SolutionsResponseList {
        solutions: rules
            .eligible(country, amount)
            .map(|product| wire::solution(product, &state.base_url))
            .collect(),
    };
    Ok(json_response(StatusCode::OK, &listed))
}

async fn simulate(
    state: &State,
    _ctx: &Ctx,
    _tenant: &Tenant,
    body: Bytes,
    operation: &'static Operation,
) -> Result<Response, Failure> {
    let (body, mut violations) = checked_body(state, &body, operation)?;
    let mut amount = None;
    if !flagged(&violations, "financedAmount") {
        amount = validation::check_amount(
            body.get("financedAmount"),
            "financedAmount",
            &mut violations,
        );
    }
    reject_if_any(violations)?;
    let country = body
        .get("buyerBillingCountry")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let amount = amount.ok_or_else(|| Failure::bad_request("financedAmount is required"))?;
    let wanted: Vec<&str> = body
        .get("solutionCodes")
        .and_then(Value::as_array)
        .map(|codes| codes.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let rules = state.rules();
    let simulations = rules
        .eligible(country, amount)
        .filter(|p| wanted.is_empty() || wanted.contains(&p.solution_code.as_str()))
        .map(|product| types::SolutionSimulationItem {
            simulations: product
                .offer
                .plans(&product.durations_for(amount), amount)
                .iter()
                .map(wire::simulation)
                .collect(),
            solution_code: product.solution_code.clone(),
        })
        .collect();
    let answer = types::SolutionSimulationResponse {
        buyer_billing_country: country.parse().map_or_else(
            |_| scalexpert::OpenEnum::Unknown(country.to_string()),
            scalexpert::OpenEnum::Known,
        ),
        financed_amount: simulation::eur(amount),
        solution_simulations: simulations,
    };
    Ok(json_response(StatusCode::OK, &answer))
}

async fn create(
    state: &State,
    ctx: &Ctx,
    tenant: &Tenant,
    body: Bytes,
    operation: &'static Operation,
) -> Result<Response, Failure> {
    let (query, mut violations) = checked_query(state, ctx, operation);
    let (body, body_violations) = checked_body(state, &body, operation)?;
    violations.extend(body_violations);
    let rules = state.rules();
    let language = validation::param(&query, "language");
    let mut worded = Vec::new();
    validation::check_subscription(&body, language, &rules, &mut worded);
    journey::check_return_url(&body, &mut worded);
    // A field the schema already flagged is not reported twice.
    let fresh: Vec<Violation> = worded
        .into_iter()
        .filter(|v| !flagged(&violations, &v.field))
        .collect();
    violations.extend(fresh);
    reject_if_any(violations)?;
    let request: types::InitiateCreditSubscriptionRequest =
        serde_json::from_value(body).map_err(|e| {
            Failure::validation(vec![Violation::new("INVALID_VALUE", "body", e.to_string())])
        })?;
    let (id, journey_url) = open_subscription(state, tenant.clone(), request)?;
    let answer = types::InitiateCreditSubscriptionResponse {
        id,
        redirect: Some(types::Redirect {
            type_: Some(scalexpert::OpenEnum::Known(types::RedirectType::Url)),
            value: Some(journey_url),
        }),
    };
    Ok(json_response(StatusCode::CREATED, &answer))
}

/// Opens the subscription `request` asks for in `tenant`'s name, once the request has passed
/// validation: the solution's rules, a new id and journey, the store's limits and order ids.
/// The id and the journey's URL. The API's `initiateCreditSubscription` and
/// [`Sandbox::open_subscription`](crate::Sandbox::open_subscription) both open one here.
pub(crate) fn open_subscription(
    state: &State,
    tenant: Tenant,
    request: types::InitiateCreditSubscriptionRequest,
) -> Result<(Uuid, String), Failure> {
    let rules = state.rules();
    let amount = simulation::cents(request.financed_amount)
        .ok_or_else(|| Failure::bad_request("financedAmount is not a valid amount"))?;
    let product = rules.product(&request.solution_code).ok_or_else(|| {
        Failure::bad_request(format!(
            "solutionCode {} is not offered to this merchant",
            request.solution_code
        ))
    })?;
    if !product.accepts(amount) {
        return Err(Failure::bad_request(format!(
            "solutionCode {} is not eligible for {:.2} EUR (from {:.2} to {:.2} EUR)",
            product.solution_code,
            simulation::eur(amount),
            product.min_amount,
            product.max_amount
        )));
    }
    let buyer = request
        .buyers
        .first()
        .and_then(|b| serde_json::to_string(b).ok())
        .map(String::into_boxed_str)
        .ok_or_else(|| Failure::bad_request("at least one buyer is required"))?;
    let no_randomness = |_| Failure::internal("no randomness to make an id from");
    let id = random::uuid().map_err(no_randomness)?;
    let journey = random::token("").map_err(no_randomness)?;
    let journey_url = format!("{}/sandbox/journey/{journey}", state.base_url);
    let items: Vec<String> = request
        .basket_details
        .basket_items
        .iter()
        .map(|item| format!("{} x{}", item.label, item.quantity))
        .collect();
    let now = Utc::now();
    let record = Subscription {
        id,
        tenant,
        journey,
        registered: now,
        updated: now,
        solution_code: product.solution_code.clone(),
        market: product.country.clone(),
        implementation_code: product.implementation_code(),
        long_term: product.is_long_term(),
        merchant_basket_id: request.merchant_basket_id,
        merchant_global_order_id: request.merchant_global_order_id.clone(),
        merchant_buyer_id: request.merchant_buyer_id,
        confirmation_url: request.merchant_urls.confirmation,
        financed: amount,
        status: Status::Initialized,
        cancellation: None,
        partially_cancelled: false,
        delivered: false,
        returned: false,
        buyer,
        basket_summary: format!("{}, {:.2} EUR", items.join(", "), simulation::eur(amount)),
    };
    if wire::detail(&record).is_none() {
        return Err(Failure::validation(vec![Violation::new(
            "INVALID_VALUE",
            "buyers[0]",
            "cannot be recorded as the subscription's buyer",
        )]));
    }
    state.store.insert(record).map_err(|refusal| match refusal {
        Full::DuplicateOrder => Failure::bad_request(format!(
            "merchantGlobalOrderId {:?} is already used by another subscription",
            request.merchant_global_order_id
        )),
        Full::Tenant(limit) => Failure::storage_full(format!(
            "the sandbox keeps at most {limit} subscriptions per merchant and holds that many for this one; restart it or raise the limit"
        )),
        Full::Sandbox(limit) => Failure::storage_full(format!(
            "the sandbox keeps at most {limit} subscriptions in all and holds that many; restart it or raise the limit"
        )),
    })?;
    Ok((id, journey_url))
}

async fn list(
    state: &State,
    ctx: &Ctx,
    tenant: &Tenant,
    operation: &'static Operation,
) -> Result<Response, Failure> {
    let (query, mut violations) = checked_query(state, ctx, operation);
    let param = |name: &str| validation::param(&query, name);
    let mut positive = |name: &str, default: u64, max: u64| {
        if flagged(&violations, name) {
            return default;
        }
        match param(name).map(|raw| raw.trim().parse::<i64>()) {
            Some(Ok(n)) if n >= 1 && n.unsigned_abs() <= max => n.unsigned_abs(),
            Some(Ok(n)) if n >= 1 => {
                violations.push(Violation::new(
                    "INVALID_VALUE",
                    name,
                    format!("must be at most {max}, not {n}"),
                ));
                default
            }
            Some(_) => {
                violations.push(Violation::new("INVALID_VALUE", name, "must be at least 1"));
                default
            }
            None => default,
        }
    };
    let page = positive("page", 1, u64::MAX);
    let page_size = positive("pageSize", 20, MAX_PAGE_SIZE);
    reject_if_any(violations)?;
    let (total, items) = state.store.list(
        tenant,
        &ListQuery {
            order: param("merchantGlobalOrderId"),
            basket: param("merchantBasketId"),
            page,
            page_size,
        },
    );
    let answer = types::PaginationCreditSubscriptionsDtoResponse {
        subscriptions: items.iter().map(wire::summary).collect(),
        total_item_count: i32::try_from(total).unwrap_or(i32::MAX),
    };
    Ok(json_response(StatusCode::OK, &answer))
}

async fn retrieve(
    state: &State,
    ctx: &Ctx,
    tenant: &Tenant,
    path: IdPath,
    operation: &'static Operation,
) -> Result<Response, Failure> {
    let id = subscription_id(path, ctx, operation)?;
    let record = state
        .store
        .get(tenant, id)
        .ok_or_else(|| Failure::not_found(id))?;
    let detail = wire::detail(&record)
        .ok_or_else(|| Failure::bad_request("the subscription's buyer cannot be shown"))?;
    Ok(json_response(StatusCode::OK, &detail))
}

/// A state change on one subscription: id, body validation (the spec's constraints, then the
/// rules `worded` checks), then `change` on the tenant's record.
fn change(
    state: &State,
    ctx: &Ctx,
    tenant: &Tenant,
    operation: &'static Operation,
    (path, body): (IdPath, &Bytes),
    worded: fn(&Value, &[Violation]) -> Vec<Violation>,
    change: impl FnOnce(&mut Subscription, &Value) -> Result<Response, Failure>,
) -> Result<Response, Failure> {
    let id = subscription_id(path, ctx, operation)?;
    let (body, mut violations) = checked_body(state, body, operation)?;
    let more = worded(&body, &violations);
    violations.extend(more);
    reject_if_any(violations)?;
    state
        .store
        .update(tenant, id, |record| change(record, &body))
        .ok_or_else(|| Failure::not_found(id))?
}

/// No rule beyond the spec's constraints.
fn no_worded_rules(_: &Value, _: &[Violation]) -> Vec<Violation> {
    Vec::new()
}

async fn confirm_delivery(
    state: &State,
    ctx: &Ctx,
    tenant: &Tenant,
    path: IdPath,
    body: Bytes,
    operation: &'static Operation,
) -> Result<Response, Failure> {
    confirm(
        state,
        ctx,
        tenant,
        operation,
        (path, &body),
        "isDelivered",
        Subscription::confirm_delivery,
    )
}

async fn confirm_return(
    state: &State,
    ctx: &Ctx,
    tenant: &Tenant,
    path: IdPath,
    body: Bytes,
    operation: &'static Operation,
) -> Result<Response, Failure> {
    confirm(
        state,
        ctx,
        tenant,
        operation,
        (path, &body),
        "isReturned",
        Subscription::confirm_return,
    )
}

/// A delivery or return confirmation: the body's boolean `flag` (false when absent), applied
/// to the subscription by `apply`; a 204, or the life cycle's refusal as a 400.
fn confirm(
    state: &State,
    ctx: &Ctx,
    tenant: &Tenant,
    operation: &'static Operation,
    request: (IdPath, &Bytes),
    flag: &'static str,
    apply: fn(&mut Subscription, bool) -> Result<(), Refusal>,
) -> Result<Response, Failure> {
    change(
        state,
        ctx,
        tenant,
        operation,
        request,
        no_worded_rules,
        |record, body| {
            let confirmed = body.get(flag).and_then(Value::as_bool).unwrap_or(false);
            apply(record, confirmed).map_err(|r| Failure::bad_request(r.message))?;
            Ok(no_content())
        },
    )
}

/// A given `cancelledAmount` is a valid amount, unless the schema already flagged it.
fn cancelled_amount_rules(body: &Value, flagged_already: &[Violation]) -> Vec<Violation> {
    let mut violations = Vec::new();
    if !flagged(flagged_already, "cancelledAmount")
        && body.get("cancelledAmount").is_some_and(|v| !v.is_null())
    {
        validation::check_amount(
            body.get("cancelledAmount"),
            "cancelledAmount",
            &mut violations,
        );
    }
    violations
}

async fn cancel(
    state: &State,
    ctx: &Ctx,
    tenant: &Tenant,
    path: IdPath,
    body: Bytes,
    operation: &'static Operation,
) -> Result<Response, Failure> {
    change(
        state,
        ctx,
        tenant,
        operation,
        (path, &body),
        cancelled_amount_rules,
        |record, body| {
            let amount = body
                .get("cancelledAmount")
                .and_then(simulation::cents_of_json);
            let done = record
                .cancel(amount)
                .map_err(|r| Failure::bad_request(r.message))?;
            let status = if done.full {
                types::CreditCancellationResponseStatus::CancelFullAccepted
            } else {
                types::CreditCancellationResponseStatus::CancelPartAccepted
            };
            let answer = types::CreditCancellationResponse {
                financed_amount: Some(simulation::eur(done.remaining)),
                status: Some(scalexpert::OpenEnum::Known(status)),
            };
            Ok(json_response(StatusCode::OK, &answer))
        },
    )
}

/// A page for a person, with the headers that keep it to itself: a Content-Security-Policy
/// that allows no script and nothing from elsewhere, no framing, no referrer (the journey's
/// link is its token), no type sniffing.
fn html(status: StatusCode, page: String) -> Response {
    page_response(status, "text/html; charset=utf-8", page)
}

fn page_response(status: StatusCode, content_type: &'static str, body: String) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(journey::CONTENT_SECURITY_POLICY),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
            (
                header::REFERRER_POLICY,
                HeaderValue::from_static("no-referrer"),
            ),
        ],
        body,
    )
        .into_response()
}

async fn stylesheet() -> Response {
    page_response(
        StatusCode::OK,
        "text/css; charset=utf-8",
        journey::STYLESHEET.to_string(),
    )
}

async fn journey_page(Shared(state): Shared<AppState>, Path(token): Path<String>) -> Response {
    let page = state.store.by_journey(&token).and_then(|id| {
        state.store.update_any(id, |record| {
            record.open_journey();
            journey::page(record, &token)
        })
    });
    match page {
        Some(page) => html(StatusCode::OK, page),
        None => html(
            StatusCode::NOT_FOUND,
            journey::problem_page("No journey here: the link is wrong or the sandbox restarted."),
        ),
    }
}

async fn journey_outcome(
    Shared(state): Shared<AppState>,
    ctx: Ctx,
    Path((token, outcome)): Path<(String, String)>,
) -> Response {
    let problem = |status: StatusCode, message: String| {
        if ctx.wants_html() {
            html(status, journey::problem_page(&message))
        } else {
            json_response(status, &serde_json::json!({ "error": message }))
        }
    };
    let Some(outcome) = JourneyOutcome::from_segment(&outcome) else {
        return problem(
            StatusCode::NOT_FOUND,
            "the outcome is one of accept, pre-accept, reject, abort".into(),
        );
    };
    let Some(id) = state.store.by_journey(&token) else {
        return problem(StatusCode::NOT_FOUND, "no journey with this token".into());
    };
    let done = state.store.update_any(id, |record| {
        record.complete_journey(outcome).map(|status| {
            (
                status,
                record.status.substatus(),
                journey::outcome_page(record),
            )
        })
    });
    match done {
        Some(Ok((status, substatus, page))) => {
            if ctx.wants_html() {
                html(StatusCode::OK, page)
            } else {
                json_response(
                    StatusCode::OK,
                    &serde_json::json!({
                        "creditSubscriptionId": id,
                        "consolidatedStatus": status.as_str(),
                        "consolidatedSubstatus": substatus,
                    }),
                )
            }
        }
        Some(Err(refusal)) => problem(StatusCode::CONFLICT, refusal.message),
        None => problem(StatusCode::NOT_FOUND, "no journey with this token".into()),
    }
}

async fn kit(Path((code, file)): Path<(String, String)>) -> Response {
    match journey::kit_asset(&code, &file) {
        Some((content_type, body)) => page_response(StatusCode::OK, content_type, body),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn health() -> Response {
    json_response(StatusCode::OK, &serde_json::json!({ "status": "ok" }))
}

async fn no_route(ctx: Ctx) -> Response {
    ctx.respond(Err(Failure::no_route()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_operation_table_and_the_handlers_agree() {
        let routes = api_routes(&served::E_FINANCING, HANDLERS)
            .expect("every operation has a handler, every handler an operation");
        let mut paths: Vec<String> = served::OPERATIONS
            .iter()
            .map(|operation| format!("{}{}", served::api_prefix(), operation.path))
            .collect();
        paths.sort();
        paths.dedup();
        let mut routed: Vec<String> = routes.into_iter().map(|(_, path, _)| path).collect();
        routed.sort();
        routed.dedup();
        assert_eq!(routed, paths);
        assert_eq!(HANDLERS.len(), served::OPERATIONS.len());
    }
}
