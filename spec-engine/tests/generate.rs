//! `generate`: the code `build.rs` writes, and what happens when progenitor cannot take a spec.

use scalexpert_spec_engine::generate::{builder_settings, generate, GenerateError};
use scalexpert_spec_engine::load_file;
use std::path::Path;

fn fixture(relative: &str) -> (serde_json::Value, String) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(relative);
    let doc = load_file(&path).expect("fixture parses");
    (doc.value, doc.origin)
}

fn settings() -> scalexpert_spec_engine::generate::GenerationSettings {
    builder_settings("crate::Inner", "scalexpert").expect("settings")
}

#[test]
fn a_generator_panic_names_the_file_the_operation_and_the_missing_rule() {
    let (doc, origin) = fixture("generate/two-success-bodies.yaml");
    let error = generate(doc, &origin, &settings()).expect_err("progenitor cannot take it");
    match &error {
        GenerateError::Unsupported {
            origin: at,
            operation,
            message,
            missing_rule,
        } => {
            assert!(at.ends_with("two-success-bodies.yaml"), "{at}");
            assert_eq!(operation.as_deref(), Some("lookUp (POST /items/_look-up)"));
            assert!(message.contains("response_types.len() <= 1"), "{message}");
            assert!(missing_rule.contains("200, 202"), "{missing_rule}");
            assert!(
                missing_rule.contains("spec-engine/src/normalise/"),
                "{missing_rule}"
            );
        }
        other => panic!("expected Unsupported, got {other:?}"),
    }
    let shown = error.to_string();
    assert!(
        shown.contains("two-success-bodies.yaml, operation lookUp"),
        "{shown}"
    );
}

#[test]
fn a_spec_it_can_take_becomes_formatted_rust() {
    let (mut doc, origin) = fixture("generate/two-success-bodies.yaml");
    // Without the second success body the operation has one return type.
    doc["paths"]["/items/_look-up"]["post"]["responses"]
        .as_object_mut()
        .expect("responses")
        .remove("202");
    let code = generate(doc, &origin, &settings()).expect("generates");
    assert!(code.contains("pub struct Found"), "{code}");
    assert!(code.contains("pub fn look_up(&self)"), "{code}");
    syn::parse_file(&code).expect("the result is Rust");
}

#[test]
fn what_is_not_openapi_is_refused_with_its_origin() {
    let doc = serde_json::json!({"openapi": "3.0.3", "info": {"version": "1"}, "paths": {"/x": {"get": {"responses": 7}}}});
    let error = generate(doc, "bad.yaml", &settings()).expect_err("not OpenAPI");
    assert!(
        matches!(error, GenerateError::NotOpenApi { .. }),
        "{error:?}"
    );
    assert!(error.to_string().starts_with("bad.yaml: "), "{error}");
}
