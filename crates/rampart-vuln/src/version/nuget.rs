//! NuGet versions, ordered like NuGet.Versioning's default `VersionComparer`.
//!
//! `N[.N[.N[.N]]][-LABEL{.LABEL}][+METADATA]` after trimming surrounding whitespace:
//! one to four decimal numbers (each fitting a 32-bit signed integer; leading zeros are
//! allowed and ignored; missing ones are 0, so `1 == 1.0 == 1.0.0.0`), release labels of
//! `[0-9A-Za-z-]` (a purely numeric label may not have a leading zero), metadata of the
//! same characters (leading zeros allowed), ignored for ordering.
//!
//! A version with release labels is older than the one without. Labels compare one by
//! one: two labels that parse as 32-bit integers (`-1` does, being a label with a dash)
//! as numbers, a number before a word, words case-insensitively by character code; with
//! equal labels, fewer labels first.

use std::cmp::Ordering;

/// A parsed NuGet version; compare with [`Ord`] (metadata does not count).
#[derive(Debug, Clone)]
pub struct Version<'a> {
    numbers: [u32; 4],
    labels: Vec<&'a str>,
}

fn label_ok(label: &str, allow_leading_zero: bool) -> bool {
    let bytes = label.as_bytes();
    !bytes.is_empty()
        && bytes.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'-')
        && (allow_leading_zero
            || bytes.len() == 1
            || bytes[0] != b'0'
            || !bytes[1..].iter().all(u8::is_ascii_digit))
}

impl<'a> Version<'a> {
    /// Parses a version the way `NuGetVersion.TryParse` does, except that a number must
    /// be plain decimal digits (no sign or inner whitespace).
    pub fn parse(input: &'a str) -> Option<Self> {
        let s = input.trim();
        // The version part ends at the first `-` or `+`; labels at the next `+`.
        let (core, tail) = match s.find(['-', '+']) {
            Some(i) => (&s[..i], Some(&s[i..])),
            None => (s, None),
        };
        let (labels, metadata) = match tail {
            None => (None, None),
            Some(tail) if tail.starts_with('+') => (None, Some(&tail[1..])),
            Some(tail) => match tail[1..].find('+') {
                Some(plus) => (Some(&tail[1..=plus]), Some(&tail[plus + 2..])),
                None => (Some(&tail[1..]), None),
            },
        };
        let mut numbers = [0u32; 4];
        let parts: Vec<&str> = core.split('.').collect();
        if parts.len() > 4 {
            return None;
        }
        for (slot, part) in numbers.iter_mut().zip(&parts) {
            if part.is_empty() || !part.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let value: u64 = part.trim_start_matches('0').parse().unwrap_or(0);
            if part.trim_start_matches('0').len() > 10 || value > i32::MAX as u64 {
                return None;
            }
            *slot = value as u32;
        }
        let labels: Vec<&str> = match labels {
            Some(labels) => labels.split('.').collect(),
            None => Vec::new(),
        };
        if !labels.iter().all(|l| label_ok(l, false)) {
            return None;
        }
        if let Some(metadata) = metadata
            && !metadata.split('.').all(|m| label_ok(m, true))
        {
            return None;
        }
        Some(Self { numbers, labels })
    }
}

fn compare_label(a: &str, b: &str) -> Ordering {
    match (a.parse::<i32>(), b.parse::<i32>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        (Ok(_), Err(_)) => Ordering::Less,
        (Err(_), Ok(_)) => Ordering::Greater,
        (Err(_), Err(_)) => a
            .bytes()
            .map(|c| c.to_ascii_uppercase())
            .cmp(b.bytes().map(|c| c.to_ascii_uppercase())),
    }
}

impl Ord for Version<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.numbers.cmp(&other.numbers).then_with(|| {
            match (self.labels.is_empty(), other.labels.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => {
                    for (x, y) in self.labels.iter().zip(&other.labels) {
                        let order = compare_label(x, y);
                        if order != Ordering::Equal {
                            return order;
                        }
                    }
                    self.labels.len().cmp(&other.labels.len())
                }
            }
        })
    }
}

order_by_cmp!(Version<'_>);

/// Orders two NuGet versions; `None` when either is not valid.
pub fn compare(a: &str, b: &str) -> Option<Ordering> {
    Some(Version::parse(a)?.cmp(&Version::parse(b)?))
}
