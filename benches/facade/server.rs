//! A loopback HTTP/1.1 responder with fixed answers: no routing tables, no JSON, no state but
//! two counters, so what the benchmarks time is the client.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Bodies the gateway answers, chosen by method and path.
pub struct Answers {
    pub token: Vec<u8>,
    pub eligible: Vec<u8>,
    pub created: Vec<u8>,
    pub list: Vec<u8>,
}

/// A running responder; it lives as long as the process.
#[derive(Clone)]
pub struct Server {
    pub root: String,
    token_requests: Arc<AtomicUsize>,
    merchant_requests: Arc<AtomicUsize>,
}

impl Server {
    /// Starts the responder on its own thread and runtime, apart from the client's thread, so
    /// per-thread CPU and instruction counts of the client leave the server out.
    pub fn start(answers: Answers) -> Server {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        listener.set_nonblocking(true).expect("non-blocking");
        let root = format!("http://{}", listener.local_addr().expect("address"));
        let server = Server {
            root,
            token_requests: Arc::default(),
            merchant_requests: Arc::default(),
        };
        let answers = Arc::new(Prepared::new(answers));
        let counters = server.clone();
        std::thread::Builder::new()
            .name("bench-server".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("server runtime");
                runtime.block_on(async move {
                    let listener = TcpListener::from_std(listener).expect("tokio listener");
                    loop {
                        let Ok((stream, _)) = listener.accept().await else {
                            continue;
                        };
                        let _ = stream.set_nodelay(true);
                        tokio::spawn(serve(stream, Arc::clone(&answers), counters.clone()));
                    }
                });
            })
            .expect("server thread");
        server
    }

    /// Token requests answered so far.
    pub fn token_requests(&self) -> usize {
        self.token_requests.load(Ordering::SeqCst)
    }

    /// Requests so far that carried the PSP merchant header.
    pub fn merchant_requests(&self) -> usize {
        self.merchant_requests.load(Ordering::SeqCst)
    }
}

/// Whole HTTP responses, head and body, written as they are.
struct Prepared {
    token: Vec<u8>,
    eligible: Vec<u8>,
    created: Vec<u8>,
    list: Vec<u8>,
    not_found: Vec<u8>,
}

impl Prepared {
    fn new(answers: Answers) -> Self {
        let json = |status: &str, body: &[u8]| {
            let mut out = format!(
                "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                body.len()
            )
            .into_bytes();
            out.extend_from_slice(body);
            out
        };
        Prepared {
            token: json("200 OK", &answers.token),
            eligible: json("200 OK", &answers.eligible),
            created: json("201 Created", &answers.created),
            list: json("200 OK", &answers.list),
            not_found: json("404 Not Found", b"{}"),
        }
    }
}

async fn serve(mut stream: TcpStream, answers: Arc<Prepared>, counters: Server) {
    let mut buffer = Vec::with_capacity(8 * 1024);
    let mut chunk = vec![0u8; 16 * 1024];
    loop {
        // Read until one whole request (head and body) is buffered.
        let (head_end, body_len) = loop {
            if let Some(end) = find(&buffer, b"\r\n\r\n") {
                let length = content_length(&buffer[..end]);
                if buffer.len() >= end + 4 + length {
                    break (end, length);
                }
            }
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        };
        let head = &buffer[..head_end];
        let answer = if head.starts_with(b"POST /auth-server/api/v1/oauth2/token") {
            counters.token_requests.fetch_add(1, Ordering::SeqCst);
            &answers.token
        } else if head.starts_with(b"GET /e-financing/api/v1/eligible-solutions") {
            &answers.eligible
        } else if head.starts_with(b"POST /e-financing/api/v1/subscriptions") {
            &answers.created
        } else if head.starts_with(b"GET /e-financing/api/v1/subscriptions") {
            &answers.list
        } else {
            &answers.not_found
        };
        if find_ignore_case(head, b"\r\nx-baas-client-ref-for-proxi-id:").is_some() {
            counters.merchant_requests.fetch_add(1, Ordering::SeqCst);
        }
        if stream.write_all(answer).await.is_err() {
            return;
        }
        buffer.drain(..head_end + 4 + body_len);
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn find_ignore_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

fn content_length(head: &[u8]) -> usize {
    let Ok(text) = std::str::from_utf8(head) else {
        return 0;
    };
    text.split("\r\n")
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse().ok())
        .unwrap_or(0)
}
