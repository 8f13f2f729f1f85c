//! Installed Python distributions: `*.dist-info/METADATA` (wheels, pip), and the older
//! `*.egg-info` (a `PKG-INFO` file inside the directory, or the `.egg-info` file itself)
//! and `*.egg/EGG-INFO/PKG-INFO`.
//!
//! The metadata is an email-style header block (core metadata); only the headers are kept
//! ([`Cataloger::reduce`] drops the description body). The licence is the
//! `License-Expression` (an SPDX expression, core metadata 2.4) when present, else a
//! one-line `License`, else the names of `License ::` classifiers.

use crate::fs::Warning;
use crate::package::{PackageType, purl};
use crate::{CatalogInput, Cataloger, Catalogued, FileMeta, Package};

pub struct Python;

/// Metadata files are small once the description is dropped; the body can be large.
const MAX_METADATA: u64 = 8 << 20;

/// The headers of a core-metadata file, in order; continuation lines are joined.
pub fn parse_headers(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, v)) = out.last_mut() {
                v.push('\n');
                v.push_str(line.trim());
            }
            continue;
        }
        if let Some((k, v)) = line.split_once(':') {
            out.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    out
}

/// PEP 503 normalisation, which the pypi purl type asks for.
pub use crate::package::pep503_normalize as normalize_name;

/// The licence of a metadata header block, as described in the module documentation.
pub fn license(headers: &[(String, String)]) -> Vec<String> {
    let get = |key: &str| {
        headers
            .iter()
            .find(|(k, v)| k.eq_ignore_ascii_case(key) && !v.is_empty())
            .map(|(_, v)| v.as_str())
    };
    if let Some(expr) = get("License-Expression") {
        return vec![expr.to_string()];
    }
    if let Some(l) = get("License")
        && !l.contains('\n')
        && l.len() <= 200
        && !l.eq_ignore_ascii_case("UNKNOWN")
    {
        return vec![l.to_string()];
    }
    headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("Classifier"))
        .filter_map(|(_, v)| v.strip_prefix("License ::"))
        .filter_map(|v| v.rsplit("::").next().map(str::trim))
        .filter(|v| !v.is_empty() && *v != "OSI Approved")
        .map(str::to_string)
        .collect()
}

impl Cataloger for Python {
    fn id(&self) -> &'static str {
        "python"
    }

    fn wants(&self, path: &str, meta: &FileMeta) -> bool {
        if let Some(dir) = path.strip_suffix("/METADATA") {
            return dir.ends_with(".dist-info");
        }
        if let Some(dir) = path.strip_suffix("/PKG-INFO") {
            return dir.ends_with(".egg-info") || dir.ends_with(".egg/EGG-INFO");
        }
        path.ends_with(".egg-info") && meta.size > 0
    }

    fn max_file_size(&self) -> u64 {
        MAX_METADATA
    }

    fn reduce(&self, _path: &str, data: Vec<u8>) -> Result<Option<Vec<u8>>, String> {
        // Keep the header block only.
        let end = memchr::memmem::find(&data, b"\n\n")
            .or_else(|| memchr::memmem::find(&data, b"\r\n\r\n"))
            .map_or(data.len(), |i| i + 1);
        let mut data = data;
        data.truncate(end);
        Ok(Some(data))
    }

    fn catalog(&self, input: &CatalogInput<'_>) -> Catalogued {
        let mut out = Catalogued::default();
        for (path, file) in input.files.iter() {
            let text = String::from_utf8_lossy(&file.data).replace('\r', "");
            let headers = parse_headers(&text);
            let get = |key: &str| {
                headers
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(key))
                    .map(|(_, v)| v.trim().to_string())
                    .filter(|v| !v.is_empty())
            };
            let (Some(name), Some(version)) = (get("Name"), get("Version")) else {
                out.warnings.push(Warning {
                    layer: input.layer_of(path),
                    path: Some(path.to_string()),
                    message: "python: the metadata has no Name or no Version header".into(),
                });
                continue;
            };
            out.packages.push(Package {
                purl: purl(PackageType::Python, None, &normalize_name(&name), &version, &[]),
                name,
                version,
                kind: PackageType::Python,
                source: None,
                arch: None,
                licenses: license(&headers),
                locations: vec![input.location(path)],
                cataloger: "python",
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_normalised_for_purls() {
        assert_eq!(normalize_name("Typing_Extensions"), "typing-extensions");
        assert_eq!(normalize_name("jaraco.functools"), "jaraco-functools");
        assert_eq!(normalize_name("a-_.b"), "a-b");
    }

    #[test]
    fn licence_prefers_the_expression_then_a_short_license_then_classifiers() {
        let h = parse_headers(
            "Name: x\nLicense: Some long\n        text\nClassifier: License :: OSI Approved :: MIT License\n\nbody: no\n",
        );
        assert_eq!(license(&h), ["MIT License"]);
        let h = parse_headers("License: BSD\nLicense-Expression: MIT OR Apache-2.0\n");
        assert_eq!(license(&h), ["MIT OR Apache-2.0"]);
        let h = parse_headers("License: UNKNOWN\n");
        assert!(license(&h).is_empty());
    }
}
