//! Platforms (`linux/amd64`, `linux/arm64/v8`, …) and how an index entry is chosen for one.

use std::fmt;
use std::str::FromStr;

use crate::Error;

/// An image platform: operating system, CPU architecture and optional variant, with
/// the names Go uses (`amd64`, `arm64`, `arm`, `386`, `ppc64le`, `s390x`, `riscv64`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
}

impl Platform {
    pub fn new(os: &str, architecture: &str, variant: Option<&str>) -> Self {
        Platform {
            os: os.to_owned(),
            architecture: architecture.to_owned(),
            variant: variant.map(str::to_owned),
        }
    }

    /// Parses `os/architecture[/variant]`.
    pub fn parse(input: &str) -> Result<Self, Error> {
        let bad = |reason: &str| Error::InvalidPlatform {
            input: input.to_owned(),
            reason: reason.to_owned(),
        };
        let parts: Vec<&str> = input.split('/').collect();
        if !(2..=3).contains(&parts.len()) {
            return Err(bad("expected two or three parts separated by '/'"));
        }
        for part in &parts {
            if part.is_empty()
                || !part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
            {
                return Err(bad(&format!("{part:?} is not a valid platform part")));
            }
        }
        let os = parts[0].to_ascii_lowercase();
        let architecture = normalise_arch(&parts[1].to_ascii_lowercase());
        Ok(Platform {
            os,
            architecture,
            variant: parts.get(2).map(|v| v.to_ascii_lowercase()),
        })
    }

    /// The platform of the machine this runs on, as a Linux container platform: images
    /// run Linux even on other hosts.
    pub fn host() -> Self {
        let (arch, variant) = match std::env::consts::ARCH {
            "x86_64" => ("amd64", None),
            "x86" => ("386", None),
            "aarch64" => ("arm64", None),
            "arm" => ("arm", Some("v7")),
            "powerpc64" if cfg!(target_endian = "little") => ("ppc64le", None),
            "loongarch64" => ("loong64", None),
            other => (other, None),
        };
        Platform::new("linux", arch, variant)
    }

    /// Whether an index entry for `candidate` serves this (wanted) platform. The variant
    /// only matters when this one names it; `arm64` without a variant is `arm64/v8`.
    pub fn matches(&self, candidate: &Platform) -> bool {
        if self.os != candidate.os || self.architecture != normalise_arch(&candidate.architecture) {
            return false;
        }
        match &self.variant {
            None => true,
            Some(v) => {
                normalise_variant(&self.architecture, Some(v))
                    == normalise_variant(&self.architecture, candidate.variant.as_deref())
            }
        }
    }

    /// Among entries that [match](Platform::matches), whether `candidate` is the one to
    /// prefer when no variant was asked for: the architecture's default variant.
    pub(crate) fn is_default_variant(&self, candidate: &Platform) -> bool {
        let default = match self.architecture.as_str() {
            "arm64" => Some("v8"),
            "arm" => Some("v7"),
            _ => None,
        };
        normalise_variant(&self.architecture, candidate.variant.as_deref()).as_deref() == default
    }
}

fn normalise_arch(arch: &str) -> String {
    match arch {
        "x86_64" | "x86-64" => "amd64".to_owned(),
        "aarch64" => "arm64".to_owned(),
        "i386" | "i686" => "386".to_owned(),
        other => other.to_owned(),
    }
}

fn normalise_variant(arch: &str, variant: Option<&str>) -> Option<String> {
    match (arch, variant) {
        ("arm64", None | Some("v8" | "8")) => Some("v8".to_owned()),
        ("arm", Some("7" | "v7")) => Some("v7".to_owned()),
        ("arm", Some("6" | "v6")) => Some("v6".to_owned()),
        ("arm", Some("5" | "v5")) => Some("v5".to_owned()),
        (_, v) => v.map(str::to_owned),
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

impl FromStr for Platform {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Platform::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_display() {
        assert_eq!(Platform::parse("linux/amd64").unwrap().to_string(), "linux/amd64");
        assert_eq!(
            Platform::parse("linux/arm/v7").unwrap(),
            Platform::new("linux", "arm", Some("v7"))
        );
        assert_eq!(Platform::parse("linux/x86_64").unwrap().architecture, "amd64");
        for bad in ["linux", "linux/", "a/b/c/d", "linux/am d64"] {
            assert!(Platform::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn matching_normalises_variants() {
        let arm64 = Platform::parse("linux/arm64").unwrap();
        let arm64_v8 = Platform::parse("linux/arm64/v8").unwrap();
        assert!(arm64.matches(&Platform::new("linux", "arm64", Some("v8"))));
        assert!(arm64_v8.matches(&Platform::new("linux", "arm64", None)));
        assert!(!arm64_v8.matches(&Platform::new("linux", "arm64", Some("v9"))));
        let arm = Platform::parse("linux/arm").unwrap();
        assert!(arm.matches(&Platform::new("linux", "arm", Some("v6"))));
        assert!(arm.is_default_variant(&Platform::new("linux", "arm", Some("v7"))));
        assert!(!arm.is_default_variant(&Platform::new("linux", "arm", Some("v6"))));
        let v7 = Platform::parse("linux/arm/v7").unwrap();
        assert!(!v7.matches(&Platform::new("linux", "arm", Some("v6"))));
        assert!(!arm64.matches(&Platform::new("windows", "arm64", None)));
        assert_eq!(Platform::host().os, "linux");
    }
}
