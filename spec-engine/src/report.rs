//! Reports: comparisons of spec documents and their findings, as text, markdown or JSON.
//!
//! Text is for people at a terminal, markdown for a pull-request comment or the generated
//! changelog, JSON for machines. The JSON field names are a contract (documented in
//! `docs/spec-drift.md`); [`JSON_FORMAT_VERSION`] changes if one ever has to change.

use crate::classify::{ChangeClass, Finding, OperationRef};
use crate::diff::DifferenceKind;
use serde::Serialize;
use serde_json::Value;
use std::fmt::Write as _;
use std::str::FromStr;

/// Version of the JSON report layout; bumped only when a field changes meaning or goes away.
pub const JSON_FORMAT_VERSION: u32 = 1;

/// Longest value shown in text and markdown before it is cut (JSON always has it whole).
const SHOWN_VALUE_CHARS: usize = 100;

/// An output format of the reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// For people at a terminal.
    Text,
    /// For a pull-request comment or a document.
    Markdown,
    /// For machines: see `docs/spec-drift.md`.
    Json,
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "text" => Ok(Format::Text),
            "markdown" | "md" => Ok(Format::Markdown),
            "json" => Ok(Format::Json),
            other => Err(format!(
                "unknown format {other:?}: expected text, markdown or json"
            )),
        }
    }
}

/// The outcome of one comparison, or of a whole report (the worst of its comparisons).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Compared: no structural difference (prose may differ).
    InSync,
    /// Deliberately not compared (a file derived from a sibling, with no upstream of its own).
    Unchanged,
    /// Nothing to compare (a family's first version, an empty tree).
    NotCompared,
    /// Nothing drifted, but upstream publishes a version newer than any we vendor.
    NewVersion,
    /// Structural differences, none breaking.
    NonBreaking,
    /// At least one breaking difference.
    Breaking,
    /// A document could not be fetched or parsed.
    Error,
}

impl Status {
    /// The process exit code of this status: 0 nothing to do, 1 something to vendor or review
    /// (non-breaking drift, a newer upstream version), 2 breaking drift, 3 error.
    pub fn exit_code(self) -> i32 {
        match self {
            Status::InSync | Status::Unchanged | Status::NotCompared => 0,
            Status::NonBreaking | Status::NewVersion => 1,
            Status::Breaking => 2,
            Status::Error => 3,
        }
    }

    /// As written in the JSON report.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::InSync => "in-sync",
            Status::Unchanged => "unchanged",
            Status::NotCompared => "not-compared",
            Status::NewVersion => "new-version",
            Status::NonBreaking => "non-breaking",
            Status::Breaking => "breaking",
            Status::Error => "error",
        }
    }
}

/// Why a comparison could not be made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComparisonError {
    /// The whole message, naming the file (and `line:column` for parse errors).
    pub message: String,
    /// The file or URL at fault.
    pub origin: Option<String>,
    /// 1-based line of a parse error.
    pub line: Option<usize>,
    /// 1-based column of a parse error.
    pub column: Option<usize>,
    /// For a file that parses but is no OpenAPI document: what it lacks (`openapi`,
    /// `info.version`, `paths`).
    pub missing: Vec<String>,
}

impl ComparisonError {
    /// An error with a message only.
    pub fn new(message: impl Into<String>, origin: Option<String>) -> Self {
        ComparisonError {
            message: message.into(),
            origin,
            line: None,
            column: None,
            missing: Vec::new(),
        }
    }
}

impl From<&crate::LoadError> for ComparisonError {
    fn from(error: &crate::LoadError) -> Self {
        match error {
            crate::LoadError::Syntax {
                origin,
                line,
                column,
                ..
            } => ComparisonError {
                line: *line,
                column: *column,
                ..ComparisonError::new(error.to_string(), Some(origin.clone()))
            },
            crate::LoadError::Io { path, .. } => {
                ComparisonError::new(error.to_string(), Some(path.display().to_string()))
            }
            crate::LoadError::NotOpenApi { origin, missing } => ComparisonError {
                missing: missing.iter().map(|m| m.to_string()).collect(),
                ..ComparisonError::new(error.to_string(), Some(origin.clone()))
            },
        }
    }
}

/// What came of comparing two documents.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// Compared; the findings (possibly none).
    Compared(Vec<Finding>),
    /// Compared, with a note (why the comparison was made anyway, say); the findings.
    ComparedWithNote(Vec<Finding>, String),
    /// Deliberately not compared, and why.
    Skipped(String),
    /// Could not compare.
    Failed(ComparisonError),
}

/// One comparison of an older and a newer document.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// What is compared, for headings (`e-financing/1.6.6/uatc.yaml`, `e-financing 1.6.0 → 1.6.6`).
    pub title: String,
    /// Where the older document came from.
    pub old: String,
    /// Where the newer document came from.
    pub new: String,
    /// The result.
    pub outcome: Outcome,
}

/// Number of findings per class.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Breaking findings.
    pub breaking: usize,
    /// Non-breaking findings.
    pub non_breaking: usize,
    /// Info findings.
    pub info: usize,
}

impl Counts {
    fn of(findings: &[Finding]) -> Counts {
        let mut counts = Counts::default();
        for finding in findings {
            match finding.class {
                ChangeClass::Breaking => counts.breaking += 1,
                ChangeClass::NonBreaking => counts.non_breaking += 1,
                ChangeClass::Info => counts.info += 1,
            }
        }
        counts
    }

    fn add(self, other: Counts) -> Counts {
        Counts {
            breaking: self.breaking + other.breaking,
            non_breaking: self.non_breaking + other.non_breaking,
            info: self.info + other.info,
        }
    }
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} breaking, {} non-breaking, {} info",
            self.breaking, self.non_breaking, self.info
        )
    }
}

impl Comparison {
    /// The findings, if the documents were compared.
    pub fn findings(&self) -> &[Finding] {
        match &self.outcome {
            Outcome::Compared(findings) | Outcome::ComparedWithNote(findings, _) => findings,
            _ => &[],
        }
    }

    /// The note of a skipped comparison, or of one compared with a note.
    pub fn note(&self) -> Option<&str> {
        match &self.outcome {
            Outcome::Skipped(note) | Outcome::ComparedWithNote(_, note) => Some(note),
            _ => None,
        }
    }

    /// Findings per class.
    pub fn counts(&self) -> Counts {
        Counts::of(self.findings())
    }

    /// The status this comparison contributes.
    pub fn status(&self) -> Status {
        match &self.outcome {
            Outcome::Skipped(_) => Status::Unchanged,
            Outcome::Failed(_) => Status::Error,
            Outcome::Compared(findings) | Outcome::ComparedWithNote(findings, _) => {
                let worst = findings.iter().map(|f| f.class.severity()).max();
                match worst {
                    Some(2) => Status::Breaking,
                    Some(1) => Status::NonBreaking,
                    _ => Status::InSync,
                }
            }
        }
    }
}

/// A version upstream publishes that is newer than every vendored version of its family.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewerVersion {
    /// The API family (`e-financing`).
    pub api: String,
    /// The upstream version (`1.7.2`).
    pub version: String,
    /// Our newest vendored version of the family.
    pub newest_vendored: String,
    /// The command that vendors it.
    pub command: String,
}

/// A place in a vendored spec where our own prose is still to be written (`x-prose-todo`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProseToWrite {
    /// The vendored file, relative to the crate root (`specs/e-financing/1.7.2/uatc.yaml`).
    pub file: String,
    /// JSON pointer of the object that needs prose.
    pub pointer: String,
    /// Which prose keys to write (`description`, `example`, …).
    pub keys: Vec<String>,
    /// The other environment files of the same version with the same marker (their prose is
    /// the same words).
    pub also_in: Vec<String>,
}

impl ProseToWrite {
    /// `markers` with the same place of a version's environment files listed once, under the
    /// first file (the layout's order), the others in `also_in`.
    pub fn grouped(markers: Vec<ProseToWrite>) -> Vec<ProseToWrite> {
        let folder = |file: &str| {
            file.rsplit_once('/')
                .map_or(String::new(), |(d, _)| d.to_string())
        };
        let mut out: Vec<ProseToWrite> = Vec::new();
        for marker in markers {
            let twin = out.iter_mut().find(|seen| {
                folder(&seen.file) == folder(&marker.file)
                    && seen.pointer == marker.pointer
                    && seen.keys == marker.keys
            });
            match twin {
                Some(seen) => seen.also_in.push(marker.file),
                None => out.push(marker),
            }
        }
        out
    }
}

/// The comparisons one command made, and what else it found.
#[derive(Debug, Clone)]
pub struct Report {
    /// The command that made it (`spec-check`, `spec-diff`, `spec-add`).
    pub command: String,
    /// Every comparison, in the order made.
    pub comparisons: Vec<Comparison>,
    /// Upstream versions newer than ours (spec-check).
    pub newer_upstream: Vec<NewerVersion>,
    /// Places whose prose is still to be written (spec-check, spec-add).
    pub prose_to_write: Vec<ProseToWrite>,
    /// Whether the process exit code follows the report's status. spec-add prints the changes
    /// since the previous version for information: it exits 0 when it added the version,
    /// whatever the changes are.
    pub status_is_exit_code: bool,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    format_version: u32,
    command: &'a str,
    status: Status,
    exit_code: i32,
    counts: Counts,
    comparisons: Vec<JsonComparison<'a>>,
    newer_upstream: &'a [NewerVersion],
    prose_to_write: &'a [ProseToWrite],
}

#[derive(Serialize)]
struct JsonComparison<'a> {
    title: &'a str,
    old: &'a str,
    new: &'a str,
    status: Status,
    note: Option<&'a str>,
    error: Option<&'a ComparisonError>,
    counts: Counts,
    findings: &'a [Finding],
}

impl Report {
    /// A report whose status is the command's exit code (spec-check, spec-diff).
    pub fn new(command: &str, comparisons: Vec<Comparison>) -> Report {
        Report {
            command: command.to_string(),
            comparisons,
            newer_upstream: Vec::new(),
            prose_to_write: Vec::new(),
            status_is_exit_code: true,
        }
    }

    /// A report printed for information by a command that succeeded (spec-add): exit 0.
    pub fn informational(command: &str, comparisons: Vec<Comparison>) -> Report {
        Report {
            status_is_exit_code: false,
            ..Report::new(command, comparisons)
        }
    }

    /// The worst status: an error outranks everything, then breaking drift, then non-breaking
    /// drift, then a newer upstream version; with nothing compared, `not-compared`.
    pub fn status(&self) -> Status {
        let statuses: Vec<Status> = self.comparisons.iter().map(Comparison::status).collect();
        for status in [Status::Error, Status::Breaking, Status::NonBreaking] {
            if statuses.contains(&status) {
                return status;
            }
        }
        if !self.newer_upstream.is_empty() {
            return Status::NewVersion;
        }
        if statuses.is_empty() {
            Status::NotCompared
        } else if statuses.iter().all(|s| *s == Status::Unchanged) {
            Status::Unchanged
        } else {
            Status::InSync
        }
    }

    /// The process exit code: 0 nothing to do, 1 non-breaking drift or a newer upstream
    /// version, 2 breaking drift, 3 error; always 0 for an informational report.
    pub fn exit_code(&self) -> i32 {
        if self.status_is_exit_code {
            self.status().exit_code()
        } else {
            0
        }
    }

    /// Findings per class over all comparisons.
    pub fn counts(&self) -> Counts {
        self.comparisons
            .iter()
            .fold(Counts::default(), |acc, c| acc.add(c.counts()))
    }

    /// Renders the report in `format`.
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Text => self.render_text(),
            Format::Markdown => self.render_markdown(),
            Format::Json => self.render_json(),
        }
    }

    /// The JSON report as a value (see `docs/spec-drift.md` for the fields).
    pub fn to_json(&self) -> Value {
        let report = JsonReport {
            format_version: JSON_FORMAT_VERSION,
            command: &self.command,
            status: self.status(),
            exit_code: self.exit_code(),
            counts: self.counts(),
            comparisons: self
                .comparisons
                .iter()
                .map(|c| JsonComparison {
                    title: &c.title,
                    old: &c.old,
                    new: &c.new,
                    status: c.status(),
                    note: c.note(),
                    error: match &c.outcome {
                        Outcome::Failed(error) => Some(error),
                        _ => None,
                    },
                    counts: c.counts(),
                    findings: c.findings(),
                })
                .collect(),
            newer_upstream: &self.newer_upstream,
            prose_to_write: &self.prose_to_write,
        };
        serde_json::to_value(report).unwrap_or(Value::Null)
    }

    /// Pretty-printed JSON with a final newline.
    pub fn render_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(&self.to_json()).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Plain text for a terminal.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        for comparison in &self.comparisons {
            let _ = writeln!(out, "{}: {}", self.command, comparison.title);
            let _ = writeln!(out, "  old: {}", comparison.old);
            let _ = writeln!(out, "  new: {}", comparison.new);
            match &comparison.outcome {
                Outcome::Skipped(note) => {
                    let _ = writeln!(out, "  unchanged: {note}");
                }
                Outcome::Failed(error) => {
                    let _ = writeln!(out, "  error: {}", error.message);
                }
                Outcome::Compared(findings) | Outcome::ComparedWithNote(findings, _) => {
                    if let Some(note) = comparison.note() {
                        let _ = writeln!(out, "  note: {note}");
                    }
                    let _ = writeln!(
                        out,
                        "  result: {} ({})",
                        comparison.status().as_str(),
                        comparison.counts()
                    );
                    for finding in findings {
                        let side = finding
                            .side
                            .map(|s| format!(" [{}]", s.as_str()))
                            .unwrap_or_default();
                        let effect = if finding.class == ChangeClass::Breaking {
                            format!(" ({})", effect_words(finding))
                        } else {
                            String::new()
                        };
                        let _ = writeln!(
                            out,
                            "\n  {:<12} {:<7} {}{effect}",
                            finding.class.as_str().to_uppercase(),
                            kind_str(finding.kind),
                            finding.rule
                        );
                        let _ = writeln!(out, "    where:  {}{side}", finding.location());
                        if !finding.used_by.is_empty() {
                            let _ = writeln!(out, "    used by: {}", users(&finding.used_by));
                        }
                        if finding.before.is_some() || finding.after.is_some() {
                            let _ = writeln!(
                                out,
                                "    change: {} → {}",
                                shown(finding.before.as_ref()),
                                shown(finding.after.as_ref())
                            );
                        }
                        let _ = writeln!(out, "    why:    {}", finding.reason);
                    }
                }
            }
            out.push('\n');
        }
        if !self.newer_upstream.is_empty() {
            let _ = writeln!(
                out,
                "{}: upstream publishes {} version(s) newer than ours",
                self.command,
                self.newer_upstream.len()
            );
            for newer in &self.newer_upstream {
                let _ = writeln!(
                    out,
                    "  {} {} (newest vendored: {})\n    {}",
                    newer.api, newer.version, newer.newest_vendored, newer.command
                );
            }
            out.push('\n');
        }
        if !self.prose_to_write.is_empty() {
            let _ = writeln!(
                out,
                "{}: prose to write at {} place(s) (marked x-prose-todo)",
                self.command,
                self.prose_to_write.len()
            );
            for todo in &self.prose_to_write {
                let also = if todo.also_in.is_empty() {
                    String::new()
                } else {
                    format!(" (also in {})", todo.also_in.join(", "))
                };
                let _ = writeln!(
                    out,
                    "  {} {}: {}{also}",
                    todo.file,
                    todo.pointer,
                    todo.keys.join(", ")
                );
            }
            out.push('\n');
        }
        let _ = write!(
            out,
            "{}: {} ({}",
            self.command,
            self.status().as_str(),
            self.counts()
        );
        if self.status_is_exit_code {
            let _ = write!(out, "; exit {}", self.exit_code());
        }
        out.push_str(")\n");
        out
    }

    /// Markdown for a pull-request comment.
    pub fn render_markdown(&self) -> String {
        let exit = if self.status_is_exit_code {
            format!(" (exit {})", self.exit_code())
        } else {
            String::new()
        };
        let mut out = format!(
            "## `{}`: {}\n\n{}{exit}\n",
            self.command,
            self.status().as_str(),
            self.counts(),
        );
        for comparison in &self.comparisons {
            out.push('\n');
            out.push_str(&comparison_markdown(comparison, 3));
        }
        if !self.newer_upstream.is_empty() {
            out.push_str("\n### Newer upstream versions\n\n| API | Version | Newest vendored | Command |\n|---|---|---|---|\n");
            for newer in &self.newer_upstream {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | `{}` |",
                    newer.api,
                    newer.version,
                    newer.newest_vendored,
                    md_cell(&newer.command)
                );
            }
        }
        if !self.prose_to_write.is_empty() {
            out.push_str("\n### Prose to write\n\n| File | Where | Keys |\n|---|---|---|\n");
            for todo in &self.prose_to_write {
                let files: Vec<String> = std::iter::once(&todo.file)
                    .chain(&todo.also_in)
                    .map(|f| format!("`{f}`"))
                    .collect();
                let _ = writeln!(
                    out,
                    "| {} | `{}` | {} |",
                    files.join("<br>"),
                    md_cell(&todo.pointer),
                    todo.keys.join(", ")
                );
            }
        }
        out
    }
}

/// One comparison as markdown, under a heading of `level` (`###` for 3).
pub fn comparison_markdown(comparison: &Comparison, level: usize) -> String {
    let mut out = String::new();
    let hashes = "#".repeat(level.clamp(1, 6));
    let _ = writeln!(out, "{hashes} {}\n", comparison.title);
    let _ = writeln!(out, "From `{}` to `{}`.\n", comparison.old, comparison.new);
    match &comparison.outcome {
        Outcome::Skipped(note) => {
            let _ = writeln!(out, "Unchanged: {note}.");
        }
        Outcome::Failed(error) => {
            let _ = writeln!(out, "**Error**: {}", md_cell(&error.message));
        }
        Outcome::Compared(findings) | Outcome::ComparedWithNote(findings, _) => {
            if let Some(note) = comparison.note() {
                let _ = writeln!(out, "{}\n", md_cell(note));
            }
            let _ = writeln!(
                out,
                "**{}**: {}.",
                comparison.status().as_str(),
                comparison.counts()
            );
            if !findings.is_empty() {
                out.push_str("\n| Class | Change | Where | Before | After | Why |\n");
                out.push_str("|---|---|---|---|---|---|\n");
                for finding in findings {
                    let place = match (&finding.operation, &finding.schema) {
                        (Some(op), _) => format!(
                            "{} (`{} {}`)<br>`{}`",
                            op.id
                                .as_deref()
                                .map_or_else(String::new, |id| format!("`{id}`")),
                            op.method,
                            op.path,
                            finding.pointer
                        ),
                        (None, Some(schema)) if finding.used_by.is_empty() => {
                            format!("`{schema}`<br>`{}`", finding.pointer)
                        }
                        (None, Some(schema)) => format!(
                            "`{schema}`<br>`{}`<br>used by {}",
                            finding.pointer,
                            finding
                                .used_by
                                .iter()
                                .map(|op| format!("`{}`", op_name(op)))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                        (None, None) if finding.pointer.is_empty() => "document".to_string(),
                        (None, None) => format!("`{}`", finding.pointer),
                    };
                    let side = finding
                        .side
                        .map(|s| format!(" ({})", s.as_str()))
                        .unwrap_or_default();
                    let class = if finding.class == ChangeClass::Breaking {
                        format!("**breaking** ({})", effect_words(finding))
                    } else {
                        finding.class.as_str().to_string()
                    };
                    let _ = writeln!(
                        out,
                        "| {} | {} `{}` | {}{} | {} | {} | {} |",
                        class,
                        kind_str(finding.kind),
                        finding.rule,
                        md_cell(&place),
                        side,
                        md_value(finding.before.as_ref()),
                        md_value(finding.after.as_ref()),
                        md_cell(&finding.reason)
                    );
                }
            }
        }
    }
    out
}

/// What a breaking finding breaks, in words.
fn effect_words(finding: &Finding) -> &'static str {
    match finding.effect {
        crate::classify::Effect::Compile => "compile",
        crate::classify::Effect::Runtime => "runtime",
        crate::classify::Effect::CompileAndRuntime => "compile, runtime",
        crate::classify::Effect::None => "none",
    }
}

/// An operation's method name source, or its method and path.
fn op_name(op: &OperationRef) -> String {
    op.id
        .clone()
        .unwrap_or_else(|| format!("{} {}", op.method, op.path))
}

/// The operations using a schema, for text output (at most a few, then a count).
fn users(ops: &[OperationRef]) -> String {
    const SHOWN: usize = 4;
    let mut names: Vec<String> = ops.iter().take(SHOWN).map(op_name).collect();
    if ops.len() > SHOWN {
        names.push(format!("and {} more", ops.len() - SHOWN));
    }
    names.join(", ")
}

fn kind_str(kind: DifferenceKind) -> &'static str {
    match kind {
        DifferenceKind::Added => "added",
        DifferenceKind::Removed => "removed",
        DifferenceKind::Changed => "changed",
    }
}

/// A value for text output: strings bare, anything else as compact JSON, long ones cut.
fn shown(value: Option<&Value>) -> String {
    let text = match value {
        None => "(absent)".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    cut(&text)
}

fn cut(text: &str) -> String {
    if text.chars().count() <= SHOWN_VALUE_CHARS {
        return text.to_string();
    }
    let mut short: String = text.chars().take(SHOWN_VALUE_CHARS - 1).collect();
    short.push('…');
    short
}

/// A value in a markdown table cell: code-formatted, pipes escaped.
fn md_value(value: Option<&Value>) -> String {
    match value {
        None => "–".to_string(),
        Some(_) => format!("`{}`", shown(value).replace('`', "'")).replace('|', "\\|"),
    }
}

/// Text safe in one markdown table cell.
fn md_cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::OperationRef;

    fn finding(class: ChangeClass) -> Finding {
        Finding {
            class,
            effect: if class == ChangeClass::Breaking {
                crate::classify::Effect::Runtime
            } else {
                crate::classify::Effect::None
            },
            kind: DifferenceKind::Changed,
            rule: "request-constraint-tightened".into(),
            operation: Some(OperationRef {
                id: Some("send".into()),
                method: "POST".into(),
                path: "/s".into(),
            }),
            schema: None,
            side: None,
            used_by: Vec::new(),
            pointer: "/paths/~1s/post/x".into(),
            before: Some(Value::from("^a|b$")),
            after: None,
            reason: "why".into(),
        }
    }

    fn report(outcomes: Vec<Outcome>) -> Report {
        Report::new(
            "spec-check",
            outcomes
                .into_iter()
                .map(|outcome| Comparison {
                    title: "t".into(),
                    old: "a".into(),
                    new: "b".into(),
                    outcome,
                })
                .collect(),
        )
    }

    #[test]
    fn exit_codes_follow_the_worst_comparison() {
        assert_eq!(report(vec![]).exit_code(), 0);
        assert_eq!(report(vec![]).status(), Status::NotCompared);
        let mut newer = report(vec![Outcome::Compared(vec![])]);
        newer.newer_upstream.push(NewerVersion {
            api: "e-financing".into(),
            version: "9.0.0".into(),
            newest_vendored: "1.0.0".into(),
            command: "cargo xtask spec-add 9.0.0".into(),
        });
        assert_eq!(newer.status(), Status::NewVersion);
        assert_eq!(newer.exit_code(), 1);
        assert_eq!(
            report(vec![Outcome::Skipped("same".into())]).status(),
            Status::Unchanged
        );
        let mixed = report(vec![
            Outcome::Compared(vec![finding(ChangeClass::NonBreaking)]),
            Outcome::Compared(vec![finding(ChangeClass::Info)]),
        ]);
        assert_eq!(mixed.exit_code(), 1);
        let breaking = report(vec![
            Outcome::Compared(vec![finding(ChangeClass::NonBreaking)]),
            Outcome::Compared(vec![finding(ChangeClass::Breaking)]),
        ]);
        assert_eq!(breaking.exit_code(), 2);
        let failed = report(vec![
            Outcome::Compared(vec![finding(ChangeClass::Breaking)]),
            Outcome::Failed(ComparisonError::new("x.yaml: gone", None)),
        ]);
        assert_eq!(failed.exit_code(), 3);
    }

    #[test]
    fn json_has_the_documented_fields() {
        let json = report(vec![Outcome::Compared(vec![finding(
            ChangeClass::Breaking,
        )])])
        .to_json();
        assert_eq!(json["format_version"], 1);
        assert_eq!(json["status"], "breaking");
        assert_eq!(json["exit_code"], 2);
        assert_eq!(json["counts"]["breaking"], 1);
        let f = &json["comparisons"][0]["findings"][0];
        assert_eq!(f["class"], "breaking");
        assert_eq!(f["kind"], "changed");
        assert_eq!(f["operation"]["id"], "send");
        assert_eq!(f["operation"]["method"], "POST");
        assert!(f["after"].is_null());
    }

    #[test]
    fn an_informational_report_never_claims_an_exit_code() {
        let mut added = report(vec![Outcome::Compared(vec![finding(
            ChangeClass::Breaking,
        )])]);
        added.status_is_exit_code = false;
        assert_eq!(added.exit_code(), 0);
        let text = added.render_text();
        assert!(
            text.ends_with("spec-check: breaking (1 breaking, 0 non-breaking, 0 info)\n"),
            "{text}"
        );
        assert!(!text.contains("exit"), "{text}");
        assert!(!added.render_markdown().contains("exit"));
        assert_eq!(added.to_json()["exit_code"], 0);
    }

    #[test]
    fn markdown_escapes_pipes() {
        let md = report(vec![Outcome::Compared(vec![finding(
            ChangeClass::Breaking,
        )])])
        .render_markdown();
        assert!(md.contains("`^a\\|b$`"), "{md}");
    }
}
