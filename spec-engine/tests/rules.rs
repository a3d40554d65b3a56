//! One fixture pair per classification rule: `fixtures/rules/base.yaml` (older) against
//! `fixtures/rules/<rule>.yaml` (newer, one change). Each case lists every finding expected,
//! so a rule that fires in the wrong place, with the wrong class, or adds noise fails.

use scalexpert_spec_engine::{classify, load_file, ChangeClass, DifferenceKind, Effect, Finding};
use std::path::Path;
use ChangeClass::{Breaking, Info, NonBreaking};
use DifferenceKind::{Added, Changed, Removed};
use Effect::{Compile, CompileAndRuntime, Runtime};

/// class, effect, kind, rule, operation id or schema name ("" for neither), JSON pointer.
type Expected = (
    ChangeClass,
    Effect,
    DifferenceKind,
    &'static str,
    &'static str,
    &'static str,
);

struct Case {
    fixture: &'static str,
    expected: &'static [Expected],
}

const CASES: &[Case] = &[
    Case {
        // The response side of a shared schema is a relaxed copy whose enums are open.
        fixture: "both-sides-enum-value-added",
        expected: &[(
            NonBreaking,
            Effect::None,
            Added,
            "request-enum-value-added",
            "Address",
            "/components/schemas/Address/properties/kind/enum",
        )],
    },
    Case {
        fixture: "both-sides-stricter-class",
        expected: &[(
            Breaking,
            Runtime,
            Changed,
            "request-constraint-tightened",
            "Address",
            "/components/schemas/Address/properties/city/maxLength",
        )],
    },
    Case {
        // A loosened constraint that was the field's last: its newtype `LineSku` disappears.
        fixture: "constraint-type-changed",
        expected: &[(
            Breaking,
            Compile,
            Removed,
            "constraint-type-changed",
            "Line",
            "/components/schemas/Line/properties/sku/minLength",
        )],
    },
    Case {
        // More items accepted, but `BoundedVec<Line, Min<0>, Max<10>>` becomes `…Max<20>>`.
        fixture: "constraint-type-changed-list-bounds",
        expected: &[(
            Breaking,
            Compile,
            Changed,
            "constraint-type-changed",
            "OrderRequest",
            "/components/schemas/OrderRequest/properties/lines/maxItems",
        )],
    },
    Case {
        fixture: "error-response-known-schema",
        expected: &[(
            NonBreaking,
            Effect::None,
            Added,
            "error-response-added",
            "createOrder",
            "/paths/~1orders/post/responses/409",
        )],
    },
    Case {
        fixture: "error-response-new-schema",
        expected: &[(
            NonBreaking,
            Effect::None,
            Added,
            "error-response-new-schema",
            "getOrder",
            "/paths/~1orders~1{orderId}/get/responses/404",
        )],
    },
    Case {
        fixture: "format-changed-same-rust-type",
        expected: &[(
            NonBreaking,
            Effect::None,
            Changed,
            "format-changed",
            "OrderRequest",
            "/components/schemas/OrderRequest/properties/amount/format",
        )],
    },
    Case {
        fixture: "format-changed",
        expected: &[(
            Breaking,
            CompileAndRuntime,
            Changed,
            "format-changed",
            "Line",
            "/components/schemas/Line/properties/quantity/format",
        )],
    },
    Case {
        fixture: "nullable-required-field",
        expected: &[(
            Breaking,
            CompileAndRuntime,
            Changed,
            "nullable-changed",
            "Order",
            "/components/schemas/Order/properties/id/nullable",
        )],
    },
    Case {
        fixture: "operation-added",
        expected: &[(
            NonBreaking,
            Effect::None,
            Added,
            "operation-added",
            "listOrders",
            "/paths/~1orders/get",
        )],
    },
    Case {
        fixture: "operation-id-changed",
        expected: &[(
            Breaking,
            Compile,
            Changed,
            "operation-id-changed",
            "fetchOrder",
            "/paths/~1orders~1{orderId}/get/operationId",
        )],
    },
    Case {
        fixture: "operation-moved",
        expected: &[(
            Breaking,
            Runtime,
            Changed,
            "operation-moved",
            "cancelOrder",
            "/paths/~1orders~1{orderId}~1cancel/post",
        )],
    },
    Case {
        fixture: "operation-removed",
        expected: &[(
            Breaking,
            CompileAndRuntime,
            Removed,
            "operation-removed",
            "cancelOrder",
            "/paths/~1orders~1{orderId}~1_cancel/post",
        )],
    },
    Case {
        fixture: "parameter-added-optional",
        expected: &[(
            NonBreaking,
            Effect::None,
            Added,
            "parameter-added-optional",
            "createOrder",
            "/paths/~1orders/post/parameters/1",
        )],
    },
    Case {
        fixture: "parameter-added-required",
        expected: &[(
            Breaking,
            Runtime,
            Added,
            "parameter-added-required",
            "createOrder",
            "/paths/~1orders/post/parameters/1",
        )],
    },
    Case {
        fixture: "parameter-made-optional",
        expected: &[(
            NonBreaking,
            Effect::None,
            Changed,
            "parameter-made-optional",
            "getOrder",
            "/paths/~1orders~1{orderId}/get/parameters/1/required",
        )],
    },
    Case {
        fixture: "parameter-made-required",
        expected: &[(
            Breaking,
            Runtime,
            Changed,
            "parameter-made-required",
            "createOrder",
            "/paths/~1orders/post/parameters/0/required",
        )],
    },
    Case {
        fixture: "parameter-removed",
        expected: &[(
            Breaking,
            Compile,
            Removed,
            "parameter-removed",
            "createOrder",
            "/paths/~1orders/post/parameters/0",
        )],
    },
    Case {
        fixture: "parameter-type-changed",
        expected: &[(
            Breaking,
            CompileAndRuntime,
            Changed,
            "type-changed",
            "getOrder",
            "/paths/~1orders~1{orderId}/get/parameters/1/schema/type",
        )],
    },
    Case {
        fixture: "prose-only",
        expected: &[(Info, Effect::None, Changed, "prose-changed", "", "")],
    },
    Case {
        fixture: "request-body-schema-changed",
        expected: &[
            (
                Breaking,
                CompileAndRuntime,
                Changed,
                "request-body-schema-changed",
                "createOrder",
                "/paths/~1orders/post/requestBody/content/application~1json/schema",
            ),
            (
                // `Address` was sent (inside the old body) and received; now only received.
                Breaking,
                Compile,
                Changed,
                "schema-side-changed",
                "Address",
                "/components/schemas/Address",
            ),
        ],
    },
    Case {
        fixture: "request-constraint-loosened",
        expected: &[(
            NonBreaking,
            Effect::None,
            Changed,
            "request-constraint-loosened",
            "OrderRequest",
            "/components/schemas/OrderRequest/properties/reference/maxLength",
        )],
    },
    Case {
        fixture: "request-enum-value-added",
        expected: &[(
            NonBreaking,
            Effect::None,
            Added,
            "request-enum-value-added",
            "OrderRequest",
            "/components/schemas/OrderRequest/properties/title/enum",
        )],
    },
    Case {
        fixture: "request-enum-value-removed",
        expected: &[(
            Breaking,
            CompileAndRuntime,
            Removed,
            "request-enum-value-removed",
            "OrderRequest",
            "/components/schemas/OrderRequest/properties/title/enum",
        )],
    },
    Case {
        fixture: "request-max-items-lowered",
        expected: &[(
            Breaking,
            CompileAndRuntime,
            Changed,
            "request-constraint-tightened",
            "OrderRequest",
            "/components/schemas/OrderRequest/properties/lines/maxItems",
        )],
    },
    Case {
        fixture: "request-max-length-lowered",
        expected: &[(
            Breaking,
            Runtime,
            Changed,
            "request-constraint-tightened",
            "OrderRequest",
            "/components/schemas/OrderRequest/properties/reference/maxLength",
        )],
    },
    Case {
        fixture: "request-min-items-raised",
        expected: &[(
            Breaking,
            CompileAndRuntime,
            Added,
            "request-constraint-tightened",
            "OrderRequest",
            "/components/schemas/OrderRequest/properties/lines/minItems",
        )],
    },
    Case {
        fixture: "request-min-length-raised",
        expected: &[(
            Breaking,
            Runtime,
            Changed,
            "request-constraint-tightened",
            "Line",
            "/components/schemas/Line/properties/sku/minLength",
        )],
    },
    Case {
        fixture: "request-pattern-changed",
        expected: &[(
            Breaking,
            Runtime,
            Changed,
            "request-constraint-tightened",
            "OrderRequest",
            "/components/schemas/OrderRequest/properties/reference/pattern",
        )],
    },
    Case {
        fixture: "request-property-added-optional",
        expected: &[(
            Breaking,
            Compile,
            Added,
            "request-property-added-optional",
            "OrderRequest",
            "/components/schemas/OrderRequest/properties/coupon",
        )],
    },
    Case {
        fixture: "request-property-added-required",
        expected: &[(
            Breaking,
            CompileAndRuntime,
            Added,
            "request-property-added-required",
            "OrderRequest",
            "/components/schemas/OrderRequest/properties/currency",
        )],
    },
    Case {
        fixture: "request-property-made-optional",
        expected: &[(
            Breaking,
            Compile,
            Changed,
            "request-property-made-optional",
            "OrderRequest",
            "/components/schemas/OrderRequest/properties/amount",
        )],
    },
    Case {
        fixture: "request-property-made-required",
        expected: &[(
            Breaking,
            CompileAndRuntime,
            Changed,
            "request-property-made-required",
            "OrderRequest",
            "/components/schemas/OrderRequest/properties/note",
        )],
    },
    Case {
        fixture: "request-property-removed",
        expected: &[(
            Breaking,
            Compile,
            Removed,
            "request-property-removed",
            "OrderRequest",
            "/components/schemas/OrderRequest/properties/note",
        )],
    },
    Case {
        fixture: "response-constraint-loosened",
        expected: &[(
            NonBreaking,
            Effect::None,
            Changed,
            "response-constraint-loosened",
            "Order",
            "/components/schemas/Order/properties/label/maxLength",
        )],
    },
    Case {
        fixture: "response-constraint-tightened",
        expected: &[(
            NonBreaking,
            Effect::None,
            Changed,
            "response-constraint-tightened",
            "Order",
            "/components/schemas/Order/properties/label/maxLength",
        )],
    },
    Case {
        fixture: "response-enum-value-added-closed",
        expected: &[(
            Breaking,
            Runtime,
            Added,
            "response-enum-value-added-closed",
            "OrderState",
            "/components/schemas/OrderState/enum",
        )],
    },
    Case {
        fixture: "response-enum-value-added-open",
        expected: &[(
            NonBreaking,
            Effect::None,
            Added,
            "response-enum-value-added-open",
            "Order",
            "/components/schemas/Order/properties/status/enum",
        )],
    },
    Case {
        fixture: "response-property-added",
        expected: &[(
            NonBreaking,
            Effect::None,
            Added,
            "response-property-added",
            "Order",
            "/components/schemas/Order/properties/createdAt",
        )],
    },
    Case {
        fixture: "response-property-made-optional",
        expected: &[(
            Breaking,
            CompileAndRuntime,
            Changed,
            "response-property-made-optional",
            "Order",
            "/components/schemas/Order/properties/total",
        )],
    },
    Case {
        fixture: "response-property-removed",
        expected: &[(
            Breaking,
            Compile,
            Removed,
            "response-property-removed",
            "Order",
            "/components/schemas/Order/properties/comment",
        )],
    },
    Case {
        // `Address` is no longer sent: only received, it is generated relaxed, enums open.
        fixture: "schema-side-changed",
        expected: &[
            (
                Breaking,
                Compile,
                Removed,
                "request-property-removed",
                "OrderRequest",
                "/components/schemas/OrderRequest/properties/address",
            ),
            (
                Breaking,
                Compile,
                Changed,
                "schema-side-changed",
                "Address",
                "/components/schemas/Address",
            ),
        ],
    },
    Case {
        fixture: "schema-added",
        expected: &[(
            NonBreaking,
            Effect::None,
            Added,
            "schema-added",
            "Voucher",
            "/components/schemas/Voucher",
        )],
    },
    Case {
        fixture: "schema-removed",
        expected: &[(
            Breaking,
            Compile,
            Removed,
            "schema-removed",
            "Legacy",
            "/components/schemas/Legacy",
        )],
    },
    Case {
        fixture: "schema-renamed",
        expected: &[(
            Breaking,
            Compile,
            Changed,
            "schema-renamed",
            "DeliveryInfo",
            "/components/schemas/DeliveryInfo",
        )],
    },
    Case {
        fixture: "security-scope-changed",
        expected: &[
            (
                Breaking,
                Runtime,
                Changed,
                "security-scope-changed",
                "",
                "/security",
            ),
            (
                Breaking,
                Runtime,
                Removed,
                "security-scope-changed",
                "",
                "/components/securitySchemes/oauth/flows/clientCredentials/scopes/orders:rw",
            ),
            (
                Breaking,
                Runtime,
                Added,
                "security-scope-changed",
                "",
                "/components/securitySchemes/oauth/flows/clientCredentials/scopes/orders:write",
            ),
        ],
    },
    Case {
        fixture: "server-url-changed",
        expected: &[(
            Breaking,
            Runtime,
            Changed,
            "server-url-changed",
            "",
            "/servers",
        )],
    },
    Case {
        fixture: "success-response-changed",
        expected: &[(
            Breaking,
            CompileAndRuntime,
            Changed,
            "success-response-changed",
            "createOrder",
            "/paths/~1orders/post/responses/200",
        )],
    },
    Case {
        fixture: "success-response-schema-changed",
        expected: &[(
            Breaking,
            CompileAndRuntime,
            Changed,
            "success-response-schema-changed",
            "getOrder",
            "/paths/~1orders~1{orderId}/get/responses/200/content/application~1json/schema",
        )],
    },
    Case {
        fixture: "token-url-changed",
        expected: &[(
            Breaking,
            Runtime,
            Changed,
            "token-url-changed",
            "",
            "/components/securitySchemes/oauth/flows/clientCredentials/tokenUrl",
        )],
    },
    Case {
        fixture: "type-changed",
        expected: &[(
            Breaking,
            CompileAndRuntime,
            Changed,
            "type-changed",
            "Order",
            "/components/schemas/Order/properties/total/type",
        )],
    },
];

fn fixture(name: &str) -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/rules")
        .join(format!("{name}.yaml"));
    load_file(&path).expect("fixture parses").value
}

fn place(finding: &Finding) -> &str {
    match (&finding.operation, &finding.schema) {
        (Some(op), _) => op.id.as_deref().unwrap_or(""),
        (None, Some(schema)) => schema,
        (None, None) => "",
    }
}

#[test]
fn every_rule_fixture_is_classified_as_expected() {
    let base = fixture("base");
    let mut failures = Vec::new();
    for case in CASES {
        let findings: Vec<Finding> = classify(&base, &fixture(case.fixture))
            .into_iter()
            // The fixtures keep info.version; only the prose fixture expects prose findings.
            .filter(|f| f.rule != "version-changed")
            .filter(|f| f.rule != "prose-changed" || case.fixture == "prose-only")
            .collect();
        let matches = findings.len() == case.expected.len()
            && findings.iter().zip(case.expected).all(|(f, e)| {
                f.class == e.0
                    && f.effect == e.1
                    && f.kind == e.2
                    && f.rule == e.3
                    && place(f) == e.4
                    && f.pointer == e.5
            });
        if !matches {
            let shown: Vec<String> = findings
                .iter()
                .map(|f| {
                    format!(
                        "{:?} {:?} {:?} {} {} {}",
                        f.class,
                        f.effect,
                        f.kind,
                        f.rule,
                        place(f),
                        f.pointer
                    )
                })
                .collect();
            failures.push(format!("{}: got {shown:#?}", case.fixture));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_fixture_file_has_a_case() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules");
    for entry in std::fs::read_dir(dir).expect("fixture dir") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        let Some(stem) = name.strip_suffix(".yaml") else {
            continue;
        };
        assert!(
            stem == "base" || CASES.iter().any(|c| c.fixture == stem),
            "fixture {name} has no case"
        );
    }
}

#[test]
fn findings_carry_before_after_and_a_reason() {
    let findings = classify(&fixture("base"), &fixture("request-max-length-lowered"));
    let finding = findings
        .iter()
        .find(|f| f.rule == "request-constraint-tightened")
        .expect("finding");
    assert_eq!(finding.before, Some(serde_json::json!(32)));
    assert_eq!(finding.after, Some(serde_json::json!(16)));
    assert_eq!(finding.side, Some(scalexpert_spec_engine::Side::Request));
    assert!(
        finding.reason.contains("maxLength lowered"),
        "{}",
        finding.reason
    );
    assert!(!finding.reason.contains('\n'));
}

#[test]
fn a_rename_is_one_finding_not_an_addition_and_a_removal() {
    let findings = classify(&fixture("base"), &fixture("schema-renamed"));
    let renamed = findings
        .iter()
        .find(|f| f.rule == "schema-renamed")
        .expect("rename");
    assert_eq!(renamed.before, Some(serde_json::json!("Delivery")));
    assert_eq!(renamed.after, Some(serde_json::json!("DeliveryInfo")));
    assert!(
        renamed.reason.contains("`Delivery` is now `DeliveryInfo`"),
        "{}",
        renamed.reason
    );
    assert!(!findings
        .iter()
        .any(|f| f.rule == "schema-added" || f.rule == "schema-removed"));
}

#[test]
fn identical_documents_have_no_findings() {
    assert!(classify(&fixture("base"), &fixture("base")).is_empty());
}
