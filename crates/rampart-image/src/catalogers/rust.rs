//! Rust binaries built with `cargo auditable`: the `.dep-v0` section (ELF, PE; `.dep-v0`
//! in the `__DATA` segment on Mach-O) holds the crate dependency tree as zlib-compressed
//! JSON: `{"packages": [{"name", "version", "source", "kind", "dependencies", "root"}]}`.
//!
//! Every crate listed is reported, the binary's own crate (`root`) included; `source` is
//! `crates.io`, `git`, `local`, `registry` or `builtin`. An executable without the section
//! is dropped as soon as it is read; an executable that cannot be parsed at all is left to
//! the Go cataloger to warn about, so it is not reported twice.

use std::io::Read;

use object::{Object, ObjectSection};
use serde::Deserialize;

use crate::catalogers::go::{MAX_BINARY_SIZE, executable_format, wants_executable};
use crate::fs::Warning;
use crate::package::{PackageType, purl};
use crate::{CatalogInput, Cataloger, Catalogued, FileMeta, Package};

/// The largest dependency list accepted once decompressed (a zlib bomb stops here).
pub const MAX_DEP_INFO: u64 = 8 << 20;

pub struct Rust;

/// The dependency list of a cargo-auditable binary.
#[derive(Debug, Deserialize)]
pub struct DepInfo {
    pub packages: Vec<Crate>,
}

#[derive(Debug, Deserialize)]
pub struct Crate {
    pub name: String,
    pub version: String,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub root: bool,
}

/// The decompressed `.dep-v0` JSON of an executable. `Ok(None)` when the file is not an
/// executable, cannot be parsed as one, or has no such section.
pub fn read_dep_section(data: &[u8]) -> Result<Option<Vec<u8>>, String> {
    if executable_format(data).is_none() {
        return Ok(None);
    }
    let Ok(file) = object::File::parse(data) else {
        return Ok(None);
    };
    let Some(section) = file.sections().find(|s| s.name() == Ok(".dep-v0")) else {
        return Ok(None);
    };
    let compressed = section
        .data()
        .map_err(|e| format!("cannot read the .dep-v0 section: {e}"))?;
    inflate(compressed).map(Some)
}

/// Decompresses zlib data, refusing more than [`MAX_DEP_INFO`] bytes of output.
pub fn inflate(compressed: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(compressed)
        .take(MAX_DEP_INFO + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("the .dep-v0 section is not valid zlib data: {e}"))?;
    if out.len() as u64 > MAX_DEP_INFO {
        return Err(format!(
            "the .dep-v0 section decompresses to more than {MAX_DEP_INFO} bytes"
        ));
    }
    Ok(out)
}

/// Parses the dependency JSON.
pub fn parse_dep_info(json: &[u8]) -> Result<DepInfo, String> {
    serde_json::from_slice(json).map_err(|e| format!("the .dep-v0 section is not valid dependency JSON: {e}"))
}

impl Cataloger for Rust {
    fn id(&self) -> &'static str {
        "rust"
    }

    fn wants(&self, path: &str, meta: &FileMeta) -> bool {
        wants_executable(path, meta)
    }

    fn reduce(&self, _path: &str, data: Vec<u8>) -> Result<Option<Vec<u8>>, String> {
        let Some(json) = read_dep_section(&data)? else {
            return Ok(None);
        };
        parse_dep_info(&json)?;
        Ok(Some(json))
    }

    fn max_file_size(&self) -> u64 {
        MAX_BINARY_SIZE
    }

    fn catalog(&self, input: &CatalogInput<'_>) -> Catalogued {
        let mut out = Catalogued::default();
        for (path, file) in input.files.iter() {
            let info = match parse_dep_info(&file.data) {
                Ok(i) => i,
                Err(message) => {
                    out.warnings.push(Warning {
                        layer: input.layer_of(path),
                        path: Some(path.to_string()),
                        message: format!("rust: {message}"),
                    });
                    continue;
                }
            };
            for c in info.packages {
                if c.name.is_empty() || c.version.is_empty() {
                    continue;
                }
                out.packages.push(Package {
                    purl: purl(PackageType::Cargo, None, &c.name, &c.version, &[]),
                    name: c.name,
                    version: c.version,
                    kind: PackageType::Cargo,
                    source: None,
                    arch: None,
                    licenses: Vec::new(),
                    locations: vec![input.location(path)],
                    cataloger: "rust",
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
    fn zlib_bombs_and_garbage_are_errors() {
        use std::io::Write;
        let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&vec![b' '; (MAX_DEP_INFO + 10) as usize]).unwrap();
        let bomb = enc.finish().unwrap();
        assert!(inflate(&bomb).unwrap_err().contains("more than"));
        assert!(inflate(b"not zlib").is_err());
        assert!(parse_dep_info(b"{\"packages\": 3}").is_err());
    }
}
