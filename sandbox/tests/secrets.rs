//! Tokens, journey links and ids are unguessable: 256 random bits from the operating system
//! for tokens and journey links, random (v4) UUIDs for ids.

use scalexpert_sandbox::{sample_application, Sandbox, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET};
use serde_json::Value;
use std::collections::HashSet;

fn is_hex(text: &str, digits: usize) -> bool {
    text.len() == digits && text.bytes().all(|b| b.is_ascii_hexdigit())
}

#[tokio::test]
async fn tokens_and_journey_links_carry_256_random_bits() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let http = reqwest::Client::new();
    let mut tokens = HashSet::new();
    for _ in 0..20 {
        let answer: Value = http
            .post(format!(
                "{}/auth-server/api/v1/oauth2/token",
                sandbox.base_url()
            ))
            .basic_auth(DEFAULT_CLIENT_ID, Some(DEFAULT_CLIENT_SECRET))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .expect("token")
            .json()
            .await
            .expect("json");
        let token = answer["access_token"].as_str().expect("token").to_string();
        let bits = token.strip_prefix("sbx_").expect("the sandbox's prefix");
        assert!(is_hex(bits, 64), "{token}");
        tokens.insert(token);
    }
    assert_eq!(tokens.len(), 20);

    let client = sandbox.client().expect("client");
    let mut journeys = HashSet::new();
    let mut ids = HashSet::new();
    for i in 0..20 {
        let created = client
            .e_financing_v1_7_1()
            .initiate_credit_subscription()
            .language("fr-FR")
            .body(sample_application("SCFRSP-4XTS", &format!("ORDER-{i}"), 300.0).expect("sample"))
            .send()
            .await
            .expect("created")
            .into_inner();
        assert_eq!(created.id.get_version_num(), 4);
        ids.insert(created.id);
        let url = created.redirect.and_then(|r| r.value).expect("journey");
        let token = url.rsplit('/').next().expect("a token").to_string();
        assert!(is_hex(&token, 64), "{url}");
        journeys.insert(token);
    }
    assert_eq!((ids.len(), journeys.len()), (20, 20));
    assert!(sandbox.admin_token().len() >= 64);
}
