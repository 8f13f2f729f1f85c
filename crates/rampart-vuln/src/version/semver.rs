//! Semantic Versioning 2.0 (npm, crates.io), ordered like node-semver's `compare`.
//!
//! `MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]`: three numbers without leading zeros (each at
//! most 2^53 - 1, npm's limit), dot-separated pre-release identifiers of
//! `[0-9A-Za-z-]` (numeric ones without leading zeros), build identifiers likewise but
//! ignored for ordering. A pre-release sorts before its release; identifiers compare as
//! numbers when both are numeric, numbers before words, words by ASCII, and a shorter
//! list of equal identifiers first.
//!
//! Like node-semver's `clean()`, surrounding whitespace and any leading run of `=` and
//! `v` characters are dropped first (`v1.2.3`, `=1.2.3`, `= 1.2.3`); versions longer
//! than 256 characters after that are rejected. Other loose spellings (`1.2`, `01.2.3`,
//! `1.2.3beta`) are not versions.

use std::cmp::Ordering;

use super::cmp_decimal;

/// npm's `Number.MAX_SAFE_INTEGER`.
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;
/// npm's `MAX_LENGTH`.
const MAX_LENGTH: usize = 256;

/// A parsed semantic version; compare with [`Ord`] (build metadata does not count).
#[derive(Debug, Clone)]
pub struct Version<'a> {
    major: u64,
    minor: u64,
    patch: u64,
    pre: Vec<&'a [u8]>,
}

fn numeric(id: &[u8]) -> bool {
    !id.is_empty() && id.iter().all(u8::is_ascii_digit)
}

pub(crate) fn identifier(id: &[u8]) -> bool {
    !id.is_empty() && id.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'-')
}

/// The core, pre-release and build metadata of a version.
pub(crate) type VersionParts<'a> = (&'a [u8], Option<&'a [u8]>, Option<&'a [u8]>);

/// Splits `CORE[-PRE][+BUILD]` into its parts (SemVer's grammar, which Go module versions
/// share); None when the build metadata is not dot-separated identifiers.
pub(crate) fn split_version(s: &[u8]) -> Option<VersionParts<'_>> {
    let (s, build) = match s.iter().position(|&c| c == b'+') {
        Some(plus) => (&s[..plus], Some(&s[plus + 1..])),
        None => (s, None),
    };
    if let Some(build) = build
        && !build.split(|&c| c == b'.').all(identifier)
    {
        return None;
    }
    let (core, pre) = match s.iter().position(|&c| c == b'-') {
        Some(dash) => (&s[..dash], Some(&s[dash + 1..])),
        None => (s, None),
    };
    Some((core, pre, build))
}

/// A main version number: digits without a leading zero.
fn main_number(part: &[u8]) -> Option<u64> {
    if !numeric(part) || (part.len() > 1 && part[0] == b'0') || part.len() > 16 {
        return None;
    }
    let value = std::str::from_utf8(part).ok()?.parse::<u64>().ok()?;
    (value <= MAX_SAFE_INTEGER).then_some(value)
}

impl<'a> Version<'a> {
    /// Parses a strict SemVer 2.0 version after dropping a leading `=`/`v` run.
    pub fn parse(input: &'a str) -> Option<Self> {
        let s = input.trim().trim_start_matches(['=', 'v']);
        if s.len() > MAX_LENGTH {
            return None;
        }
        Self::parse_strict(s.trim())
    }

    /// Parses exactly `MAJOR.MINOR.PATCH[-PRE][+BUILD]`, no prefix or whitespace.
    pub fn parse_strict(s: &'a str) -> Option<Self> {
        if s.len() > MAX_LENGTH {
            return None;
        }
        let (core, pre, _) = split_version(s.as_bytes())?;
        let mut numbers = core.split(|&c| c == b'.');
        let major = main_number(numbers.next()?)?;
        let minor = main_number(numbers.next()?)?;
        let patch = main_number(numbers.next()?)?;
        if numbers.next().is_some() {
            return None;
        }
        let pre: Vec<&[u8]> = match pre {
            Some(pre) => pre.split(|&c| c == b'.').collect(),
            None => Vec::new(),
        };
        if !pre
            .iter()
            .all(|id| identifier(id) && !(numeric(id) && id.len() > 1 && id[0] == b'0'))
        {
            return None;
        }
        Some(Self {
            major,
            minor,
            patch,
            pre,
        })
    }
}

/// Orders two pre-release identifier lists; an empty list is a release, which comes
/// after every pre-release of the same version.
pub(crate) fn compare_prerelease(a: &[&[u8]], b: &[&[u8]]) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        (false, false) => {}
    }
    for (x, y) in a.iter().zip(b) {
        let order = match (numeric(x), numeric(y)) {
            (true, true) => cmp_decimal(x, y),
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (false, false) => x.cmp(y),
        };
        if order != Ordering::Equal {
            return order;
        }
    }
    a.len().cmp(&b.len())
}

impl Ord for Version<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(other.major, other.minor, other.patch))
            .then_with(|| compare_prerelease(&self.pre, &other.pre))
    }
}

order_by_cmp!(Version<'_>);

/// Orders two semantic versions; `None` when either is not valid.
pub fn compare(a: &str, b: &str) -> Option<Ordering> {
    Some(Version::parse(a)?.cmp(&Version::parse(b)?))
}
