//! The insurance curl walkthrough of `docs/sandbox.md` ("Insurance walkthrough with curl"), run
//! as it is written against two `scalexpert-sandbox` processes: the default one, and one started with
//! `--quote-lifetime 0` for the expired quotation.

use super::binary::start;
use std::process::Command;

/// The ```sh blocks of the walkthrough section of `docs/sandbox.md`, in order.
fn walkthrough() -> Vec<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/sandbox.md");
    let doc = std::fs::read_to_string(path).expect("docs/sandbox.md");
    let section = doc
        .split("\n## ")
        .find(|section| section.starts_with("Insurance walkthrough with curl"))
        .expect("the walkthrough section");
    let mut blocks = Vec::new();
    let mut rest = section;
    while let Some(start) = rest.find("```sh\n") {
        let body = &rest[start + "```sh\n".len()..];
        let end = body.find("\n```").expect("a closed block");
        blocks.push(body[..end].to_string());
        rest = &body[end + 4..];
    }
    blocks
}

#[test]
fn the_documented_insurance_flow_runs_and_an_expired_quotation_is_refused() {
    let blocks = walkthrough();
    assert_eq!(blocks.len(), 2, "the flow, then the expired quotation");
    let (_default, sandbox) = start(&[]);
    let (_expiring, expiring) = start(&["--quote-lifetime", "0"]);
    // One shell, as a reader runs both blocks one after the other.
    let script = format!("set -euo pipefail\n{}\n{}\n", blocks[0], blocks[1]);
    let output = Command::new("bash")
        .args(["-c", &script])
        .env("SANDBOX", &sandbox)
        .env("EXPIRING_SANDBOX", &expiring)
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "exit {:?}\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    let json = |line: &str| -> serde_json::Value {
        serde_json::from_str(line).unwrap_or_else(|e| panic!("{line:?}: {e}"))
    };
    // Step by step, what the comments under each command say.
    assert_eq!(lines[0], "CIFRWE-DXCO");
    let item = json(lines[1]);
    assert!(item["id"].is_string(), "{item}");
    let offers = json(lines[2]);
    let ids: Vec<_> = offers["insurances"]
        .as_array()
        .expect("offers")
        .iter()
        .map(|o| (o["id"].to_string(), o["price"].to_string()))
        .collect();
    assert_eq!(
        ids,
        [
            ("\"WEX-24M-2\"".to_string(), "59.9".to_string()),
            ("\"WEX-36M-2\"".to_string(), "84.9".to_string())
        ]
    );
    assert_eq!(
        offers["itemId"], item["id"],
        "the same item, registered twice"
    );
    let quote = json(lines[3]);
    assert_eq!(quote["insurancePrice"], 84.9);
    assert_eq!(json(lines[4])["consolidatedStatus"], "SUBSCRIBED");
    assert_eq!(&lines[5..9], ["1", "21.23", "204", "CANCELLED"]);
    // The expired quotation: the gateway's error shape, then the status.
    let refused = json(lines[9]);
    assert_eq!(refused["errorCode"], "QUOTE_EXPIRED");
    assert_eq!(refused["httpStatusCode"], 400);
    assert_eq!(refused["requestURI"], "/insurance/api/v1/subscriptions");
    assert_eq!(lines[10], "400");
    assert_eq!(lines.len(), 11, "{stdout}");
}
