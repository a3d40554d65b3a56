//! `cargo xtask spec-diff OLD NEW`: the classified differences between two specs.

use crate::cli::{Args, UsageError};
use crate::source;
use scalexpert_spec_engine::{classify, parse_str, Comparison, ComparisonError, Outcome, Report};
use std::path::Path;

/// Runs the command; returns the exit code.
pub fn command(args: &Args) -> Result<i32, UsageError> {
    args.check_shape(&["--format", "--root"], 2)?;
    let format = args.format()?;
    let root = args.root();
    let old = Spec::parse(&root, &args.positional[0]);
    let new = Spec::parse(&root, &args.positional[1]);
    let report = Report::new("spec-diff", vec![compare(&old, &new)]);
    print!("{}", report.render(format));
    Ok(report.exit_code())
}

/// A spec named on the command line: a file, a URL, or a vendored `api@version[:env]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    /// How it is shown in reports.
    pub label: String,
    /// The `api version` it names, for vendored versions.
    pub version: Option<(String, String)>,
    /// Where to read it.
    pub location: String,
}

impl Spec {
    /// `e-financing@1.6.6` (the file generation uses), `e-financing@1.6.6:prod` (another
    /// environment's), a path or a URL.
    pub fn parse(root: &Path, arg: &str) -> Spec {
        if let Some((api, rest)) = arg.split_once('@').filter(|_| !source::is_url(arg)) {
            let layout = crate::layout();
            let generated_from = layout.generated_from().name.clone();
            let (version, env) = rest
                .split_once(':')
                .unwrap_or((rest, generated_from.as_str()));
            let env = scalexpert_spec_engine::Environment::new(env);
            let relative = format!("specs/{}", layout.relative_file(api, version, &env));
            return Spec {
                label: relative.clone(),
                version: Some((api.to_string(), version.to_string())),
                location: root.join(&relative).display().to_string(),
            };
        }
        Spec {
            label: arg.to_string(),
            version: None,
            location: arg.to_string(),
        }
    }

    /// The vendored spec of `root` that `api` `version` is generated from.
    pub fn vendored(root: &Path, api: &str, version: &str) -> Spec {
        Spec::parse(root, &format!("{api}@{version}"))
    }
}

/// Classifies the differences from `old` to `new`.
pub fn compare(old: &Spec, new: &Spec) -> Comparison {
    let title = match (&old.version, &new.version) {
        (Some((api, a)), Some((other, b))) if api == other => format!("{api} {a} → {b}"),
        _ => format!("{} → {}", old.label, new.label),
    };
    let outcome = match (load(old), load(new)) {
        (Ok(a), Ok(b)) => Outcome::Compared(classify(&a, &b)),
        (Err(e), _) | (_, Err(e)) => Outcome::Failed(e),
    };
    Comparison {
        title,
        old: old.label.clone(),
        new: new.label.clone(),
        outcome,
    }
}

fn load(spec: &Spec) -> Result<serde_json::Value, ComparisonError> {
    let bytes = source::read(&spec.location)
        .map_err(|m| ComparisonError::new(m, Some(spec.label.clone())))?;
    let text = source::text(bytes, &spec.label)
        .map_err(|m| ComparisonError::new(m, Some(spec.label.clone())))?;
    parse_str(&text, &spec.label)
        .map(|doc| doc.value)
        .map_err(|e| ComparisonError::from(&e))
}
