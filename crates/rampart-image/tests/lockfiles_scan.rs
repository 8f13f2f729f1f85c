//! `lockfiles::scan` over real directory trees: which files are read, which are not,
//! includes, the `go.sum` complement, and broken files reported with file and line while
//! the rest of the tree is still scanned.

use std::path::{Path, PathBuf};

use rampart_image::lockfiles::{Format, LockfileScan, ScanOptions, scan};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lockfiles")
}

fn write(root: &Path, rel: &str, data: &[u8]) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, data).unwrap();
}

fn copy_fixture(root: &Path, from: &str, to: &str) {
    write(root, to, &std::fs::read(fixtures().join(from)).unwrap());
}

fn files(s: &LockfileScan) -> Vec<String> {
    s.files
        .iter()
        .map(|(p, f)| format!("{} {f}", p.to_string_lossy()))
        .collect()
}

fn errors(s: &LockfileScan) -> Vec<String> {
    s.errors.iter().map(ToString::to_string).collect()
}

fn purls_of(s: &LockfileScan, file: &str) -> Vec<String> {
    s.packages
        .iter()
        .filter(|p| p.package.locations[0].path == file)
        .map(|p| p.package.purl.clone())
        .collect()
}

#[test]
fn scan_of_the_fixture_tree_reads_every_format() {
    let s = scan(&fixtures(), &ScanOptions::default()).unwrap();
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    let mut formats: Vec<Format> = s.files.iter().map(|(_, f)| *f).collect();
    formats.dedup();
    formats.sort();
    formats.dedup();
    assert_eq!(formats, Format::ALL);
    // Files are sorted, and every package names its file relative to the root.
    let paths: Vec<_> = s.files.iter().map(|(p, _)| p.clone()).collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted);
    for p in &s.packages {
        let loc = &p.package.locations[0].path;
        assert!(s.files.iter().any(|(f, _)| f.to_str() == Some(loc)), "{loc}");
        assert!(!loc.starts_with('/') && !loc.contains('\\'), "{loc}");
    }
    assert_eq!(
        s.packages.len(),
        3 + 1 + 3 + 4 + 5 + 2 + 2 + 6 + 7 * 20 + 4 + 8 + 3 + 8 + 8 + 7
    );
}

#[test]
fn default_excluded_directories_are_not_entered() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    copy_fixture(root, "cargo-v4/Cargo.lock", "Cargo.lock");
    for skipped in [
        "node_modules/debug/package-lock.json",
        "web/node_modules/x/yarn.lock",
        "vendor/github.com/a/b/go.mod",
        "target/package/Cargo.lock",
        ".git/Cargo.lock",
    ] {
        copy_fixture(root, "npm-nested/package-lock.json", skipped);
    }
    copy_fixture(root, "npm-v3/package-lock.json", "web/package-lock.json");
    let s = scan(root, &ScanOptions::default()).unwrap();
    assert_eq!(
        files(&s),
        ["Cargo.lock cargo-lock", "web/package-lock.json package-lock"]
    );

    let all = ScanOptions {
        default_excludes: false,
        ..ScanOptions::default()
    };
    let s = scan(root, &all).unwrap();
    assert_eq!(s.files.len(), 7, "{:?}", files(&s));

    let globs = ScanOptions {
        exclude: vec!["web".into(), "**/Cargo.lock".into()],
        ..ScanOptions::default()
    };
    let s = scan(root, &globs).unwrap();
    assert!(s.files.is_empty(), "{:?}", files(&s));
}

#[test]
fn broken_files_are_reported_with_file_and_line_and_the_rest_is_scanned() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    copy_fixture(root, "cargo-v4/Cargo.lock", "good/Cargo.lock");
    write(
        root,
        "a/Cargo.lock",
        b"version = 4\n\n[[package]]\nname = \"x\"\nversion = \n",
    );
    write(
        root,
        "b/package-lock.json",
        b"{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"node_modules/a\": {\"version\": \"1.0.0\"\n",
    );
    write(
        root,
        "c/yarn.lock",
        b"# yarn lockfile v1\n\nok@^1.0.0:\n  version \"1.0.0\"\n\nthis line is wrong\n\nmissing@^2:\n  resolved \"https://r/-/missing-2.0.0.tgz\"\n",
    );
    write(
        root,
        "d/pom.xml",
        b"<project>\n  <dependencies>\n    <dependency>\n  </dependencies>\n</project>\n",
    );
    write(
        root,
        "e/go.mod",
        b"module x\n\ngo 1.22\n\nrequire (\n\tgithub.com/a/b v1.0.0\n\tgithub.com/c/d\n",
    );
    write(
        root,
        "f/requirements.txt",
        b"flask==2.0.1\ndjango=>3\nrequests==2.31.0\n",
    );
    write(root, "g/composer.lock", b"\x00\x01binary");
    write(
        root,
        "h/Gemfile.lock",
        b"GEM\n  remote: https://rubygems.org/\n  specs:\n    rack 2.2.4\n    rake (13.0.6)\n",
    );
    write(root, "i/poetry.lock", b"[[package]]\nname = \"a\"\n");
    write(
        root,
        "j/pnpm-lock.yaml",
        b"lockfileVersion: '9.0'\npackages:\n  a@1.0.0: {\n",
    );
    write(root, "k/uv.lock", &[0xff, 0xfe, 0x41, 0x00]);
    write(root, "l/go.sum", b"github.com/a/b v1.0.0\n");

    let s = scan(root, &ScanOptions::default()).unwrap();
    assert_eq!(s.files.len(), 13);
    let errs = errors(&s);
    let expect = [
        "a/Cargo.lock:5: invalid TOML",
        "b/package-lock.json:4: invalid JSON: EOF while parsing an object",
        "c/yarn.lock:6: expected an entry header ending in `:`",
        "c/yarn.lock:8: missing has no version",
        "d/pom.xml:4: invalid XML",
        "e/go.mod:7: expected `require MODULE VERSION`",
        "e/go.mod:5: `require (` block is never closed",
        "f/requirements.txt:2: cannot read the version specifier \"=>3\" of django",
        "g/composer.lock: binary file",
        "h/Gemfile.lock:4: expected `name (version)`",
        "i/poetry.lock:1: invalid TOML",
        "j/pnpm-lock.yaml:3: invalid YAML",
        "k/uv.lock: UTF-16/UTF-32 encoded files are not supported",
        "l/go.sum:1: expected `MODULE VERSION HASH`",
    ];
    for e in expect {
        assert!(
            errs.iter().any(|x| x.starts_with(e)),
            "no error starting with {e:?} in {errs:#?}"
        );
    }
    assert_eq!(errs.len(), expect.len(), "{errs:#?}");
    // What could be read still was.
    assert_eq!(purls_of(&s, "good/Cargo.lock").len(), 3);
    assert_eq!(purls_of(&s, "c/yarn.lock"), ["pkg:npm/ok@1.0.0"]);
    assert_eq!(
        purls_of(&s, "e/go.mod"),
        ["pkg:golang/stdlib@1.22.0", "pkg:golang/github.com/a/b@v1.0.0"]
    );
    assert_eq!(
        purls_of(&s, "f/requirements.txt"),
        ["pkg:pypi/flask@2.0.1", "pkg:pypi/requests@2.31.0"]
    );
    assert_eq!(purls_of(&s, "h/Gemfile.lock"), ["pkg:gem/rake@13.0.6"]);
}

#[test]
fn requirements_includes_are_followed_inside_the_root_only() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    write(
        &root,
        "requirements.txt",
        b"-r shared/base.in\n--requirement=../outside.txt\nflask==2.0.1\n",
    );
    write(
        &root,
        "shared/base.in",
        b"# pins shared by every service\n-r ../requirements.txt\njinja2==3.1.2\n",
    );
    write(dir.path(), "outside.txt", b"secret==1.0\n");
    write(&root, "docs/requirements.txt", b"-r missing.txt\n");
    let s = scan(&root, &ScanOptions::default()).unwrap();
    assert_eq!(
        files(&s),
        [
            "docs/requirements.txt requirements",
            "requirements.txt requirements",
            "shared/base.in requirements"
        ]
    );
    assert_eq!(purls_of(&s, "shared/base.in"), ["pkg:pypi/jinja2@3.1.2"]);
    assert_eq!(purls_of(&s, "requirements.txt"), ["pkg:pypi/flask@2.0.1"]);
    let errs = errors(&s);
    assert_eq!(errs.len(), 2, "{errs:#?}");
    assert!(
        errs[0].starts_with("docs/requirements.txt:1: cannot read included file missing.txt"),
        "{errs:#?}"
    );
    assert!(
        errs[1]
            .starts_with("requirements.txt:2: included file ../outside.txt is outside the scanned directory"),
        "{errs:#?}"
    );
    assert!(!s.packages.iter().any(|p| p.package.name == "secret"));
}

#[test]
fn go_sum_complements_only_old_go_mods() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for f in ["go/go.mod", "go/go.sum", "go-legacy/go.mod", "go-legacy/go.sum"] {
        copy_fixture(root, f, f);
    }
    copy_fixture(root, "go-legacy/go.sum", "lonely/go.sum");
    let s = scan(root, &ScanOptions::default()).unwrap();
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    // Go 1.22: go.mod lists everything; testify in go.sum is only a test dependency of a
    // dependency.
    assert!(purls_of(&s, "go/go.sum").is_empty());
    // Go 1.15: go.sum adds what go.mod does not name.
    assert_eq!(
        purls_of(&s, "go-legacy/go.sum"),
        [
            "pkg:golang/github.com/konsorten/go-windows-terminal-sequences@v1.0.1",
            "pkg:golang/golang.org/x/sys@v0.0.0-20191026070338-33540a1f6037",
        ]
    );
    assert_eq!(purls_of(&s, "lonely/go.sum").len(), 3);
}

#[test]
fn a_single_file_is_scanned_by_its_name() {
    let s = scan(&fixtures().join("ruby/Gemfile.lock"), &ScanOptions::default()).unwrap();
    assert_eq!(files(&s), ["Gemfile.lock gemfile-lock"]);
    assert_eq!(s.packages.len(), 7);
    assert_eq!(s.packages[0].package.locations[0].path, "Gemfile.lock");

    let e = scan(
        &fixtures().join("../../lockfiles_scan.rs"),
        &ScanOptions::default(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("not a known lockfile name"), "{e}");
    let e = scan(&fixtures().join("no-such-dir"), &ScanOptions::default()).unwrap_err();
    assert!(e.to_string().contains("no-such-dir"), "{e}");
}

#[test]
fn files_over_the_size_limit_are_not_read() {
    let dir = tempfile::tempdir().unwrap();
    copy_fixture(dir.path(), "npm-v3/package-lock.json", "package-lock.json");
    let small = ScanOptions {
        max_file_size: 100,
        ..ScanOptions::default()
    };
    let s = scan(dir.path(), &small).unwrap();
    assert!(s.packages.is_empty());
    assert_eq!(errors(&s).len(), 1);
    assert!(
        errors(&s)[0].contains("over the 100-byte limit"),
        "{:?}",
        s.errors
    );
}

#[test]
fn the_scan_serializes_to_json() {
    let s = scan(&fixtures().join("maven"), &ScanOptions::default()).unwrap();
    let v = serde_json::to_value(&s).unwrap();
    let first = &v["packages"][0];
    assert_eq!(first["name"], "org.apache.logging.log4j:log4j-core");
    assert_eq!(first["type"], "maven");
    assert_eq!(first["line"], 33);
    assert_eq!(first["locations"][0]["path"], "pom.xml");
    assert_eq!(v["files"][0][1], "pom-xml");
    assert_eq!(v["skipped"].as_array().unwrap().len(), 3);
}

#[test]
fn symbolic_links_are_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let outside = dir.path().join("outside");
    copy_fixture(&outside, "cargo-v4/Cargo.lock", "Cargo.lock");
    let root = dir.path().join("repo");
    copy_fixture(&root, "ruby/Gemfile.lock", "Gemfile.lock");
    std::os::unix::fs::symlink(&outside, root.join("linked-dir")).unwrap();
    std::os::unix::fs::symlink(outside.join("Cargo.lock"), root.join("Cargo.lock")).unwrap();
    let s = scan(&root, &ScanOptions::default()).unwrap();
    assert_eq!(files(&s), ["Gemfile.lock gemfile-lock"]);
}
