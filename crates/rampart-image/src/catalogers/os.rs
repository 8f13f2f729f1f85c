//! Distribution detection: `/etc/os-release`, `/usr/lib/os-release` and the older
//! distribution files, mapped to the OSV ecosystem name. Not written yet.

use crate::Distro;
use crate::catalog::CatalogInput;

/// The files [`detect`] reads; the inventory always captures them.
pub fn wants(path: &str) -> bool {
    matches!(path, "/etc/os-release" | "/usr/lib/os-release")
}

/// The distribution, from the files [`wants`] asked for.
pub fn detect(_input: &CatalogInput<'_>) -> Option<Distro> {
    None
}
