//! A package found in an image, and the distribution the image is built on.

use serde::Serialize;

/// Which kind of package database or ecosystem a package comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PackageType {
    Deb,
    Apk,
    Rpm,
    Python,
    Npm,
    /// A Go module compiled into a binary, or the Go standard library (`stdlib`).
    Go,
    /// A Rust crate compiled into a binary (cargo-auditable).
    Cargo,
    /// A Java archive (Maven coordinates).
    Maven,
    Gem,
    Composer,
    Nuget,
}

impl PackageType {
    /// The purl type (<https://github.com/package-url/purl-spec>).
    pub fn purl_type(self) -> &'static str {
        match self {
            Self::Deb => "deb",
            Self::Apk => "apk",
            Self::Rpm => "rpm",
            Self::Python => "pypi",
            Self::Npm => "npm",
            Self::Go => "golang",
            Self::Cargo => "cargo",
            Self::Maven => "maven",
            Self::Gem => "gem",
            Self::Composer => "composer",
            Self::Nuget => "nuget",
        }
    }

    /// The OSV ecosystem of a language package; `None` for distribution packages, whose
    /// ecosystem comes from the [`Distro`].
    pub fn osv_ecosystem(self) -> Option<&'static str> {
        Some(match self {
            Self::Python => "PyPI",
            Self::Npm => "npm",
            Self::Go => "Go",
            Self::Cargo => "crates.io",
            Self::Maven => "Maven",
            Self::Gem => "RubyGems",
            Self::Composer => "Packagist",
            Self::Nuget => "NuGet",
            Self::Deb | Self::Apk | Self::Rpm => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Deb => "deb",
            Self::Apk => "apk",
            Self::Rpm => "rpm",
            Self::Python => "python",
            Self::Npm => "npm",
            Self::Go => "go",
            Self::Cargo => "cargo",
            Self::Maven => "maven",
            Self::Gem => "gem",
            Self::Composer => "composer",
            Self::Nuget => "nuget",
        }
    }
}

/// Where a package was found: the path of the file that declares it (a package database,
/// a metadata file, a binary) and the digest of the layer that last wrote that file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Location {
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
}

/// The source a binary package was built from: Debian source package, Alpine origin,
/// source RPM. Distribution advisories are published per source package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourcePackage {
    pub name: String,
    /// The source version when it differs from the binary package's (Debian binNMUs,
    /// `Source: name (version)`); otherwise the package's own version.
    pub version: String,
}

/// A package found in an image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Package {
    pub name: String,
    /// The version as the ecosystem writes it. RPM versions are `[epoch:]version-release`.
    pub version: String,
    #[serde(rename = "type")]
    pub kind: PackageType,
    pub purl: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<SourcePackage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arch: Option<String>,
    /// Licences as declared (SPDX expressions when the metadata uses them).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<String>,
    pub locations: Vec<Location>,
    /// The cataloger that found it.
    pub cataloger: &'static str,
}

/// The distribution an image is built on, from `/etc/os-release` and friends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Distro {
    /// `ID` of os-release: `debian`, `ubuntu`, `alpine`, `almalinux`, `rocky`, `rhel` ...
    pub id: String,
    /// `VERSION_ID`: `12`, `22.04`, `3.20.3`, `9.4` ...
    pub version_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_codename: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pretty_name: Option<String>,
    /// The OSV ecosystem of its packages: `Debian:12`, `Ubuntu:22.04:LTS`, `Alpine:v3.20`,
    /// `AlmaLinux:9`, `Rocky Linux:9`, `Red Hat:...`. `None` when OSV has no data for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub osv_ecosystem: Option<String>,
}

/// PEP 503 normalisation of a Python package name, which PyPI, the pypi purl type and
/// OSV's PyPI records use: lower case, and every run of `-`, `_` and `.` becomes one `-`.
pub fn pep503_normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// Percent-encodes a purl component (name, version, qualifier value) as the purl
/// specification asks: everything but unreserved characters.
pub fn purl_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~') {
            out.push(b as char);
        } else {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 15)] as char);
        }
    }
    out
}

/// Builds a purl: `pkg:type/namespace/name@version?qualifiers`. Qualifiers with empty
/// values are left out; the rest are sorted by key, as the specification asks.
pub fn purl(
    kind: PackageType,
    namespace: Option<&str>,
    name: &str,
    version: &str,
    qualifiers: &[(&str, &str)],
) -> String {
    let mut s = format!("pkg:{}/", kind.purl_type());
    if let Some(ns) = namespace.filter(|ns| !ns.is_empty()) {
        for (i, seg) in ns.split('/').enumerate() {
            if i > 0 {
                s.push('/');
            }
            s.push_str(&purl_encode(seg));
        }
        s.push('/');
    }
    s.push_str(&purl_encode(name));
    if !version.is_empty() {
        s.push('@');
        s.push_str(&purl_encode(version));
    }
    let mut q: Vec<_> = qualifiers.iter().filter(|(_, v)| !v.is_empty()).collect();
    q.sort_by_key(|(k, _)| *k);
    for (i, (k, v)) in q.iter().enumerate() {
        s.push(if i == 0 { '?' } else { '&' });
        s.push_str(k);
        s.push('=');
        s.push_str(&purl_encode(v));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purl_encodes_and_sorts_qualifiers() {
        assert_eq!(
            purl(
                PackageType::Deb,
                Some("debian"),
                "libc6",
                "2.36-9+deb12u4",
                &[("distro", "debian-12"), ("arch", "amd64"), ("epoch", "")]
            ),
            "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12"
        );
        assert_eq!(
            purl(PackageType::Npm, Some("@babel"), "core", "7.0.0", &[]),
            "pkg:npm/%40babel/core@7.0.0"
        );
        assert_eq!(
            purl(PackageType::Go, Some("github.com/pkg"), "errors", "v0.9.1", &[]),
            "pkg:golang/github.com/pkg/errors@v0.9.1"
        );
    }
}
