//! Helpers shared by the xtask integration tests: running the binary, a loopback HTTP server,
//! fixture paths.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

/// What one run of the xtask binary produced.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The JSON report on stdout.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

/// Runs `xtask <args>` with `envs` added to its environment.
pub fn xtask(args: &[&str], envs: &[(&str, &str)]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .envs(envs.iter().copied())
        .output()
        .expect("xtask runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Like [`xtask`], but every line the command writes to stderr (the nested cargo builds'
/// progress) is also shown as it comes, for runs that take minutes.
pub fn xtask_showing_progress(args: &[&str], envs: &[(&str, &str)]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .envs(envs.iter().copied())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("xtask runs");
    let stderr = child.stderr.take().expect("piped stderr");
    let shown = std::thread::spawn(move || {
        let mut all = String::new();
        for line in BufReader::new(stderr).lines() {
            let line = line.unwrap_or_default();
            eprintln!("  | {line}");
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .expect("piped stdout")
        .read_to_string(&mut stdout)
        .expect("stdout");
    let status = child.wait().expect("xtask ends");
    Run {
        code: status.code().unwrap_or(-1),
        stdout,
        stderr: shown.join().expect("stderr reader"),
    }
}

/// `xtask/tests/fixtures/<relative>`, or for `rules/…` the spec engine's rule fixtures
/// (`spec-engine/tests/fixtures/rules/`), which the classifier's own tests use.
pub fn fixture(relative: &str) -> PathBuf {
    match relative.strip_prefix("rules/") {
        Some(rule) => workspace()
            .join("spec-engine/tests/fixtures/rules")
            .join(rule),
        None => Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(relative),
    }
}

/// The workspace root (the real crate).
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask has a parent")
        .to_path_buf()
}

/// An http URL on loopback where nothing listens.
pub fn closed_port_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

/// One canned answer of [`serve`]: status, content type, body.
#[derive(Clone)]
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn ok(content_type: &'static str, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status: 200,
            content_type,
            body: body.into(),
        }
    }
}

/// A request [`serve`] received.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
}

/// Serves `routes` (`(method, path without query)` → reply, 404 otherwise) on loopback from a
/// background thread; returns the base URL and the log of requests.
pub fn serve(
    routes: Vec<((&'static str, String), Reply)>,
) -> (String, Arc<std::sync::Mutex<Vec<Seen>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let log = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = Arc::clone(&log);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let routes = routes.clone();
            let seen = Arc::clone(&seen);
            std::thread::spawn(move || answer(stream, &routes, &seen));
        }
    });
    (base, log)
}

fn answer(
    mut stream: TcpStream,
    routes: &[((&'static str, String), Reply)],
    seen: &std::sync::Mutex<Vec<Seen>>,
) {
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    // Keep-alive: answer requests on this connection until the client closes it.
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = request_line.split_whitespace();
        let method = parts.next().unwrap_or("").to_string();
        let target = parts.next().unwrap_or("").to_string();
        let mut headers = Vec::new();
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap_or(0);
                }
                headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let path = target.split('?').next().unwrap_or("").to_string();
        seen.lock().expect("log").push(Seen {
            method: method.clone(),
            path: path.clone(),
            headers,
        });
        let reply = routes
            .iter()
            .find(|((m, p), _)| *m == method && *p == path)
            .map(|(_, r)| r.clone())
            .unwrap_or(Reply {
                status: 404,
                content_type: "text/plain",
                body: b"not found".to_vec(),
            });
        let head = format!(
            "HTTP/1.1 {} X\r\ncontent-type: {}\r\ncontent-length: {}\r\n\r\n",
            reply.status,
            reply.content_type,
            reply.body.len()
        );
        if stream.write_all(head.as_bytes()).is_err() || stream.write_all(&reply.body).is_err() {
            return;
        }
    }
}

/// Lower-case hex sha256 (the same digest the lock records), via the xtask library.
pub fn sha256(bytes: &[u8]) -> String {
    xtask::source::sha256_hex(bytes)
}
