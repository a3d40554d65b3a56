//! The same reconciling create through every enabled e-financing version it covers.

use crate::*;
use scalexpert::workflows::{CreateOutcome, CreditApi};
use serde::de::DeserializeOwned;

/// The `POST /subscriptions` example of `spec`, as `A`'s application.
fn application_of<A: CreditApi>(spec: &str) -> A::Application
where
    A::Application: DeserializeOwned,
{
    let spec: Value = serde_yaml_ng::from_str(spec).expect("the spec parses");
    let example = &spec["paths"]["/subscriptions"]["post"]["requestBody"]["content"]
        ["application/json"]["example"];
    serde_json::from_value(example.clone()).expect("the example is an application")
}

/// A create of version `A` answered 503 is found by its order and never sent again.
async fn a_lost_create_is_found<A: CreditApi>(spec: &str)
where
    A::Application: DeserializeOwned,
{
    let server = MockServer::start_async().await;
    token_mock(&server);
    let create = server.mock(|when, then| {
        when.method(POST).path(SUBSCRIPTIONS_PATH);
        then.status(503);
    });
    let lookup = lookup_mock(&server, page(vec![listed("INITIALIZED")], 1));
    let subscriptions =
        Subscriptions::new(client_at(&server.base_url()).api::<A>()).with_policy(quick_policy());
    let outcome = subscriptions
        .create("fr-FR", application_of::<A>(spec))
        .await;
    match outcome {
        Ok(CreateOutcome::AlreadyExisted(found)) => {
            assert_eq!(A::summary_id(&found).to_string(), ID, "{}", A::API.version)
        }
        other => panic!("{}: expected AlreadyExisted, got {other:?}", A::API.version),
    }
    create.assert_calls(1);
    lookup.assert_calls(1);
}

#[tokio::test]
async fn every_covered_version_reconciles_a_lost_create() {
    #[cfg(feature = "e-financing-1_6_0")]
    a_lost_create_is_found::<scalexpert::e_financing::v1_6_0::Client>(
        scalexpert::e_financing::v1_6_0::SPEC,
    )
    .await;
    #[cfg(feature = "e-financing-1_6_6")]
    a_lost_create_is_found::<scalexpert::e_financing::v1_6_6::Client>(
        scalexpert::e_financing::v1_6_6::SPEC,
    )
    .await;
    #[cfg(feature = "e-financing-1_7_0")]
    a_lost_create_is_found::<scalexpert::e_financing::v1_7_0::Client>(
        scalexpert::e_financing::v1_7_0::SPEC,
    )
    .await;
    #[cfg(feature = "e-financing-1_7_1")]
    a_lost_create_is_found::<scalexpert::e_financing::v1_7_1::Client>(
        scalexpert::e_financing::v1_7_1::SPEC,
    )
    .await;
}
