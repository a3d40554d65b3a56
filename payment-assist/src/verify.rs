//! Why something Payment Assist sent us was not accepted.

/// A return URL or webhook that did not verify. Nothing in it should be acted on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// There is no signature (or more than one).
    #[error("no single signature: {0}")]
    Unsigned(&'static str),
    /// The signature is not the one the dealer's secret gives: the parameters were altered,
    /// or signed for another dealer.
    #[error("the signature does not match the parameters")]
    Mismatch,
    /// The return URL lacks a query parameter of the URL given to `begin`, so the appended
    /// parameters cannot be told apart from the merchant's own.
    #[error("the return URL lacks the configured URL's own parameter {0:?}")]
    OwnParameterMissing(String),
    /// Verified, but not in the documented shape (or not readable at all).
    #[error("malformed: {0}")]
    Malformed(String),
}
