//! Rule `optional_body_with_no_content`: an operation that answers either a body or 204 returns
//! `Option<T>`.
//!
//! Insurance's `POST /items/_search-insurances` answers 200 with the offers for an item, or 204
//! when nothing can insure it. progenitor 0.15 asserts that every success response of an
//! operation has one type (`response_types.len() <= 1`), and a body next to no body is two, so
//! the build stopped there. The 204 is not an error: it is the answer "no offer".
//!
//! The rule drops the body-less 204 and makes the body's schema nullable, so the generated
//! method returns `ResponseValue<Option<T>>`. The facade's transport hands the generated code
//! an empty success body as JSON `null` (see `scalexpert::transport`), which decodes as `None`;
//! `success_as_any_2xx` then lets the 204 reach that decoding.

use serde_json::{json, Value};

/// Applies the rule; returns the pointers of the responses folded away.
pub fn apply(doc: &mut Value) -> Vec<String> {
    let mut touched = Vec::new();
    super::for_each_operation_mut(doc, |pointer, operation| {
        let Some(responses) = operation
            .get_mut("responses")
            .and_then(Value::as_object_mut)
        else {
            return;
        };
        let bodyless: Vec<String> = responses
            .iter()
            .filter(|(code, response)| is_success(code) && response.get("content").is_none())
            .map(|(code, _)| code.clone())
            .collect();
        let with_body: Vec<String> = responses
            .iter()
            .filter(|(code, response)| is_success(code) && response.get("content").is_some())
            .map(|(code, _)| code.clone())
            .collect();
        // Only the one shape: exactly one body-carrying success beside body-less ones.
        if bodyless.is_empty() || with_body.len() != 1 {
            return;
        }
        for code in &bodyless {
            responses.remove(code);
            touched.push(crate::walk::child(&format!("{pointer}/responses"), code));
        }
        let Some(content) = responses
            .get_mut(&with_body[0])
            .and_then(|r| r.get_mut("content"))
            .and_then(Value::as_object_mut)
        else {
            return;
        };
        for media in content.values_mut() {
            if let Some(schema) = media.get_mut("schema") {
                let inner = schema.take();
                *schema = json!({ "nullable": true, "allOf": [inner] });
            }
        }
    });
    touched
}

fn is_success(code: &str) -> bool {
    code.starts_with('2')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn search_operation() -> Value {
        json!({"paths": {"/items/_search-insurances": {"post": {"responses": {
            "200": {"description": "offers", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/SearchItemInsuranceResponse"}}}},
            "204": {"description": "no offer"}
        }}}}})
    }

    #[test]
    fn folds_the_no_content_answer_into_an_optional_body() {
        let mut doc = search_operation();
        assert_eq!(
            apply(&mut doc),
            ["/paths/~1items~1_search-insurances/post/responses/204"]
        );
        let responses = doc
            .pointer("/paths/~1items~1_search-insurances/post/responses")
            .expect("responses");
        assert!(responses.get("204").is_none());
        assert_eq!(
            responses.pointer("/200/content/application~1json/schema"),
            Some(&json!({"nullable": true, "allOf": [
                {"$ref": "#/components/schemas/SearchItemInsuranceResponse"}]}))
        );
    }

    #[test]
    fn leaves_single_success_answers_alone() {
        let mut doc = json!({"paths": {
            "/a": {"post": {"responses": {"201": {"content": {"application/json": {"schema": {"type": "object"}}}}}}},
            "/d": {"post": {"responses": {"204": {"description": "done"}}}}
        }});
        let before = doc.clone();
        assert!(apply(&mut doc).is_empty());
        assert_eq!(doc, before);
    }

    #[test]
    fn leaves_two_bodies_alone() {
        let mut doc = json!({"paths": {"/a": {"post": {"responses": {
            "200": {"content": {"application/json": {"schema": {"type": "object"}}}},
            "201": {"content": {"application/json": {"schema": {"type": "object"}}}},
            "204": {}
        }}}}});
        let before = doc.clone();
        assert!(apply(&mut doc).is_empty());
        assert_eq!(doc, before);
    }
}
