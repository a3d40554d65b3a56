//! The `scalexpert-sandbox` binary, as another process or language uses it.

use scalexpert::{Client, Credentials, Environment, Error};
use scalexpert_sandbox::{InsuranceRules, InsuranceSolution, RuleTable, ADMIN_TOKEN_HEADER};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const BINARY: &str = env!("CARGO_BIN_EXE_scalexpert-sandbox");

/// The child process, stopped when dropped.
pub struct Running {
    child: Child,
    /// What it printed as its admin token (none when one was given).
    pub admin_token: Option<String>,
    /// Its standard error so far, line by line.
    stderr: Arc<Mutex<Vec<String>>>,
}

impl Running {
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Waits (up to 20 s) until a line of standard error contains `text`; all lines so far.
    pub fn wait_for_log(&self, text: &str) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let lines = self.stderr.lock().expect("lines").clone();
            if lines.iter().any(|line| line.contains(text)) {
                return lines;
            }
            assert!(Instant::now() < deadline, "no {text:?} in {lines:#?}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the binary on a free port and returns it with the URL it printed.
pub fn start(args: &[&str]) -> (Running, String) {
    let mut child = Command::new(BINARY)
        .args(["--port", "0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let stderr = child.stderr.take().expect("stderr");
    let lines = Arc::new(Mutex::new(Vec::new()));
    let kept = Arc::clone(&lines);
    // Drained as it comes, so that logging never blocks the sandbox on a full pipe.
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            kept.lock().expect("lines").push(line);
        }
    });
    let mut running = Running {
        child,
        admin_token: None,
        stderr: lines,
    };
    let mut stdout = BufReader::new(stdout);
    let mut line = String::new();
    stdout.read_line(&mut line).expect("first line");
    let url = line
        .trim()
        .strip_prefix("scalexpert-sandbox listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    if !args.contains(&"--admin-token") {
        let mut line = String::new();
        stdout.read_line(&mut line).expect("second line");
        let token = line
            .trim()
            .strip_prefix("scalexpert-sandbox admin token ")
            .unwrap_or_else(|| panic!("unexpected second line {line:?}"));
        running.admin_token = Some(token.to_string());
    }
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
    for option in [
        "--client-secret",
        "--insurance-rules",
        "--quote-lifetime",
        "--quota",
        "--quota-window-secs",
        "--webhook-retries",
        "--webhook-retry-delay-ms",
        "--webhook-copies",
        "--admin-token",
        "--log-level",
    ] {
        assert!(help.contains(option), "{option} in {help}");
    }
    assert!(help.contains("in memory only"), "{help}");
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
        &["--log-level", "loud"],
        &["--quota", "-1"],
        &["--quota-window-secs", "0"],
        &["--webhook-copies", "0"],
        &["--webhook-retries", "many"],
        &["--admin-token", "short"],
    ] {
        let output = Command::new(BINARY).args(args).output().expect("runs");
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(!output.stderr.is_empty(), "{args:?}");
    }
}

#[tokio::test]
async fn the_printed_admin_token_opens_the_admin_endpoints_and_a_given_one_is_not_printed() {
    let (running, url) = start(&[]);
    let token = running.admin_token.clone().expect("printed");
    let http = reqwest::Client::new();
    let stats = format!("{url}/sandbox/admin/stats");
    let refused = http.get(&stats).send().await.expect("answer");
    assert_eq!(refused.status(), 401);
    let answer = http
        .get(&stats)
        .header(ADMIN_TOKEN_HEADER, &token)
        .send()
        .await
        .expect("answer");
    assert_eq!(answer.status(), 200);

    let (given, url) = start(&["--admin-token", "chosen-admin-token-123"]);
    assert_eq!(given.admin_token, None);
    let answer = http
        .get(format!("{url}/sandbox/admin/stats"))
        .header(ADMIN_TOKEN_HEADER, "chosen-admin-token-123")
        .send()
        .await
        .expect("answer");
    assert_eq!(answer.status(), 200);
}

#[tokio::test]
async fn requests_and_failed_deliveries_are_logged_without_secrets() {
    let (running, url) = start(&["--log-level", "info"]);
    let admin_token = running.admin_token.clone().expect("printed");
    let http = reqwest::Client::new();
    // Events of the merchant credentials go to a port nobody listens on.
    let answer = http
        .put(format!("{url}/sandbox/admin/webhooks"))
        .header(ADMIN_TOKEN_HEADER, &admin_token)
        .json(&serde_json::json!({
            "url": "http://127.0.0.1:9/hook?key=query-secret", "authMethod": "API_KEY",
            "secret": "webhook-secret-value"
        }))
        .send()
        .await
        .expect("answer");
    assert_eq!(answer.status(), 204);
    let client = client(
        &url,
        scalexpert_sandbox::DEFAULT_CLIENT_ID,
        scalexpert_sandbox::DEFAULT_CLIENT_SECRET,
    );
    let created = client
        .e_financing_v1_7_1()
        .initiate_credit_subscription()
        .language("fr-FR")
        .body(
            scalexpert_sandbox::sample_application("SCFRSP-4XTS", "ORDER-LOG", 300.0)
                .expect("sample"),
        )
        .send()
        .await
        .expect("created")
        .into_inner();
    let journey = created.redirect.and_then(|r| r.value).expect("journey");
    let lines = running.wait_for_log("sandbox webhook dropped");
    let log = lines.join("\n");
    assert!(log.contains("/e-financing/api/v1/subscriptions"), "{log}");
    assert!(log.contains("status=201"), "{log}");
    assert!(log.contains("sandbox webhook not delivered"), "{log}");
    let journey_token = journey.rsplit('/').next().expect("token");
    for secret in [
        scalexpert_sandbox::DEFAULT_CLIENT_SECRET,
        "webhook-secret-value",
        "query-secret",
        admin_token.as_str(),
        journey_token,
        "sbx_",
        // The sample buyer's data.
        "Claire",
        "Martin",
        "@example.com",
        "+33612345678",
        "République",
    ] {
        assert!(!log.contains(secret), "{secret:?} in {log}");
    }
}
