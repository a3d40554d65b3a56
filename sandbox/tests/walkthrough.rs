//! The curl walkthrough of `docs/sandbox.md` runs against the binary, and the doc shows exactly
//! the commands that run: its shell blocks in the walkthrough section are `walkthrough.sh`.

use std::path::Path;
use std::process::Command;

const BEGIN: &str = "<!-- walkthrough:begin -->";
const END: &str = "<!-- walkthrough:end -->";
const MARKER: &str = "# --- walkthrough ---\n";

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The ```sh blocks between the walkthrough markers, joined.
fn doc_commands(doc: &str) -> String {
    let start = doc.find(BEGIN).expect("the walkthrough's begin marker");
    let end = doc.find(END).expect("the walkthrough's end marker");
    let section = &doc[start..end];
    let mut commands = String::new();
    let mut inside = false;
    for line in section.lines() {
        match (inside, line.trim_end()) {
            (false, "```sh") => inside = true,
            (true, "```") => inside = false,
            (true, _) => {
                commands.push_str(line);
                commands.push('\n');
            }
            _ => {}
        }
    }
    commands
}

#[test]
fn the_doc_shows_the_script_and_the_script_runs() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let script_path = manifest.join("tests/walkthrough.sh");
    let script = read(&script_path);
    let doc = read(&manifest.join("../docs/sandbox.md"));
    let (_, body) = script.split_once(MARKER).expect("the script's marker line");
    assert_eq!(
        doc_commands(&doc),
        body,
        "docs/sandbox.md's walkthrough and sandbox/tests/walkthrough.sh differ"
    );

    let (_running, url) = crate::binary::start(&["--log-level", "warn"]);
    let output = Command::new("bash")
        .arg(&script_path)
        .env("SANDBOX", &url)
        .output()
        .expect("bash runs (with curl and jq installed)");
    assert!(
        output.status.success(),
        "the walkthrough failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    // Each `jq -e` check printed its verdict.
    let verdicts = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        verdicts.lines().filter(|l| *l == "true").count(),
        7,
        "{verdicts}"
    );
}
