//! A gateway scripted at the byte level, for what httpmock cannot do: an answer that breaks
//! off or stalls in the middle of its body.

use crate::{TOKEN, TOKEN_PATH};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How the gateway answers one API request.
#[derive(Clone, Debug)]
pub enum Answer {
    /// A whole answer.
    Whole { status: u16, body: String },
    /// The head declares the whole body, then the connection closes after `sent` bytes.
    BrokenAfter { body: String, sent: usize },
    /// The head declares the whole body, `sent` bytes follow, then nothing for `stall`.
    StalledAfter {
        body: String,
        sent: usize,
        stall: Duration,
    },
}

/// A gateway on loopback: tokens on the token path, the scripted answers, in order, on every
/// other path (the last one repeats).
pub struct Gateway {
    pub root: String,
    api_requests: Arc<AtomicUsize>,
    paths: Arc<Mutex<Vec<String>>>,
}

impl Gateway {
    pub fn start(answers: Vec<Answer>) -> Gateway {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let root = format!("http://{}", listener.local_addr().expect("address"));
        let api_requests = Arc::new(AtomicUsize::new(0));
        let paths = Arc::new(Mutex::new(Vec::new()));
        let (count, seen) = (Arc::clone(&api_requests), Arc::clone(&paths));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let answers = answers.clone();
                let (count, seen) = (Arc::clone(&count), Arc::clone(&seen));
                std::thread::spawn(move || serve(stream, &answers, &count, &seen));
            }
        });
        Gateway {
            root,
            api_requests,
            paths,
        }
    }

    /// How many API (not token) requests arrived.
    pub fn api_requests(&self) -> usize {
        self.api_requests.load(Ordering::SeqCst)
    }

    /// The paths of the API requests, in order.
    pub fn paths(&self) -> Vec<String> {
        self.paths.lock().expect("not poisoned").clone()
    }
}

/// Serves one connection; every answer closes it, so each request comes on a new one.
fn serve(stream: TcpStream, answers: &[Answer], count: &AtomicUsize, seen: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
        return;
    }
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("")
        .split('?')
        .next()
        .unwrap_or("")
        .to_string();
    let mut length = 0usize;
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        line.clear();
    }
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    let stream = reader.get_mut();
    if path == TOKEN_PATH {
        let json =
            format!(r#"{{"access_token":"{TOKEN}","token_type":"Bearer","expires_in":900}}"#);
        let _ = write_whole(stream, 200, &json);
        return;
    }
    let index = count.fetch_add(1, Ordering::SeqCst);
    seen.lock().expect("not poisoned").push(path);
    let answer = &answers[index.min(answers.len() - 1)];
    let _ = match answer {
        Answer::Whole { status, body } => write_whole(stream, *status, body),
        Answer::BrokenAfter { body, sent } => write_partial(stream, body, *sent),
        Answer::StalledAfter { body, sent, stall } => {
            let written = write_partial(stream, body, *sent);
            std::thread::sleep(*stall);
            written
        }
    };
}

fn write_whole(stream: &mut TcpStream, status: u16, body: &str) -> std::io::Result<()> {
    write!(
        stream,
        "HTTP/1.1 {status} Whatever\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// The head and the first `sent` bytes of `body`, flushed as two writes.
fn write_partial(stream: &mut TcpStream, body: &str, sent: usize) -> std::io::Result<()> {
    write!(
        stream,
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    )?;
    stream.flush()?;
    std::thread::sleep(Duration::from_millis(20));
    stream.write_all(&body.as_bytes()[..sent.min(body.len())])?;
    stream.flush()
}
