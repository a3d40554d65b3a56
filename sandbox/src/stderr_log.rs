//! The binary's log: every `tracing` event at or above `--log-level`, one line each on
//! standard error (`2026-12-01T15:04:05.123456Z  INFO target: message key=value ...`).
//!
//! Why not tracing-subscriber: the sandbox logs events only (no spans, no per-target filters,
//! no formats to choose), and Cargo builds a package's normal dependencies for its examples
//! too, so a log crate here would be built by the README's first command
//! (`cargo run -p scalexpert-sandbox --example checkout`), which logs nothing. This subscriber
//! is what the binary needs and nothing more.

use chrono::{SecondsFormat, Utc};
use std::fmt::{self, Write as _};
use std::io::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use tracing::field::{Field, Visit};
use tracing::level_filters::LevelFilter;
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Writes each enabled event as one line on standard error.
pub(crate) struct StderrLog {
    max: LevelFilter,
    next_span: AtomicU64,
}

impl StderrLog {
    /// Events at `max` and more severe are written; [`LevelFilter::OFF`] writes none.
    pub(crate) fn new(max: LevelFilter) -> StderrLog {
        StderrLog {
            max,
            next_span: AtomicU64::new(1),
        }
    }

    /// Makes this the process's subscriber. False if one was already set.
    pub(crate) fn install(self) -> bool {
        tracing::subscriber::set_global_default(self).is_ok()
    }
}

/// One event's text: its message first, then its other fields as `name=value`.
#[derive(Default)]
struct Line {
    message: String,
    fields: String,
}

impl Visit for Line {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        // Writing to a String cannot fail.
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            let _ = write!(self.fields, " {}={value:?}", field.name());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            let _ = write!(self.fields, " {}={value:?}", field.name());
        }
    }
}

/// The line `event` is written as, stamped `now`.
fn format_line(now: &str, event: &Event<'_>) -> String {
    let metadata = event.metadata();
    let mut line = Line::default();
    event.record(&mut line);
    format!(
        "{now} {:>5} {}: {}{}",
        metadata.level(),
        metadata.target(),
        line.message,
        line.fields
    )
}

impl Subscriber for StderrLog {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.level() <= &self.max
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        Some(self.max)
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        // Spans are not shown; each still needs an id of its own (never 0).
        Id::from_u64(self.next_span.fetch_add(1, Ordering::Relaxed).max(1))
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let now = Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true);
        let line = format_line(&now, event);
        // A closed standard error loses the log, never the sandbox.
        let _ = writeln!(std::io::stderr().lock(), "{line}");
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// Records the lines [`format_line`] makes, instead of writing them.
    struct Captured {
        filter: StderrLog,
        lines: Arc<Mutex<Vec<String>>>,
    }

    impl Subscriber for Captured {
        fn enabled(&self, metadata: &Metadata<'_>) -> bool {
            self.filter.enabled(metadata)
        }
        fn new_span(&self, attributes: &Attributes<'_>) -> Id {
            self.filter.new_span(attributes)
        }
        fn record(&self, _: &Id, _: &Record<'_>) {}
        fn record_follows_from(&self, _: &Id, _: &Id) {}
        fn event(&self, event: &Event<'_>) {
            let line = format_line("T", event);
            self.lines.lock().expect("not poisoned").push(line);
        }
        fn enter(&self, _: &Id) {}
        fn exit(&self, _: &Id) {}
    }

    fn captured(max: LevelFilter, log: impl FnOnce()) -> Vec<String> {
        let lines = Arc::new(Mutex::new(Vec::new()));
        let subscriber = Captured {
            filter: StderrLog::new(max),
            lines: Arc::clone(&lines),
        };
        tracing::subscriber::with_default(subscriber, log);
        let lines = lines.lock().expect("not poisoned").clone();
        lines
    }

    #[test]
    fn events_are_one_line_each_with_their_fields_at_or_above_the_level() {
        let lines = captured(LevelFilter::INFO, || {
            let url = "http://127.0.0.1:9/hook";
            tracing::info!(url = %url, status = 201_u16, "sandbox webhook delivered");
            tracing::warn!(code = "HELLO_WORLD", "refused");
            tracing::debug!("not shown at info");
        });
        assert_eq!(
            lines,
            [
                "T  INFO scalexpert_sandbox::stderr_log::tests: sandbox webhook delivered \
                 url=http://127.0.0.1:9/hook status=201",
                "T  WARN scalexpert_sandbox::stderr_log::tests: refused code=\"HELLO_WORLD\"",
            ]
        );
    }

    #[test]
    fn off_writes_nothing_and_trace_writes_everything() {
        let log = || {
            tracing::error!("one");
            tracing::trace!("two");
        };
        assert!(captured(LevelFilter::OFF, log).is_empty());
        assert_eq!(captured(LevelFilter::TRACE, log).len(), 2);
    }
}
