//! Issue 13's flood against the real example receiver process (`examples/webhook_receiver.rs`):
//! 100 concurrent unauthenticated uploads of ~2 MB that then hold their connection. The
//! example's resident memory (VmRSS of `/proc/<pid>/status`, read from outside) must grow by
//! less than 20 MB, and a genuine signed event must still get 200.
//!
//! The example binary is the one cargo builds beside this test (`cargo test --all-features`
//! builds examples; alone: `cargo build --example webhook_receiver --features webhooks-axum`).
//! No step waits for a time: the test moves on when the kernel shows the receiver has either
//! closed each flooding connection or read everything sent on it (`/proc/net/tcp`).
#![cfg(all(feature = "webhooks-axum", target_os = "linux"))]

use chrono::Utc;
use scalexpert::webhooks::ReceiverSecrets;
use std::io::BufRead;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const SECRET: &str = "flood-test-secret";
const SIGNATURE_KEY: &str = "flood-test-signature-key";
const UPLOADS: usize = 100;
const DECLARED: usize = 2_000_000;
/// Sent of the declared length before holding: the rest never comes.
const SENT: usize = DECLARED - 1_000;
const MAX_GROWTH_KB: u64 = 20 * 1024;
/// The sandbox binary's default port (`scalexpert-sandbox --port`, default 8080).
const SANDBOX_DEFAULT_PORT: u16 = 8080;
/// Only so that a stuck receiver fails the test instead of hanging it.
const BOUND: Duration = Duration::from_secs(30);

fn example_binary() -> PathBuf {
    // <target>/<profile>/deps/<this test> → <target>/<profile>/examples/webhook_receiver
    let exe = std::env::current_exe().unwrap();
    let profile = exe.parent().and_then(|deps| deps.parent()).unwrap();
    let binary = profile.join("examples").join("webhook_receiver");
    assert!(
        binary.is_file(),
        "{} is missing: build it with `cargo build --example webhook_receiver --features webhooks-axum` (`cargo test --all-features` builds it too)",
        binary.display()
    );
    binary
}

/// The example process, killed when the test ends (also on a panic).
struct Example {
    child: Child,
    lines: std::sync::mpsc::Receiver<String>,
}

impl Drop for Example {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Example {
    fn start(env: &[(&str, &str)]) -> Example {
        let mut command = Command::new(example_binary());
        command
            .env_remove("SCALEXPERT_WEBHOOK_ADDR")
            .env_remove("SCALEXPERT_WEBHOOK_AUTH")
            .env_remove("SCALEXPERT_WEBHOOK_SECRET")
            .env_remove("SCALEXPERT_WEBHOOK_SIGNATURE_KEY")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = command.spawn().expect("the example starts");
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = std::sync::mpsc::channel();
        // Drained all along: a full pipe would block the example's logging.
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    // Nobody listens any more; keep draining.
                }
            }
        });
        Example { child, lines }
    }

    /// The first printed line starting with `prefix`, without it.
    fn line_after(&self, prefix: &str) -> String {
        loop {
            let line = self
                .lines
                .recv_timeout(BOUND)
                .unwrap_or_else(|_| panic!("the example printed no `{prefix}` line"));
            if let Some(rest) = line.strip_prefix(prefix) {
                return rest.trim().to_string();
            }
        }
    }

    fn rss_kb(&self) -> u64 {
        status_kb(self.child.id(), "VmRSS:")
    }
}

fn status_kb(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("no {field} in /proc/{pid}/status"))
}

/// The receive queues of the receiver's side of every TCP connection to `port` that the
/// receiver still holds open (`/proc/net/tcp`).
fn receiver_side_queues(port: u16) -> Vec<u64> {
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap();
    table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let local_port = u16::from_str_radix(fields.get(1)?.rsplit(':').next()?, 16).ok()?;
            let state = fields.get(3)?;
            // ESTABLISHED or CLOSE_WAIT: open on the receiver's side, excluding the listener.
            if local_port != port || !(*state == "01" || *state == "08") {
                return None;
            }
            let rx_queue = u64::from_str_radix(fields.get(4)?.split(':').nth(1)?, 16).ok()?;
            Some(rx_queue)
        })
        .collect()
}

/// Reads an answer's status line, or `None` when the connection closes or resets first.
async fn status<R: AsyncReadExt + Unpin>(reader: &mut R) -> Option<u16> {
    let mut received = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        if let Some(end) = received.windows(2).position(|w| w == b"\r\n") {
            let line = String::from_utf8_lossy(&received[..end]).to_string();
            return line.split(' ').nth(1).and_then(|code| code.parse().ok());
        }
        match reader.read(&mut buf).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => received.extend_from_slice(&buf[..n]),
        }
    }
}

/// A genuine delivery of a new event, as Scalexpert sends it; its status.
async fn genuine_delivery(address: SocketAddr, n: u32) -> Option<u16> {
    let body = format!(
        r#"{{"timestamp":"{}","id":"00000000-0000-4000-8000-{n:012}","eventTypeCode":"HELLO_WORLD","eventCode":"HELLO_WORLD","data":{{"eventTypeCode":"HELLO_WORLD","eventCode":"HELLO_WORLD","helloWorldMessage":"still here"}}}}"#,
        Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    );
    let secrets = ReceiverSecrets::secret_header(SECRET).with_signature_key(SIGNATURE_KEY);
    let headers = secrets
        .delivery_headers(None, body.as_bytes(), Utc::now())
        .unwrap();
    let mut request = String::from("POST /hooks/scalexpert HTTP/1.1\r\nHost: receiver.test\r\n");
    for (name, value) in &headers {
        request.push_str(&format!("{name}: {}\r\n", value.to_str().unwrap()));
    }
    request.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    ));
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    tokio::time::timeout(BOUND, status(&mut stream))
        .await
        .expect("the genuine delivery is answered")
}

/// How one flooding upload ended, from the sender's side.
enum Upload {
    /// The receiver answered (before the body was all there).
    Answered(Option<u16>),
    /// Everything but the last bytes was written; now holding.
    AllSent,
    /// The receiver closed or reset the connection while it was being written.
    Cut,
}

/// An unauthenticated ~2 MB upload that holds its connection open (returned with it).
async fn flood_one(
    address: SocketAddr,
    payload: Arc<Vec<u8>>,
) -> (
    Upload,
    tokio::net::tcp::OwnedReadHalf,
    tokio::net::tcp::OwnedWriteHalf,
) {
    let stream = TcpStream::connect(address).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let head = format!(
        "POST /hooks/scalexpert HTTP/1.1\r\nHost: receiver.test\r\nContent-Type: application/json\r\nContent-Length: {DECLARED}\r\n\r\n"
    );
    let upload = async {
        writer.write_all(head.as_bytes()).await?;
        for chunk in payload[..SENT].chunks(64 * 1024) {
            writer.write_all(chunk).await?;
        }
        std::io::Result::Ok(())
    };
    let outcome = tokio::select! {
        answered = status(&mut reader) => Upload::Answered(answered),
        written = upload => match written {
            Ok(()) => Upload::AllSent,
            Err(_) => Upload::Cut,
        },
    };
    (outcome, reader, writer)
}

#[test]
fn the_example_listens_on_loopback_by_default_and_not_on_the_sandboxs_port() {
    let example = Example::start(&[]);
    let address: SocketAddr = example.line_after("binding").parse().unwrap();
    assert!(address.ip().is_loopback(), "{address}");
    assert_ne!(address.port(), SANDBOX_DEFAULT_PORT);
    assert_ne!(address.port(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_example_survives_a_flood_of_unauthenticated_uploads_in_bounded_memory() {
    let example = Example::start(&[
        ("SCALEXPERT_WEBHOOK_ADDR", "127.0.0.1:0"),
        ("SCALEXPERT_WEBHOOK_SECRET", SECRET),
        ("SCALEXPERT_WEBHOOK_SIGNATURE_KEY", SIGNATURE_KEY),
    ]);
    let url = example.line_after("listening on http://");
    let address: SocketAddr = url.trim_end_matches("/hooks/scalexpert").parse().unwrap();

    // Warm up: the first deliveries allocate what a running receiver keeps anyway.
    for n in 1..=3 {
        assert_eq!(genuine_delivery(address, n).await, Some(200));
    }
    let baseline = example.rss_kb();

    let payload = Arc::new(vec![b' '; DECLARED]);
    let uploads: Vec<_> = (0..UPLOADS)
        .map(|_| tokio::spawn(flood_one(address, Arc::clone(&payload))))
        .collect();
    let mut held = Vec::new();
    let mut outcomes = Vec::new();
    for upload in uploads {
        let (outcome, reader, writer) = upload.await.unwrap();
        outcomes.push(outcome);
        held.push((reader, writer)); // every connection stays open on our side
    }

    // Settled when the receiver has closed each flooding connection or drained what was sent
    // on it into its own memory.
    let settled = async {
        while receiver_side_queues(address.port())
            .iter()
            .any(|&queued| queued > 0)
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(BOUND, settled)
        .await
        .expect("the receiver neither closes nor reads the flooding connections");
    let during = example.rss_kb();

    assert_eq!(
        genuine_delivery(address, 4).await,
        Some(200),
        "a genuine delivery during the flood"
    );
    let after = example.rss_kb();
    let growth = during.max(after).saturating_sub(baseline);
    eprintln!(
        "example VmRSS: {baseline} kB before, {during} kB under {UPLOADS} held uploads, {after} kB after a genuine delivery (growth {growth} kB); uploads: {:?}",
        summarize(&outcomes)
    );
    assert!(
        growth < MAX_GROWTH_KB,
        "VmRSS grew by {growth} kB (limit {MAX_GROWTH_KB} kB)"
    );
    drop(held);
}

fn summarize(outcomes: &[Upload]) -> std::collections::BTreeMap<String, usize> {
    let mut counts = std::collections::BTreeMap::new();
    for outcome in outcomes {
        let key = match outcome {
            Upload::Answered(Some(status)) => format!("answered {status}"),
            Upload::Answered(None) => "closed before answering".to_string(),
            Upload::AllSent => "all sent, holding".to_string(),
            Upload::Cut => "cut while sending".to_string(),
        };
        *counts.entry(key).or_insert(0) += 1;
    }
    counts
}
