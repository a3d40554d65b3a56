//! Keeping credentials and buyers' data out of error messages and logs.
//!
//! A server may echo what it was sent (an error page listing the request headers, a 401 body
//! quoting the token), and decoding errors quote the value that failed. Every message the
//! facade builds from a body goes through here first.

use secrecy::{ExposeSecret, SecretString};
use std::fmt::Write;

/// How much of a body error messages keep.
pub(crate) const EXCERPT_CHARS: usize = 300;

/// The start of a body, as text, for messages.
pub(crate) fn excerpt(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out: String = text.chars().take(EXCERPT_CHARS).collect();
    if text.chars().count() > EXCERPT_CHARS {
        out.push('…');
    }
    out
}

/// What stands in for a removed credential.
const REDACTED: &str = "[redacted]";

/// The credential forms one client sends: the secret, and the `Basic` value made from it.
pub(crate) struct Redactor {
    forms: Vec<SecretString>,
}

impl Redactor {
    /// `secret` as configured; `basic` the base64 `client_id:secret` of the `Basic` header.
    pub(crate) fn new(secret: &str, basic: &str) -> Self {
        let mut forms: Vec<String> = vec![basic.to_string(), secret.to_string()];
        // Echoed inside JSON, a secret with quotes or backslashes is escaped, and some
        // encoders escape slashes too.
        if let Ok(quoted) = serde_json::to_string(secret) {
            let inner = &quoted[1..quoted.len() - 1];
            forms.push(inner.replace('/', "\\/"));
            forms.push(inner.to_string());
        }
        forms.retain(|form| !form.is_empty());
        forms.sort();
        forms.dedup();
        // Longest first, so that no shorter form leaves part of a longer one behind.
        forms.sort_by_key(|form| std::cmp::Reverse(form.len()));
        Redactor {
            forms: forms.into_iter().map(SecretString::from).collect(),
        }
    }

    /// `text` without any form of the credentials, nor `bearer` (the token sent with the
    /// call, if any), nor whatever follows a `Basic` or `Bearer` scheme name.
    pub(crate) fn scrub(&self, text: &str, bearer: Option<&str>) -> String {
        let mut text = text.to_string();
        let bearer = bearer.filter(|token| !token.is_empty());
        for form in self
            .forms
            .iter()
            .map(|form| form.expose_secret())
            .chain(bearer)
        {
            if !text.contains(form) {
                continue;
            }
            text = if form.len() >= SUBSTRING_MIN {
                text.replace(form, REDACTED)
            } else {
                replace_standalone(&text, form)
            };
        }
        mask_schemes(&text)
    }
}

/// Credentials at least this long are removed wherever they appear; shorter ones (a test
/// gateway's token `t`) only where they stand alone, or every such letter would go.
const SUBSTRING_MIN: usize = 8;

/// Whether `b` continues a credential (base64, base64url) rather than ending a word.
fn credential_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-_+/".contains(&b)
}

/// `text` with the occurrences of `form` that no other credential character touches replaced.
fn replace_standalone(text: &str, form: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (start, _) in text.match_indices(form) {
        let end = start + form.len();
        let before = start.checked_sub(1).map(|i| bytes[i]);
        let after = bytes.get(end).copied();
        if start < copied
            || before.is_some_and(credential_byte)
            || after.is_some_and(credential_byte)
        {
            continue;
        }
        out.push_str(&text[copied..start]);
        out.push_str(REDACTED);
        copied = end;
    }
    out.push_str(&text[copied..]);
    out
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Redactor([redacted])")
    }
}

/// Replaces the credentials after every `Basic` or `Bearer` (any case): an echo the server cut
/// short, or a token the client never sent, is masked all the same.
fn mask_schemes(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut at = 0;
    while let Some(found) = ["basic", "bearer"]
        .iter()
        .filter_map(|scheme| lower[at..].find(scheme).map(|i| (at + i, scheme.len())))
        .min()
    {
        let (start, scheme_len) = found;
        let after_scheme = start + scheme_len;
        let spaces = text[after_scheme..]
            .bytes()
            .take_while(|b| *b == b' ' || *b == b'\t')
            .count();
        let value_start = after_scheme + spaces;
        let value_len = text[value_start..]
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || b"-._~+/=".contains(b))
            .count();
        let preceded_by_letter = text[..start]
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric);
        if spaces > 0 && value_len > 0 && !preceded_by_letter {
            out.push_str(&text[copied..value_start]);
            out.push_str(REDACTED);
            copied = value_start + value_len;
            at = copied;
        } else {
            at = after_scheme;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// serde's message about a body that did not decode, without the values it quotes: the kind
/// of value found, what was expected, and where (JSON path, line and column).
///
/// `invalid type: string "12 bis, rue du Port", expected i32 at line 1 column 40` becomes
/// `invalid type: string, expected i32 at buyers[0].address.streetNumber (line 1, column 40)`.
pub(crate) fn decode_message(error: &serde_json::Error, body: &[u8]) -> String {
    let full = error.to_string();
    // serde_json appends the position; it is given again below, with the path.
    let core = match full.rfind(" at line ") {
        Some(position) if error.line() > 0 => &full[..position],
        _ => full.as_str(),
    };
    let mut message = match error.classify() {
        // Syntax and end-of-input messages are fixed texts: they quote nothing.
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => core.to_string(),
        _ => without_values(core),
    };
    if error.line() > 0 {
        let path = json_path_at(body, offset_of(body, error.line(), error.column()));
        if !path.is_empty() {
            let _ = write!(message, " at {path}");
        }
        let _ = write!(
            message,
            " (line {}, column {})",
            error.line(),
            error.column()
        );
    }
    message
}

/// A data error's message with every quoted value removed. The names after `expected` come
/// from the generated types (field names, enum values of the spec) and are kept; so are the
/// field names of `missing field` and `duplicate field`.
fn without_values(message: &str) -> String {
    let keeps_names =
        message.starts_with("missing field") || message.starts_with("duplicate field");
    if keeps_names {
        return message.to_string();
    }
    let (found, expected) = match message.find(", expected") {
        Some(split) => message.split_at(split),
        None => (message, ""),
    };
    let mut out = String::with_capacity(message.len());
    let mut chars = found.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                // A Debug-quoted string: skip to the closing quote, escapes included.
                let mut escaped = false;
                for c in chars.by_ref() {
                    match (escaped, c) {
                        (false, '\\') => escaped = true,
                        (false, '"') => break,
                        _ => escaped = false,
                    }
                }
                trim_space(&mut out);
            }
            '`' => {
                for c in chars.by_ref() {
                    if c == '`' {
                        break;
                    }
                }
                trim_space(&mut out);
            }
            _ => out.push(c),
        }
    }
    out.push_str(expected);
    out
}

fn trim_space(out: &mut String) {
    while out.ends_with(' ') {
        out.pop();
    }
}

/// The byte offset of serde_json's 1-based `line` and `column` in `body`.
fn offset_of(body: &[u8], line: usize, column: usize) -> usize {
    let line_start = if line <= 1 {
        0
    } else {
        body.iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .nth(line - 2)
            .map_or(body.len(), |(i, _)| i + 1)
    };
    (line_start + column.saturating_sub(1)).min(body.len())
}

/// The JSON path (`solutions[2].communicationKit`) of the value that ends at `offset`: where
/// serde_json reports a value it could not use. Keys that do not look like field names are
/// shown as `…`, since a map may be keyed by data.
pub(crate) fn json_path_at(body: &[u8], offset: usize) -> String {
    enum Frame {
        Object(Option<String>),
        Array(usize),
    }
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    // The last string read inside an object, a key once a ':' follows it.
    let mut last_string: Option<(usize, usize)> = None;
    while i < offset.min(body.len()) {
        match body[i] {
            b'"' => {
                let start = i + 1;
                i += 1;
                while i < body.len() && body[i] != b'"' {
                    i += if body[i] == b'\\' { 2 } else { 1 };
                }
                last_string = Some((start, i.min(body.len())));
            }
            b'{' => stack.push(Frame::Object(None)),
            b'[' => stack.push(Frame::Array(0)),
            b'}' | b']' => {
                stack.pop();
            }
            b':' => {
                if let (Some(Frame::Object(key)), Some((start, end))) =
                    (stack.last_mut(), last_string.take())
                {
                    *key = Some(String::from_utf8_lossy(&body[start..end]).into_owned());
                }
            }
            b',' => match stack.last_mut() {
                Some(Frame::Array(index)) => *index += 1,
                Some(Frame::Object(key)) => *key = None,
                None => {}
            },
            _ => {}
        }
        i += 1;
    }
    let mut path = String::new();
    for frame in &stack {
        match frame {
            Frame::Array(index) => {
                let _ = write!(path, "[{index}]");
            }
            Frame::Object(Some(key)) => {
                if !path.is_empty() {
                    path.push('.');
                }
                let named = key.len() <= 64
                    && key
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
                path.push_str(if named { key } else { "…" });
            }
            Frame::Object(None) => {}
        }
    }
    path
}

/// The start of a success body that failed to decode, with every JSON string replaced by
/// `"…"`: enough to see the shape, without the names, e-mail or address a subscription holds.
/// A body that is not JSON is described, not quoted (only a markup tag is shown).
pub(crate) fn shape_excerpt(bytes: &[u8]) -> String {
    fn mask(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::String(text) => *text = "…".to_string(),
            serde_json::Value::Array(items) => items.iter_mut().for_each(mask),
            serde_json::Value::Object(map) => map.values_mut().for_each(mask),
            _ => {}
        }
    }
    match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(mut value) => {
            mask(&mut value);
            excerpt(value.to_string().as_bytes())
        }
        Err(_) => {
            let text = String::from_utf8_lossy(bytes);
            let text = text.trim_start();
            let tag: String = text
                .strip_prefix('<')
                .map(|rest| {
                    rest.chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '!')
                        .take(16)
                        .collect()
                })
                .unwrap_or_default();
            if tag.is_empty() {
                format!("(not JSON, {} bytes)", bytes.len())
            } else {
                format!("(not JSON, {} bytes, starts with <{tag})", bytes.len())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "s3cr3t/Zq9\"x";
    // printf 'app:s3cr3t/Zq9"x' | base64
    const BASIC: &str = "YXBwOnMzY3IzdC9acTkieA==";

    #[test]
    fn every_form_of_the_credentials_is_removed() {
        let redactor = Redactor::new(SECRET, BASIC);
        let echoed = format!(
            "Received headers: Authorization: Basic {BASIC}\nbody: secret={SECRET} json=\"s3cr3t\\/Zq9\\\"x\" token=tok-123"
        );
        let shown = redactor.scrub(&echoed, Some("tok-123"));
        for leak in [BASIC, SECRET, "s3cr3t\\/Zq9", "tok-123", "s3cr3t"] {
            assert!(!shown.contains(leak), "{leak} in {shown}");
        }
        assert!(
            shown.contains("Received headers: Authorization: Basic [redacted]"),
            "{shown}"
        );
    }

    #[test]
    fn short_credentials_are_removed_only_where_they_stand_alone() {
        let redactor = Redactor::new("pw", "cHc=");
        assert_eq!(
            redactor.scrub("token t, then: it is not cancellable", Some("t")),
            "token [redacted], then: it is not cancellable"
        );
        assert_eq!(redactor.scrub("password=pw;", None), "password=[redacted];");
    }

    #[test]
    fn credentials_after_a_scheme_are_masked_even_when_cut_short_or_unknown() {
        let redactor = Redactor::new(SECRET, BASIC);
        assert_eq!(
            redactor.scrub("invalid token: Bearer acc-9f8e7d… (expired)", None),
            "invalid token: Bearer [redacted]… (expired)"
        );
        assert_eq!(
            redactor.scrub("authorization: BASIC YXBwOnMz", None),
            "authorization: BASIC [redacted]"
        );
        // Words that merely contain a scheme name are left alone.
        assert_eq!(
            redactor.scrub("a basicity test, the bearers of news", None),
            "a basicity test, the bearers of news"
        );
    }

    fn decode_error(body: &str) -> String {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Address {
            #[serde(rename = "streetNumber")]
            street_number: i32,
        }
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Buyer {
            address: Address,
        }
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Body {
            buyers: Vec<Buyer>,
            status: Option<Status>,
        }
        #[derive(Debug, serde::Deserialize)]
        enum Status {
            #[serde(rename = "ACCEPTED")]
            Accepted,
        }
        let error = serde_json::from_str::<Body>(body).expect_err("does not decode");
        decode_message(&error, body.as_bytes())
    }

    #[test]
    fn decode_messages_keep_path_and_expected_type_but_no_value() {
        let message = decode_error(
            r#"{"buyers":[{"address":{"streetNumber":1}},{"address":{"streetNumber":"12 bis, rue du Port"}}]}"#,
        );
        assert_eq!(
            message,
            "invalid type: string, expected i32 at buyers[1].address.streetNumber (line 1, column 90)"
        );
        let message = decode_error(r#"{"buyers":[],"status":"claire@example.fr"}"#);
        assert!(!message.contains("claire"), "{message}");
        assert!(
            message.starts_with("unknown variant, expected `ACCEPTED`"),
            "{message}"
        );
        let message = decode_error(r#"{"buyers":[{"address":{"streetNumber":7.5}}]}"#);
        assert!(
            message.starts_with("invalid type: floating point, expected i32"),
            "{message}"
        );
        let message = decode_error(r#"{"buyers":[{}]}"#);
        assert!(
            message.starts_with("missing field `address` at buyers[0]"),
            "{message}"
        );
        let message = decode_error(r#"{"buyers":[{"address":"#);
        assert!(
            message.starts_with("EOF while parsing a value"),
            "{message}"
        );
    }

    #[test]
    fn paths_hide_keys_that_are_not_field_names() {
        let body = br#"{"meta":{"claire@example.fr":{"n":"x"}}}"#;
        let offset = body.iter().rposition(|b| *b == b'x').expect("x") + 2;
        assert_eq!(json_path_at(body, offset), "meta.….n");
    }

    #[test]
    fn decode_excerpts_keep_the_shape_and_mask_every_string() {
        let shown = shape_excerpt(
            br#"{"buyer":{"email":"claire@example.fr","phones":["0612345678"]},"financedAmount":1500.5,"vip":true}"#,
        );
        assert_eq!(
            shown,
            r#"{"buyer":{"email":"…","phones":["…"]},"financedAmount":1500.5,"vip":true}"#
        );
        assert_eq!(
            shape_excerpt(b"<html>Claire Martin</html>"),
            "(not JSON, 26 bytes, starts with <html)"
        );
        assert_eq!(shape_excerpt(b"Claire Martin"), "(not JSON, 13 bytes)");
    }
}
