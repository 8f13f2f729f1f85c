//! Debian and Ubuntu versions, ordered the way `dpkg --compare-versions` orders them.
//!
//! A version is `[epoch:]upstream[-revision]`. The epoch is a decimal number (at most
//! 2147483647) and is compared first. The revision is whatever follows the last `-`;
//! without one it compares like `0`. Upstream and revision are compared by alternating
//! runs: a run of non-digits, compared character by character where `~` sorts before
//! everything (even the end of the string), letters before all other characters, and
//! then a run of digits compared as a number.
//!
//! Strings that dpkg rejects or warns about are not versions here: an empty upstream or
//! revision, an upstream that does not start with a digit, characters outside
//! `[A-Za-z0-9.+~-]` (plus `:` after an epoch) in the upstream or outside `[A-Za-z0-9.+~]`
//! in the revision, and any whitespace.

use std::cmp::Ordering;

use super::cmp_decimal;

/// A parsed Debian version; compare with [`Ord`].
#[derive(Debug, Clone)]
pub struct Version<'a> {
    epoch: u32,
    upstream: &'a [u8],
    revision: &'a [u8],
}

impl<'a> Version<'a> {
    /// Parses a version; `None` when dpkg would reject it or warn about its syntax.
    pub fn parse(input: &'a str) -> Option<Self> {
        let bytes = input.as_bytes();
        if bytes.is_empty() || bytes.iter().any(|c| !c.is_ascii_graphic()) {
            return None;
        }
        let (epoch, rest) = match bytes.iter().position(|&c| c == b':') {
            Some(colon) => {
                let digits = &bytes[..colon];
                if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
                    return None;
                }
                let digits = super::strip_leading_zeros(digits);
                if digits.len() > 10 {
                    return None;
                }
                let mut value: u64 = 0;
                for &d in digits {
                    value = value * 10 + u64::from(d - b'0');
                }
                let epoch = u32::try_from(i32::try_from(value).ok()?).ok()?;
                (epoch, &bytes[colon + 1..])
            }
            None => (0, bytes),
        };
        let (upstream, revision): (&[u8], &[u8]) = match rest.iter().rposition(|&c| c == b'-') {
            Some(dash) => {
                let revision = &rest[dash + 1..];
                if revision.is_empty() {
                    return None;
                }
                (&rest[..dash], revision)
            }
            None => (rest, b""),
        };
        if !upstream.first().is_some_and(u8::is_ascii_digit) {
            return None;
        }
        let upstream_ok = upstream
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'+' | b'~' | b':'));
        let revision_ok = revision
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'+' | b'~'));
        if !upstream_ok || !revision_ok {
            return None;
        }
        Some(Self {
            epoch,
            upstream,
            revision,
        })
    }
}

impl Ord for Version<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| compare_part(self.upstream, other.upstream))
            .then_with(|| compare_part(self.revision, other.revision))
    }
}

order_by_cmp!(Version<'_>);

/// The weight of one character in a non-digit run; `None` is the end of the run.
fn weight(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(b'~') => -1,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(c) => i32::from(c) + 256,
    }
}

fn compare_part(a: &[u8], b: &[u8]) -> Ordering {
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        // Non-digit run, character by character.
        while a.get(i).is_some_and(|c| !c.is_ascii_digit()) || b.get(j).is_some_and(|c| !c.is_ascii_digit()) {
            let (wa, wb) = (weight(a.get(i).copied()), weight(b.get(j).copied()));
            if wa != wb {
                return wa.cmp(&wb);
            }
            i += 1;
            j += 1;
        }
        // Digit run, as a number.
        let start_a = i;
        while a.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        let start_b = j;
        while b.get(j).is_some_and(u8::is_ascii_digit) {
            j += 1;
        }
        let order = cmp_decimal(&a[start_a..i], &b[start_b..j]);
        if order != Ordering::Equal {
            return order;
        }
    }
    Ordering::Equal
}

/// Orders two Debian versions; `None` when either is not valid.
pub fn compare(a: &str, b: &str) -> Option<Ordering> {
    Some(Version::parse(a)?.cmp(&Version::parse(b)?))
}
