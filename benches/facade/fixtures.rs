//! What the server answers and the client sends, taken from the examples of our 1.6.6 spec so
//! that both sides of every comparison handle the documented shapes.

use serde_json::{json, Value};

/// The examples of the spec, read once.
pub struct Fixtures {
    /// `POST /subscriptions` request body: one buyer with every contact and address, a basket.
    pub subscription_request: Value,
    /// `GET /eligible-solutions` answer: three solutions, each with its communication kit.
    pub eligible: Vec<u8>,
    /// `POST /subscriptions` answer.
    pub created: Vec<u8>,
    /// `GET /subscriptions` answer holding 1 000 subscriptions.
    pub list_page: Vec<u8>,
    /// The `buyerFinancedAmount` of each subscription of the page, as one JSON array.
    pub page_amounts: Vec<u8>,
    /// The token endpoint's answer.
    pub token: Vec<u8>,
}

/// Subscriptions on the list page of the decoding benchmark.
pub const PAGE_SIZE: usize = 1_000;

impl Fixtures {
    pub fn load() -> Fixtures {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/specs/e-financing/1.6.6/uatc.yaml"
        );
        let text = std::fs::read_to_string(path).expect("our spec");
        let spec: Value = serde_yaml_ng::from_str(&text).expect("valid YAML");
        let example = |pointer: &str| {
            spec.pointer(pointer)
                .cloned()
                .unwrap_or_else(|| panic!("the spec has an example at {pointer}"))
        };
        let json_example = |path: &str, method: &str, status: &str| {
            example(&format!(
                "/paths/{}/{method}/responses/{status}/content/application~1json/example",
                path.replace('/', "~1")
            ))
        };

        // The gateway offers a few solutions at once (split payment and long-term credit).
        let eligible_example = json_example("/eligible-solutions", "get", "200");
        let one = eligible_example
            .pointer("/solutions/0")
            .cloned()
            .expect("one solution in the example");
        let solutions: Vec<Value> = ["SCFRSP-3XTS", "SCFRSP-4XTS", "SCFRLT-TXPS"]
            .iter()
            .map(|code| {
                let mut solution = one.clone();
                solution["solutionCode"] = json!(code);
                solution["communicationKit"]["solutionCode"] = json!(code);
                solution
            })
            .collect();

        let list_example = json_example("/subscriptions", "get", "200");
        let item = list_example
            .pointer("/subscriptions/0")
            .cloned()
            .expect("one subscription in the example");
        let statuses = ["ACCEPTED", "INITIALIZED", "PRE_ACCEPTED", "REJECTED"];
        // Amounts of whole euros and of cents, as a page of real subscriptions has.
        let amount = |i: usize| json!(100.0 + i as f64 * 1.25);
        let page: Vec<Value> = (0..PAGE_SIZE)
            .map(|i| {
                let mut s = item.clone();
                s["creditSubscriptionId"] = json!(format!("73a91eda-b559-46d1-b2a3-{i:012x}"));
                s["merchantBasketId"] = json!(format!("BSK-{i:05}"));
                s["merchantGlobalOrderId"] = json!(format!("ORD-2024-{i:06}"));
                s["buyerFinancedAmount"] = amount(i);
                s["consolidatedStatus"] = json!(statuses[i % statuses.len()]);
                s
            })
            .collect();

        Fixtures {
            subscription_request: example(
                "/paths/~1subscriptions/post/requestBody/content/application~1json/example",
            ),
            eligible: serde_json::to_vec(&json!({ "solutions": solutions })).expect("JSON"),
            created: serde_json::to_vec(&json_example("/subscriptions", "post", "201"))
                .expect("JSON"),
            list_page: serde_json::to_vec(
                &json!({ "totalItemCount": 4_711, "subscriptions": page }),
            )
            .expect("JSON"),
            page_amounts: serde_json::to_vec(&(0..PAGE_SIZE).map(amount).collect::<Vec<_>>())
                .expect("JSON"),
            token: serde_json::to_vec(&json!({
                "access_token": "tok-bench-0123456789abcdef0123456789abcdef",
                "token_type": "Bearer",
                "expires_in": 900,
            }))
            .expect("JSON"),
        }
    }
}
