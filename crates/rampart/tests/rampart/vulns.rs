//! `rampart image scan` and `rampart deps` through the real binary: a database built with
//! `rampart db import` from hand-written Debian 12 OSV records and the real advisories in
//! shared/vulndata; an image packed with bench/image/docker-archive.py from a root file
//! system the test writes (os-release, a dpkg status database, a Python dist-info); a
//! Cargo.lock and a requirements.txt. Exact findings, exit codes per flag, the text
//! grouping order, SARIF against the SARIF 2.1.0 schema (Python `jsonschema`) and
//! CycloneDX against the CycloneDX 1.6 schema.

use std::collections::BTreeSet;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

use crate::common::{bin, json, repo_root, stderr, stdout, write};

/// shared/vulndata beside the repository, or beside a directory above it.
fn shared(sub: &str) -> PathBuf {
    repo_root()
        .ancestors()
        .map(|a| a.join("../shared").join(sub))
        .find(|p| p.exists())
        .unwrap_or_else(|| panic!("../shared/{sub} is expected beside the repository"))
}

const DPKG_STATUS: &str = "\
Package: bash
Status: install ok installed
Priority: required
Architecture: amd64
Version: 5.2.15-2+b2
Description: GNU Bourne Again SHell

Package: libc6
Status: install ok installed
Architecture: amd64
Source: glibc
Version: 2.36-9+deb12u4
Description: GNU C Library: Shared libraries

Package: libssl3
Status: install ok installed
Architecture: amd64
Source: openssl
Version: 3.0.11-1~deb12u2
Description: Secure Sockets Layer toolkit - shared libraries

Package: zlib1g
Status: install ok installed
Architecture: amd64
Source: zlib
Version: 1:1.2.13.dfsg-1
Description: compression library - runtime
";

/// Hand-written Debian records: openssl fixed (high), glibc and zlib without a fix (high
/// and critical), bash rated unimportant (hidden), and a Debian 11 record that must not
/// apply to a Debian 12 image.
fn debian_records(dir: &Path) {
    let record = |id: &str, eco: &str, name: &str, events: &str, severity: &str| {
        format!(
            r#"{{"id": "{id}", "modified": "2026-01-01T00:00:00Z", "summary": "{name} problem {id}",
  "aliases": [], "upstream": ["{id}-UPSTREAM"],
  {severity}
  "affected": [{{"package": {{"ecosystem": "{eco}", "name": "{name}"}},
    "ranges": [{{"type": "ECOSYSTEM", "events": [{events}]}}]}}],
  "references": [{{"type": "ADVISORY", "url": "https://security-tracker.debian.org/tracker/{id}"}}]}}"#
        )
    };
    let high =
        r#""severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"}],"#;
    let critical =
        r#""severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],"#;
    let files = [
        (
            "DSA-9001-1",
            record(
                "DSA-9001-1",
                "Debian:12",
                "openssl",
                r#"{"introduced": "0"}, {"fixed": "3.0.13-1~deb12u1"}"#,
                high,
            ),
        ),
        (
            "DEBIAN-CVE-2026-1002",
            record("DEBIAN-CVE-2026-1002", "Debian:12", "zlib", r#"{"introduced": "0"}"#, critical),
        ),
        (
            "DEBIAN-CVE-2026-1003",
            record("DEBIAN-CVE-2026-1003", "Debian:12", "glibc", r#"{"introduced": "0"}"#, high),
        ),
        (
            "DEBIAN-CVE-2026-1004",
            record(
                "DEBIAN-CVE-2026-1004",
                "Debian:12",
                "bash",
                r#"{"introduced": "0"}"#,
                "",
            )
            .replace(
                r#"{"package": {"ecosystem": "Debian:12", "name": "bash"},"#,
                r#"{"package": {"ecosystem": "Debian:12", "name": "bash"}, "ecosystem_specific": {"urgency": "unimportant"},"#,
            ),
        ),
        (
            "DSA-8001-1",
            record(
                "DSA-8001-1",
                "Debian:11",
                "openssl",
                r#"{"introduced": "0"}, {"fixed": "9.9"}"#,
                high,
            ),
        ),
    ];
    for (id, text) in files {
        write(dir, &format!("{id}.json"), &text);
    }
}

struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    /// A database of the Debian records, shared/vulndata's crates.io records and its
    /// Jinja2 records; an image with the dpkg database and Jinja2 2.11.2.
    fn new() -> Fixture {
        let dir = crate::common::tempdir();
        let d = dir.path();
        debian_records(&d.join("debian"));
        let o = bin()
            .current_dir(d)
            .args(["db", "--db", "db", "import", "debian"])
            .arg(shared("vulndata/crates.io"))
            .arg(shared("vulndata/pypi/jinja2"))
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        let root = d.join("rootfs");
        write(
            &root,
            "etc/os-release",
            "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\nID=debian\n",
        );
        write(&root, "var/lib/dpkg/status", DPKG_STATUS);
        write(
            &root,
            "usr/lib/python3/dist-packages/Jinja2-2.11.2.dist-info/METADATA",
            "Metadata-Version: 2.1\nName: Jinja2\nVersion: 2.11.2\nLicense: BSD-3-Clause\n",
        );
        let status = Command::new("python3")
            .arg(repo_root().join("bench/image/docker-archive.py"))
            .arg(&root)
            .arg(d.join("img.tar"))
            .arg("example/app:1")
            .status()
            .expect("python3 runs (apt-get install -y python3)");
        assert!(status.success());
        Fixture { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn scan(&self, extra: &[&str]) -> Output {
        bin()
            .current_dir(self.path())
            .args(["image", "scan", "docker-archive:img.tar", "--db", "db"])
            .args(extra)
            .output()
            .unwrap()
    }

    fn deps(&self, extra: &[&str]) -> Output {
        bin()
            .current_dir(self.path())
            .args(["deps", "--db", "db"])
            .args(extra)
            .output()
            .unwrap()
    }

    /// A project with a Cargo.lock pinning smallvec 1.6.0 (RUSTSEC-2021-0003) and a
    /// requirements.txt pinning Jinja2 2.11.2 (PYSEC-2021-66).
    fn project(&self) {
        write(
            self.path(),
            "proj/Cargo.lock",
            "# This file is automatically @generated by Cargo.\n# It is not intended for manual editing.\nversion = 4\n\n\
             [[package]]\nname = \"demo\"\nversion = \"0.1.0\"\ndependencies = [\n \"smallvec\",\n]\n\n\
             [[package]]\nname = \"smallvec\"\nversion = \"1.6.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\
             checksum = \"fe0f37c9e8f3c5a4a66ad655a93c74daac4ad00c441533bf5c6e7990bb42604e\"\n",
        );
        write(
            self.path(),
            "proj/requirements.txt",
            "# pinned\nJinja2==2.11.2\nflask>=2\n",
        );
    }
}

/// (id, package, installed, fixed, severity) of every finding of a JSON report.
fn findings(report: &Value) -> BTreeSet<(String, String, String, String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap().to_owned(),
                f["package"]["name"].as_str().unwrap().to_owned(),
                f["package"]["version"].as_str().unwrap().to_owned(),
                f["fixedVersion"].as_str().unwrap_or("-").to_owned(),
                f["severity"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn set(items: &[(&str, &str, &str, &str, &str)]) -> BTreeSet<(String, String, String, String, String)> {
    items
        .iter()
        .map(|(a, b, c, d, e)| {
            (
                (*a).to_owned(),
                (*b).to_owned(),
                (*c).to_owned(),
                (*d).to_owned(),
                (*e).to_owned(),
            )
        })
        .collect()
}

const IMAGE_FINDINGS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "DEBIAN-CVE-2026-1002",
        "zlib1g",
        "1:1.2.13.dfsg-1",
        "-",
        "critical",
    ),
    ("DEBIAN-CVE-2026-1003", "libc6", "2.36-9+deb12u4", "-", "high"),
    (
        "DSA-9001-1",
        "libssl3",
        "3.0.11-1~deb12u2",
        "3.0.13-1~deb12u1",
        "high",
    ),
    ("PYSEC-2021-66", "Jinja2", "2.11.2", "2.11.3", "unknown"),
];

#[test]
fn image_scan_finds_exactly_the_matching_advisories() {
    let f = Fixture::new();
    let o = f.scan(&["--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let r = json(&o);
    assert_eq!(findings(&r), set(IMAGE_FINDINGS));
    assert_eq!(r["schemaVersion"], "1.0");
    assert_eq!(r["subject"]["kind"], "image");
    assert_eq!(r["subject"]["ecosystem"], "Debian:12");
    assert_eq!(r["summary"]["packages"], 5);
    assert_eq!(r["summary"]["findings"]["hiddenNegligible"], 1);
    let ssl = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == "DSA-9001-1")
        .unwrap();
    assert_eq!(ssl["matchedAs"], "openssl 3.0.11-1~deb12u2");
    assert_eq!(ssl["score"], 7.5);
    assert_eq!(ssl["counts"], true);
    assert_eq!(ssl["package"]["locations"][0]["path"], "/var/lib/dpkg/status");
    assert!(
        ssl["package"]["locations"][0]["layer"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
    // An unrated advisory counts at --fail-on low.
    let jinja = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == "PYSEC-2021-66")
        .unwrap();
    assert_eq!(jinja["counts"], true);
    assert_eq!(r["result"]["failing"], 4);

    // Negligible findings appear with --show-hidden.
    let o = f.scan(&["--format", "json", "--show-hidden"]);
    let mut want = set(IMAGE_FINDINGS);
    want.extend(set(&[(
        "DEBIAN-CVE-2026-1004",
        "bash",
        "5.2.15-2+b2",
        "-",
        "negligible",
    )]));
    assert_eq!(findings(&json(&o)), want);
}

#[test]
fn exit_codes_follow_fail_on_fixable_only_and_ignore_unfixed() {
    let f = Fixture::new();
    let code = |args: &[&str]| {
        let o = f.scan(&[&["--format", "json"], args].concat());
        (o.status.code(), json(&o))
    };
    // zlib: critical without a fix.
    assert_eq!(code(&["--fail-on", "critical"]).0, Some(1));
    // Only fixable findings count: the critical one has no fix, nothing else is critical.
    let (c, r) = code(&["--fail-on", "critical", "--fixable-only"]);
    assert_eq!(c, Some(0));
    assert_eq!(
        findings(&r),
        set(IMAGE_FINDINGS),
        "--fixable-only keeps every finding in the report"
    );
    // openssl is high and fixable.
    assert_eq!(code(&["--fail-on", "high", "--fixable-only"]).0, Some(1));
    // --ignore-unfixed drops zlib and glibc from the report.
    let (c, r) = code(&["--fail-on", "critical", "--ignore-unfixed"]);
    assert_eq!(c, Some(0));
    assert_eq!(findings(&r), set(&[IMAGE_FINDINGS[2], IMAGE_FINDINGS[3]]));
    assert_eq!(r["summary"]["findings"]["unfixedLeftOut"], 2);
    assert_eq!(code(&["--fail-on", "never"]).0, Some(0));
    // The unrated Jinja2 advisory counts at `low` (the default) and `any`, not at medium.
    for threshold in ["any", "low"] {
        let (c, r) = code(&["--fail-on", threshold, "--ignore-unfixed"]);
        assert_eq!(
            (c, r["result"]["failing"].as_u64()),
            (Some(1), Some(2)),
            "{threshold}"
        );
    }
    let (c, r) = code(&["--fail-on", "medium", "--ignore-unfixed"]);
    assert_eq!((c, r["result"]["failing"].as_u64()), (Some(1), Some(1)));
    // A usage error is 2.
    let o = f.scan(&["--fail-on", "severe"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn text_is_grouped_by_severity_with_fixable_first_and_a_summary_table() {
    let f = Fixture::new();
    let o = f.scan(&[]);
    assert_eq!(o.status.code(), Some(1));
    let t = stdout(&o);
    assert!(!t.contains('\x1b'), "no colours when not on a terminal:\n{t}");
    let at = |needle: &str| {
        t.find(needle)
            .unwrap_or_else(|| panic!("`{needle}` missing from:\n{t}"))
    };
    let order = [
        at("image: docker-archive:img.tar (sha256:"),
        at("distro: Debian GNU/Linux 12 (bookworm)"),
        at("CRITICAL (1)"),
        at("  zlib1g 1:1.2.13.dfsg-1 → no fix yet  DEBIAN-CVE-2026-1002"),
        at("HIGH (2)"),
        // Fixable first, although libc6 sorts before libssl3 by name.
        at("  libssl3 3.0.11-1~deb12u2 → 3.0.13-1~deb12u1  DSA-9001-1"),
        at("    /var/lib/dpkg/status (matched as openssl 3.0.11-1~deb12u2) [CVSS 7.5]"),
        at("  libc6 2.36-9+deb12u4 → no fix yet  DEBIAN-CVE-2026-1003"),
        at("UNKNOWN (1)"),
        at(
            "  Jinja2 2.11.2 → 2.11.3  PYSEC-2021-66 (CVE-2020-28493, GHSA-g3rq-g295-4j3m, SNYK-PYTHON-JINJA2-1012994)",
        ),
        at("SEVERITY    FIXABLE  NO FIX  TOTAL"),
        at("critical          0       1      1"),
        at("high              1       1      2"),
        at("unknown           1       0      1"),
        at("total             2       2      4"),
        at(
            "4 vulnerabilities in 4 of 5 packages; 4 at or above --fail-on low; 1 negligible hidden (--show-hidden)",
        ),
    ];
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}\n{t}");
    assert!(!t.contains("bash"), "hidden by default:\n{t}");

    let o = f.scan(&["--color", "always"]);
    assert!(stdout(&o).contains("\x1b[1;35mCRITICAL\x1b[0m (1)"));
    // NO_COLOR never wins over an explicit --color always, and auto off a terminal is
    // plain either way.
    let o = bin()
        .current_dir(f.path())
        .env("NO_COLOR", "1")
        .args(["image", "scan", "docker-archive:img.tar", "--db", "db"])
        .output()
        .unwrap();
    assert!(!stdout(&o).contains('\x1b'));

    let o = f.scan(&["--format", "table", "--fail-on", "critical"]);
    assert_eq!(o.status.code(), Some(1));
    let t = stdout(&o);
    assert!(
        t.contains("SEVERITY  PACKAGE  INSTALLED         FIXED             ADVISORY              LOCATION"),
        "{t}"
    );
    assert!(
        t.contains("high      libssl3  3.0.11-1~deb12u2  3.0.13-1~deb12u1  DSA-9001-1            /var/lib/dpkg/status"),
        "{t}"
    );
}

/// Validates a SARIF file with the reference Python validator.
fn validate_sarif(file: &Path) {
    let schema = shared("schemas/sarif-schema-2.1.0.json");
    let script = "import json,sys,jsonschema\nschema=json.load(open(sys.argv[1]))\ndoc=json.load(open(sys.argv[2]))\njsonschema.validators.validator_for(schema)(schema).validate(doc)\nprint('valid')\n";
    let o = Command::new("python3")
        .args(["-c", script, schema.to_str().unwrap(), file.to_str().unwrap()])
        .output()
        .expect("python3 runs");
    assert!(
        o.status.success() && String::from_utf8_lossy(&o.stdout).contains("valid"),
        "SARIF does not validate (is python3-jsonschema installed? apt-get install -y python3-jsonschema):\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

struct LocalSchemas(PathBuf);

impl jsonschema::Retrieve for LocalSchemas {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let name = uri
            .as_str()
            .strip_prefix("http://cyclonedx.org/schema/")
            .filter(|n| !n.contains('/'))
            .ok_or_else(|| format!("refusing to fetch {uri}: only the local CycloneDX schemas are served"))?;
        Ok(serde_json::from_str(&std::fs::read_to_string(
            self.0.join(name),
        )?)?)
    }
}

fn validate_cyclonedx(doc: &Value) {
    let dir = shared("schemas");
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("bom-1.6.schema.json")).unwrap()).unwrap();
    let validator = jsonschema::options()
        .with_retriever(LocalSchemas(dir))
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "not valid CycloneDX 1.6:\n{}",
        errors.join("\n")
    );
}

fn read_json(p: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

#[test]
fn image_sarif_and_cyclonedx_validate_and_point_at_the_packages() {
    let f = Fixture::new();
    let o = f.scan(&[
        "--format",
        "sarif=out.sarif",
        "--format",
        "cyclonedx=out.cdx.json",
        "--show-hidden",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("rampart: 5 vulnerabilities, 4 at or above --fail-on low"),
        "{}",
        stderr(&o)
    );
    let sarif_file = f.path().join("out.sarif");
    validate_sarif(&sarif_file);
    let s = read_json(&sarif_file);
    let run = &s["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: BTreeSet<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        BTreeSet::from([
            "DEBIAN-CVE-2026-1002",
            "DEBIAN-CVE-2026-1003",
            "DEBIAN-CVE-2026-1004",
            "DSA-9001-1",
            "PYSEC-2021-66"
        ])
    );
    let results = run["results"].as_array().unwrap();
    let ssl = results.iter().find(|r| r["ruleId"] == "DSA-9001-1").unwrap();
    assert_eq!(ssl["level"], "error");
    let loc = &ssl["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(loc["uri"], "var/lib/dpkg/status");
    assert_eq!(loc["uriBaseId"], "IMAGEROOT");
    assert_eq!(
        rules[ssl["ruleIndex"].as_u64().unwrap() as usize]["properties"]["security-severity"],
        "7.5"
    );
    let jinja = results.iter().find(|r| r["ruleId"] == "PYSEC-2021-66").unwrap();
    assert_eq!(
        jinja["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "usr/lib/python3/dist-packages/Jinja2-2.11.2.dist-info/METADATA"
    );

    let cdx = read_json(&f.path().join("out.cdx.json"));
    validate_cyclonedx(&cdx);
    let components = cdx["components"].as_array().unwrap();
    let vulns = cdx["vulnerabilities"].as_array().unwrap();
    assert_eq!(vulns.len(), 5);
    let v = vulns.iter().find(|v| v["id"] == "DSA-9001-1").unwrap();
    let target = v["affects"][0]["ref"].as_str().unwrap();
    let component = components.iter().find(|c| c["bom-ref"] == target).unwrap();
    assert_eq!(component["name"], "libssl3");
    assert_eq!(v["ratings"][0]["method"], "CVSSv31");
    assert_eq!(v["ratings"][0]["score"], 7.5);
    assert_eq!(v["ratings"][0]["severity"], "high");
    assert_eq!(
        v["recommendation"],
        "Upgrade libssl3 to 3.0.13-1~deb12u1 or later"
    );
    let bash = vulns.iter().find(|v| v["id"] == "DEBIAN-CVE-2026-1004").unwrap();
    assert_eq!(bash["ratings"][0]["severity"], "info");
    assert_eq!(bash["ratings"][0]["method"], "other");
}

#[test]
fn deps_scans_lockfiles_with_the_same_outputs_and_exit_codes() {
    let f = Fixture::new();
    f.project();
    let o = f.deps(&["proj", "--format", "json", "--format", "sarif=deps.sarif"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let r = json(&o);
    assert_eq!(
        findings(&r),
        set(&[
            ("PYSEC-2021-66", "Jinja2", "2.11.2", "2.11.3", "unknown"),
            ("RUSTSEC-2021-0003", "smallvec", "1.6.0", "1.6.1", "critical"),
        ])
    );
    let by_id = |id: &str| {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == id)
            .unwrap()
            .clone()
    };
    let sv = by_id("RUSTSEC-2021-0003");
    assert_eq!(sv["package"]["locations"][0]["path"], "proj/Cargo.lock");
    assert_eq!(sv["package"]["locations"][0]["line"], 13);
    assert_eq!(sv["score"], 9.8);
    let jinja = by_id("PYSEC-2021-66");
    assert_eq!(jinja["package"]["locations"][0]["path"], "proj/requirements.txt");
    assert_eq!(jinja["package"]["locations"][0]["line"], 2);
    assert_eq!(
        r["subject"]["files"],
        serde_json::json!(["proj/Cargo.lock", "proj/requirements.txt"])
    );
    assert!(
        stderr(&o).contains("note: 1 dependencies pin no version"),
        "{}",
        stderr(&o)
    );

    let sarif_file = f.path().join("deps.sarif");
    validate_sarif(&sarif_file);
    let sarif = read_json(&sarif_file);
    let res = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["ruleId"] == "RUSTSEC-2021-0003")
        .unwrap()
        .clone();
    let loc = &res["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "proj/Cargo.lock");
    assert_eq!(loc["region"]["startLine"], 13);

    // One lockfile; a directory as the working directory.
    let o = f.deps(&[
        "proj/Cargo.lock",
        "--fail-on",
        "critical",
        "--format",
        "cyclonedx",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let cdx = json(&o);
    validate_cyclonedx(&cdx);
    assert_eq!(cdx["metadata"]["component"]["type"], "application");
    assert_eq!(cdx["vulnerabilities"][0]["id"], "RUSTSEC-2021-0003");
    let o = f.deps(&[
        "proj",
        "--fail-on",
        "critical",
        "--ignore-unfixed",
        "--exclude",
        "Cargo.lock",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let o = f.deps(&["proj", "--fail-on", "any"]);
    assert_eq!(o.status.code(), Some(1));

    // A broken lockfile is an input error (2), named with its line, the rest still scanned.
    write(f.path(), "proj/sub/Cargo.lock", "[[package]\nname = 1\n");
    let o = f.deps(&["proj", "--fail-on", "never"]);
    assert_eq!(o.status.code(), Some(2));
    let t = stdout(&o);
    assert!(t.contains("error: proj/sub/Cargo.lock:1: invalid TOML"), "{t}");
    assert!(t.contains("RUSTSEC-2021-0003"), "{t}");

    // A file that is no lockfile is a usage error.
    write(f.path(), "notes.txt", "hello\n");
    let o = f.deps(&["notes.txt"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not a known lockfile name"), "{}", stderr(&o));
}

#[test]
fn a_missing_or_empty_database_says_how_to_make_one_and_a_stale_one_warns() {
    let f = Fixture::new();
    f.project();
    let o = bin()
        .current_dir(f.path())
        .args(["deps", "proj", "--db", "nowhere"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("no vulnerability database in nowhere")
            && e.contains("rampart db update")
            && e.contains("rampart db import"),
        "{e}"
    );
    // RAMPART_DB is honoured, as by `rampart db`.
    let o = bin()
        .current_dir(f.path())
        .env("RAMPART_DB", f.path().join("db"))
        .args(["deps", "proj", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));

    std::fs::create_dir_all(f.path().join("empty-src")).unwrap();
    let o = bin()
        .current_dir(f.path())
        .args(["db", "--db", "empty", "import", "empty-src"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let o = bin()
        .current_dir(f.path())
        .args(["image", "scan", "docker-archive:img.tar", "--db", "empty"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("holds no advisories"), "{}", stderr(&o));

    let o = f.deps(&["proj", "--max-db-age", "0s", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("warning: vulnerability database source")
            && stderr(&o).contains("run `rampart db update`"),
        "{}",
        stderr(&o)
    );
    let o = f.deps(&["proj", "--format", "json"]);
    assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let f = Fixture::new();
    f.project();
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("rampart"))
        .current_dir(f.path())
        .args(["deps", "proj", "--db", "db", "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(1), "the findings still decide: {err}");
    assert!(!err.contains("error"), "{err}");
}

#[test]
fn exceptions_and_vex_suppress_findings_which_stay_visible_in_machine_formats() {
    let f = Fixture::new();
    write(
        f.path(),
        ".rampart.yaml",
        "vulnerability-exceptions:\n  - ids: [DEBIAN-CVE-2026-1002]\n    package: zlib1g\n    reason: zlib is only used to read trusted archives\n    expires: 2099-12-31\n    ticket: SEC-7\n  - ids: [CVE-2000-0001]\n    reason: matches nothing\n  - ids: [DEBIAN-CVE-2026-1003]\n    reason: lapsed\n    expires: 2001-01-01\n",
    );
    write(
        f.path(),
        "app.vex.json",
        r#"{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.test/vex/app",
"author": "App security team", "timestamp": "2026-01-01T00:00:00Z", "version": 1,
"statements": [{"vulnerability": {"name": "DSA-9001-1"}, "products": [{"@id": "pkg:deb/debian/libssl3"}],
 "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path",
 "impact_statement": "TLS is terminated by the proxy"}]}"#,
    );
    let o = f.scan(&[
        "--vex",
        "app.vex.json",
        "--fail-on",
        "critical",
        "--format",
        "json",
        "--format",
        "sarif=s.sarif",
        "--format",
        "cyclonedx=c.json",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "the critical finding is excepted: {}",
        stderr(&o)
    );
    let err = stderr(&o);
    assert!(
        err.contains("warning: .rampart.yaml:7: this exception or VEX statement matched no finding"),
        "{err}"
    );
    assert!(err.contains("expired"), "{err}");
    let report = json(&o);
    assert_eq!(
        findings(&report),
        set(IMAGE_FINDINGS),
        "suppressed findings stay listed"
    );
    let by_id = |id: &str| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == id)
            .unwrap()
            .clone()
    };
    let zlib = by_id("DEBIAN-CVE-2026-1002");
    assert_eq!(zlib["suppressed"]["by"], "exception");
    assert_eq!(zlib["suppressed"]["origin"], ".rampart.yaml:2");
    assert_eq!(zlib["suppressed"]["ticket"], "SEC-7");
    assert_eq!(zlib["counts"], false);
    let ssl = by_id("DSA-9001-1");
    assert_eq!(ssl["suppressed"]["by"], "vex");
    assert_eq!(ssl["suppressed"]["status"], "not_affected");
    // The expired exception suppresses nothing.
    assert!(by_id("DEBIAN-CVE-2026-1003")["suppressed"].is_null());
    assert_eq!(report["summary"]["findings"]["suppressed"], 2);

    validate_sarif(&f.path().join("s.sarif"));
    let sarif = read_json(&f.path().join("s.sarif"));
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let zlib_result = results
        .iter()
        .find(|x| x["ruleId"] == "DEBIAN-CVE-2026-1002")
        .unwrap();
    assert_eq!(zlib_result["suppressions"][0]["kind"], "external");
    assert!(
        zlib_result["suppressions"][0]["justification"]
            .as_str()
            .unwrap()
            .starts_with("zlib is only used to read trusted archives (expires 2099-12-31) [SEC-7]")
    );
    let cdx = read_json(&f.path().join("c.json"));
    validate_cyclonedx(&cdx);
    let vulns = cdx["vulnerabilities"].as_array().unwrap();
    let vuln = vulns.iter().find(|x| x["id"] == "DSA-9001-1").unwrap();
    assert_eq!(vuln["analysis"]["state"], "not_affected");
    assert_eq!(vuln["analysis"]["justification"], "code_not_reachable");
    let vuln = vulns.iter().find(|x| x["id"] == "DEBIAN-CVE-2026-1002").unwrap();
    assert_eq!(vuln["analysis"]["response"], serde_json::json!(["will_not_fix"]));

    // Text lists suppressed findings only when asked.
    let o = f.scan(&["--vex", "app.vex.json"]);
    let text = stdout(&o);
    assert!(!text.contains("DEBIAN-CVE-2026-1002"), "{text}");
    assert!(text.contains("2 suppressed (--show-suppressed)"), "{text}");
    let o = f.scan(&["--vex", "app.vex.json", "--show-suppressed"]);
    let text = stdout(&o);
    assert!(
        text.contains("suppressed by exception at .rampart.yaml:2: zlib is only used to read trusted archives (expires 2099-12-31)"),
        "{text}"
    );
    // --no-config: the exception no longer applies.
    let o = f.scan(&["--no-config", "--fail-on", "critical"]);
    assert_eq!(o.status.code(), Some(1));

    // A broken VEX document or configuration is an input error naming the file.
    write(f.path(), "bad.vex.json", "{\"@context\": 3}\n");
    let o = f.scan(&["--vex", "bad.vex.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("bad.vex.json:1"), "{}", stderr(&o));
    write(
        f.path(),
        "bad.yaml",
        "vulnerability-exceptions:\n  - reason: no ids\n",
    );
    let o = f.scan(&["--config", "bad.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("bad.yaml:2"), "{}", stderr(&o));
}

/// The debootstrapped Debian 12 root filesystem (built once per target directory).
fn debian_rootfs() -> PathBuf {
    let out = Command::new("bash")
        .arg(repo_root().join("crates/rampart-image/tests/support/debian-rootfs.sh"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "debian-rootfs.sh failed (needs root and `apt-get install -y debootstrap`): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}

/// `(package, version)` of every installed binary package built from `source`, by
/// `dpkg-query`.
fn binaries_of(rootfs: &Path, source: &str) -> BTreeSet<(String, String)> {
    let out = Command::new("dpkg-query")
        .arg(format!("--admindir={}", rootfs.join("var/lib/dpkg").display()))
        .args(["-W", "-f", "${Package} ${Version} ${source:Package}\n"])
        .output()
        .expect("dpkg-query runs (apt-get install -y dpkg)");
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            (f[2] == source).then(|| (f[0].to_owned(), f[1].to_owned()))
        })
        .collect()
}

/// The installed version of a binary package, by `dpkg-query`.
fn installed(rootfs: &Path, package: &str) -> String {
    let out = Command::new("dpkg-query")
        .arg(format!("--admindir={}", rootfs.join("var/lib/dpkg").display()))
        .args(["-W", "-f", "${Version}", package])
        .output()
        .expect("dpkg-query runs");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_debootstrapped_debian_image_matches_records_of_its_real_packages() {
    let rootfs = debian_rootfs();
    let d = crate::common::tempdir();
    let status = Command::new("python3")
        .arg(repo_root().join("bench/image/docker-archive.py"))
        .arg(&rootfs)
        .arg(d.path().join("debian.tar"))
        .arg("example/debian:12")
        .status()
        .unwrap();
    assert!(status.success());
    let tar = installed(&rootfs, "tar");
    let gzip = installed(&rootfs, "gzip");
    assert!(!tar.is_empty() && !gzip.is_empty());
    let rec = |id: &str, eco: &str, name: &str, events: &str| {
        format!(
            r#"{{"id": "{id}", "summary": "{name} test record", "affected": [{{"package": {{"ecosystem": "{eco}", "name": "{name}"}},
 "ranges": [{{"type": "ECOSYSTEM", "events": [{events}]}}]}}],
 "severity": [{{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}}]}}"#
        )
    };
    // glibc: fixed far above the installed version (every glibc binary is affected);
    // tar: fixed at exactly the installed version (not affected); gzip: introduced above
    // it (not affected); zlib: Debian 11 only (not this release).
    write(
        d.path(),
        "recs/glibc.json",
        &rec(
            "DEBIAN-CVE-2026-3001",
            "Debian:12",
            "glibc",
            r#"{"introduced": "0"}, {"fixed": "2.36-9+deb12u999"}"#,
        ),
    );
    write(
        d.path(),
        "recs/tar.json",
        &rec(
            "DEBIAN-CVE-2026-3002",
            "Debian:12",
            "tar",
            &format!(r#"{{"introduced": "0"}}, {{"fixed": "{tar}"}}"#),
        ),
    );
    write(
        d.path(),
        "recs/gzip.json",
        &rec(
            "DEBIAN-CVE-2026-3003",
            "Debian:12",
            "gzip",
            &format!(r#"{{"introduced": "{gzip}.1"}}"#),
        ),
    );
    write(
        d.path(),
        "recs/zlib.json",
        &rec(
            "DEBIAN-CVE-2026-3004",
            "Debian:11",
            "zlib",
            r#"{"introduced": "0"}"#,
        ),
    );
    let o = bin()
        .current_dir(d.path())
        .args(["db", "--db", "db", "import", "recs"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let o = bin()
        .current_dir(d.path())
        .args([
            "image",
            "scan",
            "docker-archive:debian.tar",
            "--db",
            "db",
            "--format",
            "json",
            "--fail-on",
            "critical",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let r = json(&o);
    let got: BTreeSet<(String, String)> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            assert_eq!(f["id"], "DEBIAN-CVE-2026-3001");
            assert_eq!(f["fixedVersion"], "2.36-9+deb12u999");
            (
                f["package"]["name"].as_str().unwrap().to_owned(),
                f["package"]["version"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let want = binaries_of(&rootfs, "glibc");
    assert!(want.len() >= 2, "libc6 and libc-bin at least: {want:?}");
    assert_eq!(got, want);
}
