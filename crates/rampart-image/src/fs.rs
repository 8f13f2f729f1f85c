//! The merged view of an image's files.
//!
//! Layers are read one after the other (see [`LayerContents`]); [`merge`] applies them in
//! order, honouring whiteouts (`.wh.NAME` removes `NAME` from the layers below) and opaque
//! directories (`.wh..wh..opq` hides everything the layers below put in that directory).
//! The result is a [`FileIndex`] of every path that is left, and, per cataloger, the
//! contents of the files it asked for ([`Captured`]).
//!
//! Paths are absolute and normalised: `/etc/os-release`, never `./etc/os-release`,
//! `etc/os-release` or `/etc//os-release`. A path that would leave the root (`..`) is
//! refused by [`normalize`].

use std::collections::BTreeMap;

/// What an entry is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    File,
    Dir,
    /// A symbolic link and its target, as written (relative or absolute).
    Symlink(String),
    /// A hard link to another path of the image (normalised).
    Hardlink(String),
    /// Devices, FIFOs, sockets: indexed, never read.
    Other,
}

/// What a cataloger can see of a file before deciding whether it wants its contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileMeta {
    pub kind: EntryKind,
    pub size: u64,
    /// Unix permission bits (`0o755`).
    pub mode: u32,
}

impl FileMeta {
    pub fn is_executable(&self) -> bool {
        self.kind == EntryKind::File && self.mode & 0o111 != 0
    }
}

/// One path of the merged image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub meta: FileMeta,
    /// Index of the layer that last wrote it (into [`FileIndex::layers`]).
    pub layer: u32,
}

/// Normalises a path from a layer or a directory walk to the absolute form used
/// everywhere (`/a/b`). Returns `None` for a path that climbs above the root (`../x`,
/// `a/../../x`): such entries are hostile and must not be indexed.
pub fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    let mut out = String::with_capacity(path.len() + 1);
    for p in &parts {
        out.push('/');
        out.push_str(p);
    }
    if out.is_empty() {
        out.push('/');
    }
    Some(out)
}

/// The parent directory of a normalised path (`/` for top-level entries).
pub fn parent(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) | None => "/",
        Some(i) => &path[..i],
    }
}

/// Every path left in the image once all layers are applied.
#[derive(Debug, Default)]
pub struct FileIndex {
    entries: BTreeMap<String, Entry>,
    /// Layer digests in order (`sha256:...`); `None` for a directory source.
    pub layers: Vec<Option<String>>,
}

/// How many symbolic links a path may go through before it counts as a loop.
const MAX_LINKS: usize = 40;

impl FileIndex {
    pub fn get(&self, path: &str) -> Option<&Entry> {
        self.entries.get(path)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// All entries in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Entry)> {
        self.entries.iter().map(|(p, e)| (p.as_str(), e))
    }

    /// Entries under a directory (not the directory itself), in path order.
    pub fn under<'a>(&'a self, dir: &str) -> impl Iterator<Item = (&'a str, &'a Entry)> + 'a {
        let prefix = if dir.ends_with('/') {
            dir.to_string()
        } else {
            format!("{dir}/")
        };
        self.entries
            .range(prefix.clone()..)
            .take_while(move |(p, _)| p.starts_with(&prefix))
            .map(|(p, e)| (p.as_str(), e))
    }

    /// The digest of the layer an entry came from.
    pub fn layer_digest(&self, entry: &Entry) -> Option<&str> {
        self.layers.get(entry.layer as usize).and_then(|d| d.as_deref())
    }

    /// Follows symbolic links (in every component) the way the kernel would inside a
    /// chroot: absolute targets start at the image root, `..` stops at the root, and more
    /// than 40 links is a loop. Returns the real path, or `None` when a component is
    /// missing or the links loop. Hard links resolve to their target.
    pub fn resolve(&self, path: &str) -> Option<String> {
        let mut budget = MAX_LINKS;
        self.resolve_inner(path, &mut budget)
    }

    fn resolve_inner(&self, path: &str, budget: &mut usize) -> Option<String> {
        let mut done = String::new();
        let normalized = normalize(path)?;
        let mut rest: Vec<String> = normalized
            .split('/')
            .filter(|p| !p.is_empty())
            .rev()
            .map(str::to_string)
            .collect();
        while let Some(part) = rest.pop() {
            if part == ".." {
                if let Some(i) = done.rfind('/') {
                    done.truncate(i);
                }
                continue;
            }
            let candidate = format!("{done}/{part}");
            match self.entries.get(&candidate).map(|e| &e.meta.kind) {
                Some(EntryKind::Symlink(target)) => {
                    if *budget == 0 {
                        return None;
                    }
                    *budget -= 1;
                    if target.starts_with('/') {
                        done.clear();
                    }
                    for p in target.split('/').filter(|p| !p.is_empty() && *p != ".").rev() {
                        rest.push(p.to_string());
                    }
                }
                Some(EntryKind::Hardlink(target)) if rest.is_empty() => {
                    if *budget == 0 {
                        return None;
                    }
                    *budget -= 1;
                    return self.resolve_inner(&target.clone(), budget);
                }
                Some(_) => done = candidate,
                // Directories are often implicit in layers (no entry of their own).
                None if !rest.is_empty() && self.has_children(&candidate) => done = candidate,
                None => return None,
            }
        }
        if done.is_empty() {
            done.push('/');
        }
        Some(done)
    }

    fn has_children(&self, dir: &str) -> bool {
        self.under(dir).next().is_some()
    }
}

/// A file's contents as captured for one cataloger (after its [`reduce`]).
///
/// [`reduce`]: crate::Cataloger::reduce
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapturedFile {
    pub data: Vec<u8>,
    /// Index of the layer the file came from.
    pub layer: u32,
}

/// The files one cataloger asked for, by normalised path.
#[derive(Debug, Default)]
pub struct Captured {
    files: BTreeMap<String, CapturedFile>,
}

impl Captured {
    pub fn get(&self, path: &str) -> Option<&CapturedFile> {
        self.files.get(path)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &CapturedFile)> {
        self.files.iter().map(|(p, f)| (p.as_str(), f))
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn insert(&mut self, path: String, file: CapturedFile) {
        self.files.insert(path, file);
    }
}

/// A problem with one entry of one layer that did not stop the inventory.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Warning {
    /// The layer digest, when the entry came from a layer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
    /// The path as written in the layer (not normalised: it may be the hostile one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    pub message: String,
}

/// What one layer (or a directory) contributes, read independently of the other layers
/// so layers can be read in parallel.
#[derive(Debug, Default)]
pub struct LayerContents {
    pub digest: Option<String>,
    pub entries: Vec<(String, FileMeta)>,
    /// Paths removed from the layers below (`.wh.NAME`).
    pub whiteouts: Vec<String>,
    /// Directories whose lower-layer contents are hidden (`.wh..wh..opq`).
    pub opaque_dirs: Vec<String>,
    /// `(cataloger index, path, reduced contents)`.
    pub captures: Vec<(usize, String, Vec<u8>)>,
    pub warnings: Vec<Warning>,
}

/// Applies layers in order. Returns the merged index, one [`Captured`] per cataloger, and
/// the warnings of all layers.
pub fn merge(layers: Vec<LayerContents>, catalogers: usize) -> (FileIndex, Vec<Captured>, Vec<Warning>) {
    let mut index = FileIndex::default();
    let mut captured: Vec<Captured> = (0..catalogers).map(|_| Captured::default()).collect();
    let mut warnings = Vec::new();
    for (n, layer) in layers.into_iter().enumerate() {
        let n = n as u32;
        for dir in &layer.opaque_dirs {
            remove_below(&mut index.entries, dir, false, n);
            for c in &mut captured {
                remove_below_captured(&mut c.files, dir, false, n);
            }
        }
        for path in &layer.whiteouts {
            remove_below(&mut index.entries, path, true, n);
            for c in &mut captured {
                remove_below_captured(&mut c.files, path, true, n);
            }
        }
        for (path, meta) in layer.entries {
            // A file replacing a directory (or a link) hides what the lower layers had
            // below that path.
            if meta.kind != EntryKind::Dir
                && index
                    .entries
                    .get(&path)
                    .is_some_and(|e| e.meta.kind == EntryKind::Dir)
            {
                remove_below(&mut index.entries, &path, false, n);
                for c in &mut captured {
                    remove_below_captured(&mut c.files, &path, false, n);
                }
            }
            if meta.kind != EntryKind::File {
                // A link or directory over a captured file: the capture is stale.
                for c in &mut captured {
                    if c.files.get(&path).is_some_and(|f| f.layer < n) {
                        c.files.remove(&path);
                    }
                }
            }
            index.entries.insert(path, Entry { meta, layer: n });
        }
        for (c, path, data) in layer.captures {
            captured[c].files.insert(path, CapturedFile { data, layer: n });
        }
        index.layers.push(layer.digest.clone());
        warnings.extend(layer.warnings);
    }
    (index, captured, warnings)
}

fn remove_below(entries: &mut BTreeMap<String, Entry>, path: &str, itself: bool, layer: u32) {
    if itself && entries.get(path).is_some_and(|e| e.layer < layer) {
        entries.remove(path);
    }
    let prefix = if path == "/" {
        "/".to_string()
    } else {
        format!("{path}/")
    };
    let doomed: Vec<String> = entries
        .range(prefix.clone()..)
        .take_while(|(p, _)| p.starts_with(&prefix))
        .filter(|(_, e)| e.layer < layer)
        .map(|(p, _)| p.clone())
        .collect();
    for p in doomed {
        entries.remove(&p);
    }
}

fn remove_below_captured(files: &mut BTreeMap<String, CapturedFile>, path: &str, itself: bool, layer: u32) {
    if itself && files.get(path).is_some_and(|f| f.layer < layer) {
        files.remove(path);
    }
    let prefix = if path == "/" {
        "/".to_string()
    } else {
        format!("{path}/")
    };
    files.retain(|p, f| !(p.starts_with(&prefix) && f.layer < layer));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> FileMeta {
        FileMeta {
            kind: EntryKind::File,
            size: 1,
            mode: 0o644,
        }
    }

    fn link(target: &str) -> FileMeta {
        FileMeta {
            kind: EntryKind::Symlink(target.into()),
            size: 0,
            mode: 0o777,
        }
    }

    #[test]
    fn normalize_refuses_paths_above_the_root() {
        assert_eq!(normalize("./etc//os-release").as_deref(), Some("/etc/os-release"));
        assert_eq!(normalize("/a/b/../c").as_deref(), Some("/a/c"));
        assert_eq!(normalize("../etc/passwd"), None);
        assert_eq!(normalize("a/../../x"), None);
        assert_eq!(normalize("./").as_deref(), Some("/"));
    }

    #[test]
    fn whiteouts_and_opaque_dirs_hide_only_lower_layers() {
        let lower = LayerContents {
            entries: vec![
                ("/a/x".into(), file()),
                ("/a/y".into(), file()),
                ("/b/z".into(), file()),
                ("/c".into(), file()),
            ],
            captures: vec![(0, "/a/x".into(), b"old".to_vec())],
            ..LayerContents::default()
        };
        let upper = LayerContents {
            entries: vec![("/a/new".into(), file()), ("/c".into(), file())],
            whiteouts: vec!["/b".into(), "/c".into()],
            opaque_dirs: vec!["/a".into()],
            ..LayerContents::default()
        };
        let (index, captured, _) = merge(vec![lower, upper], 1);
        let paths: Vec<_> = index.iter().map(|(p, _)| p).collect();
        // `/c` is whited out and written again by the same layer: the new one stays.
        assert_eq!(paths, ["/a/new", "/c"]);
        assert_eq!(index.get("/c").unwrap().layer, 1);
        assert!(captured[0].get("/a/x").is_none());
    }

    #[test]
    fn resolve_follows_links_inside_the_root() {
        let layer = LayerContents {
            entries: vec![
                ("/usr/lib/os-release".into(), file()),
                ("/etc/os-release".into(), link("../usr/lib/os-release")),
                ("/escape".into(), link("../../../../usr/lib/os-release")),
                ("/abs".into(), link("/usr/lib/os-release")),
                ("/lib".into(), link("usr/lib")),
                ("/loop1".into(), link("loop2")),
                ("/loop2".into(), link("loop1")),
            ],
            ..LayerContents::default()
        };
        let (index, _, _) = merge(vec![layer], 0);
        for p in ["/etc/os-release", "/escape", "/abs", "/lib/os-release"] {
            assert_eq!(index.resolve(p).as_deref(), Some("/usr/lib/os-release"), "{p}");
        }
        assert_eq!(index.resolve("/loop1"), None);
        assert_eq!(index.resolve("/missing"), None);
    }
}
