//! The rpm cataloger against `rpm -qa` on SQLite databases made by the real `rpm` tool:
//! packages built by `rpmbuild` from spec files written here, installed with
//! `rpm -i --justdb`.

mod support;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use rampart_image::catalogers::rpm::{Rpm, read_database};

const INSTALL: &str = "apt-get install rpm";

/// A spec with an epoch, a tilde version, an SPDX licence expression, a directory, 40
/// small subpackages (the `Packages` table spans several b-tree pages) and one with 400
/// long file names (its header overflows onto overflow pages).
fn main_spec() -> String {
    let mut s = String::from(
        "Name: hello\nEpoch: 2\nVersion: 1.0~rc1\nRelease: 3.el9\nSummary: test package\n\
         License: MIT AND (Apache-2.0 OR GPL-2.0-or-later)\nBuildArch: noarch\n\
         %description\nA test package.\n",
    );
    for i in 0..40 {
        let _ = write!(
            s,
            "%package -n hello-part{i}\nSummary: part\nLicense: BSD-3-Clause\n%description -n hello-part{i}\npart\n"
        );
    }
    s.push_str(
        "%package -n hello-many\nSummary: many files\nLicense: ISC\n%description -n hello-many\nmany\n",
    );
    s.push_str("%install\nmkdir -p %{buildroot}/usr/share/hello/many\necho hi > %{buildroot}/usr/share/hello/a.txt\n");
    s.push_str("for i in $(seq 0 39); do echo $i > %{buildroot}/usr/share/hello/part$i; done\n");
    s.push_str(
        "for i in $(seq 0 399); do echo $i > %{buildroot}/usr/share/hello/many/a-rather-long-file-name-to-fill-pages-$i.txt; done\n",
    );
    s.push_str("%files\n%dir /usr/share/hello\n/usr/share/hello/a.txt\n");
    for i in 0..40 {
        let _ = write!(s, "%files -n hello-part{i}\n/usr/share/hello/part{i}\n");
    }
    s.push_str("%files -n hello-many\n/usr/share/hello/many\n");
    s
}

/// Architecture-specific, no epoch.
const ZLIB_SPEC: &str = "Name: zlib-ng-compat\nVersion: 2.1.6\nRelease: 1.fc40\nSummary: z\nLicense: Zlib\n\
%description\nz\n%install\nmkdir -p %{buildroot}/usr/lib64\necho z > %{buildroot}/usr/lib64/libz.so.1\n\
%files\n/usr/lib64/libz.so.1\n";

/// An explicit epoch of 0, which versions leave out.
const ZERO_SPEC: &str = "Name: zero-epoch\nEpoch: 0\nVersion: 5\nRelease: 1\nSummary: z\nLicense: GPL-2.0-only\n\
BuildArch: noarch\n%description\nz\n%files\n";

/// Builds the packages once per test run and installs them into a database under
/// `root/<dbdir>`.
fn packages() -> &'static Vec<PathBuf> {
    static RPMS: OnceLock<Vec<PathBuf>> = OnceLock::new();
    RPMS.get_or_init(|| {
        let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join("os-rpm-build");
        let _ = std::fs::remove_dir_all(&work);
        std::fs::create_dir_all(&work).unwrap();
        for (name, spec) in [
            ("hello", main_spec()),
            ("zlib", ZLIB_SPEC.into()),
            ("zero", ZERO_SPEC.into()),
        ] {
            let path = work.join(format!("{name}.spec"));
            std::fs::write(&path, spec).unwrap();
            support::run(
                Command::new("rpmbuild")
                    .arg("--define")
                    .arg(format!("_topdir {}", work.join("top").display()))
                    .args(["--define", "debug_package %{nil}", "--quiet", "-bb"])
                    .arg(&path),
                INSTALL,
            );
        }
        let mut rpms: Vec<PathBuf> = walk(&work.join("top/RPMS"));
        rpms.sort();
        assert_eq!(rpms.len(), 44, "{rpms:?}");
        rpms
    })
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn make_root(name: &str, dbdir: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&root);
    let db = root.join(dbdir);
    std::fs::create_dir_all(&db).unwrap();
    support::run(
        Command::new("rpm").arg("--initdb").arg("--dbpath").arg(&db),
        INSTALL,
    );
    support::run(
        Command::new("rpm")
            .args(["-i", "--justdb", "--nodeps", "--dbpath"])
            .arg(&db)
            .args(packages()),
        INSTALL,
    );
    root
}

fn rpm_query(db: &Path, args: &[&str]) -> String {
    support::run(Command::new("rpm").arg("--dbpath").arg(db).args(args), INSTALL)
}

#[test]
fn sqlite_database_matches_rpm_qa() {
    let root = make_root("os-rpm-var", "var/lib/rpm");
    let db = root.join("var/lib/rpm");
    std::fs::create_dir_all(root.join("etc")).unwrap();
    std::fs::copy(
        support::fixture("release/almalinux-9/etc/os-release"),
        root.join("etc/os-release"),
    )
    .unwrap();

    let out = rpm_query(
        &db,
        &[
            "-qa",
            "--qf",
            "%{NAME} %{EPOCHNUM}:%{VERSION}-%{RELEASE} %{ARCH} %{SOURCERPM} %{LICENSE}\n",
        ],
    );
    let expected: BTreeSet<String> = out
        .lines()
        .map(|l| {
            // An epoch of 0 is not written.
            let (name, rest) = l.split_once(' ').unwrap();
            format!("{name} {}", rest.strip_prefix("0:").unwrap_or(rest))
        })
        .collect();
    assert_eq!(expected.len(), 44);

    let (found, distro) = support::catalog(Box::new(Rpm), &root);
    assert!(found.warnings.is_empty(), "{:?}", found.warnings);
    assert_eq!(distro.unwrap().osv_ecosystem.as_deref(), Some("AlmaLinux:9"));
    assert_eq!(found.packages.len(), expected.len());
    let got: BTreeSet<String> = found
        .packages
        .iter()
        .map(|p| {
            let src = p.source.as_ref().unwrap();
            let src_version = src
                .version
                .split_once(':')
                .map_or(src.version.as_str(), |(_, v)| v);
            format!(
                "{} {} {} {}-{src_version}.src.rpm {}",
                p.name,
                p.version,
                p.arch.as_deref().unwrap(),
                src.name,
                p.licenses.join(" ")
            )
        })
        .collect();
    assert_eq!(got, expected);

    let hello = found.packages.iter().find(|p| p.name == "hello").unwrap();
    assert_eq!(hello.version, "2:1.0~rc1-3.el9");
    assert_eq!(
        hello.purl,
        "pkg:rpm/almalinux/hello@1.0~rc1-3.el9?arch=noarch&distro=almalinux-9.4&epoch=2"
    );
    assert_eq!(hello.source.as_ref().unwrap().version, "2:1.0~rc1-3.el9");
    assert_eq!(hello.locations[0].path, "/var/lib/rpm/rpmdb.sqlite");

    // Owned files: every path `rpm -qal` lists (nothing is on disk with --justdb, so
    // directories count too).
    let files: BTreeSet<String> = rpm_query(&db, &["-qal"])
        .lines()
        .filter(|l| l.starts_with('/'))
        .map(str::to_string)
        .collect();
    assert!(files.len() > 440, "{}", files.len());
    let owned: BTreeSet<String> = found.owned_files.iter().cloned().collect();
    assert_eq!(owned, files);
}

#[test]
fn sysimage_database_behind_a_link_is_read_once() {
    let root = make_root("os-rpm-sysimage", "usr/lib/sysimage/rpm");
    std::fs::create_dir_all(root.join("var/lib")).unwrap();
    std::os::unix::fs::symlink("../../usr/lib/sysimage/rpm", root.join("var/lib/rpm")).unwrap();
    let (found, _) = support::catalog(Box::new(Rpm), &root);
    assert!(found.warnings.is_empty(), "{:?}", found.warnings);
    assert_eq!(found.packages.len(), 44);
    assert!(
        found
            .packages
            .iter()
            .all(|p| p.locations[0].path == "/usr/lib/sysimage/rpm/rpmdb.sqlite")
    );
    // No distribution: no namespace, no distro qualifier.
    let z = found.packages.iter().find(|p| p.name == "zero-epoch").unwrap();
    assert_eq!(
        (z.version.as_str(), z.purl.as_str()),
        ("5-1", "pkg:rpm/zero-epoch@5-1?arch=noarch")
    );
}

/// Deterministic pseudo-random numbers (xorshift), so failures can be replayed.
fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

#[test]
fn damaged_databases_give_warnings_naming_the_file() {
    let root = make_root("os-rpm-damaged", "var/lib/rpm");
    let path = root.join("var/lib/rpm/rpmdb.sqlite");
    let good = std::fs::read(&path).unwrap();
    let (all, problems) = read_database(&good);
    assert_eq!((all.len(), problems.len()), (44, 0));

    // Truncated, garbage, and thousands of corrupted copies: never a panic, and every
    // problem is reported.
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    for round in 0..1200 {
        let mut data = good.clone();
        match round % 3 {
            0 => data.truncate((xorshift(&mut state) as usize) % good.len()),
            1 => {
                for _ in 0..8 {
                    let at = (xorshift(&mut state) as usize) % data.len();
                    data[at] = xorshift(&mut state) as u8;
                }
            }
            _ => {
                // Large values where lengths and page numbers live.
                let at = (xorshift(&mut state) as usize) % (data.len() - 4);
                data[at..at + 4].copy_from_slice(&[0xff, 0xff, 0xff, 0x7f]);
            }
        }
        let (found, problems) = read_database(&data);
        // Nothing more can be said of corrupted rows than that reading them ends.
        drop(found);
        if data.len() < good.len() {
            assert!(!problems.is_empty(), "round {round}: truncation not reported");
        }
    }

    // Through the cataloger: the warning names the database.
    std::fs::write(&path, &good[..good.len() / 2 + 100]).unwrap();
    let (found, _) = support::catalog(Box::new(Rpm), &root);
    assert!(found.packages.is_empty());
    assert_eq!(found.warnings.len(), 1, "{:?}", found.warnings);
    assert_eq!(
        found.warnings[0].path.as_deref(),
        Some("/var/lib/rpm/rpmdb.sqlite")
    );
    assert!(
        found.warnings[0].message.contains("truncated"),
        "{}",
        found.warnings[0].message
    );

    std::fs::write(&path, b"garbage").unwrap();
    let (found, _) = support::catalog(Box::new(Rpm), &root);
    assert_eq!(found.warnings[0].message, "rpm: not an SQLite 3 database");
}

#[test]
fn old_database_formats_are_named() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("var/lib/rpm")).unwrap();
    std::fs::write(dir.path().join("var/lib/rpm/Packages"), [0u8; 64]).unwrap();
    let (found, _) = support::catalog(Box::new(Rpm), dir.path());
    assert!(found.packages.is_empty());
    assert_eq!(found.warnings.len(), 1);
    assert_eq!(found.warnings[0].path.as_deref(), Some("/var/lib/rpm/Packages"));
    assert!(
        found.warnings[0].message.contains("BerkeleyDB"),
        "{}",
        found.warnings[0].message
    );
}

#[test]
fn unchecked_write_ahead_log_is_reported() {
    let root = make_root("os-rpm-wal", "var/lib/rpm");
    std::fs::write(root.join("var/lib/rpm/rpmdb.sqlite-wal"), [1u8; 32]).unwrap();
    let (found, _) = support::catalog(Box::new(Rpm), &root);
    assert_eq!(found.packages.len(), 44);
    assert_eq!(found.warnings.len(), 1, "{:?}", found.warnings);
    assert!(
        found.warnings[0]
            .message
            .contains("rpmdb.sqlite-wal is not empty")
    );
}

#[test]
fn small_pages_and_overflow_chains() {
    // The fuzzing seed: two headers in a database of 512-byte pages (made with sqlite3),
    // so both rows continue on overflow pages.
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds/rpm_sqlite/small.sqlite");
    let (found, problems) = read_database(&std::fs::read(seed).unwrap());
    assert!(problems.is_empty(), "{problems:?}");
    let names: Vec<_> = found
        .iter()
        .map(|p| (p.name.as_str(), p.full_version()))
        .collect();
    assert_eq!(
        names,
        [
            ("zero-epoch", "5-1".to_string()),
            ("zlib-ng-compat", "2.1.6-1.fc40".to_string())
        ]
    );
}
