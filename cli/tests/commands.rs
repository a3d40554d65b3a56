//! The command tree and its interface: every operation has a command, answers print as JSON or
//! tables, exit statuses tell usage, API and transport errors apart, `token check`, `sandbox`.

use crate::support::*;
use httpmock::prelude::*;
use tokio::io::AsyncBufReadExt as _;

#[tokio::test(flavor = "multi_thread")]
async fn help_lists_a_command_for_every_operation_of_every_family() {
    let output = run(scalexpert(), &["--help"]).await;
    assert_eq!(status(&output), Some(0));
    let help = stdout(&output);
    let families = scalexpert_cli::registry::families_at(None);
    assert_eq!(
        families.iter().map(|f| f.name).collect::<Vec<_>>(),
        ["e-financing", "insurance", "merchant-webhooks"]
    );
    for family in &families {
        assert_eq!(family.commands.len(), family.version.operations.len());
        for op in family.version.operations {
            let (_, name) = family
                .commands
                .iter()
                .find(|(m, _)| *m == op.method_name)
                .expect("a command per operation");
            let line = format!("{} {name}", family.name);
            assert!(help.contains(&line), "{line} missing from --help:\n{help}");
            assert!(help.contains(op.id), "{} missing from --help", op.id);
        }
    }
    for line in [
        "merchant-webhooks events list",
        "merchant-webhooks events trigger-test",
        "e-financing subscriptions get",
        "e-financing subscriptions cancel",
        "e-financing subscriptions confirm-delivery",
    ] {
        assert!(help.contains(line), "{line}");
    }
    for builtin in ["token", "sandbox", "go-live"] {
        assert!(help.contains(builtin), "{builtin}");
    }
    let token = run(scalexpert(), &["token", "--help"]).await;
    assert!(stdout(&token).contains("check"));
}

#[tokio::test(flavor = "multi_thread")]
async fn usage_api_and_transport_errors_exit_differently_with_the_typed_message() {
    let server = MockServer::start_async().await;
    token_mock(&server).await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path_includes("/e-financing/api/v1/subscriptions/");
            then.status(404)
                .header("content-type", "application/json")
                .json_body(serde_json::json!({
                    "errorCode": "ENTITY_NOT_FOUND",
                    "errorMessage": "no such subscription",
                }));
        })
        .await;
    let get = |root: String| {
        vec![
            "--env".to_string(),
            root,
            "e-financing".into(),
            "subscriptions".into(),
            "get".into(),
            "--credit-subscription-id".into(),
            "5f0c2d5e-8a51-4c0e-9d3e-6f1b2a7c9e40".into(),
        ]
    };

    let api = with_credentials(CLIENT_ID, SECRET)
        .args(get(server.base_url()))
        .output()
        .await
        .expect("runs");
    assert_eq!(status(&api), Some(3), "{}", stderr(&api));
    assert!(
        stderr(&api).contains("ENTITY_NOT_FOUND"),
        "{}",
        stderr(&api)
    );
    assert!(stdout(&api).is_empty());

    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let root = format!("http://{}", closed.local_addr().expect("an address"));
    drop(closed);
    let transport = with_credentials(CLIENT_ID, SECRET)
        .args(get(root))
        .output()
        .await
        .expect("runs");
    assert_eq!(status(&transport), Some(4), "{}", stderr(&transport));
    assert!(stderr(&transport).starts_with("error: "));

    let bad_flag = run(
        scalexpert(),
        &["e-financing", "subscriptions", "get", "--nope"],
    )
    .await;
    assert_eq!(status(&bad_flag), Some(2));
    let bad_value = with_credentials(CLIENT_ID, SECRET)
        .args(get(server.base_url()).into_iter().take(6))
        .arg("not-a-uuid")
        .output()
        .await
        .expect("runs");
    assert_eq!(status(&bad_value), Some(2), "{}", stderr(&bad_value));
    let no_credentials = run(
        scalexpert(),
        &get(server.base_url())
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    )
    .await;
    assert_eq!(
        status(&no_credentials),
        Some(2),
        "{}",
        stderr(&no_credentials)
    );
    assert!(stderr(&no_credentials).contains("SCALEXPERT_CLIENT_ID"));
    let unknown_version = run(
        with_credentials(CLIENT_ID, SECRET),
        &[
            "--api-version",
            "0.0.1",
            "e-financing",
            "subscriptions",
            "list",
        ],
    )
    .await;
    assert_eq!(
        status(&unknown_version),
        Some(2),
        "{}",
        stderr(&unknown_version)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn answers_print_as_json_by_default_and_as_tables_on_request() {
    let server = MockServer::start_async().await;
    token_mock(&server).await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/e-financing/api/v1/subscriptions");
            then.status(200)
                .header("content-type", "application/json")
                .json_body(serde_json::json!({
                    "totalItemCount": 1,
                    "subscriptions": [{
                        "creditSubscriptionId": "5f0c2d5e-8a51-4c0e-9d3e-6f1b2a7c9e40",
                        "registrationTimestamp": "2024-05-01T10:00:00Z",
                        "lastUpdateTimestamp": "2024-05-01T10:05:00Z",
                        "solutionCode": "SCFRSP-3XTS",
                        "marketTypeCode": "FR",
                        "merchantBasketId": "B-1",
                        "merchantGlobalOrderId": "ORDER-1",
                        "buyerFinancedAmount": 300.0,
                        "consolidatedStatus": "REJECTED",
                        "consolidatedSubstatus": "SUBSCRIPTION REJECTED BY PRODUCER",
                        "cancellationAlreadyMade": false,
                    }],
                }));
        })
        .await;
    let list = |format: Option<&str>| {
        let mut args = vec![
            "--env".to_string(),
            server.base_url(),
            "e-financing".into(),
            "subscriptions".into(),
            "list".into(),
            "--merchant-global-order-id".into(),
            "ORDER-1".into(),
        ];
        if let Some(format) = format {
            args.extend(["--format".to_string(), format.to_string()]);
        }
        args
    };
    let json = with_credentials(CLIENT_ID, SECRET)
        .args(list(None))
        .output()
        .await
        .expect("runs");
    assert_eq!(status(&json), Some(0), "{}", stderr(&json));
    let answer: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON on stdout");
    assert_eq!(answer["subscriptions"][0]["consolidatedStatus"], "REJECTED");

    let table = with_credentials(CLIENT_ID, SECRET)
        .args(list(Some("table")))
        .output()
        .await
        .expect("runs");
    let text = stdout(&table);
    assert!(serde_json::from_str::<serde_json::Value>(&text).is_err());
    assert!(
        text.contains("totalItemCount") && text.contains("SUBSCRIPTION REJECTED BY PRODUCER"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn token_check_proves_the_credentials_without_printing_the_token() {
    let server = MockServer::start_async().await;
    let token = token_mock(&server).await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/e-financing/api/v1/subscriptions")
                .header("authorization", format!("Bearer {TOKEN}"));
            then.status(200)
                .header("content-type", "application/json")
                .json_body(serde_json::json!({"totalItemCount": 0, "subscriptions": []}));
        })
        .await;
    let output = run(
        with_credentials(CLIENT_ID, SECRET),
        &["--env", &server.base_url(), "token", "check"],
    )
    .await;
    assert_eq!(status(&output), Some(0), "{}", stderr(&output));
    assert_eq!(token.calls_async().await, 1);
    let answer: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(answer["checks"][0]["api"], "e-financing");
    assert_eq!(answer["checks"][0]["ok"], true);
    let all = format!("{}{}", stdout(&output), stderr(&output));
    assert!(!all.contains(TOKEN) && !all.contains(SECRET), "{all}");

    let refused = MockServer::start_async().await;
    refused
        .mock_async(|when, then| {
            when.method(POST).path(TOKEN_PATH);
            then.status(401)
                .header("content-type", "application/json")
                .json_body(serde_json::json!({"error": "invalid_client"}));
        })
        .await;
    let output = run(
        with_credentials(CLIENT_ID, SECRET),
        &["--env", &refused.base_url(), "token", "check"],
    )
    .await;
    assert_eq!(status(&output), Some(3), "{}", stderr(&output));
    let answer: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(answer["checks"][0]["ok"], false);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sandbox_command_serves_the_offline_sandbox_with_the_given_credentials() {
    let mut command = with_credentials(CLIENT_ID, SECRET);
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
    let check = run(
        with_credentials(CLIENT_ID, SECRET),
        &["--env", &url, "token", "check"],
    )
    .await;
    assert_eq!(status(&check), Some(0), "{}", stderr(&check));
    // The sandbox replaced its default credentials by the given ones.
    let defaults = run(
        with_credentials(
            scalexpert_sandbox::DEFAULT_CLIENT_ID,
            scalexpert_sandbox::DEFAULT_CLIENT_SECRET,
        ),
        &["--env", &url, "token", "check"],
    )
    .await;
    assert_eq!(status(&defaults), Some(3), "{}", stderr(&defaults));
    child.kill().await.expect("stopped");
}
