//! Catalogers: what turns files into packages.
//!
//! A cataloger says which files it wants ([`Cataloger::wants`], decided from the path and
//! metadata alone, while the layers stream past), may shrink each one as it is read
//! ([`Cataloger::reduce`], so a 60 MB binary is kept as the few hundred bytes of its build
//! information), and at the end turns what it kept into packages
//! ([`Cataloger::catalog`]).

use crate::fs::{Captured, FileIndex, FileMeta, Warning};
use crate::package::{Distro, Package};

/// The default largest file a cataloger is handed (bigger files are skipped with a
/// warning).
pub const DEFAULT_MAX_FILE: u64 = 64 << 20;

pub trait Cataloger: Sync + Send {
    /// Stable id, also the `cataloger` of every package it reports (`dpkg`, `python` ...).
    fn id(&self) -> &'static str;

    /// Whether the contents of this file are needed. Called for every entry of every
    /// layer: decide from the path and metadata, cheaply.
    fn wants(&self, path: &str, meta: &FileMeta) -> bool;

    /// Shrinks a wanted file as soon as it is read. `Ok(None)` drops it (for example a
    /// binary without build information); `Err` drops it with a warning.
    fn reduce(&self, _path: &str, data: Vec<u8>) -> Result<Option<Vec<u8>>, String> {
        Ok(Some(data))
    }

    /// Files larger than this are not read (a warning names them).
    fn max_file_size(&self) -> u64 {
        DEFAULT_MAX_FILE
    }

    /// Turns the captured files into packages.
    fn catalog(&self, input: &CatalogInput<'_>) -> Catalogued;
}

/// What a cataloger sees at the end.
pub struct CatalogInput<'a> {
    /// Every path of the merged image.
    pub index: &'a FileIndex,
    /// The files this cataloger wanted, after [`Cataloger::reduce`].
    pub files: &'a Captured,
    /// The distribution, when one was detected.
    pub distro: Option<&'a Distro>,
}

impl CatalogInput<'_> {
    /// The captured contents at `path`, following symbolic links inside the image.
    pub fn read(&self, path: &str) -> Option<&[u8]> {
        if let Some(f) = self.files.get(path) {
            return Some(&f.data);
        }
        let real = self.index.resolve(path)?;
        self.files.get(&real).map(|f| f.data.as_slice())
    }

    /// The digest of the layer a captured file came from.
    pub fn layer_of(&self, path: &str) -> Option<String> {
        let f = self.files.get(path)?;
        self.index.layers.get(f.layer as usize).and_then(Clone::clone)
    }

    /// A package location for a captured file.
    pub fn location(&self, path: &str) -> crate::Location {
        crate::Location {
            path: path.to_string(),
            layer: self.layer_of(path),
        }
    }
}

/// What a cataloger found.
#[derive(Debug, Default)]
pub struct Catalogued {
    pub packages: Vec<Package>,
    /// Files installed by the packages found (OS package databases list them), so the
    /// language catalogers do not report a package the distribution installed twice.
    pub owned_files: Vec<String>,
    pub warnings: Vec<Warning>,
}
