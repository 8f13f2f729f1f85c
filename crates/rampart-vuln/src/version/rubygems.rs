//! RubyGems versions, ordered like `Gem::Version#<=>`.
//!
//! A version is `digits{.alnum...}[-alnum-or-dash{.alnum-or-dash...}]` with optional
//! surrounding whitespace; a `-` means `.pre.` (`1.0-beta` is `1.0.pre.beta`). It is
//! split into segments, each a run of digits (a number) or of letters (a string).
//! Trailing zeros are dropped from the numeric start and from the rest separately
//! (`1.0 == 1`, `1.0.a.0 == 1.a`); missing segments count as 0; a string is older than
//! any number, so a version with letters is a pre-release (`1.0.a < 1.0`); strings
//! compare by byte (case matters: `A < a`).
//!
//! Gem::Version reads a blank string as `0`; here it is not a version.

use std::cmp::Ordering;

use super::cmp_decimal;

#[derive(Debug, Clone, Copy)]
enum Segment<'a> {
    Number(&'a [u8]),
    Text(&'a [u8]),
}

/// A parsed gem version; compare with [`Ord`].
#[derive(Debug, Clone)]
pub struct Version<'a> {
    segments: Vec<Segment<'a>>,
}

fn is_ruby_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// `[0-9]+(\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?`
fn well_formed(s: &[u8]) -> bool {
    let (main, pre) = match s.iter().position(|&c| c == b'-') {
        Some(dash) => (&s[..dash], Some(&s[dash + 1..])),
        None => (s, None),
    };
    let mut parts = main.split(|&c| c == b'.');
    let first_ok = parts
        .next()
        .is_some_and(|p| !p.is_empty() && p.iter().all(u8::is_ascii_digit));
    let main_ok = first_ok && parts.all(|p| !p.is_empty() && p.iter().all(u8::is_ascii_alphanumeric));
    main_ok
        && pre.is_none_or(|pre| {
            pre.split(|&c| c == b'.')
                .all(|p| !p.is_empty() && p.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'-'))
        })
}

impl<'a> Version<'a> {
    /// Parses a gem version; `None` when `Gem::Version.correct?` is false or the string
    /// is blank.
    pub fn parse(input: &'a str) -> Option<Self> {
        let s = input.as_bytes();
        let start = s.iter().position(|&c| !is_ruby_space(c))?;
        let end = s.iter().rposition(|&c| !is_ruby_space(c))? + 1;
        let s = &s[start..end];
        if !well_formed(s) {
            return None;
        }
        // `-` reads as `.pre.`: a segment "pre" wherever a dash stands.
        let mut all = Vec::new();
        let mut i = 0;
        while i < s.len() {
            let c = s[i];
            if c.is_ascii_digit() {
                let len = s[i..].iter().take_while(|c| c.is_ascii_digit()).count();
                all.push(Segment::Number(&s[i..i + len]));
                i += len;
            } else if c.is_ascii_alphabetic() {
                let len = s[i..].iter().take_while(|c| c.is_ascii_alphabetic()).count();
                all.push(Segment::Text(&s[i..i + len]));
                i += len;
            } else {
                if c == b'-' {
                    all.push(Segment::Text(b"pre"));
                }
                i += 1;
            }
        }
        Some(Self {
            segments: canonical(all),
        })
    }
}

fn is_zero(segment: &Segment<'_>) -> bool {
    matches!(segment, Segment::Number(n) if n.iter().all(|&c| c == b'0'))
}

/// Drops trailing zeros from the numeric start and from the rest, separately.
fn canonical(mut segments: Vec<Segment<'_>>) -> Vec<Segment<'_>> {
    let split = segments
        .iter()
        .position(|s| matches!(s, Segment::Text(_)))
        .unwrap_or(segments.len());
    let mut rest = segments.split_off(split);
    while rest.last().is_some_and(is_zero) {
        rest.pop();
    }
    while segments.last().is_some_and(is_zero) {
        segments.pop();
    }
    segments.extend(rest);
    segments
}

const ZERO: Segment<'static> = Segment::Number(b"0");

impl Ord for Version<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        for i in 0..self.segments.len().max(other.segments.len()) {
            let a = self.segments.get(i).unwrap_or(&ZERO);
            let b = other.segments.get(i).unwrap_or(&ZERO);
            let order = match (a, b) {
                (Segment::Number(x), Segment::Number(y)) => cmp_decimal(x, y),
                (Segment::Text(_), Segment::Number(_)) => Ordering::Less,
                (Segment::Number(_), Segment::Text(_)) => Ordering::Greater,
                (Segment::Text(x), Segment::Text(y)) => x.cmp(y),
            };
            if order != Ordering::Equal {
                return order;
            }
        }
        Ordering::Equal
    }
}

order_by_cmp!(Version<'_>);

/// Orders two gem versions; `None` when either is not valid.
pub fn compare(a: &str, b: &str) -> Option<Ordering> {
    Some(Version::parse(a)?.cmp(&Version::parse(b)?))
}
