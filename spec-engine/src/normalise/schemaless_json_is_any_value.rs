//! Rule `schemaless_json_is_any_value`: `application/json: {}` gets an empty schema.
//!
//! A JSON media type with no `schema` means "some JSON, shape not stated". progenitor 0.15
//! reaches `todo!("media type encoding, no schema")` on it. An empty schema says the same thing
//! in a form it accepts, and decodes to `serde_json::Value`. (Upstream has this shape only on
//! error responses today, which `error_responses_left_to_facade` removes first; the rule keeps a
//! future success response of that shape from breaking the build.)

use serde_json::{json, Value};

/// Applies the rule; returns the pointers of the media types given a schema.
pub fn apply(doc: &mut Value) -> Vec<String> {
    let mut touched = Vec::new();
    super::for_each_operation_mut(doc, |pointer, operation| {
        let mut visit = |at: String, content: Option<&mut Value>| {
            let Some(content) = content.and_then(Value::as_object_mut) else {
                return;
            };
            for (media_type, body) in content.iter_mut() {
                let is_json =
                    media_type == "application/json" || media_type.starts_with("application/json;");
                if let Some(body) = body
                    .as_object_mut()
                    .filter(|b| is_json && !b.contains_key("schema"))
                {
                    body.insert("schema".to_string(), json!({}));
                    touched.push(crate::walk::child(&at, media_type));
                }
            }
        };
        visit(
            format!("{pointer}/requestBody/content"),
            operation.pointer_mut("/requestBody/content"),
        );
        if let Some(responses) = operation
            .get_mut("responses")
            .and_then(Value::as_object_mut)
        {
            for (code, response) in responses.iter_mut() {
                visit(
                    format!("{pointer}/responses/{code}/content"),
                    response.get_mut("content"),
                );
            }
        }
    });
    touched
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds_empty_schema_to_schemaless_json_only() {
        let mut doc = json!({"paths": {"/e": {"get": {"responses": {
            "200": {"content": {"application/json": {}, "text/plain": {}}}
        }}}}});
        assert_eq!(
            apply(&mut doc),
            ["/paths/~1e/get/responses/200/content/application~1json"]
        );
        assert_eq!(
            doc.pointer("/paths/~1e/get/responses/200/content/application~1json/schema"),
            Some(&json!({}))
        );
        assert_eq!(
            doc.pointer("/paths/~1e/get/responses/200/content/text~1plain"),
            Some(&json!({}))
        );
    }
}
