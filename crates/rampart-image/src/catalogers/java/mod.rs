//! Java archives: `.jar`, `.war`, `.ear` (and the `.jpi`/`.hpi` plugin, `.sar` and `.par`
//! variants), with the archives nested inside them (`WEB-INF/lib/*.jar` of a war, the
//! modules of an ear), four levels deep at most.
//!
//! Each `META-INF/maven/GROUP/ARTIFACT/pom.properties` of an archive is a package (a shaded
//! jar has several). An archive without any is identified from `META-INF/MANIFEST.MF`:
//! the version from `Implementation-Version`, `Bundle-Version` or `Specification-Version`
//! (else from the file name), the artifact from the file name without its version (else
//! `Bundle-SymbolicName` or `Implementation-Title`), the group from
//! `Implementation-Vendor-Id`; an archive whose version cannot be found is not reported.
//! `Bundle-License` is the licence.
//!
//! Archives are read in [`Cataloger::reduce`], so only the coordinates are kept. A nested
//! package's location is `OUTER:INNER` (`/app/x.war:WEB-INF/lib/y.jar`). Entry sizes are
//! capped (1 MiB for metadata, 64 MiB for a nested archive, 256 MiB decompressed in all
//! for one archive, whatever it nests), so a zip bomb stops with a warning.

pub mod zip;

use serde::{Deserialize, Serialize};

use crate::fs::Warning;
use crate::package::{PackageType, purl};
use crate::{CatalogInput, Cataloger, Catalogued, FileMeta, Package};

pub struct Java;

const EXTENSIONS: [&str; 7] = ["jar", "war", "ear", "jpi", "hpi", "sar", "par"];
const MAX_ARCHIVE: u64 = 256 << 20;
const MAX_METADATA: u64 = 1 << 20;
const MAX_NESTED: u64 = 64 << 20;
/// Decompressed bytes read from one top-level archive, metadata and nested archives.
const NESTED_BUDGET: u64 = 256 << 20;
const MAX_DEPTH: usize = 4;
/// Warnings kept per top-level archive.
const MAX_WARNINGS: usize = 20;

/// A package found in an archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Artifact {
    pub group: String,
    pub artifact: String,
    pub version: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<String>,
    /// The path of the nested archive inside the outer one (`WEB-INF/lib/a.jar`, chained
    /// with `:`); empty for the outer archive.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub inner: String,
}

/// What [`scan_archive`] found: packages, and problems with nested archives.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Scan {
    pub artifacts: Vec<Artifact>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

fn has_archive_extension(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.rsplit_once('.')
        .is_some_and(|(stem, ext)| !stem.is_empty() && EXTENSIONS.iter().any(|x| ext.eq_ignore_ascii_case(x)))
}

/// `key=value` lines of a Java properties file (comments and blank lines skipped).
fn properties(text: &str) -> Vec<(&str, &str)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with(['#', '!']))
        .filter_map(|l| {
            let i = l.find(['=', ':'])?;
            Some((l[..i].trim(), l[i + 1..].trim()))
        })
        .collect()
}

/// The main section of a manifest (up to the first blank line), continuation lines joined.
pub fn manifest_main(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            break;
        }
        if let Some(cont) = line.strip_prefix(' ') {
            if let Some((_, v)) = out.last_mut() {
                v.push_str(cont);
            }
        } else if let Some((k, v)) = line.split_once(':') {
            out.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    out
}

/// Splits a file name like `commons-io-2.11.0.jar` into `("commons-io", Some("2.11.0"))`:
/// the version starts at the first `-` followed by a digit.
pub fn name_and_version(file: &str) -> (String, Option<String>) {
    let file = file.rsplit('/').next().unwrap_or(file);
    let stem = file.rsplit_once('.').map_or(file, |(s, _)| s);
    let bytes = stem.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'-' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
            return (stem[..i].to_string(), Some(stem[i + 1..].to_string()));
        }
    }
    (stem.to_string(), None)
}

/// Finds the packages of an archive held in memory. `file` is its name (used when only a
/// manifest identifies it); `inner` is where it sits inside the outer archive.
pub fn scan_archive(
    data: &[u8],
    file: &str,
    inner: &str,
    depth: usize,
    budget: &mut u64,
    out: &mut Scan,
) -> Result<(), String> {
    let zip = zip::Zip::parse(data)?;
    let mut found = Vec::new();
    let mut manifest = None;
    for entry in &zip.entries {
        let name = entry.name.as_str();
        let is_pom = name
            .strip_prefix("META-INF/maven/")
            .and_then(|r| r.strip_suffix("/pom.properties"))
            .is_some_and(|ga| ga.split('/').count() == 2);
        if is_pom {
            match zip.read(entry, MAX_METADATA.min(*budget)) {
                Ok(bytes) => {
                    *budget = budget.saturating_sub(bytes.len() as u64);
                    let text = String::from_utf8_lossy(&bytes);
                    let props = properties(&text);
                    let get = |k: &str| {
                        props
                            .iter()
                            .find(|(p, v)| *p == k && !v.is_empty())
                            .map(|(_, v)| v.to_string())
                    };
                    if let (Some(group), Some(artifact), Some(version)) =
                        (get("groupId"), get("artifactId"), get("version"))
                    {
                        found.push(Artifact {
                            group,
                            artifact,
                            version,
                            licenses: Vec::new(),
                            inner: inner.to_string(),
                        });
                    }
                }
                Err(e) => out.warnings.push(at(inner, &e)),
            }
        } else if name.eq_ignore_ascii_case("META-INF/MANIFEST.MF") {
            match zip.read(entry, MAX_METADATA.min(*budget)) {
                Ok(bytes) => {
                    *budget = budget.saturating_sub(bytes.len() as u64);
                    manifest = Some(manifest_main(&String::from_utf8_lossy(&bytes)));
                }
                Err(e) => out.warnings.push(at(inner, &e)),
            }
        }
    }
    let manifest = manifest.unwrap_or_default();
    let get = |k: &str| {
        manifest
            .iter()
            .find(|(m, v)| m.eq_ignore_ascii_case(k) && !v.is_empty())
            .map(|(_, v)| v.clone())
    };
    let licenses: Vec<String> = get("Bundle-License").into_iter().collect();
    if found.is_empty() {
        let (file_name, file_version) = name_and_version(file);
        let version = get("Implementation-Version")
            .or_else(|| get("Bundle-Version"))
            .or_else(|| get("Specification-Version"))
            .or(file_version);
        let artifact = Some(file_name)
            .filter(|n| !n.is_empty())
            .or_else(|| {
                get("Bundle-SymbolicName").map(|s| s.split(';').next().unwrap_or("").trim().to_string())
            })
            .or_else(|| get("Implementation-Title"))
            .filter(|a| !a.is_empty());
        if let (Some(artifact), Some(version)) = (artifact, version) {
            found.push(Artifact {
                group: get("Implementation-Vendor-Id").unwrap_or_default(),
                artifact,
                version,
                licenses,
                inner: inner.to_string(),
            });
        }
    } else if found.len() == 1 {
        found[0].licenses = licenses;
    }
    out.artifacts.extend(found);
    if depth + 1 >= MAX_DEPTH {
        return Ok(());
    }
    for entry in &zip.entries {
        if entry.name.ends_with('/') || !has_archive_extension(&entry.name) {
            continue;
        }
        let path = if inner.is_empty() {
            entry.name.clone()
        } else {
            format!("{inner}:{}", entry.name)
        };
        let limit = MAX_NESTED.min(*budget);
        match zip.read(entry, limit) {
            Ok(bytes) => {
                *budget = budget.saturating_sub(bytes.len() as u64);
                if let Err(e) = scan_archive(&bytes, &entry.name, &path, depth + 1, budget, out) {
                    out.warnings.push(format!("{path}: {e}"));
                }
            }
            Err(e) => out.warnings.push(at(inner, &e)),
        }
    }
    Ok(())
}

fn at(inner: &str, message: &str) -> String {
    if inner.is_empty() {
        message.to_string()
    } else {
        format!("{inner}: {message}")
    }
}

impl Cataloger for Java {
    fn id(&self) -> &'static str {
        "java"
    }

    fn wants(&self, path: &str, _meta: &FileMeta) -> bool {
        has_archive_extension(path)
    }

    fn max_file_size(&self) -> u64 {
        MAX_ARCHIVE
    }

    fn reduce(&self, path: &str, data: Vec<u8>) -> Result<Option<Vec<u8>>, String> {
        let mut scan = Scan::default();
        let mut budget = NESTED_BUDGET;
        scan_archive(&data, path, "", 0, &mut budget, &mut scan)
            .map_err(|e| format!("not a readable Java archive: {e}"))?;
        if scan.warnings.len() > MAX_WARNINGS {
            let more = scan.warnings.len() - MAX_WARNINGS;
            scan.warnings.truncate(MAX_WARNINGS);
            scan.warnings
                .push(format!("{more} more problems in this archive"));
        }
        if scan.artifacts.is_empty() && scan.warnings.is_empty() {
            return Ok(None);
        }
        serde_json::to_vec(&scan).map(Some).map_err(|e| e.to_string())
    }

    fn catalog(&self, input: &CatalogInput<'_>) -> Catalogued {
        let mut out = Catalogued::default();
        for (path, file) in input.files.iter() {
            let scan: Scan = match serde_json::from_slice(&file.data) {
                Ok(s) => s,
                Err(e) => {
                    out.warnings.push(Warning {
                        layer: input.layer_of(path),
                        path: Some(path.to_string()),
                        message: format!("java: {e}"),
                    });
                    continue;
                }
            };
            for w in scan.warnings {
                out.warnings.push(Warning {
                    layer: input.layer_of(path),
                    path: Some(path.to_string()),
                    message: format!("java: {w}"),
                });
            }
            for a in scan.artifacts {
                let mut location = input.location(path);
                if !a.inner.is_empty() {
                    location.path = format!("{path}:{}", a.inner);
                }
                let name = if a.group.is_empty() {
                    a.artifact.clone()
                } else {
                    format!("{}:{}", a.group, a.artifact)
                };
                out.packages.push(Package {
                    name,
                    purl: purl(PackageType::Maven, Some(&a.group), &a.artifact, &a.version, &[]),
                    version: a.version,
                    kind: PackageType::Maven,
                    source: None,
                    arch: None,
                    licenses: a.licenses,
                    locations: vec![location],
                    cataloger: "java",
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_split_at_the_version() {
        assert_eq!(
            name_and_version("/x/commons-io-2.11.0.jar"),
            ("commons-io".into(), Some("2.11.0".into()))
        );
        assert_eq!(name_and_version("app.war"), ("app".into(), None));
        assert_eq!(
            name_and_version("jakarta.inject-api-2.0.1.jar").1.as_deref(),
            Some("2.0.1")
        );
    }

    #[test]
    fn manifest_continuations_are_joined() {
        let m = manifest_main(
            "Manifest-Version: 1.0\r\nBundle-License: https://www.apache.org/lic\r\n enses/LICENSE-2.0.txt\r\n\r\nName: x\r\n",
        );
        assert_eq!(m[1].1, "https://www.apache.org/licenses/LICENSE-2.0.txt");
        assert_eq!(m.len(), 2);
    }

    #[test]
    fn pom_properties_with_an_empty_version_is_not_a_package() {
        let pom = b"groupId=org.example\nartifactId=outer\nversion=\n".to_vec();
        let data = zip::tests::build(&[(
            "META-INF/maven/org.example/outer/pom.properties",
            0,
            0,
            pom.len() as u32,
            pom,
        )]);
        let mut scan = Scan::default();
        let mut budget = NESTED_BUDGET;
        scan_archive(&data, "outer.jar", "", 0, &mut budget, &mut scan).unwrap();
        assert!(scan.artifacts.is_empty(), "{:?}", scan.artifacts);
    }

    #[test]
    fn garbage_is_an_error() {
        let mut scan = Scan::default();
        let mut budget = NESTED_BUDGET;
        assert!(scan_archive(b"PK\x05\x06", "x.jar", "", 0, &mut budget, &mut scan).is_err());
        let mut fake = vec![0u8; 30];
        fake.extend_from_slice(b"PK\x05\x06\0\0\0\0\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\0\0");
        assert!(scan_archive(&fake, "x.jar", "", 0, &mut budget, &mut scan).is_err());
    }
}
