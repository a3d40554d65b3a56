//! Secrets: never in the process's arguments (what `ps` shows), never in `--verbose` output,
//! never echoed from a refused flag; secret fields of answers redacted unless asked for.

use crate::support::*;
use base64::Engine as _;
use httpmock::prelude::*;
use std::process::Stdio;
use std::time::Duration;

/// What must never be printed: the secret, the token, and the Basic encoding of the pair.
fn leaks(text: &str) -> Vec<&'static str> {
    let basic: &'static str = base64::engine::general_purpose::STANDARD
        .encode(format!("{CLIENT_ID}:{SECRET}"))
        .leak();
    [SECRET, TOKEN, basic]
        .into_iter()
        .filter(|secret| text.contains(secret))
        .collect()
}

/// What `ps` shows of a process: its arguments (from /proc, as ps reads them), and `ps`'s own
/// output when it is installed.
fn what_ps_shows(pid: u32) -> String {
    let mut shown = std::fs::read(format!("/proc/{pid}/cmdline"))
        .map(|bytes| String::from_utf8_lossy(&bytes).replace('\0', " "))
        .expect("the process is running");
    if let Ok(ps) = std::process::Command::new("ps")
        .args(["-ww", "-o", "args=", "-p", &pid.to_string()])
        .output()
    {
        shown.push_str(&String::from_utf8_lossy(&ps.stdout));
    }
    shown
}

#[tokio::test(flavor = "multi_thread")]
async fn the_secret_never_shows_in_ps_nor_in_the_verbose_log() {
    let server = MockServer::start_async().await;
    // The slow token endpoint keeps the process alive while it is looked at.
    server
        .mock_async(|when, then| {
            when.method(POST).path(TOKEN_PATH);
            then.status(200)
                .delay(Duration::from_millis(1500))
                .header("content-type", "application/json")
                .json_body(serde_json::json!({
                    "access_token": TOKEN, "token_type": "Bearer", "expires_in": 3600,
                }));
        })
        .await;
    let eligible = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/e-financing/api/v1/eligible-solutions");
            then.status(200)
                .header("content-type", "application/json")
                .json_body(serde_json::json!({"solutions": []}));
        })
        .await;
    let dir = tempfile::tempdir().expect("a temp dir");
    let file = credentials_file(dir.path());
    let mut command = scalexpert();
    command
        .args([
            "--verbose",
            "--env",
            &server.base_url(),
            "--credentials-file",
        ])
        .arg(&file)
        .args([
            "e-financing",
            "eligible-solutions",
            "list",
            "--buyer-billing-country",
            "FR",
            "--financed-amount",
            "300",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = command.spawn().expect("the binary starts");
    let pid = child.id().expect("a running child");
    let shown = what_ps_shows(pid);
    assert!(shown.contains("eligible-solutions"), "{shown}");
    assert!(leaks(&shown).is_empty(), "ps shows {:?}", leaks(&shown));
    let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
    assert!(!String::from_utf8_lossy(&environ).contains(SECRET));

    let output = child.wait_with_output().await.expect("it finishes");
    assert_eq!(status(&output), Some(0), "{}", stderr(&output));
    assert_eq!(eligible.calls_async().await, 1);
    let log = stderr(&output);
    assert!(
        log.contains("scalexpert.call"),
        "the verbose log shows the call:\n{log}"
    );
    assert!(
        log.contains(CLIENT_ID) && log.contains("[redacted]"),
        "{log}"
    );
    assert!(
        leaks(&log).is_empty(),
        "--verbose printed {:?}:\n{log}",
        leaks(&log)
    );
    assert!(leaks(&stdout(&output)).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn credentials_from_the_environment_stay_out_of_the_verbose_log_too() {
    let server = MockServer::start_async().await;
    token_mock(&server).await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/e-financing/api/v1/subscriptions");
            then.status(401)
                .header("content-type", "application/json")
                .json_body(serde_json::json!({
                    "errorCode": "UNAUTHORIZED",
                    "errorMessage": "the token was refused",
                }));
        })
        .await;
    let output = run(
        with_credentials(CLIENT_ID, SECRET),
        &[
            "-v",
            "--env",
            &server.base_url(),
            "e-financing",
            "subscriptions",
            "list",
        ],
    )
    .await;
    assert_eq!(status(&output), Some(3), "{}", stderr(&output));
    let all = format!("{}{}", stdout(&output), stderr(&output));
    assert!(leaks(&all).is_empty(), "printed {:?}:\n{all}", leaks(&all));
}

#[tokio::test(flavor = "multi_thread")]
async fn there_is_no_flag_for_the_client_secret() {
    for flag in ["--client-secret", "--secret", "--client-id"] {
        let output = run(scalexpert(), &[flag, SECRET, "token", "check"]).await;
        assert_eq!(status(&output), Some(2), "{flag}: {}", stderr(&output));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn secret_body_flags_are_refused_without_echoing_them_and_nothing_is_sent() {
    let server = MockServer::start_async().await;
    let token = token_mock(&server).await;
    let set = server
        .mock_async(|when, then| {
            when.method(PUT).path("/merchant-webhooks/api/v1/webhooks");
            then.status(200);
        })
        .await;
    for flag in ["--secret", "--auth-password", "--key-for-signature"] {
        let output = run(
            with_credentials(CLIENT_ID, SECRET),
            &[
                "--env",
                &server.base_url(),
                "merchant-webhooks",
                "webhooks",
                "set",
                "--event-type-code",
                "SC_SUBSCRIPTION",
                flag,
                "hunter2-webhook-secret",
            ],
        )
        .await;
        assert_eq!(status(&output), Some(2), "{flag}: {}", stderr(&output));
        let message = stderr(&output);
        assert!(
            message.contains("ps") && message.contains(flag),
            "{message}"
        );
        assert!(!message.contains("hunter2-webhook-secret"), "{message}");
    }
    assert_eq!(set.calls_async().await, 0);
    assert_eq!(token.calls_async().await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn secret_fields_of_answers_are_redacted_unless_asked_for() {
    let server = MockServer::start_async().await;
    token_mock(&server).await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/merchant-webhooks/api/v1/webhooks");
            then.status(200)
                .header("content-type", "application/json")
                .json_body(serde_json::json!({
                    "eventTypeCode": "SC_SUBSCRIPTION",
                    "active": true,
                    "url": "https://shop.example/hooks",
                    "authMethod": "API_KEY",
                    "secret": "stored-webhook-secret",
                    "keyForSignature": "stored-signature-key",
                }));
        })
        .await;
    let args = |show: bool| {
        let mut args = vec![
            "--env".to_string(),
            server.base_url(),
            "merchant-webhooks".into(),
            "webhooks".into(),
            "list".into(),
            "--event-type-code".into(),
            "SC_SUBSCRIPTION".into(),
        ];
        if show {
            args.push("--show-secrets".into());
        }
        args
    };
    let hidden = with_credentials(CLIENT_ID, SECRET)
        .args(args(false))
        .output()
        .await
        .expect("runs");
    let text = stdout(&hidden);
    assert!(text.contains("https://shop.example/hooks"), "{text}");
    assert!(
        !text.contains("stored-webhook-secret") && !text.contains("stored-signature-key"),
        "{text}"
    );
    let shown = with_credentials(CLIENT_ID, SECRET)
        .args(args(true))
        .output()
        .await
        .expect("runs");
    assert!(stdout(&shown).contains("stored-webhook-secret"));
}
