//! Java archives: real jars shipped by Debian (`/usr/share/java`, packages
//! libcommons-io-java, libcommons-lang3-java, libguava-java, libaopalliance-java), a jar
//! with only a manifest built with the JDK's `jar` tool, and a war and an ear nesting them
//! built with `zip`. The Maven coordinates found must be exactly those of the
//! `pom.properties` files `unzip` lists and prints, nested archives included.

mod lang_support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use lang_support::{cache_dir, catalog, find, once, require, run, write};
use rampart_image::catalogers::java::Java;

const DEBIAN_JARS: [&str; 4] = [
    "commons-io.jar",
    "commons-lang3.jar",
    "guava.jar",
    "aopalliance-1.0.jar",
];

fn zip(dir: &Path, archive: &Path, members: &[&str]) {
    run(Command::new("zip")
        .current_dir(dir)
        .arg("-qr")
        .arg(archive)
        .args(members));
}

/// A root with `/opt/lib/*.jar`, `/opt/app.war` and `/opt/bundle.ear`.
fn java_root() -> PathBuf {
    static BUILT: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _built = BUILT.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    for jar in DEBIAN_JARS {
        assert!(
            Path::new("/usr/share/java").join(jar).exists(),
            "/usr/share/java/{jar} is needed: apt-get install libcommons-io-java libcommons-lang3-java libguava-java libaopalliance-java"
        );
    }
    require("jar", "apt-get install default-jdk-headless");
    require("zip", "apt-get install zip");
    require("unzip", "apt-get install unzip");
    let dir = cache_dir("java-v1");
    once(&dir, |dir| {
        let lib = dir.join("root/opt/lib");
        std::fs::create_dir_all(&lib).unwrap();
        for jar in DEBIAN_JARS {
            std::fs::copy(Path::new("/usr/share/java").join(jar), lib.join(jar)).unwrap();
        }
        // A jar known only by its manifest.
        let work = dir.join("work");
        write(&work.join("classes/tool/Main.txt"), "not a class\n");
        write(
            &work.join("manifest.txt"),
            "Implementation-Title: tool\nImplementation-Version: 3.4.5\nImplementation-Vendor-Id: org.example\nBundle-License: Apache-2.0\n",
        );
        run(Command::new("jar").current_dir(&work).args([
            "--create",
            "--file",
            "tool.jar",
            "--manifest",
            "manifest.txt",
            "-C",
            "classes",
            ".",
        ]));
        // app.war: two jars in WEB-INF/lib; bundle.ear: the war and another jar.
        let war = work.join("war");
        write(&war.join("WEB-INF/web.xml"), "<web-app/>\n");
        std::fs::create_dir_all(war.join("WEB-INF/lib")).unwrap();
        std::fs::copy(lib.join("commons-io.jar"), war.join("WEB-INF/lib/commons-io.jar")).unwrap();
        std::fs::copy(work.join("tool.jar"), war.join("WEB-INF/lib/tool.jar")).unwrap();
        zip(&war, &dir.join("root/opt/app.war"), &["WEB-INF"]);
        let ear = work.join("ear");
        std::fs::create_dir_all(ear.join("lib")).unwrap();
        std::fs::copy(dir.join("root/opt/app.war"), ear.join("app.war")).unwrap();
        std::fs::copy(lib.join("commons-lang3.jar"), ear.join("lib/commons-lang3.jar")).unwrap();
        zip(&ear, &dir.join("root/opt/bundle.ear"), &["app.war", "lib"]);
    });
    dir.join("root")
}

/// `(location, group:artifact, version)` of every pom.properties of an archive and the
/// archives inside it, as `unzip` lists and prints them.
fn unzip_poms(archive: &Path, location: &str, out: &mut BTreeSet<(String, String, String)>) {
    let list = run(Command::new("unzip").arg("-Z1").arg(archive));
    for entry in list.lines() {
        if entry.starts_with("META-INF/maven/") && entry.ends_with("/pom.properties") {
            let text = run(Command::new("unzip").arg("-p").arg(archive).arg(entry));
            let get = |k: &str| {
                text.lines()
                    .find_map(|l| l.strip_prefix(&format!("{k}=")))
                    .unwrap()
                    .trim()
                    .to_string()
            };
            out.insert((
                location.to_string(),
                format!("{}:{}", get("groupId"), get("artifactId")),
                get("version"),
            ));
        } else if Path::new(entry)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("jar") || e.eq_ignore_ascii_case("war"))
        {
            let tmp = tempfile::NamedTempFile::new().unwrap();
            let bytes = Command::new("unzip")
                .arg("-p")
                .arg(archive)
                .arg(entry)
                .output()
                .unwrap()
                .stdout;
            std::fs::write(tmp.path(), bytes).unwrap();
            unzip_poms(tmp.path(), &format!("{location}:{entry}"), out);
        }
    }
}

#[test]
fn coordinates_match_the_pom_properties_unzip_finds() {
    let root = java_root();
    let inv = catalog(Java, &root);
    assert!(inv.warnings.is_empty(), "{:#?}", inv.warnings);
    let mut expected = BTreeSet::new();
    for archive in [
        "opt/lib/commons-io.jar",
        "opt/lib/commons-lang3.jar",
        "opt/lib/guava.jar",
        "opt/app.war",
        "opt/bundle.ear",
    ] {
        unzip_poms(&root.join(archive), &format!("/{archive}"), &mut expected);
    }
    assert!(expected.len() >= 6, "{expected:?}");
    let found: BTreeSet<_> = inv
        .packages
        .iter()
        .filter(|p| p.purl.starts_with("pkg:maven/") && p.name.contains(':') && p.name != "org.example:tool")
        .map(|p| (p.locations[0].path.clone(), p.name.clone(), p.version.clone()))
        .collect();
    assert_eq!(found, expected);
    assert!(
        expected.contains(&(
            "/opt/bundle.ear:app.war:WEB-INF/lib/commons-io.jar".into(),
            "commons-io:commons-io".into(),
            "2.11.0".into()
        )),
        "{expected:?}"
    );

    // Manifest only: coordinates from the manifest, in the war and in the ear's war.
    let tools: BTreeSet<_> = inv
        .packages
        .iter()
        .filter(|p| p.name == "org.example:tool")
        .map(|p| {
            (
                p.locations[0].path.as_str(),
                p.version.as_str(),
                p.purl.as_str(),
                p.licenses.clone(),
            )
        })
        .collect();
    let want = |at| {
        (
            at,
            "3.4.5",
            "pkg:maven/org.example/tool@3.4.5",
            vec!["Apache-2.0".to_string()],
        )
    };
    assert_eq!(
        tools,
        BTreeSet::from([
            want("/opt/app.war:WEB-INF/lib/tool.jar"),
            want("/opt/bundle.ear:app.war:WEB-INF/lib/tool.jar")
        ])
    );
    // No pom.properties and no version in the manifest: the file name gives it.
    let aop = find(&inv, "aopalliance");
    assert_eq!(
        (aop.version.as_str(), aop.purl.as_str()),
        ("1.0", "pkg:maven/aopalliance@1.0")
    );
    let io = inv
        .packages
        .iter()
        .find(|p| p.locations[0].path == "/opt/lib/commons-io.jar")
        .unwrap();
    assert_eq!(io.purl, "pkg:maven/commons-io/commons-io@2.11.0");
}

#[test]
fn corrupt_archives_and_zip_bombs_are_warnings_naming_the_file() {
    require("zip", "apt-get install zip");
    let root = tempfile::tempdir().unwrap();
    let opt = root.path().join("opt");
    // Garbage, and a real jar cut in half.
    write(
        &opt.join("garbage.jar"),
        b"PK\x03\x04 this is not a zip archive at all",
    );
    let real = std::fs::read("/usr/share/java/commons-io.jar").expect("apt-get install libcommons-io-java");
    write(&opt.join("cut.jar"), &real[..real.len() / 2]);
    // A war whose nested "jar" is 80 MB of zeros (a few kilobytes compressed).
    let work = tempfile::tempdir().unwrap();
    let huge = work.path().join("WEB-INF/lib/huge.jar");
    write(&huge, vec![0u8; 80 << 20]);
    zip(work.path(), &opt.join("bomb.war"), &["WEB-INF"]);
    assert!(std::fs::metadata(opt.join("bomb.war")).unwrap().len() < 1 << 20);
    // A corrupt nested jar: the outer archive is still read.
    let work2 = tempfile::tempdir().unwrap();
    write(&work2.path().join("lib/bad.jar"), b"not a zip");
    std::fs::copy(
        "/usr/share/java/commons-io.jar",
        work2.path().join("lib/commons-io.jar"),
    )
    .unwrap();
    zip(work2.path(), &opt.join("mixed.ear"), &["lib"]);

    let inv = catalog(Java, root.path());
    let warned = |path: &str, needle: &str| {
        inv.warnings
            .iter()
            .any(|w| w.path.as_deref() == Some(path) && w.message.contains(needle))
    };
    assert!(
        warned("/opt/garbage.jar", "not a readable Java archive"),
        "{:#?}",
        inv.warnings
    );
    assert!(
        warned("/opt/cut.jar", "not a readable Java archive"),
        "{:#?}",
        inv.warnings
    );
    assert!(
        warned("/opt/bomb.war", "WEB-INF/lib/huge.jar"),
        "{:#?}",
        inv.warnings
    );
    assert!(warned("/opt/mixed.ear", "lib/bad.jar"), "{:#?}", inv.warnings);
    let names: Vec<_> = inv
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.locations[0].path.as_str()))
        .collect();
    assert_eq!(
        names,
        [("commons-io:commons-io", "/opt/mixed.ear:lib/commons-io.jar")]
    );
}

#[test]
fn zip64_prefixed_and_stored_archives() {
    require("zip", "apt-get install zip");
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    write(
        &w.join("src/META-INF/maven/org.example/lib/pom.properties"),
        "#Generated by Maven\ngroupId=org.example\nartifactId=lib\nversion=0.9.1\n",
    );
    let root = tempfile::tempdir().unwrap();
    let opt = root.path().join("opt");
    std::fs::create_dir_all(&opt).unwrap();
    run(Command::new("zip")
        .current_dir(w.join("src"))
        .arg("-qr")
        .arg("-fz")
        .arg(opt.join("zip64.jar"))
        .arg("META-INF"));
    run(Command::new("zip")
        .current_dir(w.join("src"))
        .arg("-qr")
        .arg("-0")
        .arg(opt.join("stored.jar"))
        .arg("META-INF"));
    // A launcher script in front of the archive, offsets not adjusted.
    let mut prefixed = b"#!/bin/sh\nexec java -jar \"$0\" \"$@\"\n".to_vec();
    prefixed.extend(std::fs::read(opt.join("stored.jar")).unwrap());
    std::fs::write(opt.join("launcher.jar"), prefixed).unwrap();
    let inv = catalog(Java, root.path());
    assert!(inv.warnings.is_empty(), "{:#?}", inv.warnings);
    let found: Vec<_> = inv
        .packages
        .iter()
        .map(|p| (p.locations[0].path.as_str(), p.purl.as_str()))
        .collect();
    let purl = "pkg:maven/org.example/lib@0.9.1";
    assert_eq!(
        found,
        [
            ("/opt/launcher.jar", purl),
            ("/opt/stored.jar", purl),
            ("/opt/zip64.jar", purl)
        ]
    );
}
