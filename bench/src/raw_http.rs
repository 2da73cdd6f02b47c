//! One GET over a bare TCP connection, to learn the exact byte count of an answer as it
//! travels on the wire (status line, headers and body), which no HTTP client library
//! reports. The ceiling is sized from it.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Longer than any of these answers may take, so a hang is an error and not a stall.
const TIMEOUT: Duration = Duration::from_secs(10);
/// No answer measured here comes near this; more means something is wrong.
const MAX_HEAD: usize = 64 * 1024;

#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    /// Status line, headers and the blank line after them.
    pub head_bytes: usize,
    pub body: Vec<u8>,
    /// Names in lower case, values as sent.
    pub headers: Vec<(String, String)>,
}

impl Answer {
    /// Every byte of the answer.
    pub fn total_bytes(&self) -> usize {
        self.head_bytes + self.body.len()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// `GET path` on a keep-alive connection (as wrk sends it, so the answer carries the same
/// headers), with `extra_headers` such as a cookie.
pub async fn get(
    address: SocketAddr,
    path: &str,
    extra_headers: &[(&str, &str)],
) -> Result<Answer, String> {
    tokio::time::timeout(TIMEOUT, get_now(address, path, extra_headers))
        .await
        .map_err(|_| format!("GET {path}: no whole answer within {TIMEOUT:?}"))?
}

async fn get_now(
    address: SocketAddr,
    path: &str,
    extra_headers: &[(&str, &str)],
) -> Result<Answer, String> {
    let mut stream = TcpStream::connect(address)
        .await
        .map_err(|e| format!("connect to {address}: {e}"))?;
    let mut request = format!("GET {path} HTTP/1.1\r\nHost: {address}\r\n");
    for (name, value) in extra_headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| format!("GET {path}: send: {e}"))?;

    let mut received = Vec::with_capacity(4096);
    let head_end = loop {
        if let Some(at) = find(&received, b"\r\n\r\n") {
            break at + 4;
        }
        if received.len() > MAX_HEAD {
            return Err(format!("GET {path}: answer head over {MAX_HEAD} bytes"));
        }
        read_more(&mut stream, &mut received, path).await?;
    };
    let head = std::str::from_utf8(&received[..head_end])
        .map_err(|_| format!("GET {path}: answer head is not UTF-8"))?;
    let (status, headers) = parse_head(head)
        .ok_or_else(|| format!("GET {path}: not an HTTP answer: {:?}", first_line(head)))?;
    if headers.iter().any(|(n, _)| n == "transfer-encoding") {
        return Err(format!(
            "GET {path}: a chunked answer, whose size on the wire this benchmark does not measure"
        ));
    }
    let length = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .map(|(_, v)| v.trim().parse::<usize>())
        .transpose()
        .map_err(|_| format!("GET {path}: unreadable content-length"))?
        .unwrap_or(0);
    while received.len() < head_end + length {
        read_more(&mut stream, &mut received, path).await?;
    }
    Ok(Answer {
        status,
        head_bytes: head_end,
        body: received[head_end..head_end + length].to_vec(),
        headers,
    })
}

async fn read_more(stream: &mut TcpStream, into: &mut Vec<u8>, path: &str) -> Result<(), String> {
    let mut chunk = [0_u8; 8192];
    let n = stream
        .read(&mut chunk)
        .await
        .map_err(|e| format!("GET {path}: receive: {e}"))?;
    if n == 0 {
        return Err(format!(
            "GET {path}: the server closed the connection mid-answer"
        ));
    }
    into.extend_from_slice(&chunk[..n]);
    Ok(())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn first_line(head: &str) -> &str {
    head.lines().next().unwrap_or_default()
}

fn parse_head(head: &str) -> Option<(u16, Vec<(String, String)>)> {
    let mut lines = head.split("\r\n");
    let status = lines
        .next()?
        .strip_prefix("HTTP/1.1 ")?
        .get(..3)?
        .parse()
        .ok()?;
    let headers = lines
        .filter(|line| !line.is_empty())
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Some((status, headers))
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_a_head() {
        let head = "HTTP/1.1 302 Found\r\nLocation: http://x/y?a=b\r\ncontent-length: 0\r\n\r\n";
        let (status, headers) = super::parse_head(head).expect("a head");
        assert_eq!(status, 302);
        assert_eq!(
            headers[0],
            ("location".to_owned(), "http://x/y?a=b".to_owned())
        );
        assert!(super::parse_head("SSH-2.0\r\n\r\n").is_none());
    }
}
