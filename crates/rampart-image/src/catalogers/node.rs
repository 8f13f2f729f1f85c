//! Installed npm packages: `node_modules/NAME/package.json` and
//! `node_modules/@SCOPE/NAME/package.json`, at any depth of nesting
//! (`node_modules/a/node_modules/b/package.json`).
//!
//! Only the `package.json` at the root of a package directory counts: packages ship other
//! `package.json` files (`lib/package.json` marking a module type, test fixtures), and
//! those are never read. A manifest without a name or a version is skipped. The licence is
//! `license` (an SPDX expression by npm's rules), or the legacy `license: {type}` and
//! `licenses: [{type}]` forms.

use serde_json::Value;

use crate::fs::Warning;
use crate::package::{PackageType, purl};
use crate::{CatalogInput, Cataloger, Catalogued, FileMeta, Package};

pub struct Node;

const MAX_MANIFEST: u64 = 4 << 20;

/// Whether a path is the manifest of an installed package.
pub fn is_package_manifest(path: &str) -> bool {
    let Some(dir) = path.strip_suffix("/package.json") else {
        return false;
    };
    let Some(i) = dir.rfind("/node_modules/") else {
        return false;
    };
    let rest = &dir[i + "/node_modules/".len()..];
    let mut parts = rest.split('/');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(name), None, None) => !name.is_empty() && !name.starts_with(['.', '@']),
        (Some(scope), Some(name), None) => {
            scope.len() > 1 && scope.starts_with('@') && !name.is_empty() && !name.starts_with('.')
        }
        _ => false,
    }
}

/// The licences a manifest declares.
fn licenses(v: &Value) -> Vec<String> {
    let one = |l: &Value| match l {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Object(o) => o.get("type").and_then(Value::as_str).map(str::to_string),
        _ => None,
    };
    if let Some(l) = v.get("license").and_then(one) {
        return vec![l];
    }
    match v.get("licenses") {
        Some(Value::Array(a)) => a.iter().filter_map(one).collect(),
        Some(l) => one(l).into_iter().collect(),
        None => Vec::new(),
    }
}

impl Cataloger for Node {
    fn id(&self) -> &'static str {
        "node"
    }

    fn wants(&self, path: &str, _meta: &FileMeta) -> bool {
        is_package_manifest(path)
    }

    fn max_file_size(&self) -> u64 {
        MAX_MANIFEST
    }

    fn reduce(&self, _path: &str, data: Vec<u8>) -> Result<Option<Vec<u8>>, String> {
        let v: Value = serde_json::from_slice(&data).map_err(|e| format!("invalid JSON: {e}"))?;
        let (Some(name), Some(version)) = (
            v.get("name").and_then(Value::as_str),
            v.get("version").and_then(Value::as_str),
        ) else {
            return Ok(None);
        };
        let kept = serde_json::json!({
            "name": name,
            "version": version,
            "licenses": licenses(&v),
        });
        Ok(Some(kept.to_string().into_bytes()))
    }

    fn catalog(&self, input: &CatalogInput<'_>) -> Catalogued {
        let mut out = Catalogued::default();
        for (path, file) in input.files.iter() {
            let v: Value = match serde_json::from_slice(&file.data) {
                Ok(v) => v,
                Err(e) => {
                    out.warnings.push(Warning {
                        layer: input.layer_of(path),
                        path: Some(path.to_string()),
                        message: format!("node: invalid JSON: {e}"),
                    });
                    continue;
                }
            };
            let (Some(name), Some(version)) = (
                v.get("name").and_then(Value::as_str),
                v.get("version").and_then(Value::as_str),
            ) else {
                continue;
            };
            let (ns, short) = match name.split_once('/') {
                Some((scope, n)) if scope.starts_with('@') => (Some(scope), n),
                _ => (None, name),
            };
            let licenses = v
                .get("licenses")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
                .unwrap_or_default();
            out.packages.push(Package {
                name: name.to_string(),
                version: version.to_string(),
                kind: PackageType::Npm,
                purl: purl(PackageType::Npm, ns, short, version, &[]),
                source: None,
                arch: None,
                licenses,
                locations: vec![input.location(path)],
                cataloger: "node",
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_package_roots_are_manifests() {
        assert!(is_package_manifest("/app/node_modules/ms/package.json"));
        assert!(is_package_manifest("/app/node_modules/@babel/core/package.json"));
        assert!(is_package_manifest(
            "/app/node_modules/a/node_modules/b/package.json"
        ));
        assert!(!is_package_manifest("/app/package.json"));
        assert!(!is_package_manifest("/app/node_modules/a/lib/package.json"));
        assert!(!is_package_manifest("/app/node_modules/@babel/package.json"));
        assert!(!is_package_manifest("/app/node_modules/.bin/package.json"));
        assert!(!is_package_manifest(
            "/app/node_modules/a/test/fixtures/package.json"
        ));
    }

    #[test]
    fn legacy_licence_forms() {
        let v = serde_json::json!({"license": {"type": "MIT"}});
        assert_eq!(licenses(&v), ["MIT"]);
        let v = serde_json::json!({"licenses": [{"type": "MIT"}, {"type": "Apache-2.0"}]});
        assert_eq!(licenses(&v), ["MIT", "Apache-2.0"]);
    }
}
