//! A checkout journey. Needs `SCALEXPERT_CLIENT_ID` and `SCALEXPERT_CLIENT_SECRET` for UATC;
//! without them it explains what it would do and exits.
#[tokio::main]
async fn main() -> Result<(), scalexpert::Error> {
    if std::env::var_os("SCALEXPERT_CLIENT_ID").is_none() {
        println!("No SCALEXPERT_CLIENT_ID: the offline sandbox is not built yet; nothing to call.");
        return Ok(());
    }
    let client = scalexpert::Client::from_env()?;
    let solutions = client
        .e_financing_v1_6_6()
        .get_eligible_product_services()
        .buyer_billing_country("FR")
        .financed_amount(1500.0)
        .send()
        .await?;
    println!("{} eligible solutions", solutions.solutions.len());
    Ok(())
}
