//! The part of HTTP/1.1 a webhook needs: requests with a `Content-Length` or chunked body,
//! `Expect: 100-continue`, keep-alive, and limits on every part of a request.

use std::io::{self, BufRead, Read as _, Write};

/// The longest request line or header line read.
const MAX_LINE: usize = 8 * 1024;
/// The most header lines read.
const MAX_HEADERS: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    /// The path without the query string.
    pub path: String,
    /// Header names in lower case, values trimmed.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Whether the client wants the connection kept open after the response.
    pub keep_alive: bool,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Why no request could be read.
#[derive(Debug)]
pub enum ReadError {
    /// The client closed the connection between requests.
    Closed,
    Io(io::Error),
    /// A request the server answers with this status, then closes the connection.
    Reject(u16, String),
}

impl From<io::Error> for ReadError {
    fn from(e: io::Error) -> Self {
        ReadError::Io(e)
    }
}

/// Reads one line ending in `\n`, without the line ending. `None` at end of input before
/// any byte.
fn read_line(r: &mut impl BufRead) -> Result<Option<String>, ReadError> {
    let mut buf = Vec::new();
    let n = r.take(MAX_LINE as u64 + 1).read_until(b'\n', &mut buf)?;
    if n == 0 {
        return Ok(None);
    }
    if buf.last() != Some(&b'\n') {
        if buf.len() > MAX_LINE {
            return Err(ReadError::Reject(
                431,
                "a request or header line is too long".into(),
            ));
        }
        return Err(ReadError::Io(io::ErrorKind::UnexpectedEof.into()));
    }
    buf.pop();
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    String::from_utf8(buf)
        .map(Some)
        .map_err(|_| ReadError::Reject(400, "the request head is not UTF-8".into()))
}

/// Reads one request. `before_body` is called with the reader when the client waits for
/// `100 Continue` and the body is acceptable: it sends the interim response.
pub fn read_request<R: BufRead>(
    r: &mut R,
    max_body: usize,
    mut before_body: impl FnMut(&mut R) -> io::Result<()>,
) -> Result<Request, ReadError> {
    // Blank lines before a request are allowed (RFC 9112 section 2.2).
    let line = loop {
        match read_line(r)? {
            None => return Err(ReadError::Closed),
            Some(l) if l.is_empty() => {}
            Some(l) => break l,
        }
    };
    let mut parts = line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ReadError::Reject(400, format!("malformed request line `{line}`")));
    };
    let keep_alive_default = match version {
        "HTTP/1.1" => true,
        "HTTP/1.0" => false,
        _ => {
            return Err(ReadError::Reject(
                505,
                format!("unsupported protocol `{version}`"),
            ));
        }
    };
    let mut headers = Vec::new();
    loop {
        let Some(l) = read_line(r)? else {
            return Err(ReadError::Io(io::ErrorKind::UnexpectedEof.into()));
        };
        if l.is_empty() {
            break;
        }
        if headers.len() == MAX_HEADERS {
            return Err(ReadError::Reject(431, "too many header lines".into()));
        }
        let Some((name, value)) = l.split_once(':') else {
            return Err(ReadError::Reject(400, format!("malformed header line `{l}`")));
        };
        if name.is_empty() || name.ends_with(' ') || name.ends_with('\t') {
            return Err(ReadError::Reject(400, format!("malformed header name `{name}`")));
        }
        headers.push((name.to_ascii_lowercase(), value.trim().to_string()));
    }
    let mut req = Request {
        method: method.to_string(),
        path: target.split('?').next().unwrap_or_default().to_string(),
        headers,
        body: Vec::new(),
        keep_alive: keep_alive_default,
    };
    if let Some(c) = req.header("connection") {
        let tokens: Vec<String> = c.split(',').map(|t| t.trim().to_ascii_lowercase()).collect();
        if tokens.iter().any(|t| t == "close") {
            req.keep_alive = false;
        } else if tokens.iter().any(|t| t == "keep-alive") {
            req.keep_alive = true;
        }
    }
    let chunked = match req.header("transfer-encoding") {
        None => false,
        Some(te) if te.eq_ignore_ascii_case("chunked") => true,
        Some(te) => {
            return Err(ReadError::Reject(
                501,
                format!("unsupported transfer encoding `{te}`"),
            ));
        }
    };
    let length = match (chunked, req.header("content-length")) {
        (true, Some(_)) => {
            return Err(ReadError::Reject(
                400,
                "both Content-Length and Transfer-Encoding are set".into(),
            ));
        }
        (_, Some(v)) => match v.parse::<usize>() {
            Ok(n) => Some(n),
            Err(_) => return Err(ReadError::Reject(400, format!("invalid Content-Length `{v}`"))),
        },
        (_, None) => None,
    };
    if length.is_some_and(|n| n > max_body) {
        return Err(ReadError::Reject(
            413,
            format!("the body is larger than {max_body} bytes"),
        ));
    }
    let expects_continue = req
        .header("expect")
        .is_some_and(|e| e.eq_ignore_ascii_case("100-continue"));
    if expects_continue && (chunked || length.is_some_and(|n| n > 0)) {
        before_body(r)?;
    }
    if chunked {
        req.body = read_chunked(r, max_body)?;
    } else if let Some(n) = length {
        let mut body = vec![0; n];
        r.read_exact(&mut body)?;
        req.body = body;
    }
    Ok(req)
}

fn read_chunked(r: &mut impl BufRead, max_body: usize) -> Result<Vec<u8>, ReadError> {
    let mut body = Vec::new();
    loop {
        let Some(line) = read_line(r)? else {
            return Err(ReadError::Io(io::ErrorKind::UnexpectedEof.into()));
        };
        let size_text = line.split(';').next().unwrap_or_default().trim();
        let Ok(size) = usize::from_str_radix(size_text, 16) else {
            return Err(ReadError::Reject(
                400,
                format!("invalid chunk size `{size_text}`"),
            ));
        };
        if size == 0 {
            // Trailer fields, up to the blank line.
            loop {
                match read_line(r)? {
                    Some(l) if !l.is_empty() => {}
                    _ => return Ok(body),
                }
            }
        }
        if body.len() + size > max_body {
            return Err(ReadError::Reject(
                413,
                format!("the body is larger than {max_body} bytes"),
            ));
        }
        let start = body.len();
        body.resize(start + size, 0);
        r.read_exact(&mut body[start..])?;
        let mut crlf = [0u8; 2];
        r.read_exact(&mut crlf)?;
        if &crlf != b"\r\n" {
            return Err(ReadError::Reject(400, "a chunk does not end with CRLF".into()));
        }
    }
}

pub fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}

/// Writes a whole response in one buffer, so it leaves in as few TLS records as possible.
/// For a HEAD request (`head`) the headers say what a GET would get and no body follows.
pub fn write_response(
    w: &mut impl Write,
    status: u16,
    content_type: &str,
    body: &[u8],
    keep_alive: bool,
    head: bool,
) -> io::Result<()> {
    let mut out = Vec::with_capacity(body.len() + 128);
    write!(
        out,
        "HTTP/1.1 {status} {}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n",
        reason(status),
        body.len()
    )?;
    if !keep_alive {
        out.extend_from_slice(b"Connection: close\r\n");
    }
    out.extend_from_slice(b"\r\n");
    if !head {
        out.extend_from_slice(body);
    }
    w.write_all(&out)?;
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, max: usize) -> Result<Request, ReadError> {
        let mut continued = false;
        let r = read_request(&mut text.as_bytes(), max, |_| {
            continued = true;
            Ok(())
        });
        if let Ok(req) = &r {
            assert_eq!(continued, req.header("expect").is_some());
        }
        r
    }

    fn status(r: Result<Request, ReadError>) -> u16 {
        match r {
            Err(ReadError::Reject(s, _)) => s,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn reads_length_and_chunked_bodies() {
        let r = read(
            "POST /validate?timeout=10s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\nhello",
            10,
        )
        .unwrap();
        assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", "/validate"));
        assert_eq!(r.body, b"hello");
        assert!(r.keep_alive);
        assert_eq!(r.header("content-type"), Some("application/json"));
        let r = read(
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n3;x=y\r\nhel\r\n2\r\nlo\r\n0\r\nTrailer: 1\r\n\r\n",
            10,
        )
        .unwrap();
        assert_eq!(r.body, b"hello");
        assert!(!r.keep_alive);
        let r = read("GET /healthz HTTP/1.0\r\n\r\n", 10).unwrap();
        assert!(!r.keep_alive && r.body.is_empty());
    }

    #[test]
    fn rejects_what_it_cannot_serve() {
        assert_eq!(
            status(read(
                "POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\nhello world",
                10
            )),
            413
        );
        assert_eq!(
            status(read(
                "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n",
                10
            )),
            413
        );
        assert_eq!(
            status(read("POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n", 10)),
            400
        );
        assert_eq!(status(read("GARBAGE\r\n\r\n", 10)), 400);
        assert_eq!(status(read("GET / HTTP/2.0\r\n\r\n", 10)), 505);
        assert_eq!(
            status(read("GET / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 10)),
            501
        );
        let long = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(MAX_LINE));
        assert_eq!(status(read(&long, 10)), 431);
        assert!(matches!(read("", 10), Err(ReadError::Closed)));
        assert!(matches!(
            read("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhel", 10),
            Err(ReadError::Io(_))
        ));
    }
}
