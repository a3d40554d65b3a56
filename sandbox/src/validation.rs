//! Request validation: the constraints of the served specs, read at start-up, plus the rules
//! their descriptions state in words (names, emails, phone numbers, dates, languages, amounts).
//!
//! Every violation is collected, not only the first, so that a `REQUEST_VALIDATION_ERROR`
//! carries one `errors[]` entry per problem.

use super::rules::RuleTable;
use super::served::{self, Served};
use super::simulation;
use scalexpert::Operation;
use serde_json::Value;
use std::collections::HashMap;

/// References are followed at most this deep, and schemas walked at most this deep, so a
/// cyclic schema or a deeply nested body cannot exhaust the stack.
const MAX_DEPTH: usize = 32;

/// One broken constraint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Violation {
    /// Stable code (`MISSING_FIELD`, `INVALID_LENGTH`, ...).
    pub(crate) code: &'static str,
    /// Where: `buyers[0].contact.firstName`, or a query parameter's name.
    pub(crate) field: String,
    /// What is wrong.
    pub(crate) message: String,
}

impl Violation {
    pub(crate) fn new(code: &'static str, field: &str, message: impl Into<String>) -> Violation {
        Violation {
            code,
            field: field.to_string(),
            message: message.into(),
        }
    }
}

/// The served specs' paths and schemas, and their patterns compiled.
pub(crate) struct Spec {
    docs: Vec<(&'static Served, Value)>,
    /// Every `pattern` of the specs, compiled once (ECMA-262 syntax, as OpenAPI's patterns
    /// and the generated code's checks use).
    patterns: HashMap<String, regress::Regex>,
}

/// Decoded query parameters, in order.
pub(crate) type Query = Vec<(String, String)>;

/// The first value of the query parameter `name`.
pub(crate) fn param<'q>(query: &'q [(String, String)], name: &str) -> Option<&'q str> {
    query
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

impl Spec {
    /// Parses every served spec, as the SDK publishes them.
    pub(crate) fn load() -> Result<Spec, String> {
        let mut docs = Vec::new();
        let mut patterns = HashMap::new();
        for served in served::ALL {
            let api = served.api;
            let doc: Value = serde_yaml_ng::from_str(served.spec)
                .map_err(|e| format!("cannot read the {} {} spec: {e}", api.api, api.version))?;
            if doc.pointer("/components/schemas").is_none() {
                return Err(format!(
                    "the {} {} spec has no schemas",
                    api.api, api.version
                ));
            }
            collect_patterns(&doc, &mut patterns)
                .map_err(|e| format!("the {} {} spec: {e}", api.api, api.version))?;
            docs.push((served, doc));
        }
        Ok(Spec { docs, patterns })
    }

    /// The spec document of the API `operation` belongs to.
    fn doc(&self, operation: &Operation) -> Option<&Value> {
        let served = served::of(operation);
        self.docs
            .iter()
            .find(|(api, _)| std::ptr::eq(*api, served))
            .map(|(_, doc)| doc)
    }

    fn operation(&self, operation: &Operation) -> Option<&Value> {
        self.doc(operation)?
            .get("paths")?
            .get(operation.path)?
            .get(operation.method.to_ascii_lowercase())
    }

    /// Checks the query parameters the spec declares for an operation.
    pub(crate) fn check_query(
        &self,
        operation: &Operation,
        query: &Query,
        out: &mut Vec<Violation>,
    ) {
        let Some(parameters) = self
            .operation(operation)
            .and_then(|op| op.get("parameters"))
            .and_then(Value::as_array)
        else {
            return;
        };
        for parameter in parameters {
            if parameter.get("in").and_then(Value::as_str) != Some("query") {
                continue;
            }
            let Some(name) = parameter.get("name").and_then(Value::as_str) else {
                continue;
            };
            let required = parameter.get("required") == Some(&Value::Bool(true));
            let schema = parameter
                .get("schema")
                .map(|s| self.resolve(operation, s, 0));
            match query.iter().find(|(k, _)| k == name) {
                None if required => {
                    out.push(Violation::new("MISSING_FIELD", name, "is required"));
                }
                None => {}
                Some((_, raw)) => {
                    let Some(schema) = schema else { continue };
                    if let Some(value) = typed_query_value(schema, raw) {
                        self.check(operation, schema, &value, name, out, 0);
                    } else {
                        out.push(Violation::new(
                            "INVALID_TYPE",
                            name,
                            format!("must be {}", type_name(schema)),
                        ));
                    }
                }
            }
        }
    }

    /// Checks a JSON body against the operation's request schema.
    pub(crate) fn check_body(&self, operation: &Operation, body: &Value, out: &mut Vec<Violation>) {
        let Some(schema) = self
            .operation(operation)
            .and_then(|op| op.pointer("/requestBody/content/application~1json/schema"))
        else {
            return;
        };
        self.check(operation, schema, body, "", out, 0);
    }

    /// `schema` with its `$ref`s followed within the spec of `operation`'s API.
    fn resolve<'a>(
        &'a self,
        operation: &Operation,
        mut schema: &'a Value,
        depth: usize,
    ) -> &'a Value {
        let Some(doc) = self.doc(operation) else {
            return schema;
        };
        for _ in depth..MAX_DEPTH {
            let Some(reference) = schema.get("$ref").and_then(Value::as_str) else {
                break;
            };
            let Some(target) = reference
                .strip_prefix('#')
                .and_then(|pointer| doc.pointer(pointer))
            else {
                break;
            };
            schema = target;
        }
        schema
    }

    fn check(
        &self,
        operation: &Operation,
        schema: &Value,
        value: &Value,
        field: &str,
        out: &mut Vec<Violation>,
        depth: usize,
    ) {
        if depth > MAX_DEPTH {
            out.push(Violation::new(
                "INVALID_TYPE",
                or_body(field),
                "is nested too deeply",
            ));
            return;
        }
        let schema = self.resolve(operation, schema, 0);
        if value.is_null() {
            if schema.get("nullable") != Some(&Value::Bool(true)) {
                out.push(Violation::new(
                    "INVALID_TYPE",
                    or_body(field),
                    "must not be null",
                ));
            }
            return;
        }
        let kind = schema.get("type").and_then(Value::as_str);
        let type_ok = match kind {
            Some("object") => value.is_object(),
            Some("array") => value.is_array(),
            Some("string") => value.is_string(),
            Some("integer") => value.is_i64() || value.is_u64(),
            Some("number") => value.is_number(),
            Some("boolean") => value.is_boolean(),
            _ => true,
        };
        if !type_ok {
            out.push(Violation::new(
                "INVALID_TYPE",
                or_body(field),
                format!("must be {}", type_name(schema)),
            ));
            return;
        }
        if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
            if !allowed.contains(value) {
                let names: Vec<String> = allowed
                    .iter()
                    .map(|v| v.as_str().map_or_else(|| v.to_string(), String::from))
                    .collect();
                out.push(Violation::new(
                    "INVALID_VALUE",
                    or_body(field),
                    format!("must be one of {}", names.join(", ")),
                ));
            }
        }
        match value {
            Value::Object(object) => {
                for name in schema
                    .get("required")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                {
                    if object.get(name).is_none_or(Value::is_null) {
                        out.push(Violation::new(
                            "MISSING_FIELD",
                            &join(field, name),
                            "is required",
                        ));
                    }
                }
                if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
                    // Sorted, so the order of violations does not depend on whether
                    // serde_json keeps insertion order (a feature another crate may turn on).
                    let mut properties: Vec<_> = properties.iter().collect();
                    properties.sort_by(|a, b| a.0.cmp(b.0));
                    for (name, property) in properties {
                        // A null optional field counts as absent, as the gateway reads it; a
                        // null required one was reported as missing above.
                        if let Some(inner) = object.get(name).filter(|v| !v.is_null()) {
                            let at = join(field, name);
                            self.check(operation, property, inner, &at, out, depth + 1);
                        }
                    }
                }
            }
            Value::Array(items) => {
                let count = items.len() as u64;
                let min = schema.get("minItems").and_then(Value::as_u64);
                let max = schema.get("maxItems").and_then(Value::as_u64);
                if min.is_some_and(|m| count < m) || max.is_some_and(|m| count > m) {
                    out.push(Violation::new(
                        "INVALID_SIZE",
                        or_body(field),
                        format!("must hold {} items, not {count}", bounds(min, max)),
                    ));
                }
                if let Some(item_schema) = schema.get("items") {
                    for (i, item) in items.iter().enumerate() {
                        let at = format!("{field}[{i}]");
                        self.check(operation, item_schema, item, &at, out, depth + 1);
                    }
                }
            }
            Value::String(text) => {
                let length = text.chars().count() as u64;
                let min = schema.get("minLength").and_then(Value::as_u64);
                let max = schema.get("maxLength").and_then(Value::as_u64);
                if min.is_some_and(|m| length < m) || max.is_some_and(|m| length > m) {
                    out.push(Violation::new(
                        "INVALID_LENGTH",
                        or_body(field),
                        format!("must be {} characters long, not {length}", bounds(min, max)),
                    ));
                }
                if let Some(problem) = schema
                    .get("format")
                    .and_then(Value::as_str)
                    .and_then(|format| format_problem(format, text))
                {
                    out.push(Violation::new("INVALID_FORMAT", or_body(field), problem));
                }
                if let Some(pattern) = schema.get("pattern").and_then(Value::as_str) {
                    // Compiled at load; a pattern missing here cannot happen.
                    if self
                        .patterns
                        .get(pattern)
                        .is_some_and(|regex| regex.find(text).is_none())
                    {
                        out.push(Violation::new(
                            "INVALID_FORMAT",
                            or_body(field),
                            format!("does not match the pattern {pattern}"),
                        ));
                    }
                }
            }
            Value::Number(number) => {
                if schema.get("format").and_then(Value::as_str) == Some("int32")
                    && number.as_i64().is_none_or(|n| i32::try_from(n).is_err())
                {
                    out.push(Violation::new(
                        "INVALID_VALUE",
                        or_body(field),
                        "must fit a 32-bit integer",
                    ));
                }
            }
            Value::Bool(_) | Value::Null => {}
        }
    }
}

/// Compiles every string `pattern` of a spec document into `out`.
fn collect_patterns(
    value: &Value,
    out: &mut HashMap<String, regress::Regex>,
) -> Result<(), String> {
    match value {
        Value::Object(object) => {
            for (key, inner) in object {
                match (key.as_str(), inner) {
                    ("pattern", Value::String(pattern)) => {
                        if !out.contains_key(pattern) {
                            let regex = regress::Regex::new(pattern)
                                .map_err(|e| format!("pattern {pattern:?}: {e}"))?;
                            out.insert(pattern.clone(), regex);
                        }
                    }
                    _ => collect_patterns(inner, out)?,
                }
            }
            Ok(())
        }
        Value::Array(items) => items
            .iter()
            .try_for_each(|item| collect_patterns(item, out)),
        _ => Ok(()),
    }
}

fn or_body(field: &str) -> &str {
    if field.is_empty() {
        "body"
    } else {
        field
    }
}

fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_string()
    } else {
        format!("{parent}.{name}")
    }
}

fn bounds(min: Option<u64>, max: Option<u64>) -> String {
    match (min, max) {
        (Some(min), Some(max)) => format!("{min} to {max}"),
        (Some(min), None) => format!("at least {min}"),
        (None, Some(max)) => format!("at most {max}"),
        (None, None) => "any number of".into(),
    }
}

fn type_name(schema: &Value) -> &'static str {
    match schema.get("type").and_then(Value::as_str) {
        Some("object") => "an object",
        Some("array") => "an array",
        Some("string") => "a string",
        Some("integer") => "an integer",
        Some("number") => "a number",
        Some("boolean") => "true or false",
        _ => "a value",
    }
}

/// A query parameter's text as the JSON value its schema's type calls for.
fn typed_query_value(schema: &Value, raw: &str) -> Option<Value> {
    match schema.get("type").and_then(Value::as_str) {
        Some("integer") => raw.trim().parse::<i64>().ok().map(Value::from),
        Some("number") => raw
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number),
        Some("boolean") => raw.parse::<bool>().ok().map(Value::Bool),
        _ => Some(Value::String(raw.to_string())),
    }
}

fn format_problem(format: &str, text: &str) -> Option<String> {
    let ok = match format {
        "uuid" => uuid::Uuid::parse_str(text).is_ok(),
        "uri" => reqwest::Url::parse(text).is_ok_and(|url| url.has_host()),
        "date-time" => chrono::DateTime::parse_from_rfc3339(text).is_ok(),
        "date" => is_date(text),
        _ => true,
    };
    (!ok).then(|| format!("is not a valid {format}"))
}

/// An amount rule: positive, EUR, at most two decimals.
pub(crate) fn check_amount(
    value: Option<&Value>,
    field: &str,
    out: &mut Vec<Violation>,
) -> Option<i64> {
    let value = value?;
    if !value.is_number() {
        return None;
    }
    let cents = simulation::cents_of_json(value);
    if cents.is_none() {
        out.push(Violation::new(
            "INVALID_AMOUNT",
            field,
            "must be a positive amount in EUR with at most two decimals",
        ));
    }
    cents
}

/// A billing country rule: two upper-case letters (ISO 3166-1 alpha-2).
pub(crate) fn check_country(value: Option<&str>, field: &str, out: &mut Vec<Violation>) {
    if let Some(country) = value {
        if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
            out.push(Violation::new(
                "INVALID_COUNTRY_CODE",
                field,
                "must be an ISO 3166-1 alpha-2 code in upper case",
            ));
        }
    }
}

/// The rules of `POST /subscriptions` the spec states in its descriptions.
pub(crate) fn check_subscription(
    body: &Value,
    language: Option<&str>,
    rules: &RuleTable,
    out: &mut Vec<Violation>,
) {
    check_amount(body.get("financedAmount"), "financedAmount", out);
    let market = body
        .get("solutionCode")
        .and_then(Value::as_str)
        .and_then(|code| rules.product(code))
        .map(|product| product.country.as_str());
    if let Some(language) = language {
        let expected = market.map(|m| match m {
            "FR" => "fr-FR".to_string(),
            "DE" => "de-DE".to_string(),
            other => format!("{}-{other}", other.to_ascii_lowercase()),
        });
        let well_formed = language.len() == 5
            && language.as_bytes().get(2) == Some(&b'-')
            && language[..2].bytes().all(|b| b.is_ascii_lowercase())
            && language[3..].bytes().all(|b| b.is_ascii_uppercase());
        if !well_formed {
            out.push(Violation::new(
                "INVALID_LANGUAGE",
                "language",
                "must look like fr-FR",
            ));
        } else if let Some(expected) = expected.filter(|e| e != language) {
            out.push(Violation::new(
                "INVALID_LANGUAGE",
                "language",
                format!("must be {expected} for this solutionCode"),
            ));
        }
    }
    let Some(buyers) = body.get("buyers").and_then(Value::as_array) else {
        return;
    };
    if buyers.is_empty() {
        out.push(Violation::new(
            "MISSING_FIELD",
            "buyers",
            "at least one buyer is required",
        ));
    }
    for (i, buyer) in buyers.iter().enumerate() {
        if let Some(name) = buyer.get("birthName").and_then(Value::as_str) {
            if !is_name(name) {
                out.push(Violation::new(
                    "INVALID_NAME",
                    &format!("buyers[{i}].birthName"),
                    "must not be blank nor hold digits, ? or !",
                ));
            }
        }
        for date in ["birthDate", "lastDatePurchase"] {
            if let Some(text) = buyer.get(date).and_then(Value::as_str) {
                if !is_date(text) {
                    out.push(Violation::new(
                        "INVALID_FORMAT",
                        &format!("buyers[{i}].{date}"),
                        "must be a date written YYYY-MM-DD",
                    ));
                }
            }
        }
        for contact in ["contact", "billingContact", "deliveryContact"] {
            let at = format!("buyers[{i}].{contact}");
            if let Some(contact) = buyer.get(contact).filter(|c| c.is_object()) {
                check_contact(contact, &at, market, out);
            }
        }
        for address in ["contactAddress", "billingAddress", "deliveryAddress"] {
            let at = format!("buyers[{i}].{address}.countryCode");
            let country = buyer
                .get(address)
                .and_then(|a| a.get("countryCode"))
                .and_then(Value::as_str)
                .filter(|c| c.chars().count() == 2);
            check_country(country, &at, out);
        }
    }
}

fn check_contact(contact: &Value, at: &str, market: Option<&str>, out: &mut Vec<Violation>) {
    for name in ["firstName", "lastName", "professionalTitle"] {
        if let Some(text) = contact.get(name).and_then(Value::as_str) {
            if !is_name(text) {
                out.push(Violation::new(
                    "INVALID_NAME",
                    &format!("{at}.{name}"),
                    "must not be blank nor hold digits, ? or !",
                ));
            }
        }
    }
    if let Some(email) = contact.get("email").and_then(Value::as_str) {
        if !is_email(email) {
            out.push(Violation::new(
                "INVALID_EMAIL",
                &format!("{at}.email"),
                "must be a lower-case address: 1 to 64 of a-z 0-9 . _ + - before the @, then a dotted domain whose last label has 2 or more letters or digits",
            ));
        }
    }
    let prefix = market.and_then(|m| match m {
        "FR" => Some("+33"),
        "DE" => Some("+49"),
        _ => None,
    });
    for phone in ["mobilePhoneNumber", "phoneNumber"] {
        if let Some(number) = contact.get(phone).and_then(Value::as_str) {
            let field = format!("{at}.{phone}");
            if !is_e164(number) {
                out.push(Violation::new(
                    "INVALID_PHONE_NUMBER",
                    &field,
                    "must be in E.164 form: + then up to 15 digits",
                ));
            } else if let Some(prefix) = prefix.filter(|p| !number.starts_with(p)) {
                out.push(Violation::new(
                    "INVALID_PHONE_NUMBER",
                    &field,
                    format!("must start with {prefix}, the market of the solutionCode"),
                ));
            }
        }
    }
}

/// A name the 1.7 descriptions allow: no digit, `?` or `!`, and not only spaces (empty is
/// the length limits' business).
fn is_name(text: &str) -> bool {
    let blank = !text.is_empty() && text.trim().is_empty();
    !blank
        && !text
            .chars()
            .any(|c| c.is_ascii_digit() || c == '?' || c == '!')
}

/// The 1.7 email rule: `^[a-z0-9_.+-]{1,64}@[a-z0-9.-]*[a-z0-9]\.[a-z0-9]{2,}$`.
fn is_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    let lower_alnum = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    let local_ok = (1..=64).contains(&local.len())
        && local.chars().all(|c| lower_alnum(c) || "_.+-".contains(c));
    // The last dot splits the domain: a host ending in a letter or digit, then 2+ of them.
    let domain_ok = domain.rsplit_once('.').is_some_and(|(host, top)| {
        host.ends_with(lower_alnum)
            && host.chars().all(|c| lower_alnum(c) || c == '.' || c == '-')
            && top.len() >= 2
            && top.chars().all(lower_alnum)
    });
    local_ok && domain_ok
}

/// A calendar date written `YYYY-MM-DD`.
fn is_date(text: &str) -> bool {
    text.len() == 10 && chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok()
}

fn is_e164(number: &str) -> bool {
    let Some(digits) = number.strip_prefix('+') else {
        return false;
    };
    (2..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The served operation with this operationId.
    fn op(id: &str) -> &'static Operation {
        Operation::by_id(served::OPERATIONS, id).expect("served operation")
    }

    fn codes(violations: &[Violation]) -> Vec<(&str, &str)> {
        violations
            .iter()
            .map(|v| (v.code, v.field.as_str()))
            .collect()
    }

    #[test]
    fn the_spec_loads_and_checks_every_violation() {
        let spec = Spec::load().expect("spec");
        let mut out = Vec::new();
        spec.check_body(
            op("doConfirmDelivery"),
            &json!({"trackingNumber": "", "operator": "PIGEON"}),
            &mut out,
        );
        assert_eq!(
            codes(&out),
            [
                ("MISSING_FIELD", "isDelivered"),
                ("INVALID_VALUE", "operator"),
                ("INVALID_LENGTH", "trackingNumber"),
            ],
            "required fields first, then properties by name"
        );
    }

    #[test]
    fn nested_schemas_and_arrays_are_walked() {
        let spec = Spec::load().expect("spec");
        let mut out = Vec::new();
        let body = json!({
            "solutionCode": 7,
            "merchantUrls": {"confirmation": "not a url"},
            "buyers": [{"contact": {"firstName": "C".repeat(351), "commonTitle": "DR"}}],
            "basketDetails": {"basketItems": "none"}
        });
        spec.check_body(op("initiateCreditSubscription"), &body, &mut out);
        let found = codes(&out);
        for expected in [
            ("INVALID_TYPE", "solutionCode"),
            ("MISSING_FIELD", "financedAmount"),
            ("INVALID_FORMAT", "merchantUrls.confirmation"),
            ("MISSING_FIELD", "buyers[0].billingAddress"),
            ("MISSING_FIELD", "buyers[0].contact.email"),
            ("INVALID_LENGTH", "buyers[0].contact.firstName"),
            ("INVALID_VALUE", "buyers[0].contact.commonTitle"),
            ("INVALID_TYPE", "basketDetails.basketItems"),
        ] {
            assert!(found.contains(&expected), "{expected:?} not in {found:?}");
        }
    }

    #[test]
    fn insurance_operations_are_checked_against_the_insurance_spec() {
        let spec = Spec::load().expect("spec");
        let insurance =
            |id: &str| Operation::by_id(served::INSURANCE_OPERATIONS, id).expect("served");
        let mut out = Vec::new();
        let body = json!({
            "solutionCode": "WARRANTY", "quoteId": "q", "insuranceId": "i",
            "merchantBasketId": "b", "merchantBuyerId": "u", "merchantGlobalOrderId": "o",
            "producerQuoteExpirationDate": "18/10/2024", "producerQuoteInsurancePrice": 84.9,
            "buyer": {"contact": {"firstName": "C", "lastName": "L",
                                  "email": "Camille@", "mobilePhoneNumber": "0687654321"}},
            "insuredItem": {"id": "i", "label": "l", "brandName": "b", "price": 649.99,
                            "currencyCode": "EUR", "category": "c", "insurancePrice": 84.9}
        });
        spec.check_body(insurance("createInsuranceSubscription"), &body, &mut out);
        assert_eq!(
            codes(&out),
            [
                ("INVALID_FORMAT", "buyer.contact.email"),
                ("INVALID_FORMAT", "buyer.contact.mobilePhoneNumber"),
                ("INVALID_FORMAT", "producerQuoteExpirationDate"),
                ("INVALID_FORMAT", "solutionCode"),
            ],
            "patterns and the date format"
        );
        // The same operationId in e-financing takes that spec's parameters.
        out.clear();
        spec.check_query(
            insurance("getEligibleProductServices"),
            &Vec::new(),
            &mut out,
        );
        assert_eq!(codes(&out), [("MISSING_FIELD", "buyerBillingCountry")]);
    }

    #[test]
    fn dates_and_1_7_names() {
        assert!(is_date("1986-09-23"));
        assert!(!is_date("1986-09-23T00:00:00.000Z"));
        assert!(!is_date("1986-9-23"));
        assert!(!is_date("1986-02-30"));
        assert!(is_name("Anne-Sophie"));
        assert!(!is_name("   "));
        assert!(!is_name("R2D2"));
    }

    #[test]
    fn query_parameters_are_typed() {
        let spec = Spec::load().expect("spec");
        let mut out = Vec::new();
        let query = vec![
            ("page".to_string(), "two".to_string()),
            ("pageSize".to_string(), "99999999999".to_string()),
        ];
        spec.check_query(
            op("retrieveCreditSubscriptionForSpecificMerchant"),
            &query,
            &mut out,
        );
        assert_eq!(
            codes(&out),
            [("INVALID_TYPE", "page"), ("INVALID_VALUE", "pageSize")]
        );
        out.clear();
        spec.check_query(op("getEligibleProductServices"), &Vec::new(), &mut out);
        assert_eq!(
            codes(&out),
            [
                ("MISSING_FIELD", "buyerBillingCountry"),
                ("MISSING_FIELD", "financedAmount")
            ]
        );
    }

    #[test]
    fn worded_rules() {
        let rules = RuleTable::standard();
        let mut out = Vec::new();
        let body = json!({
            "solutionCode": "SCFRSP-4XTS",
            "financedAmount": 10.001,
            "buyers": [{
                "contact": {"firstName": "R2D2", "lastName": "  ", "email": "no-at-sign",
                            "mobilePhoneNumber": "+4915112345678", "phoneNumber": "0478123456"},
                "billingAddress": {"countryCode": "fr"}
            }]
        });
        check_subscription(&body, Some("de-DE"), &rules, &mut out);
        assert_eq!(
            codes(&out),
            [
                ("INVALID_AMOUNT", "financedAmount"),
                ("INVALID_LANGUAGE", "language"),
                ("INVALID_NAME", "buyers[0].contact.firstName"),
                ("INVALID_NAME", "buyers[0].contact.lastName"),
                ("INVALID_EMAIL", "buyers[0].contact.email"),
                (
                    "INVALID_PHONE_NUMBER",
                    "buyers[0].contact.mobilePhoneNumber"
                ),
                ("INVALID_PHONE_NUMBER", "buyers[0].contact.phoneNumber"),
                (
                    "INVALID_COUNTRY_CODE",
                    "buyers[0].billingAddress.countryCode"
                ),
            ]
        );
    }

    #[test]
    fn emails_and_phones() {
        assert!(is_email("claire.martin@example.fr"));
        assert!(is_email("c_m+shop-1@mail.example.co.uk"));
        assert!(!is_email("claire@localhost"));
        assert!(
            !is_email("Claire.Martin@example.fr"),
            "lower case only since 1.7"
        );
        assert!(
            !is_email("claire@example.f"),
            "the last label has two characters or more"
        );
        assert!(!is_email("claire@example-.fr"));
        assert!(!is_email("claire@@example.fr"));
        assert!(is_email(&format!("{}@example.fr", "a".repeat(64))));
        assert!(!is_email(&format!("{}@example.fr", "a".repeat(65))));
        assert!(is_e164("+33612345678"));
        assert!(!is_e164("+33 6 12"));
        assert!(!is_e164("+0123"));
    }
}
