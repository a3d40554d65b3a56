//! The same calls written by hand with reqwest and serde_json, as a careful integrator would:
//! plain structs with the fields the spec lists, one token fetched up front and reused, a
//! client-wide timeout, the same headers and query as the generated client sends.

use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION};
use serde::{Deserialize, Serialize};
use std::time::Duration;

pub struct Handwritten {
    http: reqwest::Client,
    base: String,
    authorization: HeaderValue,
}

impl Handwritten {
    /// Fetches a token from `root`'s token endpoint, once.
    pub async fn connect(root: &str) -> Handwritten {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(30))
            .build()
            .expect("reqwest client");
        let token: TokenResponse = http
            .post(format!("{root}/auth-server/api/v1/oauth2/token"))
            .basic_auth("bench-client", Some("bench-secret"))
            .form(&[
                ("grant_type", "client_credentials"),
                ("scope", "e-financing:rw"),
            ])
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .expect("token answered")
            .json()
            .await
            .expect("token decoded");
        let authorization = HeaderValue::try_from(format!("Bearer {}", token.access_token))
            .expect("token is a header value");
        Handwritten {
            http,
            base: format!("{root}/e-financing/api/v1"),
            authorization,
        }
    }

    /// `GET /eligible-solutions?buyerBillingCountry=FR&financedAmount=1500`.
    pub async fn eligible(&self) -> reqwest::Result<SolutionsResponseList> {
        self.http
            .get(format!("{}/eligible-solutions", self.base))
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .header("api-version", HeaderValue::from_static("1.6.6"))
            .header(AUTHORIZATION, self.authorization.clone())
            .query(&[("buyerBillingCountry", "FR")])
            .query(&[("financedAmount", 1500.0)])
            .send()
            .await?
            .error_for_status()?
            .json()
            .await
    }

    /// `POST /subscriptions?language=fr` with `request` as the body.
    pub async fn subscribe(
        &self,
        request: &SubscriptionRequest,
    ) -> reqwest::Result<SubscriptionCreated> {
        self.http
            .post(format!("{}/subscriptions", self.base))
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .header("api-version", HeaderValue::from_static("1.6.6"))
            .header(AUTHORIZATION, self.authorization.clone())
            .query(&[("language", "fr")])
            .json(request)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SolutionsResponseList {
    #[serde(default)]
    pub solutions: Vec<Solution>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Solution {
    pub solution_code: String,
    pub family_code: String,
    pub market_code: String,
    pub conditions: String,
    pub communication_kit: CommunicationKit,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommunicationKit {
    pub solution_code: String,
    pub visual_title: Option<String>,
    pub visual_description: Option<String>,
    pub visual_information_icon: String,
    pub visual_additional_information: String,
    pub visual_legal_text: Option<String>,
    pub visual_table_image: Option<String>,
    pub visual_logo: Option<String>,
    #[serde(rename = "visualInformationNoticeURL")]
    pub visual_information_notice_url: Option<String>,
    #[serde(rename = "visualProductTermsURL")]
    pub visual_product_terms_url: Option<String>,
}

#[derive(Deserialize, Serialize, Clone)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionRequest {
    pub solution_code: String,
    pub merchant_basket_id: String,
    pub merchant_global_order_id: String,
    pub merchant_buyer_id: String,
    pub financed_amount: f64,
    pub merchant_urls: MerchantUrls,
    pub buyers: Vec<Buyer>,
    pub basket_details: BasketDetails,
}

#[derive(Deserialize, Serialize, Clone)]
pub struct MerchantUrls {
    pub confirmation: String,
}

#[derive(Deserialize, Serialize, Clone)]
#[serde(rename_all = "camelCase")]
pub struct Buyer {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birth_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birth_city_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birth_country_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery_method: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_date_purchase: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vip: Option<bool>,
    pub contact: Contact,
    pub contact_address: Address,
    pub billing_contact: Contact,
    pub billing_address: Address,
    pub delivery_contact: Contact,
    pub delivery_address: Address,
}

#[derive(Deserialize, Serialize, Clone)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    pub first_name: String,
    pub last_name: String,
    pub common_title: String,
    pub email: String,
    pub mobile_phone_number: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub professional_title: Option<String>,
}

#[derive(Deserialize, Serialize, Clone)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    pub location_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street_number: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street_number_suffix: Option<String>,
    pub street_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street_name_complement: Option<String>,
    pub zip_code: String,
    pub city_name: String,
    pub region_name: String,
    pub country_code: String,
}

#[derive(Deserialize, Serialize, Clone)]
#[serde(rename_all = "camelCase")]
pub struct BasketDetails {
    pub basket_items: Vec<BasketItem>,
}

#[derive(Deserialize, Serialize, Clone)]
#[serde(rename_all = "camelCase")]
pub struct BasketItem {
    pub id: String,
    pub quantity: i32,
    pub model: String,
    pub label: String,
    pub price: f64,
    pub currency_code: String,
    pub order_id: String,
    pub brand_name: String,
    pub description: String,
    pub specifications: String,
    pub category: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    pub is_financed: bool,
}

#[derive(Deserialize)]
pub struct SubscriptionCreated {
    pub id: String,
    pub redirect: Option<Redirect>,
}

#[derive(Deserialize)]
pub struct Redirect {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub value: Option<String>,
}

/// One page of `GET /subscriptions`, minimal: the spec's fields in plain types.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionPage {
    pub total_item_count: i32,
    pub subscriptions: Vec<Subscription>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    pub credit_subscription_id: String,
    pub registration_timestamp: String,
    pub last_update_timestamp: String,
    pub solution_code: String,
    pub market_type_code: String,
    pub implementation_code: Option<String>,
    pub merchant_basket_id: String,
    pub merchant_global_order_id: String,
    pub buyer_financed_amount: f64,
    pub consolidated_status: String,
    pub consolidated_substatus: Option<String>,
    pub cancellation_already_made: bool,
    pub cancellation_status: Option<String>,
    pub is_delivered: Option<bool>,
    pub is_returned: Option<bool>,
}

/// The same page with the field types the generated code uses for `format: uuid` and
/// `format: date-time`: what decoding costs once timestamps are parsed rather than kept as text.
/// `A` is the amount's type: `f64`, as before money became decimals, or `scalexpert::Amount`,
/// as the generated types hold it; the two differ in nothing else.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TypedSubscriptionPage<A> {
    pub total_item_count: i32,
    pub subscriptions: Vec<TypedSubscription<A>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TypedSubscription<A> {
    pub credit_subscription_id: uuid::Uuid,
    pub registration_timestamp: chrono::DateTime<chrono::Utc>,
    pub last_update_timestamp: chrono::DateTime<chrono::Utc>,
    pub solution_code: String,
    pub market_type_code: String,
    pub implementation_code: Option<String>,
    pub merchant_basket_id: String,
    pub merchant_global_order_id: String,
    pub buyer_financed_amount: A,
    pub consolidated_status: String,
    pub consolidated_substatus: Option<String>,
    pub cancellation_already_made: bool,
    pub cancellation_status: Option<String>,
    pub is_delivered: Option<bool>,
    pub is_returned: Option<bool>,
}
