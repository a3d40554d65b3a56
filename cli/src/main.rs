//! `scalexpert`: see `scalexpert --help` and README.md.

fn main() -> std::process::ExitCode {
    scalexpert_cli::app::main(std::env::args_os().collect())
}
