//! `scalexpert go-live` against the in-process sandbox: unattended, every scenario passes, and
//! the report has exactly the documented shape.

use crate::support::*;
use scalexpert_sandbox::{Sandbox, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET};
use serde_json::Value;

async fn go_live(
    sandbox: &Sandbox,
    id: &str,
    secret: &str,
    extra: &[&str],
) -> (Option<i32>, Value, String) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let report = dir.path().join("report");
    let mut args = vec![
        "--env",
        sandbox.base_url(),
        "go-live",
        "--report",
        report.to_str().expect("UTF-8"),
    ];
    args.extend_from_slice(extra);
    let output = run(with_credentials(id, secret), &args).await;
    let json: Value = std::fs::read_to_string(report.join("go-live.json"))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or(Value::Null);
    let md = std::fs::read_to_string(report.join("go-live.md")).unwrap_or_default();
    assert!(
        json.is_null() || md.starts_with("# Scalexpert go-live report"),
        "{md}"
    );
    (status(&output), json, stderr(&output))
}

fn names(report: &Value) -> Vec<(String, String, String)> {
    report["scenarios"]
        .as_array()
        .expect("scenarios")
        .iter()
        .map(|s| {
            (
                s["solutionCode"].as_str().unwrap_or("").to_string(),
                s["name"].as_str().unwrap_or("").to_string(),
                s["status"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn go_live_against_the_sandbox_passes_every_scenario_unattended() {
    let sandbox = Sandbox::start().await.expect("a sandbox");
    let (status, report, log) =
        go_live(&sandbox, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, &[]).await;
    assert_eq!(status, Some(0), "{log}");
    let mut keys: Vec<&String> = report.as_object().expect("an object").keys().collect();
    keys.sort();
    assert_eq!(keys, ["environment", "scenarios"]);
    assert_eq!(report["environment"], sandbox.base_url());
    let scenarios = report["scenarios"].as_array().expect("a list");
    for scenario in scenarios {
        let mut keys: Vec<&String> = scenario.as_object().expect("an object").keys().collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "detail",
                "name",
                "solutionCode",
                "status",
                "statuses",
                "subscriptionId"
            ]
        );
        assert_eq!(scenario["status"], "pass", "{scenario:#}");
        assert!(!scenario["statuses"]
            .as_array()
            .expect("statuses")
            .is_empty());
        for seen in scenario["statuses"].as_array().expect("statuses") {
            assert!(
                seen["status"].is_string() && seen["at"].is_string(),
                "{seen}"
            );
        }
    }
    // Every solution of the sandbox's standard table, with its kind's scenarios.
    let all = names(&report);
    for code in ["SCFRSP-3XTS", "SCFRSP-4XTS", "SCFRSP-3XPS", "SCFRSP-4XPS"] {
        for scenario in [
            "split payment accepted",
            "split payment refused",
            "partial cancellation",
            "full cancellation",
            "webhook receipt",
        ] {
            assert!(
                all.iter().any(|(c, n, _)| c == code && n == scenario),
                "{code} {scenario}"
            );
        }
    }
    for code in ["SCFRLT-TXPS", "SCFRLT-TXNO", "SCDELT-DXTS"] {
        for scenario in [
            "long-term credit pre-accepted",
            "long-term credit accepted",
            "long-term credit rejected",
            "partial cancellation",
            "delivery confirmation",
            "full cancellation",
            "webhook receipt",
        ] {
            assert!(
                all.iter().any(|(c, n, _)| c == code && n == scenario),
                "{code} {scenario}"
            );
        }
    }
    // The statuses are the sandbox's own: an accepted split payment went from INITIALIZED.
    let accepted = scenarios
        .iter()
        .find(|s| s["name"] == "split payment accepted")
        .expect("one");
    let statuses: Vec<&str> = accepted["statuses"]
        .as_array()
        .expect("statuses")
        .iter()
        .filter_map(|s| s["status"].as_str())
        .collect();
    assert_eq!(statuses, ["INITIALIZED", "ACCEPTED"]);
    let id = accepted["subscriptionId"].as_str().expect("an id");
    let listed = sandbox
        .client()
        .expect("a client")
        .e_financing_v1_7_1()
        .retrieve_credit_subscription()
        .credit_subscription_id(id.parse::<uuid::Uuid>().expect("a UUID"))
        .send()
        .await
        .expect("the subscription exists");
    // Cancelled in full by the cancellation scenarios.
    assert_eq!(
        listed.consolidated_status.to_string(),
        "CANCELLED",
        "{listed:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_psp_runs_go_live_for_one_merchant_and_one_scenario() {
    let sandbox = Sandbox::start().await.expect("a sandbox");
    let (status, report, log) = go_live(
        &sandbox,
        scalexpert_sandbox::DEFAULT_PSP_CLIENT_ID,
        scalexpert_sandbox::DEFAULT_PSP_CLIENT_SECRET,
        &[
            "--merchant",
            "SHOP-A",
            "--solution",
            "SCFRLT-TXPS",
            "--scenario",
            "delivery confirmation",
        ],
    )
    .await;
    assert_eq!(status, Some(0), "{log}");
    assert_eq!(
        names(&report),
        [
            (
                "SCFRLT-TXPS".to_string(),
                "long-term credit accepted".to_string(),
                "pass".to_string()
            ),
            (
                "SCFRLT-TXPS".to_string(),
                "delivery confirmation".to_string(),
                "pass".to_string()
            ),
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_solution_the_merchant_lacks_fails_with_what_to_do() {
    let sandbox = Sandbox::start().await.expect("a sandbox");
    let (status, report, log) = go_live(
        &sandbox,
        DEFAULT_CLIENT_ID,
        DEFAULT_CLIENT_SECRET,
        &["--solution", "SCFRSP-10XTS", "--no-webhooks"],
    )
    .await;
    assert_eq!(status, Some(1), "{log}");
    let scenario = &report["scenarios"][0];
    assert_eq!(scenario["status"], "fail");
    assert!(
        scenario["detail"]
            .as_str()
            .is_some_and(|d| d.contains("SCFRSP-10XTS") && d.contains("activate")),
        "{scenario}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn go_live_refuses_production_unless_allowed_and_unknown_scenarios() {
    let production = run(
        with_credentials(CLIENT_ID, SECRET),
        &["--env", "production", "go-live", "--report", "unused"],
    )
    .await;
    assert_eq!(status(&production), Some(2), "{}", stderr(&production));
    assert!(stderr(&production).contains("--allow-production"));
    let unknown = run(
        with_credentials(CLIENT_ID, SECRET),
        &["go-live", "--scenario", "split payment maybe"],
    )
    .await;
    assert_eq!(status(&unknown), Some(2), "{}", stderr(&unknown));
    assert!(stderr(&unknown).contains("split payment refused"));
}

/// A gateway (not the sandbox) whose subscription is accepted whatever the buyer does.
async fn accepting_gateway(server: &httpmock::MockServer, id: &str) {
    use httpmock::prelude::*;
    token_mock(server).await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/e-financing/api/v1/eligible-solutions");
            then.status(200)
                .header("content-type", "application/json")
                .json_body(serde_json::json!({"solutions": [{
                    "solutionCode": "SCFRSP-3XTS",
                    "familyCode": "SC",
                    "marketCode": "FR",
                    "conditions": "TS",
                    "communicationKit": {
                        "solutionCode": "SCFRSP-3XTS",
                        "visualAdditionalInformation": "",
                        "visualInformationIcon": "",
                    },
                }]}));
        })
        .await;
    let id_for_create = id.to_string();
    server
        .mock_async(move |when, then| {
            when.method(POST).path("/e-financing/api/v1/subscriptions");
            then.status(201)
                .header("content-type", "application/json")
                .json_body(serde_json::json!({
                    "id": id_for_create,
                    "redirect": {"type": "url", "value": "https://journey.example/pay/abc"},
                }));
        })
        .await;
    let solution = scalexpert_cli::go_live::application::Solution {
        code: "SCFRSP-3XTS".into(),
        kind: scalexpert_cli::go_live::application::Kind::SplitPayment,
        market: "FR".into(),
        amount: scalexpert::Amount::from(300),
    };
    let application = scalexpert_cli::go_live::application::application(&solution, "ORDER-1");
    let subscription = serde_json::json!({
        "creditSubscriptionId": id,
        "registrationTimestamp": "2024-05-01T10:00:00Z",
        "lastUpdateTimestamp": "2024-05-01T10:05:00Z",
        "solutionCode": "SCFRSP-3XTS",
        "familyCode": "SC",
        "marketTypeCode": "FR",
        "merchantBasketId": "ORDER-1-BASKET",
        "merchantGlobalOrderId": "ORDER-1",
        "merchantBuyerId": "ORDER-1-BUYER",
        "financedAmount": 300,
        "consolidatedStatus": "ACCEPTED",
        "consolidatedSubstatus": "SUBSCRIPTION APPROVED BY PRODUCER",
        "cancellationAlreadyMade": false,
        "buyer": application["buyers"][0],
        "basketDetails": "one article",
    });
    server
        .mock_async(move |when, then| {
            when.method(GET)
                .path_includes("/e-financing/api/v1/subscriptions/");
            then.status(200)
                .header("content-type", "application/json")
                .json_body(subscription);
        })
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn against_a_gateway_go_live_guides_the_buyer_and_says_what_to_fix() {
    let server = httpmock::MockServer::start_async().await;
    let id = "7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6";
    accepting_gateway(&server, id).await;
    let dir = tempfile::tempdir().expect("a temp dir");
    let report_dir = dir.path().join("report");
    let output = run(
        with_credentials(CLIENT_ID, SECRET),
        &[
            "--env",
            &server.base_url(),
            "go-live",
            "--report",
            report_dir.to_str().expect("UTF-8"),
            "--solution",
            "SCFRSP-3XTS",
            "--scenario",
            "split payment accepted",
            "--scenario",
            "split payment refused",
            "--journey-timeout",
            "2",
            "--poll-interval",
            "1",
        ],
    )
    .await;
    assert_eq!(status(&output), Some(1), "{}", stderr(&output));
    let prompts = stderr(&output);
    for expected in [
        "https://journey.example/pay/abc",
        "5017 6791 1038 0400",
        "5017 6791 1038 0900",
    ] {
        assert!(
            prompts.contains(expected),
            "{expected} missing from:\n{prompts}"
        );
    }
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(report_dir.join("go-live.json")).expect("written"),
    )
    .expect("JSON");
    assert_eq!(
        names(&report),
        [
            (
                "SCFRSP-3XTS".to_string(),
                "split payment accepted".to_string(),
                "pass".to_string()
            ),
            (
                "SCFRSP-3XTS".to_string(),
                "split payment refused".to_string(),
                "fail".to_string()
            ),
        ]
    );
    let refused = &report["scenarios"][1];
    assert_eq!(refused["subscriptionId"], id);
    let detail = refused["detail"].as_str().expect("a detail");
    assert!(
        detail.contains("ACCEPTED") && detail.contains("5017 6791 1038 0900"),
        "{detail}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_receiver_is_configured_through_merchant_webhooks_with_the_merchants_token() {
    use scalexpert_cli::go_live::webhooks::Webhooks;
    let sandbox = Sandbox::start().await.expect("a sandbox");
    let client = sandbox.client().expect("a client");
    let registered = Webhooks::sandbox_receiver(&client).await;
    assert!(
        matches!(registered, Webhooks::Receiver { .. }),
        "not registered"
    );
    // What the merchant-webhooks API now answers for the merchant's credentials.
    let config = client
        .merchant_webhooks_v1_0_6()
        .find_merchant_webhook_config()
        .event_type_code("SC_SUBSCRIPTION")
        .send()
        .await
        .expect("configured")
        .into_inner();
    assert_eq!(config.active, Some(true));
    assert!(
        config.url.as_deref().is_some_and(
            |url| url.starts_with("http://127.0.0.1:") && url.ends_with("/go-live/webhooks")
        ),
        "{config:?}"
    );
    // A PSP's client that names no merchant is refused by the gateway: skipped, saying why.
    let psp = sandbox.psp_client().expect("a PSP client");
    match &Webhooks::sandbox_receiver(&psp).await {
        Webhooks::Off(reason) => assert!(reason.contains("merchant-webhooks"), "{reason}"),
        _ => panic!("registered for no merchant"),
    }
}

/// `scalexpert sandbox --port 0` started plainly (no admin token anywhere), and its URL.
async fn plain_sandbox_process() -> (tokio::process::Child, String) {
    use tokio::io::AsyncBufReadExt as _;
    let mut command = scalexpert();
    command
        .args(["sandbox", "--port", "0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null());
    let mut child = command.spawn().expect("starts");
    let stdout = child.stdout.take().expect("piped");
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    let first = lines
        .next_line()
        .await
        .expect("readable")
        .expect("a first line");
    let url = first
        .strip_prefix("scalexpert sandbox listening on ")
        .expect("the listening line")
        .to_string();
    (child, url)
}

#[tokio::test(flavor = "multi_thread")]
async fn go_live_against_a_plainly_started_sandbox_process_passes_webhook_receipt() {
    let (mut child, url) = plain_sandbox_process().await;
    let dir = tempfile::tempdir().expect("a temp dir");
    let report = dir.path().join("report");
    let output = run(
        with_credentials(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET),
        &[
            "go-live",
            "--env",
            &url,
            "--report",
            report.to_str().expect("UTF-8"),
            "--solution",
            "SCFRSP-3XTS",
        ],
    )
    .await;
    child.kill().await.expect("stopped");
    assert_eq!(status(&output), Some(0), "{}", stderr(&output));
    let json: Value = serde_json::from_str(
        &std::fs::read_to_string(report.join("go-live.json")).expect("written"),
    )
    .expect("JSON");
    let all = names(&json);
    assert!(!all.is_empty());
    for (code, name, outcome) in &all {
        assert_eq!(outcome, "pass", "{code} {name}: {json:#}");
    }
    assert!(
        all.iter().any(|(_, name, _)| name == "webhook receipt"),
        "{all:?}"
    );
}
