//! Matching an image's packages against the advisory database.
//!
//! - Language packages are looked up in their OSV ecosystem ([`PackageType::osv_ecosystem`])
//!   by name (PyPI names normalised per PEP 503). A Go package named `stdlib` is the Go
//!   standard library of a binary's toolchain: `go1.22.3` is matched as `1.22.3`.
//! - Distribution packages are looked up in the image's ecosystem
//!   ([`Distro::osv_ecosystem`], `Debian:12`, `Alpine:v3.20` ...) and in records that name
//!   the bare distribution (`Debian`), never in another release's. Debian, Ubuntu and
//!   Alpine publish advisories per source package, so their packages are matched by
//!   [`Package::source`] (and its version); RPM distributions list binary packages, so
//!   RPMs are matched by their own name and by their source RPM's.
//! - A record affects a version as the OSV schema's evaluation says: listed in
//!   `versions`, or inside a `SEMVER` or `ECOSYSTEM` range (`introduced`, `fixed`,
//!   `last_affected`, `limit`). `GIT` ranges are not evaluated and hide nothing.
//! - Records that name each other as aliases (CVE, GHSA, PYSEC, RUSTSEC, GO, ALSA, DSA ...)
//!   are one problem: they become one finding per package.

use std::cmp::Ordering;
use std::collections::{BTreeSet, HashMap};

use rampart_image::{Distro, Location, Package, PackageType};
use rayon::prelude::*;
use serde::Serialize;

use crate::osv::{Event, Reference};
use crate::severity::{self, Level, Severity};
use crate::store::{AffectedEntry, Database, Error, StoredRange};
use crate::version::{self, Scheme};

/// One vulnerability of one package.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The advisory id shown first (the package ecosystem's own advisory when there is one).
    pub id: String,
    /// Every other id of the same problem: the other records' ids and all aliases.
    pub aliases: Vec<String>,
    /// The ids the records say they were derived from (Debian's and Ubuntu's CVEs).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub upstream: Vec<String>,
    /// Index of the package in the slice given to [`match_packages`].
    pub package_index: usize,
    pub package: String,
    pub package_type: PackageType,
    pub purl: String,
    pub installed_version: String,
    /// The name and version that matched, when not the package's own: the source package
    /// (`openssl 3.0.11-1~deb12u2`) or the Go toolchain version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matched_as: Option<String>,
    /// The record's ecosystem (`Debian:12`, `PyPI` ...).
    pub ecosystem: String,
    /// The first version that fixes every record of the finding; `None`: no fix yet.
    pub fixed_version: Option<String>,
    /// The severity shown: see [`severity::headline`].
    pub severity: Level,
    /// The CVSS base score behind `severity`, when it comes from a vector.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// Every severity statement of the records.
    pub severities: Vec<Severity>,
    /// Rated negligible by the distribution (Debian `unimportant`, Ubuntu `negligible`):
    /// kept, but not shown by default.
    pub hidden: bool,
    pub summary: String,
    pub references: Vec<Reference>,
    /// Where the package lives in the image.
    pub locations: Vec<Location>,
}

/// A name and version to look up, with the ecosystems to look in.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Query {
    ecosystems: Vec<String>,
    name: String,
    version: String,
    /// Shown in the finding when it is not the package's own name and version.
    matched_as: Option<String>,
}

/// The Go toolchain version of a `stdlib` package as OSV writes it: `go1.22.3` is
/// `1.22.3`, `go1.21` is `1.21.0`, `go1.22rc1` is `1.22.0-rc.1`.
pub fn go_toolchain_semver(v: &str) -> String {
    let v = v.trim();
    let v = v.strip_prefix("go").or_else(|| v.strip_prefix('v')).unwrap_or(v);
    let (core, pre) = match v.find(|c: char| c.is_ascii_alphabetic()) {
        Some(i) => (&v[..i], Some(&v[i..])),
        None => (v, None),
    };
    let mut parts: Vec<&str> = core.split('.').collect();
    while parts.len() < 3 {
        parts.push("0");
    }
    let mut out = parts.join(".");
    if let Some(pre) = pre {
        let split = pre.find(|c: char| c.is_ascii_digit()).unwrap_or(pre.len());
        out.push('-');
        out.push_str(&pre[..split]);
        if split < pre.len() {
            out.push('.');
            out.push_str(&pre[split..]);
        }
    }
    out
}

/// The ecosystems a distribution package is looked up in: the image's, then the bare
/// distribution name (records that apply to every release).
fn distro_ecosystems(eco: &str) -> Vec<String> {
    let mut out = vec![eco.to_owned()];
    if let Some((base, _)) = eco.split_once(':') {
        out.push(base.to_owned());
    }
    out
}

fn queries(p: &Package, distro: Option<&Distro>) -> Vec<Query> {
    if let Some(eco) = p.kind.osv_ecosystem() {
        if p.kind == PackageType::Go && p.name == "stdlib" {
            let v = go_toolchain_semver(&p.version);
            let matched_as = (v != p.version).then(|| format!("stdlib {v}"));
            return vec![Query {
                ecosystems: vec![eco.to_owned()],
                name: p.name.clone(),
                version: v,
                matched_as,
            }];
        }
        let version = if p.kind == PackageType::Go {
            p.version.strip_prefix('v').unwrap_or(&p.version).to_owned()
        } else {
            p.version.clone()
        };
        return vec![Query {
            ecosystems: vec![eco.to_owned()],
            name: p.name.clone(),
            version,
            matched_as: None,
        }];
    }
    let Some(eco) = distro.and_then(|d| d.osv_ecosystem.as_deref()) else {
        return Vec::new();
    };
    let ecosystems = distro_ecosystems(eco);
    let by_source = p.source.as_ref().map(|s| Query {
        ecosystems: ecosystems.clone(),
        name: s.name.clone(),
        version: s.version.clone(),
        matched_as: (s.name != p.name || s.version != p.version).then(|| format!("{} {}", s.name, s.version)),
    });
    let own = Query {
        ecosystems,
        name: p.name.clone(),
        version: p.version.clone(),
        matched_as: None,
    };
    match (p.kind, by_source) {
        (PackageType::Rpm, Some(src)) if src.name != own.name => vec![own, src],
        (_, Some(src)) => vec![src],
        (_, None) => vec![own],
    }
}

/// How a range's versions compare: `None` when either version is not valid in the scheme.
fn comparator(semver: bool, ecosystem: &str) -> Option<Scheme> {
    if semver {
        Some(Scheme::Semver)
    } else {
        Scheme::for_ecosystem(ecosystem)
    }
}

fn cmp_in(scheme: Scheme, a: &str, b: &str) -> Option<Ordering> {
    if scheme == Scheme::Semver {
        let strip = |s: &str| s.strip_prefix('v').unwrap_or(s).to_owned();
        return version::compare(scheme, &strip(a), &strip(b));
    }
    version::compare(scheme, a, b)
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Introduced,
    Fixed,
    LastAffected,
}

/// The outcome of evaluating one range for a version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangeHit {
    /// The smallest `fixed` version above the installed one, within the range.
    pub fixed: Option<String>,
}

/// Decides whether version `v` lies in a range, following the OSV schema's evaluation:
/// the range applies only below one of its `limit`s (an implicit `*` when it has none);
/// its events, sorted by version (`introduced: "0"` first), open the range at each
/// `introduced` at or below `v` and close it at each `fixed` at or below `v` and each
/// `last_affected` below `v`. Events whose version `cmp` cannot order are left out; when
/// `v` itself cannot be ordered the range says nothing.
pub fn range_affects(
    events: &[Event],
    v: &str,
    cmp: &dyn Fn(&str, &str) -> Option<Ordering>,
) -> Option<RangeHit> {
    if cmp(v, v) != Some(Ordering::Equal) {
        return None;
    }
    let valid = |s: &str| cmp(s, s) == Some(Ordering::Equal);
    let limits: Vec<&str> = events.iter().filter_map(|e| e.limit.as_deref()).collect();
    if !limits.is_empty()
        && !limits
            .iter()
            .any(|l| l.contains('*') || (valid(l) && cmp(v, l) == Some(Ordering::Less)))
    {
        return None;
    }
    // (kind, version; None for introduced "0", which sorts before everything)
    let mut sorted: Vec<(Kind, Option<&str>)> = Vec::new();
    for e in events {
        let (kind, ver) = if let Some(i) = e.introduced.as_deref() {
            (Kind::Introduced, i)
        } else if let Some(f) = e.fixed.as_deref() {
            (Kind::Fixed, f)
        } else if let Some(l) = e.last_affected.as_deref() {
            (Kind::LastAffected, l)
        } else {
            continue;
        };
        let ver = if kind == Kind::Introduced && ver == "0" {
            None
        } else if valid(ver) {
            Some(ver)
        } else {
            continue;
        };
        // Insertion sort: stable, and cannot fail on whatever order `cmp` gives.
        let at = sorted
            .iter()
            .position(|(_, w)| match (ver, w) {
                (None, _) => w.is_some(),
                (Some(_), None) => false,
                (Some(a), Some(b)) => cmp(a, b) == Some(Ordering::Less),
            })
            .unwrap_or(sorted.len());
        sorted.insert(at, (kind, ver));
    }
    let ge = |w: &str| matches!(cmp(v, w), Some(Ordering::Greater | Ordering::Equal));
    let mut vulnerable = false;
    let mut fixed = None;
    for (kind, ver) in &sorted {
        match (kind, ver) {
            (Kind::Introduced, None) => vulnerable = true,
            (Kind::Introduced, Some(w)) if ge(w) => vulnerable = true,
            (Kind::Fixed, Some(w)) if ge(w) => vulnerable = false,
            (Kind::LastAffected, Some(w)) if cmp(v, w) == Some(Ordering::Greater) => vulnerable = false,
            (Kind::Fixed, Some(w)) if fixed.is_none() && vulnerable => fixed = Some((*w).to_owned()),
            _ => {}
        }
    }
    vulnerable.then_some(RangeHit { fixed })
}

/// Decides whether an affected entry covers version `v`: listed in `versions` (equal
/// under the ecosystem's ordering, or the same text), or inside one of its ranges.
/// Returns the fixed version to report.
pub fn entry_affects(entry: &AffectedEntry, v: &str) -> Option<RangeHit> {
    for range in &entry.ranges {
        let Some(scheme) = comparator(range.semver, &entry.ecosystem) else {
            continue;
        };
        if let Some(hit) = range_affects(&range.events, v, &|a, b| cmp_in(scheme, a, b)) {
            return Some(hit);
        }
    }
    let eco_scheme = Scheme::for_ecosystem(&entry.ecosystem);
    let listed = entry
        .versions
        .iter()
        .any(|w| w == v || eco_scheme.is_some_and(|s| version::compare(s, w, v) == Some(Ordering::Equal)));
    listed.then(|| RangeHit {
        fixed: fixed_above(&entry.ranges, &entry.ecosystem, v),
    })
}

/// Whether a listed version `w` is already inside one of the ranges, under the same
/// ordering the list is compared with: such versions can leave the list without changing
/// what the entry matches (a version equal to `w` lies in the same ranges). osv.dev lists
/// every version of an `ECOSYSTEM` range, so this empties most lists.
pub fn listed_version_is_redundant(ranges: &[StoredRange], ecosystem: &str, w: &str) -> bool {
    let Some(eco_scheme) = Scheme::for_ecosystem(ecosystem) else {
        return false;
    };
    ranges.iter().any(|r| {
        comparator(r.semver, ecosystem) == Some(eco_scheme)
            && range_affects(&r.events, w, &|a, b| cmp_in(eco_scheme, a, b)).is_some()
    })
}

/// The smallest `fixed` of any range above `v` (for a version matched by the list).
fn fixed_above(ranges: &[StoredRange], ecosystem: &str, v: &str) -> Option<String> {
    let mut best: Option<(Scheme, &str)> = None;
    for r in ranges {
        let Some(s) = comparator(r.semver, ecosystem) else {
            continue;
        };
        for f in r.events.iter().filter_map(|e| e.fixed.as_deref()) {
            if cmp_in(s, f, v) == Some(Ordering::Greater)
                && best.is_none_or(|(bs, b)| cmp_in(bs, f, b) == Some(Ordering::Less))
            {
                best = Some((s, f));
            }
        }
    }
    best.map(|(_, f)| f.to_owned())
}

/// One record that matched a package.
struct Hit {
    advisory: u32,
    entry: AffectedEntry,
    fixed: Option<String>,
    matched_as: Option<String>,
}

/// Matches packages against the database: every finding for every package, grouped so
/// that records naming each other as aliases are one finding. Distribution packages need
/// the image's [`Distro`] (its `osv_ecosystem`); without one they are not matched.
pub fn match_packages(
    db: &Database,
    packages: &[Package],
    distro: Option<&Distro>,
) -> Result<Vec<Finding>, Error> {
    let per_package: Vec<Result<Vec<Finding>, Error>> = packages
        .par_iter()
        .enumerate()
        .map(|(i, p)| match_one(db, i, p, distro))
        .collect();
    let mut out = Vec::new();
    for r in per_package {
        out.extend(r?);
    }
    Ok(out)
}

fn match_one(
    db: &Database,
    index: usize,
    p: &Package,
    distro: Option<&Distro>,
) -> Result<Vec<Finding>, Error> {
    let mut hits: Vec<Hit> = Vec::new();
    for q in queries(p, distro) {
        for eco in &q.ecosystems {
            for entry in db.lookup(eco, &q.name)? {
                if hits.iter().any(|h| h.advisory == entry.advisory) {
                    continue;
                }
                if let Some(hit) = entry_affects(&entry, &q.version) {
                    hits.push(Hit {
                        advisory: entry.advisory,
                        entry,
                        fixed: hit.fixed,
                        matched_as: q.matched_as.clone(),
                    });
                }
            }
        }
    }
    if hits.is_empty() {
        return Ok(Vec::new());
    }
    let mut advisories = HashMap::new();
    for h in &hits {
        advisories.insert(h.advisory, db.advisory(h.advisory)?);
    }
    let groups = group_by_alias(
        &hits
            .iter()
            .map(|h| {
                let a = &advisories[&h.advisory];
                std::iter::once(a.id.as_str())
                    .chain(a.aliases.iter().map(String::as_str))
                    .collect::<Vec<_>>()
            })
            .collect::<Vec<_>>(),
    );
    let mut findings = Vec::new();
    for group in groups {
        let mut members: Vec<&Hit> = group.iter().map(|&i| &hits[i]).collect();
        members.sort_by(|a, b| {
            let (ia, ib) = (&advisories[&a.advisory].id, &advisories[&b.advisory].id);
            (ia.starts_with("CVE-"), ia).cmp(&(ib.starts_with("CVE-"), ib))
        });
        let first = &advisories[&members[0].advisory];
        let mut ids = BTreeSet::new();
        let mut upstream = BTreeSet::new();
        let mut references: Vec<Reference> = Vec::new();
        let mut severities: Vec<Severity> = Vec::new();
        let mut summary = String::new();
        for m in &members {
            let a = &advisories[&m.advisory];
            ids.insert(a.id.clone());
            ids.extend(a.aliases.iter().cloned());
            upstream.extend(a.upstream.iter().cloned());
            if summary.is_empty() {
                summary.clone_from(&a.summary);
            }
            for r in &a.references {
                if !references.iter().any(|x| x.url == r.url) {
                    references.push(r.clone());
                }
            }
            for s in &m.entry.severity {
                if !severities.contains(s) {
                    severities.push(s.clone());
                }
            }
        }
        ids.remove(&first.id);
        for id in &ids {
            upstream.remove(id);
        }
        upstream.remove(&first.id);
        let fixed = highest_fixed(&members);
        let headline = severity::headline(&severities).cloned();
        findings.push(Finding {
            id: first.id.clone(),
            aliases: ids.into_iter().collect(),
            upstream: upstream.into_iter().collect(),
            package_index: index,
            package: p.name.clone(),
            package_type: p.kind,
            purl: p.purl.clone(),
            installed_version: p.version.clone(),
            matched_as: members[0].matched_as.clone(),
            ecosystem: members[0].entry.ecosystem.clone(),
            fixed_version: fixed,
            severity: headline.as_ref().map_or(Level::Unknown, |s| s.level),
            score: headline.as_ref().and_then(|s| s.score),
            hidden: headline.as_ref().is_some_and(|s| s.level == Level::Negligible),
            severities,
            summary,
            references,
            locations: p.locations.clone(),
        });
    }
    findings.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.id.cmp(&b.id)));
    Ok(findings)
}

/// The fix of a group: the highest of its records' fixed versions (a version that fixes
/// every record), `None` when no record names one.
fn highest_fixed(members: &[&Hit]) -> Option<String> {
    let mut best: Option<&Hit> = None;
    for m in members.iter().filter(|m| m.fixed.is_some()) {
        let Some(b) = best else {
            best = Some(m);
            continue;
        };
        let (mf, bf) = (m.fixed.as_deref().unwrap_or(""), b.fixed.as_deref().unwrap_or(""));
        let scheme = Scheme::for_ecosystem(&m.entry.ecosystem);
        let greater = match scheme.and_then(|s| cmp_in(s, mf, bf)) {
            Some(o) => o == Ordering::Greater,
            None => mf > bf,
        };
        if greater {
            best = Some(m);
        }
    }
    best.and_then(|b| b.fixed.clone())
}

fn root(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

/// Groups items whose id sets share an id, transitively. Each input is the list of ids
/// of one record (its own id and its aliases); each output group lists input indices in
/// order.
pub fn group_by_alias(ids: &[Vec<&str>]) -> Vec<Vec<usize>> {
    let mut parent: Vec<usize> = (0..ids.len()).collect();
    let mut owner: HashMap<&str, usize> = HashMap::new();
    for (i, list) in ids.iter().enumerate() {
        for id in list {
            if let Some(&j) = owner.get(id) {
                let (ri, rj) = (root(&mut parent, i), root(&mut parent, j));
                if ri != rj {
                    parent[ri.max(rj)] = ri.min(rj);
                }
            } else {
                owner.insert(id, i);
            }
        }
    }
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut index_of: HashMap<usize, usize> = HashMap::new();
    for i in 0..ids.len() {
        let r = root(&mut parent, i);
        let g = *index_of.entry(r).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[g].push(i);
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Dotted numbers: enough ordering to test the range rules without an ecosystem.
    fn num(a: &str, b: &str) -> Option<Ordering> {
        let parse = |s: &str| {
            s.split('.')
                .map(|p| p.parse::<u64>().ok())
                .collect::<Option<Vec<_>>>()
        };
        Some(parse(a)?.cmp(&parse(b)?))
    }

    fn ev(spec: &[(&str, &str)]) -> Vec<Event> {
        spec.iter()
            .map(|(k, v)| {
                let v = Some((*v).to_owned());
                match *k {
                    "i" => Event {
                        introduced: v,
                        ..Event::default()
                    },
                    "f" => Event {
                        fixed: v,
                        ..Event::default()
                    },
                    "l" => Event {
                        last_affected: v,
                        ..Event::default()
                    },
                    "x" => Event {
                        limit: v,
                        ..Event::default()
                    },
                    _ => unreachable!(),
                }
            })
            .collect()
    }

    /// `None`: not affected; `Some(fixed)`: affected, with the fix when there is one.
    #[allow(clippy::option_option)]
    fn hit(events: &[Event], v: &str) -> Option<Option<String>> {
        range_affects(events, v, &num).map(|h| h.fixed)
    }

    #[test]
    fn introduced_zero_covers_everything() {
        let e = ev(&[("i", "0")]);
        assert_eq!(hit(&e, "0.0.1"), Some(None));
        assert_eq!(hit(&e, "99.0"), Some(None));
    }

    #[test]
    fn introduced_is_inclusive_and_fixed_exclusive() {
        let e = ev(&[("i", "1.0"), ("f", "1.2")]);
        assert_eq!(hit(&e, "0.9"), None);
        assert_eq!(hit(&e, "1.0"), Some(Some("1.2".into())));
        assert_eq!(hit(&e, "1.1.9"), Some(Some("1.2".into())));
        assert_eq!(hit(&e, "1.2"), None);
        assert_eq!(hit(&e, "2.0"), None);
    }

    #[test]
    fn last_affected_is_inclusive() {
        let e = ev(&[("i", "0"), ("l", "2.1.214")]);
        assert_eq!(hit(&e, "2.1.214"), Some(None));
        assert_eq!(hit(&e, "2.1.215"), None);
    }

    #[test]
    fn several_intervals_in_one_range_in_any_order() {
        // Unsorted on purpose: evaluation sorts the events.
        let e = ev(&[("f", "3.2.5"), ("i", "3.0.0"), ("f", "1.0.2"), ("i", "1.0.0")]);
        assert_eq!(hit(&e, "1.0.1"), Some(Some("1.0.2".into())));
        assert_eq!(hit(&e, "2.0"), None);
        assert_eq!(hit(&e, "3.1"), Some(Some("3.2.5".into())));
        assert_eq!(hit(&e, "3.2.5"), None);
    }

    #[test]
    fn limit_bounds_the_range() {
        let e = ev(&[("i", "1.0"), ("x", "2.0")]);
        assert_eq!(hit(&e, "1.5"), Some(None));
        assert_eq!(hit(&e, "2.0"), None);
        assert_eq!(hit(&e, "3.0"), None);
        let star = ev(&[("i", "1.0"), ("x", "*")]);
        assert_eq!(hit(&star, "300"), Some(None));
        let two = ev(&[("i", "1.0"), ("x", "2.0"), ("x", "4.0")]);
        assert_eq!(hit(&two, "3.0"), Some(None));
    }

    #[test]
    fn unorderable_versions_decide_nothing() {
        let e = ev(&[("i", "0"), ("f", "1.0")]);
        assert_eq!(hit(&e, "not-a-version"), None);
        // A bad event is left out, the rest still counts.
        let e = ev(&[("i", "0"), ("f", "garbage"), ("f", "2.0")]);
        assert_eq!(hit(&e, "1.5"), Some(Some("2.0".into())));
    }

    #[test]
    fn go_toolchain_versions() {
        assert_eq!(go_toolchain_semver("go1.22.3"), "1.22.3");
        assert_eq!(go_toolchain_semver("go1.21"), "1.21.0");
        assert_eq!(go_toolchain_semver("go1.22rc1"), "1.22.0-rc.1");
        assert_eq!(go_toolchain_semver("v1.20.4"), "1.20.4");
    }

    #[test]
    fn alias_groups_are_transitive() {
        let ids = vec![
            vec!["PYSEC-1", "CVE-1"],
            vec!["GHSA-a", "CVE-1", "PYSEC-1"],
            vec!["PYSEC-2", "CVE-2"],
            vec!["OSV-9", "GHSA-a"],
        ];
        assert_eq!(group_by_alias(&ids), vec![vec![0, 1, 3], vec![2]]);
    }

    fn distro(eco: &str) -> Distro {
        Distro {
            id: "debian".into(),
            version_id: "12".into(),
            version_codename: None,
            pretty_name: None,
            osv_ecosystem: Some(eco.into()),
        }
    }

    fn pkg(kind: PackageType, name: &str, version: &str, source: Option<(&str, &str)>) -> Package {
        Package {
            name: name.into(),
            version: version.into(),
            kind,
            purl: String::new(),
            source: source.map(|(n, v)| rampart_image::package::SourcePackage {
                name: n.into(),
                version: v.into(),
            }),
            arch: None,
            licenses: vec![],
            locations: vec![],
            cataloger: "test",
        }
    }

    #[test]
    fn queries_follow_the_ecosystem_rules() {
        let d = distro("Debian:12");
        let q = queries(
            &pkg(
                PackageType::Deb,
                "libssl3",
                "3.0.11-1~deb12u2",
                Some(("openssl", "3.0.11-1~deb12u2")),
            ),
            Some(&d),
        );
        assert_eq!(q.len(), 1);
        assert_eq!(q[0].name, "openssl");
        assert_eq!(q[0].ecosystems, ["Debian:12", "Debian"]);
        // RPMs: own name and source name.
        let d = distro("AlmaLinux:9");
        let q = queries(
            &pkg(
                PackageType::Rpm,
                "openssl-libs",
                "1:3.0.7-27.el9",
                Some(("openssl", "1:3.0.7-27.el9")),
            ),
            Some(&d),
        );
        assert_eq!(
            q.iter().map(|q| q.name.as_str()).collect::<Vec<_>>(),
            ["openssl-libs", "openssl"]
        );
        // No distro: distribution packages cannot be matched.
        assert!(queries(&pkg(PackageType::Apk, "musl", "1.2.4-r2", None), None).is_empty());
        // Go module versions lose their `v`; stdlib uses the toolchain's version.
        let q = queries(&pkg(PackageType::Go, "golang.org/x/net", "v0.17.0", None), None);
        assert_eq!(
            (q[0].ecosystems[0].as_str(), q[0].version.as_str()),
            ("Go", "0.17.0")
        );
        let q = queries(&pkg(PackageType::Go, "stdlib", "go1.21.5", None), None);
        assert_eq!(q[0].version, "1.21.5");
    }
}
