//! Rule `success_as_any_2xx`: an operation's one success response stands for every 2xx status.
//!
//! progenitor matches the status code exactly: a create the spec documents as 201 but the
//! gateway answers with 200 (and a valid body) became "a status the spec does not declare",
//! although the subscription exists and its id was in the body. Being lenient on what we read
//! means any 2xx whose body decodes into the operation's success type is a success; a non-2xx
//! stays an error. The rule renames the single success response to `2XX`, which progenitor
//! matches as `200..=299`. Operations with several success responses keep their codes.

use serde_json::Value;

/// Applies the rule; returns the pointers of the responses renamed.
pub fn apply(doc: &mut Value) -> Vec<String> {
    let mut touched = Vec::new();
    super::for_each_operation_mut(doc, |pointer, operation| {
        let Some(responses) = operation
            .get_mut("responses")
            .and_then(Value::as_object_mut)
        else {
            return;
        };
        let successes: Vec<String> = responses
            .keys()
            .filter(|code| code.starts_with('2'))
            .cloned()
            .collect();
        let [code] = successes.as_slice() else {
            return;
        };
        if code.eq_ignore_ascii_case("2XX") {
            return;
        }
        if let Some(response) = responses.remove(code) {
            responses.insert("2XX".to_string(), response);
            touched.push(crate::walk::child(&format!("{pointer}/responses"), code));
        }
    });
    touched
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn renames_the_one_success_code() {
        let mut doc = json!({"paths": {"/s": {"post": {"responses": {
            "201": {"description": "created", "content": {"application/json": {"schema": {"type": "object"}}}}
        }}}}});
        assert_eq!(apply(&mut doc), ["/paths/~1s/post/responses/201"]);
        assert!(doc.pointer("/paths/~1s/post/responses/201").is_none());
        assert_eq!(
            doc.pointer("/paths/~1s/post/responses/2XX/description"),
            Some(&json!("created"))
        );
    }

    #[test]
    fn keeps_several_success_codes_and_ranges() {
        let mut doc = json!({"paths": {
            "/a": {"get": {"responses": {"200": {}, "202": {}}}},
            "/b": {"get": {"responses": {"2XX": {}}}}
        }});
        let before = doc.clone();
        assert!(apply(&mut doc).is_empty());
        assert_eq!(doc, before);
    }
}
