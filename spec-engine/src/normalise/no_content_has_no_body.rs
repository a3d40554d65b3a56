//! Rule `no_content_has_no_body`: 204, 205 and 304 responses lose their `content`.
//!
//! Upstream's `_confirmDelivery` and `_confirmReturn` answer 204 but declare a JSON object body.
//! progenitor would then try to decode the empty body as JSON and report a decode error on every
//! successful call. HTTP says these statuses carry no body, so the generated method returns
//! `ResponseValue<()>`.

use serde_json::Value;

const BODYLESS: &[&str] = &["204", "205", "304"];

/// Applies the rule; returns the pointers of the contents removed.
pub fn apply(doc: &mut Value) -> Vec<String> {
    let mut touched = Vec::new();
    super::for_each_operation_mut(doc, |pointer, operation| {
        for code in BODYLESS {
            let response = operation
                .get_mut("responses")
                .and_then(|r| r.get_mut(*code));
            if let Some(response) = response.and_then(Value::as_object_mut) {
                if response.remove("content").is_some() {
                    touched.push(format!("{pointer}/responses/{code}/content"));
                }
            }
        }
    });
    touched
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn removes_declared_body_of_204_only() {
        let mut doc = json!({"paths": {"/d": {"post": {"responses": {
            "204": {"description": "done", "content": {"application/json": {"schema": {"type": "object"}}}},
            "200": {"content": {"application/json": {"schema": {"type": "object"}}}}
        }}}}});
        assert_eq!(apply(&mut doc), ["/paths/~1d/post/responses/204/content"]);
        assert!(doc
            .pointer("/paths/~1d/post/responses/204/content")
            .is_none());
        assert!(doc
            .pointer("/paths/~1d/post/responses/204/description")
            .is_some());
        assert!(doc
            .pointer("/paths/~1d/post/responses/200/content")
            .is_some());
    }
}
