//! The engine on a spec that is not Scalexpert's: Payment Assist's, written by this project.
//!
//! Other environment names (demo, production), no OAuth2 anywhere (an API key and an HMAC
//! signature sent as parameters), replay declared in the spec, amounts with a unit, and a
//! webhook described as a callback.

use scalexpert_spec_engine::normalise::{open_response_enums, rust_type::RustType, unit_types};
use scalexpert_spec_engine::{
    check_environments, declared_operations, load_file, oauth_scopes, security_schemes,
    EnvironmentFile, KeyLocation, Replay, SchemeKind, SpecDocument,
};
use std::path::Path;

fn load(environment: &str) -> SpecDocument {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../payment-assist/specs/v1")
        .join(format!("{environment}.yaml"));
    load_file(&path).expect("the Payment Assist spec loads")
}

#[test]
fn demo_and_production_describe_one_api() {
    let (demo, production) = (load("demo"), load("production"));
    let (demo_urls, production_urls) = check_environments(
        EnvironmentFile::new("demo", &demo.value),
        EnvironmentFile::new("production", &production.value),
    )
    .expect("only the servers differ");
    assert_eq!(demo_urls.server, "https://api.demo.payassi.st");
    assert_eq!(
        production_urls.server,
        "https://api.v1.payment-assist.co.uk"
    );
    assert_eq!(demo_urls.token_url, None);

    let mut altered = production.value.clone();
    altered["paths"]["/begin"]["post"]["x-replay"] = "safe".into();
    let err = check_environments(
        EnvironmentFile::new("demo", &demo.value),
        EnvironmentFile::new("production", &altered),
    )
    .expect_err("a replay declaration differs");
    assert!(
        err.to_string().contains("the demo and production files"),
        "{err}"
    );
}

#[test]
fn signed_parameters_instead_of_oauth() {
    let demo = load("demo");
    assert!(oauth_scopes(&demo.value).is_empty());
    let schemes = security_schemes(&demo.value);
    let parameters: Vec<_> = schemes
        .iter()
        .map(|scheme| match &scheme.kind {
            SchemeKind::ApiKey {
                parameter,
                location: KeyLocation::Query,
            } => parameter.as_str(),
            other => panic!("unexpected scheme {other:?}"),
        })
        .collect();
    assert_eq!(parameters, ["api_key", "signature"]);
    assert!(schemes[1].extensions.contains_key("x-hmac-signature"));
}

#[test]
fn replay_is_declared_for_every_post() {
    let ops = declared_operations(&load("demo").value).expect("every POST declared");
    let replay = |id: &str| {
        ops.iter()
            .find(|op| op.operation_id == id)
            .map(|op| op.replay)
    };
    assert_eq!(ops.len(), 8);
    assert_eq!(replay("begin"), Some(Replay::Unsafe));
    assert_eq!(replay("capture"), Some(Replay::Unsafe));
    assert_eq!(replay("invoice"), Some(Replay::Unsafe));
    assert_eq!(replay("status"), Some(Replay::Safe));
    assert_eq!(replay("plan"), Some(Replay::Safe));
}

#[test]
fn amounts_and_open_enums_point_at_the_facade() {
    let mut doc = load("demo").value;
    let pence = unit_types::UnitType {
        unit: "pence",
        rust_type: RustType {
            crate_name: "payment-assist",
            path: "payment_assist::Pence",
        },
    };
    let touched = unit_types::apply(&mut doc, &[pence]).expect("pence has a type");
    assert!(touched.contains(&"/components/schemas/BeginRequest/properties/amount".to_string()));
    assert!(touched.contains(&"/components/schemas/Instalment/properties/amount".to_string()));
    let opened = open_response_enums::apply_at(
        &mut doc,
        &RustType {
            crate_name: "payment-assist",
            path: "payment_assist::OpenEnum",
        },
    );
    // Statuses the server sends, in answers and in the webhook callback, open; the file type
    // we send stays closed.
    assert!(opened.contains(&"/components/schemas/Application/properties/status".to_string()));
    assert!(opened.contains(&"/components/schemas/WebhookEvent/properties/event_name".to_string()));
    assert!(!opened.iter().any(|p| p.contains("InvoiceRequest")));
}
