//! Debian packages: the dpkg database `/var/lib/dpkg/status`, and the one-file-per-package
//! `/var/lib/dpkg/status.d/` of distroless images.
//!
//! A package counts when its files are on disk: every `Status` but `not-installed` and
//! `config-files` (only configuration files left after a removal). Files installed come
//! from `/var/lib/dpkg/info/<package>[:<arch>].list` (or the `status.d/<file>.md5sums` of
//! distroless images); licences from `/usr/share/doc/<package>/copyright` when it is in
//! the machine-readable format (DEP-5).

use std::collections::BTreeSet;

use crate::fs::{EntryKind, FileIndex, Warning};
use crate::package::{PackageType, SourcePackage, purl};
use crate::{CatalogInput, Cataloger, Catalogued, Distro, FileMeta, Package};

pub struct Dpkg;

const STATUS: &str = "/var/lib/dpkg/status";
const STATUS_D: &str = "/var/lib/dpkg/status.d/";
const INFO: &str = "/var/lib/dpkg/info/";
const DOC: &str = "/usr/share/doc/";

impl Cataloger for Dpkg {
    fn id(&self) -> &'static str {
        "dpkg"
    }

    fn wants(&self, path: &str, _meta: &FileMeta) -> bool {
        if path == STATUS {
            return true;
        }
        if let Some(name) = path.strip_prefix(STATUS_D) {
            return !name.contains('/');
        }
        if let Some(name) = path.strip_prefix(INFO) {
            return !name.contains('/')
                && std::path::Path::new(name)
                    .extension()
                    .is_some_and(|e| e == "list");
        }
        if let Some(rest) = path.strip_prefix(DOC) {
            return rest
                .split_once('/')
                .is_some_and(|(pkg, file)| !pkg.is_empty() && file == "copyright");
        }
        false
    }

    fn reduce(&self, path: &str, data: Vec<u8>) -> Result<Option<Vec<u8>>, String> {
        if path.starts_with(DOC) {
            // Only the licence names are kept, one a line; free-form files are dropped.
            return Ok(copyright_licenses(&String::from_utf8_lossy(&data)).map(|l| l.join("\n").into_bytes()));
        }
        Ok(Some(data))
    }

    fn catalog(&self, input: &CatalogInput<'_>) -> Catalogued {
        let mut out = Catalogued::default();
        let mut sources: Vec<(String, bool)> = Vec::new();
        if input.files.get(STATUS).is_some() {
            sources.push((STATUS.to_string(), false));
        }
        for (path, _) in input.files.iter() {
            if path.starts_with(STATUS_D) && !path.ends_with(".md5sums") {
                sources.push((path.to_string(), true));
            }
        }
        let mut owned = BTreeSet::new();
        for (path, distroless) in sources {
            let Some(data) = input.read(&path) else {
                continue;
            };
            let text = String::from_utf8_lossy(data);
            let parsed = parse_status(&text);
            for (line, message) in parsed.errors {
                out.warnings
                    .push(warning(input, &path, &format!("line {line}: {message}")));
            }
            for entry in parsed.entries {
                // Distroless status.d files have no Status: they list installed
                // packages only.
                let present = entry.present() || (distroless && entry.status.is_empty());
                if !present {
                    continue;
                }
                let listing = if distroless {
                    let sums = format!("{path}.md5sums");
                    input
                        .read(&sums)
                        .map(|d| md5sums_paths(&String::from_utf8_lossy(d)))
                } else {
                    list_file(input, &entry.package, &entry.arch)
                };
                for p in listing.unwrap_or_default() {
                    if is_dir(input.index, &p) {
                        continue;
                    }
                    owned.insert(p);
                }
                let licenses = input
                    .read(&format!("{DOC}{}/copyright", entry.package))
                    .map(|d| {
                        String::from_utf8_lossy(d)
                            .lines()
                            .filter(|l| !l.is_empty())
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default();
                out.packages.push(entry.into_package(input, &path, licenses));
            }
        }
        out.owned_files = owned.into_iter().collect();
        out
    }
}

/// Whether a path is a directory of the image, through symbolic links (packages list
/// `/lib/...` on systems where `/lib` links to `/usr/lib`).
pub(crate) fn is_dir(index: &FileIndex, path: &str) -> bool {
    let kind = |p: &str| index.get(p).map(|e| &e.meta.kind);
    match kind(path) {
        Some(EntryKind::Dir) => true,
        Some(EntryKind::File | EntryKind::Other | EntryKind::Hardlink(_)) => false,
        Some(EntryKind::Symlink(_)) | None => index
            .resolve(path)
            .is_some_and(|real| kind(&real) == Some(&EntryKind::Dir)),
    }
}

fn warning(input: &CatalogInput<'_>, path: &str, message: &str) -> Warning {
    Warning {
        layer: input.layer_of(path),
        path: Some(path.to_string()),
        message: format!("dpkg: {message}"),
    }
}

/// The paths of `/var/lib/dpkg/info/<package>:<arch>.list` (Multi-Arch: same packages)
/// or `<package>.list`.
fn list_file(input: &CatalogInput<'_>, package: &str, arch: &str) -> Option<Vec<String>> {
    let data = input
        .read(&format!("{INFO}{package}:{arch}.list"))
        .or_else(|| input.read(&format!("{INFO}{package}.list")))?;
    Some(
        String::from_utf8_lossy(data)
            .lines()
            .filter(|l| l.starts_with('/') && *l != "/.")
            .map(str::to_string)
            .collect(),
    )
}

/// The paths of an `md5sums` file (`<md5>  <path without the leading slash>`).
fn md5sums_paths(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.split_once("  ").map(|(_, p)| p.trim_end()))
        .filter(|p| !p.is_empty())
        .map(|p| {
            if p.starts_with('/') {
                p.to_string()
            } else {
                format!("/{p}")
            }
        })
        .collect()
}

/// One package of a dpkg database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub package: String,
    pub version: String,
    pub arch: String,
    /// The third word of `Status` (`installed`, `config-files` ...); empty when missing.
    pub status: String,
    pub source_name: String,
    pub source_version: String,
    /// Line of the paragraph in its file.
    pub line: usize,
}

impl Entry {
    /// Whether the package's files are on disk (dpkg's states from `unpacked` on, and
    /// `half-installed`, whose files are partly there).
    pub fn present(&self) -> bool {
        !matches!(self.status.as_str(), "not-installed" | "config-files" | "")
    }

    fn into_package(self, input: &CatalogInput<'_>, path: &str, licenses: Vec<String>) -> Package {
        let namespace = deb_namespace(input.distro);
        let distro = input.distro.map(distro_qualifier).unwrap_or_default();
        let (epoch, upstream) = split_epoch(&self.version);
        let purl = purl(
            PackageType::Deb,
            Some(namespace),
            &self.package,
            upstream,
            &[("arch", &self.arch), ("distro", &distro), ("epoch", epoch)],
        );
        Package {
            purl,
            source: Some(SourcePackage {
                name: self.source_name,
                version: self.source_version,
            }),
            arch: Some(self.arch).filter(|a| !a.is_empty()),
            licenses,
            locations: vec![input.location(path)],
            cataloger: "dpkg",
            name: self.package,
            version: self.version,
            kind: PackageType::Deb,
        }
    }
}

/// `1:2.3-4` -> (`1`, `2.3-4`); no epoch -> (``, the version).
pub fn split_epoch(version: &str) -> (&str, &str) {
    match version.split_once(':') {
        Some((e, rest)) if !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit()) => (e, rest),
        _ => ("", version),
    }
}

fn deb_namespace(distro: Option<&Distro>) -> &str {
    match distro {
        Some(d) if !d.id.is_empty() => &d.id,
        _ => "debian",
    }
}

/// The purl `distro` qualifier: `debian-12`, `ubuntu-22.04`, `alpine-3.20.3`.
pub fn distro_qualifier(d: &Distro) -> String {
    if d.version_id.is_empty() {
        d.id.clone()
    } else {
        format!("{}-{}", d.id, d.version_id)
    }
}

/// What [`parse_status`] found.
#[derive(Debug, Default)]
pub struct Status {
    pub entries: Vec<Entry>,
    /// `(line, message)` for paragraphs that could not be read.
    pub errors: Vec<(usize, String)>,
}

/// Reads a dpkg status file (or one file of `status.d`). Every paragraph with a
/// `Package` is returned; whether it is installed is [`Entry::present`].
pub fn parse_status(text: &str) -> Status {
    let mut out = Status::default();
    for para in paragraphs(text) {
        for (line, message) in &para.errors {
            out.errors.push((*line, message.clone()));
        }
        let Some(package) = para.get("Package") else {
            if !para.fields.is_empty() {
                out.errors
                    .push((para.line, "paragraph without a Package field".into()));
            }
            continue;
        };
        if package.is_empty() {
            out.errors.push((para.line, "empty Package field".into()));
            continue;
        }
        let version = para.get("Version").unwrap_or_default();
        let status = para
            .get("Status")
            .and_then(|s| s.split_whitespace().nth(2))
            .unwrap_or_default()
            .to_string();
        if version.is_empty() && !matches!(status.as_str(), "not-installed" | "config-files") {
            out.errors
                .push((para.line, format!("package {package} has no Version")));
            continue;
        }
        let (source_name, source_version) = match para.get("Source") {
            Some(src) => match src.split_once('(') {
                Some((name, rest)) => (
                    name.trim().to_string(),
                    rest.trim_end().trim_end_matches(')').trim().to_string(),
                ),
                None => (src.trim().to_string(), version.to_string()),
            },
            None => (package.to_string(), version.to_string()),
        };
        out.entries.push(Entry {
            package: package.to_string(),
            version: version.to_string(),
            arch: para.get("Architecture").unwrap_or_default().to_string(),
            status,
            source_name,
            source_version,
            line: para.line,
        });
    }
    out
}

/// One paragraph of a Debian control-style file (RFC 822-like `Field: value` lines,
/// continuation lines starting with a space or tab, paragraphs separated by blank lines).
#[derive(Debug, Default)]
pub struct Paragraph<'a> {
    /// Line number (1-based) of its first field.
    pub line: usize,
    /// Field names and the first line of their values, in order.
    pub fields: Vec<(&'a str, &'a str)>,
    pub errors: Vec<(usize, String)>,
}

impl Paragraph<'_> {
    /// The first line of a field (names compare case-insensitively, as in dpkg).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    }
}

/// Splits a control-style file into paragraphs. Only the first line of each field is
/// kept: the fields read here (`Package`, `Version`, `License` ...) are single-line, and
/// multi-line ones (descriptions, licence texts) are skipped without being copied.
pub fn paragraphs(text: &str) -> Vec<Paragraph<'_>> {
    let mut out = Vec::new();
    let mut current = Paragraph::default();
    for (n, line) in text.lines().enumerate() {
        let n = n + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            if !current.fields.is_empty() || !current.errors.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if current.fields.is_empty() {
                current
                    .errors
                    .push((n, "continuation line outside a field".into()));
            }
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        match line.split_once(':') {
            Some((name, value)) if !name.is_empty() && !name.contains(char::is_whitespace) => {
                if current.fields.is_empty() {
                    current.line = n;
                }
                current.fields.push((name, value.trim()));
            }
            _ => {
                if current.fields.is_empty() && current.errors.is_empty() {
                    current.line = n;
                }
                current
                    .errors
                    .push((n, "line is neither `Field: value` nor a continuation".into()));
            }
        }
    }
    if !current.fields.is_empty() || !current.errors.is_empty() {
        out.push(current);
    }
    out
}

/// The licences of a machine-readable `debian/copyright` (DEP-5): the short names of the
/// `License` fields, in order of first appearance. `None` for a free-form file.
pub fn copyright_licenses(text: &str) -> Option<Vec<String>> {
    let paras = paragraphs(text);
    let header = paras.first()?;
    let format = header.get("Format")?;
    if !format.contains("copyright-format") && !format.contains("dep5") {
        return None;
    }
    let mut out: Vec<String> = Vec::new();
    for p in &paras[1..] {
        // Only `Files` paragraphs say what applies; stand-alone `License` paragraphs
        // hold the texts of licences the `Files` paragraphs already name.
        if p.get("Files").is_none() {
            continue;
        }
        if let Some(l) = p.get("License").map(str::trim).filter(|l| !l.is_empty())
            && !out.iter().any(|o| o == l)
        {
            out.push(l.to_string());
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_field_forms() {
        let s = parse_status(
            "Package: a\nStatus: install ok installed\nVersion: 1:2.0-1+b1\nSource: src (2.0-1)\n\n\
             Package: b\nStatus: install ok installed\nVersion: 3\nSource: bsrc\n\n\
             Package: c\nStatus: deinstall ok config-files\nVersion: 4\n",
        );
        assert!(s.errors.is_empty(), "{:?}", s.errors);
        let e = &s.entries;
        assert_eq!(
            (e[0].source_name.as_str(), e[0].source_version.as_str()),
            ("src", "2.0-1")
        );
        assert_eq!(
            (e[1].source_name.as_str(), e[1].source_version.as_str()),
            ("bsrc", "3")
        );
        assert!(e[0].present() && e[1].present() && !e[2].present());
        assert_eq!(split_epoch(&e[0].version), ("1", "2.0-1+b1"));
    }

    #[test]
    fn empty_package_name_is_an_error() {
        // Found by fuzzing: `Package: ` gave a package without a name.
        let s = parse_status("Package: \nStatus: install ok installed\nVersion: 1\n");
        assert!(s.entries.is_empty());
        assert_eq!(s.errors, [(1, "empty Package field".to_string())]);
    }

    #[test]
    fn garbage_lines_are_reported_with_their_line() {
        let s =
            parse_status("Package: a\nVersion: 1\nStatus: install ok installed\nnot a field\n\n no field\n");
        assert_eq!(s.entries.len(), 1);
        assert_eq!(s.errors.iter().map(|(l, _)| *l).collect::<Vec<_>>(), [4, 6]);
    }

    #[test]
    fn dep5_licences_come_from_files_paragraphs() {
        let text = "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\
                    Upstream-Name: x\n\nFiles: *\nCopyright: someone\nLicense: GPL-2+\n\n\
                    Files: lib/*\nLicense: LGPL-2.1+ or MIT\n\nFiles: debian/*\nLicense: GPL-2+\n\n\
                    License: GPL-2+\n This program is free software.\n";
        assert_eq!(
            copyright_licenses(text).unwrap(),
            ["GPL-2+".to_string(), "LGPL-2.1+ or MIT".to_string()]
        );
        assert_eq!(copyright_licenses("This is free software.\n"), None);
    }
}
