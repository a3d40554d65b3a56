//! Reports: comparisons of spec documents and their findings, as text, markdown or JSON.
//!
//! Text is for people at a terminal, markdown for a pull-request comment or the generated
//! changelog, JSON for machines. The JSON field names are a contract (documented in
//! `docs/spec-drift.md`); [`JSON_FORMAT_VERSION`] changes if one ever has to change.

use crate::classify::{ChangeClass, Finding};
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
    /// Not compared: the upstream bytes still hash to the recorded sha256.
    Unchanged,
    /// Structural differences, none breaking.
    NonBreaking,
    /// At least one breaking difference.
    Breaking,
    /// A document could not be fetched or parsed.
    Error,
}

impl Status {
    /// The process exit code of this status: 0 in sync, 1 non-breaking, 2 breaking, 3 error.
    pub fn exit_code(self) -> i32 {
        match self {
            Status::InSync | Status::Unchanged => 0,
            Status::NonBreaking => 1,
            Status::Breaking => 2,
            Status::Error => 3,
        }
    }

    /// As written in the JSON report.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::InSync => "in-sync",
            Status::Unchanged => "unchanged",
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
}

impl ComparisonError {
    /// An error with a message only.
    pub fn new(message: impl Into<String>, origin: Option<String>) -> Self {
        ComparisonError {
            message: message.into(),
            origin,
            line: None,
            column: None,
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
                message: error.to_string(),
                origin: Some(origin.clone()),
                line: *line,
                column: *column,
            },
            crate::LoadError::Io { path, .. } => ComparisonError {
                message: error.to_string(),
                origin: Some(path.display().to_string()),
                line: None,
                column: None,
            },
        }
    }
}

/// What came of comparing two documents.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// Compared; the findings (possibly none).
    Compared(Vec<Finding>),
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
            Outcome::Compared(findings) => findings,
            _ => &[],
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
            Outcome::Compared(findings) => {
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

/// The comparisons one command made.
#[derive(Debug, Clone)]
pub struct Report {
    /// The command that made it (`spec-check`, `spec-diff`, `spec-add`).
    pub command: String,
    /// Every comparison, in the order made.
    pub comparisons: Vec<Comparison>,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    format_version: u32,
    command: &'a str,
    status: Status,
    exit_code: i32,
    counts: Counts,
    comparisons: Vec<JsonComparison<'a>>,
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
    /// The worst status of all comparisons (an error outranks everything; no comparison is in sync).
    pub fn status(&self) -> Status {
        let statuses: Vec<Status> = self.comparisons.iter().map(Comparison::status).collect();
        for status in [Status::Error, Status::Breaking, Status::NonBreaking] {
            if statuses.contains(&status) {
                return status;
            }
        }
        if !statuses.is_empty() && statuses.iter().all(|s| *s == Status::Unchanged) {
            Status::Unchanged
        } else {
            Status::InSync
        }
    }

    /// The process exit code: 0 in sync, 1 non-breaking drift, 2 breaking drift, 3 error.
    pub fn exit_code(&self) -> i32 {
        self.status().exit_code()
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
                    note: match &c.outcome {
                        Outcome::Skipped(note) => Some(note),
                        _ => None,
                    },
                    error: match &c.outcome {
                        Outcome::Failed(error) => Some(error),
                        _ => None,
                    },
                    counts: c.counts(),
                    findings: c.findings(),
                })
                .collect(),
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
                Outcome::Compared(findings) => {
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
                        let _ = writeln!(
                            out,
                            "\n  {:<12} {:<7} {}",
                            finding.class.as_str().to_uppercase(),
                            kind_str(finding.kind),
                            finding.rule
                        );
                        let _ = writeln!(out, "    where:  {}{side}", finding.location());
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
        let _ = writeln!(
            out,
            "{}: {} ({}; exit {})",
            self.command,
            self.status().as_str(),
            self.counts(),
            self.exit_code()
        );
        out
    }

    /// Markdown for a pull-request comment.
    pub fn render_markdown(&self) -> String {
        let mut out = format!(
            "## `{}`: {}\n\n{} (exit {})\n",
            self.command,
            self.status().as_str(),
            self.counts(),
            self.exit_code()
        );
        for comparison in &self.comparisons {
            out.push('\n');
            out.push_str(&comparison_markdown(comparison, 3));
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
        Outcome::Compared(findings) => {
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
                        (None, Some(schema)) => {
                            format!("`{schema}`<br>`{}`", finding.pointer)
                        }
                        (None, None) if finding.pointer.is_empty() => "document".to_string(),
                        (None, None) => format!("`{}`", finding.pointer),
                    };
                    let side = finding
                        .side
                        .map(|s| format!(" ({})", s.as_str()))
                        .unwrap_or_default();
                    let _ = writeln!(
                        out,
                        "| {} | {} `{}` | {}{} | {} | {} | {} |",
                        if finding.class == ChangeClass::Breaking {
                            "**breaking**"
                        } else {
                            finding.class.as_str()
                        },
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
            kind: DifferenceKind::Changed,
            rule: "request-constraint-tightened".into(),
            operation: Some(OperationRef {
                id: Some("send".into()),
                method: "POST".into(),
                path: "/s".into(),
            }),
            schema: None,
            side: None,
            pointer: "/paths/~1s/post/x".into(),
            before: Some(Value::from("^a|b$")),
            after: None,
            reason: "why".into(),
        }
    }

    fn report(outcomes: Vec<Outcome>) -> Report {
        Report {
            command: "spec-check".into(),
            comparisons: outcomes
                .into_iter()
                .map(|outcome| Comparison {
                    title: "t".into(),
                    old: "a".into(),
                    new: "b".into(),
                    outcome,
                })
                .collect(),
        }
    }

    #[test]
    fn exit_codes_follow_the_worst_comparison() {
        assert_eq!(report(vec![]).exit_code(), 0);
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
    fn markdown_escapes_pipes() {
        let md = report(vec![Outcome::Compared(vec![finding(
            ChangeClass::Breaking,
        )])])
        .render_markdown();
        assert!(md.contains("`^a\\|b$`"), "{md}");
    }
}
