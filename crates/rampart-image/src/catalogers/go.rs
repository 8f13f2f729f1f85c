//! Go binaries: the build information the Go linker embeds in every executable since
//! Go 1.13 (`go version -m` prints it).
//!
//! The information starts with a 32-byte header, 16-byte aligned, beginning with the magic
//! `\xff Go buildinf:`; then the pointer size (4 or 8) and a flags byte. With flag bit 2
//! (Go 1.18 and later) the header is followed by two strings, each prefixed with its
//! length as an unsigned varint: the toolchain version and the module information. Before
//! Go 1.18 the header instead holds two pointers (in the byte order of flag bit 1) to Go
//! string headers `{data pointer, length}` in the program's memory, which are translated
//! to file offsets through the segments.
//!
//! ELF binaries keep it in the `.go.buildinfo` section, Mach-O in `__go_buildinfo`; when
//! there is no such section (PE) the writable data sections are searched for the magic,
//! and the whole file when there is no section table at all. The module information is tab-separated lines: `path` (main package), `mod`
//! (main module), `dep` (a dependency), `=>` (a replacement of the line before) and
//! `build` (settings, ignored here).
//!
//! Reported: the main module, every dependency (a dependency replaced by another module is
//! reported as that module; one replaced by a local directory keeps its own path, with
//! version `(devel)`), and the toolchain as the package `stdlib`.

use memchr::memmem;
use object::{Object, ObjectSection, ObjectSegment, SectionKind};

use crate::fs::Warning;
use crate::package::{PackageType, purl};
use crate::{CatalogInput, Cataloger, Catalogued, FileMeta, Package};

/// The magic that opens the build information.
pub const MAGIC: &[u8; 14] = b"\xff Go buildinf:";

/// The largest executable the binary catalogers read (Go and Rust).
pub const MAX_BINARY_SIZE: u64 = 256 << 20;

/// Executables smaller than this cannot be Go or Rust programs (a stripped Go "hello
/// world" is over a megabyte); skipping them saves reading every shell script.
pub const MIN_BINARY_SIZE: u64 = 4 << 10;

/// Sanity limits on the strings of the build information.
const MAX_VERSION_LEN: u64 = 1 << 10;
const MAX_MODINFO_LEN: u64 = 4 << 20;

pub struct Go;

/// What [`read_build_info`] finds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildInfo {
    /// The toolchain version as the binary states it (`go1.22.1`, `go1.20 X:boringcrypto`).
    pub go_version: String,
    /// The module information (empty for binaries built outside module mode).
    pub modinfo: String,
}

/// One module compiled into a binary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Module {
    pub path: String,
    pub version: String,
    /// `mod` (the main module) or `dep`.
    pub main: bool,
    /// The replacement (`=>`): path and version (empty for a local directory).
    pub replace: Option<(String, String)>,
}

/// Whether the data starts like an executable format the binary catalogers understand.
pub(crate) fn executable_format(data: &[u8]) -> Option<&'static str> {
    match data.get(..4)? {
        [0x7f, b'E', b'L', b'F'] => Some("ELF"),
        [0xfe, 0xed, 0xfa, 0xce | 0xcf] | [0xce | 0xcf, 0xfa, 0xed, 0xfe] => Some("Mach-O"),
        [b'M', b'Z', ..] => Some("PE"),
        _ => None,
    }
}

/// Whether a path and its metadata look like an executable worth reading.
pub(crate) fn wants_executable(path: &str, meta: &FileMeta) -> bool {
    if !meta.is_executable() || meta.size < MIN_BINARY_SIZE {
        return false;
    }
    // Scripts and shared-library symlink targets are common; binaries rarely have these
    // suffixes.
    let name = path.rsplit('/').next().unwrap_or(path);
    !std::path::Path::new(name).extension().is_some_and(|e| {
        [
            "sh", "py", "pl", "rb", "js", "bash", "txt", "pyc", "jar", "h", "c",
        ]
        .iter()
        .any(|x| e.eq_ignore_ascii_case(x))
    })
}

/// Reads the build information of a Go executable. `Ok(None)` when the file is not a Go
/// program (or not an executable at all); `Err` when it is an executable that cannot be
/// read, or its build information is corrupt.
pub fn read_build_info(data: &[u8]) -> Result<Option<BuildInfo>, String> {
    let Some(format) = executable_format(data) else {
        return Ok(None);
    };
    let file = match object::File::parse(data) {
        Ok(f) => f,
        Err(e) => return Err(format!("cannot read the {format} executable: {e}")),
    };
    // A file cut short (an interrupted copy, a broken layer) must not pass for a binary
    // without build information.
    let needed = file
        .segments()
        .map(|s| {
            let (off, size) = s.file_range();
            off.saturating_add(size)
        })
        .max()
        .unwrap_or(0);
    if needed > data.len() as u64 {
        return Err(format!(
            "truncated {format} executable: {} bytes, its segments need {needed}",
            data.len()
        ));
    }
    // Where to look: the build-information section when the binary has one; else its
    // writable data sections (PE keeps it at the start of `.data`); else, without any
    // section table, the whole file. Looking only there avoids the magic that programs
    // reading build information carry among their constants.
    let in_file = |range: Option<(u64, u64)>| {
        let (off, len) = range?;
        let off = usize::try_from(off).ok()?;
        let end = off.checked_add(usize::try_from(len).ok()?)?;
        data.get(off..end).map(|d| (off, d))
    };
    let mut regions: Vec<(usize, &[u8])> = file
        .sections()
        .filter(|s| matches!(s.name(), Ok(".go.buildinfo" | "__go_buildinfo")))
        .filter_map(|s| in_file(s.file_range()))
        .collect();
    if regions.is_empty() {
        regions = file
            .sections()
            .filter(|s| s.kind() == SectionKind::Data)
            .filter_map(|s| in_file(s.file_range()))
            .collect();
    }
    if regions.is_empty() && file.sections().next().is_none() {
        regions.push((0, data));
    }
    let Some(header) = regions
        .iter()
        .find_map(|&(base, hay)| find_magic(base, hay).map(|pos| &hay[pos..]))
    else {
        return Ok(None);
    };
    if header.len() < 32 {
        return Err("Go build information: truncated header".into());
    }
    let ptr_size = header[14];
    let flags = header[15];
    let (go_version, modinfo) = if flags & 2 != 0 {
        let mut rest = &header[32..];
        let version = read_varint_string(&mut rest, MAX_VERSION_LEN)?;
        let modinfo = read_varint_string(&mut rest, MAX_MODINFO_LEN)?;
        (version, modinfo)
    } else {
        let segments: Vec<(u64, u64, u64)> = file
            .segments()
            .filter_map(|s| {
                let (off, size) = s.file_range();
                Some((s.address(), off, size)).filter(|_| size > 0)
            })
            .collect();
        let read = |addr: u64, len: u64| -> Option<&[u8]> {
            let (seg_addr, off, size) = segments.iter().find(|(a, _, s)| addr >= *a && addr - *a < *s)?;
            let end = (addr - seg_addr).checked_add(len)?;
            if end > *size {
                return None;
            }
            let start = usize::try_from(off.checked_add(addr - seg_addr)?).ok()?;
            data.get(start..start.checked_add(usize::try_from(len).ok()?)?)
        };
        read_pointer_format(header, ptr_size, flags & 1 != 0, &read)?
    };
    Ok(Some(BuildInfo {
        go_version: String::from_utf8_lossy(&go_version).into_owned(),
        modinfo: String::from_utf8_lossy(strip_sentinels(&modinfo)).into_owned(),
    }))
}

/// The first 16-byte aligned occurrence of the magic. `base` is the file offset of the
/// haystack (alignment is of file offsets).
fn find_magic(base: usize, haystack: &[u8]) -> Option<usize> {
    let finder = memmem::Finder::new(MAGIC);
    let mut from = 0;
    while let Some(i) = finder.find(&haystack[from..]) {
        let pos = from + i;
        if (base + pos).is_multiple_of(16) {
            return Some(pos);
        }
        from = pos + 1;
    }
    None
}

fn read_uvarint(buf: &mut &[u8]) -> Option<u64> {
    let mut value: u64 = 0;
    for (i, &b) in buf.iter().enumerate().take(10) {
        value |= u64::from(b & 0x7f).checked_shl(7 * i as u32)?;
        if b & 0x80 == 0 {
            *buf = &buf[i + 1..];
            return Some(value);
        }
    }
    None
}

fn read_varint_string(buf: &mut &[u8], max: u64) -> Result<Vec<u8>, String> {
    let len = read_uvarint(buf).ok_or("Go build information: bad string length")?;
    if len > max {
        return Err(format!(
            "Go build information: string of {len} bytes, more than {max}"
        ));
    }
    let len = len as usize;
    if buf.len() < len {
        return Err("Go build information: truncated string".into());
    }
    let s = buf[..len].to_vec();
    *buf = &buf[len..];
    Ok(s)
}

/// Decodes the pre-1.18 header: two pointers to string headers, read through `read`
/// (virtual address, length) -> bytes.
pub fn read_pointer_format<'a>(
    header: &[u8],
    ptr_size: u8,
    big_endian: bool,
    read: &dyn Fn(u64, u64) -> Option<&'a [u8]>,
) -> Result<(Vec<u8>, Vec<u8>), String> {
    let ps = usize::from(ptr_size);
    if ps != 4 && ps != 8 {
        return Err(format!("Go build information: pointer size {ptr_size}"));
    }
    let word = |b: &[u8]| -> u64 {
        let mut v = 0u64;
        if big_endian {
            for &x in b {
                v = (v << 8) | u64::from(x);
            }
        } else {
            for &x in b.iter().rev() {
                v = (v << 8) | u64::from(x);
            }
        }
        v
    };
    let string_at = |addr: u64, max: u64| -> Result<Vec<u8>, String> {
        let hdr = read(addr, 2 * u64::from(ptr_size))
            .ok_or_else(|| format!("Go build information: string header at {addr:#x} is outside the file"))?;
        let data = word(&hdr[..ps]);
        let len = word(&hdr[ps..2 * ps]);
        if len > max {
            return Err(format!(
                "Go build information: string of {len} bytes, more than {max}"
            ));
        }
        if len == 0 {
            return Ok(Vec::new());
        }
        read(data, len)
            .map(<[u8]>::to_vec)
            .ok_or_else(|| format!("Go build information: string at {data:#x} is outside the file"))
    };
    if header.len() < 16 + 2 * ps {
        return Err("Go build information: truncated header".into());
    }
    let version = string_at(word(&header[16..16 + ps]), MAX_VERSION_LEN)?;
    let modinfo = string_at(word(&header[16 + ps..16 + 2 * ps]), MAX_MODINFO_LEN)?;
    Ok((version, modinfo))
}

/// The linker wraps the module information in two 16-byte sentinels.
fn strip_sentinels(m: &[u8]) -> &[u8] {
    if m.len() >= 33 && m[m.len() - 17] == b'\n' {
        &m[16..m.len() - 16]
    } else {
        m
    }
}

/// The modules of a module-information text, main module first.
pub fn parse_modinfo(modinfo: &str) -> Vec<Module> {
    let mut out: Vec<Module> = Vec::new();
    for line in modinfo.lines() {
        let mut fields = line.split('\t');
        let kind = fields.next().unwrap_or("");
        let path = fields.next().unwrap_or("").to_string();
        let version = fields.next().unwrap_or("").to_string();
        match kind {
            "mod" | "dep" if !path.is_empty() => out.push(Module {
                path,
                version,
                main: kind == "mod",
                replace: None,
            }),
            "=>" if !path.is_empty() => {
                if let Some(last) = out.last_mut() {
                    last.replace = Some((path, version));
                }
            }
            _ => {}
        }
    }
    out
}

/// Whether a replacement is a directory rather than a module (`./x`, `../x`, `/x`, and
/// their Windows forms).
pub fn is_local_path(path: &str) -> bool {
    path.starts_with("./")
        || path.starts_with("../")
        || path.starts_with('/')
        || path.starts_with(".\\")
        || path.starts_with("..\\")
        || path == "."
        || path == ".."
        || path.as_bytes().get(1..3) == Some(b":\\")
}

/// The purl of a Go module: the path up to its last `/` is the namespace.
pub fn module_purl(path: &str, version: &str) -> String {
    let version = if version == "(devel)" { "" } else { version };
    match path.rsplit_once('/') {
        Some((ns, name)) => purl(PackageType::Go, Some(ns), name, version, &[]),
        None => purl(PackageType::Go, None, path, version, &[]),
    }
}

impl Cataloger for Go {
    fn id(&self) -> &'static str {
        "go"
    }

    fn wants(&self, path: &str, meta: &FileMeta) -> bool {
        wants_executable(path, meta)
    }

    fn reduce(&self, _path: &str, data: Vec<u8>) -> Result<Option<Vec<u8>>, String> {
        Ok(read_build_info(&data)?.map(|info| {
            let mut kept = info.go_version.replace('\n', " ").into_bytes();
            kept.push(b'\n');
            kept.extend_from_slice(info.modinfo.as_bytes());
            kept
        }))
    }

    fn max_file_size(&self) -> u64 {
        MAX_BINARY_SIZE
    }

    fn catalog(&self, input: &CatalogInput<'_>) -> Catalogued {
        let mut out = Catalogued::default();
        for (path, file) in input.files.iter() {
            let text = String::from_utf8_lossy(&file.data);
            let (go_version, modinfo) = text.split_once('\n').unwrap_or((&text, ""));
            let location = input.location(path);
            let package = |name: String, version: String, purl: String| Package {
                name,
                version,
                kind: PackageType::Go,
                purl,
                source: None,
                arch: None,
                licenses: Vec::new(),
                locations: vec![location.clone()],
                cataloger: "go",
            };
            if go_version.is_empty() {
                out.warnings.push(Warning {
                    layer: input.layer_of(path),
                    path: Some(path.to_string()),
                    message: "go: the build information has no Go version".into(),
                });
            } else {
                // `go1.22.1 X:boringcrypto` -> `1.22.1` in the purl.
                let plain = go_version.split_whitespace().next().unwrap_or(go_version);
                let plain = plain.strip_prefix("go").unwrap_or(plain);
                out.packages.push(package(
                    "stdlib".into(),
                    go_version.to_string(),
                    purl(PackageType::Go, None, "stdlib", plain, &[]),
                ));
            }
            for m in parse_modinfo(modinfo) {
                let (name, version) = match m.replace {
                    Some((to, _)) if is_local_path(&to) => (m.path, "(devel)".to_string()),
                    Some((to, v)) => (to, v),
                    None => (m.path, m.version),
                };
                let p = module_purl(&name, &version);
                out.packages.push(package(name, version, p));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_format_reads_through_the_address_space() {
        // A fake address space: a string header at 0x1000 pointing to text at 0x2000.
        let mut mem = vec![0u8; 0x3000];
        let version = b"go1.16.15";
        let modinfo = b"0123456789abcdefpath\tex.com/a\nmod\tex.com/a\t(devel)\t\n\ndep\tex.com/b\tv1.0.0\th1:x\n\x10\x32\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00";
        mem[0x2000..0x2000 + version.len()].copy_from_slice(version);
        mem[0x2100..0x2100 + modinfo.len()].copy_from_slice(modinfo);
        // Big-endian, 4-byte pointers.
        mem[0x1000..0x1004].copy_from_slice(&0x2000u32.to_be_bytes());
        mem[0x1004..0x1008].copy_from_slice(&(version.len() as u32).to_be_bytes());
        mem[0x1008..0x100c].copy_from_slice(&0x2100u32.to_be_bytes());
        mem[0x100c..0x1010].copy_from_slice(&(modinfo.len() as u32).to_be_bytes());
        let mut header = MAGIC.to_vec();
        header.extend_from_slice(&[4, 1]);
        header.extend_from_slice(&0x1000u32.to_be_bytes());
        header.extend_from_slice(&0x1008u32.to_be_bytes());
        header.resize(32, 0);
        let read = |addr: u64, len: u64| -> Option<&[u8]> { mem.get(addr as usize..(addr + len) as usize) };
        let (v, m) = read_pointer_format(&header, 4, true, &read).unwrap();
        assert_eq!(v, version);
        let m = strip_sentinels(&m);
        let mods = parse_modinfo(std::str::from_utf8(m).unwrap());
        assert_eq!(mods.len(), 2);
        assert_eq!(mods[1].path, "ex.com/b");
        assert_eq!(mods[1].version, "v1.0.0");
        // A pointer outside the address space is an error, not a panic.
        let mut bad = header.clone();
        bad[16..20].copy_from_slice(&0xffff_fff0u32.to_be_bytes());
        assert!(read_pointer_format(&bad, 4, true, &read).is_err());
        assert!(read_pointer_format(&header, 3, true, &read).is_err());
    }

    #[test]
    fn modinfo_replacements_apply_to_the_line_before() {
        let mods = parse_modinfo(
            "path\tex.com/app\nmod\tex.com/app\t(devel)\t\ndep\tex.com/x\tv1.0.0\th1:a\n=>\tex.com/y\tv1.1.0\th1:b\ndep\tex.com/z\tv0.1.0\t\n=>\t../z\t\t\nbuild\tGOOS=linux\n",
        );
        assert_eq!(mods.len(), 3);
        assert!(mods[0].main);
        assert_eq!(mods[1].replace, Some(("ex.com/y".into(), "v1.1.0".into())));
        assert_eq!(mods[2].replace, Some(("../z".into(), String::new())));
        assert_eq!(
            module_purl("github.com/pkg/errors", "v0.9.1"),
            "pkg:golang/github.com/pkg/errors@v0.9.1"
        );
    }

    #[test]
    fn varints_and_non_executables() {
        let mut b: &[u8] = &[0xac, 0x02, 9];
        assert_eq!(read_uvarint(&mut b), Some(300));
        assert_eq!(b, &[9]);
        let mut b: &[u8] = &[0xff; 12];
        assert_eq!(read_uvarint(&mut b), None);
        assert_eq!(read_build_info(b"#!/bin/sh\necho hi\n"), Ok(None));
        assert!(read_build_info(b"\x7fELF\x02\x01\x01").is_err());
    }
}
