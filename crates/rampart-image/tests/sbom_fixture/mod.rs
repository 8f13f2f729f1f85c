//! An inventory of many realistic packages of every type, shared by the SBOM tests.

#![allow(dead_code)]

use rampart_image::package::{Location, PackageType, SourcePackage, purl};
use rampart_image::sbom::{Platform, SourceKind, Subject};
use rampart_image::{Distro, Inventory, Package};

pub const BASE_LAYER: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
pub const APP_LAYER: &str = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
pub const MANIFEST: &str = "sha256:3333333333333333333333333333333333333333333333333333333333333333";
pub const CONFIG: &str = "sha256:4444444444444444444444444444444444444444444444444444444444444444";

pub struct Spec<'a> {
    pub kind: PackageType,
    pub namespace: Option<&'a str>,
    pub name: &'a str,
    pub version: &'a str,
    pub qualifiers: &'a [(&'a str, &'a str)],
    pub source: Option<(&'a str, &'a str)>,
    pub arch: Option<&'a str>,
    pub licenses: &'a [&'a str],
    pub path: &'a str,
    pub layer: &'a str,
    pub cataloger: &'static str,
}

pub fn package(s: &Spec<'_>) -> Package {
    let purl_name = match s.namespace {
        Some(ns) => s.name.strip_prefix(&format!("{ns}/")).unwrap_or(s.name),
        None => s.name,
    };
    Package {
        name: s.name.to_string(),
        version: s.version.to_string(),
        kind: s.kind,
        purl: purl(
            s.kind,
            s.namespace,
            purl_name,
            s.version.split_once(':').map_or(s.version, |(_, v)| v),
            s.qualifiers,
        ),
        source: s.source.map(|(name, version)| SourcePackage {
            name: name.into(),
            version: version.into(),
        }),
        arch: s.arch.map(str::to_string),
        licenses: s.licenses.iter().map(|l| (*l).to_string()).collect(),
        locations: vec![Location {
            path: s.path.to_string(),
            layer: Some(s.layer.to_string()),
        }],
        cataloger: s.cataloger,
    }
}

fn deb(name: &str, version: &str, source: (&str, &str), licenses: &[&str]) -> Package {
    package(&Spec {
        kind: PackageType::Deb,
        namespace: Some("debian"),
        name,
        version,
        qualifiers: &[("arch", "amd64"), ("distro", "debian-12")],
        source: Some(source),
        arch: Some("amd64"),
        licenses,
        path: "/var/lib/dpkg/status",
        layer: BASE_LAYER,
        cataloger: "dpkg",
    })
}

fn apk(name: &str, version: &str, origin: &str, licenses: &[&str]) -> Package {
    package(&Spec {
        kind: PackageType::Apk,
        namespace: Some("alpine"),
        name,
        version,
        qualifiers: &[("arch", "x86_64"), ("distro", "alpine-3.20.3")],
        source: Some((origin, version)),
        arch: Some("x86_64"),
        licenses,
        path: "/lib/apk/db/installed",
        layer: BASE_LAYER,
        cataloger: "apk",
    })
}

fn rpm(name: &str, version: &str, epoch: &str, srpm: &str, licenses: &[&str]) -> Package {
    package(&Spec {
        kind: PackageType::Rpm,
        namespace: Some("redhat"),
        name,
        version,
        qualifiers: &[("arch", "x86_64"), ("epoch", epoch), ("distro", "rhel-9.4")],
        source: Some((srpm, version.split_once(':').map_or(version, |(_, v)| v))),
        arch: Some("x86_64"),
        licenses,
        path: "/var/lib/rpm/rpmdb.sqlite",
        layer: BASE_LAYER,
        cataloger: "rpm",
    })
}

fn lang(
    kind: PackageType,
    namespace: Option<&str>,
    name: &str,
    version: &str,
    licenses: &[&str],
    path: &str,
    cataloger: &'static str,
) -> Package {
    package(&Spec {
        kind,
        namespace,
        name,
        version,
        qualifiers: &[],
        source: None,
        arch: None,
        licenses,
        path,
        layer: APP_LAYER,
        cataloger,
    })
}

/// Packages of every type, with licences declared every way packages declare them.
pub fn packages() -> Vec<Package> {
    use PackageType::{Cargo, Composer, Gem, Go, Maven, Npm, Nuget, Python};
    let mut lodash_vendored = lang(
        Npm,
        None,
        "lodash",
        "4.17.21",
        &["MIT"],
        "/app/vendor/node_modules/lodash/package.json",
        "node",
    );
    lodash_vendored.locations.push(Location {
        path: "/app/vendor/copy/node_modules/lodash/package.json".into(),
        layer: None,
    });
    vec![
        deb(
            "libc6",
            "2.36-9+deb12u4",
            ("glibc", "2.36-9+deb12u4"),
            &["GPL-2+", "LGPL-2.1+"],
        ),
        deb(
            "libssl3",
            "3.0.11-1~deb12u2",
            ("openssl", "3.0.11-1~deb12u2"),
            &["Apache-2.0"],
        ),
        deb("bash", "5.2.15-2+b2", ("bash", "5.2.15-2"), &["GPL-3.0-or-later"]),
        deb(
            "libstdc++6",
            "12.2.0-14",
            ("gcc-12", "12.2.0-14"),
            &["GPL-3.0-or-later WITH GCC-exception-3.1"],
        ),
        deb("tzdata", "2024a-0+deb12u1", ("tzdata", "2024a-0+deb12u1"), &[]),
        deb(
            "perl-base",
            "5.36.0-7+deb12u1",
            ("perl", "5.36.0-7+deb12u1"),
            &["GPL-1+ or Artistic"],
        ),
        apk("musl", "1.2.5-r0", "musl", &["MIT"]),
        apk("busybox", "1.36.1-r29", "busybox", &["GPL-2.0-only"]),
        apk(
            "ca-certificates-bundle",
            "20240705-r0",
            "ca-certificates",
            &["MPL-2.0 AND MIT"],
        ),
        rpm(
            "openssl-libs",
            "1:3.0.7-27.el9",
            "1",
            "openssl-3.0.7-27.el9.src.rpm",
            &["OpenSSL and ASL 2.0"],
        ),
        rpm("bash", "5.1.8-9.el9", "", "bash-5.1.8-9.el9.src.rpm", &["GPLv3+"]),
        rpm(
            "tzdata",
            "2024a-1.el9",
            "",
            "tzdata-2024a-1.el9.src.rpm",
            &["Public Domain"],
        ),
        lang(
            Python,
            None,
            "requests",
            "2.31.0",
            &["Apache-2.0"],
            "/usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA",
            "python",
        ),
        lang(
            Python,
            None,
            "ruamel.yaml",
            "0.18.5",
            &["MIT License"],
            "/usr/lib/python3/dist-packages/ruamel.yaml-0.18.5.dist-info/METADATA",
            "python",
        ),
        lang(
            Python,
            None,
            "chardet",
            "5.2.0",
            &["GPL-2.0+ and BSD"],
            "/usr/lib/python3/dist-packages/chardet-5.2.0.dist-info/METADATA",
            "python",
        ),
        lang(
            Python,
            None,
            "acme-internal",
            "1.0",
            &["Custom license text"],
            "/srv/venv/lib/python3.11/site-packages/acme_internal-1.0.dist-info/METADATA",
            "python",
        ),
        lang(
            Npm,
            Some("@babel"),
            "@babel/core",
            "7.23.2",
            &["MIT"],
            "/app/node_modules/@babel/core/package.json",
            "node",
        ),
        lang(
            Npm,
            Some("@types"),
            "@types/node",
            "20.8.10",
            &[],
            "/app/node_modules/@types/node/package.json",
            "node",
        ),
        lang(
            Npm,
            None,
            "lodash",
            "4.17.21",
            &["MIT"],
            "/app/node_modules/lodash/package.json",
            "node",
        ),
        lodash_vendored,
        lang(
            Npm,
            None,
            "left-pad",
            "1.3.0",
            &["WTFPL"],
            "/app/node_modules/left-pad/package.json",
            "node",
        ),
        lang(
            Npm,
            None,
            "dual",
            "2.0.0",
            &["MIT", "Custom license text"],
            "/app/node_modules/dual/package.json",
            "node",
        ),
        lang(
            Npm,
            None,
            "licence-file",
            "0.1.0",
            &["SEE LICENSE IN LICENSE.md"],
            "/app/node_modules/licence-file/package.json",
            "node",
        ),
        lang(
            Go,
            None,
            "stdlib",
            "go1.21.5",
            &["BSD-3-Clause"],
            "/usr/local/bin/server",
            "go",
        ),
        lang(
            Go,
            Some("github.com/pkg"),
            "github.com/pkg/errors",
            "v0.9.1",
            &[],
            "/usr/local/bin/server",
            "go",
        ),
        lang(
            Go,
            Some("golang.org/x"),
            "golang.org/x/net",
            "v0.17.0",
            &["Custom license text"],
            "/usr/local/bin/server",
            "go",
        ),
        lang(
            Cargo,
            None,
            "serde",
            "1.0.193",
            &["MIT OR Apache-2.0"],
            "/usr/local/bin/agent",
            "rust",
        ),
        lang(
            Cargo,
            None,
            "ring",
            "0.17.7",
            &["LicenseRef-ring"],
            "/usr/local/bin/agent",
            "rust",
        ),
        lang(
            Maven,
            Some("org.apache.logging.log4j"),
            "org.apache.logging.log4j/log4j-core",
            "2.14.1",
            &["Apache License, Version 2.0"],
            "/app/lib/log4j-core-2.14.1.jar",
            "java",
        ),
        lang(
            Maven,
            Some("com.fasterxml.jackson.core"),
            "com.fasterxml.jackson.core/jackson-databind",
            "2.15.2",
            &["The Apache Software License, Version 2.0"],
            "/app/lib/jackson-databind-2.15.2.jar",
            "java",
        ),
        lang(
            Gem,
            None,
            "rack",
            "3.0.8",
            &["MIT"],
            "/usr/local/bundle/specifications/rack-3.0.8.gemspec",
            "ruby",
        ),
        lang(
            Gem,
            None,
            "legacy",
            "0.9.0",
            &["LicenseRef-Public-Domain"],
            "/usr/local/bundle/specifications/legacy-0.9.0.gemspec",
            "ruby",
        ),
        lang(
            Composer,
            Some("symfony"),
            "symfony/console",
            "v6.3.4",
            &["MIT"],
            "/var/www/vendor/composer/installed.json",
            "php",
        ),
        lang(
            Nuget,
            None,
            "Newtonsoft.Json",
            "13.0.3",
            &["MIT"],
            "/app/app.deps.json",
            "dotnet",
        ),
        lang(
            Nuget,
            None,
            "Odd \"quoted\" <name> & co",
            "1.0.0-beta+build.5",
            &["Commercial — see \"EULA\" (c) Acme"],
            "/app/odd.deps.json",
            "dotnet",
        ),
    ]
}

pub fn inventory() -> Inventory {
    Inventory {
        distro: Some(Distro {
            id: "debian".into(),
            version_id: "12".into(),
            version_codename: Some("bookworm".into()),
            pretty_name: Some("Debian GNU/Linux 12 (bookworm)".into()),
            osv_ecosystem: Some("Debian:12".into()),
        }),
        packages: packages(),
        warnings: vec![rampart_image::fs::Warning {
            layer: Some(APP_LAYER.into()),
            path: Some("/usr/local/bin/huge".into()),
            message: "skipped: 900000000 bytes, larger than the 67108864 bytes read for this kind of file"
                .into(),
        }],
        files: 4321,
    }
}

pub fn subject() -> Subject {
    Subject {
        reference: "registry.example:5000/team/app:1.4".into(),
        source: SourceKind::Registry,
        manifest_digest: Some(MANIFEST.into()),
        config_digest: Some(CONFIG.into()),
        platform: Some(Platform {
            os: "linux".into(),
            architecture: "amd64".into(),
            variant: None,
        }),
        layers: vec![BASE_LAYER.into(), APP_LAYER.into()],
    }
}
