//! Running the binary, and a mock gateway.

use httpmock::prelude::*;
use std::path::Path;
use std::process::Output;
use tokio::process::Command;

pub const TOKEN_PATH: &str = "/auth-server/api/v1/oauth2/token";
pub const CLIENT_ID: &str = "support-desk";
/// Distinctive so that a leak is found by a plain substring search.
pub const SECRET: &str = "s3cr3t-cli-Xk4-never-printed";
pub const TOKEN: &str = "tok-cli-91c2-opaque-never-printed";

/// The `scalexpert` binary with a clean environment: no `SCALEXPERT_*` of the machine's.
pub fn scalexpert() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_scalexpert"));
    for name in [
        "SCALEXPERT_CLIENT_ID",
        "SCALEXPERT_CLIENT_SECRET",
        "SCALEXPERT_ENVIRONMENT",
        "SCALEXPERT_BASE_URL",
    ] {
        command.env_remove(name);
    }
    command.kill_on_drop(true);
    command
}

/// The binary with the test credentials in its environment.
pub fn with_credentials(id: &str, secret: &str) -> Command {
    let mut command = scalexpert();
    command
        .env("SCALEXPERT_CLIENT_ID", id)
        .env("SCALEXPERT_CLIENT_SECRET", secret);
    command
}

/// Runs `command` with `args` and returns what it did.
pub async fn run(mut command: Command, args: &[&str]) -> Output {
    command.args(args).output().await.expect("the binary runs")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The exit status (a signal counts as none).
pub fn status(output: &Output) -> Option<i32> {
    output.status.code()
}

/// A credentials file with the test credentials, readable by its owner only.
pub fn credentials_file(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("scalexpert.env");
    std::fs::write(
        &path,
        format!("SCALEXPERT_CLIENT_ID={CLIENT_ID}\nSCALEXPERT_CLIENT_SECRET={SECRET}\n"),
    )
    .expect("written");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    }
    path
}

/// The token endpoint of a mock gateway, answering `TOKEN`.
pub async fn token_mock(server: &MockServer) -> httpmock::Mock<'_> {
    server
        .mock_async(|when, then| {
            when.method(POST).path(TOKEN_PATH);
            then.status(200)
                .header("content-type", "application/json")
                .json_body(serde_json::json!({
                    "access_token": TOKEN,
                    "token_type": "Bearer",
                    "expires_in": 3600,
                }));
        })
        .await
}
