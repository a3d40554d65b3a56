//! The pages a person sees: the lender's journey stand-in and the merchant kit's assets.

use super::lifecycle::{JourneyOutcome, Status, Subscription};
use super::simulation;
use super::validation::Violation;
use serde_json::Value;

/// The policy of every page: nothing runs, nothing loads from elsewhere, forms post only back
/// to the sandbox, and no other site may frame it.
pub(crate) const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; \
img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Where the pages' stylesheet is served: a file of its own, so the policy needs no inline style.
pub(crate) const STYLESHEET_PATH: &str = "/sandbox/style.css";

/// The pages' look.
pub(crate) const STYLESHEET: &str =
    "body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;\
padding:0 1rem;color:#1d1d1f}dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem}\
dt{font-weight:600}form{display:inline-block;margin:.3rem .5rem .3rem 0}button{font-size:1rem;\
padding:.5rem 1rem;cursor:pointer}.note{color:#555;font-size:.9rem}";

/// Escapes text for HTML content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

fn document(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width\"><title>{}</title>\
<link rel=\"stylesheet\" href=\"{STYLESHEET_PATH}\"></head><body><main>{body}</main></body></html>",
        escape(title)
    )
}

fn facts(s: &Subscription) -> String {
    format!(
        "<dl><dt>Solution</dt><dd>{}</dd><dt>Amount</dt><dd>{:.2} EUR</dd>\
<dt>Order</dt><dd>{}</dd><dt>Status</dt><dd>{} ({})</dd></dl>",
        escape(&s.solution_code),
        simulation::eur(s.financed),
        escape(&s.merchant_global_order_id),
        s.status,
        escape(s.status.substatus()),
    )
}

/// Whether `url` may become the page's way back to the merchant: an absolute `http(s)` URL.
/// Anything else (`javascript:`, `data:`) would run in the sandbox's origin when clicked.
fn is_web_url(url: &str) -> bool {
    reqwest::Url::parse(url)
        .is_ok_and(|url| matches!(url.scheme(), "http" | "https") && url.has_host())
}

/// Refuses a `merchantUrls.confirmation` of a creation that is not an `http(s)` URL.
pub(crate) fn check_return_url(body: &Value, out: &mut Vec<Violation>) {
    let url = body
        .get("merchantUrls")
        .and_then(|urls| urls.get("confirmation"))
        .and_then(Value::as_str);
    if let Some(url) = url {
        if !is_web_url(url) {
            out.push(Violation::new(
                "INVALID_FORMAT",
                "merchantUrls.confirmation",
                "must be an absolute http or https URL",
            ));
        }
    }
}

/// The way back to the merchant, if its URL is one a link may take.
fn back_link(s: &Subscription) -> String {
    if is_web_url(&s.confirmation_url) {
        format!(
            "<a href=\"{}\">Back to the merchant</a>",
            escape(&s.confirmation_url)
        )
    } else {
        String::new()
    }
}

/// The journey page: what is being financed and one button per way the journey can end.
pub(crate) fn page(s: &Subscription, token: &str) -> String {
    let choices: &[(JourneyOutcome, &str)] = match s.status {
        Status::Initialized | Status::Requested => &[
            (JourneyOutcome::Accepted, "Accept"),
            (JourneyOutcome::PreAccepted, "Pre-accept"),
            (JourneyOutcome::Rejected, "Reject"),
            (JourneyOutcome::Aborted, "Abort (buyer leaves)"),
        ],
        Status::PreAccepted => &[
            (JourneyOutcome::Accepted, "Accept"),
            (JourneyOutcome::Rejected, "Reject"),
        ],
        _ => &[],
    };
    let buttons: String = choices
        .iter()
        .map(|(outcome, label)| {
            format!(
                "<form method=\"post\" action=\"/sandbox/journey/{}/{}\"><button>{label}</button></form>",
                escape(token),
                outcome.segment()
            )
        })
        .collect();
    let next = if buttons.is_empty() {
        format!("<p>This journey is over. {}</p>", back_link(s))
    } else {
        format!("<p>How does the application end?</p>{buttons}")
    };
    document(
        "Scalexpert sandbox: financing journey",
        &format!(
            "<h1>Financing journey (sandbox)</h1><p class=\"note\">This page stands in for the \
lender's pages. Nothing here is a real credit.</p>{}{next}",
            facts(s)
        ),
    )
}

/// The page after a choice: the new status and the way back to the merchant.
pub(crate) fn outcome_page(s: &Subscription) -> String {
    document(
        "Scalexpert sandbox: journey finished",
        &format!(
            "<h1>Application {}</h1>{}<p>{}</p>",
            s.status,
            facts(s),
            back_link(s)
        ),
    )
}

/// The page for a refused choice or an unknown journey.
pub(crate) fn problem_page(message: &str) -> String {
    document(
        "Scalexpert sandbox: journey",
        &format!("<h1>Not possible</h1><p>{}</p>", escape(message)),
    )
}

/// A merchant-kit asset: a small SVG for images, an HTML page for documents.
pub(crate) fn kit_asset(code: &str, file: &str) -> Option<(&'static str, String)> {
    let label = match file {
        "logo.svg" => code.to_string(),
        "info.svg" => "i".to_string(),
        "table.svg" => format!("{code} plan"),
        "notice" | "terms" => {
            let title = if file == "notice" {
                "Information notice"
            } else {
                "Product terms"
            };
            let body = format!(
                "<h1>{title}: {}</h1><p>Placeholder document of the Scalexpert sandbox.</p>",
                escape(code)
            );
            return Some(("text/html; charset=utf-8", document(title, &body)));
        }
        _ => return None,
    };
    let svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"160\" height=\"40\" viewBox=\"0 0 160 40\">\
<rect width=\"160\" height=\"40\" rx=\"6\" fill=\"#e9002d\"/><text x=\"80\" y=\"25\" \
font-family=\"sans-serif\" font-size=\"13\" fill=\"#fff\" text-anchor=\"middle\">{}</text></svg>",
        escape(&label)
    );
    Some(("image/svg+xml", svg))
}

#[cfg(test)]
mod tests {
    use super::super::lifecycle::tests::subscription;
    use super::*;

    #[test]
    fn pages_escape_merchant_text() {
        let mut s = subscription(false);
        s.merchant_global_order_id = "<script>alert(1)</script>".into();
        let html = page(&s, "tok");
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;"));
        assert!(html.contains("/sandbox/journey/tok/accept"));
        assert!(html.contains("/sandbox/journey/tok/abort"));
    }

    #[test]
    fn finished_journeys_offer_no_choice() {
        let mut s = subscription(false);
        s.status = Status::Accepted;
        let html = page(&s, "tok");
        assert!(!html.contains("<form"));
        assert!(html.contains("https://shop.test/back"));
    }

    #[test]
    fn only_web_urls_become_links() {
        let mut s = subscription(false);
        s.status = Status::Accepted;
        s.confirmation_url = "javascript://x/%0aalert(document.domain)".into();
        assert!(!page(&s, "tok").contains("javascript"));
        assert!(!outcome_page(&s).contains("href=\"javascript"));
        let mut refused = Vec::new();
        let body = serde_json::json!({"merchantUrls": {"confirmation": s.confirmation_url}});
        check_return_url(&body, &mut refused);
        assert_eq!(refused.len(), 1);
        assert_eq!(refused[0].field, "merchantUrls.confirmation");
        for fine in ["https://shop.test/back", "http://127.0.0.1:3000/ok?x=1"] {
            let mut none = Vec::new();
            check_return_url(
                &serde_json::json!({"merchantUrls": {"confirmation": fine}}),
                &mut none,
            );
            assert!(none.is_empty(), "{fine}");
        }
    }

    #[test]
    fn pages_load_nothing_inline() {
        let html = page(&subscription(false), "tok");
        assert!(!html.contains("<style") && !html.contains("<script"));
        assert!(html.contains(STYLESHEET_PATH));
    }

    #[test]
    fn kit_assets() {
        assert_eq!(
            kit_asset("X", "logo.svg").map(|a| a.0),
            Some("image/svg+xml")
        );
        assert!(kit_asset("X", "terms").is_some_and(|a| a.1.contains("Product terms")));
        assert!(kit_asset("X", "../etc/passwd").is_none());
    }
}
