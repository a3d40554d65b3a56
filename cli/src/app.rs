//! The command tree: hand-written top level (clap derive) and one generated command per
//! operation of every enabled API version (clap builder, from progenitor), and the dispatch.

use crate::config::GlobalOptions;
use crate::exit::{self, CliError};
use crate::naming::CommandName;
use crate::output::{is_secret_field, Printer};
use crate::registry::{self, Family, Version};
use clap::{ArgMatches, Command, FromArgMatches as _};
use std::ffi::OsString;
use std::process::ExitCode;

/// The hand-written commands.
#[derive(Debug, clap::Subcommand)]
pub enum Builtin {
    /// Tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Start the offline sandbox of the gateway (the scalexpert-sandbox crate) on loopback.
    #[cfg(feature = "sandbox")]
    Sandbox(crate::sandbox::SandboxArgs),
    /// Run the go-live acceptance journeys against the environment and write the report
    /// (DIR/go-live.md and DIR/go-live.json, DIR given by --report).
    GoLive(crate::go_live::GoLiveArgs),
}

/// `scalexpert token …`.
#[derive(Debug, clap::Subcommand)]
pub enum TokenCommand {
    /// Prove the credentials: get a token for each API's scope and make one read-only call
    /// with it. Prints neither the token nor what the call read.
    Check(crate::token::TokenCheckArgs),
}

/// The `--api-version` value, read before clap parses (it decides which commands exist).
pub fn requested_api_version(args: &[OsString]) -> Option<String> {
    let mut args = args.iter().filter_map(|a| a.to_str());
    while let Some(arg) = args.next() {
        if arg == "--" {
            return None;
        }
        if arg == "--api-version" {
            return args.next().map(str::to_string);
        }
        if let Some(value) = arg.strip_prefix("--api-version=") {
            return Some(value.to_string());
        }
    }
    None
}

/// The whole command tree.
pub fn command(families: &[Family]) -> Command {
    let top = Command::new("scalexpert");
    let top = <GlobalOptions as clap::Args>::augment_args(top);
    let mut top = <Builtin as clap::Subcommand>::augment_subcommands(top);
    for family in families {
        top = top.subcommand(family_command(family));
    }
    // After the derives, which would set their own about.
    top.version(env!("CARGO_PKG_VERSION"))
        .about(
            "Scalexpert from the command line: every API operation, token check, the offline \
             sandbox and the go-live acceptance run.",
        )
        .subcommand_required(true)
        .arg_required_else_help(true)
        .after_help(after_help(families))
}

/// Every operation, for the top-level help: how to call it and what it does.
fn after_help(families: &[Family]) -> String {
    let mut text = String::from(
        "API operations (`scalexpert <family> <group> <command> --help` for each one's flags):\n",
    );
    for family in families {
        let generated = (family.version.commands)();
        text.push_str(&format!(
            "\n  {} {} (--api-version {}):\n",
            family.name, family.version.api.version, family.version.api.version
        ));
        let width = family
            .commands
            .iter()
            .map(|(_, name)| family.name.len() + name.to_string().len() + 1)
            .max()
            .unwrap_or(0);
        let mut commands: Vec<&(&str, CommandName)> = family.commands.iter().collect();
        commands.sort_by(|a, b| a.1.cmp(&b.1));
        for (method_name, name) in commands {
            let id = scalexpert::Operation::by_method_name(family.version.operations, method_name)
                .map_or(*method_name, |op| op.id);
            let summary = generated
                .iter()
                .find(|(m, _)| m == method_name)
                .and_then(|(_, c)| c.get_about())
                .map(|about| {
                    about
                        .to_string()
                        .lines()
                        .next()
                        .unwrap_or_default()
                        .to_string()
                })
                .unwrap_or_default();
            let call = format!("{} {name}", family.name);
            text.push_str(&format!("    {call:width$}  {id}\n        {summary}\n"));
        }
    }
    text.push_str(
        "\nExit status: 0 done, 1 a go-live scenario failed, 2 usage or configuration, 3 the API \
         answered with an error, 4 the gateway could not be reached.\n",
    );
    text
}

fn family_command(family: &Family) -> Command {
    let mut cmd = Command::new(family.name)
        .about(format!(
            "The {} {} API: a command per operation.",
            family.name, family.version.api.version
        ))
        .subcommand_required(true)
        .arg_required_else_help(true);
    let generated = (family.version.commands)();
    let mut groups: Vec<&str> = family
        .commands
        .iter()
        .map(|(_, name)| name.group.as_str())
        .collect();
    groups.dedup();
    groups.sort_unstable();
    groups.dedup();
    for group in groups {
        let mut group_cmd = Command::new(group.to_string())
            .subcommand_required(true)
            .arg_required_else_help(true);
        for (method_name, name) in family.commands.iter().filter(|(_, n)| n.group == group) {
            if let Some((_, op_cmd)) = generated.iter().find(|(m, _)| m == method_name) {
                let op_cmd = prepare(op_cmd.clone(), family.version, method_name);
                group_cmd = group_cmd.subcommand(op_cmd.name(name.verb.clone()));
            }
        }
        cmd = cmd.subcommand(group_cmd);
    }
    // The operationId alone reaches the same command (hidden: for scripts).
    for (method_name, _) in &family.commands {
        let alias = heck::ToKebabCase::to_kebab_case(*method_name);
        let taken = cmd.get_subcommands().any(|c| c.get_name() == alias);
        if let (false, Some((_, op_cmd))) =
            (taken, generated.iter().find(|(m, _)| m == method_name))
        {
            let op_cmd = prepare(op_cmd.clone(), family.version, method_name);
            cmd = cmd.subcommand(op_cmd.name(alias).hide(true));
        }
    }
    cmd
}

/// Adjusts a generated command: a whole `--json-body` excludes the flags of single body fields
/// (the generator would let the file silently replace them); secret body fields are refused as
/// flags (`ps` shows them: they go in the file); its unused template flag is hidden.
fn prepare(mut cmd: Command, version: &Version, method_name: &str) -> Command {
    let has_body = cmd.get_arguments().any(|a| a.get_id() == "json-body");
    for flag in version.body_flags_of(method_name) {
        if !cmd.get_arguments().any(|a| a.get_id() == *flag) {
            continue;
        }
        if is_secret_field(flag) {
            // Refused after parsing (`refuse_secret_flags`), without echoing the value.
            cmd = cmd.mut_arg(*flag, |arg| arg.hide(true));
        } else if has_body {
            cmd = cmd.mut_arg(*flag, |arg| arg.conflicts_with("json-body"));
        }
    }
    if cmd.get_arguments().any(|a| a.get_id() == "json-body") {
        cmd = cmd.mut_arg("json-body", |arg| {
            arg.help("File with the whole JSON body (`/dev/stdin` to pipe it)")
        });
    }
    if cmd
        .get_arguments()
        .any(|a| a.get_id() == "json-body-template")
    {
        cmd = cmd.mut_arg("json-body-template", |arg| arg.hide(true));
    }
    cmd
}

/// Refuses a secret given as a flag of a generated command (`--secret`, `--auth-password`,
/// `--key-for-signature`): the process's arguments show in `ps`. The value is not repeated.
fn refuse_secret_flags(
    version: &Version,
    method_name: &str,
    matches: &ArgMatches,
) -> Result<(), CliError> {
    let given: Vec<String> = version
        .body_flags_of(method_name)
        .iter()
        .filter(|flag| is_secret_field(flag))
        .filter(|flag| {
            matches.try_contains_id(flag).unwrap_or(false)
                && matches.value_source(flag) == Some(clap::parser::ValueSource::CommandLine)
        })
        .map(|flag| format!("--{flag}"))
        .collect();
    if given.is_empty() {
        return Ok(());
    }
    Err(CliError::Usage(format!(
        "{} would show the secret to every user of this machine (`ps`): put it in the \
         --json-body file instead",
        given.join(", ")
    )))
}

/// Runs the command line on `args` (the program name first).
pub fn main(args: Vec<OsString>) -> ExitCode {
    let requested = requested_api_version(&args);
    let families = registry::families_at(requested.as_deref());
    let matches = match command(&families).try_get_matches_from(&args) {
        Ok(matches) => matches,
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(exit::USAGE));
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(dispatch(&families, requested.as_deref(), &matches)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            error.exit_code()
        }
    }
}

async fn dispatch(
    families: &[Family],
    requested: Option<&str>,
    matches: &ArgMatches,
) -> Result<(), CliError> {
    let globals =
        GlobalOptions::from_arg_matches(matches).map_err(|e| CliError::Usage(e.to_string()))?;
    if let Some(version) = requested {
        if !registry::versions()
            .iter()
            .any(|v| v.api.version == version)
        {
            return Err(CliError::Usage(format!(
                "--api-version {version}: no API family here has it; built in: {}",
                built_in()
            )));
        }
    }
    let Some((name, sub)) = matches.subcommand() else {
        return Err(CliError::Usage("a command is needed (see --help)".into()));
    };
    if let Some(family) = families.iter().find(|f| f.name == name) {
        if let Some(version) = requested.filter(|v| *v != family.version.api.version) {
            return Err(CliError::Usage(format!(
                "{name} has no version {version} in this build; built in: {}",
                built_in()
            )));
        }
        return run_operation(family, &globals, sub).await;
    }
    match Builtin::from_arg_matches(matches).map_err(|e| CliError::Usage(e.to_string()))? {
        Builtin::Token(TokenCommand::Check(args)) => {
            crate::token::check(families, &globals, &args).await
        }
        #[cfg(feature = "sandbox")]
        Builtin::Sandbox(args) => crate::sandbox::run(&globals, &args).await,
        Builtin::GoLive(args) => crate::go_live::run(&globals, &args).await,
    }
}

/// The versions built in, `family version` each.
fn built_in() -> String {
    registry::versions()
        .iter()
        .map(|v| format!("{} {}", v.api.api, v.api.version))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Which operation the parsed subcommands of a family name, and their arguments.
fn chosen_operation<'m>(
    family: &Family,
    matches: &'m ArgMatches,
) -> Option<(&'static str, &'m ArgMatches)> {
    let (first, first_matches) = matches.subcommand()?;
    // The hidden alias: the operationId alone.
    if let Some((method_name, _)) = family
        .commands
        .iter()
        .find(|(m, _)| heck::ToKebabCase::to_kebab_case(*m) == first)
    {
        if !family.commands.iter().any(|(_, n)| n.group == first) {
            return Some((method_name, first_matches));
        }
    }
    let (verb, verb_matches) = first_matches.subcommand()?;
    family
        .commands
        .iter()
        .find(|(_, n)| n.group == first && n.verb == verb)
        .map(|(m, _)| (*m, verb_matches))
}

async fn run_operation(
    family: &Family,
    globals: &GlobalOptions,
    matches: &ArgMatches,
) -> Result<(), CliError> {
    let (method_name, op_matches) = chosen_operation(family, matches)
        .ok_or_else(|| CliError::Usage(format!("no such {} command", family.name)))?;
    refuse_secret_flags(family.version, method_name, op_matches)?;
    let client = crate::session::start(globals, Some(family.version))?;
    let printer = Printer {
        format: globals.format,
        show_secrets: globals.show_secrets,
        quiet: false,
    };
    (family.version.execute)(&client, printer, method_name, op_matches)
        .await
        .map_err(exit::from_command_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn the_api_version_is_read_before_parsing() {
        assert_eq!(
            requested_api_version(&args(&["scalexpert", "--api-version", "1.6.6", "x"])),
            Some("1.6.6".to_string())
        );
        assert_eq!(
            requested_api_version(&args(&["scalexpert", "e-financing", "--api-version=1.7.1"])),
            Some("1.7.1".to_string())
        );
        assert_eq!(
            requested_api_version(&args(&["scalexpert", "--", "--api-version", "1"])),
            None
        );
    }

    #[test]
    fn the_tree_is_a_valid_clap_command() {
        command(&registry::families_at(None)).debug_assert();
    }

    #[test]
    fn every_operation_of_every_family_has_a_command_and_a_help_line() {
        let families = registry::families_at(None);
        let help = after_help(&families);
        let mut tree = command(&families);
        for family in &families {
            for (method_name, name) in &family.commands {
                let op =
                    scalexpert::Operation::by_method_name(family.version.operations, method_name)
                        .expect("an operation");
                assert!(
                    help.contains(&format!("{} {name}", family.name)) && help.contains(op.id),
                    "{} {name} missing from\n{help}",
                    family.name
                );
                let found = tree
                    .find_subcommand_mut(family.name)
                    .and_then(|f| f.find_subcommand_mut(&name.group))
                    .and_then(|g| g.find_subcommand_mut(&name.verb))
                    .is_some();
                assert!(found, "{} {name}", family.name);
            }
        }
    }
}
