//! Loading a spec file into a JSON tree, with line and column on every parse error.

use serde_json::{Map, Number, Value};
use std::fmt;
use std::path::{Path, PathBuf};

/// A loaded OpenAPI document and the file it came from.
#[derive(Debug, Clone)]
pub struct SpecDocument {
    /// Where the document was read from (for messages only).
    pub origin: String,
    /// The document as a JSON tree. YAML mapping keys are always strings here.
    pub value: Value,
}

/// Why a document could not be loaded.
#[derive(Debug)]
pub enum LoadError {
    /// The file could not be read.
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The text parses, but is no OpenAPI document: it lacks what every one has (an empty
    /// or truncated file, another kind of YAML).
    NotOpenApi {
        /// Where the text came from (a path or a URL).
        origin: String,
        /// What is missing: `openapi`, `info.version`, `paths`.
        missing: Vec<&'static str>,
    },
    /// The text is not valid YAML (or JSON); `line` and `column` are 1-based.
    Syntax {
        /// Where the text came from (a path or a URL).
        origin: String,
        /// Line of the error, when the parser knows it.
        line: Option<usize>,
        /// Column of the error, when the parser knows it.
        column: Option<usize>,
        /// What the parser said.
        message: String,
    },
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Io { path, source } => {
                write!(f, "{}: cannot read: {source}", path.display())
            }
            LoadError::Syntax {
                origin,
                line: Some(line),
                column: Some(column),
                message,
            } => {
                write!(f, "{origin}:{line}:{column}: {message}")
            }
            LoadError::Syntax {
                origin, message, ..
            } => write!(f, "{origin}: {message}"),
            LoadError::NotOpenApi { origin, missing } => write!(
                f,
                "{origin}: not an OpenAPI document (empty or truncated?): no {}",
                missing.join(", no ")
            ),
        }
    }
}

impl std::error::Error for LoadError {}

/// Reads and parses a spec file.
pub fn load_file(path: &Path) -> Result<SpecDocument, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_str(&text, &path.display().to_string())
}

/// What every OpenAPI document has, as JSON pointers and as named in errors.
const REQUIRED: &[(&str, &str)] = &[
    ("/openapi", "openapi"),
    ("/info/version", "info.version"),
    ("/paths", "paths"),
];

/// Parses an OpenAPI document (YAML, or JSON, which is YAML too); `origin` names it in errors.
///
/// A leading UTF-8 byte order mark is skipped. Text that parses but lacks `openapi`,
/// `info.version` or `paths` is refused with [`LoadError::NotOpenApi`], so an empty or
/// truncated download is never taken for a document with no operations.
pub fn parse_str(text: &str, origin: &str) -> Result<SpecDocument, LoadError> {
    let doc = parse_yaml(text, origin)?;
    let missing: Vec<&'static str> = REQUIRED
        .iter()
        .filter(|(pointer, _)| doc.value.pointer(pointer).is_none_or(Value::is_null))
        .map(|(_, name)| *name)
        .collect();
    if !missing.is_empty() {
        return Err(LoadError::NotOpenApi {
            origin: origin.to_string(),
            missing,
        });
    }
    Ok(doc)
}

/// Parses YAML (or JSON) into a tree, whatever it describes; a leading byte order mark is
/// skipped.
pub fn parse_yaml(text: &str, origin: &str) -> Result<SpecDocument, LoadError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let yaml: serde_yaml_ng::Value = serde_yaml_ng::from_str(text).map_err(|error| {
        let location = error.location();
        let message = error.to_string();
        // serde_yaml_ng appends " at line L column C"; the location is reported separately.
        let message = match message.find(" at line ") {
            Some(cut) => message[..cut].to_string(),
            None => message,
        };
        LoadError::Syntax {
            origin: origin.to_string(),
            line: location.as_ref().map(|l| l.line()),
            column: location.as_ref().map(|l| l.column()),
            message,
        }
    })?;
    Ok(SpecDocument {
        origin: origin.to_string(),
        value: yaml_to_json(yaml),
    })
}

/// `doc` as YAML, keys in document order, after `header` (each line written as a comment).
pub fn to_yaml(doc: &Value, header: &str) -> Result<String, String> {
    let body = serde_yaml_ng::to_string(doc).map_err(|e| format!("cannot write YAML: {e}"))?;
    let mut out = String::new();
    for line in header.lines() {
        out.push_str("# ");
        out.push_str(line);
        out.push('\n');
    }
    out.push_str(&body);
    Ok(out)
}

/// YAML allows non-string keys (`200:` is an integer); OpenAPI means them as strings.
fn yaml_to_json(yaml: serde_yaml_ng::Value) -> Value {
    use serde_yaml_ng::Value as Y;
    match yaml {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::Number(i.into())
            } else if let Some(u) = n.as_u64() {
                Value::Number(u.into())
            } else {
                n.as_f64()
                    .and_then(Number::from_f64)
                    .map_or(Value::Null, Value::Number)
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(items.into_iter().map(yaml_to_json).collect()),
        Y::Mapping(map) => {
            let mut out = Map::new();
            for (key, value) in map {
                out.insert(key_to_string(key), yaml_to_json(value));
            }
            Value::Object(out)
        }
        Y::Tagged(tagged) => yaml_to_json(tagged.value),
    }
}

fn key_to_string(key: serde_yaml_ng::Value) -> String {
    use serde_yaml_ng::Value as Y;
    match key {
        Y::String(s) => s,
        Y::Bool(b) => b.to_string(),
        Y::Number(n) => n.to_string(),
        Y::Null => "null".to_string(),
        other => serde_yaml_ng::to_string(&other)
            .unwrap_or_default()
            .trim()
            .to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "openapi: 3.0.3\ninfo:\n  version: 1.0.0\npaths: {}\n";

    #[test]
    fn integer_keys_become_strings() {
        let doc =
            parse_yaml("responses:\n  200:\n    description: ok\n", "t.yaml").expect("parses");
        assert!(doc.value["responses"]["200"].is_object());
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        let doc = parse_str(&format!("\u{feff}{MINIMAL}"), "bom.yaml").expect("parses");
        assert_eq!(doc.value["info"]["version"], "1.0.0");
    }

    #[test]
    fn empty_truncated_or_foreign_text_is_no_document() {
        for (text, missing) in [
            ("", vec!["openapi", "info.version", "paths"]),
            (
                "openapi: 3.0.3\ninfo:\n  title: x\n",
                vec!["info.version", "paths"],
            ),
            ("a: 1\n", vec!["openapi", "info.version", "paths"]),
        ] {
            match parse_str(text, "up.yaml").expect_err("refused") {
                LoadError::NotOpenApi {
                    origin,
                    missing: got,
                } => {
                    assert_eq!(origin, "up.yaml");
                    assert_eq!(got, missing, "{text:?}");
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        let message = parse_str("", "up.yaml").expect_err("refused").to_string();
        assert_eq!(
            message,
            "up.yaml: not an OpenAPI document (empty or truncated?): no openapi, no info.version, no paths"
        );
        assert!(parse_str(MINIMAL, "ok.yaml").is_ok());
    }

    #[test]
    fn yaml_written_reads_back_the_same() {
        let doc = parse_str(
            "openapi: 3.0.3\ninfo:\n  version: 1.0.0\n  description: |\n    Two\n    lines.\npaths:\n  /x:\n    get:\n      responses:\n        200: {description: ok}\n",
            "in.yaml",
        )
        .expect("parses");
        let text = to_yaml(&doc.value, "Written by a test.\nTwo lines.").expect("writes");
        assert!(
            text.starts_with("# Written by a test.\n# Two lines.\nopenapi: 3.0.3\n"),
            "{text}"
        );
        assert_eq!(
            parse_str(&text, "out.yaml").expect("reads").value,
            doc.value
        );
    }

    #[test]
    fn syntax_errors_carry_line_and_column() {
        let err = parse_str("a:\n  b: 1\n c: 2\n", "bad.yaml").expect_err("mis-indented");
        match err {
            LoadError::Syntax { line, column, .. } => {
                assert_eq!(line, Some(3));
                assert!(column.is_some());
            }
            other => panic!("unexpected {other:?}"),
        }
        let text = parse_str("a:\n  b: 1\n c: 2\n", "bad.yaml")
            .expect_err("x")
            .to_string();
        assert!(text.starts_with("bad.yaml:3:"), "{text}");
    }
}
