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

/// What "upstream" words look like in the fixture version, so none can slip into ours.
const UPSTREAM_WORDS: &str = "Upstream words: ";

/// Every description, summary and title below `node` in "upstream" words.
fn reword(node: &mut serde_json::Value) {
    match node {
        serde_json::Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                match (key.as_str(), value) {
                    ("description" | "summary" | "title", serde_json::Value::String(text)) => {
                        *text = format!("{UPSTREAM_WORDS}{text}");
                    }
                    (_, value) => reword(value),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(reword),
        _ => {}
    }
}

/// A fixture version 9.9.9 made from OUR newest files as upstream would publish them: its own
/// words, a new version number and server paths, and one new optional property.
fn fixture_version() -> (String, String) {
    let newest = newest_version();
    let specs = workspace().join("specs/e-financing").join(&newest);
    let bump = |file: &str, server: &str, to: &str| {
        let text = std::fs::read_to_string(specs.join(file)).expect("newest spec");
        assert!(text.contains(server), "server {server} not found");
        let text = text.replace(server, to);
        let mut doc = scalexpert_spec_engine::parse_str(&text, file)
            .expect("parses")
            .value;
        doc["info"]["version"] = serde_json::json!("9.9.9");
        reword(&mut doc);
        doc["components"]["schemas"]["Contact"]["properties"]["preferredLanguage"] = serde_json::json!({
            "type": "string",
            "description": format!("{UPSTREAM_WORDS}the language the buyer reads."),
            "example": "fr"
        });
        scalexpert_spec_engine::to_yaml(&doc, "upstream fixture").expect("yaml")
    };
    (
        bump("uatc.yaml", UATC_SERVER_V1, "/baas/uatc/e-financing/api/v9"),
        bump("prod.yaml", PROD_SERVER_V1, "/baas/prod/e-financing/api/v9"),
    )
}

/// A folder holding `uatc.yaml` and `prod.yaml` directly.
fn flat_source(uatc: &str, prod: &str) -> TempDir {
    let dir = TempDir::new().expect("tempdir");
    std::fs::write(dir.path().join("uatc.yaml"), uatc).expect("write");
    std::fs::write(dir.path().join("prod.yaml"), prod).expect("write");
    dir
}

/// The lock of [`small_root`]: 1.0.0's files as published (naming a new version follows it).
const SMALL_LOCK: &str = "# lock\n\n[[spec]]\npath = \"e-financing/1.0.0/uatc.yaml\"\nupstream = \"https://example.test/assets/swagger_e-financing_1.0.0-UATC.yaml\"\n\n[[spec]]\npath = \"e-financing/1.0.0/prod.yaml\"\nupstream = \"https://example.test/assets/swagger_e-financing_1.0.0-PROD.yaml\"\n";

/// A crate root with only e-financing 1.0.0 (the rule fixtures' base, in our words) and its
/// lock: a real, dependency-free crate, so spec-add's `cargo check` takes a second.
fn small_root() -> TempDir {
    let root = TempDir::new().expect("tempdir");
    let dir = root.path().join("specs/e-financing/1.0.0");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let base = std::fs::read_to_string(fixture("rules/base.yaml")).expect("base");
    std::fs::write(dir.join("uatc.yaml"), &base).expect("write");
    std::fs::write(dir.join("prod.yaml"), &base).expect("write");
    std::fs::write(root.path().join("specs/upstream.lock.toml"), SMALL_LOCK).expect("write");
    std::fs::create_dir_all(root.path().join("src")).expect("mkdir");
    std::fs::write(root.path().join("src/lib.rs"), "").expect("write");
    std::fs::write(
        root.path().join("Cargo.toml"),
        "[package]\nname = \"x\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n[workspace]\n\n[features]\ne-financing-1_0_0 = []\n",
    )
    .expect("write");
    root
}

/// What upstream publishes for `version`: the base's structure in upstream's own words.
fn upstream_words(version: &str) -> String {
    base_as(version)
        .replace(
            "A small API for the change classifier's tests.",
            "Upstream's own description of the order API, long enough to be noticed.",
        )
        .replace(
            "summary: Create an order",
            "summary: Upstream creates an order",
        )
        .replace(
            "description: What the client sends to create an order.",
            "description: Upstream explains at length what the client sends to create an order.",
        )
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
    lock == SMALL_LOCK && !manifest.contains("2_0_0") && versions == 1
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

#[test]
fn adds_upstream_structure_with_our_prose_and_marks_what_is_new() {
    let root = small_root();
    let upstream = upstream_words("2.0.0").replace(
        "        note: {type: string}\n",
        "        note: {type: string}\n        coupon: {type: string, description: \"Upstream's coupon code field, described in upstream words.\", example: UPSTREAM-COUPON}\n",
    );
    assert!(upstream.contains("coupon"), "fixture edit applies");
    let source = flat_source(&upstream, &upstream);
    let run = add(root.path(), "2.0.0", source.path().to_str().expect("utf-8"));
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);

    let dir = root.path().join("specs/e-financing/2.0.0");
    let written = std::fs::read_to_string(dir.join("uatc.yaml")).expect("uatc");
    assert!(
        !written.contains("Upstream") && !written.contains("UPSTREAM"),
        "{written}"
    );
    assert!(
        written.contains("A small API for the change classifier's tests."),
        "{written}"
    );
    assert!(written.contains("summary: Create an order"), "{written}");
    let doc = scalexpert_spec_engine::parse_str(&written, "uatc.yaml")
        .expect("parses")
        .value;
    assert_eq!(
        doc.pointer("/components/schemas/OrderRequest/properties/coupon"),
        Some(&serde_json::json!({"type": "string", "x-prose-todo": ["description", "example"]}))
    );
    let todo = scalexpert_spec_engine::carry::prose_todo(&doc);
    assert_eq!(todo.len(), 1, "{todo:?}");
    // Structure is upstream's, prose aside.
    let theirs = scalexpert_spec_engine::parse_str(&upstream, "up")
        .expect("parses")
        .value;
    assert!(scalexpert_spec_engine::structural_diff(&doc, &theirs).is_empty());

    // The report lists the one place, once for both environment files, and no exit code.
    assert!(
        run.stdout.contains("prose to write at 1 place(s)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("specs/e-financing/2.0.0/uatc.yaml /components/schemas/OrderRequest/properties/coupon: description, example (also in specs/e-financing/2.0.0/prod.yaml)"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("exit"), "{}", run.stdout);
    assert!(
        run.stdout.contains("request-property-added-optional"),
        "{}",
        run.stdout
    );

    // The lock records where Scalexpert publishes the files, by the naming of 1.0.0's.
    let lock = std::fs::read_to_string(root.path().join("specs/upstream.lock.toml")).expect("lock");
    assert!(
        lock.contains(
            "upstream = \"https://example.test/assets/swagger_e-financing_2.0.0-UATC.yaml\""
        ),
        "{lock}"
    );
    assert!(
        lock.contains(
            "upstream = \"https://example.test/assets/swagger_e-financing_2.0.0-PROD.yaml\""
        ),
        "{lock}"
    );
    assert!(!lock.contains(&*source.path().to_string_lossy()), "{lock}");
    assert!(lock.contains(&sha256(upstream.as_bytes())), "{lock}");

    // The changelog is current right away.
    let changelog =
        std::fs::read_to_string(xtask::changelog::file(root.path())).expect("changelog");
    assert_eq!(changelog, xtask::changelog::render(root.path()));
    assert!(
        changelog.contains("e-financing 1.0.0 → 2.0.0"),
        "{changelog}"
    );

    // spec-check finds the marker again.
    let check = xtask(
        &[
            "spec-check",
            "--root",
            root.path().to_str().expect("utf-8"),
            "--upstream",
            "/nowhere",
            "--format",
            "json",
        ],
        &[],
    );
    let listed = &check.json()["prose_to_write"];
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed:#}");
    assert_eq!(
        listed[0]["pointer"],
        "/components/schemas/OrderRequest/properties/coupon"
    );
}

#[test]
fn the_json_report_is_one_document_naming_the_places_to_write() {
    let root = small_root();
    let upstream = base_as("2.0.0").replace(
        "        note: {type: string}\n",
        "        note: {type: string}\n        coupon: {type: string}\n",
    );
    let source = flat_source(&upstream, &upstream);
    let run = xtask(
        &[
            "spec-add",
            "2.0.0",
            "--from",
            source.path().to_str().expect("utf-8"),
            "--format",
            "json",
            "--root",
            root.path().to_str().expect("utf-8"),
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let json = run.json();
    assert_eq!(json["exit_code"], 0);
    let places: Vec<&str> = json["prose_to_write"]
        .as_array()
        .expect("prose_to_write")
        .iter()
        .filter_map(|p| p["pointer"].as_str())
        .collect();
    assert_eq!(
        places,
        ["/components/schemas/OrderRequest/properties/coupon"]
    );
    assert!(
        run.stderr.contains("added e-financing 2.0.0"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_local_source_needs_a_published_url_when_the_lock_cannot_tell() {
    let root = small_root();
    std::fs::write(root.path().join("specs/upstream.lock.toml"), "# lock\n").expect("write");
    let source = flat_source(&base_as("2.0.0"), &base_as("2.0.0"));
    let from = source.path().to_str().expect("utf-8");
    let run = add(root.path(), "2.0.0", from);
    assert_eq!(run.code, 4, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("pass --url"), "{}", run.stderr);

    let run = xtask(
        &[
            "spec-add",
            "2.0.0",
            "--from",
            from,
            "--url",
            "https://cdn.example.test/swagger_e-financing_2.0.0_{env}.yaml",
            "--root",
            root.path().to_str().expect("utf-8"),
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let lock = std::fs::read_to_string(root.path().join("specs/upstream.lock.toml")).expect("lock");
    assert!(
        lock.contains("https://cdn.example.test/swagger_e-financing_2.0.0_uatc.yaml"),
        "{lock}"
    );
    assert!(
        lock.contains("https://cdn.example.test/swagger_e-financing_2.0.0_prod.yaml"),
        "{lock}"
    );
}

#[test]
fn a_family_s_first_version_compares_nothing_and_says_so() {
    let root = small_root();
    let lock = root.path().join("specs/upstream.lock.toml");
    let source = flat_source(&base_as("1.0.0"), &base_as("1.0.0"));
    let run = xtask(
        &[
            "spec-add",
            "1.0.0",
            "--api",
            "orders",
            "--from",
            source.path().to_str().expect("utf-8"),
            "--url",
            "https://example.test/orders-{ENV}.yaml",
            "--root",
            root.path().to_str().expect("utf-8"),
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("spec-add: not-compared"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("in-sync"), "{}", run.stdout);
    assert!(std::fs::read_to_string(lock)
        .expect("lock")
        .contains("orders-UATC.yaml"));
    assert!(root.path().join("specs/orders/1.0.0/uatc.yaml").is_file());
}

#[test]
fn help_is_an_answer_not_an_error() {
    for command in ["spec-add", "spec-check", "spec-diff", "changelog"] {
        let run = xtask(&[command, "--help"], &[]);
        assert_eq!(run.code, 0, "{command}: {}", run.stderr);
        assert!(run.stdout.contains("usage: cargo xtask"), "{}", run.stdout);
    }
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

    // The changes since the previous newest: the servers and the new property.
    assert!(
        run.stdout
            .contains(&format!("e-financing {} → 9.9.9", newest_version())),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("server-url-changed"), "{}", run.stdout);
    assert!(
        run.stdout.contains("request-property-added-optional"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("schema-"), "{}", run.stdout);
    assert!(
        run.stdout.contains(
            "/components/schemas/Contact/properties/preferredLanguage: description, example"
        ),
        "{}",
        run.stdout
    );
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

    // Upstream's structure with our words, the new place marked; recorded in the lock,
    // feature added, changelog regenerated.
    let dir = krate.join("specs/e-financing/9.9.9");
    for (file, source) in [("uatc.yaml", &uatc), ("prod.yaml", &prod)] {
        let written = std::fs::read_to_string(dir.join(file)).expect("written");
        assert!(
            !written.contains(UPSTREAM_WORDS),
            "{file} holds upstream words"
        );
        let ours = scalexpert_spec_engine::parse_str(&written, file)
            .expect("parses")
            .value;
        let theirs = scalexpert_spec_engine::parse_str(source, file)
            .expect("parses")
            .value;
        assert!(scalexpert_spec_engine::structural_diff(&ours, &theirs).is_empty());
        let todo: Vec<String> = scalexpert_spec_engine::carry::prose_todo(&ours)
            .into_iter()
            .map(|t| t.pointer)
            .collect();
        assert_eq!(
            todo,
            ["/components/schemas/Contact/properties/preferredLanguage"]
        );
    }
    let changelog = std::fs::read_to_string(xtask::changelog::file(&krate)).expect("changelog");
    assert_eq!(
        changelog,
        xtask::changelog::render(&krate),
        "changelog regenerated"
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
