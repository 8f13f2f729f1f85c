//! RPM packages: the SQLite rpm database `rpmdb.sqlite` of current distributions (RHEL and
//! its rebuilds from 9, Fedora from 33, openSUSE, Amazon Linux 2023), in
//! `/var/lib/rpm/` or `/usr/lib/sysimage/rpm/`.
//!
//! The database file is read from memory by a small reader of the SQLite format
//! ([`sqlite`]), and each row of its `Packages` table is an rpm header blob ([`header`]).
//! The older BerkeleyDB (`Packages`) and NDB (`Packages.db`) databases are not read: a
//! warning names them.

pub mod header;
pub mod sqlite;

use std::collections::BTreeSet;

use crate::fs::{EntryKind, Warning};
use crate::package::{PackageType, SourcePackage, purl};
use crate::{CatalogInput, Cataloger, Catalogued, Distro, FileMeta, Package};

pub struct Rpm;

const DIRS: [&str; 2] = ["/var/lib/rpm", "/usr/lib/sysimage/rpm"];
const SQLITE: &str = "rpmdb.sqlite";
const OLD_FORMATS: [(&str, &str); 2] = [("Packages", "BerkeleyDB"), ("Packages.db", "NDB")];

/// rpm databases of large images reach a few hundred megabytes.
const MAX_DB: u64 = 1 << 30;

impl Cataloger for Rpm {
    fn id(&self) -> &'static str {
        "rpm"
    }

    fn wants(&self, path: &str, _meta: &FileMeta) -> bool {
        DIRS.iter()
            .any(|d| path.strip_prefix(d).and_then(|r| r.strip_prefix('/')) == Some(SQLITE))
    }

    fn max_file_size(&self) -> u64 {
        MAX_DB
    }

    fn catalog(&self, input: &CatalogInput<'_>) -> Catalogued {
        let mut out = Catalogued::default();
        let mut owned = BTreeSet::new();
        let mut found = false;
        for (path, file) in input.files.iter() {
            found = true;
            let warn = |message: String| Warning {
                layer: input.layer_of(path),
                path: Some(path.to_string()),
                message: format!("rpm: {message}"),
            };
            let wal = format!("{path}-wal");
            if input.index.get(&wal).is_some_and(|e| e.meta.size > 0) {
                out.warnings.push(warn(format!(
                    "{wal} is not empty: changes not yet checkpointed into the database are not read"
                )));
            }
            let (packages, problems) = read_database(&file.data);
            out.warnings.extend(problems.into_iter().map(warn));
            for p in packages {
                for f in &p.files {
                    if !super::dpkg::is_dir(input.index, f) {
                        owned.insert(f.clone());
                    }
                }
                out.packages.push(to_package(input, path, p));
            }
        }
        if !found {
            for dir in DIRS {
                for (name, format) in OLD_FORMATS {
                    let path = format!("{dir}/{name}");
                    if input
                        .index
                        .get(&path)
                        .is_some_and(|e| e.meta.kind == EntryKind::File)
                    {
                        out.warnings.push(Warning {
                            layer: input
                                .index
                                .get(&path)
                                .and_then(|e| input.index.layer_digest(e))
                                .map(str::to_string),
                            path: Some(path),
                            message: format!(
                                "rpm: {format} rpm databases are not read; packages of this image are missing"
                            ),
                        });
                    }
                }
            }
        }
        out.owned_files = owned.into_iter().collect();
        out
    }
}

/// Reads the packages of an `rpmdb.sqlite` file, and the problems met (a damaged row is
/// skipped, the others are still read). `gpg-pubkey` entries (imported signing keys, not
/// packages) are left out.
pub fn read_database(data: &[u8]) -> (Vec<header::RpmPackage>, Vec<String>) {
    let mut problems = Vec::new();
    let db = match sqlite::Database::open(data) {
        Ok(db) => db,
        Err(e) => return (Vec::new(), vec![e]),
    };
    let root = match db.table_root("Packages") {
        Ok(r) => r,
        Err(e) => return (Vec::new(), vec![e]),
    };
    let mut packages = Vec::new();
    let errors = db.for_each_row(root, |rowid, payload| {
        let blob = match sqlite::decode_record(&payload) {
            Ok(cols) => match cols.get(1) {
                Some(sqlite::Value::Blob(b)) => *b,
                other => {
                    let what = other.map_or("nothing", |v| match v {
                        sqlite::Value::Null => "NULL",
                        sqlite::Value::Integer(_) => "an integer",
                        sqlite::Value::Real(_) => "a real",
                        sqlite::Value::Text(_) => "text",
                        sqlite::Value::Blob(_) => "a blob",
                    });
                    problems.push(format!("row {rowid}: the blob column holds {what}"));
                    return;
                }
            },
            Err(e) => {
                problems.push(format!("row {rowid}: {e}"));
                return;
            }
        };
        match header::parse(blob) {
            Ok(p) if p.name == "gpg-pubkey" => {}
            Ok(p) => packages.push(p),
            Err(e) => problems.push(format!("row {rowid}: {e}")),
        }
    });
    problems.extend(errors);
    (packages, problems)
}

/// The purl namespace of a distribution's rpm packages.
fn namespace(distro: Option<&Distro>) -> Option<&str> {
    let id = distro?.id.as_str();
    Some(match id {
        "rhel" => "redhat",
        "ol" => "oracle",
        "amzn" => "amazon",
        "sles" | "sled" | "sles_sap" => "suse",
        id if id.starts_with("opensuse") => "opensuse",
        id => id,
    })
}

fn to_package(input: &CatalogInput<'_>, path: &str, p: header::RpmPackage) -> Package {
    let version = p.full_version();
    let plain = format!("{}-{}", p.version, p.release);
    let epoch = p
        .epoch
        .filter(|e| *e != 0)
        .map(|e| e.to_string())
        .unwrap_or_default();
    let distro = input
        .distro
        .map(super::dpkg::distro_qualifier)
        .unwrap_or_default();
    let arch = p.arch.clone().unwrap_or_default();
    let purl = purl(
        PackageType::Rpm,
        namespace(input.distro),
        &p.name,
        &plain,
        &[("arch", &arch), ("distro", &distro), ("epoch", &epoch)],
    );
    // A source package shares the epoch of the binaries built from it.
    let source = p
        .source_rpm
        .as_deref()
        .and_then(header::split_source_rpm)
        .map(|(name, v)| SourcePackage {
            name: name.to_string(),
            version: if epoch.is_empty() {
                v.to_string()
            } else {
                format!("{epoch}:{v}")
            },
        });
    Package {
        purl,
        source,
        arch: p.arch,
        licenses: p.license.into_iter().filter(|l| !l.is_empty()).collect(),
        locations: vec![input.location(path)],
        cataloger: "rpm",
        name: p.name,
        version,
        kind: PackageType::Rpm,
    }
}
