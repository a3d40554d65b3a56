//! Every operation end to end through the facade: subscriptions, the buyer's journey (page and
//! plain endpoints), status, delivery, return, full and partial cancellation, list filters and
//! pagination.

use scalexpert::e_financing::v1_7_1::types::{
    ConfirmDeliveryRequest, ConfirmDeliveryRequestOperator, ConfirmReturnRequest,
    CreditCancellationDto, CreditCancellationResponse, CreditSubscriptionDtoResponse,
    PaginationCreditSubscriptionsDtoResponse,
};
use scalexpert::{Client, Error};
use scalexpert_sandbox::{sample_application, JourneyOutcome, Sandbox, Status};
use serde_json::Value;
use uuid::Uuid;

struct Opened {
    id: Uuid,
    journey: String,
}

async fn open(client: &Client, code: &str, order: &str, amount: f64) -> Opened {
    let created = client
        .e_financing_v1_7_1()
        .initiate_credit_subscription()
        .language(if code.starts_with("SCDE") {
            "de-DE"
        } else {
            "fr-FR"
        })
        .body(sample_application(code, order, amount).expect("sample"))
        .send()
        .await
        .expect("created")
        .into_inner();
    let redirect = created.redirect.expect("redirect");
    assert_eq!(
        redirect.type_.map(|t| t.to_string()).as_deref(),
        Some("url")
    );
    Opened {
        id: created.id,
        journey: redirect.value.expect("journey URL"),
    }
}

async fn get(client: &Client, id: Uuid) -> CreditSubscriptionDtoResponse {
    client
        .e_financing_v1_7_1()
        .retrieve_credit_subscription()
        .credit_subscription_id(id)
        .send()
        .await
        .expect("retrieved")
        .into_inner()
}

async fn deliver(client: &Client, id: Uuid) -> Result<(), Error> {
    client
        .e_financing_v1_7_1()
        .do_confirm_delivery()
        .credit_subscription_id(id)
        .body(ConfirmDeliveryRequest {
            is_delivered: true,
            operator: Some(ConfirmDeliveryRequestOperator::Chronopost),
            tracking_number: Some("XY123456789FR".try_into().expect("valid")),
        })
        .send()
        .await?;
    Ok(())
}

async fn report_return(client: &Client, id: Uuid) -> Result<(), Error> {
    client
        .e_financing_v1_7_1()
        .do_confirm_return()
        .credit_subscription_id(id)
        .body(ConfirmReturnRequest { is_returned: true })
        .send()
        .await?;
    Ok(())
}

async fn cancel(
    client: &Client,
    id: Uuid,
    amount: Option<f64>,
) -> Result<CreditCancellationResponse, Error> {
    Ok(client
        .e_financing_v1_7_1()
        .cancel_credit_subscription()
        .credit_subscription_id(id)
        .body(CreditCancellationDto {
            cancelled_amount: amount
                .map(|a| scalexpert::Amount::try_from(a).expect("a test amount")),
            cancelled_item: None,
            cancellation_reason: Some("returned".into()),
            cancellation_contact: None,
        })
        .send()
        .await?
        .into_inner())
}

fn bad_request(result: Result<impl std::fmt::Debug, Error>, words: &str) {
    let error = result.expect_err("refused");
    let api = error.api_error().expect("an API error");
    assert_eq!(api.status.as_u16(), 400, "{error}");
    assert!(api.has_code("BAD_REQUEST"), "{error}");
    assert!(error.to_string().contains(words), "{error}");
}

async fn list(
    client: &Client,
    order: Option<&str>,
    basket: Option<&str>,
    page: i32,
    size: i32,
) -> PaginationCreditSubscriptionsDtoResponse {
    let api = client.e_financing_v1_7_1();
    let mut call = api
        .retrieve_credit_subscription_for_specific_merchant()
        .page(page)
        .page_size(size);
    if let Some(order) = order {
        call = call.merchant_global_order_id(order);
    }
    if let Some(basket) = basket {
        call = call.merchant_basket_id(basket);
    }
    call.send().await.expect("listed").into_inner()
}

#[tokio::test]
async fn split_payment_from_creation_to_full_cancellation() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    let opened = open(&client, "SCFRSP-4XTS", "ORDER-SPLIT", 1249.9).await;
    assert!(opened
        .journey
        .starts_with(&format!("{}/sandbox/journey/", sandbox.base_url())));

    let record = get(&client, opened.id).await;
    assert_eq!(record.credit_subscription_id, opened.id);
    assert_eq!(record.consolidated_status.to_string(), "INITIALIZED");
    assert_eq!(record.solution_code, "SCFRSP-4XTS");
    assert_eq!(record.family_code, "SC");
    assert_eq!(record.market_type_code, "FR");
    assert_eq!(record.implementation_code.as_deref(), Some("4X"));
    assert_eq!(record.financed_amount, crate::eur(1249.9));
    assert_eq!(record.merchant_global_order_id, "ORDER-SPLIT");
    assert_eq!(record.merchant_basket_id, "BASKET-ORDER-SPLIT");
    assert_eq!(record.merchant_buyer_id, "BUYER-0001");
    assert_eq!(record.buyer.contact.email, "claire.martin@example.com");
    assert_eq!(record.basket_details, "Electric city bike x1, 1249.90 EUR");
    assert!(!record.cancellation_already_made);
    assert_eq!(record.cancellation_status, None);
    assert_eq!(
        (record.is_delivered, record.is_returned),
        (Some(false), Some(false))
    );
    assert!(record.last_update_timestamp >= record.registration_timestamp);

    // The buyer opens the journey page: the application is now REQUESTED.
    let http = reqwest::Client::new();
    let page = http.get(&opened.journey).send().await.expect("page");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert!(html.contains("ORDER-SPLIT") && html.contains("Accept") && html.contains("Abort"));
    assert_eq!(
        get(&client, opened.id)
            .await
            .consolidated_status
            .to_string(),
        "REQUESTED"
    );

    // ... and accepts, through the plain endpoint a test (or another language) can call.
    let accepted: Value = http
        .post(format!("{}/accept", opened.journey))
        .send()
        .await
        .expect("accept")
        .json()
        .await
        .expect("json");
    assert_eq!(accepted["consolidatedStatus"], "ACCEPTED");
    assert_eq!(accepted["creditSubscriptionId"], opened.id.to_string());
    let record = get(&client, opened.id).await;
    assert_eq!(record.consolidated_status.to_string(), "ACCEPTED");
    assert_eq!(
        record.consolidated_substatus.as_deref(),
        Some("SUBSCRIPTION APPROVED BY PRODUCER")
    );

    // Split payment: delivery and return are accepted and ignored.
    deliver(&client, opened.id).await.expect("accepted");
    report_return(&client, opened.id).await.expect("accepted");
    let record = get(&client, opened.id).await;
    assert_eq!(
        (record.is_delivered, record.is_returned),
        (Some(false), Some(false))
    );

    // A cancellation without an amount cancels everything.
    let cancelled = cancel(&client, opened.id, None).await.expect("cancelled");
    assert_eq!(cancelled.financed_amount, Some(crate::eur(0.0)));
    assert_eq!(
        cancelled.status.map(|s| s.to_string()).as_deref(),
        Some("CANCEL_FULL_ACCEPTED")
    );
    let record = get(&client, opened.id).await;
    assert_eq!(record.consolidated_status.to_string(), "CANCELLED");
    assert_eq!(
        record.cancellation_status.map(|s| s.to_string()).as_deref(),
        Some("CANCELLATION_ACCEPTED")
    );
    assert!(record.cancellation_already_made);
    assert_eq!(record.financed_amount, crate::eur(0.0));
    bad_request(
        cancel(&client, opened.id, None).await,
        "only an ACCEPTED subscription",
    );
}

#[tokio::test]
async fn long_term_credit_delivery_return_and_cancellations() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    let opened = open(&client, "SCFRLT-TXNO", "ORDER-CREDIT", 5000.0).await;
    let id = opened.id;
    assert_eq!(get(&client, id).await.implementation_code, None);

    bad_request(deliver(&client, id).await, "ACCEPTED");
    bad_request(
        cancel(&client, id, None).await,
        "only an ACCEPTED subscription",
    );
    assert_eq!(
        sandbox.complete_journey(id, JourneyOutcome::Accepted),
        Ok(Status::Accepted)
    );
    bad_request(report_return(&client, id).await, "report the delivery");

    deliver(&client, id).await.expect("delivered");
    assert_eq!(get(&client, id).await.is_delivered, Some(true));
    bad_request(
        cancel(&client, id, Some(1000.0)).await,
        "report their return",
    );

    report_return(&client, id).await.expect("returned");
    assert_eq!(get(&client, id).await.is_returned, Some(true));

    let partial = cancel(&client, id, Some(1000.0)).await.expect("partial");
    assert_eq!(partial.financed_amount, Some(crate::eur(4000.0)));
    assert_eq!(
        partial.status.map(|s| s.to_string()).as_deref(),
        Some("CANCEL_PART_ACCEPTED")
    );
    let record = get(&client, id).await;
    assert_eq!(record.consolidated_status.to_string(), "ACCEPTED");
    assert_eq!(
        record.cancellation_status.map(|s| s.to_string()).as_deref(),
        Some("PARTIAL_CANCELLATION_ACCEPTED")
    );
    assert!(record.cancellation_already_made);
    assert_eq!(record.financed_amount, crate::eur(4000.0));

    bad_request(
        cancel(&client, id, Some(500.0)).await,
        "partial cancellation was already made",
    );
    bad_request(
        cancel(&client, id, Some(4000.01)).await,
        "above the amount still financed",
    );

    let rest = cancel(&client, id, Some(4000.0)).await.expect("the rest");
    assert_eq!(rest.financed_amount, Some(crate::eur(0.0)));
    assert_eq!(
        rest.status.map(|s| s.to_string()).as_deref(),
        Some("CANCEL_FULL_ACCEPTED")
    );
    let record = get(&client, id).await;
    assert_eq!(record.consolidated_status.to_string(), "CANCELLED");
    bad_request(deliver(&client, id).await, "ACCEPTED");
}

#[tokio::test]
async fn an_undelivered_credit_cancels_without_a_return() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    let opened = open(&client, "SCDELT-DXTS", "ORDER-DE", 800.0).await;
    let record = get(&client, opened.id).await;
    assert_eq!(record.market_type_code, "DE");
    assert_eq!(record.buyer.contact.mobile_phone_number, "+4915112345678");
    sandbox
        .complete_journey(opened.id, JourneyOutcome::Accepted)
        .expect("accepted");
    let cancelled = cancel(&client, opened.id, Some(800.0))
        .await
        .expect("cancelled");
    assert_eq!(cancelled.financed_amount, Some(crate::eur(0.0)));
}

#[tokio::test]
async fn journeys_end_rejected_aborted_or_after_pre_acceptance() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    let http = reqwest::Client::new();

    // A person clicking Reject on the page gets a page back.
    let rejected = open(&client, "SCFRSP-4XPS", "ORDER-R", 600.0).await;
    let page = http
        .post(format!("{}/reject", rejected.journey))
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .expect("reject");
    assert_eq!(page.status(), 200);
    assert!(page
        .headers()
        .get("content-type")
        .is_some_and(|v| v.to_str().unwrap_or("").starts_with("text/html")));
    let html = page.text().await.expect("html");
    assert!(
        html.contains("REJECTED")
            && html.contains("https://shop.example.com/checkout/financing/return")
    );
    let record = get(&client, rejected.id).await;
    assert_eq!(record.consolidated_status.to_string(), "REJECTED");
    assert_eq!(
        record.consolidated_substatus.as_deref(),
        Some("SUBSCRIPTION REJECTED BY PRODUCER")
    );
    // The journey is over: a second outcome conflicts, and cancellation is refused.
    let again = http
        .post(format!("{}/accept", rejected.journey))
        .send()
        .await
        .expect("answer");
    assert_eq!(again.status(), 409);
    bad_request(cancel(&client, rejected.id, None).await, "REJECTED");

    let aborted = open(&client, "SCFRSP-4XPS", "ORDER-A", 600.0).await;
    let answer: Value = http
        .post(format!("{}/abort", aborted.journey))
        .send()
        .await
        .expect("abort")
        .json()
        .await
        .expect("json");
    assert_eq!(answer["consolidatedStatus"], "ABORTED");
    assert_eq!(
        get(&client, aborted.id)
            .await
            .consolidated_status
            .to_string(),
        "ABORTED"
    );

    let pre = open(&client, "SCFRLT-TXPS", "ORDER-P", 2000.0).await;
    assert_eq!(
        sandbox.complete_journey(pre.id, JourneyOutcome::PreAccepted),
        Ok(Status::PreAccepted)
    );
    assert_eq!(
        get(&client, pre.id).await.consolidated_status.to_string(),
        "PRE_ACCEPTED"
    );
    assert!(sandbox
        .complete_journey(pre.id, JourneyOutcome::Aborted)
        .is_err());
    assert_eq!(
        sandbox.complete_journey(pre.id, JourneyOutcome::Accepted),
        Ok(Status::Accepted)
    );

    // Unknown journeys and outcomes.
    let unknown = http
        .post(format!(
            "{}/sandbox/journey/nope/accept",
            sandbox.base_url()
        ))
        .send()
        .await
        .expect("answer");
    assert_eq!(unknown.status(), 404);
    let odd = http
        .post(format!("{}/approve", pre.journey))
        .send()
        .await
        .expect("answer");
    assert_eq!(odd.status(), 404);
    assert!(sandbox
        .complete_journey(Uuid::nil(), JourneyOutcome::Accepted)
        .is_err());
}

#[tokio::test]
async fn list_filters_and_pages() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    let mut ids = Vec::new();
    for i in 0..7 {
        ids.push(
            open(
                &client,
                "SCFRSP-4XTS",
                &format!("ORDER-{i}"),
                100.0 + f64::from(i),
            )
            .await
            .id,
        );
    }

    let mut seen = Vec::new();
    for page in 1..=3 {
        let listed = list(&client, None, None, page, 3).await;
        assert_eq!(listed.total_item_count, 7);
        assert_eq!(listed.subscriptions.len(), [3, 3, 1][page as usize - 1]);
        seen.extend(
            listed
                .subscriptions
                .iter()
                .map(|s| s.credit_subscription_id),
        );
    }
    assert_eq!(seen, ids, "pages cover everything once, in creation order");
    let beyond = list(&client, None, None, 4, 3).await;
    assert_eq!(
        (beyond.total_item_count, beyond.subscriptions.len()),
        (7, 0)
    );

    let by_order = list(&client, Some("ORDER-4"), None, 1, 20).await;
    assert_eq!(by_order.total_item_count, 1);
    let entry = &by_order.subscriptions[0];
    assert_eq!(entry.credit_subscription_id, ids[4]);
    assert_eq!(entry.buyer_financed_amount, crate::eur(104.0));
    assert_eq!(entry.consolidated_status.to_string(), "INITIALIZED");
    assert_eq!(entry.implementation_code.as_deref(), Some("4X"));
    assert_eq!(entry.market_type_code, "FR");

    let by_basket = list(&client, None, Some("BASKET-ORDER-2"), 1, 20).await;
    assert_eq!(by_basket.total_item_count, 1);
    assert_eq!(by_basket.subscriptions[0].credit_subscription_id, ids[2]);
    let both = list(&client, Some("ORDER-2"), Some("BASKET-ORDER-3"), 1, 20).await;
    assert_eq!(both.total_item_count, 0);

    // Defaults: page 1, 20 per page.
    let default = client
        .e_financing_v1_7_1()
        .retrieve_credit_subscription_for_specific_merchant()
        .send()
        .await
        .expect("listed")
        .into_inner();
    assert_eq!(
        (default.total_item_count, default.subscriptions.len()),
        (7, 7)
    );
}
