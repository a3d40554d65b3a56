//! `scalexpert go-live` against the in-process sandbox: unattended, every scenario passes, and
//! the report has exactly the documented shape.

use crate::support::*;
use scalexpert_sandbox::{Sandbox, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET};
use serde_json::Value;

async fn go_live(sandbox: &Sandbox, id: &str, secret: &str, extra: &[&str]) -> (Option<i32>, Value, String) {
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
            ["detail", "name", "solutionCode", "status", "statuses", "subscriptionId"]
        );
        assert_eq!(scenario["status"], "pass", "{scenario:#}");
        assert!(!scenario["statuses"].as_array().expect("statuses").is_empty());
        for seen in scenario["statuses"].as_array().expect("statuses") {
            assert!(seen["status"].is_string() && seen["at"].is_string(), "{seen}");
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
            assert!(all.iter().any(|(c, n, _)| c == code && n == scenario), "{code} {scenario}");
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
            assert!(all.iter().any(|(c, n, _)| c == code && n == scenario), "{code} {scenario}");
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
        .e_financing_v1_6_6()
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
