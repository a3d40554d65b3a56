//! Insurance 1.7.1 end to end through the SDK's insurance client: eligibility, idempotent item
//! registration, offers priced by the rule table (200 or 204), quotations that expire,
//! subscriptions and their life cycle, cancellation, tenancy, scopes and `CI_SUBSCRIPTION`
//! webhooks. Request bodies are the spec's own examples, adjusted to the ids the sandbox gave.

use super::webhooks::{receiver, tiny_retry, wait_for, API_KEY, SIGNING_KEY};
use scalexpert::insurance::v1_7_1::types::{
    CreateInsuranceSubscriptionRequest, CreateItemRequest, InsuranceCancellationDto,
    InsuranceQuotationRequest, InsuranceQuotationResponse, InsuranceSubscriptionConsolidatedStatus,
    InsuranceSubscriptionResponseConsolidatedStatus as Status, SearchItemInsuranceRequest,
    SearchItemInsuranceResponse,
};
use scalexpert::insurance::v1_7_1::{Client as Insurance, SPEC};
use scalexpert::webhooks::{EventData, ReceiverSecrets};
use scalexpert::{Amount, Client, Error, QuoteExpiry};
use scalexpert_sandbox::{
    InsuranceRules, InsuranceSolution, InsuranceStatus, Sandbox, SandboxError, DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
};
use serde_json::{json, Value};
use std::time::Duration;
use uuid::Uuid;

/// The request example our insurance spec documents for `method path`.
fn example(method: &str, path: &str) -> Value {
    let spec: Value = serde_yaml_ng::from_str(SPEC).expect("the spec reads");
    let pointer = format!(
        "/paths/{}/{method}/requestBody/content/application~1json/example",
        path.replace('/', "~1")
    );
    spec.pointer(&pointer)
        .cloned()
        .unwrap_or_else(|| panic!("no example at {pointer}"))
}

fn eur(text: &str) -> Amount {
    text.parse().expect("an amount")
}

fn codes(error: &Error) -> Vec<String> {
    error
        .api_error()
        .map(|e| e.codes().into_iter().map(String::from).collect())
        .unwrap_or_default()
}

/// The spec's washing machine, registered: its id at the insurer.
pub(super) async fn register(api: &Insurance) -> String {
    let item: CreateItemRequest =
        serde_json::from_value(example("post", "/items")).expect("the spec's item");
    api.create_item_request()
        .body(item)
        .send()
        .await
        .expect("registered")
        .into_inner()
        .id
}

async fn search(
    api: &Insurance,
    item_id: &str,
    price: &str,
) -> Option<SearchItemInsuranceResponse> {
    api.search_item_insurance_request()
        .body(SearchItemInsuranceRequest {
            solution_code: "CIFRWE-DXCO".into(),
            item_id: item_id.into(),
            price: eur(price),
        })
        .send()
        .await
        .expect("searched")
        .into_inner()
}

pub(super) async fn quote(
    api: &Insurance,
    item_id: &str,
    offer: &str,
) -> InsuranceQuotationResponse {
    api.create_insurance_quotation()
        .body(InsuranceQuotationRequest {
            solution_code: "CIFRWE-DXCO".try_into().expect("pattern"),
            item_id: item_id.into(),
            item_price: eur("649.99"),
            insurance_id: offer.into(),
        })
        .send()
        .await
        .expect("quoted")
        .into_inner()
}

/// The spec's subscription example, with the quotation's id, offer, price and expiry date.
pub(super) fn subscription(
    quotation: &InsuranceQuotationResponse,
    order: &str,
) -> CreateInsuranceSubscriptionRequest {
    subscription_of(quotation, "WEX-36M-2", order)
}

fn subscription_of(
    quotation: &InsuranceQuotationResponse,
    offer: &str,
    order: &str,
) -> CreateInsuranceSubscriptionRequest {
    let expiry = QuoteExpiry::of(quotation).expect("an expiry");
    let mut body = example("post", "/subscriptions");
    body["quoteId"] = json!(quotation.quote_id.expect("an id"));
    body["insuranceId"] = json!(offer);
    body["merchantGlobalOrderId"] = json!(order);
    body["producerQuoteExpirationDate"] = json!(expiry.date());
    body["producerQuoteInsurancePrice"] = json!(quotation.insurance_price.expect("a price"));
    body["insuredItem"]["insurancePrice"] = json!(quotation.insurance_price.expect("a price"));
    serde_json::from_value(body).expect("a valid subscription")
}

/// Registers, quotes the 3-year offer and subscribes it; the new subscription's id.
pub(super) async fn subscribe(api: &Insurance, order: &str) -> Result<Uuid, Error> {
    let item = register(api).await;
    let quotation = quote(api, &item, "WEX-36M-2").await;
    let created = api
        .create_insurance_subscription()
        .body(subscription(&quotation, order))
        .send()
        .await?
        .into_inner();
    assert_eq!(created.consolidated_status.to_string(), "SUBSCRIBED");
    Ok(created.insurance_subscription_id.parse().expect("a uuid"))
}

async fn status(api: &Insurance, id: Uuid) -> Result<Status, Error> {
    let detail = api
        .retrieve_specific_insurance_subscription()
        .insurance_subscription_id(id)
        .send()
        .await?
        .into_inner();
    Ok(*detail.consolidated_status.known().expect("a known status"))
}

#[tokio::test]
async fn eligibility_is_by_the_buyers_country() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let api = sandbox.client().expect("client").insurance_v1_7_1();
    let french = api
        .get_eligible_product_services()
        .buyer_billing_country("FR")
        .send()
        .await
        .expect("eligibility")
        .into_inner();
    let listed: Vec<_> = french
        .solutions
        .iter()
        .map(|s| {
            (
                s.solution_code.as_str(),
                s.family_code.as_str(),
                s.conditions.as_str(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [("CIFRWE-DXCO", "CI", "DXCO"), ("CIFRBS-DXCO", "CI", "DXCO")]
    );
    assert!(french.solutions[0]
        .communication_kit
        .visual_information_icon
        .starts_with(sandbox.base_url()));
    let german = api
        .get_eligible_product_services()
        .buyer_billing_country("DE")
        .send()
        .await
        .expect("eligibility")
        .into_inner();
    assert!(german.solutions.is_empty());
    let error = api
        .get_eligible_product_services()
        .buyer_billing_country("France")
        .send()
        .await
        .map_err(Error::from)
        .expect_err("not ISO");
    assert_eq!(
        codes(&error),
        ["REQUEST_VALIDATION_ERROR", "INVALID_COUNTRY_CODE"]
    );
}

#[tokio::test]
async fn registering_the_same_item_again_gives_the_same_id() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    let api = client.insurance_v1_7_1();
    let first = register(&api).await;
    assert_eq!(register(&api).await, first);
    let mut changed: CreateItemRequest =
        serde_json::from_value(example("post", "/items")).expect("item");
    changed.is_refurbished = true;
    let other = api
        .create_item_request()
        .body(changed)
        .send()
        .await
        .expect("registered")
        .into_inner()
        .id;
    assert_ne!(other, first, "other characteristics, another item");
    // A PSP's merchant has its own catalogue.
    let shop = sandbox
        .psp_client()
        .expect("psp")
        .for_merchant("SHOP-A")
        .expect("merchant");
    assert_ne!(register(&shop.insurance_v1_7_1()).await, first);
    // Blank and unknown solutions are refused.
    let mut blank = example("post", "/items");
    blank["sku"] = json!("  ");
    blank["solutionCode"] = json!("CIFRXX-DXCO");
    let error = api
        .create_item_request()
        .body(serde_json::from_value::<CreateItemRequest>(blank).expect("item"))
        .send()
        .await
        .map_err(Error::from)
        .expect_err("blank sku");
    assert_eq!(codes(&error), ["REQUEST_VALIDATION_ERROR", "INVALID_VALUE"]);
    assert!(
        error.to_string().contains("sku: must not be blank"),
        "{error}"
    );
}

#[tokio::test]
async fn offers_are_priced_by_the_rule_table_and_204_means_none() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let api = sandbox.client().expect("client").insurance_v1_7_1();
    let item = register(&api).await;
    let found = search(&api, &item, "649.99").await.expect("offers");
    let offers: Vec<_> = found
        .insurances
        .iter()
        .map(|o| (o.id.as_str(), o.price.to_string()))
        .collect();
    // The spec's example prices.
    assert_eq!(
        offers,
        [
            ("WEX-24M-2", "59.90".to_string()),
            ("WEX-36M-2", "84.90".to_string())
        ]
    );
    assert_eq!(found.item_id, item);
    assert_eq!(
        search(&api, &item, "1500")
            .await
            .expect("offers")
            .insurances[1]
            .id,
        "WEX-36M-3"
    );
    // Outside every price band, or an item category the solution does not cover: no offer.
    assert!(search(&api, &item, "3000.01").await.is_none());
    let mut book: CreateItemRequest =
        serde_json::from_value(example("post", "/items")).expect("item");
    book.category = "Livres".into();
    let book = api
        .create_item_request()
        .body(book)
        .send()
        .await
        .expect("registered")
        .into_inner()
        .id;
    assert!(search(&api, &book, "649.99").await.is_none());
    // Unknown items and three decimals are refused.
    let error = api
        .search_item_insurance_request()
        .body(SearchItemInsuranceRequest {
            solution_code: "CIFRWE-DXCO".into(),
            item_id: "no-such-item".into(),
            price: eur("649.99"),
        })
        .send()
        .await
        .map_err(Error::from)
        .expect_err("unknown item");
    assert_eq!(codes(&error), ["BAD_REQUEST"]);
    let (status, body) = raw_insurance(
        &sandbox,
        "/items/_search-insurances",
        json!({"solutionCode": "CIFRWE-DXCO", "itemId": item, "price": 649.999}),
    )
    .await;
    assert_eq!(
        (status, body["errors"][0]["code"].as_str()),
        (400, Some("INVALID_AMOUNT"))
    );
}

#[tokio::test]
async fn the_whole_flow_subscribes_lists_reads_and_cancels() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let api = sandbox.client().expect("client").insurance_v1_7_1();
    let item = register(&api).await;
    let quotation = quote(&api, &item, "WEX-36M-2").await;
    assert_eq!(quotation.insurance_price, Some(eur("84.90")));
    let expiry = QuoteExpiry::of(&quotation).expect("an expiry");
    let lifetime = expiry.at() - chrono::Utc::now();
    assert!(
        (47..=48).contains(&lifetime.num_hours()),
        "48 hours by default, not {lifetime}"
    );
    let created = api
        .create_insurance_subscription()
        .body(subscription(&quotation, "CMD-1"))
        .send()
        .await
        .expect("subscribed")
        .into_inner();
    let id: Uuid = created.insurance_subscription_id.parse().expect("uuid");

    let detail = api
        .retrieve_specific_insurance_subscription()
        .insurance_subscription_id(id)
        .send()
        .await
        .expect("read")
        .into_inner();
    assert_eq!(
        detail.consolidated_status.known(),
        Some(&Status::Subscribed)
    );
    assert_eq!((detail.duration, detail.family_code.as_str()), (3, "CI"));
    assert_eq!(detail.producer_quote_insurance_price, eur("84.90"));
    assert_eq!(
        detail.merchant_commission,
        Some(eur("21.23")),
        "25 %, half up"
    );
    assert_eq!(
        detail.insured_item.label,
        "Lave-linge hublot Kelvix LV-714 9 kg"
    );
    let contact = detail.buyer.contact.expect("a contact");
    assert_eq!(contact.email, "camille.lefebvre@example.fr");

    // A quotation buys one policy.
    let again = api
        .create_insurance_subscription()
        .body(subscription(&quotation, "CMD-1"))
        .send()
        .await
        .map_err(Error::from)
        .expect_err("used already");
    assert_eq!(codes(&again), ["BAD_REQUEST"]);

    let listed = |solution: &'static str, order: &'static str| {
        let api = api.clone();
        async move {
            api.retrieve_insurance_subscription_for_specific_merchant()
                .solution_code(solution)
                .merchant_global_order_id(order)
                .send()
                .await
                .expect("listed")
                .into_inner()
        }
    };
    let page = listed("CIFRWE-DXCO", "CMD-1").await;
    assert_eq!(page.total_item_count, 1);
    let entry = &page.subscriptions[0];
    assert_eq!(entry.insurance_subscription_id, id);
    assert_eq!(
        entry.consolidated_status.known(),
        Some(&InsuranceSubscriptionConsolidatedStatus::Subscribed)
    );
    assert_eq!(
        (
            entry.insured_item_price,
            entry.insured_item_category.as_str()
        ),
        (eur("649.99"), "Gros électroménager")
    );
    assert_eq!(listed("CIFRBS-DXCO", "CMD-1").await.total_item_count, 0);
    assert_eq!(listed("CIFRWE-DXCO", "CMD-2").await.total_item_count, 0);

    api.cancel_insurance_subscriptions()
        .insurance_subscription_id(id)
        .body(InsuranceCancellationDto {
            origin: Some("BUYER".into()),
        })
        .send()
        .await
        .expect("cancelled: 204");
    assert_eq!(status(&api, id).await.expect("read"), Status::Cancelled);
    let twice = api
        .cancel_insurance_subscriptions()
        .insurance_subscription_id(id)
        .body(InsuranceCancellationDto::default())
        .send()
        .await
        .map_err(Error::from)
        .expect_err("cancelled already");
    assert!(
        twice
            .to_string()
            .contains("CANCELLED and cannot be cancelled"),
        "{twice}"
    );
}

/// The error shape of an expired quotation, as the acceptance criterion wants it.
fn assert_expired(error: &Error) {
    assert_eq!(error.status().map(|s| s.as_u16()), Some(400));
    assert_eq!(codes(error), ["QUOTE_EXPIRED"]);
    let Some(scalexpert::error::ErrorBody::Baas(body)) = error.api_error().map(|e| &e.body) else {
        panic!("not a BaasExceptionHttpResponse: {error:?}");
    };
    assert_eq!(body.http_status_code, Some(400));
    assert_eq!(body.request_method.as_deref(), Some("POST"));
    assert_eq!(
        body.request_uri.as_deref(),
        Some("/insurance/api/v1/subscriptions")
    );
    assert!(body.timestamp.is_some());
    assert!(body
        .error_message
        .as_deref()
        .is_some_and(|m| m.contains("expired")));
}

#[tokio::test]
async fn an_expired_quotation_is_refused_in_the_gateways_error_shape() {
    let sandbox = Sandbox::builder()
        .quote_lifetime(Duration::ZERO)
        .start()
        .await
        .expect("sandbox");
    let api = sandbox.client().expect("client").insurance_v1_7_1();
    let item = register(&api).await;
    let quotation = quote(&api, &item, "WEX-36M-2").await;
    assert!(QuoteExpiry::of(&quotation)
        .expect("expiry")
        .is_expired(chrono::Utc::now()));
    let error = api
        .create_insurance_subscription()
        .body(subscription(&quotation, "CMD-LATE"))
        .send()
        .await
        .map_err(Error::from)
        .expect_err("expired");
    assert_expired(&error);
}

#[tokio::test]
async fn a_quotation_expired_while_the_buyer_paid_is_quoted_again() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let api = sandbox.client().expect("client").insurance_v1_7_1();
    let item = register(&api).await;
    let quotation = quote(&api, &item, "WEX-36M-2").await;
    // The credit journey took longer than the quotation lasts.
    sandbox.expire_quotations();
    let late = api
        .create_insurance_subscription()
        .body(subscription(&quotation, "CMD-SLOW"))
        .send()
        .await
        .map_err(Error::from)
        .expect_err("expired meanwhile");
    assert_expired(&late);
    // The refusal says what to do: quote again, then subscribe with the new quotation.
    let fresh = quote(&api, &item, "WEX-36M-2").await;
    assert_ne!(fresh.quote_id, quotation.quote_id);
    api.create_insurance_subscription()
        .body(subscription(&fresh, "CMD-SLOW"))
        .send()
        .await
        .map_err(Error::from)
        .expect("subscribed with the new quotation");
}

#[tokio::test]
async fn a_subscription_must_repeat_its_quotation() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let api = sandbox.client().expect("client").insurance_v1_7_1();
    let item = register(&api).await;
    let quotation = quote(&api, &item, "WEX-36M-2").await;
    let mut request = subscription(&quotation, "CMD-X");
    request.insurance_id = "WEX-24M-2".into();
    request.producer_quote_insurance_price = eur("59.90");
    request.producer_quote_expiration_date = request
        .producer_quote_expiration_date
        .succ_opt()
        .expect("a next day");
    let error = api
        .create_insurance_subscription()
        .body(request)
        .send()
        .await
        .map_err(Error::from)
        .expect_err("not the quotation");
    let message = error.to_string();
    for field in [
        "insuranceId",
        "producerQuoteInsurancePrice",
        "producerQuoteExpirationDate",
    ] {
        assert!(message.contains(field), "{field} not named in {message}");
    }
    assert_eq!(codes(&error)[0], "REQUEST_VALIDATION_ERROR");
    // Quoting an offer the item does not get at that price is refused too.
    let error = api
        .create_insurance_quotation()
        .body(InsuranceQuotationRequest {
            solution_code: "CIFRWE-DXCO".try_into().expect("pattern"),
            item_id: item,
            item_price: eur("649.99"),
            insurance_id: "WEX-36M-3".into(),
        })
        .send()
        .await
        .map_err(Error::from)
        .expect_err("another band's offer");
    assert_eq!(codes(&error), ["BAD_REQUEST"]);
}

#[tokio::test]
async fn the_life_cycle_after_subscription() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let api = sandbox.client().expect("client").insurance_v1_7_1();
    let id = subscribe(&api, "CMD-LIFE").await.expect("subscribed");
    assert_eq!(
        sandbox.set_insurance_status(id, InsuranceStatus::Activated),
        Ok(InsuranceStatus::Activated)
    );
    assert_eq!(status(&api, id).await.expect("read"), Status::Activated);
    let error = api
        .cancel_insurance_subscriptions()
        .insurance_subscription_id(id)
        .body(InsuranceCancellationDto::default())
        .send()
        .await
        .map_err(Error::from)
        .expect_err("activated");
    assert_eq!(codes(&error), ["BAD_REQUEST"]);
    assert!(matches!(
        sandbox.set_insurance_status(id, InsuranceStatus::Subscribed),
        Err(SandboxError::NotAllowed(_))
    ));
    sandbox
        .set_insurance_status(id, InsuranceStatus::Terminated)
        .expect("terminated");
    assert_eq!(status(&api, id).await.expect("read"), Status::Terminated);
    assert_eq!(
        sandbox.set_insurance_status(Uuid::nil(), InsuranceStatus::Aborted),
        Err(SandboxError::UnknownSubscription(Uuid::nil()))
    );

    // The same over HTTP, for other languages.
    let other = subscribe(&api, "CMD-LIFE-2").await.expect("subscribed");
    let http = crate::admin_http(&sandbox);
    let url = format!(
        "{}/sandbox/admin/insurance/subscriptions/{other}/status",
        sandbox.base_url()
    );
    let answer = http
        .post(&url)
        .json(&json!({"consolidatedStatus": "ACTIVATED"}))
        .send()
        .await
        .expect("answer");
    assert_eq!(answer.status(), 200);
    let answer = http
        .post(&url)
        .json(&json!({"consolidatedStatus": "CANCELLED"}))
        .send()
        .await
        .expect("answer");
    assert_eq!(answer.status(), 409);
    assert_eq!(status(&api, other).await.expect("read"), Status::Activated);
}

#[tokio::test]
async fn a_buyer_outside_the_solutions_market_is_rejected() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let api = sandbox.client().expect("client").insurance_v1_7_1();
    let item = register(&api).await;
    let quotation = quote(&api, &item, "WEX-24M-2").await;
    let mut body =
        serde_json::to_value(subscription_of(&quotation, "WEX-24M-2", "CMD-BE")).expect("json");
    body["buyer"]["address"]["countryCode"] = json!("BE");
    let created = api
        .create_insurance_subscription()
        .body(serde_json::from_value::<CreateInsuranceSubscriptionRequest>(body).expect("valid"))
        .send()
        .await
        .expect("answered")
        .into_inner();
    assert_eq!(created.consolidated_status.to_string(), "REJECTED");
}

#[tokio::test]
async fn tenants_and_scopes() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let psp = sandbox.psp_client().expect("psp");
    let shop_a = psp
        .for_merchant("SHOP-A")
        .expect("merchant")
        .insurance_v1_7_1();
    let shop_b = psp
        .for_merchant("SHOP-B")
        .expect("merchant")
        .insurance_v1_7_1();
    let id = subscribe(&shop_a, "CMD-A").await.expect("subscribed");
    let hidden = status(&shop_b, id).await.expect_err("another merchant's");
    assert!(matches!(hidden, Error::NotFound(_)), "{hidden:?}");
    assert_eq!(codes(&hidden), ["ENTITY_NOT_FOUND"]);
    // SHOP-B cannot quote SHOP-A's item either.
    let item_a = register(&shop_a).await;
    let error = shop_b
        .create_insurance_quotation()
        .body(InsuranceQuotationRequest {
            solution_code: "CIFRWE-DXCO".try_into().expect("pattern"),
            item_id: item_a,
            item_price: eur("649.99"),
            insurance_id: "WEX-36M-2".into(),
        })
        .send()
        .await
        .map_err(Error::from)
        .expect_err("not its item");
    assert_eq!(codes(&error), ["BAD_REQUEST"]);

    // A token for e-financing only is refused by the insurance API, with the gateway's shape.
    let (status, body) = raw_with_scope(&sandbox, "e-financing:rw").await;
    assert_eq!(status, 403);
    assert_eq!(body["errorCode"], "FORBIDDEN");
    assert!(body["errorMessage"]
        .as_str()
        .is_some_and(|m| m.contains("insurance:rw")));
    let (status, _) = raw_with_scope(&sandbox, "insurance:rw").await;
    assert_eq!(status, 200);
}

/// A token with `scope`, then `GET /eligible-solutions?buyerBillingCountry=FR`.
async fn raw_with_scope(sandbox: &Sandbox, scope: &str) -> (u16, Value) {
    let http = reqwest::Client::new();
    let token: Value = http
        .post(sandbox.environment().token_url())
        .basic_auth(DEFAULT_CLIENT_ID, Some(DEFAULT_CLIENT_SECRET))
        .form(&[("grant_type", "client_credentials"), ("scope", scope)])
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    let answer = http
        .get(format!(
            "{}/insurance/api/v1/eligible-solutions?buyerBillingCountry=FR",
            sandbox.base_url()
        ))
        .bearer_auth(token["access_token"].as_str().expect("token"))
        .send()
        .await
        .expect("answer");
    let status = answer.status().as_u16();
    (status, answer.json().await.expect("json"))
}

/// POSTs `body` to the insurance API with an insurance token.
async fn raw_insurance(sandbox: &Sandbox, path: &str, body: Value) -> (u16, Value) {
    let http = reqwest::Client::new();
    let token: Value = http
        .post(sandbox.environment().token_url())
        .basic_auth(DEFAULT_CLIENT_ID, Some(DEFAULT_CLIENT_SECRET))
        .form(&[
            ("grant_type", "client_credentials"),
            ("scope", "insurance:rw"),
        ])
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    let answer = http
        .post(format!("{}/insurance/api/v1{path}", sandbox.base_url()))
        .bearer_auth(token["access_token"].as_str().expect("token"))
        .json(&body)
        .send()
        .await
        .expect("answer");
    let status = answer.status().as_u16();
    (status, answer.json().await.expect("json"))
}

#[tokio::test]
async fn rules_can_be_replaced_by_builder_and_while_running() {
    let cheap = InsuranceRules::empty().with(
        InsuranceSolution::new("CIFRWE-DXCO", "FR", "GAR")
            .categories(&["gros électroménager"])
            .commission(10.0)
            .band(eur("1"), eur("1000"), &[(5, eur("19.99"))]),
    );
    let sandbox = Sandbox::builder()
        .insurance_rules(cheap.clone())
        .start()
        .await
        .expect("sandbox");
    assert_eq!(sandbox.insurance_rules(), cheap);
    let api = sandbox.client().expect("client").insurance_v1_7_1();
    let item = register(&api).await;
    let offers = search(&api, &item, "649.99")
        .await
        .expect("offers")
        .insurances;
    assert_eq!(
        offers
            .iter()
            .map(|o| (o.id.as_str(), o.price))
            .collect::<Vec<_>>(),
        [("GAR-60M-1", eur("19.99"))]
    );
    sandbox
        .set_insurance_rules(InsuranceRules::standard())
        .expect("valid");
    assert_eq!(
        search(&api, &item, "649.99")
            .await
            .expect("offers")
            .insurances
            .len(),
        2
    );
    let broken = InsuranceRules::empty().with(InsuranceSolution::new("WARRANTY", "FR", "W"));
    assert!(matches!(
        sandbox.set_insurance_rules(broken.clone()),
        Err(SandboxError::Configuration(_))
    ));
    assert!(Sandbox::builder()
        .insurance_rules(broken)
        .start()
        .await
        .is_err());
}

#[tokio::test]
async fn every_status_change_is_a_signed_ci_subscription_event() {
    let secrets = ReceiverSecrets::api_key(API_KEY).with_signature_key(SIGNING_KEY);
    let (url, hook) = receiver(secrets.clone()).await;
    let sandbox = Sandbox::builder()
        .webhook(Some("SHOP-A"), &url, secrets)
        .webhook_retry(tiny_retry())
        .start()
        .await
        .expect("sandbox");
    let client: Client = sandbox.psp_client().expect("psp");
    let shop = client
        .for_merchant("SHOP-A")
        .expect("merchant")
        .insurance_v1_7_1();
    let id = subscribe(&shop, "CMD-HOOK").await.expect("subscribed");
    shop.cancel_insurance_subscriptions()
        .insurance_subscription_id(id)
        .body(InsuranceCancellationDto::default())
        .send()
        .await
        .expect("cancelled");
    wait_for(&hook, |seen| seen.events.len() >= 3).await;
    let seen = hook.seen.lock().expect("lock");
    assert!(seen.rejections.is_empty(), "{:?}", seen.rejections);
    let rows: Vec<_> = seen
        .events
        .iter()
        .map(|event| {
            let EventData::CiSubscription(data) = &event.data else {
                panic!("not a CI_SUBSCRIPTION event: {event:?}");
            };
            (
                event.event_code.to_string(),
                data.insurance_subscription_id.clone(),
                data.merchant_global_order_id.clone(),
                data.consolidated_status.as_ref().map(|s| s.to_string()),
                event.merchant.clone(),
            )
        })
        .collect();
    let row = |code: &str, status: &str| {
        (
            code.to_string(),
            Some(id.to_string()),
            Some("CMD-HOOK".to_string()),
            Some(status.to_string()),
            Some("SHOP-A".to_string()),
        )
    };
    assert_eq!(
        rows,
        [
            row("CI_SUBSCRIPTION_INITIALIZED", "INITIALIZED"),
            row("CI_SUBSCRIPTION_SUBSCRIBED", "SUBSCRIBED"),
            row("CI_SUBSCRIPTION_CANCELLED", "CANCELLED"),
        ]
    );
    let correlations: Vec<_> = seen.events.iter().map(|e| e.correlation_id).collect();
    assert!(correlations[0].is_some() && correlations.iter().all(|c| *c == correlations[0]));
}
