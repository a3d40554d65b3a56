//! Every documented error, as the gateway gives it and as the facade reads it: validation with one
//! entry per violation, duplicate order, malformed id, unknown id, malformed JSON, credentials,
//! tokens and scopes.

use scalexpert::e_financing::v1_7_1::types::InitiateCreditSubscriptionRequest;
use scalexpert::error::{BaasError, ErrorBody};
use scalexpert::{Client, Credentials, Error, RetryPolicy};
use scalexpert_sandbox::{sample_application, Sandbox, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET};
use serde_json::{json, Value};
use std::time::Duration;
use uuid::Uuid;

async fn token(sandbox: &Sandbox) -> String {
    let answer: Value = reqwest::Client::new()
        .post(format!(
            "{}/auth-server/api/v1/oauth2/token",
            sandbox.base_url()
        ))
        .basic_auth(DEFAULT_CLIENT_ID, Some(DEFAULT_CLIENT_SECRET))
        .form(&[
            ("grant_type", "client_credentials"),
            ("scope", "e-financing:rw"),
        ])
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    answer["access_token"]
        .as_str()
        .expect("access_token")
        .to_string()
}

/// Sends `body` as it is (JSON or not) and returns the status and the parsed error body.
pub(crate) async fn raw(
    sandbox: &Sandbox,
    method: reqwest::Method,
    path: &str,
    body: Option<&str>,
) -> (u16, BaasError) {
    raw_with(
        &reqwest::Client::new(),
        &token(sandbox).await,
        sandbox,
        method,
        path,
        body,
    )
    .await
}

async fn raw_with(
    http: &reqwest::Client,
    token: &str,
    sandbox: &Sandbox,
    method: reqwest::Method,
    path: &str,
    body: Option<&str>,
) -> (u16, BaasError) {
    let mut request = http
        .request(
            method,
            format!("{}/e-financing/api/v1{path}", sandbox.base_url()),
        )
        .bearer_auth(token);
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    let response = request.send().await.expect("answer");
    let status = response.status().as_u16();
    let bytes = response.bytes().await.expect("body");
    match ErrorBody::parse(&bytes) {
        ErrorBody::Baas(baas) => (status, baas),
        other => panic!("{status}: not a BaasExceptionHttpResponse: {other:?}"),
    }
}

fn codes(error: &Error) -> Vec<String> {
    error
        .api_error()
        .map(|e| e.codes().into_iter().map(String::from).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn validation_lists_every_violation() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    // Schema violations a generated client would never send: check the raw answer.
    let body = json!({
        "solutionCode": 42,
        "merchantUrls": { "confirmation": "not a url" },
        "buyers": [{ "contact": { "firstName": "C".repeat(351), "commonTitle": "DR" } }],
        "basketDetails": {}
    })
    .to_string();
    let (status, error) = raw(
        &sandbox,
        reqwest::Method::POST,
        "/subscriptions",
        Some(&body),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        error.error_code.as_deref(),
        Some("REQUEST_VALIDATION_ERROR")
    );
    assert_eq!(error.http_status_code, Some(400));
    assert_eq!(error.request_method.as_deref(), Some("POST"));
    assert_eq!(
        error.request_uri.as_deref(),
        Some("/e-financing/api/v1/subscriptions")
    );
    let found: Vec<(String, String)> = error
        .errors
        .iter()
        .map(|e| {
            (
                e.code.clone().unwrap_or_default(),
                e.message.clone().unwrap_or_default(),
            )
        })
        .collect();
    let expected = [
        ("MISSING_FIELD", "language"),
        ("INVALID_TYPE", "solutionCode"),
        ("MISSING_FIELD", "financedAmount"),
        ("MISSING_FIELD", "merchantGlobalOrderId"),
        ("MISSING_FIELD", "basketDetails.basketItems"),
        ("INVALID_FORMAT", "merchantUrls.confirmation"),
        ("MISSING_FIELD", "buyers[0].billingAddress"),
        ("MISSING_FIELD", "buyers[0].contact.email"),
        ("INVALID_LENGTH", "buyers[0].contact.firstName"),
        ("INVALID_VALUE", "buyers[0].contact.commonTitle"),
    ];
    for (code, field) in expected {
        assert!(
            found
                .iter()
                .any(|(c, m)| c == code && m.starts_with(&format!("{field}:"))),
            "{code} on {field} not in {found:#?}"
        );
    }
    // One entry per violation, no duplicates.
    let mut unique = found.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), found.len());
    assert!(error
        .error_message
        .as_deref()
        .is_some_and(|m| m.contains(&found.len().to_string())));
}

#[tokio::test]
async fn rules_stated_in_words_are_checked_too() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    // Valid for the schema, so the facade sends it; the gateway's rules refuse it.
    let mut body =
        serde_json::to_value(sample_application("SCFRSP-4XTS", "ORDER-1", 300.0).expect("sample"))
            .expect("json");
    body["buyers"][0]["contact"]["email"] = json!("no-at-sign");
    body["buyers"][0]["contact"]["mobilePhoneNumber"] = json!("+4915112345678");
    body["buyers"][0]["billingContact"]["lastName"] = json!("Martin2");
    let request: InitiateCreditSubscriptionRequest =
        serde_json::from_value(body).expect("valid for the schema");
    let error = client
        .e_financing_v1_7_1()
        .initiate_credit_subscription()
        .language("de-DE")
        .body(request)
        .send()
        .await
        .map_err(Error::from)
        .expect_err("refused");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(400));
    assert_eq!(
        codes(&error),
        [
            "REQUEST_VALIDATION_ERROR",
            "INVALID_LANGUAGE",
            "INVALID_EMAIL",
            "INVALID_PHONE_NUMBER",
            "INVALID_NAME",
        ]
    );
    // Query parameters: a country that is not ISO, an amount with three decimals (which the
    // facade would not send: `scalexpert::Amount` refuses it).
    let (status, error) = raw(
        &sandbox,
        reqwest::Method::GET,
        "/eligible-solutions?buyerBillingCountry=France&financedAmount=10.005",
        None,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        error.error_code.as_deref(),
        Some("REQUEST_VALIDATION_ERROR")
    );
    let found: Vec<_> = error.errors.iter().filter_map(|e| e.code.clone()).collect();
    assert_eq!(found, ["INVALID_COUNTRY_CODE", "INVALID_AMOUNT"]);
    let (status, error) = raw(
        &sandbox,
        reqwest::Method::GET,
        "/subscriptions?page=0&pageSize=x",
        None,
    )
    .await;
    assert_eq!(status, 400);
    let found: Vec<_> = error.errors.iter().filter_map(|e| e.code.clone()).collect();
    assert_eq!(found, ["INVALID_TYPE", "INVALID_VALUE"]);
}

#[tokio::test]
async fn duplicate_order_ids_are_refused() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    let api = client.e_financing_v1_7_1();
    let create = || {
        api.initiate_credit_subscription()
            .language("fr-FR")
            .body(sample_application("SCFRSP-4XTS", "ORDER-TWICE", 300.0).expect("sample"))
            .send()
    };
    create().await.expect("first");
    let error = create().await.map_err(Error::from).expect_err("second");
    assert!(matches!(error, Error::Api(_)), "{error:?}");
    assert_eq!(codes(&error), ["BAD_REQUEST"]);
    assert!(error.to_string().contains("ORDER-TWICE"), "{error}");
}

#[tokio::test]
async fn ineligible_solutions_are_refused() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    for (code, amount, words) in [
        ("SCFRSP-3XTS", 1500.0, "not eligible for 1500.00 EUR"),
        ("SCFRSP-9XXX", 100.0, "not offered"),
    ] {
        let error = client
            .e_financing_v1_7_1()
            .initiate_credit_subscription()
            .language("fr-FR")
            .body(sample_application(code, "ORDER", amount).expect("sample"))
            .send()
            .await
            .map_err(Error::from)
            .expect_err("refused");
        assert_eq!(codes(&error), ["BAD_REQUEST"]);
        assert!(error.to_string().contains(words), "{error}");
    }
}

#[tokio::test]
async fn malformed_ids_and_unknown_ids() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    for (method, path, body) in [
        (reqwest::Method::GET, "/subscriptions/not-a-uuid", None),
        (
            reqwest::Method::POST,
            "/subscriptions/12345/_cancel",
            Some("{}"),
        ),
        (
            reqwest::Method::POST,
            "/subscriptions/zz/_confirmDelivery",
            Some(r#"{"isDelivered":true}"#),
        ),
        (
            reqwest::Method::POST,
            "/subscriptions/%FF%FE/_confirmReturn",
            Some(r#"{"isReturned":true}"#),
        ),
    ] {
        let (status, error) = raw(&sandbox, method, path, body).await;
        assert_eq!(status, 400, "{path}");
        assert_eq!(error.error_code.as_deref(), Some("INVALID_UUID"), "{path}");
    }

    let client = sandbox.client().expect("client");
    let api = client.e_financing_v1_7_1();
    let unknown = Uuid::from_u128(0x1234);
    let error = api
        .retrieve_credit_subscription()
        .credit_subscription_id(unknown)
        .send()
        .await
        .map_err(Error::from)
        .expect_err("unknown");
    assert!(matches!(error, Error::NotFound(_)), "{error:?}");
    assert_eq!(codes(&error), ["ENTITY_NOT_FOUND"]);
    let error = api
        .do_confirm_return()
        .credit_subscription_id(unknown)
        .body(scalexpert::e_financing::v1_7_1::types::ConfirmReturnRequest { is_returned: true })
        .send()
        .await
        .map_err(Error::from)
        .expect_err("unknown");
    assert!(matches!(error, Error::NotFound(_)), "{error:?}");
    let (status, error) = raw(&sandbox, reqwest::Method::GET, "/nowhere", None).await;
    assert_eq!(
        (status, error.error_code.as_deref()),
        (404, Some("NOT_FOUND"))
    );
}

#[tokio::test]
async fn malformed_json_is_a_400_never_a_500() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let http = reqwest::Client::new();
    let token = token(&sandbox).await;
    let id = Uuid::from_u128(7);
    for path in [
        "/_simulate-solutions".to_string(),
        "/subscriptions?language=fr-FR".to_string(),
        format!("/subscriptions/{id}/_cancel"),
        format!("/subscriptions/{id}/_confirmDelivery"),
    ] {
        for body in ["{\"financedAmount\": ", "", "nul", "\u{0}"] {
            let (status, error) = raw_with(
                &http,
                &token,
                &sandbox,
                reqwest::Method::POST,
                &path,
                Some(body),
            )
            .await;
            assert_eq!(status, 400, "{path} {body:?}");
            assert_eq!(error.error_code.as_deref(), Some("BAD_REQUEST"));
            assert_eq!(error.errors[0].code.as_deref(), Some("MALFORMED_JSON"));
        }
        // Well-formed JSON of the wrong shape is a validation error.
        let (status, error) = raw_with(
            &http,
            &token,
            &sandbox,
            reqwest::Method::POST,
            &path,
            Some("[1, 2]"),
        )
        .await;
        assert_eq!(status, 400, "{path}");
        assert_eq!(
            error.error_code.as_deref(),
            Some("REQUEST_VALIDATION_ERROR"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn wrong_credentials_get_401_without_saying_which_part() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let bad_secret = Client::builder()
        .environment(sandbox.environment())
        .credentials(Credentials::new(DEFAULT_CLIENT_ID, "wrong"))
        .build()
        .expect("client");
    let error = bad_secret
        .e_financing_v1_7_1()
        .get_eligible_product_services()
        .buyer_billing_country("FR")
        .financed_amount(100.0)
        .send()
        .await
        .map_err(Error::from)
        .expect_err("refused");
    assert!(
        matches!(&error, Error::Auth(a) if a.status.map(|s| s.as_u16()) == Some(401)),
        "{error:?}"
    );

    let http = reqwest::Client::new();
    let url = format!("{}/auth-server/api/v1/oauth2/token", sandbox.base_url());
    let mut bodies = Vec::new();
    for (id, secret) in [
        (DEFAULT_CLIENT_ID, "wrong"),
        ("nobody", DEFAULT_CLIENT_SECRET),
    ] {
        let answer = http
            .post(&url)
            .basic_auth(id, Some(secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .expect("answer");
        assert_eq!(answer.status(), 401);
        bodies.push(answer.text().await.expect("body"));
    }
    assert_eq!(bodies[0], bodies[1]);
    assert!(!bodies[0].contains("secret") && !bodies[0].contains("nobody"));

    // No token at all, or a made-up one: 401 with a Bearer challenge.
    for authorization in [None, Some("Bearer made-up")] {
        let mut request = http.get(format!(
            "{}/e-financing/api/v1/subscriptions",
            sandbox.base_url()
        ));
        if let Some(value) = authorization {
            request = request.header("authorization", value);
        }
        let answer = request.send().await.expect("answer");
        assert_eq!(answer.status(), 401);
        assert!(answer
            .headers()
            .get("www-authenticate")
            .is_some_and(|v| v.to_str().unwrap_or("").starts_with("Bearer")));
    }
}

#[tokio::test]
async fn the_token_endpoint_checks_grant_and_scope() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let wrong_scope = Client::builder()
        .environment(sandbox.environment())
        .credentials(sandbox.credentials().expect("credentials"))
        .scope("payments:admin")
        .build()
        .expect("client");
    let error = wrong_scope
        .e_financing_v1_7_1()
        .get_eligible_product_services()
        .buyer_billing_country("FR")
        .financed_amount(100.0)
        .send()
        .await
        .map_err(Error::from)
        .expect_err("refused");
    match &error {
        Error::Auth(auth) => {
            assert_eq!(auth.status.map(|s| s.as_u16()), Some(400));
            assert!(auth.detail.contains("invalid_scope"), "{error}");
        }
        other => panic!("{other:?}"),
    }
    let answer = reqwest::Client::new()
        .post(format!(
            "{}/auth-server/api/v1/oauth2/token",
            sandbox.base_url()
        ))
        .basic_auth(DEFAULT_CLIENT_ID, Some(DEFAULT_CLIENT_SECRET))
        .form(&[("grant_type", "password")])
        .send()
        .await
        .expect("answer");
    assert_eq!(answer.status(), 400);
    let body: Value = answer.json().await.expect("json");
    assert_eq!(body["error"], "unsupported_grant_type");
}

#[tokio::test]
async fn expired_tokens_are_refused_and_the_facade_fetches_a_new_one() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    let api = client.e_financing_v1_7_1();
    let list = || {
        api.retrieve_credit_subscription_for_specific_merchant()
            .send()
    };
    list().await.expect("first token");
    sandbox.expire_tokens();
    // The cached token now gets a 401; the facade refreshes once and the call goes through.
    list().await.expect("after a refresh");

    // Tokens that expire at once: even the refreshed one is refused.
    let short = Sandbox::builder()
        .token_lifetime(Duration::ZERO)
        .start()
        .await
        .expect("sandbox");
    let client = Client::builder()
        .environment(short.environment())
        .credentials(short.credentials().expect("credentials"))
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    let error = client
        .e_financing_v1_7_1()
        .retrieve_credit_subscription_for_specific_merchant()
        .send()
        .await
        .map_err(Error::from)
        .expect_err("expired");
    assert!(matches!(error, Error::Unauthorized(_)), "{error:?}");
}

#[tokio::test]
async fn amounts_with_more_than_two_decimals_are_refused_not_rounded() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let mut body =
        serde_json::to_value(sample_application("SCFRSP-4XTS", "ORDER-1", 1500.0).expect("sample"))
            .expect("json");
    for amount in ["1500.001", "9999.995"] {
        body["financedAmount"] = serde_json::from_str(amount).expect("a number");
        let (status, error) = raw(
            &sandbox,
            reqwest::Method::POST,
            "/subscriptions?language=fr-FR",
            Some(&body.to_string()),
        )
        .await;
        assert_eq!(status, 400, "{amount}");
        let found: Vec<_> = error.errors.iter().filter_map(|e| e.code.clone()).collect();
        assert!(
            found.contains(&"INVALID_AMOUNT".to_string()),
            "{amount}: {found:?}"
        );
        let (status, error) = raw(
            &sandbox,
            reqwest::Method::POST,
            "/_simulate-solutions",
            Some(&format!(
                r#"{{"financedAmount": {amount}, "buyerBillingCountry": "FR"}}"#
            )),
        )
        .await;
        assert_eq!(status, 400, "{amount}");
        let found: Vec<_> = error.errors.iter().filter_map(|e| e.code.clone()).collect();
        assert_eq!(found, ["INVALID_AMOUNT"], "{amount}");
    }
}
