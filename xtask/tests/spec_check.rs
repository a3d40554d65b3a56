//! `cargo xtask spec-check`: exit codes 0/1/2/3 on a small crate root of our own, with upstream
//! read from a directory, from the lock's URLs on a loopback server, or from nowhere; newer
//! upstream versions, unreadable upstream files, and places whose prose is left to write.

mod common;

use common::{closed_port_url, fixture, serve, sha256, xtask, Reply};
use std::path::Path;
use tempfile::TempDir;

const SERVER: &str = "https://api.example.test/orders/v1";
const TOKEN: &str = "https://api.example.test/auth/token";

/// Our vendored UATC file: the rule fixtures' base document.
fn ours_uatc() -> String {
    std::fs::read_to_string(fixture("rules/base.yaml")).expect("base fixture")
}

/// The production twin of a UATC file: other server and token URLs.
fn prod_of(uatc: &str) -> String {
    uatc.replace(SERVER, "https://api.example.test/prod/orders/v1")
        .replace(TOKEN, "https://api.example.test/prod/auth/token")
}

/// What upstream publishes: our structure in its own words.
fn upstream_of(ours: &str) -> String {
    ours.replace(
        "A small API for the change classifier's tests.",
        "Upstream's own description of the order API.",
    )
    .replace("summary: Read an order", "summary: Fetch one order")
}

/// A crate root with e-financing 1.0.0 vendored, and a lock recording `recorded` (uatc, prod)
/// as the upstream bytes, published at `urls` (uatc, prod).
fn root_with_lock(recorded: (&str, &str), urls: (&str, &str)) -> TempDir {
    let root = TempDir::new().expect("tempdir");
    let dir = root.path().join("specs/e-financing/1.0.0");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join("uatc.yaml"), ours_uatc()).expect("write");
    std::fs::write(dir.join("prod.yaml"), prod_of(&ours_uatc())).expect("write");
    let lock = format!(
        "# test lock\n\n[[spec]]\npath = \"e-financing/1.0.0/prod.yaml\"\nupstream = \"{}\"\nsha256 = \"{}\"\n\n\
         [[spec]]\npath = \"e-financing/1.0.0/uatc.yaml\"\nupstream = \"{}\"\nsha256 = \"{}\"\n",
        urls.1,
        sha256(recorded.1.as_bytes()),
        urls.0,
        sha256(recorded.0.as_bytes()),
    );
    std::fs::write(root.path().join("specs/upstream.lock.toml"), lock).expect("write");
    root
}

/// The lock records today's upstream bytes (URLs unused: tests pass --upstream).
fn root() -> TempDir {
    let upstream = upstream_of(&ours_uatc());
    root_with_lock(
        (&upstream, &prod_of(&upstream)),
        (
            "http://unused.invalid/u.yaml",
            "http://unused.invalid/p.yaml",
        ),
    )
}

/// An upstream directory laid out like `specs/`, holding `uatc` and `prod` (when given).
fn upstream_dir(uatc: &str, prod: Option<&str>) -> TempDir {
    let dir = TempDir::new().expect("tempdir");
    let version = dir.path().join("e-financing/1.0.0");
    std::fs::create_dir_all(&version).expect("mkdir");
    std::fs::write(version.join("uatc.yaml"), uatc).expect("write");
    if let Some(prod) = prod {
        std::fs::write(version.join("prod.yaml"), prod).expect("write");
    }
    dir
}

/// The comparison of the file `e-financing/1.0.0/<env>.yaml` in a JSON report.
fn comparison<'a>(json: &'a serde_json::Value, env: &str) -> &'a serde_json::Value {
    let title = format!("e-financing/1.0.0/{env}.yaml");
    json["comparisons"]
        .as_array()
        .expect("comparisons")
        .iter()
        .find(|c| c["title"] == title.as_str())
        .unwrap_or_else(|| panic!("no comparison of {title} in {json:#}"))
}

fn check(root: &Path, upstream: &Path, format: &str) -> common::Run {
    xtask(
        &[
            "spec-check",
            "--root",
            root.to_str().expect("utf-8"),
            "--upstream",
            upstream.to_str().expect("utf-8"),
            "--format",
            format,
        ],
        &[],
    )
}

/// Today's upstream with the UATC file replaced by `uatc` (production stays as recorded).
fn drifted(uatc: &str) -> TempDir {
    let prod = prod_of(&upstream_of(&ours_uatc()));
    upstream_dir(uatc, Some(&prod))
}

#[test]
fn unchanged_upstream_bytes_are_compared_all_the_same() {
    let root = root();
    let upstream = upstream_of(&ours_uatc());
    let dir = upstream_dir(&upstream, Some(&prod_of(&upstream)));
    let run = check(root.path(), dir.path(), "json");
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let json = run.json();
    assert_eq!(json["status"], "in-sync");
    for comparison in json["comparisons"].as_array().expect("comparisons") {
        assert_eq!(comparison["status"], "in-sync");
        assert!(comparison["note"]
            .as_str()
            .expect("note")
            .contains("sha256"));
        assert_eq!(comparison["counts"]["breaking"], 0);
        assert_eq!(comparison["counts"]["non_breaking"], 0);
    }
    let text = check(root.path(), dir.path(), "text");
    assert!(
        text.stdout.contains("structure compared all the same"),
        "{}",
        text.stdout
    );
}

#[test]
fn our_own_structural_edit_shows_though_upstream_did_not_move() {
    let root = root();
    let ours = root.path().join("specs/e-financing/1.0.0/uatc.yaml");
    let edited = ours_uatc().replace(
        "reference: {type: string, maxLength: 32,",
        "reference: {type: string, maxLength: 30,",
    );
    assert_ne!(edited, ours_uatc());
    std::fs::write(&ours, edited).expect("write");
    let upstream = upstream_of(&ours_uatc());
    let dir = upstream_dir(&upstream, Some(&prod_of(&upstream)));
    let run = check(root.path(), dir.path(), "json");
    assert_eq!(run.code, 1, "{}", run.stdout);
    let json = run.json();
    let uatc = comparison(&json, "uatc");
    assert!(uatc["note"].as_str().expect("note").contains("sha256"));
    assert_eq!(
        uatc["findings"][0]["pointer"],
        "/components/schemas/OrderRequest/properties/reference/maxLength"
    );
}

#[test]
fn an_empty_or_truncated_upstream_is_unreadable_not_drift() {
    let root = root();
    let whole = upstream_of(&ours_uatc());
    let truncated = &whole[..whole.find("paths:").expect("paths")];
    for (text, missing) in [
        ("", vec!["openapi", "info.version", "paths"]),
        (truncated, vec!["paths"]),
    ] {
        let run = check(root.path(), drifted(text).path(), "json");
        assert_eq!(run.code, 3, "{}", run.stdout);
        let json = run.json();
        let error = &comparison(&json, "uatc")["error"];
        assert_eq!(error["missing"], serde_json::json!(missing), "{error}");
        let message = error["message"].as_str().expect("message");
        assert!(message.contains("e-financing/1.0.0/uatc.yaml"), "{message}");
        assert!(message.contains("not an OpenAPI document"), "{message}");
        assert_eq!(json["counts"]["breaking"], 0, "nothing taken for drift");
    }
}

#[test]
fn a_byte_order_mark_is_accepted() {
    let root = root();
    let upstream = format!("\u{feff}{}", upstream_of(&ours_uatc()));
    let run = check(root.path(), drifted(&upstream).path(), "json");
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(comparison(&run.json(), "uatc")["status"], "in-sync");
}

#[test]
fn newer_upstream_versions_are_listed_with_the_command_that_adds_them() {
    let root = root();
    let upstream = upstream_of(&ours_uatc());
    let dir = upstream_dir(&upstream, Some(&prod_of(&upstream)));
    for version in ["0.9.0", "1.1.0", "1.10.0"] {
        let newer = dir.path().join("e-financing").join(version);
        std::fs::create_dir_all(&newer).expect("mkdir");
        std::fs::write(newer.join("uatc.yaml"), &upstream).expect("write");
    }
    std::fs::create_dir_all(dir.path().join("auth/9.0.0")).expect("a family we do not vendor");
    let run = check(root.path(), dir.path(), "json");
    assert_eq!(run.code, 1, "{}", run.stdout);
    let json = run.json();
    assert_eq!(json["status"], "new-version");
    let dir_arg = dir.path().to_str().expect("utf-8");
    assert_eq!(
        json["newer_upstream"],
        serde_json::json!([
            {"api": "e-financing", "version": "1.1.0", "newest_vendored": "1.0.0",
             "command": format!("cargo xtask spec-add 1.1.0 --api e-financing --from {dir_arg}")},
            {"api": "e-financing", "version": "1.10.0", "newest_vendored": "1.0.0",
             "command": format!("cargo xtask spec-add 1.10.0 --api e-financing --from {dir_arg}")},
        ])
    );
    let text = check(root.path(), dir.path(), "text");
    assert!(
        text.stdout.contains(&format!(
            "cargo xtask spec-add 1.1.0 --api e-financing --from {dir_arg}"
        )),
        "{}",
        text.stdout
    );
    assert!(text.stdout.contains("exit 1"), "{}", text.stdout);
}

#[test]
fn newer_versions_come_from_the_published_file_list_online() {
    let upstream = upstream_of(&ours_uatc());
    let prod = prod_of(&upstream);
    let (base, _) = serve(vec![
        (
            ("GET", "/u.yaml".to_string()),
            Reply::ok("text/yaml", upstream.clone()),
        ),
        (
            ("GET", "/p.yaml".to_string()),
            Reply::ok("text/yaml", prod.clone()),
        ),
    ]);
    let listing = serde_json::json!([
        {"name": "swagger_e-financing_1.0.0-UATC.yaml", "download_url": format!("{base}/u.yaml")},
        {"name": "swagger_e-financing_1.2.0-UATC.yaml", "download_url": format!("{base}/new-u.yaml")},
        {"name": "swagger_e-financing_1.2.0-PROD.yaml", "download_url": format!("{base}/new-p.yaml")},
        {"name": "logo.png", "download_url": format!("{base}/logo.png")},
    ]);
    let (listed, _) = serve(vec![(
        ("GET", "/assets".to_string()),
        Reply::ok("application/json", listing.to_string()),
    )]);
    let root = root_with_lock(
        (&upstream, &prod),
        (&format!("{base}/u.yaml"), &format!("{base}/p.yaml")),
    );
    let lock = root.path().join("specs/upstream.lock.toml");
    let text = std::fs::read_to_string(&lock).expect("lock");
    std::fs::write(
        &lock,
        format!("[upstream]\nlisting = \"{listed}/assets\"\n\n{text}"),
    )
    .expect("write");
    let run = xtask(
        &[
            "spec-check",
            "--root",
            root.path().to_str().expect("utf-8"),
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
    let json = run.json();
    assert_eq!(json["newer_upstream"][0]["version"], "1.2.0");
    assert_eq!(
        json["newer_upstream"][0]["command"],
        format!("cargo xtask spec-add 1.2.0 --api e-financing --uatc {base}/new-u.yaml --prod {base}/new-p.yaml")
    );
    assert_eq!(json["newer_upstream"].as_array().map(Vec::len), Some(1));
}

#[test]
fn places_marked_for_prose_are_listed_without_failing_the_check() {
    let root = root();
    let ours = root.path().join("specs/e-financing/1.0.0/uatc.yaml");
    let marked = ours_uatc().replace(
        "        note: {type: string}\n",
        "        note: {type: string, x-prose-todo: [description]}\n",
    );
    assert_ne!(marked, ours_uatc());
    std::fs::write(&ours, marked).expect("write");
    let upstream = upstream_of(&ours_uatc());
    let run = check(root.path(), drifted(&upstream).path(), "json");
    assert_eq!(run.code, 0, "{}", run.stdout);
    let json = run.json();
    assert_eq!(
        json["prose_to_write"],
        serde_json::json!([{
            "file": "specs/e-financing/1.0.0/uatc.yaml",
            "pointer": "/components/schemas/OrderRequest/properties/note",
            "keys": ["description"],
            "also_in": []
        }])
    );
    let text = check(root.path(), drifted(&upstream).path(), "text");
    assert!(
        text.stdout.contains("prose to write at 1 place(s)"),
        "{}",
        text.stdout
    );
}

#[test]
fn prose_only_drift_is_in_sync_with_an_info_finding() {
    let root = root();
    let reworded = upstream_of(&ours_uatc()).replace("Created.", "The order was created.");
    let run = check(root.path(), drifted(&reworded).path(), "json");
    assert_eq!(run.code, 0, "{}", run.stdout);
    let json = run.json();
    assert_eq!(json["status"], "in-sync");
    let uatc = comparison(&json, "uatc");
    assert_eq!(uatc["title"], "e-financing/1.0.0/uatc.yaml");
    assert_eq!(uatc["status"], "in-sync");
    assert_eq!(uatc["findings"][0]["class"], "info");
    assert_eq!(uatc["findings"][0]["rule"], "prose-changed");
}

#[test]
fn non_breaking_drift_exits_1() {
    let root = root();
    let added =
        std::fs::read_to_string(fixture("rules/response-property-added.yaml")).expect("fixture");
    let run = check(root.path(), drifted(&added).path(), "json");
    assert_eq!(run.code, 1, "{}", run.stdout);
    let json = run.json();
    assert_eq!(json["status"], "non-breaking");
    assert_eq!(json["counts"]["breaking"], 0);
    let finding = &comparison(&json, "uatc")["findings"][0];
    assert_eq!(finding["rule"], "response-property-added");
    assert_eq!(
        finding["pointer"],
        "/components/schemas/Order/properties/createdAt"
    );
}

#[test]
fn breaking_drift_exits_2_and_names_the_place() {
    let root = root();
    let tightened =
        std::fs::read_to_string(fixture("rules/request-max-length-lowered.yaml")).expect("fixture");
    let run = check(root.path(), drifted(&tightened).path(), "json");
    assert_eq!(run.code, 2, "{}", run.stdout);
    let json = run.json();
    assert_eq!(json["exit_code"], 2);
    let finding = &comparison(&json, "uatc")["findings"][0];
    assert_eq!(finding["class"], "breaking");
    assert_eq!(finding["kind"], "changed");
    assert_eq!(finding["schema"], "OrderRequest");
    assert_eq!(finding["side"], "request");
    assert_eq!(
        finding["pointer"],
        "/components/schemas/OrderRequest/properties/reference/maxLength"
    );
    assert_eq!(finding["before"], 32);
    assert_eq!(finding["after"], 16);

    let markdown = check(root.path(), drifted(&tightened).path(), "markdown");
    assert_eq!(markdown.code, 2);
    assert!(markdown
        .stdout
        .contains("| Class | Change | Where | Before | After | Why |"));
    assert!(markdown.stdout.contains("`request-constraint-tightened`"));
    let text = check(root.path(), drifted(&tightened).path(), "text");
    assert!(text.stdout.contains("BREAKING"), "{}", text.stdout);
    assert!(text.stdout.contains("exit 2"), "{}", text.stdout);
}

#[test]
fn mis_indented_upstream_exits_3_with_line_and_column() {
    let root = root();
    let broken = std::fs::read_to_string(fixture("check/mis-indented.yaml")).expect("fixture");
    let dir = drifted(&broken);
    let run = check(root.path(), dir.path(), "json");
    assert_eq!(run.code, 3, "{}", run.stdout);
    let json = run.json();
    let error = &comparison(&json, "uatc")["error"];
    assert_eq!(error["line"], 16, "{error}");
    assert_eq!(error["column"], 6, "{error}");
    assert!(error["column"].as_u64().is_some(), "{error}");
    let message = error["message"].as_str().expect("message");
    assert!(
        message.contains("e-financing/1.0.0/uatc.yaml:16:6"),
        "{message}"
    );

    let text = check(root.path(), dir.path(), "text");
    assert_eq!(text.code, 3);
    assert!(text.stdout.contains("uatc.yaml:16:6"), "{}", text.stdout);
}

#[test]
fn missing_upstream_file_exits_3() {
    let root = root();
    let dir = upstream_dir(&upstream_of(&ours_uatc()), None);
    let run = check(root.path(), dir.path(), "text");
    assert_eq!(run.code, 3, "{}", run.stdout);
    assert!(run.stdout.contains("prod.yaml: missing"), "{}", run.stdout);
}

#[test]
fn unreachable_upstream_url_exits_3() {
    let base = closed_port_url();
    let upstream = upstream_of(&ours_uatc());
    let root = root_with_lock(
        (&upstream, &prod_of(&upstream)),
        (&format!("{base}/u.yaml"), &format!("{base}/p.yaml")),
    );
    let run = xtask(
        &["spec-check", "--root", root.path().to_str().expect("utf-8")],
        &[],
    );
    assert_eq!(run.code, 3, "{}", run.stdout);
    assert!(run.stdout.contains("unreachable"), "{}", run.stdout);
    assert!(
        run.stdout.contains(&format!("{base}/u.yaml")),
        "{}",
        run.stdout
    );
}

#[test]
fn fetches_the_lock_urls_and_base_urls_over_http() {
    let upstream = upstream_of(&ours_uatc());
    let prod = prod_of(&upstream);
    let removed =
        std::fs::read_to_string(fixture("rules/operation-removed.yaml")).expect("fixture");
    let (base, log) = serve(vec![
        (
            ("GET", "/u.yaml".to_string()),
            Reply::ok("text/yaml", upstream.clone()),
        ),
        (
            ("GET", "/p.yaml".to_string()),
            Reply::ok("text/yaml", prod.clone()),
        ),
        (
            ("GET", "/tree/e-financing/1.0.0/uatc.yaml".to_string()),
            Reply::ok("text/yaml", removed),
        ),
        (
            ("GET", "/tree/e-financing/1.0.0/prod.yaml".to_string()),
            Reply::ok("text/yaml", prod.clone()),
        ),
    ]);
    let root = root_with_lock(
        (&upstream, &prod),
        (&format!("{base}/u.yaml"), &format!("{base}/p.yaml")),
    );
    let root_arg = root.path().to_str().expect("utf-8");

    let run = xtask(&["spec-check", "--root", root_arg, "--format", "json"], &[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.json()["status"], "in-sync");

    let tree = format!("{base}/tree");
    let run = xtask(
        &[
            "spec-check",
            "--root",
            root_arg,
            "--upstream",
            &tree,
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(run.code, 2, "{}", run.stdout);
    let json = run.json();
    let finding = &comparison(&json, "uatc")["findings"][0];
    assert_eq!(finding["rule"], "operation-removed");
    assert_eq!(finding["operation"]["id"], "cancelOrder");
    assert_eq!(finding["operation"]["method"], "POST");
    assert_eq!(finding["operation"]["path"], "/orders/{orderId}/_cancel");
    let paths: Vec<String> = log
        .lock()
        .expect("log")
        .iter()
        .map(|s| s.path.clone())
        .collect();
    assert!(
        paths.contains(&"/tree/e-financing/1.0.0/uatc.yaml".to_string()),
        "{paths:?}"
    );
}

#[test]
fn derived_files_are_skipped_and_usage_errors_exit_64() {
    let root = root();
    let lock = root.path().join("specs/upstream.lock.toml");
    let mut text = std::fs::read_to_string(&lock).expect("lock");
    text = text.replace(
        "path = \"e-financing/1.0.0/prod.yaml\"\nupstream",
        "path = \"e-financing/1.0.0/prod.yaml\"\nderived_from = \"e-financing/1.0.0/uatc.yaml\"\nformer_upstream",
    );
    std::fs::write(&lock, text).expect("write");
    let upstream = upstream_of(&ours_uatc());
    let dir = upstream_dir(&upstream, None);
    let run = check(root.path(), dir.path(), "json");
    assert_eq!(run.code, 0, "{}", run.stdout);
    let json = run.json();
    let prod = comparison(&json, "prod");
    assert!(prod["note"]
        .as_str()
        .expect("note")
        .contains("derived from"));

    let run = xtask(&["spec-check", "--format", "yaml"], &[]);
    assert_eq!(run.code, 64);
    assert!(run.stderr.contains("unknown format"), "{}", run.stderr);
}
