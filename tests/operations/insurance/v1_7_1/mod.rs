//! insurance 1.7.1: every operation sends what the spec defines (below `/insurance/api/v1`, with
//! a token asked for `insurance:rw`) and decodes what the spec documents; values breaking the
//! spec are refused before anything is sent.

use crate::support::{operation_ids_of, Gateway, Spec, INSURANCE};
use generated::{types, Client};
use scalexpert::insurance::v1_7_1 as generated;
use std::sync::OnceLock;

mod cancellation;
mod eligibility;
mod items;
mod offers;
mod quotations;
mod subscriptions;

const VERSION: &str = "1.7.1";
/// The subscription id our spec examples use.
const SUBSCRIPTION_ID: &str = "c5c964cd-37dc-4caa-8d57-ca7cf484f1ae";

fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| Spec::new(&INSURANCE, VERSION, generated::SPEC))
}

fn api(gateway: &Gateway) -> Client {
    gateway.client().insurance_v1_7_1()
}

crate::json_bodies!(
    types::CreateItemRequest,
    types::SearchItemInsuranceRequest,
    types::InsuranceQuotationRequest,
    types::CreateInsuranceSubscriptionRequest,
    types::InsuranceCancellationDto,
);

/// The `Error::Api` a call ended with, for answers the spec documents as errors.
fn api_error<T: std::fmt::Debug, E: Into<scalexpert::Error>>(
    result: Result<T, E>,
) -> Box<scalexpert::error::ApiError> {
    match result.map_err(Into::into) {
        Err(scalexpert::Error::Api(error)) => error,
        other => panic!("expected Error::Api, got {other:?}"),
    }
}

#[test]
fn every_operation_of_the_spec_has_tests_here() {
    assert_eq!(
        operation_ids_of(spec(), generated::OPERATIONS),
        [
            "CreateItemRequest",
            "SearchItemInsuranceRequest",
            "cancelInsuranceSubscriptions",
            "createInsuranceQuotation",
            "createInsuranceSubscription",
            "getEligibleProductServices",
            "retrieveInsuranceSubscriptionForSpecificMerchant",
            "retrieveSpecificInsuranceSubscription",
        ]
    );
}
