//! One handler per operation of the insurance spec, by `operationId`, behind the same gate as
//! the e-financing ones (token and scope, tenancy, injected faults).

use super::lifecycle::InsuranceStatus;
use super::store::{Full, Item, ListQuery, Policy, Quote, Subscribe, MAX_RECORDS};
use super::wire;
use crate::api::{
    checked_body, checked_query, flagged, no_content, reject_if_any, serve, Ctx, OperationRoute,
    Serve,
};
use crate::errors::{json_response, Failure};
use crate::lifecycle::Tenant;
use crate::served::insurance_types as types;
use crate::simulation;
use crate::state::{AppState, State};
use crate::validation::{self, param, Violation};
use crate::SandboxError;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State as Shared};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use scalexpert::{OpenEnum, Operation};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

/// The sandbox's insurance behaviour per operation of the served spec, by `operationId`.
pub(crate) const HANDLERS: &[(&str, Serve)] = &[
    serve!("getEligibleProductServices" => eligible_solutions),
    serve!("CreateItemRequest" => register_item, body: Bytes),
    serve!("SearchItemInsuranceRequest" => search, body: Bytes),
    serve!("createInsuranceQuotation" => quote, body: Bytes),
    serve!("createInsuranceSubscription" => subscribe, body: Bytes),
    serve!("retrieveInsuranceSubscriptionForSpecificMerchant" => list),
    serve!("retrieveSpecificInsuranceSubscription" => retrieve, path: IdPath),
    serve!("cancelInsuranceSubscriptions" => cancel, path: IdPath, body: Bytes),
];

/// The id segment of `/subscriptions/{insuranceSubscriptionId}`, as axum gives it.
type IdPath = Result<Path<String>, PathRejection>;

/// Most subscriptions one list page holds.
const MAX_PAGE_SIZE: u64 = 100;

fn baas(status: StatusCode, code: &str, message: String) -> Failure {
    Failure::baas(status, code, message)
}

fn full(what: &str) -> Failure {
    baas(
        StatusCode::BAD_REQUEST,
        "SANDBOX_LIMIT_REACHED",
        format!("the sandbox keeps at most {MAX_RECORDS} {what}; restart it to start afresh"),
    )
}

fn not_found(id: Uuid) -> Failure {
    baas(
        StatusCode::NOT_FOUND,
        "ENTITY_NOT_FOUND",
        format!("no insurance subscription {id}"),
    )
}

fn json<T: Serialize>(status: StatusCode, value: &T) -> Result<Response, Failure> {
    Ok(json_response(status, value))
}

/// A request body as the generated type, once validation has passed.
fn typed<T: serde::de::DeserializeOwned>(body: Value) -> Result<T, Failure> {
    serde_json::from_value(body).map_err(|e| {
        Failure::validation(vec![Violation::new("INVALID_VALUE", "body", e.to_string())])
    })
}

/// Flags the given text fields of `body` that are present but blank (the insurer refuses
/// them: "sku must not be blank").
fn not_blank(body: &Value, fields: &[&str], violations: &mut Vec<Violation>) {
    for field in fields {
        let blank = body
            .get(field)
            .and_then(Value::as_str)
            .is_some_and(|text| text.trim().is_empty());
        if blank && !flagged(violations, field) {
            violations.push(Violation::new("INVALID_VALUE", field, "must not be blank"));
        }
    }
}

/// Checks the amount at `pointer` of `body`, named `field`, unless the schema flagged it.
fn amount_at(
    body: &Value,
    pointer: &str,
    field: &str,
    violations: &mut Vec<Violation>,
) -> Option<i64> {
    if flagged(violations, field) {
        return None;
    }
    validation::check_amount(body.pointer(pointer), field, violations)
}

fn policy_id(path: IdPath, ctx: &Ctx) -> Result<Uuid, Failure> {
    let raw = match path {
        Ok(Path(raw)) => raw,
        // Undecodable text: show the segment after `subscriptions` as received.
        Err(_) => ctx
            .path()
            .split('/')
            .skip_while(|segment| *segment != "subscriptions")
            .nth(1)
            .unwrap_or_default()
            .to_string(),
    };
    Uuid::parse_str(&raw).map_err(|_| {
        let shown: String = raw.chars().take(64).collect();
        baas(
            StatusCode::BAD_REQUEST,
            "INVALID_UUID",
            format!("insuranceSubscriptionId {shown:?} is not a UUID"),
        )
    })
}

/// The tenant's item `item_id`, registered for `solution_code`.
fn registered_item(
    state: &State,
    tenant: &crate::lifecycle::Tenant,
    item_id: &str,
    solution_code: &str,
) -> Result<Item, Failure> {
    let item = state.insurance.store.item(tenant, item_id).ok_or_else(|| {
        Failure::bad_request(format!(
            "no item {item_id:?} for this merchant: register it with POST /items first"
        ))
    })?;
    if item.solution_code != solution_code {
        return Err(Failure::bad_request(format!(
            "item {item_id} is registered for {}, not {solution_code}",
            item.solution_code
        )));
    }
    Ok(item)
}

fn not_offered(solution_code: &str) -> Failure {
    Failure::bad_request(format!(
        "solutionCode {solution_code} is not offered to this merchant"
    ))
}

async fn eligible_solutions(
    state: &State,
    ctx: &Ctx,
    _tenant: &Tenant,
    operation: &'static Operation,
) -> Result<Response, Failure> {
    let (query, mut violations) = checked_query(state, ctx, operation);
    let country = param(&query, "buyerBillingCountry");
    if !flagged(&violations, "buyerBillingCountry") {
        validation::check_country(country, "buyerBillingCountry", &mut violations);
    }
    reject_if_any(violations)?;
    let country = country.unwrap_or_default();
    let rules = state.insurance.rules();
    let listed = types::SolutionsDto {
        solutions: rules
            .eligible(country)
            .map(|solution| wire::solution(solution, &state.base_url))
            .collect(),
    };
    json(StatusCode::OK, &listed)
}

async fn register_item(
    state: &State,
    _ctx: &Ctx,
    tenant: &Tenant,
    body: Bytes,
    operation: &'static Operation,
) -> Result<Response, Failure> {
    let (body, mut violations) = checked_body(state, &body, operation)?;
    not_blank(
        &body,
        &[
            "solutionCode",
            "sku",
            "merchantItemId",
            "brand",
            "model",
            "title",
            "description",
            "characteristics",
            "category",
        ],
        &mut violations,
    );
    reject_if_any(violations)?;
    let request: types::CreateItemRequest = typed(body)?;
    let rules = state.insurance.rules();
    rules
        .solution(&request.solution_code)
        .ok_or_else(|| not_offered(&request.solution_code))?;
    // The typed request in canonical form: the same characteristics give the same key,
    // whatever the field order or an explicit `isRefurbished: false`.
    let key = serde_json::to_string(&request).map_err(|e| {
        Failure::validation(vec![Violation::new("INVALID_VALUE", "body", e.to_string())])
    })?;
    let id = state
        .insurance
        .store
        .register_item(tenant, key, |id| Item {
            id,
            tenant: tenant.clone(),
            solution_code: request.solution_code.clone(),
            category: request.category.clone(),
            refurbished: request.is_refurbished,
        })
        .map_err(|Full| full("catalogue items"))?;
    json(StatusCode::CREATED, &types::CreateItemResponse { id })
}

async fn search(
    state: &State,
    _ctx: &Ctx,
    tenant: &Tenant,
    body: Bytes,
    operation: &'static Operation,
) -> Result<Response, Failure> {
    let (body, mut violations) = checked_body(state, &body, operation)?;
    let price = amount_at(&body, "/price", "price", &mut violations);
    not_blank(&body, &["solutionCode", "itemId"], &mut violations);
    reject_if_any(violations)?;
    let request: types::SearchItemInsuranceRequest = typed(body)?;
    let price = price.ok_or_else(|| Failure::bad_request("price is required"))?;
    let item = registered_item(state, tenant, &request.item_id, &request.solution_code)?;
    let rules = state.insurance.rules();
    let solution = rules
        .solution(&request.solution_code)
        .ok_or_else(|| not_offered(&request.solution_code))?;
    let offers = solution.offers(&item.category, item.refurbished, price);
    if offers.is_empty() {
        // Nothing insurable: 204, no body, as the spec says.
        return Ok(no_content());
    }
    json(
        StatusCode::OK,
        &types::SearchItemInsuranceResponse {
            insurances: offers.iter().map(wire::offer).collect(),
            item_id: item.id,
            solution_code: request.solution_code,
        },
    )
}

/// `at` plus the quotation lifetime, saturating far in the future.
fn expiry(at: DateTime<Utc>, lifetime: std::time::Duration) -> DateTime<Utc> {
    TimeDelta::from_std(lifetime)
        .ok()
        .and_then(|lifetime| at.checked_add_signed(lifetime))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

async fn quote(
    state: &State,
    _ctx: &Ctx,
    tenant: &Tenant,
    body: Bytes,
    operation: &'static Operation,
) -> Result<Response, Failure> {
    let (body, mut violations) = checked_body(state, &body, operation)?;
    let price = amount_at(&body, "/itemPrice", "itemPrice", &mut violations);
    not_blank(&body, &["itemId", "insuranceId"], &mut violations);
    reject_if_any(violations)?;
    let request: types::InsuranceQuotationRequest = typed(body)?;
    let price = price.ok_or_else(|| Failure::bad_request("itemPrice is required"))?;
    let solution_code = request.solution_code.to_string();
    let item = registered_item(state, tenant, &request.item_id, &solution_code)?;
    let rules = state.insurance.rules();
    let solution = rules
        .solution(&solution_code)
        .ok_or_else(|| not_offered(&solution_code))?;
    let offer = solution
        .offers(&item.category, item.refurbished, price)
        .into_iter()
        .find(|offer| offer.id == request.insurance_id)
        .ok_or_else(|| {
            Failure::bad_request(format!(
                "insuranceId {:?} is not an offer of {solution_code} for this item at {} EUR: \
                 search the offers (POST /items/_search-insurances) at this price",
                request.insurance_id,
                simulation::eur(price)
            ))
        })?;
    let expires = expiry(Utc::now(), state.insurance.quote_lifetime);
    let id = Uuid::new_v4();
    let answer = types::InsuranceQuotationResponse {
        expiration_date: Some(expires.to_rfc3339_opts(SecondsFormat::Millis, true)),
        insurance_price: Some(simulation::eur(offer.price)),
        quote_id: Some(id),
    };
    state
        .insurance
        .store
        .insert_quote(Quote {
            id,
            tenant: tenant.clone(),
            solution_code,
            offer,
            item_price: price,
            expires,
            used: false,
        })
        .map_err(|Full| full("quotations"))?;
    json(StatusCode::CREATED, &answer)
}

/// What a subscription request must repeat of its quotation; one violation per difference.
fn quotation_differences(
    request: &types::CreateInsuranceSubscriptionRequest,
    quote: &Quote,
) -> Vec<Violation> {
    let mut differences = Vec::new();
    let mut differs = |field: &str, expected: String| {
        differences.push(Violation::new(
            "INVALID_VALUE",
            field,
            format!("must be the quotation's {expected}"),
        ));
    };
    if *request.solution_code != quote.solution_code {
        differs("solutionCode", quote.solution_code.clone());
    }
    if request.insurance_id != quote.offer.id {
        differs("insuranceId", quote.offer.id.clone());
    }
    let price = simulation::eur(quote.offer.price);
    if simulation::cents(request.producer_quote_insurance_price) != Some(quote.offer.price) {
        differs("producerQuoteInsurancePrice", price.to_string());
    }
    if simulation::cents(request.insured_item.insurance_price) != Some(quote.offer.price) {
        differs("insuredItem.insurancePrice", price.to_string());
    }
    if simulation::cents(request.insured_item.price) != Some(quote.item_price) {
        differs(
            "insuredItem.price",
            format!("item price {}", simulation::eur(quote.item_price)),
        );
    }
    let expiry_date = quote.expires.date_naive();
    if request.producer_quote_expiration_date != expiry_date {
        differs(
            "producerQuoteExpirationDate",
            format!("expiry date {expiry_date} (the date of its expirationDate)"),
        );
    }
    differences
}

async fn subscribe(
    state: &State,
    _ctx: &Ctx,
    tenant: &Tenant,
    body: Bytes,
    operation: &'static Operation,
) -> Result<Response, Failure> {
    let (body, mut violations) = checked_body(state, &body, operation)?;
    for (pointer, field) in [
        (
            "/producerQuoteInsurancePrice",
            "producerQuoteInsurancePrice",
        ),
        ("/insuredItem/price", "insuredItem.price"),
        ("/insuredItem/insurancePrice", "insuredItem.insurancePrice"),
    ] {
        amount_at(&body, pointer, field, &mut violations);
    }
    let currency = body
        .pointer("/insuredItem/currencyCode")
        .and_then(Value::as_str);
    if currency.is_some_and(|c| c != "EUR") && !flagged(&violations, "insuredItem.currencyCode") {
        violations.push(Violation::new(
            "INVALID_VALUE",
            "insuredItem.currencyCode",
            "must be EUR: every insurance price is in EUR",
        ));
    }
    let country = body
        .pointer("/buyer/address/countryCode")
        .and_then(Value::as_str);
    if !flagged(&violations, "buyer.address.countryCode") {
        validation::check_country(country, "buyer.address.countryCode", &mut violations);
    }
    not_blank(&body, &["quoteId", "insuranceId"], &mut violations);
    reject_if_any(violations)?;
    let request: types::CreateInsuranceSubscriptionRequest = typed(body)?;
    let unknown = || {
        Failure::bad_request(format!(
            "no quotation {:?} for this merchant: create one with POST /quotations",
            request.quote_id
        ))
    };
    let quote_id = Uuid::parse_str(&request.quote_id).map_err(|_| unknown())?;
    let rules = state.insurance.rules();
    let now = Utc::now();
    let made = state.insurance.store.subscribe(
        &state.store.webhooks,
        tenant,
        quote_id,
        now,
        |quote, id, account| {
            let differences = quotation_differences(&request, quote);
            if !differences.is_empty() {
                return Err(Failure::validation(differences));
            }
            let solution = rules
                .solution(&quote.solution_code)
                .ok_or_else(|| not_offered(&quote.solution_code))?;
            // The insurer covers buyers of its own market only.
            let rejected = request
                .buyer
                .address
                .as_ref()
                .is_some_and(|address| address.country_code != solution.country);
            let policy = Policy {
                id,
                tenant: tenant.clone(),
                registered: now,
                updated: now,
                solution_code: quote.solution_code.clone(),
                market: solution.country.clone(),
                years: quote.offer.years,
                merchant_basket_id: request.merchant_basket_id.clone(),
                merchant_global_order_id: request.merchant_global_order_id.to_string(),
                merchant_buyer_id: request.merchant_buyer_id.clone(),
                status: InsuranceStatus::Initialized,
                // The store records each status it takes.
                history: Vec::new(),
                item_price: quote.item_price,
                item_category: request.insured_item.category.clone(),
                price: quote.offer.price,
                commission: solution.commission_on(quote.offer.price),
                buyer: serde_json::to_value(&request.buyer).unwrap_or_default(),
                insured_item: serde_json::to_value(&request.insured_item).unwrap_or_default(),
                account,
            };
            if wire::detail(&policy).is_none() {
                return Err(Failure::validation(vec![Violation::new(
                    "INVALID_VALUE",
                    "buyer",
                    "cannot be recorded as the subscription's buyer",
                )]));
            }
            Ok((policy, rejected))
        },
    );
    let policy = made.map_err(|refused| match refused {
        Subscribe::UnknownQuote => unknown(),
        Subscribe::Expired(at) => baas(
            StatusCode::BAD_REQUEST,
            "QUOTE_EXPIRED",
            format!(
                "quotation {quote_id} expired at {}: create a new one with POST /quotations",
                at.to_rfc3339_opts(SecondsFormat::Millis, true)
            ),
        ),
        Subscribe::AlreadyUsed => Failure::bad_request(format!(
            "quotation {quote_id} was already used for a subscription"
        )),
        Subscribe::Full => full("insurance subscriptions"),
        Subscribe::Refused(failure) => failure,
    })?;
    json(
        StatusCode::CREATED,
        &types::CreateInsuranceSubscriptionResponse {
            consolidated_status: policy.status.as_str().parse().map_or_else(
                |_| OpenEnum::Unknown(policy.status.to_string()),
                OpenEnum::Known,
            ),
            insurance_subscription_id: policy.id.to_string(),
        },
    )
}

async fn list(
    state: &State,
    ctx: &Ctx,
    tenant: &Tenant,
    operation: &'static Operation,
) -> Result<Response, Failure> {
    let (query, mut violations) = checked_query(state, ctx, operation);
    // `page` and `pageSize` are strings of digits in this spec.
    let mut number = |name: &str, default: u64, max: u64| match param(&query, name) {
        None => default,
        Some(raw) => match raw.trim().parse::<u64>() {
            Ok(n) if (1..=max).contains(&n) => n,
            _ => {
                let limit = if max == u64::MAX {
                    "a number, at least 1".to_string()
                } else {
                    format!("a number from 1 to {max}")
                };
                violations.push(Violation::new(
                    "INVALID_VALUE",
                    name,
                    format!("must be {limit}"),
                ));
                default
            }
        },
    };
    let page = number("page", 1, u64::MAX);
    let page_size = number("pageSize", 20, MAX_PAGE_SIZE);
    reject_if_any(violations)?;
    let (total, items) = state.insurance.store.list(
        tenant,
        &ListQuery {
            order: param(&query, "merchantGlobalOrderId"),
            basket: param(&query, "merchantBasketId"),
            solution: param(&query, "solutionCode"),
            page,
            page_size,
        },
    );
    json(
        StatusCode::OK,
        &types::PaginationInsuranceSubscriptionsResponse {
            subscriptions: items.iter().map(wire::summary).collect(),
            total_item_count: i32::try_from(total).unwrap_or(i32::MAX),
        },
    )
}

async fn retrieve(
    state: &State,
    ctx: &Ctx,
    tenant: &Tenant,
    path: IdPath,
    _operation: &'static Operation,
) -> Result<Response, Failure> {
    let id = policy_id(path, ctx)?;
    let policy = state
        .insurance
        .store
        .policy(tenant, id)
        .ok_or_else(|| not_found(id))?;
    let detail = wire::detail(&policy)
        .ok_or_else(|| Failure::bad_request("the subscription's buyer cannot be shown"))?;
    json(StatusCode::OK, &detail)
}

async fn cancel(
    state: &State,
    ctx: &Ctx,
    tenant: &Tenant,
    path: IdPath,
    body: Bytes,
    operation: &'static Operation,
) -> Result<Response, Failure> {
    let id = policy_id(path, ctx)?;
    let (_, violations) = checked_body(state, &body, operation)?;
    reject_if_any(violations)?;
    match state.insurance.store.change_status(
        &state.store.webhooks,
        Some(tenant),
        id,
        InsuranceStatus::Cancelled,
    ) {
        None => Err(not_found(id)),
        Some(Err(current)) => Err(Failure::bad_request(format!(
            "insurance subscription {id} is {current} and cannot be cancelled: only a \
             SUBSCRIBED one can"
        ))),
        // Accepted: 204 and no body, although the spec draws one.
        Some(Ok(_)) => Ok(no_content()),
    }
}

/// Moves insurance subscription `id`, whoever owns it, to `status` as the insurer would
/// (for [`Sandbox::set_insurance_status`](crate::Sandbox::set_insurance_status) and the admin
/// endpoint).
pub(crate) fn set_status(
    state: &State,
    id: Uuid,
    status: InsuranceStatus,
) -> Result<InsuranceStatus, SandboxError> {
    match state
        .insurance
        .store
        .change_status(&state.store.webhooks, None, id, status)
    {
        None => Err(SandboxError::UnknownSubscription(id)),
        Some(Err(current)) => Err(SandboxError::NotAllowed(format!(
            "an insurance subscription that is {current} cannot become {status}"
        ))),
        Some(Ok(policy)) => Ok(policy.status),
    }
}

/// `POST /sandbox/admin/insurance/subscriptions/{id}/status` with `{"consolidatedStatus":
/// "ACTIVATED"}`: what the insurer does later (activate, terminate, abort, reject).
pub(crate) async fn admin_set_status(
    Shared(state): Shared<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let problem = |status: StatusCode, message: String| {
        json_response(status, &serde_json::json!({ "error": message }))
    };
    let Ok(id) = Uuid::parse_str(&id) else {
        return problem(StatusCode::BAD_REQUEST, format!("{id:?} is not a UUID"));
    };
    let wanted = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|body| {
            body.get("consolidatedStatus")
                .and_then(Value::as_str)
                .and_then(InsuranceStatus::from_wire)
        });
    let Some(wanted) = wanted else {
        let known: Vec<&str> = InsuranceStatus::ALL.iter().map(|s| s.as_str()).collect();
        return problem(
            StatusCode::BAD_REQUEST,
            format!(
                "the body is {{\"consolidatedStatus\": one of {}}}",
                known.join(", ")
            ),
        );
    };
    match set_status(&state, id, wanted) {
        Ok(status) => json_response(
            StatusCode::OK,
            &serde_json::json!({
                "insuranceSubscriptionId": id,
                "consolidatedStatus": status.as_str(),
            }),
        ),
        Err(SandboxError::UnknownSubscription(_)) => problem(
            StatusCode::NOT_FOUND,
            format!("no insurance subscription {id}"),
        ),
        Err(other) => problem(StatusCode::CONFLICT, other.to_string()),
    }
}

/// The insurance API's routes, one per operation of its table.
pub(crate) fn routes() -> Result<Vec<OperationRoute>, String> {
    crate::api::api_routes(&crate::served::INSURANCE, HANDLERS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::served;

    #[test]
    fn the_operation_table_and_the_handlers_agree() {
        let routes = routes().expect("every operation has a handler, every handler an operation");
        let mut paths: Vec<String> = served::INSURANCE_OPERATIONS
            .iter()
            .map(|operation| format!("/insurance/api/v1{}", operation.path))
            .collect();
        paths.sort();
        paths.dedup();
        let mut routed: Vec<String> = routes.into_iter().map(|(_, path, _)| path).collect();
        routed.sort();
        routed.dedup();
        assert_eq!(routed, paths);
    }
}
