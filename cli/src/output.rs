//! What a command prints: its answer on standard output, as JSON (default) or tables.
//!
//! Answers can hold secrets of their own: a webhook configuration carries the receiver's
//! password, shared secret and signature key. Fields whose name says they are secret
//! ([`is_secret_field`]) print as `"[redacted]"` unless `--show-secrets` is given.

use comfy_table::{presets, Cell, ContentArrangement, Table};
use serde::Serialize;
use serde_json::{Map, Value};
use std::io::Write as _;

/// How answers are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Pretty-printed JSON, one document per answer (for `jq` and scripts).
    #[default]
    Json,
    /// Readable tables: one of field and value, then one per list of records.
    Table,
}

/// Prints answers; given to the generated commands as their `CliConfig`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Printer {
    /// The output format.
    pub format: Format,
    /// Print secret fields as they are instead of redacting them.
    pub show_secrets: bool,
    /// Print nothing (a call made only to prove it succeeds).
    pub quiet: bool,
}

/// What stands in for a secret value.
pub const REDACTED: &str = "[redacted]";

/// Whether a field of an answer holds a secret, judged by its name: `secret`, `password`,
/// `token` or `signature` in it (`authPassword`, `keyForSignature`, `secret`,
/// `access_token`), in any case.
pub fn is_secret_field(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ["secret", "password", "token", "signature"]
        .iter()
        .any(|word| name.contains(word))
}

/// `value` with every secret field (at any depth) replaced by [`REDACTED`]; nulls stay null.
pub fn redact_secrets(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, value)| {
                    let value = if is_secret_field(&key) && !value.is_null() {
                        Value::String(REDACTED.to_string())
                    } else {
                        redact_secrets(value)
                    };
                    (key, value)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(redact_secrets).collect()),
        other => other,
    }
}

impl Printer {
    /// Prints one answer.
    pub fn item<T: Serialize + ?Sized>(&self, value: &T) {
        if self.quiet {
            return;
        }
        let value = match serde_json::to_value(value) {
            Ok(value) => value,
            Err(e) => {
                eprintln!("error: cannot print the answer: {e}");
                return;
            }
        };
        let value = if self.show_secrets {
            value
        } else {
            redact_secrets(value)
        };
        let text = self.render(&value);
        let mut stdout = std::io::stdout().lock();
        // A closed pipe (`| head`) is not an error worth a panic.
        let _ = writeln!(stdout, "{text}");
    }

    /// Reports an answer without a body (a 204) on standard error: standard output stays
    /// empty, as the answer is.
    pub fn no_item(&self, status: reqwest::StatusCode) {
        if self.quiet {
            return;
        }
        eprintln!("done: {status}");
    }

    /// `value` as this printer's format writes it.
    pub fn render(&self, value: &Value) -> String {
        match self.format {
            Format::Json => {
                serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
            }
            Format::Table => tables(value),
        }
    }
}

/// A value as tables: its scalar fields (nested objects flattened as `a.b`) as one table of
/// field and value, then each list of objects as a table of its own under its field's name.
pub fn tables(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let mut fields = Vec::new();
            let mut lists = Vec::new();
            flatten("", map, &mut fields, &mut lists);
            let mut out = String::new();
            if !fields.is_empty() {
                let mut table = new_table();
                table.set_header(["field", "value"]);
                for (field, value) in fields {
                    table.add_row([Cell::new(field), Cell::new(value)]);
                }
                out.push_str(&table.to_string());
            }
            for (name, items) in lists {
                if !out.is_empty() {
                    out.push_str("\n\n");
                }
                out.push_str(&format!("{name} ({}):\n", items.len()));
                out.push_str(&records(items));
            }
            out
        }
        Value::Array(items) if items.iter().all(Value::is_object) && !items.is_empty() => {
            records(items)
        }
        other => scalar(other),
    }
}

/// Splits `map` into scalar fields (flattened) and lists of objects.
fn flatten<'a>(
    prefix: &str,
    map: &'a Map<String, Value>,
    fields: &mut Vec<(String, String)>,
    lists: &mut Vec<(String, &'a [Value])>,
) {
    for (key, value) in map {
        let name = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            Value::Object(inner) => flatten(&name, inner, fields, lists),
            Value::Array(items) if !items.is_empty() && items.iter().all(Value::is_object) => {
                lists.push((name, items));
            }
            other => fields.push((name, scalar(other))),
        }
    }
}

/// Records with more fields than this print one field-and-value table each: a table that
/// wide does not fit a terminal.
const MAX_COLUMNS: usize = 6;

/// A list of objects as one table: a column per field (flattened), in order of appearance; or,
/// when that would be wider than [`MAX_COLUMNS`], one table per record.
fn records(items: &[Value]) -> String {
    let rows: Vec<Vec<(String, String)>> = items
        .iter()
        .map(|item| {
            let mut fields = Vec::new();
            let mut lists = Vec::new();
            if let Value::Object(map) = item {
                flatten("", map, &mut fields, &mut lists);
            }
            // Nested lists stay in their cell, as compact JSON.
            fields.extend(
                lists
                    .into_iter()
                    .map(|(name, items)| (name, Value::from(items.to_vec()).to_string())),
            );
            fields
        })
        .collect();
    let mut columns: Vec<String> = Vec::new();
    for row in &rows {
        for (name, _) in row {
            if !columns.contains(name) {
                columns.push(name.clone());
            }
        }
    }
    if columns.len() > MAX_COLUMNS {
        return rows
            .into_iter()
            .enumerate()
            .map(|(i, row)| {
                let mut table = new_table();
                table.set_header(["field", format!("#{}", i + 1).as_str()]);
                for (field, value) in row {
                    table.add_row([Cell::new(field), Cell::new(value)]);
                }
                table.to_string()
            })
            .collect::<Vec<_>>()
            .join("\n");
    }
    let mut table = new_table();
    table.set_header(columns.iter().map(Cell::new));
    for row in rows {
        table.add_row(columns.iter().map(|column| {
            let value = row
                .iter()
                .find(|(name, _)| name == column)
                .map(|(_, value)| value.as_str())
                .unwrap_or("");
            Cell::new(value)
        }));
    }
    table.to_string()
}

fn new_table() -> Table {
    let mut table = Table::new();
    table
        .load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled);
    table
}

fn scalar(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secret_fields_are_redacted_at_any_depth_and_nulls_stay() {
        let answer = json!({
            "eventTypeCode": "SC_SUBSCRIPTION",
            "authPassword": "pw",
            "keyForSignature": "key",
            "secret": null,
            "nested": [{"access_token": "t", "url": "https://x"}],
        });
        assert_eq!(
            redact_secrets(answer),
            json!({
                "eventTypeCode": "SC_SUBSCRIPTION",
                "authPassword": REDACTED,
                "keyForSignature": REDACTED,
                "secret": null,
                "nested": [{"access_token": REDACTED, "url": "https://x"}],
            })
        );
    }

    #[test]
    fn tables_show_fields_then_each_list() {
        let text = tables(&json!({
            "totalItemCount": 2,
            "subscriptions": [
                {"creditSubscriptionId": "a", "consolidatedStatus": "ACCEPTED"},
                {"creditSubscriptionId": "b", "isDelivered": true},
            ],
        }));
        assert!(text.contains("totalItemCount"), "{text}");
        assert!(text.contains("subscriptions (2):"), "{text}");
        let header = text
            .lines()
            .find(|line| line.contains("creditSubscriptionId"))
            .expect("a header row");
        assert!(
            header.contains("consolidatedStatus") && header.contains("isDelivered"),
            "{text}"
        );
    }

    #[test]
    fn wide_records_print_one_table_each() {
        let record = json!({"a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "f": 6, "g": 7});
        let text = tables(&json!({"items": [record.clone(), record]}));
        assert!(text.contains("#1") && text.contains("#2"), "{text}");
    }

    #[test]
    fn nested_objects_flatten_into_dotted_fields() {
        let text = tables(&json!({"redirect": {"type": "url", "value": "https://pay"}}));
        assert!(text.contains("redirect.value"), "{text}");
        assert!(text.contains("https://pay"), "{text}");
    }
}
