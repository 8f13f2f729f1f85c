//! The dpkg cataloger against `dpkg-query` on a real Debian 12 root filesystem and on
//! hand-written databases with every package state.

mod support;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use rampart_image::catalogers::dpkg::Dpkg;
use rampart_image::package::purl_encode;
use rampart_image::{PackageType, inventory_dir};

const FORMAT: &str = "${Package} ${Version} ${Architecture} ${source:Package} ${source:Version}\n";

/// `dpkg-query -W` over a root's database, with `${db:Status-Status}` after each line.
fn dpkg_query(root: &Path) -> Vec<(String, String)> {
    let out = support::run(
        Command::new("dpkg-query")
            .arg(format!("--admindir={}", root.join("var/lib/dpkg").display()))
            .args(["-W", "-f", &FORMAT.replace('\n', " ${db:Status-Status}\n")]),
        "apt-get install dpkg",
    );
    out.lines()
        .map(|l| {
            let (line, status) = l.rsplit_once(' ').unwrap();
            (line.to_string(), status.to_string())
        })
        .collect()
}

fn ours(root: &Path) -> BTreeSet<String> {
    let (found, _) = support::catalog(Box::new(Dpkg), root);
    assert!(found.warnings.is_empty(), "{:?}", found.warnings);
    found
        .packages
        .iter()
        .map(|p| {
            let src = p.source.as_ref().unwrap();
            format!(
                "{} {} {} {} {}",
                p.name,
                p.version,
                p.arch.as_deref().unwrap_or(""),
                src.name,
                src.version
            )
        })
        .collect()
}

#[test]
fn debootstrap_bookworm_matches_dpkg_query() {
    let root = support::debian_rootfs();
    let expected: BTreeSet<String> = dpkg_query(&root)
        .into_iter()
        .map(|(line, status)| {
            assert_eq!(status, "installed", "{line}");
            line
        })
        .collect();
    assert!(
        expected.len() > 50,
        "only {} packages in the bootstrap",
        expected.len()
    );

    let inv = inventory_dir(&root).unwrap();
    let distro = inv.distro.as_ref().expect("distribution detected");
    assert_eq!(distro.osv_ecosystem.as_deref(), Some("Debian:12"));
    let debs: Vec<_> = inv
        .packages
        .iter()
        .filter(|p| p.kind == PackageType::Deb)
        .collect();
    let got: BTreeSet<String> = debs
        .iter()
        .map(|p| {
            let src = p.source.as_ref().unwrap();
            format!(
                "{} {} {} {} {}",
                p.name,
                p.version,
                p.arch.as_deref().unwrap_or(""),
                src.name,
                src.version
            )
        })
        .collect();
    assert_eq!(debs.len(), expected.len(), "one package per database entry");
    assert_eq!(got, expected);

    for p in &debs {
        assert_eq!(p.locations[0].path, "/var/lib/dpkg/status");
        let (epoch, plain) = p
            .version
            .split_once(':')
            .map_or(("", p.version.as_str()), |(e, v)| (e, v));
        let arch = p.arch.as_deref().unwrap();
        let epoch_q = if epoch.is_empty() {
            String::new()
        } else {
            format!("&epoch={epoch}")
        };
        assert_eq!(
            p.purl,
            format!(
                "pkg:deb/debian/{}@{}?arch={arch}&distro=debian-12{epoch_q}",
                purl_encode(&p.name),
                purl_encode(plain)
            )
        );
        // Licences only from machine-readable copyright files, and each one named there.
        let copyright = root.join(format!("usr/share/doc/{}/copyright", p.name));
        let text = std::fs::read_to_string(&copyright).unwrap_or_default();
        if !text.starts_with("Format:") {
            assert!(p.licenses.is_empty(), "{}: {:?}", p.name, p.licenses);
        }
        let declared: BTreeSet<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("License:"))
            .map(str::trim)
            .collect();
        for l in &p.licenses {
            assert!(declared.contains(l.as_str()), "{}: {l}", p.name);
        }
    }
    let dpkg = debs.iter().find(|p| p.name == "dpkg").unwrap();
    assert!(
        dpkg.licenses.iter().any(|l| l.starts_with("GPL-2")),
        "{:?}",
        dpkg.licenses
    );
    assert!(
        debs.iter().any(|p| p.purl.contains("epoch=")),
        "some bookworm package has an epoch"
    );
}

#[test]
fn bookworm_owned_files_come_from_the_list_files() {
    let root = support::debian_rootfs();
    let (found, _) = support::catalog(Box::new(Dpkg), &root);
    let owned: BTreeSet<&str> = found.owned_files.iter().map(String::as_str).collect();
    // Every file (not directory) of every package's .list, as `dpkg-query -L` prints them.
    let out = support::run(
        Command::new("dpkg-query")
            .arg(format!("--admindir={}", root.join("var/lib/dpkg").display()))
            .args(["-L", "dpkg", "bash"]),
        "apt-get install dpkg",
    );
    let mut checked = 0;
    for line in out.lines().filter(|l| l.starts_with('/') && *l != "/.") {
        let on_disk = root.join(&line[1..]);
        if on_disk.is_dir() {
            assert!(!owned.contains(line), "directory {line} listed as owned");
        } else {
            assert!(owned.contains(line), "{line} not owned");
            checked += 1;
        }
    }
    assert!(checked > 50, "only {checked} files checked");
}

#[test]
fn every_package_state_as_dpkg_counts_it() {
    let root = support::fixture("dpkg-states");
    // Present: every state but not-installed and config-files, which dpkg-query still
    // lists (config-files) but whose files are gone.
    let expected: BTreeSet<String> = dpkg_query(&root)
        .into_iter()
        .filter(|(_, status)| !matches!(status.as_str(), "not-installed" | "config-files"))
        .map(|(line, _)| line)
        .collect();
    assert_eq!(expected.len(), 7);
    assert_eq!(ours(&root), expected);

    let (found, distro) = support::catalog(Box::new(Dpkg), &root);
    assert_eq!(distro.unwrap().osv_ecosystem.as_deref(), Some("Debian:12"));
    let foo: Vec<_> = found.packages.iter().filter(|p| p.name == "libfoo1").collect();
    assert_eq!(foo.len(), 2, "one per architecture");
    for p in &foo {
        assert_eq!(p.licenses, ["LGPL-2.1+", "MIT"]);
    }
    let login = found.packages.iter().find(|p| p.name == "login-tools").unwrap();
    assert_eq!(
        login.purl,
        "pkg:deb/debian/login-tools@4.13%2Bdfsg1-1?arch=amd64&distro=debian-12&epoch=1"
    );
    // Multi-Arch: same packages have `<name>:<arch>.list`; the plain-name list is the
    // fallback.
    for p in [
        "/usr/lib/x86_64-linux-gnu/libfoo.so.1",
        "/usr/lib/i386-linux-gnu/libfoo.so.1",
        "/usr/share/doc/libfoo1/copyright",
        "/usr/bin/login-tool",
    ] {
        assert!(
            found.owned_files.iter().any(|o| o == p),
            "{p} not owned: {:?}",
            found.owned_files
        );
    }
    // Directories that exist in the image are not claimed.
    assert!(!found.owned_files.iter().any(|o| o == "/usr/lib"));
}

#[test]
fn distroless_status_d() {
    let (found, _) = support::catalog(Box::new(Dpkg), &support::fixture("distroless"));
    assert!(found.warnings.is_empty(), "{:?}", found.warnings);
    let got: Vec<_> = found
        .packages
        .iter()
        .map(|p| {
            (
                p.name.as_str(),
                p.version.as_str(),
                p.source.as_ref().unwrap().name.as_str(),
                p.locations[0].path.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "base-files",
                "12.4+deb12u5",
                "base-files",
                "/var/lib/dpkg/status.d/base-files"
            ),
            (
                "libssl3",
                "3.0.13-1~deb12u1",
                "openssl",
                "/var/lib/dpkg/status.d/libssl3"
            ),
        ]
    );
    assert_eq!(
        found.owned_files,
        [
            "/usr/lib/x86_64-linux-gnu/libcrypto.so.3",
            "/usr/lib/x86_64-linux-gnu/libssl.so.3"
        ]
    );
}

#[test]
fn broken_databases_warn_with_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let admin = dir.path().join("var/lib/dpkg");
    std::fs::create_dir_all(&admin).unwrap();
    let mut status = b"Package: ok\nStatus: install ok installed\nVersion: 1\nArchitecture: all\n\n\
        garbage line\n\nPackage: nover\nStatus: install ok installed\n\n"
        .to_vec();
    status.extend_from_slice(&[0xff, 0xfe, b'\n', 0, 0, 0]);
    status.extend(std::iter::repeat_n(b'x', 1 << 20));
    std::fs::write(admin.join("status"), &status).unwrap();
    let (found, _) = support::catalog(Box::new(Dpkg), dir.path());
    assert_eq!(found.packages.len(), 1);
    let messages: Vec<_> = found
        .warnings
        .iter()
        .map(|w| (w.path.as_deref().unwrap(), w.message.as_str()))
        .collect();
    assert!(
        messages.iter().all(|(p, _)| *p == "/var/lib/dpkg/status"),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|(_, m)| m.starts_with("dpkg: line 6:")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|(_, m)| m.contains("line 8: package nover has no Version")),
        "{messages:?}"
    );
}
