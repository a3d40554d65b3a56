//! How a rule states its judgement: a class, a stable rule name and a one-line reason.

use super::{ChangeClass, Side};

/// The class, rule and reason a rule gives one change.
pub(super) struct Verdict {
    pub(super) class: ChangeClass,
    pub(super) rule: &'static str,
    pub(super) reason: String,
}

pub(super) fn breaking(rule: &'static str, reason: impl Into<String>) -> Verdict {
    Verdict {
        class: ChangeClass::Breaking,
        rule,
        reason: reason.into(),
    }
}

pub(super) fn non_breaking(rule: &'static str, reason: impl Into<String>) -> Verdict {
    Verdict {
        class: ChangeClass::NonBreaking,
        rule,
        reason: reason.into(),
    }
}

pub(super) fn info(rule: &'static str, reason: impl Into<String>) -> Verdict {
    Verdict {
        class: ChangeClass::Info,
        rule,
        reason: reason.into(),
    }
}

/// A structural change no rule knows: still drift, for a person to review.
pub(super) fn unclassified() -> Verdict {
    non_breaking(
        "unclassified",
        "structural change no rule covers; review it by hand",
    )
}

/// The verdict for `side`: for `Both` (and `Unused`), the stricter of the two.
pub(super) fn by_side(
    side: Side,
    request: impl FnOnce() -> Verdict,
    response: impl FnOnce() -> Verdict,
) -> Verdict {
    match side {
        Side::Request => request(),
        Side::Response => response(),
        Side::Both | Side::Unused => {
            let request = request();
            let response = response();
            if response.class.severity() > request.class.severity() {
                response
            } else {
                request
            }
        }
    }
}
