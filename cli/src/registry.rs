//! The API versions this binary has commands for, and what each needs to be called.
//!
//! `build.rs` generates, per enabled version, progenitor's commands (`Cli`, `CliCommand`,
//! `CliConfig`) and invokes `version_commands!` beside them; that glue, written once here,
//! turns a version's generated code into a [`Version`]: its operations (the SDK's table), its
//! clap commands, and a function that runs one of them through the SDK's client.

use std::future::Future;
use std::pin::Pin;

/// A command running: what [`Version::execute`] returns.
pub type Running<'a> = Pin<Box<dyn Future<Output = anyhow::Result<()>> + 'a>>;

/// One API version's generated commands.
#[derive(Clone, Copy)]
pub struct Version {
    /// Which API family and version.
    pub api: scalexpert::ApiVersion,
    /// The OAuth2 scope its spec declares (what its token is asked for).
    pub scope: &'static str,
    /// Every operation of the version's spec (the SDK's `OPERATIONS`), in spec order.
    pub operations: &'static [scalexpert::Operation],
    /// One clap command per operation, keyed by the operation's `method_name`; the commands
    /// are unnamed (the caller names them, see [`crate::naming`]).
    pub commands: fn() -> Vec<(&'static str, clap::Command)>,
    /// Per operation (`method_name`), the flags of its command that set body fields (the rest
    /// are path and query parameters).
    pub body_flags: &'static [(&'static str, &'static [&'static str])],
    /// Runs the operation named by `method_name` with the parsed arguments of its command,
    /// through `client` (the facade), printing its answer with the printer.
    pub execute: for<'a> fn(
        &'a scalexpert::Client,
        crate::output::Printer,
        &'a str,
        &'a clap::ArgMatches,
    ) -> Running<'a>,
}

impl std::fmt::Debug for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.api.api, self.api.version)
    }
}

/// Every enabled version, by family then version, oldest first.
pub fn versions() -> &'static [Version] {
    crate::generated::VERSIONS
}

impl Version {
    /// The flags of `method_name`'s command that set body fields.
    pub fn body_flags_of(&self, method_name: &str) -> &'static [&'static str] {
        self.body_flags
            .iter()
            .find(|(name, _)| *name == method_name)
            .map_or(&[], |(_, flags)| flags)
    }
}

/// The API families with at least one enabled version, in order.
pub fn families() -> Vec<&'static str> {
    let mut families: Vec<&'static str> = versions().iter().map(|v| v.api.api).collect();
    families.dedup();
    families
}

/// The versions of `family`, oldest first.
pub fn versions_of(family: &str) -> impl Iterator<Item = &'static Version> + '_ {
    versions().iter().filter(move |v| v.api.api == family)
}

/// The version of `family` to use: `requested` when that family has it, else its newest.
pub fn select(family: &str, requested: Option<&str>) -> Option<&'static Version> {
    let newest = versions_of(family).last();
    match requested {
        Some(version) => versions_of(family)
            .find(|v| v.api.version == version)
            .or(newest),
        None => newest,
    }
}

/// Builds a version's [`Version`] from the commands progenitor generated for it (module
/// `$generated`, sibling of the invocation) and the SDK module they call.
macro_rules! version_commands {
    ($($client:ident)::+, $generated:ident, $body_flags:ident) => {
        /// This version's commands.
        pub(crate) const VERSION: $crate::registry::Version = $crate::registry::Version {
            api: $($client)::+::API,
            scope: $($client)::+::SCOPE,
            operations: $($client)::+::OPERATIONS,
            commands,
            body_flags: $body_flags,
            execute,
        };

        fn commands() -> ::std::vec::Vec<(&'static str, ::clap::Command)> {
            $generated::CliCommand::iter()
                .map(|command| {
                    (
                        command.operation_id(),
                        $generated::Cli::<$crate::output::Printer>::get_command(command),
                    )
                })
                .collect()
        }

        fn execute<'a>(
            client: &'a ::scalexpert::Client,
            printer: $crate::output::Printer,
            method_name: &'a str,
            matches: &'a ::clap::ArgMatches,
        ) -> $crate::registry::Running<'a> {
            ::std::boxed::Box::pin(async move {
                let Some(command) = $generated::CliCommand::iter()
                    .find(|command| command.operation_id() == method_name)
                else {
                    ::anyhow::bail!("no command for operation {method_name}");
                };
                let cli = $generated::Cli::new(client.api::<$($client)::+::Client>(), printer);
                cli.execute(command, matches).await
            })
        }

        impl $generated::CliConfig for $crate::output::Printer {
            fn success_item<T>(&self, value: &$($client)::+::ResponseValue<T>)
            where
                T: ::schemars::JsonSchema + ::serde::Serialize + ::std::fmt::Debug,
            {
                self.item(&**value);
            }

            fn success_no_item(&self, value: &$($client)::+::ResponseValue<()>) {
                self.no_item(value.status());
            }

            // Errors are reported once, by the caller, as the SDK's typed error.
            fn error<T>(&self, _: &$($client)::+::Error<T>)
            where
                T: ::schemars::JsonSchema + ::serde::Serialize + ::std::fmt::Debug,
            {
            }

            fn list_start<T>(&self)
            where
                T: ::schemars::JsonSchema + ::serde::Serialize + ::std::fmt::Debug,
            {
            }

            fn list_item<T>(&self, value: &T)
            where
                T: ::schemars::JsonSchema + ::serde::Serialize + ::std::fmt::Debug,
            {
                self.item(value);
            }

            fn list_end_success<T>(&self)
            where
                T: ::schemars::JsonSchema + ::serde::Serialize + ::std::fmt::Debug,
            {
            }

            fn list_end_error<T>(&self, _: &$($client)::+::Error<T>)
            where
                T: ::schemars::JsonSchema + ::serde::Serialize + ::std::fmt::Debug,
            {
            }
        }
    };
}

pub(crate) use version_commands;

/// One family's commands: the version chosen and each operation's name.
#[derive(Debug)]
pub struct Family {
    /// The family (`e-financing`).
    pub name: &'static str,
    /// The version its commands come from.
    pub version: &'static Version,
    /// `(method_name, command name)` per operation, in spec order.
    pub commands: Vec<(&'static str, crate::naming::CommandName)>,
}

/// The families, each at the version `requested` names (or its newest).
pub fn families_at(requested: Option<&str>) -> Vec<Family> {
    families()
        .into_iter()
        .filter_map(|name| {
            let version = select(name, requested)?;
            Some(Family {
                name,
                version,
                commands: crate::naming::command_names(version.operations),
            })
        })
        .collect()
}
