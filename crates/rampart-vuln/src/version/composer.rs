//! Packagist (composer) versions: normalised like composer/semver's
//! `VersionParser::normalize`, then ordered like PHP's `version_compare`, which is what
//! composer's constraints use.
//!
//! Normalisation: surrounding whitespace, an `as alias` suffix, an `@stability` flag and
//! `+build` metadata are dropped; then `[v]MAJOR[.N[.N[.N]]]` (major of at most five
//! digits) becomes four numbers (`1.2` is `1.2.0.0`), or a date-like
//! `[v]YYYY[sep]MM...` keeps its numbers; an optional stability suffix follows, with an
//! optional `.`, `-` or `_` before it: `stable` (dropped), `alpha`/`a`, `beta`/`b`,
//! `RC`, `patch`/`pl`/`p` with an optional number (`1.0-beta.2`, `1.0b2`, `1.0-RC1`),
//! and/or `dev` (`1.0.x-dev` style branches become `1.0.9999999.9999999-dev`).
//! Letters are matched case-insensitively.
//!
//! Order (PHP): numbers by value, then `dev < alpha < beta < RC < (release) < patch`;
//! `1.0.0.0-dev < 1.0.0.0-alpha1 < 1.0.0.0 < 1.0.0.0-patch1 < 1.0.0.1`. Numbers beyond
//! 2^63 - 1 count as 2^63 - 1, as in PHP.
//!
//! Not ordered here: branch names (`dev-main`, `master`), which composer never orders
//! against versions, and anything `normalize` rejects.

use std::cmp::Ordering;

/// A normalised composer version, e.g. `1.2.0.0-beta2`; compare with [`Ord`].
#[derive(Debug, Clone)]
pub struct Version {
    normalized: String,
}

impl Version {
    /// Normalises a version; `None` for invalid versions and for branch names.
    pub fn parse(input: &str) -> Option<Self> {
        normalize(input).map(|normalized| Self { normalized })
    }

    /// The normalised form (`v1.2-beta.1` gives `1.2.0.0-beta1`).
    pub fn normalized(&self) -> &str {
        &self.normalized
    }
}

fn php_trim(s: &str) -> &str {
    s.trim_matches([' ', '\t', '\n', '\r', '\0', '\x0b'])
}

fn is_php_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c')
}

fn starts_with_ignore_case(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len() && s.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

fn normalize(input: &str) -> Option<String> {
    let mut version = php_trim(input);
    if !version.is_ascii() {
        return None;
    }
    // `1.0 as 2.0`: keep the part before the alias.
    if let Some(left) = split_alias(version) {
        version = left;
    }
    // `@stability` flag.
    if let Some(at) = version.rfind('@') {
        let flag = &version[at + 1..];
        if ["stable", "rc", "beta", "alpha", "dev"]
            .iter()
            .any(|s| flag.eq_ignore_ascii_case(s))
        {
            version = &version[..at];
        }
    }
    if matches!(version, "master" | "trunk" | "default") || starts_with_ignore_case(version, "dev-") {
        return None; // a branch
    }
    // `+build` metadata.
    if let Some(plus) = version.find('+') {
        let (head, tail) = (&version[..plus], &version[plus + 1..]);
        if !head.is_empty()
            && !head.contains(|c: char| c == ',' || is_php_space(c))
            && !tail.is_empty()
            && !tail.contains(is_php_space)
        {
            version = head;
        }
    }
    let body = version
        .strip_prefix('v')
        .or_else(|| version.strip_prefix('V'))
        .unwrap_or(version);
    if let Some(normalized) = classical(body) {
        return Some(normalized);
    }
    if let Some(normalized) = date_based(body) {
        return Some(normalized);
    }
    numeric_branch(version)
}

/// `^([^,\s]++) ++as ++([^,\s]++)$`
fn split_alias(s: &str) -> Option<&str> {
    let token = |t: &str| !t.is_empty() && !t.contains(|c: char| c == ',' || is_php_space(c));
    let first_end = s.find(|c: char| c == ',' || is_php_space(c))?;
    let (left, rest) = s.split_at(first_end);
    let rest = rest.strip_prefix(' ')?.trim_start_matches(' ');
    let rest = rest.strip_prefix("as")?;
    let right = rest.strip_prefix(' ')?.trim_start_matches(' ');
    (token(left) && token(right)).then_some(left)
}

fn digits_len(s: &[u8]) -> usize {
    s.iter().take_while(|c| c.is_ascii_digit()).count()
}

/// `MAJOR(.N){0,3}` followed by the modifier; four numbers and the suffix.
fn classical(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let major = digits_len(b);
    if major == 0 || major > 5 {
        return None;
    }
    let mut numbers = vec![&s[..major]];
    let mut pos = major;
    while numbers.len() < 4 && b.get(pos) == Some(&b'.') {
        let len = digits_len(&b[pos + 1..]);
        if len == 0 {
            break;
        }
        numbers.push(&s[pos + 1..pos + 1 + len]);
        pos += 1 + len;
    }
    let suffix = modifier(&s[pos..])?;
    let mut out = numbers.join(".");
    for _ in numbers.len()..4 {
        out.push_str(".0");
    }
    out.push_str(&suffix);
    Some(out)
}

/// `YYYY([.:-]?MM){1,6}([.:-]?D{1,3})?` followed by the modifier; non-digits become dots.
fn date_based(s: &str) -> Option<String> {
    let b = s.as_bytes();
    // The date part is the longest run of digits and digit-preceding separators: the
    // modifier that follows cannot start with a digit.
    let mut end = 0;
    while end < b.len() {
        if b[end].is_ascii_digit()
            || (matches!(b[end], b'.' | b':' | b'-')
                && b.get(end + 1).is_some_and(u8::is_ascii_digit)
                && end > 0)
        {
            end += 1;
        } else {
            break;
        }
    }
    let date = &b[..end];
    if !date_matches(date) {
        return None;
    }
    let suffix = modifier(&s[end..])?;
    let numbers: String = date
        .iter()
        .map(|&c| if c.is_ascii_digit() { c as char } else { '.' })
        .collect();
    Some(numbers + &suffix)
}

fn is_date_separator(c: u8) -> bool {
    matches!(c, b'.' | b':' | b'-')
}

fn date_matches(d: &[u8]) -> bool {
    if d.len() < 4 || !d[..4].iter().all(u8::is_ascii_digit) {
        return false;
    }
    date_pairs(d, 4, 0)
}

/// After `count` two-digit groups at `pos`: more groups, or the final 1-3 digits.
fn date_pairs(d: &[u8], pos: usize, count: usize) -> bool {
    if count >= 1 && date_tail(&d[pos..]) {
        return true;
    }
    if count == 6 {
        return false;
    }
    let mut p = pos;
    if d.get(p).copied().is_some_and(is_date_separator) {
        p += 1;
    }
    d.len() >= p + 2 && d[p..p + 2].iter().all(u8::is_ascii_digit) && date_pairs(d, p + 2, count + 1)
}

fn date_tail(rest: &[u8]) -> bool {
    let digits = match rest.first() {
        Some(&c) if is_date_separator(c) => &rest[1..],
        _ => rest,
    };
    rest.is_empty() || ((1..=3).contains(&digits.len()) && digits.iter().all(u8::is_ascii_digit))
}

/// composer's modifier: `[._-]?(stability numbers?)?([.-]?dev)?` to the end. Returns
/// the normalised suffix (`-beta2`, `-RC1-dev`, `-dev`, or nothing).
fn modifier(s: &str) -> Option<String> {
    const STABILITIES: [&str; 9] = ["stable", "beta", "b", "RC", "alpha", "a", "patch", "pl", "p"];
    let with_sep = s.strip_prefix(['.', '_', '-']);
    for rest in [with_sep, Some(s)].into_iter().flatten() {
        for word in STABILITIES.iter().map(Some).chain([None]) {
            let (matched, after_word) = match word {
                Some(w) if starts_with_ignore_case(rest, w) => rest.split_at(w.len()),
                Some(_) => continue,
                None => ("", rest),
            };
            // Numbers after a stability: `([.-]?\d+)*`, taken possessively.
            let mut numbers_end = 0;
            if word.is_some() {
                let b = after_word.as_bytes();
                loop {
                    let sep = usize::from(b.get(numbers_end).is_some_and(|&c| c == b'.' || c == b'-'));
                    let len = digits_len(&b[(numbers_end + sep).min(b.len())..]);
                    if len == 0 {
                        break;
                    }
                    numbers_end += sep + len;
                }
            }
            let numbers = &after_word[..numbers_end];
            let tail = &after_word[numbers_end..];
            let dev = if tail.is_empty() {
                false
            } else {
                let t = tail.strip_prefix(['.', '-']).unwrap_or(tail);
                if !t.eq_ignore_ascii_case("dev") {
                    continue;
                }
                true
            };
            let mut out = String::new();
            if word.is_some() {
                // Only a lowercase `stable` is dropped; `STABLE` stays as a word.
                if matched == "stable" {
                    return Some(out);
                }
                let expanded = match matched.to_ascii_lowercase().as_str() {
                    "a" | "alpha" => "alpha".to_owned(),
                    "b" | "beta" => "beta".to_owned(),
                    "p" | "pl" | "patch" => "patch".to_owned(),
                    "rc" => "RC".to_owned(),
                    other => other.to_owned(),
                };
                out.push('-');
                out.push_str(&expanded);
                out.push_str(numbers.trim_start_matches(['.', '-']));
            }
            if dev {
                out.push_str("-dev");
            }
            return Some(out);
        }
    }
    None
}

/// `1.x-dev`, `2.1.*-dev`, `v3-dev`: numbered branches, with `x` as 9999999.
fn numeric_branch(s: &str) -> Option<String> {
    let lower = s.to_ascii_lowercase();
    let stem = lower.strip_suffix("dev")?;
    // The lazy `(.*?)[.-]?dev$`: the separator goes with `dev`.
    let stem = stem.strip_suffix(['.', '-']).unwrap_or(stem);
    let stem = php_trim(stem);
    let stem = stem.strip_prefix('v').unwrap_or(stem);
    let mut parts = stem.split('.');
    let first = parts.next()?;
    if first.is_empty() || !first.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let mut out = first.to_owned();
    let mut count = 1;
    for part in parts {
        count += 1;
        if count > 4 {
            return None;
        }
        out.push('.');
        if matches!(part, "x" | "*") {
            out.push_str("9999999");
        } else if !part.is_empty() && part.bytes().all(|c| c.is_ascii_digit()) {
            out.push_str(part);
        } else {
            return None;
        }
    }
    for _ in count..4 {
        out.push_str(".9999999");
    }
    out.push_str("-dev");
    Some(out)
}

/// PHP's canonical form: `-`, `_`, `+` and other non-alphanumerics become `.`, and a dot
/// goes between a digit and a non-digit; then split on dots.
fn php_parts(v: &str) -> Vec<&str> {
    let b = v.as_bytes();
    let mut parts = Vec::new();
    let mut start = None;
    for i in 0..=b.len() {
        let boundary = match (b.get(i), i.checked_sub(1).and_then(|p| b.get(p))) {
            (None, _) => true,
            (Some(c), _) if !c.is_ascii_alphanumeric() => true,
            (Some(c), Some(p)) if p.is_ascii_alphanumeric() => c.is_ascii_digit() != p.is_ascii_digit(),
            _ => false,
        };
        if boundary && let Some(s) = start.take() {
            parts.push(&v[s..i]);
        }
        if b.get(i).is_some_and(u8::is_ascii_alphanumeric) && start.is_none() {
            start = Some(i);
        }
    }
    parts
}

/// The rank of a non-numeric part in PHP: `dev < alpha = a < beta = b < RC = rc < # <
/// pl = p`, by prefix; anything else below `dev`.
fn special_rank(part: &str) -> i32 {
    const FORMS: [(&str, i32); 10] = [
        ("dev", 0),
        ("alpha", 1),
        ("a", 1),
        ("beta", 2),
        ("b", 2),
        ("RC", 3),
        ("rc", 3),
        ("#", 4),
        ("pl", 5),
        ("p", 5),
    ];
    FORMS
        .iter()
        .find(|(name, _)| part.starts_with(name))
        .map_or(-1, |&(_, rank)| rank)
}

fn php_number(part: &str) -> i64 {
    part.parse::<i64>().unwrap_or(i64::MAX)
}

fn php_version_compare(a: &str, b: &str) -> Ordering {
    let (pa, pb) = (php_parts(a), php_parts(b));
    let digit = |p: &str| p.as_bytes()[0].is_ascii_digit();
    for (x, y) in pa.iter().zip(&pb) {
        let order = match (digit(x), digit(y)) {
            (true, true) => php_number(x).cmp(&php_number(y)),
            (false, false) => special_rank(x).cmp(&special_rank(y)),
            (true, false) => special_rank("#").cmp(&special_rank(y)),
            (false, true) => special_rank(x).cmp(&special_rank("#")),
        };
        if order != Ordering::Equal {
            return order;
        }
    }
    match pa.len().cmp(&pb.len()) {
        Ordering::Equal => Ordering::Equal,
        Ordering::Greater => {
            let x = pa[pb.len()];
            if digit(x) {
                Ordering::Greater
            } else {
                special_rank(x).cmp(&special_rank("#"))
            }
        }
        Ordering::Less => {
            let y = pb[pa.len()];
            if digit(y) {
                Ordering::Less
            } else {
                special_rank("#").cmp(&special_rank(y))
            }
        }
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        php_version_compare(&self.normalized, &other.normalized)
    }
}

order_by_cmp!(Version);

/// Orders two composer versions; `None` when either is not valid or is a branch.
pub fn compare(a: &str, b: &str) -> Option<Ordering> {
    Some(Version::parse(a)?.cmp(&Version::parse(b)?))
}
