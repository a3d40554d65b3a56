//! The `{status, msg, data}` wrapping of every answer.

/// A success answer's envelope, whose `data` is what the call returns.
///
/// `build.rs` implements it for each operation's generated envelope type (`BeginEnvelope`,
/// `StatusEnvelope`, …); the transport has already turned every `status: "error"` into an
/// [`crate::Error`], so reaching the data is all that is left:
///
/// ```no_run
/// # async fn demo(dealer: payment_assist::Dealer) -> payment_assist::Result<()> {
/// use payment_assist::Enveloped;
/// let account = dealer.api().account().send().await?.into_data();
/// println!("{} offers {} plan types", account.display_name, account.plans.len());
/// # Ok(()) }
/// ```
pub trait Enveloped {
    /// What the envelope carries.
    type Data;
    /// The envelope's `data`.
    fn into_data(self) -> Self::Data;
}

impl<T: Enveloped> Enveloped for progenitor_client::ResponseValue<T> {
    type Data = T::Data;
    fn into_data(self) -> T::Data {
        self.into_inner().into_data()
    }
}
