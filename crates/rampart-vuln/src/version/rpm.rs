//! RPM versions, `[epoch:]version[-release]`, ordered like rpm's `rpmvercmp` and
//! `labelCompare`.
//!
//! The epoch (a decimal number, 0 when absent) is compared first, then the version,
//! then the release; a missing release sorts before any release. Each part is compared
//! segment by segment: runs of ASCII letters or digits, everything else only separating
//! them. `~` sorts before everything (even the end: `1.0~rc1 < 1.0`), `^` after the end
//! but before any further segment (`1.0 < 1.0^git1 < 1.0.1`). A numeric segment is newer
//! than an alphabetic one; numbers compare by value, letters byte by byte.
//!
//! Not versions here: empty strings, whitespace, control or non-ASCII characters, a
//! non-numeric epoch, an empty version or release, or a `:` outside the epoch.

use std::cmp::Ordering;

use super::cmp_decimal;

/// A parsed RPM EVR; compare with [`Ord`].
#[derive(Debug, Clone)]
pub struct Version<'a> {
    epoch: &'a [u8],
    upstream: &'a [u8],
    release: Option<&'a [u8]>,
}

impl<'a> Version<'a> {
    /// Parses `[epoch:]version[-release]`; the release is what follows the last `-`.
    pub fn parse(input: &'a str) -> Option<Self> {
        let bytes = input.as_bytes();
        if bytes.is_empty() || bytes.iter().any(|c| !c.is_ascii_graphic()) {
            return None;
        }
        let (epoch, rest): (&[u8], &[u8]) = match bytes.iter().position(|&c| c == b':') {
            Some(colon) => {
                let epoch = &bytes[..colon];
                if epoch.is_empty() || !epoch.iter().all(u8::is_ascii_digit) {
                    return None;
                }
                (epoch, &bytes[colon + 1..])
            }
            None => (b"0", bytes),
        };
        if rest.contains(&b':') {
            return None;
        }
        let (version, release) = match rest.iter().rposition(|&c| c == b'-') {
            Some(dash) => (&rest[..dash], Some(&rest[dash + 1..])),
            None => (rest, None),
        };
        if version.is_empty() || release.is_some_and(<[u8]>::is_empty) {
            return None;
        }
        Some(Self {
            epoch,
            upstream: version,
            release,
        })
    }
}

impl Ord for Version<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_decimal(self.epoch, other.epoch)
            .then_with(|| rpmvercmp(self.upstream, other.upstream))
            .then_with(|| match (self.release, other.release) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Less,
                (Some(_), None) => Ordering::Greater,
                (Some(a), Some(b)) => rpmvercmp(a, b),
            })
    }
}

order_by_cmp!(Version<'_>);

fn is_separator(c: u8) -> bool {
    !c.is_ascii_alphanumeric() && c != b'~' && c != b'^'
}

/// rpm's segment-wise comparison of one version or release string.
pub fn rpmvercmp(a: &[u8], b: &[u8]) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (mut i, mut j) = (0, 0);
    loop {
        while a.get(i).is_some_and(|&c| is_separator(c)) {
            i += 1;
        }
        while b.get(j).is_some_and(|&c| is_separator(c)) {
            j += 1;
        }
        let (ca, cb) = (a.get(i).copied(), b.get(j).copied());
        if ca.is_none() && cb.is_none() {
            return Ordering::Equal;
        }
        if ca == Some(b'~') || cb == Some(b'~') {
            if ca != Some(b'~') {
                return Ordering::Greater;
            }
            if cb != Some(b'~') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        if ca == Some(b'^') || cb == Some(b'^') {
            if ca.is_none() {
                return Ordering::Less;
            }
            if cb.is_none() {
                return Ordering::Greater;
            }
            if ca != Some(b'^') {
                return Ordering::Greater;
            }
            if cb != Some(b'^') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        let (Some(ca), Some(_)) = (ca, cb) else {
            // One side ran out: the longer one is newer.
            return if ca.is_none() {
                Ordering::Less
            } else {
                Ordering::Greater
            };
        };
        let numeric = ca.is_ascii_digit();
        let class: fn(&u8) -> bool = if numeric {
            u8::is_ascii_digit
        } else {
            u8::is_ascii_alphabetic
        };
        let (start_a, start_b) = (i, j);
        while a.get(i).is_some_and(class) {
            i += 1;
        }
        while b.get(j).is_some_and(class) {
            j += 1;
        }
        let (seg_a, seg_b) = (&a[start_a..i], &b[start_b..j]);
        if seg_b.is_empty() {
            // Different kinds of segment: numbers are newer than letters.
            return if numeric {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        let order = if numeric {
            cmp_decimal(seg_a, seg_b)
        } else {
            seg_a.cmp(seg_b)
        };
        if order != Ordering::Equal {
            return order;
        }
    }
}

/// Orders two RPM EVR strings; `None` when either is not valid.
pub fn compare(a: &str, b: &str) -> Option<Ordering> {
    Some(Version::parse(a)?.cmp(&Version::parse(b)?))
}
