//! `cargo xtask spec-diff` between our vendored versions, and between files.

mod common;

use common::{fixture, xtask};
use serde_json::Value;

fn diff(old: &str, new: &str) -> (i32, Value) {
    let run = xtask(&["spec-diff", old, new, "--format", "json"], &[]);
    (run.code, run.json())
}

fn findings(report: &Value) -> &Vec<Value> {
    report["comparisons"][0]["findings"]
        .as_array()
        .expect("findings")
}

fn find<'a>(report: &'a Value, rule: &str, pointer: &str) -> &'a Value {
    findings(report)
        .iter()
        .find(|f| f["rule"] == rule && f["pointer"] == pointer)
        .unwrap_or_else(|| panic!("no {rule} at {pointer} in {report:#}"))
}

#[test]
fn v1_5_2_to_v1_6_0_adds_confirm_return() {
    let (code, report) = diff("e-financing@1.5.2", "e-financing@1.6.0");
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(
        report["comparisons"][0]["title"],
        "e-financing 1.5.2 → 1.6.0"
    );
    let added = find(
        &report,
        "operation-added",
        "/paths/~1subscriptions~1{creditSubscriptionId}~1_confirmReturn/post",
    );
    assert_eq!(added["class"], "non-breaking");
    assert_eq!(added["kind"], "added");
    assert_eq!(added["operation"]["id"], "doConfirmReturn");
    assert_eq!(added["operation"]["method"], "POST");
    assert_eq!(
        added["operation"]["path"],
        "/subscriptions/{creditSubscriptionId}/_confirmReturn"
    );
}

#[test]
fn v1_6_0_to_v1_6_6_length_limits_are_breaking_where_we_send_them() {
    let (code, report) = diff("e-financing@1.6.0", "e-financing@1.6.6");
    assert_eq!(code, 2);
    let street = find(
        &report,
        "request-constraint-tightened",
        "/components/schemas/Address/properties/streetName/maxLength",
    );
    assert_eq!(street["class"], "breaking");
    assert_eq!(street["schema"], "Address");
    assert_eq!(street["side"], "both");
    assert_eq!(street["after"], 140);
    let first_name = find(
        &report,
        "request-constraint-tightened",
        "/components/schemas/Contact/properties/firstName/maxLength",
    );
    assert_eq!(first_name["after"], 350);
    // What we receive is decoded without length checks (rule lenient_response_schemas), so a
    // raised limit only loosens what we may send.
    let city = find(
        &report,
        "request-constraint-loosened",
        "/components/schemas/Address/properties/cityName/maxLength",
    );
    assert_eq!(city["class"], "non-breaking");
    assert_eq!(
        (city["before"].clone(), city["after"].clone()),
        (32.into(), 140.into())
    );
    let title = find(
        &report,
        "request-property-made-required",
        "/components/schemas/Contact/properties/commonTitle",
    );
    assert_eq!(title["class"], "breaking");
    // More buyers are accepted, but the bound is part of the generated list type.
    let buyers = find(
        &report,
        "constraint-type-changed",
        "/components/schemas/InitiateCreditSubscriptionRequest/properties/buyers/maxItems",
    );
    assert_eq!(buyers["class"], "breaking");
    assert_eq!(buyers["effect"], "compile");
}

#[test]
fn v1_6_0_to_v1_6_6_constraints_whose_removal_deletes_a_newtype_are_breaking() {
    let (_, report) = diff("e-financing@1.6.0", "e-financing@1.6.6");
    for (pointer, newtype) in [
        (
            "/components/schemas/Contact/properties/email/pattern",
            "ContactEmail",
        ),
        (
            "/components/schemas/Contact/properties/mobilePhoneNumber/pattern",
            "ContactMobilePhoneNumber",
        ),
        (
            "/components/schemas/Contact/properties/phoneNumber/pattern",
            "ContactPhoneNumber",
        ),
        (
            "/components/schemas/Address/properties/streetNumberSuffix/maxLength",
            "AddressStreetNumberSuffix",
        ),
    ] {
        let f = findings(&report)
            .iter()
            .find(|f| f["pointer"] == pointer)
            .unwrap_or_else(|| panic!("no finding at {pointer}"));
        assert_eq!(f["class"], "breaking", "{f:#}");
        assert_eq!(f["effect"], "compile", "{f:#}");
        assert_eq!(f["kind"], "removed", "{f:#}");
        let reason = f["reason"].as_str().expect("reason");
        assert!(reason.contains(newtype), "{reason}");
        // A schema finding names the operations that use the schema.
        let users: Vec<&str> = f["used_by"]
            .as_array()
            .expect("used_by")
            .iter()
            .filter_map(|op| op["id"].as_str())
            .collect();
        assert!(users.contains(&"initiateCreditSubscription"), "{users:?}");
    }
}

#[test]
fn v1_4_0_to_v1_5_2_solution_code_losing_its_pattern_is_breaking() {
    let (_, report) = diff("e-financing@1.4.0", "e-financing@1.5.2");
    let removed: Vec<&Value> = findings(&report)
        .iter()
        .filter(|f| {
            f["pointer"]
                .as_str()
                .is_some_and(|p| p.contains("/properties/solutionCode/"))
                && f["effect"] == "compile"
        })
        .collect();
    assert!(!removed.is_empty(), "{report:#}");
    assert!(removed.iter().all(|f| f["class"] == "breaking"));
}

#[test]
fn v1_4_0_to_v1_5_2_dto_renames_are_renames() {
    let (code, report) = diff("e-financing@1.4.0", "e-financing@1.5.2");
    assert_eq!(code, 2);
    let renames: Vec<(String, String)> = findings(&report)
        .iter()
        .filter(|f| f["rule"] == "schema-renamed")
        .map(|f| {
            assert_eq!(f["class"], "breaking");
            (
                f["before"].as_str().expect("old name").to_string(),
                f["after"].as_str().expect("new name").to_string(),
            )
        })
        .collect();
    for pair in [
        ("CreditSubscription", "CreditSubscriptionDto"),
        (
            "CreditSubscriptionResponse",
            "CreditSubscriptionDtoResponse",
        ),
        (
            "PaginationCreditSubscriptionsResponse",
            "PaginationCreditSubscriptionsDtoResponse",
        ),
        ("CancellationResponse", "CreditCancellationResponse"),
    ] {
        assert!(
            renames.contains(&(pair.0.to_string(), pair.1.to_string())),
            "{pair:?} not in {renames:?}"
        );
    }
    // No add/remove noise for the renamed types, and no "success response changed" for the
    // operations that now answer with them.
    for f in findings(&report) {
        let named = [f["before"].clone(), f["after"].clone()];
        if f["rule"] == "schema-added" || f["rule"] == "schema-removed" {
            assert!(
                !named.iter().any(|n| n
                    .as_str()
                    .is_some_and(|s| s.contains("Dto") || s.contains("Cancellation"))),
                "{f:#}"
            );
        }
        assert_ne!(f["rule"], "success-response-schema-changed", "{f:#}");
    }
    // Differences inside a renamed type are still reported.
    let removed = find(
        &report,
        "response-property-removed",
        "/components/schemas/CreditSubscriptionResponse/properties/clientId",
    );
    assert_eq!(removed["class"], "breaking");
    let renamed_id = find(
        &report,
        "operation-id-changed",
        "/paths/~1_simulate-solutions/post/operationId",
    );
    assert_eq!(renamed_id["before"], "simulateSolution");
    assert_eq!(renamed_id["after"], "creditSimulation");
}

#[test]
fn files_compare_too_and_a_bad_file_exits_3() {
    let base = fixture("rules/base.yaml");
    let same = xtask(
        &[
            "spec-diff",
            base.to_str().expect("utf-8"),
            base.to_str().expect("utf-8"),
        ],
        &[],
    );
    assert_eq!(same.code, 0, "{}", same.stdout);
    assert!(same.stdout.contains("in-sync"), "{}", same.stdout);

    let bad = fixture("check/mis-indented.yaml");
    let run = xtask(
        &[
            "spec-diff",
            base.to_str().expect("utf-8"),
            bad.to_str().expect("utf-8"),
        ],
        &[],
    );
    assert_eq!(run.code, 3);
    assert!(
        run.stdout.contains("mis-indented.yaml:16:6"),
        "{}",
        run.stdout
    );

    let missing = xtask(
        &["spec-diff", "e-financing@1.6.6", "e-financing@0.0.1"],
        &[],
    );
    assert_eq!(missing.code, 3);
    assert!(missing.stdout.contains("missing"), "{}", missing.stdout);

    let usage = xtask(&["spec-diff", "e-financing@1.6.6"], &[]);
    assert_eq!(usage.code, 64);
}
