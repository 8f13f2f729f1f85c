//! Alpine packages (and the other apk distributions: Wolfi, Chainguard, postmarketOS):
//! the database `/lib/apk/db/installed` (`/usr/lib/apk/db/installed` on merged-/usr
//! systems).
//!
//! The database is a list of records separated by blank lines, one `X:value` line per
//! field: `P` name, `V` version, `A` architecture, `L` licence, `o` origin (the source
//! package), and the installed files as `F:` directory lines each followed by the `R:`
//! lines of the files in it.

use std::collections::BTreeSet;

use crate::fs::Warning;
use crate::package::{PackageType, SourcePackage, purl};
use crate::{CatalogInput, Cataloger, Catalogued, FileMeta, Package};

pub struct Apk;

const INSTALLED: [&str; 2] = ["/lib/apk/db/installed", "/usr/lib/apk/db/installed"];

impl Cataloger for Apk {
    fn id(&self) -> &'static str {
        "apk"
    }

    fn wants(&self, path: &str, _meta: &FileMeta) -> bool {
        INSTALLED.contains(&path)
    }

    fn catalog(&self, input: &CatalogInput<'_>) -> Catalogued {
        let mut out = Catalogued::default();
        let mut owned = BTreeSet::new();
        let mut seen_real = BTreeSet::new();
        for path in INSTALLED {
            let Some(data) = input.files.get(path).map(|f| &f.data) else {
                continue;
            };
            // `/lib` may be a link to `/usr/lib`: the same database seen twice.
            let real = input.index.resolve(path).unwrap_or_else(|| path.to_string());
            if !seen_real.insert(real) {
                continue;
            }
            let parsed = parse_installed(&String::from_utf8_lossy(data));
            for (line, message) in parsed.errors {
                out.warnings.push(Warning {
                    layer: input.layer_of(path),
                    path: Some(path.to_string()),
                    message: format!("apk: line {line}: {message}"),
                });
            }
            let namespace = input.distro.map_or("alpine", |d| d.id.as_str());
            let distro = input
                .distro
                .map(super::dpkg::distro_qualifier)
                .unwrap_or_default();
            for r in parsed.records {
                owned.extend(r.files.iter().cloned());
                let purl = purl(
                    PackageType::Apk,
                    Some(namespace),
                    &r.name,
                    &r.version,
                    &[("arch", &r.arch), ("distro", &distro)],
                );
                out.packages.push(Package {
                    purl,
                    source: Some(SourcePackage {
                        name: if r.origin.is_empty() {
                            r.name.clone()
                        } else {
                            r.origin
                        },
                        version: r.version.clone(),
                    }),
                    arch: Some(r.arch).filter(|a| !a.is_empty()),
                    licenses: if r.license.is_empty() {
                        vec![]
                    } else {
                        vec![r.license]
                    },
                    locations: vec![input.location(path)],
                    cataloger: "apk",
                    name: r.name,
                    version: r.version,
                    kind: PackageType::Apk,
                });
            }
        }
        out.owned_files = owned.into_iter().collect();
        out
    }
}

/// One record of the apk database.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    pub name: String,
    pub version: String,
    pub arch: String,
    pub license: String,
    pub origin: String,
    /// Installed files (`F:` directory + `R:` name), absolute.
    pub files: Vec<String>,
    /// Line of the record's first field.
    pub line: usize,
}

/// What [`parse_installed`] found.
#[derive(Debug, Default)]
pub struct Installed {
    pub records: Vec<Record>,
    /// `(line, message)` for lines and records that could not be read.
    pub errors: Vec<(usize, String)>,
}

/// Reads an apk `installed` database.
pub fn parse_installed(text: &str) -> Installed {
    let mut out = Installed::default();
    let mut current: Option<Record> = None;
    let mut dir = String::new();
    let finish = |r: Option<Record>, out: &mut Installed| {
        let Some(r) = r else { return };
        if r.name.is_empty() || r.version.is_empty() {
            out.errors
                .push((r.line, "record without a name (P:) or version (V:)".into()));
        } else {
            out.records.push(r);
        }
    };
    for (n, line) in text.lines().enumerate() {
        let n = n + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            finish(current.take(), &mut out);
            dir.clear();
            continue;
        }
        let bytes = line.as_bytes();
        if bytes.len() < 2 || bytes[1] != b':' || !bytes[0].is_ascii_alphabetic() {
            out.errors.push((n, "line is not `X:value`".into()));
            continue;
        }
        let value = &line[2..];
        let r = current.get_or_insert_with(|| Record {
            line: n,
            ..Record::default()
        });
        match bytes[0] {
            b'P' => value.clone_into(&mut r.name),
            b'V' => value.clone_into(&mut r.version),
            b'A' => value.clone_into(&mut r.arch),
            b'L' => value.clone_into(&mut r.license),
            b'o' => value.clone_into(&mut r.origin),
            b'F' => {
                dir.clear();
                dir.push('/');
                dir.push_str(value.trim_matches('/'));
            }
            b'R' => {
                if value.is_empty() || value.contains('/') {
                    out.errors.push((n, format!("bad file name `{value}`")));
                } else if dir.is_empty() || dir == "/" {
                    r.files.push(format!("/{value}"));
                } else {
                    r.files.push(format!("{dir}/{value}"));
                }
            }
            _ => {}
        }
    }
    finish(current, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_join_their_directory() {
        let p = parse_installed("P:a\nV:1-r0\nR:top\nF:usr/bin\nR:x\nF:etc\nR:y\n\nP:b\n");
        assert_eq!(p.records.len(), 1);
        assert_eq!(p.records[0].files, ["/top", "/usr/bin/x", "/etc/y"]);
        assert_eq!(
            p.errors,
            [(9, "record without a name (P:) or version (V:)".to_string())]
        );
    }
}
