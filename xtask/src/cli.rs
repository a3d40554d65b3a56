//! Command-line arguments of every command: positionals, `--flag` and `--option value` (or
//! `--option=value`), read with lexopt, the parser the `scalexpert-sandbox` binary uses too.

use scalexpert_spec_engine::Format;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A command line that cannot be understood; the message says why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError(pub String);

/// Options that take a value.
const VALUED: &[&str] = &[
    "--upstream",
    "--format",
    "--root",
    "--from",
    "--uatc",
    "--prod",
    "--api",
    "--url",
];
/// Options that stand alone.
const FLAGS: &[&str] = &["--check"];

/// Parsed arguments of one command.
#[derive(Debug, Clone, Default)]
pub struct Args {
    /// Arguments that are not options, in order.
    pub positional: Vec<String>,
    options: BTreeMap<String, String>,
    flags: Vec<String>,
}

impl Args {
    /// Parses everything after the command name.
    pub fn parse(args: &[String]) -> Result<Args, String> {
        use lexopt::prelude::*;
        let mut out = Args::default();
        let mut parser = lexopt::Parser::from_args(args);
        while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
            match arg {
                Value(value) => out.positional.push(
                    value
                        .into_string()
                        .map_err(|raw| format!("argument {raw:?} is not UTF-8"))?,
                ),
                Long(name) => {
                    let name = format!("--{name}");
                    if FLAGS.contains(&name.as_str()) {
                        out.flags.push(name);
                    } else if VALUED.contains(&name.as_str()) {
                        let value = parser
                            .value()
                            .map_err(|_| format!("{name} needs a value"))?
                            .string()
                            .map_err(|e| e.to_string())?;
                        if out.options.insert(name.clone(), value).is_some() {
                            return Err(format!("{name} given twice"));
                        }
                    } else {
                        return Err(format!("unknown option {name}"));
                    }
                }
                Short(letter) => return Err(format!("unknown option -{letter}")),
            }
        }
        Ok(out)
    }

    /// The value of `--name`, if given.
    pub fn option(&self, name: &str) -> Option<&str> {
        self.options.get(name).map(String::as_str)
    }

    /// Whether `--name` was given.
    pub fn flag(&self, name: &str) -> bool {
        self.flags.iter().any(|f| f == name)
    }

    /// `--format`, text by default.
    pub fn format(&self) -> Result<Format, UsageError> {
        self.option("--format")
            .map_or(Ok(Format::Text), |f| f.parse().map_err(UsageError))
    }

    /// `--root`, or the workspace this xtask belongs to.
    pub fn root(&self) -> PathBuf {
        self.option("--root")
            .map_or_else(crate::default_root, PathBuf::from)
    }

    /// Fails unless only the options in `allowed` were given and exactly `positionals` positionals.
    pub fn check_shape(&self, allowed: &[&str], positionals: usize) -> Result<(), UsageError> {
        for name in self.options.keys().chain(&self.flags) {
            if !allowed.contains(&name.as_str()) {
                return Err(UsageError(format!("{name} does not apply to this command")));
            }
        }
        if self.positional.len() != positionals {
            return Err(UsageError(format!(
                "expected {positionals} argument(s), got {}",
                self.positional.len()
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn options_flags_and_positionals() {
        let parsed = Args::parse(&args(&[
            "a",
            "--format=json",
            "--upstream",
            "dir",
            "--check",
            "b",
        ]))
        .expect("parses");
        assert_eq!(parsed.positional, ["a", "b"]);
        assert_eq!(parsed.option("--upstream"), Some("dir"));
        assert_eq!(parsed.format(), Ok(Format::Json));
        assert!(parsed.flag("--check"));
    }

    #[test]
    fn rejects_unknown_and_incomplete_options() {
        assert!(Args::parse(&args(&["--nope"])).is_err());
        assert!(Args::parse(&args(&["-x"])).is_err());
        assert_eq!(
            Args::parse(&args(&["--from"])).map(|_| ()),
            Err("--from needs a value".to_string())
        );
        assert!(Args::parse(&args(&["--check=yes"])).is_err());
        assert!(Args::parse(&args(&["--api", "a", "--api=b"])).is_err());
        let parsed = Args::parse(&args(&["--format", "yaml"])).expect("parses");
        assert!(parsed.format().is_err());
    }

    #[test]
    fn everything_after_a_double_dash_is_positional() {
        let parsed = Args::parse(&args(&["--root", "r", "--", "--check", "x"])).expect("parses");
        assert_eq!(parsed.positional, ["--check", "x"]);
        assert_eq!(parsed.option("--root"), Some("r"));
        assert!(!parsed.flag("--check"));
    }
}
