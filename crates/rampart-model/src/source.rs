//! Turning raw bytes into text we can parse, with clear reasons when we cannot.

use crate::node::Pos;

/// Why a file's bytes are not a text we can load.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("file is empty")]
    Empty,
    #[error("binary file (contains NUL bytes)")]
    Binary,
    #[error("UTF-16/UTF-32 encoded files are not supported; convert the file to UTF-8")]
    WideEncoding,
    #[error("invalid UTF-8 at line {}, column {}", .0.line, .0.col)]
    InvalidUtf8(Pos),
    #[error("file is {size} bytes, over the {limit}-byte limit (raise it with --max-file-size)")]
    TooLarge { size: u64, limit: u64 },
}

impl DecodeError {
    /// The position of the problem, when it has one.
    pub fn pos(&self) -> Option<Pos> {
        match self {
            DecodeError::InvalidUtf8(p) => Some(*p),
            _ => None,
        }
    }
}

/// Decodes file contents as UTF-8, dropping a byte-order mark. Empty and whitespace-only
/// files are reported as [`DecodeError::Empty`].
pub fn decode(bytes: Vec<u8>) -> Result<String, DecodeError> {
    if bytes.starts_with(&[0xFF, 0xFE])
        || bytes.starts_with(&[0xFE, 0xFF])
        || bytes.starts_with(&[0, 0, 0xFE, 0xFF])
    {
        return Err(DecodeError::WideEncoding);
    }
    if memchr_nul(&bytes) {
        return Err(DecodeError::Binary);
    }
    let mut text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.as_bytes();
            let before = &bytes[..valid];
            let line = line_breaks(before) + 1;
            let line_start = before
                .iter()
                .enumerate()
                .rposition(|(i, &b)| b == b'\n' || (b == b'\r' && before.get(i + 1) != Some(&b'\n')))
                .map_or(0, |i| i + 1);
            let col = String::from_utf8_lossy(&before[line_start..]).chars().count() + 1;
            return Err(DecodeError::InvalidUtf8(Pos::new(
                u32::try_from(line).unwrap_or(u32::MAX),
                u32::try_from(col).unwrap_or(u32::MAX),
            )));
        }
    };
    if text.starts_with('\u{feff}') {
        text.drain(..3);
    }
    if text.trim().is_empty() {
        return Err(DecodeError::Empty);
    }
    // YAML ends a line at a lone carriage return too (old Mac line endings); make the text
    // agree, so that line numbers from the parser name the lines `Source::line` shows.
    if text.contains('\r') {
        text = normalize_lone_cr(&text);
    }
    Ok(text)
}

/// Line breaks as YAML counts them: `\n`, `\r\n` and a lone `\r`.
fn line_breaks(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
        .count()
}

fn normalize_lone_cr(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' && chars.peek() != Some(&'\n') {
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    out
}

fn memchr_nul(bytes: &[u8]) -> bool {
    bytes.contains(&0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lone_carriage_returns_end_lines() {
        assert_eq!(
            decode(b"a: 1\rb: 2\r\nc: 3\r".to_vec()).unwrap(),
            "a: 1\nb: 2\r\nc: 3\n"
        );
        let e = decode(b"a: 1\rb: \xFF\n".to_vec()).unwrap_err();
        assert_eq!(e, DecodeError::InvalidUtf8(Pos::new(2, 4)));
    }

    #[test]
    fn bom_is_dropped() {
        assert_eq!(decode(b"\xEF\xBB\xBFa: 1\n".to_vec()).unwrap(), "a: 1\n");
    }

    #[test]
    fn invalid_utf8_has_a_position() {
        let e = decode(b"a: 1\nb: \xFF\n".to_vec()).unwrap_err();
        assert_eq!(e, DecodeError::InvalidUtf8(Pos::new(2, 4)));
    }

    #[test]
    fn binary_and_empty() {
        assert_eq!(
            decode(b"\x7fELF\x00\x01".to_vec()).unwrap_err(),
            DecodeError::Binary
        );
        assert_eq!(decode(b"  \n\n".to_vec()).unwrap_err(), DecodeError::Empty);
        assert_eq!(
            decode(b"\xFF\xFEa\x00".to_vec()).unwrap_err(),
            DecodeError::WideEncoding
        );
    }
}
