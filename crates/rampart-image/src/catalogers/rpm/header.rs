//! The rpm header format, as stored in an rpm database: a big-endian count of index
//! entries (`il`) and the size of the data store (`dl`), then `il` 16-byte entries (tag,
//! type, offset into the store, count), then the store.
//!
//! Only the tags an inventory needs are decoded. Every offset and count is checked
//! against the store, so a damaged blob gives an error, never a panic or a huge
//! allocation.

/// Tags read (from rpm's `rpmtag.h`).
pub mod tag {
    pub const NAME: u32 = 1000;
    pub const VERSION: u32 = 1001;
    pub const RELEASE: u32 = 1002;
    pub const EPOCH: u32 = 1003;
    pub const LICENSE: u32 = 1014;
    pub const ARCH: u32 = 1022;
    pub const OLDFILENAMES: u32 = 1027;
    pub const SOURCERPM: u32 = 1044;
    pub const DIRINDEXES: u32 = 1116;
    pub const BASENAMES: u32 = 1117;
    pub const DIRNAMES: u32 = 1118;
}

const TYPE_INT32: u32 = 4;
const TYPE_STRING: u32 = 6;
const TYPE_STRING_ARRAY: u32 = 8;
const TYPE_I18NSTRING: u32 = 9;

/// rpm refuses headers with more entries or a larger store than this.
const MAX_ENTRIES: usize = 0x00ff_ffff;
const MAX_DATA: usize = 0x0fff_ffff;

/// The fields of an installed package.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RpmPackage {
    pub name: String,
    pub epoch: Option<i32>,
    pub version: String,
    pub release: String,
    pub arch: Option<String>,
    pub source_rpm: Option<String>,
    pub license: Option<String>,
    /// Installed paths (directories included), absolute.
    pub files: Vec<String>,
}

impl RpmPackage {
    /// `[epoch:]version-release`; an epoch of 0 is left out, as rpm's own comparisons
    /// and the advisories do.
    pub fn full_version(&self) -> String {
        match self.epoch {
            Some(e) if e != 0 => format!("{e}:{}-{}", self.version, self.release),
            _ => format!("{}-{}", self.version, self.release),
        }
    }
}

#[derive(Clone, Copy)]
struct Entry {
    tag: u32,
    kind: u32,
    offset: usize,
    count: usize,
}

/// A parsed header: the index and the store.
pub struct Header<'a> {
    entries: Vec<Entry>,
    store: &'a [u8],
}

impl<'a> Header<'a> {
    pub fn parse(blob: &'a [u8]) -> Result<Self, String> {
        if blob.len() < 8 {
            return Err(format!("header blob of {} bytes is too short", blob.len()));
        }
        let il = be32(blob, 0) as usize;
        let dl = be32(blob, 4) as usize;
        if il == 0 || il > MAX_ENTRIES || dl > MAX_DATA {
            return Err(format!("implausible header: {il} entries, {dl} bytes of data"));
        }
        let store_start = 8 + il * 16;
        let store_end = store_start + dl;
        if store_end > blob.len() {
            return Err(format!(
                "header says {il} entries and {dl} bytes of data but the blob has {} bytes",
                blob.len()
            ));
        }
        let store = &blob[store_start..store_end];
        let entries = (0..il)
            .map(|i| {
                let at = 8 + i * 16;
                Entry {
                    tag: be32(blob, at),
                    kind: be32(blob, at + 4),
                    offset: be32(blob, at + 8) as usize,
                    count: be32(blob, at + 12) as usize,
                }
            })
            .collect();
        Ok(Self { entries, store })
    }

    fn entry(&self, tag: u32) -> Option<Entry> {
        self.entries.iter().find(|e| e.tag == tag).copied()
    }

    /// A string tag (the first string of an array or an i18n string).
    pub fn string(&self, tag: u32) -> Result<Option<String>, String> {
        let Some(e) = self.entry(tag) else {
            return Ok(None);
        };
        match e.kind {
            TYPE_STRING | TYPE_I18NSTRING | TYPE_STRING_ARRAY if e.count >= 1 => {
                Ok(Some(self.cstr(e.offset, tag)?.0))
            }
            _ => Err(format!(
                "tag {tag} has type {} and count {}, not a string",
                e.kind, e.count
            )),
        }
    }

    /// A string array tag.
    pub fn strings(&self, tag: u32) -> Result<Vec<String>, String> {
        let Some(e) = self.entry(tag) else {
            return Ok(Vec::new());
        };
        if e.kind != TYPE_STRING_ARRAY && e.kind != TYPE_I18NSTRING {
            return Err(format!("tag {tag} has type {}, not a string array", e.kind));
        }
        // Each string takes at least one byte: a larger count cannot be right.
        if e.count > self.store.len() {
            return Err(format!(
                "tag {tag} claims {} strings in {} bytes",
                e.count,
                self.store.len()
            ));
        }
        let mut out = Vec::with_capacity(e.count);
        let mut at = e.offset;
        for _ in 0..e.count {
            let (s, next) = self.cstr(at, tag)?;
            out.push(s);
            at = next;
        }
        Ok(out)
    }

    /// An int32 array tag.
    pub fn int32s(&self, tag: u32) -> Result<Vec<i32>, String> {
        let Some(e) = self.entry(tag) else {
            return Ok(Vec::new());
        };
        if e.kind != TYPE_INT32 {
            return Err(format!("tag {tag} has type {}, not int32", e.kind));
        }
        let bytes = e
            .count
            .checked_mul(4)
            .and_then(|n| e.offset.checked_add(n))
            .and_then(|end| self.store.get(e.offset..end))
            .ok_or_else(|| format!("tag {tag}: {} int32 values run past the data", e.count))?;
        Ok(bytes
            .chunks_exact(4)
            .map(|c| i32::from_be_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }

    fn cstr(&self, at: usize, tag: u32) -> Result<(String, usize), String> {
        let rest = self
            .store
            .get(at..)
            .ok_or_else(|| format!("tag {tag}: offset {at} is outside the data"))?;
        let len = rest
            .iter()
            .position(|&b| b == 0)
            .ok_or_else(|| format!("tag {tag}: unterminated string"))?;
        Ok((String::from_utf8_lossy(&rest[..len]).into_owned(), at + len + 1))
    }
}

/// Reads the package fields from a header blob.
pub fn parse(blob: &[u8]) -> Result<RpmPackage, String> {
    let h = Header::parse(blob)?;
    let name = h.string(tag::NAME)?.filter(|n| !n.is_empty()).ok_or("no NAME")?;
    let version = h
        .string(tag::VERSION)?
        .ok_or_else(|| format!("{name}: no VERSION"))?;
    let release = h
        .string(tag::RELEASE)?
        .ok_or_else(|| format!("{name}: no RELEASE"))?;
    let epoch = h.int32s(tag::EPOCH)?.first().copied();
    let mut files = h.strings(tag::OLDFILENAMES)?;
    if files.is_empty() {
        let base = h.strings(tag::BASENAMES)?;
        let dirs = h.strings(tag::DIRNAMES)?;
        let index = h.int32s(tag::DIRINDEXES)?;
        if base.len() != index.len() {
            return Err(format!(
                "{name}: {} file names but {} directory indexes",
                base.len(),
                index.len()
            ));
        }
        files.reserve(base.len());
        for (b, i) in base.iter().zip(index) {
            let dir = usize::try_from(i)
                .ok()
                .and_then(|i| dirs.get(i))
                .ok_or_else(|| format!("{name}: directory index {i} out of {} directories", dirs.len()))?;
            files.push(format!("{dir}{b}"));
        }
    }
    Ok(RpmPackage {
        epoch,
        version,
        release,
        arch: h.string(tag::ARCH)?,
        source_rpm: h.string(tag::SOURCERPM)?,
        license: h.string(tag::LICENSE)?,
        files,
        name,
    })
}

fn be32(data: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([data[at], data[at + 1], data[at + 2], data[at + 3]])
}

/// The source package name and version of a `SOURCERPM` value:
/// `bash-5.1.8-9.el9.src.rpm` -> (`bash`, `5.1.8-9.el9`).
pub fn split_source_rpm(srpm: &str) -> Option<(&str, &str)> {
    let base = srpm
        .strip_suffix(".src.rpm")
        .or_else(|| srpm.strip_suffix(".nosrc.rpm"))?;
    let (rest, release) = base.rsplit_once('-')?;
    let (name, version) = rest.rsplit_once('-')?;
    if name.is_empty() || version.is_empty() || release.is_empty() {
        return None;
    }
    Some((name, &base[name.len() + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a blob from (tag, type, data, count) entries.
    fn blob(entries: &[(u32, u32, Vec<u8>, u32)]) -> Vec<u8> {
        let mut store = Vec::new();
        let mut index = Vec::new();
        for (tag, kind, data, count) in entries {
            while *kind == TYPE_INT32 && store.len() % 4 != 0 {
                store.push(0);
            }
            index.extend_from_slice(&tag.to_be_bytes());
            index.extend_from_slice(&kind.to_be_bytes());
            index.extend_from_slice(&(store.len() as u32).to_be_bytes());
            index.extend_from_slice(&count.to_be_bytes());
            store.extend_from_slice(data);
        }
        let mut out = (entries.len() as u32).to_be_bytes().to_vec();
        out.extend_from_slice(&(store.len() as u32).to_be_bytes());
        out.extend(index);
        out.extend(store);
        out
    }

    #[test]
    fn reads_names_and_files() {
        let b = blob(&[
            (tag::NAME, TYPE_STRING, b"hello\0".to_vec(), 1),
            (tag::VERSION, TYPE_STRING, b"1.0\0".to_vec(), 1),
            (tag::RELEASE, TYPE_STRING, b"2\0".to_vec(), 1),
            (tag::EPOCH, TYPE_INT32, 3i32.to_be_bytes().to_vec(), 1),
            (tag::BASENAMES, TYPE_STRING_ARRAY, b"a\0b\0".to_vec(), 2),
            (tag::DIRNAMES, TYPE_STRING_ARRAY, b"/usr/bin/\0".to_vec(), 1),
            (
                tag::DIRINDEXES,
                TYPE_INT32,
                [0i32.to_be_bytes(), 0i32.to_be_bytes()].concat(),
                2,
            ),
        ]);
        let p = parse(&b).unwrap();
        assert_eq!(p.full_version(), "3:1.0-2");
        assert_eq!(p.files, ["/usr/bin/a", "/usr/bin/b"]);
        // Truncations anywhere are errors.
        for n in 0..b.len() {
            assert!(parse(&b[..n]).is_err(), "prefix of {n} bytes");
        }
    }

    #[test]
    fn bad_counts_are_errors() {
        let b = blob(&[
            (tag::NAME, TYPE_STRING, b"x\0".to_vec(), 1),
            (tag::VERSION, TYPE_STRING, b"1\0".to_vec(), 1),
            (tag::RELEASE, TYPE_STRING, b"1\0".to_vec(), 1),
            (tag::BASENAMES, TYPE_STRING_ARRAY, b"a\0".to_vec(), u32::MAX),
        ]);
        assert!(parse(&b).unwrap_err().contains("claims"));
    }

    #[test]
    fn source_rpm_names() {
        assert_eq!(
            split_source_rpm("bash-5.1.8-9.el9.src.rpm"),
            Some(("bash", "5.1.8-9.el9"))
        );
        assert_eq!(
            split_source_rpm("python3-foo-bar-1.0~rc1-1.fc40.src.rpm"),
            Some(("python3-foo-bar", "1.0~rc1-1.fc40"))
        );
        assert_eq!(split_source_rpm("nonsense"), None);
    }
}
