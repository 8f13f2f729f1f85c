//! Vulnerability reports: the findings of one image or one source tree, with the policy
//! that decides which of them are shown and which count toward the exit code, written as
//! text for people ([`text`]), Rampart's versioned JSON ([`json`]), SARIF 2.1.0
//! ([`sarif`]) or a CycloneDX 1.6 SBOM with a `vulnerabilities` array ([`cyclonedx`]).
//!
//! Renderers write to any [`std::io::Write`]; nothing here touches the terminal (colours
//! are asked for by the caller) or reads files.

pub mod cyclonedx;
pub mod json;
pub mod sarif;
pub mod text;

use rampart_image::Package;

use crate::matching::Finding;
use crate::severity::Level;

/// What was scanned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// A container image.
    Image {
        /// The reference as the user gave it.
        reference: String,
        /// The manifest digest, else the configuration digest.
        digest: Option<String>,
        /// The distribution (`PRETTY_NAME`, else `ID VERSION_ID`).
        distro: Option<String>,
        /// The OSV ecosystem of the distribution's packages (`Debian:12`).
        ecosystem: Option<String>,
    },
    /// Lockfiles of a source tree (or one lockfile).
    Lockfiles {
        /// The path as the user gave it.
        path: String,
        /// Every lockfile read, as shown in locations.
        files: Vec<String>,
    },
}

/// Why a finding does not count: an exception of the configuration or a VEX statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// `exception` or `vex`.
    pub by: String,
    pub reason: String,
    /// The VEX status (`not_affected`, `fixed` ...) or OpenVEX justification, when there
    /// is one.
    pub status: Option<String>,
    /// Where it is written: `.rampart.yaml:12`, `app.vex.json`.
    pub origin: String,
    /// `YYYY-MM-DD`.
    pub expires: Option<String>,
    pub ticket: Option<String>,
}

/// One finding as reported: the match, the line of its package in a lockfile, and the
/// suppression that applies to it.
#[derive(Debug, Clone)]
pub struct Entry {
    pub finding: Finding,
    /// The 1-based line of the package's entry in its lockfile.
    pub line: Option<u32>,
    pub suppressed: Option<Suppression>,
}

impl Entry {
    pub fn fixable(&self) -> bool {
        self.finding.fixed_version.is_some()
    }
}

/// The lowest severity that fails the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    /// Findings at this level or above count (and, at `low`, unrated ones).
    Level(Level),
    /// Every finding counts, whatever its severity (unknown and negligible included).
    Any,
    /// No finding counts.
    Never,
}

impl FailOn {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Level(l) => l.as_str(),
            Self::Any => "any",
            Self::Never => "never",
        }
    }

    /// Whether a finding of `level` counts. An advisory that rates nothing (most Go and
    /// many PyPI records) may be anything: it counts at `low`, the default, so a CI gate
    /// does not pass silently over it, but not at `medium` and above.
    fn covers(self, level: Level) -> bool {
        match self {
            Self::Level(l) => level >= l || (level == Level::Unknown && l <= Level::Low),
            Self::Any => true,
            Self::Never => false,
        }
    }
}

/// Which findings are shown and which count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub fail_on: FailOn,
    /// Only findings with a fixed version count toward the exit code; the others are
    /// still reported.
    pub fixable_only: bool,
    /// Findings without a fixed version are left out of the report entirely.
    pub ignore_unfixed: bool,
    /// Report findings the distribution rates negligible (`Finding::hidden`).
    pub show_hidden: bool,
    /// Text output: list suppressed findings too (the machine formats always do).
    pub show_suppressed: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            fail_on: FailOn::Level(Level::Low),
            fixable_only: false,
            ignore_unfixed: false,
            show_hidden: false,
            show_suppressed: false,
        }
    }
}

/// The database the findings come from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DatabaseInfo {
    /// Build time, seconds since the epoch.
    pub built: u64,
    pub advisories: usize,
    /// Time of the oldest source's import or download.
    pub oldest_source: Option<u64>,
}

/// A complete report.
#[derive(Debug, Clone)]
pub struct Report {
    pub tool_version: String,
    pub subject: Subject,
    pub database: DatabaseInfo,
    /// The packages matched (findings point into this list by `package_index`).
    pub packages: Vec<Package>,
    /// Every finding that is reported (see [`Report::new`]), in report order.
    pub entries: Vec<Entry>,
    /// Findings left out: rated negligible (without `show_hidden`).
    pub hidden: usize,
    /// Findings left out: no fixed version (with `ignore_unfixed`).
    pub unfixed_ignored: usize,
    pub policy: Policy,
    /// Problems met while reading the input (unreadable files, lockfile errors).
    pub problems: Vec<String>,
}

impl Report {
    /// Applies the policy's filters (hidden, unfixed) and sorts: most severe first, fixable
    /// before unfixed within a severity, then by package, version and advisory id.
    pub fn new(
        subject: Subject,
        database: DatabaseInfo,
        packages: Vec<Package>,
        entries: Vec<Entry>,
        policy: Policy,
    ) -> Report {
        let mut hidden = 0;
        let mut unfixed_ignored = 0;
        let mut kept: Vec<Entry> = Vec::with_capacity(entries.len());
        for e in entries {
            if e.finding.hidden && !policy.show_hidden {
                hidden += 1;
            } else if policy.ignore_unfixed && !e.fixable() {
                unfixed_ignored += 1;
            } else {
                kept.push(e);
            }
        }
        kept.sort_by(|a, b| {
            let (fa, fb) = (&a.finding, &b.finding);
            fb.severity
                .cmp(&fa.severity)
                .then_with(|| b.fixable().cmp(&a.fixable()))
                .then_with(|| fa.package.cmp(&fb.package))
                .then_with(|| fa.installed_version.cmp(&fb.installed_version))
                .then_with(|| fa.id.cmp(&fb.id))
                .then_with(|| fa.package_index.cmp(&fb.package_index))
        });
        Report {
            tool_version: env!("CARGO_PKG_VERSION").to_owned(),
            subject,
            database,
            packages,
            entries: kept,
            hidden,
            unfixed_ignored,
            policy,
            problems: Vec::new(),
        }
    }

    /// Whether an entry counts toward the exit code: not suppressed, at or above
    /// `fail_on`, and fixable when `fixable_only` is set.
    pub fn counts(&self, e: &Entry) -> bool {
        e.suppressed.is_none()
            && self.policy.fail_on.covers(e.finding.severity)
            && (!self.policy.fixable_only || e.fixable())
    }

    /// The entries that count toward the exit code.
    pub fn failing(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|e| self.counts(e))
    }

    /// 0: nothing counts; 1: at least one entry counts. Input problems are the caller's to
    /// turn into 2.
    pub fn exit_code(&self) -> u8 {
        u8::from(self.failing().next().is_some())
    }

    /// Counts per severity (most severe first) of unsuppressed entries: (level, fixable,
    /// unfixed).
    pub fn by_severity(&self) -> Vec<(Level, usize, usize)> {
        LEVELS
            .iter()
            .map(|&l| {
                let of_level = self
                    .entries
                    .iter()
                    .filter(|e| e.suppressed.is_none() && e.finding.severity == l);
                let (fixable, unfixed) =
                    of_level.fold(
                        (0, 0),
                        |(f, u), e| {
                            if e.fixable() { (f + 1, u) } else { (f, u + 1) }
                        },
                    );
                (l, fixable, unfixed)
            })
            .collect()
    }

    pub fn suppressed(&self) -> usize {
        self.entries.iter().filter(|e| e.suppressed.is_some()).count()
    }

    /// The packages with at least one unsuppressed finding.
    pub fn vulnerable_packages(&self) -> usize {
        let mut seen: Vec<usize> = self
            .entries
            .iter()
            .filter(|e| e.suppressed.is_none())
            .map(|e| e.finding.package_index)
            .collect();
        seen.sort_unstable();
        seen.dedup();
        seen.len()
    }
}

/// Every level, most severe first.
pub const LEVELS: [Level; 6] = [
    Level::Critical,
    Level::High,
    Level::Medium,
    Level::Low,
    Level::Negligible,
    Level::Unknown,
];

/// Where a finding's package is: its first location's path, with the lockfile line.
pub fn location_text(e: &Entry) -> Option<String> {
    let l = e.finding.locations.first()?;
    Some(match e.line {
        Some(line) => format!("{}:{line}", l.path),
        None => l.path.clone(),
    })
}

/// RFC 3339 in UTC (`2024-05-01T12:00:00Z`) of seconds since the epoch.
pub fn rfc3339(secs: u64) -> String {
    rampart_image::sbom::Timestamp::from_unix(secs)
        .unwrap_or_else(rampart_image::sbom::Timestamp::now)
        .rfc3339()
}

/// The web page of an advisory id on osv.dev.
pub fn advisory_url(id: &str) -> String {
    format!("https://osv.dev/vulnerability/{id}")
}

#[cfg(test)]
pub(crate) mod tests {
    use rampart_image::{Location, PackageType};

    use super::*;
    use crate::severity::Severity;

    pub fn finding(id: &str, package: &str, level: Level, fixed: Option<&str>, index: usize) -> Finding {
        Finding {
            id: id.into(),
            aliases: vec![format!("CVE-2024-{}", id.len() * 1000 + index)],
            upstream: vec![],
            package_index: index,
            package: package.into(),
            package_type: PackageType::Python,
            purl: format!("pkg:pypi/{package}@1.0"),
            installed_version: "1.0".into(),
            matched_as: None,
            ecosystem: "PyPI".into(),
            fixed_version: fixed.map(Into::into),
            severity: level,
            score: Some(7.5),
            severities: vec![Severity {
                level,
                source: "CVSS_V3".into(),
                score: Some(7.5),
                text: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N".into(),
            }],
            hidden: level == Level::Negligible,
            summary: format!("problem in {package}"),
            references: vec![],
            locations: vec![Location {
                path: "requirements.txt".into(),
                layer: None,
            }],
        }
    }

    pub fn package(name: &str) -> Package {
        Package {
            name: name.into(),
            version: "1.0".into(),
            kind: PackageType::Python,
            purl: format!("pkg:pypi/{name}@1.0"),
            source: None,
            arch: None,
            licenses: vec![],
            locations: vec![Location {
                path: "requirements.txt".into(),
                layer: None,
            }],
            cataloger: "requirements",
        }
    }

    pub fn entry(f: Finding) -> Entry {
        Entry {
            line: Some(u32::try_from(f.package_index).unwrap() + 1),
            finding: f,
            suppressed: None,
        }
    }

    pub fn sample(policy: Policy) -> Report {
        let mut suppressed = entry(finding("PYSEC-3", "c", Level::High, Some("2.0"), 2));
        suppressed.suppressed = Some(Suppression {
            by: "exception".into(),
            reason: "not reachable from the service".into(),
            status: None,
            origin: ".rampart.yaml:4".into(),
            expires: Some("2027-01-31".into()),
            ticket: Some("SEC-1".into()),
        });
        Report::new(
            Subject::Lockfiles {
                path: ".".into(),
                files: vec!["requirements.txt".into()],
            },
            DatabaseInfo {
                built: 1_700_000_000,
                advisories: 4,
                oldest_source: Some(1_700_000_000),
            },
            vec![package("a"), package("b"), package("c"), package("d")],
            vec![
                entry(finding("PYSEC-1", "a", Level::High, None, 0)),
                entry(finding("PYSEC-2", "b", Level::High, Some("1.1"), 1)),
                suppressed,
                entry(finding("PYSEC-4", "d", Level::Negligible, None, 3)),
                entry(finding("PYSEC-5", "d", Level::Critical, None, 3)),
            ],
            policy,
        )
    }

    #[test]
    fn order_is_severity_then_fixable_first() {
        let r = sample(Policy::default());
        let ids: Vec<&str> = r.entries.iter().map(|e| e.finding.id.as_str()).collect();
        assert_eq!(ids, ["PYSEC-5", "PYSEC-2", "PYSEC-3", "PYSEC-1"]);
        assert_eq!(r.hidden, 1);
    }

    #[test]
    fn fixable_only_keeps_findings_but_counts_only_fixable_ones() {
        let policy = Policy {
            fail_on: FailOn::Level(Level::High),
            fixable_only: true,
            ..Policy::default()
        };
        let r = sample(policy);
        assert_eq!(r.entries.len(), 4);
        let failing: Vec<&str> = r.failing().map(|e| e.finding.id.as_str()).collect();
        assert_eq!(failing, ["PYSEC-2"], "PYSEC-3 is fixable but suppressed");
        let r = sample(Policy {
            ignore_unfixed: true,
            ..Policy::default()
        });
        let ids: Vec<&str> = r.entries.iter().map(|e| e.finding.id.as_str()).collect();
        assert_eq!(ids, ["PYSEC-2", "PYSEC-3"]);
        assert_eq!(r.unfixed_ignored, 2);
    }

    #[test]
    fn fail_on_thresholds() {
        let r = sample(Policy {
            fail_on: FailOn::Level(Level::Critical),
            ..Policy::default()
        });
        assert_eq!(r.failing().count(), 1);
        let r = sample(Policy {
            fail_on: FailOn::Never,
            ..Policy::default()
        });
        assert_eq!(r.exit_code(), 0);
        let r = sample(Policy {
            fail_on: FailOn::Any,
            show_hidden: true,
            ..Policy::default()
        });
        assert_eq!(r.failing().count(), 4, "the hidden one counts once shown");
    }
}
