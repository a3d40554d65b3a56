//! Enum values added or removed, judged by side; on the response side, by whether our
//! generated field is an `OpenEnum` (rule `open_response_enums`) or a closed enum.

use super::context::{show, At, Classifier};
use super::verdict::{by_side, compile, compile_and_runtime, non_breaking, runtime};
use crate::diff::DifferenceKind;
use serde_json::Value;

impl Classifier<'_> {
    pub(super) fn compare_enum(&mut self, old: &Value, new: &Value, at: &At) {
        let empty = Vec::new();
        let a = old.as_array().unwrap_or(&empty);
        let b = new.as_array().unwrap_or(&empty);
        let side = at.side();
        let open = self.open_enums.contains(&at.old_ptr);
        for value in a.iter().filter(|v| !b.contains(v)) {
            let shown = show(Some(value));
            let verdict = by_side(
                side,
                || {
                    compile_and_runtime(
                    "request-enum-value-removed",
                    format!("value `{shown}` is no longer accepted: requests using it are refused and its variant disappears"),
                )
                },
                || {
                    compile(
                    "response-enum-value-removed",
                    format!("value `{shown}` is no longer sent: its variant disappears from the generated enum, so code naming it stops compiling"),
                )
                },
            );
            self.emit(
                at,
                Some("enum"),
                DifferenceKind::Removed,
                verdict,
                Some(value.clone()),
                None,
            );
        }
        for value in b.iter().filter(|v| !a.contains(v)) {
            let shown = show(Some(value));
            let verdict = by_side(
                side,
                || {
                    non_breaking(
                        "request-enum-value-added",
                        format!(
                            "value `{shown}` is now accepted: a new variant the client may send"
                        ),
                    )
                },
                || {
                    if open {
                        non_breaking(
                            "response-enum-value-added-open",
                            format!("value `{shown}` may now be received: our generated field is an OpenEnum, so the old client decodes it as Unknown"),
                        )
                    } else {
                        runtime(
                            "response-enum-value-added-closed",
                            format!("value `{shown}` may now be received: the generated enum is closed, so the old client fails to decode it"),
                        )
                    }
                },
            );
            self.emit(
                at,
                Some("enum"),
                DifferenceKind::Added,
                verdict,
                None,
                Some(value.clone()),
            );
        }
    }
}
