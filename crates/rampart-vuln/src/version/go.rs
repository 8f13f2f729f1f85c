//! Go versions: module versions (golang.org/x/mod/semver) and Go toolchain versions
//! (`go1.22.3`, `go1.22rc1`, the `stdlib` and `toolchain` packages), on one scale.
//!
//! Module versions are `[v]MAJOR[.MINOR[.PATCH[-PRERELEASE][+BUILD]]]`: numbers without
//! leading zeros, `v1` and `v1.2` meaning `v1.0.0` and `v1.2.0` (only without pre-release
//! or build), pre-release identifiers as in SemVer 2.0, and build metadata ignored — so
//! `v2.0.0+incompatible == v2.0.0`. Pseudo-versions (`v0.0.0-20191109021931-daa7c04131f5`,
//! `v1.2.4-0.20191109021931-daa7c04131f5`) are ordinary pre-releases and order as such.
//! The `v` is optional because OSV records Go versions without it. There is no numeric
//! limit: numbers compare by value at any length.
//!
//! Toolchain versions start with `go` (an optional `-suffix` after it is dropped, like
//! `go/version` does), or are any string that is not a module version but parses as one
//! (`1.22rc1`). They follow `go/version`: `1.N` (language version) < `1.Nrc1` <
//! `1.N.0` from Go 1.21 on, while before 1.21 `1.N` is `1.N.0`; pre-release kinds are
//! lowercase words compared alphabetically (`alpha < beta < rc`); patch releases have no
//! pre-releases. They are placed on the module-version scale the way the Go
//! vulnerability database writes them: `go1.22.3 = 1.22.3`, `go1.22rc1 = 1.22.0-rc.1`,
//! `go1.21 = 1.21.0-0` (before every 1.21 pre-release), `go1.20 = 1.20.0`. A bare `1.21`
//! is the module-version shorthand `1.21.0`; write `go1.21` for the language version.

use std::cmp::Ordering;

use super::cmp_decimal;
use super::semver::{compare_prerelease, identifier, split_version};

/// A parsed Go version; compare with [`Ord`].
#[derive(Debug, Clone)]
pub struct Version<'a> {
    major: &'a [u8],
    minor: &'a [u8],
    patch: &'a [u8],
    pre: Vec<&'a [u8]>,
}

/// A number without leading zeros.
fn number(part: &[u8]) -> bool {
    !part.is_empty() && part.iter().all(u8::is_ascii_digit) && (part.len() == 1 || part[0] != b'0')
}

/// Splits a leading number without leading zeros off `s`.
fn cut_number(s: &[u8]) -> Option<(&[u8], &[u8])> {
    let len = s.iter().take_while(|c| c.is_ascii_digit()).count();
    let n = &s[..len];
    number(n).then_some((n, &s[len..]))
}

impl<'a> Version<'a> {
    /// Parses a module version or a toolchain version.
    pub fn parse(input: &'a str) -> Option<Self> {
        if let Some(toolchain) = input.strip_prefix("go") {
            let toolchain = toolchain.split('-').next().unwrap_or(toolchain);
            return Self::parse_toolchain(toolchain.as_bytes());
        }
        Self::parse_module(input.strip_prefix('v').unwrap_or(input).as_bytes())
            .or_else(|| Self::parse_toolchain(input.as_bytes()))
    }

    /// A module version without its `v`.
    fn parse_module(s: &'a [u8]) -> Option<Self> {
        let (core, pre, build) = split_version(s)?;
        let parts: Vec<&[u8]> = core.split(|&c| c == b'.').collect();
        if parts.len() > 3 || !parts.iter().all(|p| number(p)) {
            return None;
        }
        if parts.len() < 3 && (pre.is_some() || build.is_some()) {
            return None;
        }
        let pre: Vec<&[u8]> = match pre {
            Some(pre) => pre.split(|&c| c == b'.').collect(),
            None => Vec::new(),
        };
        if !pre
            .iter()
            .all(|id| identifier(id) && !(id.len() > 1 && id[0] == b'0' && id.iter().all(u8::is_ascii_digit)))
        {
            return None;
        }
        Some(Self {
            major: parts[0],
            minor: parts.get(1).copied().unwrap_or(b"0"),
            patch: parts.get(2).copied().unwrap_or(b"0"),
            pre,
        })
    }

    /// A toolchain version without its `go`: `1`, `1.N`, `1.N.P`, `1.N<kind>[number]`.
    fn parse_toolchain(s: &'a [u8]) -> Option<Self> {
        let (major, rest) = cut_number(s)?;
        if rest.is_empty() {
            return Some(Self {
                major,
                minor: b"0",
                patch: b"0",
                pre: Vec::new(),
            });
        }
        let rest = rest.strip_prefix(b".")?;
        let (minor, rest) = cut_number(rest)?;
        if rest.is_empty() {
            // Since Go 1.21 the language version `1.N` precedes `1.N.0` and its
            // pre-releases; before it, `1.N` is `1.N.0`.
            let language = cmp_decimal(major, b"1") == Ordering::Greater
                || (cmp_decimal(major, b"1") == Ordering::Equal
                    && cmp_decimal(minor, b"21") != Ordering::Less);
            return Some(Self {
                major,
                minor,
                patch: b"0",
                pre: if language {
                    vec![b"0".as_slice()]
                } else {
                    Vec::new()
                },
            });
        }
        if let Some(rest) = rest.strip_prefix(b".") {
            let (patch, rest) = cut_number(rest)?;
            return rest.is_empty().then(|| Self {
                major,
                minor,
                patch,
                pre: Vec::new(),
            });
        }
        let kind_len = rest.iter().take_while(|c| c.is_ascii_lowercase()).count();
        if kind_len == 0 {
            return None;
        }
        let (kind, number) = rest.split_at(kind_len);
        let mut pre = vec![kind];
        if !number.is_empty() {
            let (n, tail) = cut_number(number)?;
            if !tail.is_empty() {
                return None;
            }
            pre.push(n);
        }
        Some(Self {
            major,
            minor,
            patch: b"0",
            pre,
        })
    }
}

impl Ord for Version<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_decimal(self.major, other.major)
            .then_with(|| cmp_decimal(self.minor, other.minor))
            .then_with(|| cmp_decimal(self.patch, other.patch))
            .then_with(|| compare_prerelease(&self.pre, &other.pre))
    }
}

order_by_cmp!(Version<'_>);

/// Orders two Go versions; `None` when either is not valid.
pub fn compare(a: &str, b: &str) -> Option<Ordering> {
    Some(Version::parse(a)?.cmp(&Version::parse(b)?))
}
