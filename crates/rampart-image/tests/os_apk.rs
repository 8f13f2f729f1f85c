//! The apk cataloger on a hand-written database in the format of Alpine's
//! `/lib/apk/db/installed`.

mod support;

use rampart_image::catalogers::apk::Apk;

#[test]
fn alpine_database() {
    let (found, distro) = support::catalog(Box::new(Apk), &support::fixture("apk"));
    assert!(found.warnings.is_empty(), "{:?}", found.warnings);
    assert_eq!(distro.unwrap().osv_ecosystem.as_deref(), Some("Alpine:v3.20"));
    let got: Vec<_> = found
        .packages
        .iter()
        .map(|p| {
            (
                p.name.as_str(),
                p.version.as_str(),
                p.arch.as_deref().unwrap(),
                p.source.as_ref().unwrap().name.as_str(),
                p.licenses.join(" "),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("musl", "1.2.5-r0", "x86_64", "musl", "MIT".to_string()),
            (
                "busybox",
                "1.36.1-r29",
                "x86_64",
                "busybox",
                "GPL-2.0-only".to_string()
            ),
            (
                "libcrypto3",
                "3.3.2-r0",
                "x86_64",
                "openssl",
                "Apache-2.0".to_string()
            ),
            (
                "ssl_client",
                "1.36.1-r29",
                "x86_64",
                "busybox",
                "GPL-2.0-only".to_string()
            ),
        ]
    );
    assert_eq!(
        found.packages[2].purl,
        "pkg:apk/alpine/libcrypto3@3.3.2-r0?arch=x86_64&distro=alpine-3.20.3"
    );
    assert!(
        found
            .packages
            .iter()
            .all(|p| p.locations[0].path == "/lib/apk/db/installed")
    );
    assert_eq!(
        found.owned_files,
        [
            "/bin/busybox",
            "/bin/sh",
            "/etc/securetty",
            "/etc/ssl/openssl.cnf.dist",
            "/lib/ld-musl-x86_64.so.1",
            "/lib/libc.musl-x86_64.so.1",
            "/usr/bin/ssl_client",
            "/usr/lib/libcrypto.so.3",
            "/usr/share/udhcpc/default.script",
        ]
    );
}

#[test]
fn merged_usr_database_is_read_once() {
    // `/lib` -> `usr/lib`: the database is found under both names but is one file.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("usr/lib/apk/db");
    std::fs::create_dir_all(&db).unwrap();
    std::fs::copy(support::fixture("apk/lib/apk/db/installed"), db.join("installed")).unwrap();
    std::os::unix::fs::symlink("usr/lib", dir.path().join("lib")).unwrap();
    let (found, _) = support::catalog(Box::new(Apk), dir.path());
    assert_eq!(found.packages.len(), 4);
    assert_eq!(found.packages[0].locations[0].path, "/usr/lib/apk/db/installed");
    // No distribution detected: the namespace defaults to alpine, no distro qualifier.
    assert_eq!(found.packages[0].purl, "pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64");
}

#[test]
fn broken_database_warns_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("lib/apk/db");
    std::fs::create_dir_all(&db).unwrap();
    // The fixture has 103 lines (the last one blank): the additions start at line 104.
    let mut text = std::fs::read(support::fixture("apk/lib/apk/db/installed")).unwrap();
    text.extend_from_slice(b"P:noversion\nA:x86_64\n\nthis is not a field\nP:x\nV:1\nR:a/b\n");
    text.extend_from_slice(&[0xff; 300]);
    std::fs::write(db.join("installed"), text).unwrap();
    let (found, _) = support::catalog(Box::new(Apk), dir.path());
    assert_eq!(found.packages.len(), 5);
    let messages: Vec<_> = found.warnings.iter().map(|w| w.message.as_str()).collect();
    assert!(
        found
            .warnings
            .iter()
            .all(|w| w.path.as_deref() == Some("/lib/apk/db/installed"))
    );
    assert_eq!(
        messages,
        [
            "apk: line 104: record without a name (P:) or version (V:)",
            "apk: line 107: line is not `X:value`",
            "apk: line 110: bad file name `a/b`",
            "apk: line 111: line is not `X:value`",
        ]
    );
}
