//! PHP packages installed by Composer: `vendor/composer/installed.json`, either the
//! Composer 1 form (a JSON array of packages) or the Composer 2 form (an object whose
//! `packages` member is that array). Each package has a `name` (`vendor/package`), a
//! `version` and usually a `license` array of SPDX identifiers. Development packages are
//! reported too: they are installed in the image.

use serde_json::Value;

use crate::fs::Warning;
use crate::package::{PackageType, purl};
use crate::{CatalogInput, Cataloger, Catalogued, FileMeta, Package};

pub struct Php;

const MAX_INSTALLED: u64 = 32 << 20;

/// The packages of an `installed.json`, as `(name, version, licences)`.
pub fn parse_installed(data: &[u8]) -> Result<Vec<(String, String, Vec<String>)>, String> {
    let v: Value = serde_json::from_slice(data).map_err(|e| format!("invalid JSON: {e}"))?;
    let packages = match &v {
        Value::Array(a) => a,
        Value::Object(o) => match o.get("packages") {
            Some(Value::Array(a)) => a,
            _ => return Err("no `packages` array (neither Composer 1 nor Composer 2 format)".into()),
        },
        _ => return Err("neither an array (Composer 1) nor an object (Composer 2)".into()),
    };
    Ok(packages
        .iter()
        .filter_map(|p| {
            let name = p.get("name")?.as_str()?.to_string();
            let version = p.get("version")?.as_str()?.to_string();
            let licenses = match p.get("license") {
                Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(str::to_string).collect(),
                Some(Value::String(s)) => vec![s.clone()],
                _ => Vec::new(),
            };
            Some((name, version, licenses))
        })
        .collect())
}

impl Cataloger for Php {
    fn id(&self) -> &'static str {
        "php"
    }

    fn wants(&self, path: &str, _meta: &FileMeta) -> bool {
        path.ends_with("/vendor/composer/installed.json")
    }

    fn max_file_size(&self) -> u64 {
        MAX_INSTALLED
    }

    fn catalog(&self, input: &CatalogInput<'_>) -> Catalogued {
        let mut out = Catalogued::default();
        for (path, file) in input.files.iter() {
            let packages = match parse_installed(&file.data) {
                Ok(p) => p,
                Err(message) => {
                    out.warnings.push(Warning {
                        layer: input.layer_of(path),
                        path: Some(path.to_string()),
                        message: format!("php: {message}"),
                    });
                    continue;
                }
            };
            for (name, version, licenses) in packages {
                let (ns, short) = name
                    .split_once('/')
                    .map_or((None, name.as_str()), |(a, b)| (Some(a), b));
                out.packages.push(Package {
                    purl: purl(PackageType::Composer, ns, short, &version, &[]),
                    name,
                    version,
                    kind: PackageType::Composer,
                    source: None,
                    arch: None,
                    licenses,
                    locations: vec![input.location(path)],
                    cataloger: "php",
                });
            }
        }
        out
    }
}
