//! Where each environment sends calls and asks for tokens.

use crate::*;
use scalexpert::e_financing::v1_6_6;
use scalexpert::{Error, GeneratedClient};

fn client_for(environment: Environment) -> Client {
    Client::builder()
        .environment(environment)
        .credentials(Credentials::new(CLIENT_ID, SECRET))
        .build()
        .expect("valid")
}

#[test]
fn each_environment_has_its_documented_urls() {
    use v1_6_6::ClientInfo;
    let cases = [
        (
            Environment::Production,
            "https://api.scalexpert.societegenerale.com/baas/prod",
        ),
        (
            Environment::Uatc,
            "https://api.scalexpert.uatc.societegenerale.com/baas/uatc",
        ),
        (
            Environment::Uat,
            "https://api.scalexpert.hml.societegenerale.com/baas/uat",
        ),
    ];
    for (environment, root) in cases {
        let client = client_for(environment.clone());
        assert_eq!(
            client.e_financing_v1_6_6().baseurl(),
            &format!("{root}/e-financing/api/v1"),
            "{environment:?}"
        );
        assert_eq!(
            environment.token_url(),
            format!("{root}/auth-server/api/v1/oauth2/token")
        );
    }
}

#[test]
fn spec_urls_are_exposed_per_environment() {
    assert_eq!(
        v1_6_6::UATC_URLS.server,
        "https://api.scalexpert.uatc.societegenerale.com/baas/uatc/e-financing/api/v1"
    );
    assert_eq!(
        v1_6_6::Client::PRODUCTION_URLS.token_url,
        Environment::Production.token_url()
    );
    assert_eq!(v1_6_6::Client::SCOPE, "e-financing:rw");
}

#[tokio::test]
async fn a_custom_root_serves_token_and_api_below_it() {
    let server = MockServer::start_async().await;
    let token = token_mock(&server, 900);
    let api = eligible_mock(&server);
    eligible(&client(&server)).await.expect("call succeeds");
    token.assert_calls(1);
    api.assert_calls(1);
}

#[test]
fn configuration_errors_are_typed() {
    assert!(matches!(
        Client::builder().environment(Environment::Uatc).build(),
        Err(Error::Configuration(_))
    ));
    assert!(matches!(
        Environment::custom("not a url"),
        Err(Error::Configuration(_))
    ));
}
