//! Alpine (apk) versions, ordered by the rules of apk-tools 3.
//!
//! Grammar: `digits{.digits}...{letter}{_suffix{digits}}...{~hexhash}{-rdigits}`, where
//! the letter is one lowercase ASCII letter and a suffix is one of `alpha`, `beta`,
//! `pre`, `rc` (pre-releases, in that order, before the plain version) or `cvs`, `svn`,
//! `git`, `hg`, `p` (post-releases, in that order). Tokens are compared pairwise from
//! the left: numbers by value, except that a dotted component with a leading zero on
//! either side is compared as a string (`1.01 < 1.1`, `1.010 > 1.01`); letters by byte;
//! suffixes by their rank; commit hashes as strings. When one version runs out of
//! tokens, or the next tokens are of different kinds, the one with the earlier kind of
//! token is newer (`1.0.1 > 1.0a > 1.0_p1 > 1.0~abc > 1.0-r1 > 1.0`), except that a
//! pre-release suffix always makes its version older (`1.0_rc1 < 1.0`).
//!
//! Anything else is not a version here, including numbers that do not fit in 64 bits.

use std::cmp::Ordering;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    InitialDigit,
    Digit,
    Letter,
    Suffix,
    SuffixNumber,
    CommitHash,
    Revision,
    End,
}

/// Suffix ranks; `NONE` (the plain version) sits between pre- and post-releases.
const SUFFIXES: [(&str, u8); 9] = [
    ("alpha", 1),
    ("beta", 2),
    ("pre", 3),
    ("rc", 4),
    ("cvs", 6),
    ("svn", 7),
    ("git", 8),
    ("hg", 9),
    ("p", 10),
];
const SUFFIX_NONE: u8 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Token<'a> {
    kind: Kind,
    /// The token's text (digits, letter, suffix name or hash).
    text: &'a [u8],
    /// The number for numeric tokens, the rank for suffixes.
    value: u64,
}

/// A parsed apk version; compare with [`Ord`].
#[derive(Debug, Clone)]
pub struct Version<'a> {
    tokens: Vec<Token<'a>>,
}

fn take_digits(s: &[u8]) -> Option<(&[u8], u64, &[u8])> {
    let len = s.iter().take_while(|c| c.is_ascii_digit()).count();
    if len == 0 {
        return None;
    }
    let mut value: u64 = 0;
    for &d in &s[..len] {
        value = value.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    Some((&s[..len], value, &s[len..]))
}

impl<'a> Version<'a> {
    /// Parses an apk version; `None` when apk-tools would not accept it.
    pub fn parse(input: &'a str) -> Option<Self> {
        let (text, value, mut rest) = take_digits(input.as_bytes())?;
        let mut tokens = vec![Token {
            kind: Kind::InitialDigit,
            text,
            value,
        }];
        let mut last = Kind::InitialDigit;
        while let Some(&c) = rest.first() {
            let token = match c {
                b'a'..=b'z' if last <= Kind::Digit => {
                    let token = Token {
                        kind: Kind::Letter,
                        text: &rest[..1],
                        value: u64::from(c),
                    };
                    rest = &rest[1..];
                    token
                }
                b'.' if last <= Kind::Digit => {
                    let (text, value, after) = take_digits(&rest[1..])?;
                    rest = after;
                    Token {
                        kind: Kind::Digit,
                        text,
                        value,
                    }
                }
                b'0'..=b'9' if last == Kind::Suffix => {
                    let (text, value, after) = take_digits(rest)?;
                    rest = after;
                    Token {
                        kind: Kind::SuffixNumber,
                        text,
                        value,
                    }
                }
                b'_' if last <= Kind::SuffixNumber => {
                    let body = &rest[1..];
                    let len = body.iter().take_while(|c| c.is_ascii_lowercase()).count();
                    let name = &body[..len];
                    let (_, rank) = SUFFIXES.iter().find(|(s, _)| s.as_bytes() == name)?;
                    rest = &body[len..];
                    Token {
                        kind: Kind::Suffix,
                        text: name,
                        value: u64::from(*rank),
                    }
                }
                b'~' if last < Kind::CommitHash => {
                    let body = &rest[1..];
                    let len = body
                        .iter()
                        .take_while(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
                        .count();
                    if len == 0 {
                        return None;
                    }
                    rest = &body[len..];
                    Token {
                        kind: Kind::CommitHash,
                        text: &body[..len],
                        value: 0,
                    }
                }
                b'-' if last < Kind::Revision && rest.get(1) == Some(&b'r') => {
                    let (text, value, after) = take_digits(&rest[2..])?;
                    rest = after;
                    Token {
                        kind: Kind::Revision,
                        text,
                        value,
                    }
                }
                _ => return None,
            };
            last = token.kind;
            tokens.push(token);
        }
        Some(Self { tokens })
    }
}

/// Compares two tokens of the same kind.
fn compare_tokens(a: &Token<'_>, b: &Token<'_>) -> Ordering {
    match a.kind {
        Kind::Digit if a.text[0] == b'0' || b.text[0] == b'0' => a.text.cmp(b.text),
        Kind::CommitHash => a.text.cmp(b.text),
        _ => a.value.cmp(&b.value),
    }
}

const END: Token<'static> = Token {
    kind: Kind::End,
    text: b"",
    value: 0,
};

impl Ord for Version<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        let mut i = 0;
        loop {
            let a = self.tokens.get(i).unwrap_or(&END);
            let b = other.tokens.get(i).unwrap_or(&END);
            if a.kind != b.kind {
                let pre = |t: &Token<'_>| t.kind == Kind::Suffix && t.value < u64::from(SUFFIX_NONE);
                if pre(a) {
                    return Ordering::Less;
                }
                if pre(b) {
                    return Ordering::Greater;
                }
                // The version that goes on with an earlier kind of token is newer.
                return b.kind.cmp(&a.kind);
            }
            if a.kind == Kind::End {
                return Ordering::Equal;
            }
            let order = compare_tokens(a, b);
            if order != Ordering::Equal {
                return order;
            }
            i += 1;
        }
    }
}

order_by_cmp!(Version<'_>);

/// Orders two apk versions; `None` when either is not valid.
pub fn compare(a: &str, b: &str) -> Option<Ordering> {
    Some(Version::parse(a)?.cmp(&Version::parse(b)?))
}
