//! The README's main job, `cargo run -p scalexpert-sandbox --example checkout`, run as a user
//! runs it (offline: no credentials in its environment): its output shows the credit accepted
//! and the warranty extension subscribed.

use std::path::PathBuf;
use std::process::Command;

/// The example's binary, next to this test's (`target/<profile>/examples/checkout`), built
/// first when the test run did not build examples.
fn checkout_binary() -> PathBuf {
    let test = std::env::current_exe().expect("the test binary");
    let profile = test
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>/deps");
    let binary = profile
        .join("examples")
        .join(format!("checkout{}", std::env::consts::EXE_SUFFIX));
    if !binary.exists() {
        let status = Command::new(env!("CARGO"))
            .args(["build", "-p", "scalexpert-sandbox", "--example", "checkout"])
            .status()
            .expect("cargo runs");
        assert!(status.success(), "the checkout example does not build");
    }
    binary
}

#[test]
fn the_checkout_sells_the_credit_and_the_warranty() {
    let output = Command::new(checkout_binary())
        .env_remove("SCALEXPERT_CLIENT_ID")
        .env_remove("SCALEXPERT_CLIENT_SECRET")
        .output()
        .expect("the example runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "exit {:?}\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let line = |start: &str| {
        stdout
            .lines()
            .map(str::trim)
            .find(|line| line.starts_with(start))
            .unwrap_or_else(|| panic!("no line starting with {start:?} in\n{stdout}"))
            .to_string()
    };
    assert!(stdout.contains("against the offline sandbox"), "{stdout}");
    assert_eq!(
        line("ACCEPTED"),
        "ACCEPTED (SUBSCRIPTION APPROVED BY PRODUCER)"
    );
    let quoted = line("the buyer adds");
    assert!(
        quoted.starts_with("the buyer adds WEX-36M-3 for 139.90 EUR"),
        "{quoted}"
    );
    let subscribed = line("warranty CIFRWE-DXCO subscribed:");
    for part in [
        "status SUBSCRIBED",
        "3 years on Electric city bike (1500.00 EUR)",
        "139.90 EUR paid by the buyer",
        "merchant commission 34.98 EUR",
    ] {
        assert!(subscribed.contains(part), "{part:?} not in {subscribed:?}");
    }
    assert!(line("Warranty ").ends_with(": SUBSCRIBED"), "{stdout}");
    assert_eq!(line("Checkout complete."), "Checkout complete.");
}
