//! From layers to an inventory: which catalogers want which file, merging the layers,
//! detecting the distribution, running the catalogers, and dropping language packages
//! that an OS package installed.

use std::collections::HashSet;
use std::io::Read;

use rayon::prelude::*;
use serde::Serialize;

use crate::catalog::{CatalogInput, Cataloger};
use crate::catalogers::os;
use crate::fs::{self, FileIndex, FileMeta, LayerContents, Warning};
use crate::package::{Distro, Package};

/// Decides, for each entry of a layer, which catalogers want it, and captures it for them.
pub struct Selector<'a> {
    catalogers: &'a [Box<dyn Cataloger>],
}

/// How much of a wanted file may be read at most when no cataloger says otherwise.
const OS_RELEASE_MAX: u64 = 1 << 20;

impl<'a> Selector<'a> {
    pub fn new(catalogers: &'a [Box<dyn Cataloger>]) -> Self {
        Self { catalogers }
    }

    /// The slot of the distribution detection (after the catalogers').
    pub fn os_slot(&self) -> usize {
        self.catalogers.len()
    }

    /// Number of capture slots ([`fs::merge`]'s `catalogers` argument).
    pub fn slots(&self) -> usize {
        self.catalogers.len() + 1
    }

    /// The catalogers (by slot) that want this entry, and the largest size any of them
    /// accepts.
    pub fn wanted(&self, path: &str, meta: &FileMeta) -> (Vec<usize>, u64) {
        let mut slots = Vec::new();
        let mut max = 0;
        if meta.kind != fs::EntryKind::File {
            return (slots, 0);
        }
        if os::wants(path) {
            slots.push(self.os_slot());
            max = OS_RELEASE_MAX;
        }
        for (i, c) in self.catalogers.iter().enumerate() {
            if c.wants(path, meta) {
                slots.push(i);
                max = max.max(c.max_file_size());
            }
        }
        (slots, max)
    }

    /// Reads a wanted file (`reader` yields its contents) and stores what each cataloger
    /// keeps of it in `out`. Problems become warnings on `out`.
    pub fn capture(
        &self,
        path: &str,
        meta: &FileMeta,
        slots: &[usize],
        reader: &mut dyn Read,
        out: &mut LayerContents,
    ) {
        let limit_of = |slot: usize| {
            if slot == self.os_slot() {
                OS_RELEASE_MAX
            } else {
                self.catalogers[slot].max_file_size()
            }
        };
        // Files too large for every cataloger that wants them are not read at all (one
        // warning per limit, not per cataloger).
        let mut too_large: Vec<u64> = Vec::new();
        let slots: Vec<usize> = slots
            .iter()
            .copied()
            .filter(|&slot| {
                let limit = limit_of(slot);
                if meta.size > limit && !too_large.contains(&limit) {
                    too_large.push(limit);
                }
                meta.size <= limit
            })
            .collect();
        for limit in too_large {
            let w = warning(
                out,
                path,
                format!(
                    "skipped: {} bytes, larger than the {limit} bytes read for this kind of file",
                    meta.size
                ),
            );
            out.warnings.push(w);
        }
        if slots.is_empty() {
            return;
        }
        let mut data = Vec::with_capacity(meta.size.min(1 << 24) as usize);
        if let Err(e) = reader.take(meta.size).read_to_end(&mut data) {
            out.warnings.push(warning(out, path, format!("cannot read: {e}")));
            return;
        }
        let last = slots.len() - 1;
        let mut data = Some(data);
        for (n, &slot) in slots.iter().enumerate() {
            let bytes = if n == last {
                data.take().unwrap_or_default()
            } else {
                data.clone().unwrap_or_default()
            };
            if slot == self.os_slot() {
                out.captures.push((slot, path.to_string(), bytes));
                continue;
            }
            match self.catalogers[slot].reduce(path, bytes) {
                Ok(Some(kept)) => out.captures.push((slot, path.to_string(), kept)),
                Ok(None) => {}
                Err(message) => {
                    let w = warning(out, path, format!("{}: {message}", self.catalogers[slot].id()));
                    out.warnings.push(w);
                }
            }
        }
    }
}

fn warning(out: &LayerContents, path: &str, message: String) -> Warning {
    Warning {
        layer: out.digest.clone(),
        path: Some(path.to_string()),
        message,
    }
}

/// Everything found in an image.
#[derive(Debug, Serialize)]
pub struct Inventory {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distro: Option<Distro>,
    pub packages: Vec<Package>,
    pub warnings: Vec<Warning>,
    /// How many paths the merged image has.
    pub files: usize,
}

/// Merges the layers and runs the catalogers.
pub fn inventory(catalogers: &[Box<dyn Cataloger>], layers: Vec<LayerContents>) -> Inventory {
    let selector = Selector::new(catalogers);
    let (index, mut captured, mut warnings) = fs::merge(layers, selector.slots());
    let os_files = captured.pop().unwrap_or_default();
    let distro = os::detect(&CatalogInput {
        index: &index,
        files: &os_files,
        distro: None,
    });
    let results: Vec<_> = catalogers
        .par_iter()
        .zip(captured.par_iter())
        .map(|(c, files)| {
            c.catalog(&CatalogInput {
                index: &index,
                files,
                distro: distro.as_ref(),
            })
        })
        .collect();
    let owned: HashSet<&str> = results
        .iter()
        .flat_map(|r| r.owned_files.iter().map(String::as_str))
        .collect();
    let mut packages = Vec::new();
    for r in &results {
        warnings.extend(r.warnings.iter().cloned());
        for p in &r.packages {
            if is_language(p) && p.locations.iter().all(|l| owned_by(&index, &owned, &l.path)) {
                continue;
            }
            packages.push(p.clone());
        }
    }
    packages.sort_by(|a, b| {
        (a.kind, &a.name, &a.version, &a.locations).cmp(&(b.kind, &b.name, &b.version, &b.locations))
    });
    Inventory {
        distro,
        packages,
        warnings,
        files: index.len(),
    }
}

fn is_language(p: &Package) -> bool {
    p.kind.osv_ecosystem().is_some()
}

/// Whether an OS package installed this path (or, for metadata directories such as
/// `*.dist-info/METADATA`, the directory holding it).
fn owned_by(index: &FileIndex, owned: &HashSet<&str>, path: &str) -> bool {
    if owned.is_empty() {
        return false;
    }
    if owned.contains(path) || owned.contains(fs::parent(path)) {
        return true;
    }
    // Packages list paths as installed, which may go through a symlinked directory
    // (`/lib` -> `/usr/lib` on merged-/usr systems).
    index
        .resolve(path)
        .is_some_and(|real| real != path && owned.contains(real.as_str()))
}

/// Reads an unpacked root filesystem as a single layer. Symbolic links are indexed, never
/// followed; nothing outside `root` is read.
pub fn read_dir(root: &std::path::Path, selector: &Selector<'_>) -> std::io::Result<LayerContents> {
    use std::os::unix::fs::PermissionsExt;
    let mut out = LayerContents::default();
    std::fs::metadata(root)?;
    for entry in walkdir::WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
    {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                out.warnings.push(Warning {
                    layer: None,
                    path: e.path().map(|p| p.display().to_string()),
                    message: format!("cannot read: {e}"),
                });
                continue;
            }
        };
        let Ok(rel) = entry.path().strip_prefix(root) else {
            continue;
        };
        let Some(rel) = rel.to_str() else {
            out.warnings.push(Warning {
                layer: None,
                path: Some(entry.path().display().to_string()),
                message: "skipped: the path is not UTF-8".into(),
            });
            continue;
        };
        let Some(path) = fs::normalize(rel) else {
            continue;
        };
        if path == "/" {
            continue;
        }
        let Ok(md) = entry.path().symlink_metadata() else {
            continue;
        };
        let ft = md.file_type();
        let kind = if ft.is_symlink() {
            match std::fs::read_link(entry.path()) {
                Ok(t) => fs::EntryKind::Symlink(t.to_string_lossy().into_owned()),
                Err(_) => fs::EntryKind::Other,
            }
        } else if ft.is_dir() {
            fs::EntryKind::Dir
        } else if ft.is_file() {
            fs::EntryKind::File
        } else {
            fs::EntryKind::Other
        };
        let meta = FileMeta {
            kind,
            size: if ft.is_file() { md.len() } else { 0 },
            mode: md.permissions().mode() & 0o7777,
        };
        let (slots, _) = selector.wanted(&path, &meta);
        if !slots.is_empty() {
            match std::fs::File::open(entry.path()) {
                Ok(mut f) => selector.capture(&path, &meta, &slots, &mut f, &mut out),
                Err(e) => out.warnings.push(Warning {
                    layer: None,
                    path: Some(path.clone()),
                    message: format!("cannot read: {e}"),
                }),
            }
        }
        out.entries.push((path, meta));
    }
    Ok(out)
}

/// Inventories an unpacked root filesystem with every cataloger.
pub fn inventory_dir(root: &std::path::Path) -> std::io::Result<Inventory> {
    let catalogers = crate::catalogers::all();
    let layer = read_dir(root, &Selector::new(&catalogers))?;
    Ok(inventory(&catalogers, vec![layer]))
}

/// Captured files of a directory for one cataloger alone, for tests of that cataloger.
pub fn catalog_dir_with(cataloger: Box<dyn Cataloger>, root: &std::path::Path) -> std::io::Result<Inventory> {
    let catalogers = vec![cataloger];
    let layer = read_dir(root, &Selector::new(&catalogers))?;
    Ok(inventory(&catalogers, vec![layer]))
}
