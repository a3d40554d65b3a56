//! The e-financing calls go-live makes, for whichever version it runs on.
//!
//! go-live is written once against [`Gateway`]; `build.rs` invokes `e_financing_gateway!`
//! for every enabled e-financing version whose spec has the operations go-live needs, which
//! implements it with that version's generated client (through the facade) and types.
//! Requests are built as JSON and read into the version's request types, so the spec's
//! constraints are checked before anything is sent; answers are read as JSON.

use scalexpert::{Amount, ApiVersion};
use serde_json::Value;
use std::future::Future;
use std::pin::Pin;

/// A call in flight.
pub type Call<'a, T> = Pin<Box<dyn Future<Output = scalexpert::Result<T>> + 'a>>;

/// Makes a version's [`Gateway`] from a client.
pub type Connect = fn(scalexpert::Client) -> Box<dyn Gateway>;

/// A subscription as created.
#[derive(Debug, Clone)]
pub struct Created {
    /// Its id.
    pub id: uuid::Uuid,
    /// Where the buyer's journey starts, when the gateway gave one.
    pub redirect: Option<String>,
}

/// The e-financing operations go-live uses.
pub trait Gateway {
    /// The version it speaks.
    fn api(&self) -> ApiVersion;
    /// The solution codes offered to a buyer of `country` for `amount`.
    fn eligible<'a>(&'a self, country: &'a str, amount: Amount) -> Call<'a, Vec<String>>;
    /// Creates a subscription from `application` (the request body as JSON).
    fn create<'a>(&'a self, application: Value, language: &'a str) -> Call<'a, Created>;
    /// The subscription as the gateway reports it (`retrieveCreditSubscription`), as JSON.
    fn status(&self, id: uuid::Uuid) -> Call<'_, Value>;
    /// Cancels `amount` (everything left when `None`); the answer as JSON.
    fn cancel(&self, id: uuid::Uuid, amount: Option<Amount>) -> Call<'_, Value>;
    /// Reports the goods delivered.
    fn confirm_delivery(&self, id: uuid::Uuid) -> Call<'_, ()>;
    /// Reports the goods returned.
    fn confirm_return(&self, id: uuid::Uuid) -> Call<'_, ()>;
}

/// An answer as JSON (answers always serialise; a failure would be a generator bug).
pub fn to_json<T: serde::Serialize>(value: &T) -> scalexpert::Result<Value> {
    serde_json::to_value(value).map_err(|e| scalexpert::Error::Decode {
        status: None,
        message: format!("answer does not serialise: {e}"),
        excerpt: String::new(),
    })
}

/// A request body from JSON, checked by the version's request type.
pub fn from_json<T: serde::de::DeserializeOwned>(
    what: &str,
    value: Value,
) -> scalexpert::Result<T> {
    serde_json::from_value(value)
        .map_err(|e| scalexpert::Error::InvalidRequest(format!("{what}: {e}")))
}

/// Implements [`Gateway`] for one e-financing version (`scalexpert::e_financing::vX_Y_Z`) and
/// defines `go_live_gateway`, its [`Connect`].
macro_rules! e_financing_gateway {
    ($($client:ident)::+) => {
        struct GoLiveGateway(::scalexpert::Client);

        /// This version's go-live calls.
        pub(crate) fn go_live_gateway(
            client: ::scalexpert::Client,
        ) -> ::std::boxed::Box<dyn $crate::go_live::gateway::Gateway> {
            ::std::boxed::Box::new(GoLiveGateway(client))
        }

        impl GoLiveGateway {
            fn client(&self) -> $($client)::+::Client {
                self.0.api::<$($client)::+::Client>()
            }
        }

        impl $crate::go_live::gateway::Gateway for GoLiveGateway {
            fn api(&self) -> ::scalexpert::ApiVersion {
                $($client)::+::API
            }

            fn eligible<'a>(
                &'a self,
                country: &'a str,
                amount: ::scalexpert::Amount,
            ) -> $crate::go_live::gateway::Call<'a, ::std::vec::Vec<::std::string::String>> {
                ::std::boxed::Box::pin(async move {
                    let answer = self.client()
                        .get_eligible_product_services()
                        .buyer_billing_country(country)
                        .financed_amount(amount)
                        .send()
                        .await?;
                    let answer = $crate::go_live::gateway::to_json(&*answer)?;
                    Ok(answer["solutions"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|s| s["solutionCode"].as_str().map(str::to_string))
                        .collect())
                })
            }

            fn create<'a>(
                &'a self,
                application: ::serde_json::Value,
                language: &'a str,
            ) -> $crate::go_live::gateway::Call<'a, $crate::go_live::gateway::Created> {
                ::std::boxed::Box::pin(async move {
                    let body: $($client)::+::types::InitiateCreditSubscriptionRequest =
                        $crate::go_live::gateway::from_json("application", application)?;
                    let answer = self.client()
                        .initiate_credit_subscription()
                        .language(language)
                        .body(body)
                        .send()
                        .await?;
                    let answer = $crate::go_live::gateway::to_json(&*answer)?;
                    let id = answer["id"]
                        .as_str()
                        .and_then(|id| id.parse().ok())
                        .ok_or_else(|| ::scalexpert::Error::Decode {
                            status: None,
                            message: "the creation answer has no subscription id".into(),
                            excerpt: ::std::string::String::new(),
                        })?;
                    Ok($crate::go_live::gateway::Created {
                        id,
                        redirect: answer["redirect"]["value"].as_str().map(str::to_string),
                    })
                })
            }

            fn status(&self, id: ::uuid::Uuid) -> $crate::go_live::gateway::Call<'_, ::serde_json::Value> {
                ::std::boxed::Box::pin(async move {
                    let answer = self.client()
                        .retrieve_credit_subscription()
                        .credit_subscription_id(id)
                        .send()
                        .await?;
                    $crate::go_live::gateway::to_json(&*answer)
                })
            }

            fn cancel(
                &self,
                id: ::uuid::Uuid,
                amount: ::std::option::Option<::scalexpert::Amount>,
            ) -> $crate::go_live::gateway::Call<'_, ::serde_json::Value> {
                ::std::boxed::Box::pin(async move {
                    let body = match amount {
                        Some(amount) => ::serde_json::json!({ "cancelledAmount": amount }),
                        None => ::serde_json::json!({}),
                    };
                    let body: $($client)::+::types::CreditCancellationDto =
                        $crate::go_live::gateway::from_json("cancellation", body)?;
                    let answer = self.client()
                        .cancel_credit_subscription()
                        .credit_subscription_id(id)
                        .body(body)
                        .send()
                        .await?;
                    $crate::go_live::gateway::to_json(&*answer)
                })
            }

            fn confirm_delivery(&self, id: ::uuid::Uuid) -> $crate::go_live::gateway::Call<'_, ()> {
                ::std::boxed::Box::pin(async move {
                    let body: $($client)::+::types::ConfirmDeliveryRequest =
                        $crate::go_live::gateway::from_json(
                            "delivery",
                            ::serde_json::json!({ "isDelivered": true }),
                        )?;
                    self.client()
                        .do_confirm_delivery()
                        .credit_subscription_id(id)
                        .body(body)
                        .send()
                        .await?;
                    Ok(())
                })
            }

            fn confirm_return(&self, id: ::uuid::Uuid) -> $crate::go_live::gateway::Call<'_, ()> {
                ::std::boxed::Box::pin(async move {
                    let body: $($client)::+::types::ConfirmReturnRequest =
                        $crate::go_live::gateway::from_json(
                            "return",
                            ::serde_json::json!({ "isReturned": true }),
                        )?;
                    self.client()
                        .do_confirm_return()
                        .credit_subscription_id(id)
                        .body(body)
                        .send()
                        .await?;
                    Ok(())
                })
            }
        }
    };
}

pub(crate) use e_financing_gateway;

/// The versions go-live can run on (oldest first), and the one to use: `requested` if it is
/// one of them, else the newest.
pub fn select(requested: Option<&str>) -> Result<&'static (ApiVersion, Connect), String> {
    let all = crate::generated::GO_LIVE;
    let listed = || {
        all.iter()
            .map(|(api, _)| api.version)
            .collect::<Vec<_>>()
            .join(", ")
    };
    match requested {
        Some(version) => all
            .iter()
            .find(|(api, _)| api.version == version)
            .ok_or_else(|| {
                format!(
                    "go-live runs on e-financing {}; not on {version}",
                    if all.is_empty() {
                        "(none built in)".to_string()
                    } else {
                        listed()
                    }
                )
            }),
        None => all
            .last()
            .ok_or_else(|| "no e-financing version built in runs go-live".to_string()),
    }
}
