//! Rust binaries built here with `cargo auditable` (`cargo install cargo-auditable`): the
//! crates the cataloger reports must be exactly what `rust-audit-info` (`cargo install
//! rust-audit-info`) decodes from the same binary, with the versions of Cargo.lock.

mod lang_support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use lang_support::{cache_dir, catalog, find, found_at, install, once, require, run, write};
use rampart_image::catalogers::rust::Rust;

/// The binary and its Cargo.lock.
fn binary() -> (PathBuf, PathBuf) {
    static BUILT: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _built = BUILT.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    require("cargo-auditable", "cargo install cargo-auditable");
    let dir = cache_dir("rust-v1");
    once(&dir, |dir| {
        write(
            &dir.join("app/Cargo.toml"),
            "[package]\nname = \"audited-app\"\nversion = \"0.3.1\"\nedition = \"2021\"\n\n[dependencies]\nitoa = \"1\"\ncfg-if = \"1\"\n\n[workspace]\n",
        );
        write(
            &dir.join("app/src/main.rs"),
            "fn main() {\n    cfg_if::cfg_if! { if #[cfg(unix)] { let n = 42; } else { let n = 7; } }\n    println!(\"{}\", itoa::Buffer::new().format(n));\n}\n",
        );
        run(Command::new("cargo")
            .current_dir(dir.join("app"))
            .env("CARGO_TARGET_DIR", dir.join("target"))
            .env_remove("RUSTFLAGS")
            .args(["auditable", "build", "--quiet"]));
    });
    (dir.join("target/debug/audited-app"), dir.join("app/Cargo.lock"))
}

/// `(name, version)` of every package `rust-audit-info` decodes.
fn rust_audit_info(binary: &Path) -> BTreeSet<(String, String)> {
    require("rust-audit-info", "cargo install rust-audit-info");
    let json = run(Command::new("rust-audit-info").arg(binary));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    v["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_string(),
                p["version"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// `(name, version)` of every package of Cargo.lock.
fn cargo_lock(path: &Path) -> BTreeSet<(String, String)> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut out = BTreeSet::new();
    for block in text.split("[[package]]").skip(1) {
        let field = |k: &str| {
            block
                .lines()
                .find_map(|l| l.strip_prefix(&format!("{k} = \"")))
                .map(|v| v.trim_end_matches('"').to_string())
                .unwrap()
        };
        out.insert((field("name"), field("version")));
    }
    out
}

#[test]
fn crates_match_rust_audit_info_and_cargo_lock() {
    let (bin, lock) = binary();
    let root = tempfile::tempdir().unwrap();
    install(&bin, &root.path().join("usr/local/bin/app"), 0o755);
    // An executable without the section: nothing, no warning.
    install(Path::new("/bin/ls"), &root.path().join("usr/bin/ls"), 0o755);
    let inv = catalog(Rust, root.path());
    assert!(inv.warnings.is_empty(), "{:#?}", inv.warnings);

    let expected = rust_audit_info(&bin);
    assert!(expected.len() >= 3, "{expected:?}");
    assert_eq!(found_at(&inv, "/usr/local/bin/app"), expected);
    let lock = cargo_lock(&lock);
    assert!(expected.is_subset(&lock), "{expected:?} not in {lock:?}");
    assert!(found_at(&inv, "/usr/bin/ls").is_empty());

    let itoa = find(&inv, "itoa");
    assert_eq!(itoa.purl, format!("pkg:cargo/itoa@{}", itoa.version));
    assert_eq!(find(&inv, "audited-app").version, "0.3.1");
}

#[test]
fn a_corrupt_dependency_section_is_a_warning_naming_the_file() {
    let (bin, _) = binary();
    let mut data = std::fs::read(&bin).unwrap();
    // Overwrite the compressed JSON (after its two-byte zlib header) with garbage.
    let json = rampart_image::catalogers::rust::read_dep_section(&data)
        .unwrap()
        .unwrap();
    assert!(json.starts_with(b"{"));
    let file = object::File::parse(&*data).unwrap();
    let (off, len) =
        object::ObjectSection::file_range(&object::Object::section_by_name(&file, ".dep-v0").unwrap())
            .unwrap();
    drop(file);
    for b in &mut data[off as usize + 2..(off + len) as usize] {
        *b = 0xa5;
    }
    let root = tempfile::tempdir().unwrap();
    let path = root.path().join("usr/bin/broken");
    write(&path, &data);
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let inv = catalog(Rust, root.path());
    assert!(inv.packages.is_empty());
    assert_eq!(inv.warnings.len(), 1, "{:#?}", inv.warnings);
    assert_eq!(inv.warnings[0].path.as_deref(), Some("/usr/bin/broken"));
    assert!(
        inv.warnings[0].message.starts_with("rust: "),
        "{}",
        inv.warnings[0].message
    );
}
