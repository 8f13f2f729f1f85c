//! .NET dependencies: `*.deps.json`, written next to every .NET application by the SDK.
//! Its `libraries` object is keyed `Name/Version`; entries of `type` `package` are NuGet
//! packages (the others are the application's own projects and framework references).

use serde_json::Value;

use crate::fs::Warning;
use crate::package::{PackageType, purl};
use crate::{CatalogInput, Cataloger, Catalogued, FileMeta, Package};

pub struct Dotnet;

const MAX_DEPS: u64 = 32 << 20;

/// The NuGet packages of a `deps.json`, as `(name, version)`.
pub fn parse_deps(data: &[u8]) -> Result<Vec<(String, String)>, String> {
    let v: Value = serde_json::from_slice(data).map_err(|e| format!("invalid JSON: {e}"))?;
    let Some(libraries) = v.get("libraries") else {
        return Ok(Vec::new());
    };
    let Some(libraries) = libraries.as_object() else {
        return Err("`libraries` is not an object".into());
    };
    Ok(libraries
        .iter()
        .filter(|(_, lib)| lib.get("type").and_then(Value::as_str) == Some("package"))
        .filter_map(|(key, _)| {
            let (name, version) = key.split_once('/')?;
            Some((name.to_string(), version.to_string())).filter(|(n, v)| !n.is_empty() && !v.is_empty())
        })
        .collect())
}

impl Cataloger for Dotnet {
    fn id(&self) -> &'static str {
        "dotnet"
    }

    fn wants(&self, path: &str, _meta: &FileMeta) -> bool {
        path.ends_with(".deps.json")
    }

    fn max_file_size(&self) -> u64 {
        MAX_DEPS
    }

    fn catalog(&self, input: &CatalogInput<'_>) -> Catalogued {
        let mut out = Catalogued::default();
        for (path, file) in input.files.iter() {
            match parse_deps(&file.data) {
                Ok(libs) => {
                    for (name, version) in libs {
                        out.packages.push(Package {
                            purl: purl(PackageType::Nuget, None, &name, &version, &[]),
                            name,
                            version,
                            kind: PackageType::Nuget,
                            source: None,
                            arch: None,
                            licenses: Vec::new(),
                            locations: vec![input.location(path)],
                            cataloger: "dotnet",
                        });
                    }
                }
                Err(message) => out.warnings.push(Warning {
                    layer: input.layer_of(path),
                    path: Some(path.to_string()),
                    message: format!("dotnet: {message}"),
                }),
            }
        }
        out
    }
}
