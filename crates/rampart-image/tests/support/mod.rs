//! Helpers shared by the OS cataloger tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use rampart_image::catalogers::os;
use rampart_image::fs;
use rampart_image::inventory::{Selector, read_dir};
use rampart_image::{CatalogInput, Cataloger, Catalogued, Distro};

/// The committed fixtures of the OS catalogers.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/os")
        .join(name)
}

/// Runs one cataloger over a directory the way the inventory does, and returns what it
/// found (with its owned files, which the inventory does not expose) and the distribution.
pub fn catalog(cataloger: Box<dyn Cataloger>, root: &Path) -> (Catalogued, Option<Distro>) {
    let catalogers = vec![cataloger];
    let selector = Selector::new(&catalogers);
    let layer = read_dir(root, &selector).expect("read the fixture directory");
    let (index, mut captured, _) = fs::merge(vec![layer], selector.slots());
    let os_files = captured.pop().unwrap();
    let distro = os::detect(&CatalogInput {
        index: &index,
        files: &os_files,
        distro: None,
    });
    let out = catalogers[0].catalog(&CatalogInput {
        index: &index,
        files: &captured[0],
        distro: distro.as_ref(),
    });
    (out, distro)
}

/// Runs a reference tool and returns its standard output; fails the test with what to
/// install when the tool is missing, and with its error output when it fails.
pub fn run(cmd: &mut Command, install: &str) -> String {
    let program = cmd.get_program().to_string_lossy().into_owned();
    let out = match cmd.output() {
        Ok(out) => out,
        Err(e) => panic!("cannot run `{program}` ({e}): install it with `{install}`"),
    };
    assert!(
        out.status.success(),
        "`{cmd:?}` failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// The Debian 12 root filesystem built (once) by `tests/support/debian-rootfs.sh`.
pub fn debian_rootfs() -> PathBuf {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/debian-rootfs.sh");
    let out = run(
        Command::new("bash").arg(script),
        "apt-get install debootstrap (and run the tests as root)",
    );
    PathBuf::from(out.trim())
}
