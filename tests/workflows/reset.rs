//! A create whose connection is closed after the whole request was read: httpmock always
//! answers, so this gateway is a few lines of raw HTTP/1.1.

use crate::*;
use scalexpert::workflows::CreateOutcome;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};

/// What the gateway saw: the creates, and the lookups.
#[derive(Default)]
struct Seen {
    creates: AtomicUsize,
    lookups: AtomicUsize,
}

/// Reads one request: its request line and body.
fn read_request(reader: &mut BufReader<TcpStream>) -> Option<(String, Vec<u8>)> {
    let mut request_line = String::new();
    reader
        .read_line(&mut request_line)
        .ok()
        .filter(|n| *n > 0)?;
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok().filter(|n| *n > 0)?;
        if line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some((request_line, body))
}

fn answer(stream: &mut TcpStream, status: &str, body: &Value) {
    let body = body.to_string();
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
}

/// A gateway whose creates are applied (listed afterwards) and lose their connection.
fn resetting_gateway(seen: Arc<Seen>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let root = format!("http://{}", listener.local_addr().expect("address"));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let seen = Arc::clone(&seen);
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream);
                let Some((request_line, _body)) = read_request(&mut reader) else {
                    return;
                };
                let stream = reader.get_mut();
                if request_line.starts_with("POST /auth-server/") {
                    let token =
                        json!({"access_token": "tok", "token_type": "Bearer", "expires_in": 900});
                    answer(stream, "200 OK", &token);
                } else if request_line.starts_with("POST /e-financing/api/v1/subscriptions") {
                    seen.creates.fetch_add(1, Ordering::SeqCst);
                    // Applied, then the connection goes: no status line at all.
                    let _ = stream.shutdown(std::net::Shutdown::Both);
                } else if request_line.starts_with("GET /e-financing/api/v1/subscriptions?") {
                    seen.lookups.fetch_add(1, Ordering::SeqCst);
                    let listing = if seen.creates.load(Ordering::SeqCst) > 0 {
                        page(vec![listed("INITIALIZED")], 1)
                    } else {
                        page(vec![], 0)
                    };
                    answer(stream, "200 OK", &listing);
                } else {
                    answer(stream, "404 Not Found", &json!({}));
                }
            });
        }
    });
    root
}

#[tokio::test]
async fn a_create_whose_connection_breaks_after_sending_is_found_and_never_sent_again() {
    let seen = Arc::new(Seen::default());
    let root = resetting_gateway(Arc::clone(&seen));
    let subscriptions =
        Subscriptions::new(client_at(&root).e_financing_v1_7_1()).with_policy(quick_policy());
    let outcome = subscriptions.create("fr-FR", application()).await;
    match outcome {
        Ok(CreateOutcome::AlreadyExisted(found)) => {
            assert_eq!(found.credit_subscription_id.to_string(), ID)
        }
        other => panic!("expected AlreadyExisted, got {other:?}"),
    }
    assert_eq!(seen.creates.load(Ordering::SeqCst), 1);
    assert_eq!(seen.lookups.load(Ordering::SeqCst), 1);
}
