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

#[test]
fn production_is_never_chosen_by_an_abbreviation() {
    assert!(matches!(
        Environment::from_name("prod"),
        Err(Error::Configuration(_))
    ));
    assert_eq!(
        Environment::from_name("Production").expect("spelled out"),
        Environment::Production
    );
}

#[test]
fn a_base_url_with_a_query_or_a_fragment_is_refused() {
    for url in [
        "http://127.0.0.1:8080/?tenant=a",
        "http://127.0.0.1:8080/#top",
    ] {
        assert!(
            matches!(Environment::custom(url), Err(Error::Configuration(_))),
            "{url}"
        );
    }
}

/// The only test here that touches the process environment.
#[test]
fn errors_about_environment_variables_name_the_variable() {
    let names = [
        "SCALEXPERT_ENVIRONMENT",
        "SCALEXPERT_BASE_URL",
        "SCALEXPERT_CLIENT_ID",
        "SCALEXPERT_CLIENT_SECRET",
    ];
    let configure = |pairs: &[(&str, &str)]| -> String {
        for name in names {
            std::env::remove_var(name);
        }
        for (name, value) in pairs {
            std::env::set_var(name, value);
        }
        let result = Client::from_env();
        for name in names {
            std::env::remove_var(name);
        }
        match result {
            Err(Error::Configuration(message)) => message,
            other => panic!("{pairs:?}: {other:?}"),
        }
    };
    let credentials = [
        ("SCALEXPERT_CLIENT_ID", CLIENT_ID),
        ("SCALEXPERT_CLIENT_SECRET", SECRET),
    ];
    for (name, value) in [
        ("SCALEXPERT_BASE_URL", "http://127.0.0.1:8080/?tenant=a"),
        ("SCALEXPERT_BASE_URL", "http://127.0.0.1:8080/#top"),
        ("SCALEXPERT_BASE_URL", "localhost:8080"),
        ("SCALEXPERT_ENVIRONMENT", "prod"),
        ("SCALEXPERT_ENVIRONMENT", "staging"),
    ] {
        let message = configure(&[credentials[0], credentials[1], (name, value)]);
        assert!(message.contains(name), "{name}={value}: {message}");
    }
    let message = configure(&[]);
    assert!(
        message.contains("SCALEXPERT_CLIENT_ID") && message.contains("SCALEXPERT_CLIENT_SECRET"),
        "{message}"
    );
}
