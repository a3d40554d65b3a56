//! Rule `error_responses_left_to_facade`: drop `default` and 4xx/5xx responses.
//!
//! Upstream declares error responses in several shapes per operation: `type: object` (401),
//! `application/json: {}` with no schema (403, 404), `'*/*'` (400), and a typed
//! `BaasExceptionHttpResponse` under `default`. progenitor 0.15 panics on the schemaless one
//! (`todo!("media type encoding, no schema")`), and asserts that all success-or-default responses
//! share one type, so a typed `default` next to a typed 2xx panics too. The real gateway adds
//! shapes no spec lists (a 422 with `path/status/error`, empty 401s, HTML 502 pages).
//!
//! So the generated client handles success only: every other status arrives as
//! `progenitor_client::Error::UnexpectedResponse` with the whole response, and the facade turns
//! it into one typed error, reading the body with the error schema the spec does define
//! (`BaasExceptionHttpResponse` stays in `components` and is generated as a type).

use serde_json::Value;

/// Applies the rule; returns the pointers of removed responses.
pub fn apply(doc: &mut Value) -> Vec<String> {
    let mut touched = Vec::new();
    super::for_each_operation_mut(doc, |pointer, operation| {
        let Some(responses) = operation
            .get_mut("responses")
            .and_then(Value::as_object_mut)
        else {
            return;
        };
        let doomed: Vec<String> = responses
            .keys()
            .filter(|code| !is_success(code))
            .cloned()
            .collect();
        for code in doomed {
            responses.remove(&code);
            touched.push(crate::walk::child(&format!("{pointer}/responses"), &code));
        }
    });
    touched
}

/// `1XX`, `2XX` and `3XX` codes (and ranges) stay; `default`, 4xx and 5xx go.
fn is_success(code: &str) -> bool {
    matches!(code.chars().next(), Some('1' | '2' | '3'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keeps_only_success_responses() {
        let mut doc = json!({"paths": {"/s": {"post": {"responses": {
            "201": {"content": {"application/json": {"schema": {"type": "object"}}}},
            "400": {"content": {"*/*": {"schema": {"type": "object"}}}},
            "403": {"content": {"application/json": {}}},
            "default": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/E"}}}}
        }}}}});
        let touched = apply(&mut doc);
        let responses = doc
            .pointer("/paths/~1s/post/responses")
            .and_then(Value::as_object)
            .expect("responses");
        assert_eq!(responses.keys().collect::<Vec<_>>(), ["201"]);
        assert_eq!(touched.len(), 3);
        assert!(touched.contains(&"/paths/~1s/post/responses/default".to_string()));
    }
}
