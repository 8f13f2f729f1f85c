//! What is inside a container image: the files its layers leave behind, and the packages
//! those files describe.
//!
//! - [`fs`]: the merged view of an image's files (whiteouts and opaque directories
//!   applied) as an index of paths, and the contents the catalogers asked for.
//! - [`catalog`]: the [`Cataloger`] trait and the list of catalogers.
//! - [`catalogers`]: one file per package database or language ecosystem.
//! - [`package`]: a found package, its purl and where it lives.
//! - [`layer`] and [`source`]: image references (archives, layouts, directories), layer
//!   blobs (gzip, zstd, plain) checked against their digests, hostile entries skipped.
//! - [`sbom`]: the inventory written as a table, Rampart's JSON, CycloneDX or SPDX.
//! - [`lockfiles`]: the packages a source tree pins in its lockfiles and manifests, before
//!   there is an image (`rampart deps`).
//!
//! Nothing here touches the network or the terminal, and nothing is ever written to disk:
//! layers are streamed and only the files a cataloger wants are kept in memory.
//! [`lockfiles::scan`] reads a source tree and never writes to it.

pub mod catalog;
pub mod catalogers;
pub mod fs;
pub mod inventory;
pub mod layer;
pub mod lockfiles;
pub mod package;
pub mod sbom;
pub mod source;

pub use catalog::{CatalogInput, Cataloger, Catalogued};
pub use fs::{Captured, EntryKind, FileIndex, FileMeta};
pub use inventory::{Inventory, inventory, inventory_dir};
pub use package::{Distro, Location, Package, PackageType};
