//! The journey page is a page a browser runs: only web links back to the merchant, and a
//! Content-Security-Policy that lets nothing run.

use scalexpert::Error;
use scalexpert_sandbox::{sample_application, Sandbox};

async fn create(sandbox: &Sandbox, confirmation: &str) -> Result<String, Error> {
    let mut application = sample_application("SCFRSP-4XTS", "ORDER-URL", 300.0)?;
    application.merchant_urls.confirmation = confirmation.to_string();
    let created = sandbox
        .client()?
        .e_financing_v1_7_1()
        .initiate_credit_subscription()
        .language("fr-FR")
        .body(application)
        .send()
        .await?
        .into_inner();
    Ok(created
        .redirect
        .and_then(|redirect| redirect.value)
        .expect("a journey URL"))
}

#[tokio::test]
async fn a_confirmation_url_that_is_no_web_url_is_refused_at_creation() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    for url in [
        "javascript://x/%0aalert(document.domain)",
        "data://text/html,<script>alert(1)</script>",
        "ftp://shop.example/back",
    ] {
        let error = create(&sandbox, url).await.expect_err("refused");
        let api = error
            .api_error()
            .unwrap_or_else(|| panic!("{url}: {error:?}"));
        assert_eq!(api.status.as_u16(), 400, "{url}");
        assert!(api.has_code("REQUEST_VALIDATION_ERROR"), "{url}: {api:?}");
        assert!(api.has_code("INVALID_FORMAT"), "{url}: {api:?}");
    }
    create(&sandbox, "https://shop.example/back?order=1")
        .await
        .expect("a web URL is fine");
}

#[tokio::test]
async fn pages_carry_a_policy_that_runs_nothing() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let journey = create(&sandbox, "https://shop.example/back")
        .await
        .expect("created");
    let http = reqwest::Client::new();
    let page = http.get(&journey).send().await.expect("page");
    let policy = page.headers()["content-security-policy"]
        .to_str()
        .expect("text")
        .to_string();
    for directive in [
        "default-src 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(policy.contains(directive), "{policy}");
    }
    assert!(
        !policy.contains("unsafe-inline") && !policy.contains("script-src"),
        "{policy}"
    );
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");
    let html = page.text().await.expect("html");
    assert!(
        !html.contains("<script") && !html.contains("<style"),
        "{html}"
    );
    // The stylesheet the policy allows is the sandbox's own.
    let css = http
        .get(format!("{}/sandbox/style.css", sandbox.base_url()))
        .send()
        .await
        .expect("css");
    assert_eq!(css.status(), 200);
    assert!(css.headers()["content-type"]
        .to_str()
        .expect("text")
        .starts_with("text/css"));
    // The page after the buyer's choice too.
    let done = http
        .post(format!("{journey}/accept"))
        .header("accept", "text/html")
        .send()
        .await
        .expect("outcome page");
    assert!(done.headers().contains_key("content-security-policy"));
    assert!(done
        .text()
        .await
        .expect("html")
        .contains("https://shop.example/back"));
}
