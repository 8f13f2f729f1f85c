//! Version ordering, one module per ecosystem's rules.
//!
//! [`Scheme::for_ecosystem`] maps an OSV ecosystem name to its rules; [`compare`] orders
//! two versions under them.

use std::cmp::Ordering;

/// Derives `PartialEq`, `Eq` and `PartialOrd` from a type's `Ord`, so that versions that
/// compare equal (`1.0` and `1.00` under some schemes) are also `==`.
macro_rules! order_by_cmp {
    ($t:ty) => {
        impl PartialEq for $t {
            fn eq(&self, other: &Self) -> bool {
                self.cmp(other) == std::cmp::Ordering::Equal
            }
        }
        impl Eq for $t {}
        impl PartialOrd for $t {
            fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }
    };
}

pub mod apk;
pub mod composer;
pub mod dpkg;
pub mod go;
pub mod maven;
pub mod nuget;
pub mod pep440;
pub mod rpm;
pub mod rubygems;
pub mod semver;

/// A set of version ordering rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// Debian and Ubuntu (`dpkg --compare-versions`).
    Dpkg,
    /// RPM distributions (rpmvercmp).
    Rpm,
    /// Alpine (apk).
    Apk,
    /// Python (PEP 440).
    Pep440,
    /// SemVer 2.0 (npm, crates.io).
    Semver,
    /// Go modules.
    Go,
    /// Maven ComparableVersion.
    Maven,
    /// RubyGems (`Gem::Version`).
    RubyGems,
    /// NuGet (NuGet.Versioning).
    NuGet,
    /// Packagist (composer).
    Composer,
}

impl Scheme {
    /// The rules of an OSV ecosystem (`Debian:12`, `PyPI`, `Rocky Linux:9` ...); the
    /// release suffix after `:` does not matter here.
    pub fn for_ecosystem(ecosystem: &str) -> Option<Self> {
        let base = ecosystem.split(':').next().unwrap_or(ecosystem);
        Some(match base {
            "Debian" | "Ubuntu" => Self::Dpkg,
            "AlmaLinux" | "Rocky Linux" | "Red Hat" | "openSUSE" | "SUSE" | "Mageia" | "openEuler" => {
                Self::Rpm
            }
            "Alpine" | "Wolfi" | "Chainguard" => Self::Apk,
            "PyPI" => Self::Pep440,
            "npm" | "crates.io" => Self::Semver,
            "Go" => Self::Go,
            "Maven" => Self::Maven,
            "RubyGems" => Self::RubyGems,
            "NuGet" => Self::NuGet,
            "Packagist" => Self::Composer,
            _ => return None,
        })
    }
}

/// Orders two runs of ASCII digits by their value, whatever their length (leading zeros
/// do not count).
pub(crate) fn cmp_decimal(a: &[u8], b: &[u8]) -> Ordering {
    let a = strip_leading_zeros(a);
    let b = strip_leading_zeros(b);
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

pub(crate) fn strip_leading_zeros(digits: &[u8]) -> &[u8] {
    let start = digits.iter().position(|&c| c != b'0').unwrap_or(digits.len());
    &digits[start..]
}

/// Orders two versions under a scheme. `None` when either is not a valid version of the
/// scheme (callers must not guess an order then). Never panics, whatever the input.
pub fn compare(scheme: Scheme, a: &str, b: &str) -> Option<Ordering> {
    match scheme {
        Scheme::Dpkg => dpkg::compare(a, b),
        Scheme::Rpm => rpm::compare(a, b),
        Scheme::Apk => apk::compare(a, b),
        Scheme::Pep440 => pep440::compare(a, b),
        Scheme::Semver => semver::compare(a, b),
        Scheme::Go => go::compare(a, b),
        Scheme::Maven => maven::compare(a, b),
        Scheme::RubyGems => rubygems::compare(a, b),
        Scheme::NuGet => nuget::compare(a, b),
        Scheme::Composer => composer::compare(a, b),
    }
}
