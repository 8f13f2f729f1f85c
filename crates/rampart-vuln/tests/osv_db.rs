//! Imports the real OSV data in `shared/vulndata` (crates.io, Go, PyPI, AlmaLinux 9) and
//! the hand-written Debian, Ubuntu, Alpine, npm and Go records in `tests/fixtures/osv`,
//! then checks matches against the records, read by hand.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use rampart_image::package::SourcePackage;
use rampart_image::{Distro, Location, Package, PackageType};
use rampart_vuln::severity::Level;
use rampart_vuln::store::{Builder, Database, SourceKind};
use rampart_vuln::{Finding, match_packages};

/// `shared/vulndata` beside the repository (or beside a directory above it, for
/// checkouts kept in a subdirectory).
fn vulndata() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the repository root");
    root.ancestors()
        .map(|a| a.join("../shared/vulndata"))
        .find(|p| p.is_dir())
        .unwrap_or_else(|| {
            panic!(
                "shared/vulndata (the real OSV data these tests import) is not beside {}",
                root.display()
            )
        })
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/osv")
}

/// One database for the whole test program, built once.
fn db() -> &'static Database {
    static DB: OnceLock<(tempfile::TempDir, Database)> = OnceLock::new();
    &DB.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let mut b = Builder::new();
        for sub in ["crates.io", "go", "pypi", "almalinux9"] {
            let path = vulndata().join(sub);
            let s = b.add_source(sub, SourceKind::Import, &path.display().to_string(), 0);
            let stats = b.add_path(s, &path).unwrap();
            assert!(stats.problems.is_empty(), "{sub}: {:?}", stats.problems);
        }
        for sub in ["debian", "ubuntu", "alpine", "npm", "go"] {
            let path = fixtures().join(sub);
            let name = format!("fixtures/{sub}");
            let s = b.add_source(&name, SourceKind::Import, &name, 0);
            let stats = b.add_path(s, &path).unwrap();
            assert!(stats.problems.is_empty(), "{sub}: {:?}", stats.problems);
        }
        b.write(dir.path(), 0).unwrap();
        let db = Database::open(dir.path()).unwrap();
        (dir, db)
    })
    .1
}

#[test]
fn every_record_is_imported_and_withdrawn_ones_are_not() {
    let meta = db().metadata();
    let by_name = |n: &str| meta.sources.iter().find(|s| s.name == n).unwrap();
    // File counts of the folders (NOTICE.md and the allocator file are not records).
    assert_eq!(
        by_name("crates.io").records + by_name("crates.io").withdrawn,
        1206
    );
    assert_eq!(by_name("crates.io").withdrawn, 13);
    assert_eq!(by_name("go").records + by_name("go").withdrawn, 4291);
    assert_eq!(by_name("go").withdrawn, 17);
    assert_eq!(by_name("almalinux9").records, 1783);
    assert_eq!(by_name("pypi").records + by_name("pypi").withdrawn, 2661);
    assert!(by_name("pypi").withdrawn > 0);
    let records: usize = meta.sources.iter().map(|s| s.records).sum();
    assert_eq!(meta.advisories, records);
    // AlmaLinux's folder also holds AlmaLinux:8 and :10 entries.
    assert!(by_name("almalinux9").ecosystems.contains_key("AlmaLinux:8"));
}

fn pkg(kind: PackageType, name: &str, version: &str) -> Package {
    Package {
        name: name.into(),
        version: version.into(),
        kind,
        purl: format!("pkg:{}/{name}@{version}", kind.purl_type()),
        source: None,
        arch: None,
        licenses: vec![],
        locations: vec![Location {
            path: format!("/where/{name}"),
            layer: Some("sha256:abc".into()),
        }],
        cataloger: "test",
    }
}

fn with_source(mut p: Package, name: &str, version: &str) -> Package {
    p.source = Some(SourcePackage {
        name: name.into(),
        version: version.into(),
    });
    p
}

fn distro(id: &str, eco: &str) -> Distro {
    Distro {
        id: id.into(),
        version_id: String::new(),
        version_codename: None,
        pretty_name: None,
        osv_ecosystem: Some(eco.into()),
    }
}

fn findings(packages: &[Package], d: Option<&Distro>) -> Vec<Finding> {
    match_packages(db(), packages, d).unwrap()
}

/// The finding that has `id` as its id or one of its aliases.
fn find<'a>(all: &'a [Finding], id: &str) -> Option<&'a Finding> {
    all.iter()
        .find(|f| f.id == id || f.aliases.iter().any(|a| a == id))
}

#[test]
fn crates_io_semver_range() {
    // RUSTSEC-2020-0070: lock_api, introduced 0.0.0-0, fixed 0.4.2.
    let hit = findings(&[pkg(PackageType::Cargo, "lock_api", "0.4.1")], None);
    let f = find(&hit, "RUSTSEC-2020-0070").expect("0.4.1 is affected");
    assert_eq!(f.fixed_version.as_deref(), Some("0.4.2"));
    assert!(f.aliases.contains(&"CVE-2020-35910".to_owned()));
    assert_eq!(f.locations[0].path, "/where/lock_api");
    let miss = findings(&[pkg(PackageType::Cargo, "lock_api", "0.4.2")], None);
    assert!(find(&miss, "RUSTSEC-2020-0070").is_none());
}

#[test]
fn pypi_two_intervals_names_normalised_and_git_ranges_ignored() {
    // PYSEC-2023-221 (werkzeug): ECOSYSTEM [0, 2.3.8) and [3.0.0, 3.0.1), plus a GIT range.
    for (v, fixed) in [
        ("2.3.7", Some("2.3.8")),
        ("3.0.0", Some("3.0.1")),
        ("2.3.8", None),
        ("3.0.1", None),
    ] {
        let all = findings(&[pkg(PackageType::Python, "Werkzeug", v)], None);
        let f = find(&all, "PYSEC-2023-221");
        assert_eq!(
            f.map(|f| f.fixed_version.as_deref()),
            fixed.map(Some),
            "werkzeug {v}"
        );
        if let Some(f) = f {
            assert_eq!(f.severity, Level::High);
            assert_eq!(f.score, Some(7.5));
        }
    }
}

#[test]
fn withdrawn_records_are_never_reported() {
    // PYSEC-2022-15 (loguru) is withdrawn; it affects no version.
    let all = findings(&[pkg(PackageType::Python, "loguru", "0.5.3")], None);
    assert!(find(&all, "PYSEC-2022-15").is_none());
    let all = findings(&[pkg(PackageType::Npm, "@example/left-pad", "9.9.9")], None);
    assert!(find(&all, "GHSA-dddd-eeee-ffff").is_none());
}

#[test]
fn go_stdlib_from_the_toolchain_version() {
    // GO-2026-6218: stdlib [0, 1.25.13), [1.26.0-0, 1.26.6), [1.27.0-0, 1.27.0-rc.3).
    let check = |v: &str, fixed: Option<&str>| {
        let all = findings(&[pkg(PackageType::Go, "stdlib", v)], None);
        let f = find(&all, "GO-2026-6218");
        assert_eq!(
            f.map(|f| f.fixed_version.as_deref()),
            fixed.map(Some),
            "stdlib {v}"
        );
    };
    check("go1.25.12", Some("1.25.13"));
    check("go1.26.5", Some("1.26.6"));
    check("go1.27rc2", Some("1.27.0-rc.3"));
    check("go1.25.13", None);
    check("go1.26.6", None);
}

#[test]
fn go_modules_pseudo_versions_and_alias_grouping() {
    // GO-2023-1495: golang.org/x/net [0.0.0-20220524220425-1d687d428aca,
    // 0.1.1-0.20221104162952-702349b0e862).
    let all = findings(&[pkg(PackageType::Go, "golang.org/x/net", "v0.1.0")], None);
    assert!(find(&all, "GO-2023-1495").is_some());
    let all = findings(
        &[pkg(
            PackageType::Go,
            "golang.org/x/net",
            "v0.0.0-20220101000000-abcdefabcdef",
        )],
        None,
    );
    assert!(
        find(&all, "GO-2023-1495").is_none(),
        "before the introducing pseudo-version"
    );
    // GO-2023-2102 (real) and GHSA-4374-p667-p6c8 (fixture) name each other: one finding.
    let all = findings(&[pkg(PackageType::Go, "golang.org/x/net", "v0.16.0")], None);
    let matching: Vec<_> = all
        .iter()
        .filter(|f| {
            f.id == "GO-2023-2102"
                || f.id == "GHSA-4374-p667-p6c8"
                || f.aliases.iter().any(|a| a == "CVE-2023-39325")
        })
        .collect();
    assert_eq!(matching.len(), 1, "{matching:#?}");
    let f = matching[0];
    assert_eq!(f.id, "GHSA-4374-p667-p6c8");
    assert!(
        f.aliases.contains(&"GO-2023-2102".to_owned()) && f.aliases.contains(&"CVE-2023-39325".to_owned())
    );
    assert_eq!(f.fixed_version.as_deref(), Some("0.17.0"));
    let none = findings(&[pkg(PackageType::Go, "golang.org/x/net", "v0.17.0")], None);
    assert!(find(&none, "GO-2023-2102").is_none());
}

#[test]
fn almalinux_release_suffix_and_binary_names() {
    // ALSA-2024:0265 lists java-1.8.0-openjdk for AlmaLinux:8 (fixed ...-2.el8) and
    // AlmaLinux:9 (fixed ...-2.el9): each image sees its own release's fix.
    let java = with_source(
        pkg(PackageType::Rpm, "java-1.8.0-openjdk", "1:1.8.0.402.b06-1.el9"),
        "java-1.8.0-openjdk",
        "1:1.8.0.402.b06-1.el9",
    );
    let nine = findings(
        std::slice::from_ref(&java),
        Some(&distro("almalinux", "AlmaLinux:9")),
    );
    let f = find(&nine, "ALSA-2024:0265").expect("affected on 9");
    assert_eq!(f.fixed_version.as_deref(), Some("1:1.8.0.402.b06-2.el9"));
    assert_eq!(f.ecosystem, "AlmaLinux:9");
    assert_eq!(f.severity, Level::High, "{:?}", f.severities);
    let eight = findings(
        std::slice::from_ref(&java),
        Some(&distro("almalinux", "AlmaLinux:8")),
    );
    assert_eq!(
        find(&eight, "ALSA-2024:0265").and_then(|f| f.fixed_version.as_deref()),
        Some("1:1.8.0.402.b06-2.el8")
    );
    // ALSA-2022:6224 names the binary openssl-libs, fixed 1:3.0.1-41.el9_0.
    let libs = with_source(
        pkg(PackageType::Rpm, "openssl-libs", "1:3.0.1-40.el9_0"),
        "openssl",
        "1:3.0.1-40.el9_0",
    );
    let all = findings(&[libs], Some(&distro("almalinux", "AlmaLinux:9")));
    let f = find(&all, "ALSA-2022:6224").expect("openssl-libs is affected");
    assert_eq!(f.fixed_version.as_deref(), Some("1:3.0.1-41.el9_0"));
    assert_eq!(f.severity, Level::Medium);
    let fixed = with_source(
        pkg(PackageType::Rpm, "openssl-libs", "1:3.0.1-41.el9_0"),
        "openssl",
        "1:3.0.1-41.el9_0",
    );
    assert!(
        find(
            &findings(&[fixed], Some(&distro("almalinux", "AlmaLinux:9"))),
            "ALSA-2022:6224"
        )
        .is_none()
    );
}

#[test]
fn debian_by_source_package_and_release() {
    let libssl = with_source(
        pkg(PackageType::Deb, "libssl3", "3.0.11-1~deb12u2"),
        "openssl",
        "3.0.11-1~deb12u2",
    );
    let all = findings(
        std::slice::from_ref(&libssl),
        Some(&distro("debian", "Debian:12")),
    );
    let f = find(&all, "DEBIAN-CVE-2023-5678").expect("libssl3 via source openssl");
    assert_eq!(f.fixed_version.as_deref(), Some("3.0.13-1~deb12u1"));
    assert_eq!(f.package, "libssl3");
    assert_eq!(f.matched_as.as_deref(), Some("openssl 3.0.11-1~deb12u2"));
    assert_eq!(f.upstream, ["CVE-2023-5678"]);
    assert_eq!((f.severity, f.hidden), (Level::Low, false));
    // No Debian:13 data: nothing, even though Debian:11 and :12 have some.
    assert!(
        findings(
            std::slice::from_ref(&libssl),
            Some(&distro("debian", "Debian:13"))
        )
        .is_empty()
    );
    // Without the source, the binary name finds nothing: Debian publishes per source.
    let bare = pkg(PackageType::Deb, "libssl3", "3.0.11-1~deb12u2");
    assert!(findings(&[bare], Some(&distro("debian", "Debian:12"))).is_empty());
    // Without a distro, distribution packages are not matched.
    assert!(findings(&[libssl], None).is_empty());
    // A binNMU: the source version decides.
    let binnmu = with_source(
        pkg(PackageType::Deb, "libssl3", "3.0.13-1~deb12u1+b1"),
        "openssl",
        "3.0.11-1~deb12u2",
    );
    let all = findings(&[binnmu], Some(&distro("debian", "Debian:12")));
    assert_eq!(
        find(&all, "DEBIAN-CVE-2023-5678").unwrap().matched_as.as_deref(),
        Some("openssl 3.0.11-1~deb12u2")
    );
    let fixed = with_source(
        pkg(PackageType::Deb, "openssl", "3.0.13-1~deb12u1"),
        "openssl",
        "3.0.13-1~deb12u1",
    );
    assert!(findings(&[fixed], Some(&distro("debian", "Debian:12"))).is_empty());
}

#[test]
fn debian_unimportant_is_kept_but_hidden() {
    let tar = with_source(
        pkg(PackageType::Deb, "tar", "1.34+dfsg-1.2+deb12u1"),
        "tar",
        "1.34+dfsg-1.2+deb12u1",
    );
    let all = findings(&[tar], Some(&distro("debian", "Debian:12")));
    let f = find(&all, "DEBIAN-CVE-2005-2541").expect("kept");
    assert!(f.hidden);
    assert_eq!(f.severity, Level::Negligible);
    assert_eq!(f.fixed_version, None, "no fix yet");
    // The CVSS vector is kept beside the rating.
    assert!(f.severities.iter().any(|s| s.score == Some(9.8)));
}

#[test]
fn ubuntu_releases_and_pro() {
    let libssl = with_source(
        pkg(PackageType::Deb, "libssl3", "3.0.2-0ubuntu1.15"),
        "openssl",
        "3.0.2-0ubuntu1.15",
    );
    let all = findings(
        std::slice::from_ref(&libssl),
        Some(&distro("ubuntu", "Ubuntu:22.04:LTS")),
    );
    let f = find(&all, "UBUNTU-CVE-2024-2511").expect("jammy is affected");
    assert_eq!(f.fixed_version.as_deref(), Some("3.0.2-0ubuntu1.16"));
    assert_eq!(
        (f.severity, f.score),
        (Level::Low, None),
        "Ubuntu's priority wins over CVSS"
    );
    // The Pro entry is for 18.04 Pro only.
    let bionic = with_source(
        pkg(PackageType::Deb, "libssl1.1", "1.1.1-1ubuntu2.1~18.04.23"),
        "openssl",
        "1.1.1-1ubuntu2.1~18.04.23",
    );
    assert!(
        findings(
            std::slice::from_ref(&bionic),
            Some(&distro("ubuntu", "Ubuntu:18.04:LTS"))
        )
        .is_empty()
    );
    assert!(!findings(&[bionic], Some(&distro("ubuntu", "Ubuntu:Pro:18.04:LTS"))).is_empty());
}

#[test]
fn alpine_by_origin() {
    let crypto = with_source(
        pkg(PackageType::Apk, "libcrypto3", "3.3.0-r2"),
        "openssl",
        "3.3.0-r2",
    );
    let all = findings(
        std::slice::from_ref(&crypto),
        Some(&distro("alpine", "Alpine:v3.20")),
    );
    assert_eq!(
        find(&all, "ALPINE-CVE-2024-5535")
            .unwrap()
            .fixed_version
            .as_deref(),
        Some("3.3.1-r1")
    );
    let all = findings(&[crypto], Some(&distro("alpine", "Alpine:v3.19")));
    assert!(
        find(&all, "ALPINE-CVE-2024-5535").is_none(),
        "3.3.0-r2 is above 3.19's fix 3.1.6-r0"
    );
    let ok = with_source(
        pkg(PackageType::Apk, "libssl3", "3.3.1-r1"),
        "openssl",
        "3.3.1-r1",
    );
    assert!(findings(&[ok], Some(&distro("alpine", "Alpine:v3.20"))).is_empty());
}

#[test]
fn npm_ranges_last_affected_and_limit_from_yaml() {
    let all = findings(&[pkg(PackageType::Npm, "lodash", "4.17.20")], None);
    let f = find(&all, "GHSA-35jh-r3h4-6jhm").unwrap();
    assert_eq!(f.fixed_version.as_deref(), Some("4.17.21"));
    assert_eq!(
        (f.severity, f.score),
        (Level::High, Some(7.2)),
        "CVSS before GitHub's word"
    );
    assert!(
        find(
            &findings(&[pkg(PackageType::Npm, "lodash", "4.17.21")], None),
            "CVE-2021-23337"
        )
        .is_none()
    );
    let left = |v: &str| !findings(&[pkg(PackageType::Npm, "@example/left-pad", v)], None).is_empty();
    assert!(!left("0.9.0"));
    assert!(left("1.0.0"));
    assert!(left("1.3.0"), "last_affected is affected");
    assert!(!left("1.3.1"));
    assert!(left("2.4.9"));
    assert!(!left("2.5.0"), "limit is exclusive");
    assert!(!left("3.0.0"));
}

#[test]
fn bad_records_are_reported_with_file_and_line_and_the_rest_imported() {
    let dir = tempfile::tempdir().unwrap();
    let mut b = Builder::new();
    let s = b.add_source("mixed", SourceKind::Import, "mixed", 0);
    let bad = b.add_path(s, &fixtures().join("bad")).unwrap();
    let good = b.add_path(s, &fixtures().join("npm")).unwrap();
    assert_eq!(bad.records, 0);
    let shown: Vec<String> = bad.problems.iter().map(ToString::to_string).collect();
    assert_eq!(shown.len(), 2, "{shown:?}");
    assert!(shown[0].contains("BROKEN-1.json:5:"), "{shown:?}");
    assert!(
        shown[1].contains("BROKEN-2.yaml:") && bad.problems[1].line.is_some(),
        "{shown:?}"
    );
    assert_eq!((good.records, good.withdrawn), (2, 1));
    b.write(dir.path(), 0).unwrap();
    let db = Database::open(dir.path()).unwrap();
    assert_eq!(db.metadata().advisories, 2);
    assert_eq!(db.lookup("npm", "lodash").unwrap().len(), 1);
}

#[test]
fn a_thousand_packages_match() {
    // Not a timing test (bench/vuln/run.sh measures): checks that a large inventory of
    // mixed packages goes through and finds what the single lookups find.
    let mut packages = Vec::new();
    for i in 0..1000 {
        packages.push(match i % 4 {
            0 => pkg(PackageType::Python, "werkzeug", "2.3.7"),
            1 => pkg(PackageType::Cargo, "lock_api", "0.4.1"),
            2 => pkg(PackageType::Go, "stdlib", "go1.25.12"),
            _ => pkg(PackageType::Npm, &format!("unknown-{i}"), "1.0.0"),
        });
    }
    let all = findings(&packages, None);
    assert!(all.iter().all(|f| f.package_index % 4 != 3));
    for i in 0..3 {
        assert!(
            all.iter().any(|f| f.package_index == 996 + i),
            "package {}",
            996 + i
        );
    }
}

#[test]
fn source_counts_add_up_over_nested_archives_and_several_paths() {
    // A directory holding records and a zip: the source counts both.
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir(&input).unwrap();
    std::fs::copy(
        fixtures().join("npm/GHSA-35jh-r3h4-6jhm.json"),
        input.join("a.json"),
    )
    .unwrap();
    let mut w = zip::ZipWriter::new(std::fs::File::create(input.join("more.zip")).unwrap());
    w.start_file("x/ALPINE.json", zip::write::SimpleFileOptions::default())
        .unwrap();
    std::io::Write::write_all(
        &mut w,
        &std::fs::read(fixtures().join("alpine/ALPINE-CVE-2024-5535.json")).unwrap(),
    )
    .unwrap();
    w.finish().unwrap();
    let mut b = Builder::new();
    let s = b.add_source("in", SourceKind::Import, "in", 0);
    let stats = b.add_path(s, &input).unwrap();
    assert_eq!((stats.files, stats.records), (2, 2));
    b.add_path(s, &fixtures().join("bad")).unwrap();
    let info = &b.sources()[0];
    assert_eq!((info.records, info.withdrawn, info.problems), (2, 0, 2));
}
