//! The admin endpoints answer only to whoever started the sandbox: the admin token, the
//! sandbox's own `Host`, JSON bodies. A web page the tester happens to open can do nothing.

use scalexpert_sandbox::{Fault, Sandbox, ADMIN_TOKEN_HEADER};
use serde_json::{json, Value};

fn url(sandbox: &Sandbox, path: &str) -> String {
    format!("{}/sandbox/admin/{path}", sandbox.base_url())
}

#[tokio::test]
async fn every_admin_endpoint_needs_the_admin_token() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let http = reqwest::Client::new();
    let fault = json!({"operation": "initiateCreditSubscription", "status": 503});
    for token in [None, Some("wrong-token-of-some-length"), Some("")] {
        let with = |request: reqwest::RequestBuilder| match token {
            Some(token) => request.header(ADMIN_TOKEN_HEADER, token),
            None => request,
        };
        for request in [
            http.get(url(&sandbox, "faults")),
            http.post(url(&sandbox, "faults")).json(&fault),
            http.delete(url(&sandbox, "faults")),
            http.get(url(&sandbox, "webhooks")),
            http.put(url(&sandbox, "webhooks"))
                .json(&json!({"url": "http://127.0.0.1:1/h", "authMethod": "NONE"})),
            http.delete(url(&sandbox, "webhooks")),
            http.delete(url(&sandbox, "tokens")),
            http.get(url(&sandbox, "stats")),
        ] {
            let answer = with(request).send().await.expect("answer");
            assert_eq!(answer.status(), 401, "{:?}", answer.url());
            let body: Value = answer.json().await.expect("json");
            assert!(
                body["error"]
                    .as_str()
                    .is_some_and(|e| e.contains(ADMIN_TOKEN_HEADER)),
                "{body}"
            );
        }
    }
    // Nothing was queued by the refused requests.
    assert!(sandbox.faults().queued().is_empty());
    // With the token, the same requests work; the library API never needs it.
    let admin = crate::admin_http(&sandbox);
    let added = admin
        .post(url(&sandbox, "faults"))
        .json(&fault)
        .send()
        .await
        .expect("answer");
    assert_eq!(added.status(), 204);
    sandbox
        .faults()
        .inject("creditSimulation", Fault::status(500))
        .expect("library");
    assert_eq!(sandbox.faults().queued().len(), 2);
}

#[tokio::test]
async fn a_chosen_admin_token_is_the_one_required() {
    let sandbox = Sandbox::builder()
        .admin_token("a-token-chosen-by-the-test")
        .start()
        .await
        .expect("sandbox");
    assert_eq!(sandbox.admin_token(), "a-token-chosen-by-the-test");
    let answer = reqwest::Client::new()
        .get(url(&sandbox, "faults"))
        .header(ADMIN_TOKEN_HEADER, "a-token-chosen-by-the-test")
        .send()
        .await
        .expect("answer");
    assert_eq!(answer.status(), 200);
    let short = Sandbox::builder().admin_token("short").start().await;
    assert!(short.is_err(), "a guessable admin token is refused");
    // Two sandboxes never share a generated token, and Debug never shows it.
    let other = Sandbox::start().await.expect("sandbox");
    assert_ne!(
        other.admin_token(),
        Sandbox::start().await.expect("sandbox").admin_token()
    );
    let builder = Sandbox::builder().admin_token("a-token-chosen-by-the-test");
    assert!(!format!("{builder:?}").contains("a-token-chosen"));
}

#[tokio::test]
async fn another_host_is_refused_even_with_the_token() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let admin = crate::admin_http(&sandbox);
    let port = sandbox
        .base_url()
        .rsplit(':')
        .next()
        .expect("a port")
        .to_string();
    for host in [
        format!("rebinding.attacker.example:{port}"),
        format!("127.0.0.1.nip.io:{port}"),
        "127.0.0.1:1".to_string(),
    ] {
        let answer = admin
            .get(url(&sandbox, "webhooks"))
            .header("host", &host)
            .send()
            .await
            .expect("answer");
        assert_eq!(answer.status(), 403, "{host}");
    }
    for host in [format!("127.0.0.1:{port}"), format!("localhost:{port}")] {
        let answer = admin
            .get(url(&sandbox, "webhooks"))
            .header("host", &host)
            .send()
            .await
            .expect("answer");
        assert_eq!(answer.status(), 200, "{host}");
    }
}

#[tokio::test]
async fn a_cross_site_text_plain_post_is_refused() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let admin = crate::admin_http(&sandbox);
    let body = r#"{"operation": "initiateCreditSubscription", "status": 503, "times": 1000}"#;
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let mut request = admin.post(url(&sandbox, "faults")).body(body);
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let answer = request.send().await.expect("answer");
        assert_eq!(answer.status(), 415, "{content_type:?}");
    }
    let answer = admin
        .put(url(&sandbox, "webhooks"))
        .header("content-type", "text/plain")
        .body(r#"{"url": "http://127.0.0.1:1/h", "authMethod": "NONE"}"#)
        .send()
        .await
        .expect("answer");
    assert_eq!(answer.status(), 415);
    assert!(sandbox.faults().queued().is_empty());
    assert!(admin
        .get(url(&sandbox, "webhooks"))
        .send()
        .await
        .expect("answer")
        .json::<Value>()
        .await
        .expect("json")
        .as_array()
        .is_some_and(Vec::is_empty));
}
