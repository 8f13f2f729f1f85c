//! Shared by the `lang_*` tests: finding the reference tools, running them, and a cache
//! for built artefacts under the cargo target directory so reruns are fast.

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use rampart_image::inventory::{Inventory, catalog_dir_with};
use rampart_image::{Cataloger, Package};

/// A directory under the cargo target directory that survives between runs. `key`
/// should change whenever what is built there changes.
pub fn cache_dir(key: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("lang").join(key);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Fails the test, saying what to install, when a tool is missing.
pub fn require(tool: &str, install: &str) {
    let found =
        std::env::var_os("PATH").is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()));
    assert!(
        found,
        "`{tool}` is needed by this test and was not found on PATH: {install}"
    );
}

/// Runs a command, failing the test with its output when it fails; returns stdout.
pub fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// Writes a file, creating its directories.
pub fn write(path: &Path, contents: impl AsRef<[u8]>) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, contents).unwrap();
}

/// Builds something once: `build` runs in a fresh `dir` unless a marker says it already
/// completed there.
pub fn once(dir: &Path, build: impl FnOnce(&Path)) {
    let marker = dir.join(".complete");
    if marker.exists() {
        return;
    }
    if dir.exists() {
        // An interrupted Go build leaves a read-only module cache behind.
        let _ = Command::new("chmod").arg("-R").arg("u+w").arg(dir).status();
        std::fs::remove_dir_all(dir).unwrap();
    }
    std::fs::create_dir_all(dir).unwrap();
    build(dir);
    std::fs::write(marker, "").unwrap();
}

/// Runs one cataloger over a directory.
pub fn catalog(cataloger: impl Cataloger + 'static, root: &Path) -> Inventory {
    catalog_dir_with(Box::new(cataloger), root).expect("the root is readable")
}

/// `(name, version)` of packages found at a location.
pub fn found_at(inv: &Inventory, path: &str) -> BTreeSet<(String, String)> {
    inv.packages
        .iter()
        .filter(|p| p.locations.iter().any(|l| l.path == path))
        .map(|p| (p.name.clone(), p.version.clone()))
        .collect()
}

pub fn find<'a>(inv: &'a Inventory, name: &str) -> &'a Package {
    inv.packages
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no package {name} in {:#?}", inv.packages))
}

/// Copies a file and sets its permission bits.
pub fn install(from: &Path, to: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::copy(from, to).unwrap();
    std::fs::set_permissions(to, std::fs::Permissions::from_mode(mode)).unwrap();
}
