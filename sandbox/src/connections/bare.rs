//! hyper answers the requests it cannot parse by itself, before any handler runs: invalid bytes
//! in the request line or the path (400), a request target over its 64 KiB limit (414), a head
//! larger than the read buffer or with too many headers (431), each with an empty body. This io
//! adapter rewrites those answers into the gateway's JSON error shape as they are written.
//!
//! They are told apart from the sandbox's own answers by what none of those looks like: an
//! error status with `content-length: 0` (every error a route answers carries a JSON or HTML
//! body; the HTTP layer makes sure of it). The adapter also turns a reset asked for by fault
//! injection into a TCP reset when the connection is dropped.

use super::super::errors::baas_body;
use super::Connection;
use axum::http::StatusCode;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// A connection's socket, as hyper reads and writes it.
pub(crate) struct Io {
    stream: TcpStream,
    connection: Connection,
    /// The JSON answer being written in place of hyper's own.
    replacement: Option<Replacement>,
}

struct Replacement {
    bytes: Vec<u8>,
    written: usize,
    /// How many of hyper's bytes it replaces: what the write reports once it is done.
    stands_for: usize,
}

impl Io {
    pub(crate) fn new(stream: TcpStream, connection: Connection) -> Io {
        Io {
            stream,
            connection,
            replacement: None,
        }
    }

    /// Writes the rest of the replacement; ready with the length of what it stands for.
    fn poll_replacement(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let Some(replacement) = self.replacement.as_mut() else {
            return Poll::Ready(Ok(0));
        };
        while replacement.written < replacement.bytes.len() {
            let rest = &replacement.bytes[replacement.written..];
            let written = ready!(Pin::new(&mut self.stream).poll_write(cx, rest))?;
            if written == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            replacement.written += written;
        }
        let stands_for = replacement.stands_for;
        self.replacement = None;
        Poll::Ready(Ok(stands_for))
    }

    fn start_replacing(&mut self, head: &[u8]) -> bool {
        match replacement(head) {
            Some(bytes) => {
                self.replacement = Some(Replacement {
                    bytes,
                    written: 0,
                    stands_for: head.len(),
                });
                true
            }
            None => false,
        }
    }
}

impl Drop for Io {
    fn drop(&mut self) {
        if self.connection.is_reset() {
            // A zero linger makes closing the socket send RST: the client sees a reset.
            let _ = self.stream.set_zero_linger();
        }
    }
}

impl AsyncRead for Io {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Io {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.replacement.is_some() || this.start_replacing(buf) {
            return this.poll_replacement(cx);
        }
        Pin::new(&mut this.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.replacement.is_some() {
            return this.poll_replacement(cx);
        }
        let mut filled = bufs.iter().filter(|buf| !buf.is_empty());
        if let (Some(head), None) = (filled.next(), filled.next()) {
            if this.start_replacing(head) {
                return this.poll_replacement(cx);
            }
        }
        Pin::new(&mut this.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_replacement(cx))?;
        Pin::new(&mut this.stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_replacement(cx))?;
        Pin::new(&mut this.stream).poll_shutdown(cx)
    }
}

/// What to send instead of `head`, if it is an answer hyper wrote by itself: the same status
/// line and headers (its `date`), a `BaasExceptionHttpResponse` body, and `connection: close`
/// (hyper closes the connection after such an answer).
fn replacement(head: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(head).ok()?;
    let head = text.strip_suffix("\r\n\r\n")?;
    if head.contains("\r\n\r\n") {
        return None; // a body follows the head
    }
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?;
    let status = status_line
        .strip_prefix("HTTP/1.1 ")
        .or_else(|| status_line.strip_prefix("HTTP/1.0 "))?
        .get(..3)
        .and_then(|code| StatusCode::from_bytes(code.as_bytes()).ok())?;
    if !(status.is_client_error() || status.is_server_error()) {
        return None;
    }
    let mut empty = false;
    let mut kept = Vec::new();
    for line in lines {
        let (name, value) = line.split_once(':')?;
        if name.eq_ignore_ascii_case("content-length") {
            if value.trim() != "0" {
                return None;
            }
            empty = true;
        } else if name.eq_ignore_ascii_case("content-type") {
            return None;
        } else if !name.eq_ignore_ascii_case("connection") {
            kept.push(line);
        }
    }
    if !empty {
        return None;
    }
    let message = match status {
        StatusCode::URI_TOO_LONG => "the request target is too long",
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => {
            "the request head is too large or has too many headers"
        }
        _ => "the request could not be read: malformed request line, path or header",
    };
    let body = baas_body(
        status,
        super::super::errors::status_code_name(status),
        message.to_string(),
        Vec::new(),
        None,
    );
    let body = serde_json::to_vec(&body).ok()?;
    let mut answer = format!(
        "{status_line}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
        body.len()
    );
    for line in kept {
        answer.push_str(line);
        answer.push_str("\r\n");
    }
    answer.push_str("\r\n");
    let mut bytes = answer.into_bytes();
    bytes.extend_from_slice(&body);
    Some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(answer: &[u8]) -> (String, serde_json::Value) {
        let text = String::from_utf8(answer.to_vec()).expect("text");
        let (head, body) = text.split_once("\r\n\r\n").expect("a head");
        (head.to_string(), serde_json::from_str(body).expect("JSON"))
    }

    #[test]
    fn hypers_own_answers_get_the_gateways_body() {
        let bare = b"HTTP/1.1 414 URI Too Long\r\ncontent-length: 0\r\ndate: Mon, 01 Dec 2025 10:00:00 GMT\r\n\r\n";
        let answer = replacement(bare).expect("rewritten");
        let (head, body) = split(&answer);
        assert!(head.starts_with("HTTP/1.1 414 URI Too Long\r\n"), "{head}");
        assert!(
            head.contains("\r\ncontent-type: application/json"),
            "{head}"
        );
        assert!(head.contains("\r\nconnection: close"), "{head}");
        assert!(head.contains("\r\ndate: Mon, 01 Dec 2025"), "{head}");
        let length = body.to_string().len();
        assert!(
            head.contains(&format!("content-length: {length}")),
            "{head}"
        );
        assert_eq!(body["httpStatusCode"], 414);
        assert_eq!(body["errorCode"], "URI_TOO_LONG");
        let bad = replacement(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n");
        assert_eq!(
            split(&bad.expect("rewritten")).1["errorCode"],
            "BAD_REQUEST"
        );
    }

    #[test]
    fn the_sandboxs_own_answers_pass_untouched() {
        for head in [
            &b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"[..],
            b"HTTP/1.1 204 No Content\r\n\r\n",
            b"HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n",
            b"HTTP/1.1 404 Not Found\r\ncontent-length: 2\r\n\r\n{}",
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\nHTTP/1.1 200 OK\r\n\r\n",
            b"{\"a\": 1}",
            b"HTTP/1.1 400 Bad Request\r\ntransfer-encoding: chunked\r\n\r\n",
        ] {
            assert!(
                replacement(head).is_none(),
                "{}",
                String::from_utf8_lossy(head)
            );
        }
    }
}
