//! `cargo xtask spec-add`: refusals on a small root of our own, and the whole journey in a
//! temporary copy of the crate (the new module builds, and a program calls one of its
//! operations against a loopback server).
//!
//! The journey runs nested cargo builds, which take minutes on a cold target, so it is
//! `#[ignore]`d here and runs as its own step of `.ci/run`, printing each stage:
//! `cargo test -p xtask --test spec_add -- --ignored --nocapture`.

mod common;

use common::{closed_port_url, fixture, serve, sha256, workspace, xtask, Reply};
use std::path::{Path, PathBuf};
use tempfile::TempDir;

const UATC_SERVER_V1: &str = "/baas/uatc/e-financing/api/v1";
const PROD_SERVER_V1: &str = "/baas/prod/e-financing/api/v1";

/// The newest vendored e-financing version (whatever it is: spec-add may have added one).
fn newest_version() -> String {
    let layout = scalexpert_spec_engine::Layout::default();
    layout
        .versions(&workspace().join("specs"), "e-financing")
        .pop()
        .expect("an e-financing version is vendored")
        .version
}

/// A fixture version 9.9.9 made from OUR newest files: new version number, new server paths.
fn fixture_version() -> (String, String) {
    let newest = newest_version();
    let specs = workspace().join("specs/e-financing").join(&newest);
    let bump = |text: String, server: &str, to: &str| {
        let text = text.replace(&format!("  version: {newest}\n"), "  version: 9.9.9\n");
        assert!(
            text.contains("  version: 9.9.9\n"),
            "version line not found"
        );
        assert!(text.contains(server), "server {server} not found");
        text.replace(server, to)
    };
    let uatc = std::fs::read_to_string(specs.join("uatc.yaml")).expect("newest uatc");
    let prod = std::fs::read_to_string(specs.join("prod.yaml")).expect("newest prod");
    (
        bump(uatc, UATC_SERVER_V1, "/baas/uatc/e-financing/api/v9"),
        bump(prod, PROD_SERVER_V1, "/baas/prod/e-financing/api/v9"),
    )
}

/// A folder holding `uatc.yaml` and `prod.yaml` directly.
fn flat_source(uatc: &str, prod: &str) -> TempDir {
    let dir = TempDir::new().expect("tempdir");
    std::fs::write(dir.path().join("uatc.yaml"), uatc).expect("write");
    std::fs::write(dir.path().join("prod.yaml"), prod).expect("write");
    dir
}

/// A crate root with only e-financing 1.0.0 (the rule fixtures' base) and an empty lock.
fn small_root() -> TempDir {
    let root = TempDir::new().expect("tempdir");
    let dir = root.path().join("specs/e-financing/1.0.0");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let base = std::fs::read_to_string(fixture("rules/base.yaml")).expect("base");
    std::fs::write(dir.join("uatc.yaml"), &base).expect("write");
    std::fs::write(dir.join("prod.yaml"), &base).expect("write");
    std::fs::write(root.path().join("specs/upstream.lock.toml"), "# lock\n").expect("write");
    std::fs::write(
        root.path().join("Cargo.toml"),
        "[package]\nname = \"x\"\n\n[features]\ne-financing-1_0_0 = []\n",
    )
    .expect("write");
    root
}

fn add(root: &Path, version: &str, from: &str) -> common::Run {
    xtask(
        &[
            "spec-add",
            version,
            "--from",
            from,
            "--root",
            root.to_str().expect("utf-8"),
        ],
        &[],
    )
}

/// Whether `root` is still exactly as [`small_root`] made it.
fn untouched(root: &Path) -> bool {
    let lock = std::fs::read_to_string(root.join("specs/upstream.lock.toml")).expect("lock");
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).expect("manifest");
    let versions = std::fs::read_dir(root.join("specs/e-financing"))
        .expect("dir")
        .count();
    lock == "# lock\n" && !manifest.contains("2_0_0") && versions == 1
}

fn base_as(version: &str) -> String {
    std::fs::read_to_string(fixture("rules/base.yaml"))
        .expect("base")
        .replace("  version: 1.0.0\n", &format!("  version: {version}\n"))
}

#[test]
fn refuses_environment_files_that_differ_beyond_urls() {
    let root = small_root();
    let uatc = base_as("2.0.0");
    let prod = uatc.replace("maxLength: 32,", "maxLength: 33,");
    let source = flat_source(&uatc, &prod);
    let run = add(root.path(), "2.0.0", source.path().to_str().expect("utf-8"));
    assert_eq!(run.code, 4, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("/components/schemas/OrderRequest/properties/reference/maxLength"),
        "{}",
        run.stderr
    );
    assert!(untouched(root.path()));
}

#[test]
fn refuses_unparseable_files_with_line_and_column() {
    let root = small_root();
    let broken = std::fs::read_to_string(fixture("check/mis-indented.yaml")).expect("fixture");
    let source = flat_source(&broken, &broken);
    let run = add(root.path(), "2.0.0", source.path().to_str().expect("utf-8"));
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("uatc.yaml:16:6"), "{}", run.stderr);
    assert!(untouched(root.path()));
}

#[test]
fn refuses_a_version_mismatch_an_existing_version_and_a_dead_url() {
    let root = small_root();
    let source = flat_source(&base_as("2.0.1"), &base_as("2.0.1"));
    let run = add(root.path(), "2.0.0", source.path().to_str().expect("utf-8"));
    assert_eq!(run.code, 4);
    assert!(
        run.stderr.contains("info.version is 2.0.1, not 2.0.0"),
        "{}",
        run.stderr
    );

    let source = flat_source(&base_as("1.0.0"), &base_as("1.0.0"));
    let run = add(root.path(), "1.0.0", source.path().to_str().expect("utf-8"));
    assert_eq!(run.code, 4);
    assert!(run.stderr.contains("exists already"), "{}", run.stderr);

    let run = add(root.path(), "2.0.0", &closed_port_url());
    assert_eq!(run.code, 3);
    assert!(run.stderr.contains("unreachable"), "{}", run.stderr);

    let run = add(root.path(), "2.0", "/nowhere");
    assert_eq!(
        run.code, 3,
        "a missing folder is unreadable: {}",
        run.stderr
    );
    let run = add(root.path(), "v2", "/nowhere");
    assert_eq!(run.code, 64);
    assert!(untouched(root.path()));
}

/// Copies the crate (everything but build output and git data) to `to`.
fn copy_crate(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == ".git" || name == "target" || name.starts_with("target-") {
            continue;
        }
        let path = entry.path();
        let file_type = entry.file_type().expect("file type");
        if file_type.is_dir() {
            copy_crate(&path, &to.join(&name));
        } else if file_type.is_file() {
            std::fs::copy(&path, to.join(&name)).expect("copy");
        }
    }
}

/// The target dir this test was built in. Cargo releases its lock before running tests, so the
/// nested builds can share it: dependencies built with the same features (the generator stack,
/// the TLS library) are reused from the outer build and from earlier runs.
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test exe");
    // <target>/debug/deps/spec_add-<hash>
    exe.ancestors().nth(3).expect("target dir").to_path_buf()
}

/// A fixed place for the crate copy and the consumer (`<target>/spec-add-e2e`): a stable path
/// keeps the copy's package id stable, so reruns rebuild only what changed.
fn work_dir(target: &Path) -> PathBuf {
    let work = target.join("spec-add-e2e");
    if work.exists() {
        std::fs::remove_dir_all(&work).expect("clean the previous run");
    }
    std::fs::create_dir_all(&work).expect("mkdir");
    work
}

const CONSUMER_MANIFEST: &str = r#"[package]
name = "spec-add-consumer"
version = "0.0.0"
edition = "2021"
publish = false

[workspace]

[dependencies]
scalexpert = { path = "../crate", default-features = false, features = ["e-financing-9_9_9"] }
tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
"#;

const CONSUMER_MAIN: &str = r#"//! Calls one operation of the module spec-add generated, as a user would.
#[tokio::main]
async fn main() {
    let base = std::env::args().nth(1).expect("base URL argument");
    let client = scalexpert::Client::builder()
        .environment(scalexpert::Environment::custom(base).expect("base URL"))
        .credentials(scalexpert::Credentials::new("e2e-client", "e2e-secret"))
        .build()
        .expect("client");
    let list = client
        .e_financing_v9_9_9()
        .get_eligible_product_services()
        .buyer_billing_country("FR")
        .financed_amount(250.0)
        .send()
        .await
        .expect("eligible solutions");
    let codes: Vec<&str> = list.solutions.iter().map(|s| s.solution_code.as_str()).collect();
    println!("solutions: {}", codes.join(","));
}
"#;

const TOKEN: &str = r#"{"access_token": "e2e-token", "token_type": "Bearer", "expires_in": 3600}"#;
const SOLUTIONS: &str = r#"{"solutions": [{
    "solutionCode": "SCFRSP-4XTS", "familyCode": "SC", "marketCode": "FR", "conditions": "TS",
    "communicationKit": {"solutionCode": "SCFRSP-4XTS", "visualAdditionalInformation": "x",
                         "visualInformationIcon": "https://cdn.example.test/i.png"}
}]}"#;

/// Says what the journey is doing (shown with `--nocapture`, as `.ci/run` runs it).
fn stage(what: &str) {
    eprintln!("spec-add end to end: {what}");
}

#[test]
#[ignore = "nested cargo builds (minutes cold): .ci/run runs it as its own step"]
fn adds_a_version_that_builds_and_answers_calls() {
    let target = target_dir();
    stage(&format!(
        "copying the crate to {}",
        target.join("spec-add-e2e").display()
    ));
    let work = work_dir(&target);
    let krate = work.join("crate");
    copy_crate(&workspace(), &krate);
    let (uatc, prod) = fixture_version();
    let (base, _) = serve(vec![
        (
            ("GET", "/published/e-financing/9.9.9/uatc.yaml".to_string()),
            Reply::ok("application/yaml", uatc.clone()),
        ),
        (
            ("GET", "/published/e-financing/9.9.9/prod.yaml".to_string()),
            Reply::ok("application/yaml", prod.clone()),
        ),
    ]);
    let target_env = target.to_str().expect("utf-8");
    let from = format!("{base}/published");
    stage("running `xtask spec-add 9.9.9` (it runs `cargo check` of the new feature)");
    let run = common::xtask_showing_progress(
        &[
            "spec-add",
            "9.9.9",
            "--from",
            &from,
            "--root",
            krate.to_str().expect("utf-8"),
        ],
        &[("CARGO_TARGET_DIR", target_env)],
    );
    assert_eq!(
        run.code, 0,
        "stdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );

    // The changelog against the previous newest: only the servers (and the version) moved.
    assert!(
        run.stdout
            .contains(&format!("e-financing {} → 9.9.9", newest_version())),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("server-url-changed"), "{}", run.stdout);
    assert!(!run.stdout.contains("schema-"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("accessor `Client::e_financing_v9_9_9()`"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains("--features e-financing-9_9_9"),
        "{}",
        run.stderr
    );

    // Vendored byte for byte, recorded in the lock, feature added.
    let dir = krate.join("specs/e-financing/9.9.9");
    assert_eq!(
        std::fs::read_to_string(dir.join("uatc.yaml")).expect("uatc"),
        uatc
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("prod.yaml")).expect("prod"),
        prod
    );
    let lock = std::fs::read_to_string(krate.join("specs/upstream.lock.toml")).expect("lock");
    let original_lock =
        std::fs::read_to_string(workspace().join("specs/upstream.lock.toml")).expect("lock");
    assert!(lock.starts_with(&original_lock));
    assert!(lock.ends_with(&format!(
        "\n[[spec]]\npath = \"e-financing/9.9.9/uatc.yaml\"\nupstream = \"{from}/e-financing/9.9.9/uatc.yaml\"\nsha256 = \"{}\"\n\n\
         [[spec]]\npath = \"e-financing/9.9.9/prod.yaml\"\nupstream = \"{from}/e-financing/9.9.9/prod.yaml\"\nsha256 = \"{}\"\n",
        sha256(uatc.as_bytes()),
        sha256(prod.as_bytes())
    )), "{lock}");
    let manifest = std::fs::read_to_string(krate.join("Cargo.toml")).expect("manifest");
    let newest_feature = format!("e-financing-{}", newest_version().replace('.', "_"));
    assert!(
        manifest.contains(&format!(
            "\n{newest_feature} = []\ne-financing-9_9_9 = []\n"
        )),
        "{manifest}"
    );
    assert!(
        manifest.contains(&format!(
            "    \"{newest_feature}\",\n    \"e-financing-9_9_9\",\n"
        )),
        "{manifest}"
    );

    // A user of the new module: builds against the copy and calls one operation.
    let consumer = work.join("consumer");
    std::fs::create_dir_all(consumer.join("src")).expect("mkdir");
    std::fs::write(consumer.join("Cargo.toml"), CONSUMER_MANIFEST).expect("write");
    std::fs::write(consumer.join("src/main.rs"), CONSUMER_MAIN).expect("write");
    std::fs::copy(krate.join("Cargo.lock"), consumer.join("Cargo.lock")).expect("lock");
    let (api, log) = serve(vec![
        (
            ("POST", "/auth-server/api/v1/oauth2/token".to_string()),
            Reply::ok("application/json", TOKEN),
        ),
        (
            ("GET", "/e-financing/api/v9/eligible-solutions".to_string()),
            Reply::ok("application/json", SOLUTIONS),
        ),
    ]);
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    stage("building and running a program that calls the new module");
    let output = std::process::Command::new(cargo)
        .args(["run", "--manifest-path"])
        .arg(consumer.join("Cargo.toml"))
        .arg("--")
        .arg(&api)
        .env("CARGO_TARGET_DIR", &target)
        // cargo's progress goes straight to the terminal; the program's answer is read.
        .stderr(std::process::Stdio::inherit())
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "consumer failed:\n{stdout}");
    assert!(stdout.contains("solutions: SCFRSP-4XTS"), "{stdout}");
    let seen = log.lock().expect("log").clone();
    let call = seen
        .iter()
        .find(|s| s.path == "/e-financing/api/v9/eligible-solutions")
        .expect("the operation was called on the new version's path");
    assert!(call
        .headers
        .iter()
        .any(|(k, v)| k == "authorization" && v == "Bearer e2e-token"));
}
