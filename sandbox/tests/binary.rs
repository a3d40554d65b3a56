//! The `scalexpert-sandbox` binary, as another process or language uses it.

use scalexpert::{Client, Credentials, Environment, Error};
use scalexpert_sandbox::{InsuranceRules, InsuranceSolution, RuleTable};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

const BINARY: &str = env!("CARGO_BIN_EXE_scalexpert-sandbox");

/// The child process, stopped when dropped.
pub(crate) struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the binary on a free port and returns it with the URL it printed.
pub(crate) fn start(args: &[&str]) -> (Running, String) {
    let mut child = Command::new(BINARY)
        .args(["--port", "0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let running = Running(child);
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("first line");
    let url = line
        .trim()
        .strip_prefix("scalexpert-sandbox listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    (running, url)
}

fn client(url: &str, id: &str, secret: &str) -> Client {
    Client::builder()
        .environment(Environment::custom(url).expect("url"))
        .credentials(Credentials::new(id, secret))
        .build()
        .expect("client")
}

#[tokio::test]
async fn serves_the_api_with_the_credentials_it_was_given() {
    let (_running, url) = start(&["--client-id", "shop", "--client-secret", "s3cret"]);
    let solutions = client(&url, "shop", "s3cret")
        .e_financing_v1_7_1()
        .get_eligible_product_services()
        .buyer_billing_country("FR")
        .financed_amount(1500.0)
        .send()
        .await
        .expect("eligibility")
        .into_inner();
    assert_eq!(solutions.solutions.len(), 4);

    // Given credentials replace the default ones.
    let error = client(
        &url,
        scalexpert_sandbox::DEFAULT_CLIENT_ID,
        scalexpert_sandbox::DEFAULT_CLIENT_SECRET,
    )
    .e_financing_v1_7_1()
    .get_eligible_product_services()
    .buyer_billing_country("FR")
    .financed_amount(1500.0)
    .send()
    .await
    .map_err(Error::from)
    .expect_err("refused");
    assert!(matches!(error, Error::Auth(_)), "{error:?}");
}

#[tokio::test]
async fn reads_a_rule_table_file() {
    let rules = RuleTable::empty().with(scalexpert_sandbox::Product::split_payment(
        "SCFRSP-3XTS",
        "FR",
        3,
    ));
    let path = std::env::temp_dir().join(format!("sandbox-rules-{}.json", std::process::id()));
    std::fs::write(&path, serde_json::to_string(&rules).expect("json")).expect("written");
    let (_running, url) = start(&["--rules", path.to_str().expect("utf-8 path")]);
    let solutions = client(
        &url,
        scalexpert_sandbox::DEFAULT_CLIENT_ID,
        scalexpert_sandbox::DEFAULT_CLIENT_SECRET,
    )
    .e_financing_v1_7_1()
    .get_eligible_product_services()
    .buyer_billing_country("FR")
    .financed_amount(1500.0)
    .send()
    .await
    .expect("eligibility")
    .into_inner();
    let _ = std::fs::remove_file(&path);
    let codes: Vec<_> = solutions
        .solutions
        .iter()
        .map(|s| s.solution_code.as_str())
        .collect();
    assert_eq!(codes, ["SCFRSP-3XTS"]);
}

#[tokio::test]
async fn reads_an_insurance_rules_file() {
    let eur = |text: &str| text.parse::<scalexpert::Amount>().expect("amount");
    let rules = InsuranceRules::empty().with(
        InsuranceSolution::new("CIFRBS-DXCO", "FR", "BSC")
            .categories(&["Smartphones"])
            .band(eur("1"), eur("2000"), &[(1, eur("49"))]),
    );
    let path = std::env::temp_dir().join(format!("sandbox-insurance-{}.json", std::process::id()));
    std::fs::write(&path, serde_json::to_string(&rules).expect("json")).expect("written");
    let (_running, url) = start(&["--insurance-rules", path.to_str().expect("utf-8 path")]);
    let solutions = client(
        &url,
        scalexpert_sandbox::DEFAULT_CLIENT_ID,
        scalexpert_sandbox::DEFAULT_CLIENT_SECRET,
    )
    .insurance_v1_7_1()
    .get_eligible_product_services()
    .buyer_billing_country("FR")
    .send()
    .await
    .expect("eligibility")
    .into_inner();
    let _ = std::fs::remove_file(&path);
    let codes: Vec<_> = solutions
        .solutions
        .iter()
        .map(|s| s.solution_code.as_str())
        .collect();
    assert_eq!(codes, ["CIFRBS-DXCO"]);
}

#[test]
fn prints_help_rules_and_refuses_bad_arguments() {
    let output = Command::new(BINARY).arg("--help").output().expect("runs");
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for option in ["--client-secret", "--insurance-rules", "--quote-lifetime"] {
        assert!(help.contains(option), "{option} not in the help");
    }
    assert!(help.contains("insurance 1.7.1"), "{help}");

    let output = Command::new(BINARY)
        .arg("--print-rules")
        .output()
        .expect("runs");
    assert!(output.status.success());
    let printed =
        RuleTable::from_json(&String::from_utf8_lossy(&output.stdout)).expect("valid table");
    assert_eq!(printed, RuleTable::standard());

    let output = Command::new(BINARY)
        .arg("--print-insurance-rules")
        .output()
        .expect("runs");
    assert!(output.status.success());
    let printed =
        InsuranceRules::from_json(&String::from_utf8_lossy(&output.stdout)).expect("valid rules");
    assert_eq!(printed, InsuranceRules::standard());

    for args in [
        &["--port", "eighty"][..],
        &["--frobnicate"],
        &["--client-id", "only-the-id"],
        &["--rules", "/nonexistent/rules.json"],
        &["--insurance-rules", "/nonexistent/rules.json"],
        &["--quote-lifetime", "soon"],
    ] {
        let output = Command::new(BINARY).args(args).output().expect("runs");
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(!output.stderr.is_empty(), "{args:?}");
    }
}
