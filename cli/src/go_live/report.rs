//! The go-live report: `go-live.json` (for tools) and `go-live.md` (for people, and to attach
//! to the acceptance form).
//!
//! The JSON is exactly `{"environment", "scenarios": [{"name", "solutionCode", "status",
//! "subscriptionId", "statuses", "detail"}]}`, `status` being `pass`, `fail` or `skipped`, and
//! `statuses` the statuses seen, each with the time it was seen.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The outcome of a scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Behaved as documented.
    Pass,
    /// Did not: `detail` says what to fix.
    Fail,
    /// Not run: `detail` says why.
    Skipped,
}

/// One status seen, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Seen {
    /// `consolidatedStatus` (or, for webhooks, the event code received).
    pub status: String,
    /// `consolidatedSubstatus`, when the gateway gave one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub substatus: Option<String>,
    /// `cancellationStatus`, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancellation_status: Option<String>,
    /// When it was seen (RFC 3339, UTC).
    pub at: DateTime<Utc>,
}

/// One scenario's result.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Scenario {
    /// What was tested (`split payment accepted`).
    pub name: String,
    /// The solution tested.
    pub solution_code: String,
    /// pass, fail or skipped.
    pub status: Outcome,
    /// The subscription the scenario created or used.
    pub subscription_id: Option<String>,
    /// The statuses seen, in order.
    pub statuses: Vec<Seen>,
    /// What happened, and on failure what to fix.
    pub detail: String,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// `uatc`, `production`, `uat`, or the root URL.
    pub environment: String,
    /// Every scenario, in the order they ran.
    pub scenarios: Vec<Scenario>,
}

impl Report {
    /// How many scenarios had `outcome`.
    pub fn count(&self, outcome: Outcome) -> usize {
        self.scenarios
            .iter()
            .filter(|s| s.status == outcome)
            .count()
    }

    /// The markdown report.
    pub fn markdown(&self, api: &scalexpert::ApiVersion, finished: DateTime<Utc>) -> String {
        let mut md = format!(
            "# Scalexpert go-live report\n\n\
             - Environment: `{}`\n- API: {} {}\n- Finished: {}\n- Result: {} passed, {} failed, {} skipped\n\n",
            self.environment,
            api.api,
            api.version,
            finished.to_rfc3339_opts(SecondsFormat::Secs, true),
            self.count(Outcome::Pass),
            self.count(Outcome::Fail),
            self.count(Outcome::Skipped),
        );
        md.push_str("| scenario | solution | result | subscription |\n|---|---|---|---|\n");
        for s in &self.scenarios {
            md.push_str(&format!(
                "| {} | `{}` | {} | {} |\n",
                s.name,
                s.solution_code,
                label(s.status),
                s.subscription_id
                    .as_deref()
                    .map_or_else(|| "–".to_string(), |id| format!("`{id}`")),
            ));
        }
        for s in &self.scenarios {
            md.push_str(&format!(
                "\n## {} – `{}`: {}\n\n{}\n",
                s.name,
                s.solution_code,
                label(s.status),
                s.detail
            ));
            if !s.statuses.is_empty() {
                md.push_str(
                    "\n| seen at (UTC) | status | sub-status | cancellation |\n|---|---|---|---|\n",
                );
                for seen in &s.statuses {
                    md.push_str(&format!(
                        "| {} | {} | {} | {} |\n",
                        seen.at.to_rfc3339_opts(SecondsFormat::Secs, true),
                        seen.status,
                        seen.substatus.as_deref().unwrap_or(""),
                        seen.cancellation_status.as_deref().unwrap_or(""),
                    ));
                }
            }
        }
        md
    }

    /// Writes `<dir>/go-live.json` and `<dir>/go-live.md` (creating `dir`); returns their paths.
    pub fn write(
        &self,
        dir: &Path,
        api: &scalexpert::ApiVersion,
        finished: DateTime<Utc>,
    ) -> std::io::Result<(PathBuf, PathBuf)> {
        std::fs::create_dir_all(dir)?;
        let json = dir.join("go-live.json");
        let md = dir.join("go-live.md");
        let text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        std::fs::write(&json, text + "\n")?;
        std::fs::write(&md, self.markdown(api, finished))?;
        Ok((json, md))
    }
}

fn label(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Pass => "pass",
        Outcome::Fail => "**fail**",
        Outcome::Skipped => "skipped",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_has_exactly_the_documented_shape() {
        let report = Report {
            environment: "uatc".into(),
            scenarios: vec![Scenario {
                name: "split payment accepted".into(),
                solution_code: "SCFRSP-3XTS".into(),
                status: Outcome::Pass,
                subscription_id: Some("id".into()),
                statuses: vec![Seen {
                    status: "ACCEPTED".into(),
                    substatus: None,
                    cancellation_status: None,
                    at: DateTime::<Utc>::UNIX_EPOCH,
                }],
                detail: "ok".into(),
            }],
        };
        let json = serde_json::to_value(&report).expect("json");
        let mut keys: Vec<_> = json.as_object().expect("object").keys().cloned().collect();
        keys.sort();
        assert_eq!(keys, ["environment", "scenarios"]);
        let scenario = json["scenarios"][0].as_object().expect("object");
        let mut keys: Vec<_> = scenario.keys().cloned().collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "detail",
                "name",
                "solutionCode",
                "status",
                "statuses",
                "subscriptionId"
            ]
        );
        assert_eq!(scenario["status"], "pass");
        assert_eq!(scenario["statuses"][0]["status"], "ACCEPTED");
        assert_eq!(scenario["statuses"][0]["at"], "1970-01-01T00:00:00Z");
        let md = report.markdown(
            &scalexpert::ApiVersion {
                api: "e-financing",
                version: "1.7.1",
            },
            DateTime::<Utc>::UNIX_EPOCH,
        );
        assert!(
            md.contains("| split payment accepted | `SCFRSP-3XTS` | pass |"),
            "{md}"
        );
    }
}
