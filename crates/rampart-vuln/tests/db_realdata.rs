//! Imports the real OSV data in `shared/vulndata` (crates.io, Go, PyPI, AlmaLinux 9) and
//! checks the database against records read by hand.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use rampart_vuln::store::{Builder, Database, SourceKind};

/// `shared/vulndata` beside the repository (or beside a directory above it, for
/// checkouts kept in a subdirectory).
fn vulndata() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.ancestors()
        .map(|a| a.join("../shared/vulndata"))
        .find(|p| p.is_dir())
        .unwrap_or_else(|| {
            panic!(
                "shared/vulndata (the real OSV data these tests import) is not beside {}",
                root.display()
            )
        })
}

/// One database for the whole test program, built once.
fn db() -> &'static Database {
    static DB: OnceLock<(tempfile::TempDir, Database)> = OnceLock::new();
    &DB.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let mut b = Builder::new();
        for sub in ["crates.io", "go", "pypi", "almalinux9"] {
            let path = vulndata().join(sub);
            let s = b.add_source(sub, SourceKind::Import, &path.display().to_string(), 0);
            let stats = b.add_path(s, &path).unwrap();
            assert!(stats.problems.is_empty(), "{sub}: {:?}", stats.problems);
        }
        b.write(dir.path(), 0).unwrap();
        let db = Database::open(dir.path()).unwrap();
        (dir, db)
    })
    .1
}

#[test]
fn every_record_is_imported_and_withdrawn_ones_are_not() {
    let meta = db().metadata();
    let by_name = |n: &str| meta.sources.iter().find(|s| s.name == n).unwrap();
    // File counts of the folders (NOTICE.md and the allocator file are not records).
    assert_eq!(
        by_name("crates.io").records + by_name("crates.io").withdrawn,
        1206
    );
    assert_eq!(by_name("crates.io").withdrawn, 13);
    assert_eq!(by_name("go").records + by_name("go").withdrawn, 4291);
    assert_eq!(by_name("go").withdrawn, 17);
    assert_eq!(by_name("almalinux9").records, 1783);
    assert_eq!(by_name("pypi").records + by_name("pypi").withdrawn, 2661);
    assert!(by_name("pypi").withdrawn > 0);
    let records: usize = meta.sources.iter().map(|s| s.records).sum();
    assert_eq!(meta.advisories, records);
    // AlmaLinux's folder also holds AlmaLinux:8 and :10 entries.
    assert!(by_name("almalinux9").ecosystems.contains_key("AlmaLinux:8"));
}
