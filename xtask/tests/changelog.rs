//! `docs/api-changelog.md` is generated from the vendored specs and must be current.

mod common;

use common::workspace;

#[test]
fn the_changelog_is_current() {
    let root = workspace();
    let expected = xtask::changelog::render(&root);
    let current = std::fs::read_to_string(xtask::changelog::file(&root)).unwrap_or_default();
    assert!(
        current == expected,
        "docs/api-changelog.md is stale: run `cargo xtask changelog` and commit the result"
    );
}

/// The table row of the finding with `rule` whose where-cell mentions `place`.
fn row<'a>(changelog: &'a str, section: &str, rule: &str, place: &str) -> &'a str {
    let start = changelog
        .find(&format!("\n## e-financing {section}\n"))
        .unwrap_or_else(|| panic!("no section {section}"));
    let rest = &changelog[start + 1..];
    let end = rest[1..].find("\n## ").map_or(rest.len(), |i| i + 1);
    rest[..end]
        .lines()
        .find(|l| l.contains(&format!("`{rule}`")) && l.contains(place))
        .unwrap_or_else(|| panic!("no {rule} row for {place} in {section}"))
}

#[test]
fn the_changelog_classifies_the_known_milestones() {
    let changelog = xtask::changelog::render(&workspace());
    for (old, new) in [
        ("CreditSubscription`", "CreditSubscriptionDto`"),
        (
            "CreditSubscriptionResponse`",
            "CreditSubscriptionDtoResponse`",
        ),
        (
            "PaginationCreditSubscriptionsResponse`",
            "PaginationCreditSubscriptionsDtoResponse`",
        ),
    ] {
        let line = row(&changelog, "1.4.0 → 1.5.2", "schema-renamed", new);
        assert!(line.starts_with("| **breaking** ("), "{line}");
        assert!(line.contains(old), "{line}");
    }
    let confirm = row(
        &changelog,
        "1.5.2 → 1.6.0",
        "operation-added",
        "_confirmReturn",
    );
    assert!(confirm.starts_with("| non-breaking |"), "{confirm}");
    assert!(confirm.contains("`doConfirmReturn`"), "{confirm}");
    for field in [
        "streetName",
        "zipCode",
        "regionName",
        "countryCode",
        "firstName",
        "lastName",
    ] {
        let limit = row(
            &changelog,
            "1.6.0 → 1.6.6",
            "request-constraint-tightened",
            &format!("/properties/{field}/maxLength"),
        );
        assert!(limit.starts_with("| **breaking** ("), "{limit}");
    }
    let order: Vec<usize> = ["1.6.0 → 1.6.6", "1.5.2 → 1.6.0", "1.4.0 → 1.5.2"]
        .iter()
        .map(|s| {
            changelog
                .find(&format!("## e-financing {s}"))
                .expect("section")
        })
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "newest first");
}
