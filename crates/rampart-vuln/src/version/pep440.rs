//! Python package versions (PEP 440), ordered like `packaging.version.Version`.
//!
//! Accepted spellings are the normalising ones of the PEP: surrounding whitespace, a
//! leading `v`, any letter case, `-`, `_` or `.` before and after pre-release, post and
//! dev labels or none at all, `alpha`/`beta`/`c`/`pre`/`preview` for `a`/`b`/`rc`,
//! `rev`/`r` for `post`, `1.0-1` for `1.0.post1`, a missing label number for `0`, and
//! `-`/`_` in local versions for `.`.
//!
//! Order: epoch, then the release numbers (trailing zeros do not count: `1.0 == 1.0.0`),
//! then pre-release (`a < b < rc`; a version with only a dev label sorts before all its
//! pre-releases), post-release, dev release (before the same version without it), and
//! last the local version (absent < present; segments compared as numbers when numeric,
//! numbers after words, words as lowercase strings).

use std::cmp::Ordering;

use super::cmp_decimal;

/// A parsed PEP 440 version; compare with [`Ord`].
#[derive(Debug, Clone)]
pub struct Version<'a> {
    epoch: &'a [u8],
    release: Vec<&'a [u8]>,
    /// Rank (0 = a, 1 = b, 2 = rc) and number.
    pre: Option<(u8, &'a [u8])>,
    post: Option<&'a [u8]>,
    dev: Option<&'a [u8]>,
    local: Option<Vec<&'a [u8]>>,
}

struct Cursor<'a> {
    s: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).map(u8::to_ascii_lowercase)
    }

    fn digits(&mut self) -> Option<&'a [u8]> {
        let len = self.s[self.pos..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if len == 0 {
            return None;
        }
        let digits = &self.s[self.pos..self.pos + len];
        self.pos += len;
        Some(digits)
    }

    fn separator(&mut self) -> bool {
        if matches!(self.peek(), Some(b'-' | b'_' | b'.')) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Consumes the first of `words` found here (case-insensitively); its index.
    fn word(&mut self, words: &[&str]) -> Option<usize> {
        let rest = &self.s[self.pos..];
        let found = words
            .iter()
            .position(|w| rest.len() >= w.len() && rest[..w.len()].eq_ignore_ascii_case(w.as_bytes()))?;
        self.pos += words[found].len();
        Some(found)
    }

    /// `[-_.]? word [-_.]? digits?`, restoring the position when there is no word.
    fn label(&mut self, words: &[&str]) -> Option<(usize, Option<&'a [u8]>)> {
        let start = self.pos;
        self.separator();
        let Some(found) = self.word(words) else {
            self.pos = start;
            return None;
        };
        self.separator();
        Some((found, self.digits()))
    }
}

const ZERO: &[u8] = b"0";
/// Pre-release labels in the order the PEP's regular expression tries them.
const PRE: [&str; 8] = ["alpha", "a", "beta", "b", "preview", "pre", "c", "rc"];

impl<'a> Version<'a> {
    /// Parses a version; `None` when `packaging` would raise `InvalidVersion`.
    pub fn parse(input: &'a str) -> Option<Self> {
        let s = input.trim().as_bytes();
        if !s.is_ascii() {
            return None;
        }
        let mut c = Cursor { s, pos: 0 };
        if c.peek() == Some(b'v') {
            c.pos += 1;
        }
        let mut first = c.digits()?;
        let mut epoch = ZERO;
        if c.peek() == Some(b'!') {
            c.pos += 1;
            epoch = first;
            first = c.digits()?;
        }
        let mut release = vec![first];
        while c.peek() == Some(b'.') && c.s.get(c.pos + 1).is_some_and(u8::is_ascii_digit) {
            c.pos += 1;
            release.push(c.digits()?);
        }
        let pre = c.label(&PRE).map(|(word, n)| {
            let rank = match PRE[word] {
                "alpha" | "a" => 0,
                "beta" | "b" => 1,
                _ => 2,
            };
            (rank, n.unwrap_or(ZERO))
        });
        let mut post = None;
        if c.peek() == Some(b'-') && c.s.get(c.pos + 1).is_some_and(u8::is_ascii_digit) {
            c.pos += 1;
            post = c.digits();
        } else if let Some((_, n)) = c.label(&["post", "rev", "r"]) {
            post = Some(n.unwrap_or(ZERO));
        }
        let dev = c.label(&["dev"]).map(|(_, n)| n.unwrap_or(ZERO));
        let mut local = None;
        if c.peek() == Some(b'+') {
            c.pos += 1;
            let mut segments = Vec::new();
            loop {
                let rest = &c.s[c.pos..];
                let len = rest.iter().take_while(|b| b.is_ascii_alphanumeric()).count();
                if len == 0 {
                    return None;
                }
                segments.push(&rest[..len]);
                c.pos += len;
                if matches!(c.peek(), Some(b'-' | b'_' | b'.')) {
                    c.pos += 1;
                } else {
                    break;
                }
            }
            local = Some(segments);
        }
        if c.pos != c.s.len() {
            return None;
        }
        Some(Self {
            epoch,
            release,
            pre,
            post,
            dev,
            local,
        })
    }
}

fn compare_release(a: &[&[u8]], b: &[&[u8]]) -> Ordering {
    for i in 0..a.len().max(b.len()) {
        let x = a.get(i).copied().unwrap_or(ZERO);
        let y = b.get(i).copied().unwrap_or(ZERO);
        let order = cmp_decimal(x, y);
        if order != Ordering::Equal {
            return order;
        }
    }
    Ordering::Equal
}

/// The pre-release position: before all pre-releases (dev-only), a pre-release, or
/// after them.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum PreKey<'a> {
    Lowest,
    Pre(u8, Num<'a>),
    Highest,
}

/// A decimal digit run ordered by value.
#[derive(PartialEq, Eq)]
struct Num<'a>(&'a [u8]);

impl Ord for Num<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_decimal(self.0, other.0)
    }
}

impl PartialOrd for Num<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<'a> Version<'a> {
    fn pre_key(&self) -> PreKey<'a> {
        match self.pre {
            Some((rank, n)) => PreKey::Pre(rank, Num(n)),
            None if self.post.is_none() && self.dev.is_some() => PreKey::Lowest,
            None => PreKey::Highest,
        }
    }
}

fn compare_local_segment(a: &[u8], b: &[u8]) -> Ordering {
    let a_num = a.iter().all(u8::is_ascii_digit);
    let b_num = b.iter().all(u8::is_ascii_digit);
    match (a_num, b_num) {
        (true, true) => cmp_decimal(a, b),
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => a
            .iter()
            .map(u8::to_ascii_lowercase)
            .cmp(b.iter().map(u8::to_ascii_lowercase)),
    }
}

impl Ord for Version<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_decimal(self.epoch, other.epoch)
            .then_with(|| compare_release(&self.release, &other.release))
            .then_with(|| self.pre_key().cmp(&other.pre_key()))
            .then_with(|| self.post.map(Num).cmp(&other.post.map(Num)))
            .then_with(|| match (self.dev, other.dev) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Greater,
                (Some(_), None) => Ordering::Less,
                (Some(a), Some(b)) => cmp_decimal(a, b),
            })
            .then_with(|| match (&self.local, &other.local) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Less,
                (Some(_), None) => Ordering::Greater,
                (Some(a), Some(b)) => {
                    for (x, y) in a.iter().zip(b) {
                        let order = compare_local_segment(x, y);
                        if order != Ordering::Equal {
                            return order;
                        }
                    }
                    a.len().cmp(&b.len())
                }
            })
    }
}

order_by_cmp!(Version<'_>);

/// Orders two PEP 440 versions; `None` when either is not valid.
pub fn compare(a: &str, b: &str) -> Option<Ordering> {
    Some(Version::parse(a)?.cmp(&Version::parse(b)?))
}
