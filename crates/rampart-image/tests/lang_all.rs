//! All catalogers together over one root (`inventory_dir`): each language's fixtures are
//! found by its own cataloger only, and an unreadable or oversized executable, which both
//! binary catalogers want, is one warning.

mod lang_support;

use std::collections::BTreeMap;
use std::path::Path;

use lang_support::write;

fn copy_tree(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from) {
        let e = e.unwrap();
        let rel = e.path().strip_prefix(from).unwrap();
        if e.file_type().is_file() {
            write(&to.join(rel), std::fs::read(e.path()).unwrap());
        }
    }
}

#[test]
fn catalogers_share_a_root_without_double_reports() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lang");
    let root = tempfile::tempdir().unwrap();
    for lang in ["python", "ruby", "php", "dotnet"] {
        copy_tree(&fixtures.join(lang), root.path());
    }
    let ls = std::fs::read("/bin/ls").unwrap();
    for (name, data) in [("ls", &ls[..]), ("cut", &ls[..ls.len() / 2])] {
        let path = root.path().join("usr/bin").join(name);
        write(&path, data);
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    }
    // An executable larger than the binary catalogers read (sparse: no disk used).
    let big = std::fs::File::create(root.path().join("usr/bin/huge")).unwrap();
    big.set_len(300 << 20).unwrap();
    std::fs::set_permissions(
        root.path().join("usr/bin/huge"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let inv = rampart_image::inventory_dir(root.path()).unwrap();
    let mut by_cataloger: BTreeMap<&str, usize> = BTreeMap::new();
    for p in &inv.packages {
        *by_cataloger.entry(p.cataloger).or_default() += 1;
    }
    assert_eq!(
        by_cataloger,
        BTreeMap::from([("dotnet", 2), ("php", 7), ("python", 3), ("ruby", 3)])
    );
    let cut: Vec<_> = inv
        .warnings
        .iter()
        .filter(|w| w.path.as_deref() == Some("/usr/bin/cut"))
        .collect();
    assert_eq!(cut.len(), 1, "{:#?}", inv.warnings);
    assert!(cut[0].message.starts_with("go: "), "{}", cut[0].message);
    // Too large for both binary catalogers: one warning, and it is not read.
    let huge: Vec<_> = inv
        .warnings
        .iter()
        .filter(|w| w.path.as_deref() == Some("/usr/bin/huge"))
        .collect();
    assert_eq!(huge.len(), 1, "{:#?}", inv.warnings);
    assert!(huge[0].message.starts_with("skipped: "), "{}", huge[0].message);
    // The fixture gemspec without a name is the only other warning.
    assert_eq!(inv.warnings.len(), 3, "{:#?}", inv.warnings);
}
