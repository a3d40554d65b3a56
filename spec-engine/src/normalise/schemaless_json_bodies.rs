//! Rule `schemaless_json_bodies`: `application/json: {}` (JSON of no stated shape).
//!
//! progenitor 0.15 reaches `todo!("media type encoding, no schema")` on a JSON media type
//! without `schema`. Upstream has the shape on error responses (removed first by
//! `error_responses_left_to_facade`) and on the 200 of the merchant-webhooks configuration
//! upsert, which in practice answers with an empty body.
//!
//! - A **response** of that shape is not decoded: the rule drops the media type, so the
//!   generated method returns `ResponseValue<()>` without reading the body. Decoding "any JSON"
//!   would fail on the empty body the gateway sends, turning a success into an error.
//! - A **request body** of that shape gets the empty schema, which accepts any JSON value
//!   (`serde_json::Value`): the caller decides what to send.

use serde_json::{json, Value};

/// Applies the rule; returns the pointers of the media types it changed.
pub fn apply(doc: &mut Value) -> Vec<String> {
    let mut touched = Vec::new();
    super::for_each_operation_mut(doc, |pointer, operation| {
        let request_at = format!("{pointer}/requestBody/content");
        if let Some(content) = operation
            .pointer_mut("/requestBody/content")
            .and_then(Value::as_object_mut)
        {
            for (media_type, body) in content.iter_mut() {
                if let Some(body) = body
                    .as_object_mut()
                    .filter(|b| is_json(media_type) && !b.contains_key("schema"))
                {
                    body.insert("schema".to_string(), json!({}));
                    touched.push(crate::walk::child(&request_at, media_type));
                }
            }
        }
        let Some(responses) = operation
            .get_mut("responses")
            .and_then(Value::as_object_mut)
        else {
            return;
        };
        for (code, response) in responses.iter_mut() {
            let response_at = format!("{pointer}/responses/{code}/content");
            let Some(content) = response.get_mut("content").and_then(Value::as_object_mut) else {
                continue;
            };
            let schemaless: Vec<String> = content
                .iter()
                .filter(|(media_type, body)| is_json(media_type) && body.get("schema").is_none())
                .map(|(media_type, _)| media_type.clone())
                .collect();
            for media_type in schemaless {
                content.remove(&media_type);
                touched.push(crate::walk::child(&response_at, &media_type));
            }
            if content.is_empty() {
                if let Some(response) = response.as_object_mut() {
                    response.remove("content");
                }
            }
        }
    });
    touched
}

fn is_json(media_type: &str) -> bool {
    media_type == "application/json" || media_type.starts_with("application/json;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_schemaless_json_response_is_not_decoded() {
        let mut doc = json!({"paths": {"/e": {"put": {"responses": {
            "200": {"description": "saved", "content": {"application/json": {}}},
            "201": {"content": {"application/json": {}, "text/plain": {}}}
        }}}}});
        assert_eq!(apply(&mut doc).len(), 2);
        assert_eq!(
            doc.pointer("/paths/~1e/put/responses/200"),
            Some(&json!({"description": "saved"}))
        );
        assert_eq!(
            doc.pointer("/paths/~1e/put/responses/201/content"),
            Some(&json!({"text/plain": {}})),
            "other media types stay"
        );
    }

    #[test]
    fn a_schemaless_json_request_body_takes_any_value() {
        let mut doc = json!({"paths": {"/e": {"post": {
            "requestBody": {"content": {"application/json": {}}},
            "responses": {"204": {"description": "done"}}
        }}}});
        assert_eq!(
            apply(&mut doc),
            ["/paths/~1e/post/requestBody/content/application~1json"]
        );
        assert_eq!(
            doc.pointer("/paths/~1e/post/requestBody/content/application~1json/schema"),
            Some(&json!({}))
        );
    }
}
