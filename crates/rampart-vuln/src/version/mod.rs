//! Version ordering, one module per ecosystem's rules.
//!
//! [`Scheme::for_ecosystem`] maps an OSV ecosystem name to its rules; [`compare`] orders
//! two versions under them.

use std::cmp::Ordering;

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
    RubyGems,
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

/// Orders two versions under a scheme. `None` when either is not a valid version of the
/// scheme (callers must not guess an order then).
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
