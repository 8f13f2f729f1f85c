//! The vulnerability policy end to end: findings produced by `match_packages` over a
//! database built here from hand-written OSV records, the exceptions of a parsed
//! `.rampart.yaml`, and the committed OpenVEX document `tests/fixtures/vex/shop-api.openvex.json`.
//! The reader is also compared with an independent OpenVEX implementation, the `vexipy`
//! Python package, on which documents are valid.

use std::path::{Path, PathBuf};
use std::process::Command;

use rampart_config::{Config, Date};
use rampart_image::package::SourcePackage;
use rampart_image::{Distro, Location, Package, PackageType};
use rampart_vuln::osv::Record;
use rampart_vuln::policy::{self, ImageRef, Outcome, SuppressedBy};
use rampart_vuln::store::{Builder, Database, SourceKind};
use rampart_vuln::{Finding, match_packages, vex};

const RECORDS: &[&str] = &[
    r#"{"id": "DEBIAN-CVE-2030-0001", "modified": "2030-01-02T00:00:00Z", "upstream": ["CVE-2030-0001"],
        "details": "Excessive time spent checking DH parameters.",
        "affected": [{"package": {"name": "openssl", "ecosystem": "Debian:12"},
                      "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.0.13-1~deb12u1"}]}]}]}"#,
    r#"{"id": "DEBIAN-CVE-2030-0005", "modified": "2030-01-02T00:00:00Z", "upstream": ["CVE-2030-0005"],
        "details": "Heap overflow in inflate.",
        "affected": [{"package": {"name": "zlib", "ecosystem": "Debian:12"},
                      "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}]}]}"#,
    r#"{"id": "GHSA-9q4r-7m2x-wp6c", "modified": "2030-01-02T00:00:00Z", "aliases": ["CVE-2030-0002"],
        "summary": "Command injection in template",
        "affected": [{"package": {"name": "lodash", "ecosystem": "npm"},
                      "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "4.17.21"}]}]}]}"#,
    r#"{"id": "GHSA-2c8v-5h3j-qq7r", "modified": "2030-01-02T00:00:00Z", "aliases": ["CVE-2030-0003"],
        "summary": "Prototype pollution",
        "affected": [{"package": {"name": "minimist", "ecosystem": "npm"},
                      "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.2.6"}]}]}]}"#,
    r#"{"id": "PYSEC-2030-11", "modified": "2030-01-02T00:00:00Z", "aliases": ["CVE-2030-0004"],
        "summary": "Proxy credentials leak",
        "affected": [{"package": {"name": "requests", "ecosystem": "PyPI"},
                      "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.32.0"}]}]}]}"#,
];

const CONFIG: &str = "\
vulnerability-exceptions:
  - ids: [cve-2030-0004]
    package: requests
    reason: only the CLI uses requests, never with user-supplied URLs
    ticket: SHOP-77
  - ids: [CVE-2030-0003]
    package: pkg:npm/minimist
    reason: reviewed in January
    expires: 2030-03-01
  - ids: [CVE-2030-0099]
    reason: stale
  - ids: [CVE-2030-0001]
    image: other.example/*
    reason: another image's exception
";

const DIGEST: &str = "sha256:4f3c2b1a00000000000000000000000000000000000000000000000000000001";

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/vex/shop-api.openvex.json")
}

fn package(
    kind: PackageType,
    name: &str,
    version: &str,
    purl: &str,
    source: Option<(&str, &str)>,
) -> Package {
    Package {
        name: name.into(),
        version: version.into(),
        kind,
        purl: purl.into(),
        source: source.map(|(n, v)| SourcePackage {
            name: n.into(),
            version: v.into(),
        }),
        arch: None,
        licenses: vec![],
        locations: vec![Location {
            path: format!("/where/{name}"),
            layer: None,
        }],
        cataloger: "test",
    }
}

fn packages() -> Vec<Package> {
    vec![
        package(
            PackageType::Deb,
            "libssl3",
            "3.0.11-1~deb12u2",
            "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12",
            Some(("openssl", "3.0.11-1~deb12u2")),
        ),
        package(
            PackageType::Deb,
            "zlib1g",
            "1:1.2.13.dfsg-1",
            "pkg:deb/debian/zlib1g@1%3A1.2.13.dfsg-1?arch=amd64&distro=debian-12",
            Some(("zlib", "1:1.2.13.dfsg-1")),
        ),
        package(
            PackageType::Npm,
            "lodash",
            "4.17.20",
            "pkg:npm/lodash@4.17.20",
            None,
        ),
        package(
            PackageType::Npm,
            "minimist",
            "1.2.5",
            "pkg:npm/minimist@1.2.5",
            None,
        ),
        package(
            PackageType::Python,
            "requests",
            "2.31.0",
            "pkg:pypi/requests@2.31.0",
            None,
        ),
    ]
}

fn findings(dir: &Path, packages: &[Package]) -> Vec<Finding> {
    let mut b = Builder::new();
    let s = b.add_source("hand-written", SourceKind::Import, "tests/vex_policy.rs", 0);
    for r in RECORDS {
        let record: Record = serde_json::from_str(r).unwrap();
        b.add_record(s, record);
    }
    b.write(dir, 0).unwrap();
    let db = Database::open(dir).unwrap();
    let distro = Distro {
        id: "debian".into(),
        version_id: "12".into(),
        version_codename: Some("bookworm".into()),
        pretty_name: None,
        osv_ecosystem: Some("Debian:12".into()),
    };
    let mut f = match_packages(&db, packages, Some(&distro)).unwrap();
    f.sort_by_key(|f| f.package_index);
    f
}

fn by_package<'a>(findings: &[Finding], out: &'a Outcome, name: &str) -> Option<&'a policy::Suppression> {
    let i = findings
        .iter()
        .position(|f| f.package == name)
        .unwrap_or_else(|| panic!("no finding for {name}: {findings:#?}"));
    out.suppressed[i].as_ref()
}

#[test]
fn exceptions_and_vex_over_real_findings() {
    let dir = tempfile::tempdir().unwrap();
    let packages = packages();
    let findings = findings(dir.path(), &packages);
    let ids: Vec<&str> = findings.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "DEBIAN-CVE-2030-0001",
            "DEBIAN-CVE-2030-0005",
            "GHSA-9q4r-7m2x-wp6c",
            "GHSA-2c8v-5h3j-qq7r",
            "PYSEC-2030-11"
        ]
    );
    let config = Config::parse(".rampart.yaml", CONFIG).unwrap();
    let doc = vex::parse(&std::fs::read(fixture()).unwrap(), "shop-api.openvex.json").unwrap();
    assert_eq!(doc.statements.len(), 6);
    let image = ImageRef {
        reference: "registry.shop.example/shop/api:2.4.1".into(),
        digests: vec![DIGEST.into()],
    };
    let today = Date::parse("2030-06-01").unwrap();
    let out = policy::apply(
        &findings,
        &packages,
        Some(&image),
        &config.vulnerability_exceptions,
        std::slice::from_ref(&doc),
        today,
    );
    assert_eq!(out.suppressed.len(), findings.len());

    // libssl3: matched through its source package openssl; the statement about the image
    // (by digest) and its subcomponent libssl3 (no version, qualifiers in another order).
    let s = by_package(&findings, &out, "libssl3").expect("libssl3 is not affected");
    assert_eq!(s.by, SuppressedBy::Vex);
    assert_eq!(s.status.as_deref(), Some("not_affected"));
    assert_eq!(
        s.reason,
        "vulnerable_code_not_in_execute_path: The service never loads DH parameters from outside the image."
    );
    assert_eq!(
        s.origin,
        "shop-api.openvex.json:11 (statement https://vex.shop.example/public/shop-api-2.4.1-0001#openssl)"
    );
    // zlib: nothing speaks of it.
    assert!(by_package(&findings, &out, "zlib1g").is_none());
    // lodash: fixed, named by the finding's alias CVE-2030-0002.
    let s = by_package(&findings, &out, "lodash").expect("lodash is fixed");
    assert_eq!(s.by, SuppressedBy::Vex);
    assert_eq!(s.status.as_deref(), Some("fixed"));
    assert!(s.reason.contains("patches/lodash-template.patch"), "{}", s.reason);
    assert_eq!(s.origin, "shop-api.openvex.json:30 (statement 1)");
    // minimist: the later `affected` statement overrides the earlier `not_affected` one,
    // and the exception for it expired on 2030-03-01.
    assert!(by_package(&findings, &out, "minimist").is_none());
    assert_eq!(out.expired.len(), 1, "{:?}", out.expired);
    assert!(
        out.expired[0].starts_with(".rampart.yaml:6: "),
        "{}",
        out.expired[0]
    );
    assert!(out.expired[0].contains("CVE-2030-0003"), "{}", out.expired[0]);
    assert!(
        out.expired[0].contains("expired on 2030-03-01"),
        "{}",
        out.expired[0]
    );
    // requests: the exception (lower-case id, matched to the alias) wins over the
    // statement `under_investigation`.
    let s = by_package(&findings, &out, "requests").expect("requests is excepted");
    assert_eq!(s.by, SuppressedBy::Exception);
    assert_eq!(s.origin, ".rampart.yaml:2");
    assert_eq!(s.ticket.as_deref(), Some("SHOP-77"));
    assert_eq!(s.status, None);
    assert_eq!(
        out.unused,
        [
            ".rampart.yaml:10",
            ".rampart.yaml:12",
            "shop-api.openvex.json:67 (statement 5)"
        ]
    );

    // The same over `rampart deps` (no image): statements about the image no longer
    // apply, nor does the exception with an image selector.
    let out = policy::apply(
        &findings,
        &packages,
        None,
        &config.vulnerability_exceptions,
        std::slice::from_ref(&doc),
        today,
    );
    assert!(by_package(&findings, &out, "libssl3").is_none());
    assert_eq!(
        by_package(&findings, &out, "lodash").unwrap().by,
        SuppressedBy::Vex
    );
    assert_eq!(
        by_package(&findings, &out, "requests").unwrap().by,
        SuppressedBy::Exception
    );
    assert!(out.unused.contains(&"shop-api.openvex.json:11 (statement https://vex.shop.example/public/shop-api-2.4.1-0001#openssl)".to_string()));

    // Another image (different digest and tag): only package statements apply.
    let other = ImageRef {
        reference: "registry.shop.example/shop/api:2.5.0".into(),
        digests: vec!["sha256:ffff".into()],
    };
    let out = policy::apply(
        &findings,
        &packages,
        Some(&other),
        &[],
        std::slice::from_ref(&doc),
        today,
    );
    assert!(by_package(&findings, &out, "libssl3").is_none());
    assert!(by_package(&findings, &out, "lodash").is_some());

    // Before the exception expired, minimist was excepted.
    let out = policy::apply(
        &findings,
        &packages,
        Some(&image),
        &config.vulnerability_exceptions,
        std::slice::from_ref(&doc),
        Date::parse("2030-03-01").unwrap(),
    );
    assert_eq!(
        by_package(&findings, &out, "minimist").unwrap().origin,
        ".rampart.yaml:6"
    );
    assert!(out.expired.is_empty());
}

/// A valid document with one statement replaced by `statement` (a JSON object text).
fn with_statement(statement: &str) -> String {
    format!(
        "{{\n  \"@context\": \"https://openvex.dev/ns/v0.2.0\",\n  \"@id\": \"https://vex.example/doc-1\",\n  \"author\": \"Example security\",\n  \"timestamp\": \"2030-01-01T00:00:00Z\",\n  \"version\": 1,\n  \"statements\": [\n    {{\"vulnerability\": {{\"name\": \"CVE-2030-1\"}}, \"products\": [{{\"@id\": \"pkg:npm/a\"}}], \"status\": \"fixed\"}},\n    {statement}\n  ]\n}}\n"
    )
}

/// Documents that break the specification, with the line and a part of the message.
fn invalid_documents() -> Vec<(&'static str, String, usize, &'static str)> {
    let stmt = |s: &'static str| with_statement(s);
    vec![
        (
            "not_affected without justification",
            stmt(r#"{"vulnerability": {"name": "CVE-2030-2"}, "products": [{"@id": "pkg:npm/a"}], "status": "not_affected"}"#),
            9,
            "needs a `justification` or an `impact_statement`",
        ),
        (
            "affected without action statement",
            stmt(r#"{"vulnerability": {"name": "CVE-2030-2"}, "products": [{"@id": "pkg:npm/a"}], "status": "affected"}"#),
            9,
            "needs an `action_statement`",
        ),
        (
            "unknown status",
            stmt(r#"{"vulnerability": {"name": "CVE-2030-2"}, "products": [{"@id": "pkg:npm/a"}], "status": "wontfix"}"#),
            9,
            "unknown status `wontfix`",
        ),
        (
            "unknown justification",
            stmt(r#"{"vulnerability": {"name": "CVE-2030-2"}, "products": [{"@id": "pkg:npm/a"}], "status": "not_affected", "justification": "not_exploitable"}"#),
            9,
            "unknown justification `not_exploitable`",
        ),
        (
            "vulnerability without name",
            stmt(r#"{"vulnerability": {"aliases": ["CVE-2030-2"]}, "products": [{"@id": "pkg:npm/a"}], "status": "fixed"}"#),
            9,
            "needs `name`",
        ),
        (
            "bad timestamp",
            stmt(r#"{"vulnerability": {"name": "CVE-2030-2"}, "products": [{"@id": "pkg:npm/a"}], "status": "fixed", "timestamp": "yesterday"}"#),
            9,
            "not an RFC 3339 timestamp",
        ),
        (
            "a statement that is not an object",
            "{\"@context\": \"https://openvex.dev/ns/v0.2.0\", \"@id\": \"https://vex.example/d\",\n \"author\": \"x\", \"timestamp\": \"2030-01-01T00:00:00Z\", \"version\": 1,\n \"statements\": [\"CVE-2030-1\"]}".into(),
            3,
            "statement 0: invalid type",
        ),
        (
            "document without author",
            "\n{\"@context\": \"https://openvex.dev/ns/v0.2.0\", \"@id\": \"https://vex.example/d\", \"timestamp\": \"2030-01-01T00:00:00Z\", \"version\": 1, \"statements\": []}".into(),
            2,
            "needs `author`",
        ),
        (
            "broken JSON",
            "{\"@context\": \"https://openvex.dev/ns/v0.2.0\",\n \"@id\": \"https://vex.example/d\",,\n}".into(),
            2,
            "invalid JSON",
        ),
    ]
}

#[test]
fn invalid_documents_name_the_file_and_line() {
    for (what, text, line, message) in invalid_documents() {
        let err = vex::parse(text.as_bytes(), "bad.openvex.json").expect_err(what);
        assert_eq!(err.file, "bad.openvex.json", "{what}");
        assert_eq!(err.line, line, "{what}: {err}");
        assert!(err.message.contains(message), "{what}: {err}");
        assert!(
            err.to_string().starts_with(&format!("bad.openvex.json:{line}: ")),
            "{err}"
        );
    }
    // Rules of this reader beyond the oracle's: a context naming OpenVEX, products present.
    let err = vex::parse(
        br#"{"@id": "x", "author": "a", "timestamp": "2030-01-01T00:00:00Z", "statements": []}"#,
        "a.json",
    )
    .unwrap_err();
    assert!(err.message.contains("@context"), "{err}");
    let err = vex::parse(
        with_statement(r#"{"vulnerability": {"name": "CVE-2030-2"}, "status": "fixed"}"#).as_bytes(),
        "a.json",
    )
    .unwrap_err();
    assert_eq!(err.line, 9);
    assert!(err.message.contains("needs `products`"), "{err}");
    let err = vex::parse(b"\xff\xfe", "a.json").unwrap_err();
    assert!(err.message.contains("UTF-8"), "{err}");
}

#[test]
fn older_documents_with_bare_strings_are_read() {
    let doc = vex::parse(
        with_statement(r#"{"vulnerability": "CVE-2030-2", "products": ["pkg:npm/b@1.0.0"], "status": "not_affected", "impact_statement": "b is only a test dependency"}"#)
            .as_bytes(),
        "old.json",
    )
    .unwrap();
    let s = &doc.statements[1];
    assert_eq!(s.vulnerability.name, "CVE-2030-2");
    assert_eq!(s.products[0].component.id.as_deref(), Some("pkg:npm/b@1.0.0"));
    assert_eq!(s.line, 9);
    assert_eq!(s.origin, "old.json:9 (statement 1)");
}

/// Whether `vexipy` (an independent OpenVEX implementation) accepts each document.
fn vexipy_accepts(docs: &[String]) -> Vec<bool> {
    let dir = tempfile::tempdir().unwrap();
    let mut args = Vec::new();
    for (i, d) in docs.iter().enumerate() {
        let p = dir.path().join(format!("{i}.json"));
        std::fs::write(&p, d).unwrap();
        args.push(p);
    }
    let script = "import sys\ntry:\n    import vexipy\nexcept ImportError:\n    sys.exit(3)\nfor p in sys.argv[1:]:\n    with open(p) as f:\n        text = f.read()\n    try:\n        vexipy.Document.from_json(text)\n        print('ok')\n    except Exception:\n        print('invalid')\n";
    let out = Command::new("python3")
        .arg("-W")
        .arg("ignore")
        .arg("-c")
        .arg(script)
        .args(&args)
        .output()
        .expect("python3 is needed to compare with vexipy (apt-get install python3)");
    assert!(
        out.status.code() != Some(3),
        "the Python package vexipy is needed as the OpenVEX oracle: pip install vexipy==0.3.0"
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l == "ok")
        .collect()
}

#[test]
fn validity_agrees_with_vexipy() {
    let mut docs = vec![
        std::fs::read_to_string(fixture()).unwrap(),
        with_statement(
            r#"{"vulnerability": {"name": "CVE-2030-2", "aliases": ["GHSA-x"]}, "products": [{"@id": "pkg:npm/a", "subcomponents": [{"@id": "pkg:npm/b"}]}], "status": "under_investigation"}"#,
        ),
        with_statement(
            r#"{"vulnerability": {"name": "CVE-2030-2"}, "products": [{"@id": "pkg:npm/a"}], "status": "not_affected", "impact_statement": "never loaded"}"#,
        ),
    ];
    let valid = docs.len();
    docs.extend(invalid_documents().into_iter().map(|(_, text, _, _)| text));
    let theirs = vexipy_accepts(&docs);
    for (i, doc) in docs.iter().enumerate() {
        let ours = vex::parse(doc.as_bytes(), "doc.json");
        assert_eq!(
            ours.is_ok(),
            theirs[i],
            "document {i}: ours {ours:?}, vexipy's {}\n{doc}",
            theirs[i]
        );
        assert_eq!(ours.is_ok(), i < valid, "document {i}: {ours:?}");
    }
}
