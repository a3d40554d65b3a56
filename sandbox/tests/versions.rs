//! The sandbox speaks e-financing 1.7.1: the limits 1.7.0 and 1.7.1 added are enforced on the
//! wire (a 1.7.1 client refuses such values before sending, so these requests are raw), and a
//! 1.6.6 client is served wherever the two versions agree.

use super::errors::raw;
use scalexpert::e_financing::v1_7_1::types::SolutionSimulationRequest;
use scalexpert_sandbox::{sample_application, JourneyOutcome, Sandbox};
use serde_json::{json, Value};

/// The sample application as JSON, to break on purpose.
fn application(order: &str) -> Value {
    serde_json::to_value(sample_application("SCFRLT-TXNO", order, 1500.0).expect("sample"))
        .expect("json")
}

/// `(code, field)` of each `errors[]` entry, the field being the message's path.
fn entries(error: &scalexpert::error::BaasError) -> Vec<(String, String)> {
    error
        .errors
        .iter()
        .map(|e| {
            let message = e.message.clone().unwrap_or_default();
            let field = message.split(':').next().unwrap_or_default().to_string();
            (e.code.clone().unwrap_or_default(), field)
        })
        .collect()
}

#[tokio::test]
async fn the_1_7_0_length_limits_on_buyer_contact_and_address_are_enforced() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let mut body = application("ORDER-LIMITS");
    let buyer = &mut body["buyers"][0];
    buyer["birthName"] = json!("M".repeat(351));
    buyer["contact"]["mobilePhoneNumber"] = json!("+3361234567890123"); // 17 characters
    buyer["contact"]["professionalTitle"] = json!("D".repeat(36));
    buyer["billingAddress"]["streetNumberSuffix"] = json!("bisx");
    buyer["deliveryAddress"]["zipCode"] = json!("6".repeat(17));
    let (status, error) = raw(
        &sandbox,
        reqwest::Method::POST,
        "/subscriptions?language=fr-FR",
        Some(&body.to_string()),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        error.error_code.as_deref(),
        Some("REQUEST_VALIDATION_ERROR")
    );
    let found = entries(&error);
    for field in [
        "buyers[0].birthName",
        "buyers[0].contact.mobilePhoneNumber",
        "buyers[0].contact.professionalTitle",
        "buyers[0].billingAddress.streetNumberSuffix",
        "buyers[0].deliveryAddress.zipCode",
    ] {
        assert!(
            found.contains(&("INVALID_LENGTH".to_string(), field.to_string())),
            "INVALID_LENGTH on {field} not in {found:?}"
        );
    }
}

#[tokio::test]
async fn an_application_needs_at_least_one_buyer() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let mut body = application("ORDER-NOBODY");
    body["buyers"] = json!([]);
    let (status, error) = raw(
        &sandbox,
        reqwest::Method::POST,
        "/subscriptions?language=fr-FR",
        Some(&body.to_string()),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        entries(&error).contains(&("INVALID_SIZE".into(), "buyers".into())),
        "{:?}",
        entries(&error)
    );
}

#[tokio::test]
async fn the_1_7_1_limits_tracking_number_and_solution_codes_are_enforced() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    let created = client
        .e_financing_v1_7_1()
        .initiate_credit_subscription()
        .language("fr-FR")
        .body(sample_application("SCFRLT-TXNO", "ORDER-TRACKED", 1500.0).expect("sample"))
        .send()
        .await
        .expect("created")
        .into_inner();
    sandbox
        .complete_journey(created.id, JourneyOutcome::Accepted)
        .expect("accepted");
    let (status, error) = raw(
        &sandbox,
        reqwest::Method::POST,
        &format!("/subscriptions/{}/_confirmDelivery", created.id),
        Some(r#"{"isDelivered": true, "trackingNumber": ""}"#),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        entries(&error),
        [("INVALID_LENGTH".to_string(), "trackingNumber".to_string())]
    );

    let codes = |n: usize| -> Vec<String> { (0..n).map(|i| format!("SCFRXX-{i:04}")).collect() };
    let simulate = |n: usize| {
        json!({"buyerBillingCountry": "FR", "financedAmount": 1500, "solutionCodes": codes(n)})
            .to_string()
    };
    let (status, error) = raw(
        &sandbox,
        reqwest::Method::POST,
        "/_simulate-solutions",
        Some(&simulate(101)),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        entries(&error),
        [("INVALID_SIZE".to_string(), "solutionCodes".to_string())]
    );
    // 100 codes are fine: none is offered, so nothing is simulated.
    let answer = client
        .e_financing_v1_7_1()
        .credit_simulation()
        .body(SolutionSimulationRequest {
            buyer_billing_country: "FR".parse().expect("country"),
            financed_amount: scalexpert::Amount::from(1500),
            solution_codes: Some(codes(100).try_into().expect("100 codes")),
        })
        .send()
        .await
        .expect("simulated")
        .into_inner();
    assert!(answer.solution_simulations.is_empty());
}

#[tokio::test]
async fn the_1_7_rules_in_words_dates_and_lower_case_emails() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let mut body = application("ORDER-WORDS");
    // 1.6.6's examples wrote birth dates as timestamps; 1.7 wants YYYY-MM-DD.
    body["buyers"][0]["birthDate"] = json!("1986-09-23T00:00:00.000Z");
    body["buyers"][0]["lastDatePurchase"] = json!("2023-11-02");
    body["buyers"][0]["contact"]["email"] = json!("Claire.Martin@example.com");
    let (status, error) = raw(
        &sandbox,
        reqwest::Method::POST,
        "/subscriptions?language=fr-FR",
        Some(&body.to_string()),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        entries(&error),
        [
            (
                "INVALID_FORMAT".to_string(),
                "buyers[0].birthDate".to_string()
            ),
            (
                "INVALID_EMAIL".to_string(),
                "buyers[0].contact.email".to_string()
            ),
        ]
    );
}

/// A merchant still on the 1.6.6 client, against the 1.7.1 sandbox: the whole journey works
/// with values both versions accept.
#[cfg(feature = "e-financing-1_6_6")]
mod client_1_6_6 {
    use scalexpert::e_financing::v1_6_6::types::{
        ConfirmDeliveryRequest, ConfirmDeliveryRequestOperator, ConfirmReturnRequest,
        CreditCancellationDto, CreditSubscriptionDtoResponseConsolidatedStatus as Detailed,
        InitiateCreditSubscriptionRequest, SolutionSimulationRequest,
        SolutionSimulationRequestBuyerBillingCountry as Country,
    };
    use scalexpert::{Amount, Error};
    use scalexpert_sandbox::{sample_application, JourneyOutcome, Sandbox};

    /// The sample application (valid for 1.7.1) as the 1.6.6 request type.
    fn application(code: &str, order: &str, amount: f64) -> InitiateCreditSubscriptionRequest {
        let body = serde_json::to_value(sample_application(code, order, amount).expect("sample"))
            .expect("json");
        serde_json::from_value(body).expect("valid for 1.6.6 too")
    }

    #[tokio::test]
    async fn a_1_6_6_client_runs_the_whole_journey() {
        let sandbox = Sandbox::start().await.expect("sandbox");
        let client = sandbox.client().expect("client");
        let api = client.e_financing_v1_6_6();

        let eligible = api
            .get_eligible_product_services()
            .buyer_billing_country("FR")
            .financed_amount(1500.0)
            .send()
            .await
            .expect("eligibility")
            .into_inner();
        let codes: Vec<_> = eligible
            .solutions
            .iter()
            .map(|s| s.solution_code.as_str())
            .collect();
        assert_eq!(
            codes,
            ["SCFRSP-4XTS", "SCFRLT-TXPS", "SCFRLT-TXNO", "SCFRSP-4XPS"]
        );

        let simulated = api
            .credit_simulation()
            .body(SolutionSimulationRequest {
                buyer_billing_country: Country::Fr,
                financed_amount: Amount::from(1500),
                solution_codes: vec!["SCFRLT-TXNO".into()],
            })
            .send()
            .await
            .expect("simulation")
            .into_inner();
        let first = &simulated.solution_simulations[0].simulations[0];
        assert_eq!(
            (first.duration, first.installments[0].amount.to_string()),
            (6, "256.95".into())
        );

        let created = api
            .initiate_credit_subscription()
            .language("fr-FR")
            .body(application("SCFRLT-TXNO", "ORDER-166", 1500.0))
            .send()
            .await
            .expect("created")
            .into_inner();
        sandbox
            .complete_journey(created.id, JourneyOutcome::Accepted)
            .expect("accepted");
        let page = api
            .retrieve_credit_subscription_for_specific_merchant()
            .merchant_global_order_id("ORDER-166")
            .send()
            .await
            .expect("list")
            .into_inner();
        assert_eq!(page.total_item_count, 1);
        api.do_confirm_delivery()
            .credit_subscription_id(created.id)
            .body(ConfirmDeliveryRequest {
                is_delivered: true,
                operator: Some(ConfirmDeliveryRequestOperator::LaPoste),
                tracking_number: Some("6A20419387552".try_into().expect("valid")),
            })
            .send()
            .await
            .expect("delivered");
        api.do_confirm_return()
            .credit_subscription_id(created.id)
            .body(ConfirmReturnRequest { is_returned: true })
            .send()
            .await
            .expect("returned");
        let cancelled = api
            .cancel_credit_subscription()
            .credit_subscription_id(created.id)
            .body(CreditCancellationDto {
                cancelled_amount: Some(Amount::from(250)),
                cancelled_item: None,
                cancellation_reason: None,
                cancellation_contact: None,
            })
            .send()
            .await
            .expect("cancelled")
            .into_inner();
        assert_eq!(
            cancelled.financed_amount.map(|a| a.to_string()).as_deref(),
            Some("1250.00")
        );
        let record = api
            .retrieve_credit_subscription()
            .credit_subscription_id(created.id)
            .send()
            .await
            .expect("the 1.7.1 record decodes as 1.6.6")
            .into_inner();
        assert_eq!(
            record.consolidated_status.known(),
            Some(&Detailed::Accepted)
        );
        assert_eq!(record.is_delivered, Some(true));
        assert_eq!(record.buyer.contact.first_name.as_str(), "Claire");
    }

    #[tokio::test]
    async fn where_1_7_disagrees_the_1_6_6_client_gets_the_1_7_refusal() {
        let sandbox = Sandbox::start().await.expect("sandbox");
        let client = sandbox.client().expect("client");
        let mut body =
            serde_json::to_value(application("SCFRSP-4XTS", "ORDER-OLD", 300.0)).expect("json");
        // A birth date as 1.6.6's own examples write it.
        body["buyers"][0]["birthDate"] = serde_json::json!("1986-09-23T00:00:00.000Z");
        let request: InitiateCreditSubscriptionRequest =
            serde_json::from_value(body).expect("1.6.6 accepts it");
        let error = client
            .e_financing_v1_6_6()
            .initiate_credit_subscription()
            .language("fr-FR")
            .body(request)
            .send()
            .await
            .map_err(Error::from)
            .expect_err("1.7.1 refuses it");
        let codes = error.api_error().map(|e| e.codes()).unwrap_or_default();
        assert_eq!(codes, ["REQUEST_VALIDATION_ERROR", "INVALID_FORMAT"]);
    }
}
