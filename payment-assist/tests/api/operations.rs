//! Every operation: the exact request (parameters, API key, signature) and the typed answer.

use crate::*;
use httpmock::prelude::*;
use payment_assist::v1::types::{
    ApplicationStatus, InvoiceRequestFiletype, InvoiceUploadUploadStatus,
};
use payment_assist::{Enveloped, OpenEnum, Pence};
use serde_json::json;

const FORM: &str = "application/x-www-form-urlencoded";

/// A GET whose whole query string must be `query`.
fn exact_query(query: &'static str) -> impl Fn(&httpmock::HttpMockRequest) -> bool {
    move |request| request.uri().query() == Some(query)
}

#[tokio::test]
async fn account_signs_the_empty_parameter_list() {
    let server = MockServer::start_async().await;
    // printf '%s' '' | openssl dgst -sha256 -hmac demo_b7c2e91f4a6d3058
    let mock = server
        .mock_async(|when, then| {
            when.method(GET).path("/account").is_true(exact_query(
                "api_key=dealer-key-0001\
                 &signature=5d26405090a57c8823f231b164d56cd9b0e5be4e97a10829505757f761371c2d",
            ));
            then.status(200).json_body(ok(json!({
                "legal_name": "Lovelace Cycles Ltd",
                "display_name": "Lovelace Cycles",
                "plans": [
                    {"plan_id": 6, "name": "3-Payment", "instalments": 3, "deposit": true, "apr": 0,
                     "frequency": "monthly", "min_amount": null, "max_amount": 500000,
                     "commission_rate": "8.50", "commission_fixed_fee": null},
                    {"plan_id": 1, "name": "4-Payment", "instalments": 4, "deposit": true, "apr": 0,
                     "frequency": "monthly", "min_amount": 5000, "max_amount": 300000,
                     "commission_rate": "2.50", "commission_fixed_fee": 500}
                ]
            })));
        })
        .await;
    let account = dealer(&server)
        .api()
        .account()
        .send()
        .await
        .expect("ok")
        .into_data();
    mock.assert_async().await;
    assert_eq!(account.display_name, "Lovelace Cycles");
    assert_eq!(account.plans.len(), 2);
    assert_eq!(account.plans[0].max_amount, Some(Pence::new(500_000)));
    assert_eq!(account.plans[0].min_amount, None);
    assert_eq!(account.plans[1].commission_fixed_fee, Some(Pence::new(500)));
    assert_eq!(account.plans[1].commission_rate.as_deref(), Some("2.50"));
}

#[tokio::test]
async fn preapproval_sends_a_signed_form() {
    let server = MockServer::start_async().await;
    // printf '%s' "ADDR1=12 St James's Square&F_NAME=Ada&POSTCODE=SW1Y 4LB&S_NAME=Lovelace&" | openssl dgst -sha256 -hmac demo_b7c2e91f4a6d3058
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/preapproval")
                .header("content-type", FORM)
                .body(
                    "addr1=12+St+James%27s+Square&f_name=Ada&postcode=SW1Y+4LB&s_name=Lovelace\
                     &api_key=dealer-key-0001\
                     &signature=c7cd84e722e11a794fce393b187157e9d5b63adcbac8fc1d02f0f2b6fd5fc4a6",
                );
            then.status(200).json_body(ok(json!({"approved": false})));
        })
        .await;
    let answer = dealer(&server)
        .api()
        .preapproval()
        .body_map(|b| {
            b.f_name("Ada")
                .s_name("Lovelace")
                .addr1("12 St James's Square")
                .postcode("SW1Y 4LB")
        })
        .send()
        .await
        .expect("ok")
        .into_data();
    mock.assert_async().await;
    assert!(!answer.approved);
}

#[tokio::test]
async fn begin_sends_every_given_field_and_nothing_else() {
    let server = MockServer::start_async().await;
    // printf '%s' "ADDR1=12 St James's Square&AMOUNT=49900&DESCRIPTION=Zoë's bike&EMAIL=ada@example.co.uk&EXPIRY=3600&F_NAME=Ada&FAILURE_URL=https://shop.example/pa/failed?order=ORD-1001&ORDER_ID=ORD-1001&PLAN_ID=1&POSTCODE=SW1Y 4LB&S_NAME=Lovelace&SEND_EMAIL=true&SUCCESS_URL=https://shop.example/pa/return?order=ORD-1001&WEBHOOK_URL=https://shop.example/pa/events&" | openssl dgst -sha256 -hmac demo_b7c2e91f4a6d3058
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/begin")
                .header("content-type", FORM)
                .body(
                    "addr1=12+St+James%27s+Square&amount=49900&description=Zo%C3%AB%27s+bike\
                     &email=ada%40example.co.uk&expiry=3600&f_name=Ada\
                     &failure_url=https%3A%2F%2Fshop.example%2Fpa%2Ffailed%3Forder%3DORD-1001\
                     &order_id=ORD-1001&plan_id=1&postcode=SW1Y+4LB&s_name=Lovelace&send_email=true\
                     &success_url=https%3A%2F%2Fshop.example%2Fpa%2Freturn%3Forder%3DORD-1001\
                     &webhook_url=https%3A%2F%2Fshop.example%2Fpa%2Fevents\
                     &api_key=dealer-key-0001\
                     &signature=649168aee30515f78bc9cdd582a07c2dfd2f8feaee8c831cb1af72793aebba0e",
                );
            then.status(200).json_body(ok(json!({
                "token": TOKEN,
                "url": "https://secure.example/apply/3f2b8c1e"
            })));
        })
        .await;
    let begun = dealer(&server)
        .api()
        .begin()
        .body_map(|b| {
            b.order_id("ORD-1001")
                .amount(Pence::from_pounds(499).expect("fits"))
                .email("ada@example.co.uk")
                .f_name("Ada")
                .s_name("Lovelace")
                .addr1("12 St James's Square")
                .postcode("SW1Y 4LB")
                .description(Some("Zoë's bike".parse().expect("short")))
                .expiry(Some(3600))
                .plan_id(Some(1))
                .send_email(Some(true))
                .success_url(Some(
                    "https://shop.example/pa/return?order=ORD-1001"
                        .parse()
                        .expect("short"),
                ))
                .failure_url(Some(
                    "https://shop.example/pa/failed?order=ORD-1001"
                        .parse()
                        .expect("short"),
                ))
                .webhook_url(Some(
                    "https://shop.example/pa/events".parse().expect("short"),
                ))
        })
        .send()
        .await
        .expect("ok")
        .into_data();
    mock.assert_async().await;
    assert_eq!(begun.token, token());
    assert_eq!(begun.url, "https://secure.example/apply/3f2b8c1e");
}

/// GET /status answering with `status`.
async fn status_answering(status: &str) -> payment_assist::v1::types::Application {
    let server = MockServer::start_async().await;
    // printf '%s' 'TOKEN=3f2b8c1e-7d4a-4e59-9b06-1c8e2f7a5d30&' | openssl dgst -sha256 -hmac demo_b7c2e91f4a6d3058
    let mock = server
        .mock_async(|when, then| {
            when.method(GET).path("/status").is_true(exact_query(
                "token=3f2b8c1e-7d4a-4e59-9b06-1c8e2f7a5d30&api_key=dealer-key-0001\
                 &signature=50d2aa8b084b9df62ae41b1df2a7e28e1ce1d3cf892e9e54711bdbf638d0b7e1",
            ));
            then.status(200).json_body(ok(json!({
                "token": TOKEN,
                "status": status,
                "pa_ref": "PA-000123",
                "requires_invoice": true,
                "has_invoice": false
            })));
        })
        .await;
    let application = dealer(&server)
        .api()
        .status()
        .token(token())
        .send()
        .await
        .expect("ok")
        .into_data();
    mock.assert_async().await;
    application
}

#[tokio::test]
async fn status_reads_every_documented_status_and_keeps_new_ones() {
    let application = status_answering("in progress").await;
    assert_eq!(application.token, token());
    assert_eq!(
        application.status,
        OpenEnum::Known(ApplicationStatus::InProgress)
    );
    assert_eq!(application.pa_ref.as_deref(), Some("PA-000123"));
    assert_eq!(application.requires_invoice, Some(true));
    assert_eq!(application.has_invoice, Some(false));
    assert_eq!(
        status_answering("pending_capture").await.status,
        OpenEnum::Known(ApplicationStatus::PendingCapture)
    );
    assert_eq!(
        status_answering("on_hold").await.status,
        OpenEnum::Unknown("on_hold".to_string())
    );
}

#[tokio::test]
async fn update_changes_the_order_id() {
    let server = MockServer::start_async().await;
    // printf '%s' 'ORDER_ID=INV-2002&TOKEN=3f2b8c1e-7d4a-4e59-9b06-1c8e2f7a5d30&' | openssl dgst -sha256 -hmac demo_b7c2e91f4a6d3058
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/update")
                .header("content-type", FORM)
                .body(
                    "order_id=INV-2002&token=3f2b8c1e-7d4a-4e59-9b06-1c8e2f7a5d30\
                     &api_key=dealer-key-0001\
                     &signature=a46931a9c5b36ae8c5806ce00d21b87bf6c81f42c13d4288f88d2eeff5562272",
                );
            then.status(200)
                .json_body(ok(json!({"token": TOKEN, "order_id": "INV-2002"})));
        })
        .await;
    let updated = dealer(&server)
        .api()
        .update()
        .body_map(|b| {
            b.token(token())
                .order_id(Some("INV-2002".parse().expect("short")))
        })
        .send()
        .await
        .expect("ok")
        .into_data();
    mock.assert_async().await;
    assert_eq!(updated.order_id.as_deref(), Some("INV-2002"));
    assert_eq!(updated.expiry, None);
}

#[tokio::test]
async fn capture_reports_a_deposit_that_was_not_taken() {
    let server = MockServer::start_async().await;
    // printf '%s' 'TOKEN=3f2b8c1e-7d4a-4e59-9b06-1c8e2f7a5d30&' | openssl dgst -sha256 -hmac demo_b7c2e91f4a6d3058
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/capture")
                .header("content-type", FORM)
                .body(
                    "token=3f2b8c1e-7d4a-4e59-9b06-1c8e2f7a5d30&api_key=dealer-key-0001\
                     &signature=50d2aa8b084b9df62ae41b1df2a7e28e1ce1d3cf892e9e54711bdbf638d0b7e1",
                );
            then.status(200).json_body(ok(json!({
                "token": TOKEN,
                "status": "pending_capture",
                "deposit_captured": false,
                "deposit_reason": "card declined"
            })));
        })
        .await;
    let capture = dealer(&server)
        .api()
        .capture()
        .body_map(|b| b.token(token()))
        .send()
        .await
        .expect("ok")
        .into_data();
    mock.assert_async().await;
    assert_eq!(capture.deposit_captured, Some(false));
    assert_eq!(capture.deposit_reason.as_deref(), Some("card declined"));
    assert_eq!(
        capture.application_status(),
        OpenEnum::Known(ApplicationStatus::PendingCapture)
    );
}

#[tokio::test]
async fn invoice_uploads_base64_as_a_form_field() {
    let server = MockServer::start_async().await;
    // printf '%s' 'FILEDATA=JVBERi0xLjQK+//+IGludm9pY2U=&FILETYPE=pdf&TOKEN=3f2b8c1e-7d4a-4e59-9b06-1c8e2f7a5d30&' | openssl dgst -sha256 -hmac demo_b7c2e91f4a6d3058
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/invoice")
                .header("content-type", FORM)
                .body(
                    "filedata=JVBERi0xLjQK%2B%2F%2F%2BIGludm9pY2U%3D&filetype=pdf\
                     &token=3f2b8c1e-7d4a-4e59-9b06-1c8e2f7a5d30&api_key=dealer-key-0001\
                     &signature=3d9565edd9db369ae8b9b499c4e532341ae3f0e381aca68e75fd679a20a57399",
                );
            then.status(200)
                .json_body(ok(json!({"token": TOKEN, "upload_status": "success"})));
        })
        .await;
    let upload = dealer(&server)
        .api()
        .invoice()
        .body_map(|b| {
            b.token(token())
                .filetype(InvoiceRequestFiletype::Pdf)
                .filedata("JVBERi0xLjQK+//+IGludm9pY2U=")
        })
        .send()
        .await
        .expect("ok")
        .into_data();
    mock.assert_async().await;
    assert_eq!(
        upload.upload_status,
        OpenEnum::Known(InvoiceUploadUploadStatus::Success)
    );
}

#[tokio::test]
async fn plan_gives_a_schedule_in_pence_and_dates() {
    let server = MockServer::start_async().await;
    // printf '%s' 'AMOUNT=50000&PLAN_ID=1&PLAN_LENGTH=4&' | openssl dgst -sha256 -hmac demo_b7c2e91f4a6d3058
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/plan")
                .header("content-type", FORM)
                .body(
                    "amount=50000&plan_id=1&plan_length=4&api_key=dealer-key-0001\
                     &signature=e23e55347379cbf85e2d06580d2a449981cb1db48ba912697d211c41ff5bfd45",
                );
            then.status(200).json_body(ok(json!({
                "plan": "4-Payment",
                "amount": 50000,
                "interest": 0,
                "repayable": 50000,
                "schedule": [
                    {"date": "2024-06-01", "amount": 12500},
                    {"date": "2024-07-01", "amount": 12500},
                    {"date": "2024-08-01", "amount": 12500},
                    {"date": "2024-09-01", "amount": 12500}
                ]
            })));
        })
        .await;
    let plan = dealer(&server)
        .api()
        .plan()
        .body_map(|b| {
            b.amount(Pence::new(50_000))
                .plan_id(Some(1))
                .plan_length(Some(4))
        })
        .send()
        .await
        .expect("ok")
        .into_data();
    mock.assert_async().await;
    assert_eq!(plan.repayable, Pence::new(50_000));
    assert_eq!(plan.interest, Pence::new(0));
    assert_eq!(plan.schedule.len(), 4);
    let total = plan
        .schedule
        .iter()
        .try_fold(Pence::new(0), |sum, i| sum.checked_add(i.amount));
    assert_eq!(total, Some(plan.amount));
    assert_eq!(
        plan.schedule[0].date,
        chrono::NaiveDate::from_ymd_opt(2024, 6, 1).expect("a date")
    );
}
