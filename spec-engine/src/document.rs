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

/// Parses spec text (YAML, or JSON, which is YAML too). `origin` names it in errors.
pub fn parse_str(text: &str, origin: &str) -> Result<SpecDocument, LoadError> {
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

    #[test]
    fn integer_keys_become_strings() {
        let doc = parse_str("responses:\n  200:\n    description: ok\n", "t.yaml").expect("parses");
        assert!(doc.value["responses"]["200"].is_object());
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
