//! The routes come from the served version's operation table: every operation answers on its
//! method and path, where a client pointed at the sandbox sends it.

use scalexpert::Environment;
use scalexpert::Operation;
use scalexpert_sandbox::{Fault, Sandbox, API, INSURANCE_API, INSURANCE_OPERATIONS, OPERATIONS};
use serde_json::Value;

/// `path` with every `{parameter}` replaced by `value`.
fn filled(path: &str, value: &str) -> String {
    path.split('/')
        .map(|segment| {
            if segment.starts_with('{') && segment.ends_with('}') {
                value
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Where the SDK sends the calls of the served e-financing version for a client pointed at
/// `root`.
fn api_base(root: &str) -> String {
    use scalexpert::e_financing::v1_7_1 as served;
    assert_eq!(served::API, API, "the sandbox serves this version");
    Environment::custom(root)
        .expect("root")
        .api_base_url(&served::UATC_URLS, &served::PRODUCTION_URLS)
}

/// Where the SDK sends the calls of the served insurance version.
fn insurance_base(root: &str) -> String {
    use scalexpert::insurance::v1_7_1 as served;
    assert_eq!(
        served::API,
        INSURANCE_API,
        "the sandbox serves this version"
    );
    Environment::custom(root)
        .expect("root")
        .api_base_url(&served::UATC_URLS, &served::PRODUCTION_URLS)
}

/// Every served operation with the base URL of its API and its fault target name.
fn every_operation(root: &str) -> Vec<(&'static Operation, String, String)> {
    let financing = OPERATIONS
        .iter()
        .map(|op| (op, api_base(root), op.id.to_string()));
    let insurance = INSURANCE_OPERATIONS
        .iter()
        .map(|op| (op, insurance_base(root), format!("insurance:{}", op.id)));
    financing.chain(insurance).collect()
}

#[tokio::test]
async fn every_operation_of_the_table_is_served_on_its_method_and_path() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let http = reqwest::Client::new();
    assert!(!OPERATIONS.is_empty() && !INSURANCE_OPERATIONS.is_empty());
    for (operation, base, _) in every_operation(sandbox.base_url()) {
        let url = format!(
            "{base}{}",
            filled(operation.path, "5f0c2d5e-8a51-4c0e-9d3e-6f1b2a7c9e40")
        );
        let method = reqwest::Method::from_bytes(operation.method.as_bytes()).expect("method");
        // Without a token, a served operation says so; an unrouted one would be 404 or 405.
        let answer = http
            .request(method.clone(), &url)
            .send()
            .await
            .expect("answer");
        assert_eq!(answer.status(), 401, "{} {method} {url}", operation.id);
        let body: Value = answer.json().await.expect("json");
        assert_eq!(body["error"], "invalid_token", "{}", operation.id);
    }
}

#[tokio::test]
async fn faults_reach_the_operation_they_name() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let token = sandbox_token(&sandbox).await;
    let http = reqwest::Client::new();
    for (operation, base, target) in every_operation(sandbox.base_url()) {
        sandbox
            .faults()
            .inject(&target, Fault::status(418))
            .expect("valid");
        let url = format!("{base}{}", filled(operation.path, "not-a-uuid"));
        let method = reqwest::Method::from_bytes(operation.method.as_bytes()).expect("method");
        let answer = http
            .request(method, &url)
            .bearer_auth(&token)
            .send()
            .await
            .expect("answer");
        assert_eq!(answer.status(), 418, "{target}");
        assert_eq!(sandbox.faults().pending(&target), Ok(0));
    }
    // A fault on one API's getEligibleProductServices leaves the other's alone.
    sandbox
        .faults()
        .inject("insurance:getEligibleProductServices", Fault::status(503))
        .expect("valid");
    let answer = http
        .get(format!(
            "{}/eligible-solutions?buyerBillingCountry=FR&financedAmount=1500",
            api_base(sandbox.base_url())
        ))
        .bearer_auth(&token)
        .send()
        .await
        .expect("answer");
    assert_eq!(answer.status(), 200);
    assert_eq!(
        sandbox
            .faults()
            .pending("insurance:getEligibleProductServices"),
        Ok(1)
    );
}

async fn sandbox_token(sandbox: &Sandbox) -> String {
    let credentials = [
        scalexpert_sandbox::DEFAULT_CLIENT_ID,
        scalexpert_sandbox::DEFAULT_CLIENT_SECRET,
    ];
    let answer: Value = reqwest::Client::new()
        .post(sandbox.environment().token_url())
        .basic_auth(credentials[0], Some(credentials[1]))
        .form(&[("grant_type", "client_credentials")])
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
