//! How a rule states its judgement: a class, what breaks (compilation, run time, both), a
//! stable rule name and a one-line reason.

use super::{ChangeClass, Effect, Side};

/// The class, effect, rule and reason a rule gives one change.
pub(super) struct Verdict {
    pub(super) class: ChangeClass,
    pub(super) effect: Effect,
    pub(super) rule: &'static str,
    pub(super) reason: String,
}

impl Verdict {
    /// The same verdict, breaking compilation too (a generated type or field changes).
    pub(super) fn and_compile(mut self, why: &str) -> Verdict {
        self.effect = match self.effect {
            Effect::Runtime | Effect::CompileAndRuntime => Effect::CompileAndRuntime,
            Effect::Compile | Effect::None => Effect::Compile,
        };
        self.class = ChangeClass::Breaking;
        self.reason = format!("{}; {why}", self.reason);
        self
    }
}

fn breaking(effect: Effect, rule: &'static str, reason: impl Into<String>) -> Verdict {
    Verdict {
        class: ChangeClass::Breaking,
        effect,
        rule,
        reason: reason.into(),
    }
}

/// Code written against the older module may stop compiling against the newer one.
pub(super) fn compile(rule: &'static str, reason: impl Into<String>) -> Verdict {
    breaking(Effect::Compile, rule, reason)
}

/// The older client may fail against a server that follows the newer spec.
pub(super) fn runtime(rule: &'static str, reason: impl Into<String>) -> Verdict {
    breaking(Effect::Runtime, rule, reason)
}

/// Both [`compile`] and [`runtime`].
pub(super) fn compile_and_runtime(rule: &'static str, reason: impl Into<String>) -> Verdict {
    breaking(Effect::CompileAndRuntime, rule, reason)
}

pub(super) fn non_breaking(rule: &'static str, reason: impl Into<String>) -> Verdict {
    Verdict {
        class: ChangeClass::NonBreaking,
        effect: Effect::None,
        rule,
        reason: reason.into(),
    }
}

pub(super) fn info(rule: &'static str, reason: impl Into<String>) -> Verdict {
    Verdict {
        class: ChangeClass::Info,
        effect: Effect::None,
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
