//! The vulnerability policy step: after matching, decide in one place which findings are
//! suppressed by the configuration's `vulnerability-exceptions` or by VEX statements, and
//! which exceptions expired or matched nothing. `rampart image scan` and `rampart deps`
//! both call [`apply`].
//!
//! - Advisory ids are compared with the finding's id, aliases and upstream ids; the prefix
//!   (`CVE`, `GHSA`) without regard to case, the rest exactly.
//! - An exception suppresses a finding when one of its ids names it and its `package` and
//!   `image` selectors (when given) match. After its `expires` date it suppresses nothing
//!   and is reported as expired; one that matched no finding is reported as unused.
//! - Of the VEX statements that speak of a finding's vulnerability and product, the latest
//!   (by [`Statement::time`]; on a tie, the one read last) decides: `not_affected` and
//!   `fixed` suppress, `affected` and `under_investigation` do not.
//! - An exception wins over VEX when both apply; both count as used.

use rampart_config::{Date, VulnException};
use rampart_image::Package;
use serde::Serialize;

use crate::matching::Finding;
use crate::vex::{Component, Document, Product, Statement};

/// The image being scanned: the reference as the user wrote it and the digests it is
/// known by (`sha256:...`: the manifest's, the index's when it came from one).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImageRef {
    pub reference: String,
    pub digests: Vec<String>,
}

/// What suppressed a finding; serialised as `exception` or `vex`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SuppressedBy {
    /// A `vulnerability-exceptions` entry of the configuration.
    Exception,
    /// A VEX statement.
    Vex,
}

impl SuppressedBy {
    pub fn as_str(self) -> &'static str {
        match self {
            SuppressedBy::Exception => "exception",
            SuppressedBy::Vex => "vex",
        }
    }
}

/// Why a finding is suppressed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suppression {
    pub by: SuppressedBy,
    /// The exception's reason, or the VEX justification and impact statement.
    pub reason: String,
    /// The VEX status (`not_affected` or `fixed`); `None` for exceptions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// `file:line` of the exception, or the VEX file, line and statement.
    pub origin: String,
    /// The exception's expiry date (`YYYY-MM-DD`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
}

/// The policy's decision for a set of findings.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Outcome {
    /// Parallel to the findings: why each is suppressed, `None` when it counts.
    pub suppressed: Vec<Option<Suppression>>,
    /// Warnings about expired exceptions, each naming where the exception is declared.
    pub expired: Vec<String>,
    /// Origins of exceptions and VEX statements that matched no finding.
    pub unused: Vec<String>,
}

/// Whether two advisory ids are the same: the prefix before the first `-` without regard
/// to case (`cve-2024-1` is `CVE-2024-1`), the rest exactly (GHSA ids are case-sensitive).
pub fn same_id(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim(), b.trim());
    match (a.split_once('-'), b.split_once('-')) {
        (Some((pa, ra)), Some((pb, rb))) => pa.eq_ignore_ascii_case(pb) && ra == rb,
        _ => a == b,
    }
}

/// Every id a finding is known by: its id, aliases and upstream ids.
fn finding_ids(f: &Finding) -> impl Iterator<Item = &str> {
    std::iter::once(f.id.as_str())
        .chain(f.aliases.iter().map(String::as_str))
        .chain(f.upstream.iter().map(String::as_str))
}

fn names_finding<'a>(ids: impl IntoIterator<Item = &'a str>, f: &Finding) -> bool {
    ids.into_iter()
        .any(|id| finding_ids(f).any(|fid| same_id(id, fid)))
}

/// A package URL split into its parts, percent-decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purl {
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    pub version: Option<String>,
    /// Sorted by key; keys in lower case.
    pub qualifiers: Vec<(String, String)>,
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(v) = b
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Purl {
    /// Parses `pkg:type/namespace/name@version?qualifiers#subpath` (the subpath is
    /// dropped). `None` when it is not a purl.
    pub fn parse(s: &str) -> Option<Purl> {
        let s = s.trim();
        let rest = s
            .get(..4)
            .filter(|p| p.eq_ignore_ascii_case("pkg:"))
            .map(|_| &s[4..])?;
        let rest = rest.trim_start_matches('/');
        let rest = rest.split_once('#').map_or(rest, |(r, _)| r);
        let (rest, qualifiers) = rest.split_once('?').unwrap_or((rest, ""));
        let (kind, path) = rest.split_once('/')?;
        let kind = kind.to_ascii_lowercase();
        let path = path.trim_end_matches('/');
        // The version follows the last `@` of the last segment (`@babel/core@7` has a
        // namespace starting with `@`).
        let last_slash = path.rfind('/').map_or(0, |i| i + 1);
        let (path, version) = match path[last_slash..].rfind('@') {
            Some(at) => (
                &path[..last_slash + at],
                Some(percent_decode(&path[last_slash + at + 1..])),
            ),
            None => (path, None),
        };
        let (namespace, name) = match path.rsplit_once('/') {
            Some((ns, n)) => (Some(ns), n),
            None => (None, path),
        };
        let mut name = percent_decode(name);
        let mut namespace = namespace
            .filter(|ns| !ns.is_empty())
            .map(|ns| ns.split('/').map(percent_decode).collect::<Vec<_>>().join("/"));
        if name.is_empty() || kind.is_empty() {
            return None;
        }
        // Types whose names the purl specification says are case-insensitive.
        if matches!(
            kind.as_str(),
            "pypi" | "deb" | "apk" | "npm" | "github" | "bitbucket" | "oci"
        ) {
            name = name.to_ascii_lowercase();
            namespace = namespace.map(|n| n.to_ascii_lowercase());
        }
        if kind == "pypi" {
            name = name.replace('_', "-");
        }
        let mut qualifiers: Vec<(String, String)> = qualifiers
            .split('&')
            .filter_map(|q| q.split_once('='))
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k.to_ascii_lowercase(), percent_decode(v)))
            .collect();
        qualifiers.sort();
        Some(Purl {
            kind,
            namespace,
            name,
            version: version.filter(|v| !v.is_empty()),
            qualifiers,
        })
    }

    /// Whether this purl, read as a pattern, covers `other`: same type, namespace and
    /// name; the same version unless this one has none; and every qualifier this one sets
    /// set alike in `other`, in any order.
    pub fn covers(&self, other: &Purl) -> bool {
        self.kind == other.kind
            && self.namespace == other.namespace
            && self.name == other.name
            && self
                .version
                .as_ref()
                .is_none_or(|v| other.version.as_ref() == Some(v))
            && self.qualifiers.iter().all(|q| other.qualifiers.contains(q))
    }
}

/// Whether purl `pattern` covers purl `purl` (see [`Purl::covers`]); false when either is
/// not a purl.
pub fn purl_matches(pattern: &str, purl: &str) -> bool {
    match (Purl::parse(pattern), Purl::parse(purl)) {
        (Some(p), Some(q)) => p.covers(&q),
        _ => false,
    }
}

/// `registry/repo:tag` written the long way: Docker Hub's `docker.io/library/` prefix
/// and the `:latest` tag added when left out.
fn normalize_reference(r: &str) -> String {
    let r = r.trim();
    let (name, digest) = r.split_once('@').map_or((r, None), |(n, d)| (n, Some(d)));
    let last = name.rsplit('/').next().unwrap_or(name);
    let mut name = if last.contains(':') || digest.is_some() {
        name.to_string()
    } else {
        format!("{name}:latest")
    };
    let first = name.split('/').next().unwrap_or("");
    let has_registry =
        name.contains('/') && (first.contains('.') || first.contains(':') || first == "localhost");
    if !has_registry {
        name = if name.contains('/') {
            format!("docker.io/{name}")
        } else {
            format!("docker.io/library/{name}")
        };
    } else if let Some(rest) = name.strip_prefix("index.docker.io/") {
        name = format!("docker.io/{rest}");
    }
    match digest {
        Some(d) => format!("{name}@{d}"),
        None => name,
    }
}

fn has_digest(image: &ImageRef, digest: &str) -> bool {
    image.digests.iter().any(|d| d.eq_ignore_ascii_case(digest))
}

/// A reference's repository with its registry (`docker.io/library/nginx`) and its tag
/// (`None` when it has only a digest).
fn split_reference(reference: &str) -> (String, Option<String>) {
    let n = normalize_reference(reference);
    let n = n.split_once('@').map_or(n.as_str(), |(n, _)| n);
    match n.rfind(':') {
        Some(c) if c > n.rfind('/').unwrap_or(0) => (n[..c].to_string(), Some(n[c + 1..].to_string())),
        _ => (n.to_string(), None),
    }
}

/// Whether a VEX identifier names the scanned image: a `pkg:oci` purl (by digest, or by
/// name when it has no version), a reference with a digest (`repo@sha256:...`) or a
/// bare digest, or the reference itself (`nginx:1.27` is `docker.io/library/nginx:1.27`).
fn names_image(id: &str, image: &ImageRef) -> bool {
    let id = id.trim();
    if let Some(p) = Purl::parse(id) {
        if p.kind != "oci" {
            return false;
        }
        let qualifier = |k: &str| {
            p.qualifiers
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        };
        let (repository, tag) = split_reference(&image.reference);
        let repository_ok = qualifier("repository_url")
            .is_none_or(|r| split_reference(r).0.eq_ignore_ascii_case(&repository));
        let tag_ok = qualifier("tag").is_none_or(|t| tag.as_deref() == Some(t));
        let by_name = || {
            repository
                .rsplit('/')
                .next()
                .is_some_and(|last| last.eq_ignore_ascii_case(&p.name))
        };
        return repository_ok
            && tag_ok
            && match &p.version {
                Some(digest) => has_digest(image, digest),
                None => by_name(),
            };
    }
    if id.starts_with("sha256:") || id.starts_with("sha512:") {
        return has_digest(image, id);
    }
    if let Some((_, digest)) = id.split_once('@') {
        return has_digest(image, digest);
    }
    !image.reference.is_empty() && normalize_reference(id) == normalize_reference(&image.reference)
}

fn component_names_image(c: &Component, image: Option<&ImageRef>) -> bool {
    let Some(image) = image else {
        return false;
    };
    c.identifiers().any(|id| names_image(id, image))
        || c.hashes.iter().any(|(alg, value)| {
            let alg = alg.to_ascii_lowercase().replace('-', "");
            has_digest(image, &format!("{alg}:{value}"))
        })
}

fn component_names_package(c: &Component, purl: &str) -> bool {
    c.identifiers()
        .any(|id| !id.starts_with("pkg:oci/") && purl_matches(id, purl))
}

/// Whether a statement's product covers the finding's package.
fn product_covers(p: &Product, package_purl: &str, packages: &[Package], image: Option<&ImageRef>) -> bool {
    if p.subcomponents.is_empty() {
        return component_names_image(&p.component, image)
            || component_names_package(&p.component, package_purl);
    }
    // A product with subcomponents: the product is the image, or a package that is present,
    // and one of its subcomponents is the finding's package.
    let product_present = component_names_image(&p.component, image)
        || packages
            .iter()
            .any(|q| component_names_package(&p.component, &q.purl));
    product_present
        && p.subcomponents
            .iter()
            .any(|s| component_names_package(s, package_purl))
}

fn statement_covers(s: &Statement, f: &Finding, packages: &[Package], image: Option<&ImageRef>) -> bool {
    let purl = packages
        .get(f.package_index)
        .map_or(f.purl.as_str(), |p| p.purl.as_str());
    names_finding(s.vulnerability.names(), f)
        && s.products
            .iter()
            .any(|p| product_covers(p, purl, packages, image))
}

fn exception_covers(e: &VulnException, f: &Finding, packages: &[Package], image: Option<&ImageRef>) -> bool {
    if !names_finding(e.ids.iter().map(String::as_str), f) {
        return false;
    }
    let package = packages.get(f.package_index);
    let package_ok = e.package.as_deref().is_none_or(|sel| {
        if sel.starts_with("pkg:") {
            purl_matches(sel, package.map_or(&f.purl, |p| &p.purl))
        } else {
            let glob = |name: &str| rampart_checks::util::glob_match(sel, name);
            glob(&f.package)
                || package.is_some_and(|p| glob(&p.name) || p.source.as_ref().is_some_and(|s| glob(&s.name)))
        }
    });
    let image_ok = e.image.as_deref().is_none_or(|sel| {
        image.is_some_and(|img| {
            rampart_checks::util::glob_match(sel, &img.reference)
                || img.digests.iter().any(|d| d.eq_ignore_ascii_case(sel))
                || sel.split_once('@').is_some_and(|(_, d)| has_digest(img, d))
        })
    });
    package_ok && image_ok
}

fn vex_reason(s: &Statement) -> String {
    let mut parts: Vec<&str> = Vec::new();
    if let Some(j) = s.justification {
        parts.push(j.as_str());
    }
    if let Some(i) = s.impact_statement.as_deref() {
        parts.push(i);
    }
    if parts.is_empty()
        && let Some(n) = s.status_notes.as_deref()
    {
        parts.push(n);
    }
    if parts.is_empty() {
        return format!("VEX status {}", s.status.as_str());
    }
    parts.join(": ")
}

/// Decides which findings are suppressed by `exceptions` and the statements of `vex`
/// (documents in the order they were given), as of `today`.
///
/// `packages` is the slice the findings were matched from (their `package_index`);
/// `image` is `None` for `rampart deps`, and then no exception with an `image` selector and
/// no VEX product naming an image applies.
pub fn apply(
    findings: &[Finding],
    packages: &[Package],
    image: Option<&ImageRef>,
    exceptions: &[VulnException],
    vex: &[Document],
    today: Date,
) -> Outcome {
    let statements: Vec<&Statement> = vex.iter().flat_map(|d| &d.statements).collect();
    let mut used = vec![0usize; exceptions.len()];
    let mut expired_hits = vec![0usize; exceptions.len()];
    let mut statement_used = vec![false; statements.len()];
    let mut suppressed = Vec::with_capacity(findings.len());
    for f in findings {
        let mut by_exception = None;
        for (i, e) in exceptions.iter().enumerate() {
            if !exception_covers(e, f, packages, image) {
                continue;
            }
            if e.expires.is_some_and(|d| d < today) {
                expired_hits[i] += 1;
                continue;
            }
            used[i] += 1;
            by_exception.get_or_insert_with(|| Suppression {
                by: SuppressedBy::Exception,
                reason: e.reason.clone(),
                status: None,
                origin: e.origin.clone(),
                expires: e.expires.map(|d| d.to_string()),
                ticket: e.ticket.clone(),
            });
        }
        // The latest statement covering the finding; `>=` lets a later one in reading
        // order win a tie.
        let mut decisive: Option<&Statement> = None;
        for (i, s) in statements.iter().enumerate() {
            if statement_covers(s, f, packages, image) {
                statement_used[i] = true;
                if decisive.is_none_or(|d| s.time >= d.time) {
                    decisive = Some(s);
                }
            }
        }
        let by_vex = decisive.filter(|s| s.status.suppresses()).map(|s| Suppression {
            by: SuppressedBy::Vex,
            reason: vex_reason(s),
            status: Some(s.status.as_str().to_string()),
            origin: s.origin.clone(),
            expires: None,
            ticket: None,
        });
        suppressed.push(by_exception.or(by_vex));
    }
    let mut expired = Vec::new();
    let mut unused = Vec::new();
    for (i, e) in exceptions.iter().enumerate() {
        if let Some(d) = e.expires.filter(|d| *d < today) {
            expired.push(format!(
                "{}: vulnerability exception for {} expired on {d} and no longer suppresses anything ({} finding(s) it matched are reported again); renew it or fix them",
                e.origin,
                e.ids.join(", "),
                expired_hits[i]
            ));
        } else if used[i] == 0 {
            unused.push(e.origin.clone());
        }
    }
    for (s, used) in statements.iter().zip(statement_used) {
        if !used {
            unused.push(s.origin.clone());
        }
    }
    Outcome {
        suppressed,
        expired,
        unused,
    }
}

#[cfg(test)]
mod tests {
    use rampart_image::PackageType;
    use rampart_image::package::SourcePackage;

    use super::*;
    use crate::severity::Level;
    use crate::vex;

    fn package(kind: PackageType, name: &str, purl: &str, source: Option<&str>) -> Package {
        Package {
            name: name.into(),
            version: "1".into(),
            kind,
            purl: purl.into(),
            source: source.map(|s| SourcePackage {
                name: s.into(),
                version: "1".into(),
            }),
            arch: None,
            licenses: vec![],
            locations: vec![],
            cataloger: "test",
        }
    }

    fn finding(id: &str, aliases: &[&str], upstream: &[&str], index: usize, packages: &[Package]) -> Finding {
        let p = &packages[index];
        Finding {
            id: id.into(),
            aliases: aliases.iter().map(|s| (*s).to_string()).collect(),
            upstream: upstream.iter().map(|s| (*s).to_string()).collect(),
            package_index: index,
            package: p.name.clone(),
            package_type: p.kind,
            purl: p.purl.clone(),
            installed_version: p.version.clone(),
            matched_as: None,
            ecosystem: "test".into(),
            fixed_version: None,
            severity: Level::High,
            score: None,
            severities: vec![],
            hidden: false,
            summary: String::new(),
            references: vec![],
            locations: vec![],
        }
    }

    fn exception(
        ids: &[&str],
        package: Option<&str>,
        image: Option<&str>,
        expires: Option<&str>,
    ) -> VulnException {
        VulnException {
            ids: ids.iter().map(|s| (*s).to_string()).collect(),
            package: package.map(str::to_string),
            image: image.map(str::to_string),
            reason: "accepted".into(),
            expires: expires.and_then(Date::parse),
            ticket: Some("SEC-1".into()),
            origin: format!(".rampart.yaml:{}", ids.len()),
        }
    }

    fn today() -> Date {
        Date::parse("2030-06-01").unwrap()
    }

    fn image() -> ImageRef {
        ImageRef {
            reference: "registry.example/shop/api:2.4".into(),
            digests: vec!["sha256:aaaa".into(), "sha256:bbbb".into()],
        }
    }

    fn pkgs() -> Vec<Package> {
        vec![
            package(
                PackageType::Deb,
                "libssl3",
                "pkg:deb/debian/libssl3@3.0.11-1?arch=amd64&distro=debian-12",
                Some("openssl"),
            ),
            package(PackageType::Npm, "lodash", "pkg:npm/lodash@4.17.20", None),
        ]
    }

    #[test]
    fn ids_compare_prefix_without_case_and_the_rest_exactly() {
        assert!(same_id("cve-2024-1234", "CVE-2024-1234"));
        assert!(same_id("Ghsa-abcd-efgh-ijkl", "GHSA-abcd-efgh-ijkl"));
        assert!(!same_id("GHSA-ABCD-efgh-ijkl", "GHSA-abcd-efgh-ijkl"));
        assert!(!same_id("CVE-2024-1234", "CVE-2024-12345"));
        assert!(same_id("DSA-5678-1", "DSA-5678-1"));
    }

    #[test]
    fn purls_ignore_qualifier_order_and_a_missing_version_matches_all() {
        let target = "pkg:deb/debian/libssl3@3.0.11-1?arch=amd64&distro=debian-12";
        assert!(purl_matches(
            "pkg:deb/debian/libssl3@3.0.11-1?distro=debian-12&arch=amd64",
            target
        ));
        assert!(purl_matches("pkg:deb/debian/libssl3", target));
        assert!(purl_matches("pkg:deb/debian/libssl3?arch=amd64", target));
        assert!(!purl_matches("pkg:deb/debian/libssl3?arch=arm64", target));
        assert!(!purl_matches("pkg:deb/debian/libssl3@3.0.11-2", target));
        assert!(!purl_matches("pkg:deb/ubuntu/libssl3", target));
        assert!(!purl_matches("pkg:deb/debian/libssl", target));
        assert!(purl_matches(
            "pkg:npm/%40babel/core@7.0.0",
            "pkg:npm/@babel/core@7.0.0"
        ));
        assert!(purl_matches("pkg:npm/@babel/core", "pkg:npm/%40babel/core@7.0.0"));
        assert!(purl_matches(
            "pkg:pypi/Typing_Extensions",
            "pkg:pypi/typing-extensions@4.12.0"
        ));
        let p = Purl::parse("pkg:oci/api@sha256%3Aaaaa?repository_url=registry.example/shop/api").unwrap();
        assert_eq!(p.version.as_deref(), Some("sha256:aaaa"));
        assert!(Purl::parse("libssl3").is_none());
        assert!(Purl::parse("pkg:npm").is_none());
    }

    #[test]
    fn image_identifiers() {
        let img = image();
        assert!(names_image("pkg:oci/api@sha256%3Abbbb", &img));
        assert!(!names_image("pkg:oci/api@sha256%3Acccc", &img));
        assert!(names_image("pkg:oci/api", &img));
        assert!(!names_image("pkg:oci/web", &img));
        assert!(names_image(
            "pkg:oci/api?tag=2.4&repository_url=registry.example%2Fshop%2Fapi",
            &img
        ));
        assert!(!names_image("pkg:oci/api?tag=2.5", &img));
        assert!(!names_image(
            "pkg:oci/api?repository_url=mirror.example/shop/api",
            &img
        ));
        assert!(!names_image(
            "pkg:oci/api@sha256%3Aaaaa?repository_url=mirror.example/shop/api",
            &img
        ));
        assert!(names_image("registry.example/shop/api@sha256:aaaa", &img));
        assert!(names_image("sha256:aaaa", &img));
        assert!(names_image("registry.example/shop/api:2.4", &img));
        assert!(!names_image("registry.example/shop/api:2.5", &img));
        assert!(!names_image("pkg:npm/lodash", &img));
        let hub = ImageRef {
            reference: "nginx".into(),
            digests: vec![],
        };
        assert!(names_image("docker.io/library/nginx:latest", &hub));
        assert!(names_image("index.docker.io/library/nginx", &hub));
    }

    #[test]
    fn exceptions_match_by_id_alias_or_upstream_and_selectors() {
        let pk = pkgs();
        let f = finding("DEBIAN-CVE-2030-1", &["DSA-5678-1"], &["CVE-2030-1"], 0, &pk);
        let img = image();
        let covers = |e: &VulnException, img: Option<&ImageRef>| exception_covers(e, &f, &pk, img);
        assert!(covers(&exception(&["DEBIAN-CVE-2030-1"], None, None, None), None));
        assert!(covers(&exception(&["dsa-5678-1"], None, None, None), None));
        assert!(covers(&exception(&["cve-2030-1"], None, None, None), None));
        assert!(!covers(&exception(&["CVE-2030-2"], None, None, None), None));
        // package: a glob on the name or the source package's name, or a purl.
        assert!(covers(
            &exception(&["CVE-2030-1"], Some("libssl*"), None, None),
            None
        ));
        assert!(covers(
            &exception(&["CVE-2030-1"], Some("openssl"), None, None),
            None
        ));
        assert!(!covers(
            &exception(&["CVE-2030-1"], Some("zlib*"), None, None),
            None
        ));
        assert!(covers(
            &exception(&["CVE-2030-1"], Some("pkg:deb/debian/libssl3"), None, None),
            None
        ));
        assert!(!covers(
            &exception(&["CVE-2030-1"], Some("pkg:deb/debian/libssl3@9"), None, None),
            None
        ));
        // image: a glob on the reference, or a digest; never for a scan without an image.
        assert!(covers(
            &exception(&["CVE-2030-1"], None, Some("registry.example/shop/*"), None),
            Some(&img)
        ));
        assert!(covers(
            &exception(&["CVE-2030-1"], None, Some("sha256:bbbb"), None),
            Some(&img)
        ));
        assert!(covers(
            &exception(&["CVE-2030-1"], None, Some("x/y@sha256:aaaa"), None),
            Some(&img)
        ));
        assert!(!covers(
            &exception(&["CVE-2030-1"], None, Some("other.example/*"), None),
            Some(&img)
        ));
        assert!(!covers(
            &exception(&["CVE-2030-1"], None, Some("registry.example/shop/*"), None),
            None
        ));
    }

    #[test]
    fn expired_exceptions_stop_suppressing_and_unused_ones_are_reported() {
        let pk = pkgs();
        let findings = [
            finding("GHSA-aaaa-bbbb-cccc", &["CVE-2030-2"], &[], 1, &pk),
            finding("DEBIAN-CVE-2030-1", &[], &["CVE-2030-1"], 0, &pk),
        ];
        let exceptions = [
            exception(&["CVE-2030-2"], Some("lodash"), None, Some("2030-06-01")), // last day: valid
            exception(&["CVE-2030-1"], None, None, Some("2030-05-31")),           // expired
            exception(&["CVE-2030-3", "CVE-2030-4", "CVE-2030-5"], None, None, None), // unused
        ];
        let out = apply(&findings, &pk, None, &exceptions, &[], today());
        let s = out.suppressed[0].as_ref().unwrap();
        assert_eq!(s.by, SuppressedBy::Exception);
        assert_eq!(s.reason, "accepted");
        assert_eq!(s.origin, ".rampart.yaml:1");
        assert_eq!(s.expires.as_deref(), Some("2030-06-01"));
        assert_eq!(s.ticket.as_deref(), Some("SEC-1"));
        assert_eq!(s.status, None);
        assert!(out.suppressed[1].is_none(), "expired exceptions suppress nothing");
        assert_eq!(out.expired.len(), 1);
        assert!(
            out.expired[0].starts_with(".rampart.yaml:1: "),
            "{}",
            out.expired[0]
        );
        assert!(
            out.expired[0].contains("expired on 2030-05-31"),
            "{}",
            out.expired[0]
        );
        assert!(out.expired[0].contains("(1 finding(s)"), "{}", out.expired[0]);
        assert_eq!(out.unused, [".rampart.yaml:3"]);
        // The day after, the first one expires too.
        let later = apply(
            &findings,
            &pk,
            None,
            &exceptions,
            &[],
            Date::parse("2030-06-02").unwrap(),
        );
        assert!(later.suppressed.iter().all(Option::is_none));
        assert_eq!(later.expired.len(), 2);
    }

    fn doc(statements: &str) -> Document {
        let text = format!(
            r#"{{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.test/vex/1",
"author": "Shop security team", "timestamp": "2030-01-01T00:00:00Z", "version": 1,
"statements": [{statements}]}}"#
        );
        vex::parse(text.as_bytes(), "t.vex.json").unwrap()
    }

    #[test]
    fn vex_status_decides_and_later_statements_win() {
        let pk = pkgs();
        let findings = [
            finding("GHSA-aaaa-bbbb-cccc", &["CVE-2030-2"], &[], 1, &pk),
            finding("DEBIAN-CVE-2030-1", &[], &["CVE-2030-1"], 0, &pk),
        ];
        let img = image();
        let d = doc(r#"
{"vulnerability": {"name": "CVE-2030-2"}, "products": [{"@id": "pkg:npm/lodash"}],
 "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path",
 "impact_statement": "template() is never called", "timestamp": "2030-03-01T00:00:00Z"},
{"vulnerability": {"name": "CVE-2030-2"}, "products": [{"@id": "pkg:npm/lodash@4.17.20"}],
 "status": "affected", "action_statement": "upgrade", "timestamp": "2030-02-01T00:00:00Z"},
{"vulnerability": {"name": "CVE-2030-1"},
 "products": [{"@id": "pkg:oci/api@sha256%3Aaaaa", "subcomponents": [{"@id": "pkg:deb/debian/libssl3?distro=debian-12&arch=amd64"}]}],
 "status": "fixed"},
{"vulnerability": {"name": "CVE-2030-1"}, "products": [{"@id": "pkg:deb/debian/libssl3"}],
 "status": "under_investigation"},
{"vulnerability": {"name": "CVE-2030-9"}, "products": [{"@id": "pkg:npm/lodash"}],
 "status": "not_affected", "justification": "component_not_present"}
"#);
        let out = apply(&findings, &pk, Some(&img), &[], std::slice::from_ref(&d), today());
        let s = out.suppressed[0].as_ref().unwrap();
        assert_eq!(s.by, SuppressedBy::Vex);
        assert_eq!(s.status.as_deref(), Some("not_affected"));
        assert_eq!(
            s.reason,
            "vulnerable_code_not_in_execute_path: template() is never called"
        );
        assert_eq!(s.origin, "t.vex.json:4 (statement 0)");
        // Statement 2 (fixed, document time 2030-01-01) and 3 (under_investigation, same
        // time, read later) both cover libssl3: the later one in reading order wins.
        assert!(out.suppressed[1].is_none());
        assert_eq!(out.unused, ["t.vex.json:14 (statement 4)"]);

        // Without the image (rampart deps), the image product does not apply, and
        // without statement 3 the fixed statement decides.
        let mut d2 = d.clone();
        d2.statements.remove(3);
        let out = apply(
            &findings,
            &pk,
            Some(&img),
            &[],
            std::slice::from_ref(&d2),
            today(),
        );
        assert_eq!(
            out.suppressed[1].as_ref().unwrap().status.as_deref(),
            Some("fixed")
        );
        assert_eq!(out.suppressed[1].as_ref().unwrap().reason, "VEX status fixed");
        let out = apply(&findings, &pk, None, &[], std::slice::from_ref(&d2), today());
        assert!(out.suppressed[1].is_none());
        assert!(
            out.unused.contains(&"t.vex.json:9 (statement 2)".to_string()),
            "{:?}",
            out.unused
        );
        // A different image digest: the statement does not apply either.
        let other = ImageRef {
            reference: "registry.example/shop/api:2.4".into(),
            digests: vec!["sha256:cccc".into()],
        };
        let out = apply(
            &findings,
            &pk,
            Some(&other),
            &[],
            std::slice::from_ref(&d2),
            today(),
        );
        assert!(out.suppressed[1].is_none());
    }

    #[test]
    fn exceptions_win_over_vex_and_both_count_as_used() {
        let pk = pkgs();
        let findings = [finding("GHSA-aaaa-bbbb-cccc", &["CVE-2030-2"], &[], 1, &pk)];
        let d = doc(
            r#"{"vulnerability": {"name": "CVE-2030-2"}, "products": [{"@id": "pkg:npm/lodash"}], "status": "fixed"}"#,
        );
        let e = [exception(&["GHSA-aaaa-bbbb-cccc"], None, None, None)];
        let out = apply(&findings, &pk, None, &e, &[d], today());
        assert_eq!(out.suppressed[0].as_ref().unwrap().by, SuppressedBy::Exception);
        assert_eq!(
            serde_json::to_string(&out.suppressed[0]).unwrap(),
            r#"{"by":"exception","reason":"accepted","origin":".rampart.yaml:1","ticket":"SEC-1"}"#
        );
        assert!(out.unused.is_empty(), "{:?}", out.unused);
    }

    #[test]
    fn statements_of_a_later_document_override_by_time() {
        let pk = pkgs();
        let findings = [finding("GHSA-aaaa-bbbb-cccc", &["CVE-2030-2"], &[], 1, &pk)];
        let old = doc(
            r#"{"vulnerability": {"name": "GHSA-aaaa-bbbb-cccc"}, "products": [{"@id": "pkg:npm/lodash"}], "status": "under_investigation", "timestamp": "2030-01-01T00:00:00Z"}"#,
        );
        let new = doc(
            r#"{"vulnerability": {"name": "CVE-2030-2", "aliases": ["GHSA-aaaa-bbbb-cccc"]}, "products": [{"identifiers": {"purl": "pkg:npm/lodash@4.17.20"}}], "status": "not_affected", "impact_statement": "only used at build time", "last_updated": "2030-01-01T00:00:01Z"}"#,
        );
        // Whatever the order the documents are given in, the later statement decides.
        for docs in [[old.clone(), new.clone()], [new, old]] {
            let out = apply(&findings, &pk, None, &[], &docs, today());
            let s = out.suppressed[0]
                .as_ref()
                .expect("suppressed by the later statement");
            assert_eq!(s.reason, "only used at build time");
        }
    }
}
