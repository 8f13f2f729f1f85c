//! A small reader for zip archives held in memory, enough for Java archives: the central
//! directory (with Zip64 and a prefix such as a launcher script before the archive), and
//! stored or deflated entries read with a limit on their decompressed size.

use std::io::Read;

/// One member of an archive.
#[derive(Debug, Clone)]
pub struct Entry {
    pub name: String,
    method: u16,
    flags: u16,
    compressed: u64,
    /// The declared decompressed size.
    pub size: u64,
    local_offset: u64,
}

/// A parsed archive.
#[derive(Debug)]
pub struct Zip<'a> {
    data: &'a [u8],
    /// Bytes before the archive proper (self-executing jars).
    base: u64,
    pub entries: Vec<Entry>,
}

/// More central-directory entries than this is not a Java archive anyone ships.
const MAX_ENTRIES: u64 = 1 << 20;

fn u16_at(d: &[u8], i: usize) -> Option<u16> {
    Some(u16::from_le_bytes(d.get(i..i + 2)?.try_into().ok()?))
}

fn u32_at(d: &[u8], i: usize) -> Option<u32> {
    Some(u32::from_le_bytes(d.get(i..i + 4)?.try_into().ok()?))
}

fn u64_at(d: &[u8], i: usize) -> Option<u64> {
    Some(u64::from_le_bytes(d.get(i..i + 8)?.try_into().ok()?))
}

impl<'a> Zip<'a> {
    pub fn parse(data: &'a [u8]) -> Result<Self, String> {
        const TRUNCATED: &str = "truncated central directory";
        if data.len() < 22 {
            return Err("too short for a zip archive".into());
        }
        let search_from = data.len().saturating_sub(22 + 0xffff);
        let eocd = memchr::memmem::rfind(&data[search_from..], b"PK\x05\x06")
            .map(|i| search_from + i)
            .ok_or("no end of central directory record (not a zip archive, or truncated)")?;
        let mut count = u64::from(u16_at(data, eocd + 10).ok_or(TRUNCATED)?);
        let mut cd_size = u64::from(u32_at(data, eocd + 12).ok_or(TRUNCATED)?);
        let mut cd_offset = u64::from(u32_at(data, eocd + 16).ok_or(TRUNCATED)?);
        let mut cd_end = eocd as u64;
        if (count == 0xffff || cd_size == 0xffff_ffff || cd_offset == 0xffff_ffff)
            && eocd >= 20
            && data.get(eocd - 20..eocd - 16) == Some(b"PK\x06\x07")
        {
            let rec = u64_at(data, eocd - 12).ok_or(TRUNCATED)?;
            // The record sits just before the locator; its recorded offset ignores any
            // prefix, so look for it where it must be.
            let at = eocd.checked_sub(20 + 56).ok_or(TRUNCATED)?;
            if data.get(at..at + 4) != Some(b"PK\x06\x06") {
                return Err(format!(
                    "bad Zip64 end of central directory record (recorded at {rec})"
                ));
            }
            count = u64_at(data, at + 32).ok_or(TRUNCATED)?;
            cd_size = u64_at(data, at + 40).ok_or(TRUNCATED)?;
            cd_offset = u64_at(data, at + 48).ok_or(TRUNCATED)?;
            cd_end = at as u64;
        }
        if count > MAX_ENTRIES {
            return Err(format!("{count} entries, more than {MAX_ENTRIES}"));
        }
        let base = cd_end
            .checked_sub(cd_size)
            .and_then(|x| x.checked_sub(cd_offset))
            .ok_or("the central directory lies outside the file")?;
        let mut pos = usize::try_from(base + cd_offset).map_err(|_| TRUNCATED)?;
        let mut entries = Vec::with_capacity(count.min(4096) as usize);
        for _ in 0..count {
            if data.get(pos..pos + 4) != Some(b"PK\x01\x02") {
                return Err("bad central directory entry".into());
            }
            let flags = u16_at(data, pos + 8).ok_or(TRUNCATED)?;
            let method = u16_at(data, pos + 10).ok_or(TRUNCATED)?;
            let mut compressed = u64::from(u32_at(data, pos + 20).ok_or(TRUNCATED)?);
            let mut size = u64::from(u32_at(data, pos + 24).ok_or(TRUNCATED)?);
            let name_len = usize::from(u16_at(data, pos + 28).ok_or(TRUNCATED)?);
            let extra_len = usize::from(u16_at(data, pos + 30).ok_or(TRUNCATED)?);
            let comment_len = usize::from(u16_at(data, pos + 32).ok_or(TRUNCATED)?);
            let mut local_offset = u64::from(u32_at(data, pos + 42).ok_or(TRUNCATED)?);
            let name = data.get(pos + 46..pos + 46 + name_len).ok_or(TRUNCATED)?;
            let extra = data
                .get(pos + 46 + name_len..pos + 46 + name_len + extra_len)
                .ok_or(TRUNCATED)?;
            // Zip64 extended information: the fields that overflowed, in this order.
            let mut e = 0;
            while e + 4 <= extra.len() {
                let id = u16_at(extra, e).unwrap_or(0);
                let len = usize::from(u16_at(extra, e + 2).unwrap_or(0));
                if id == 1 {
                    let mut f = e + 4;
                    for field in [&mut size, &mut compressed, &mut local_offset] {
                        if *field == 0xffff_ffff
                            && let Some(v) = u64_at(extra, f)
                        {
                            *field = v;
                            f += 8;
                        }
                    }
                }
                e += 4 + len;
            }
            entries.push(Entry {
                name: String::from_utf8_lossy(name).into_owned(),
                method,
                flags,
                compressed,
                size,
                local_offset,
            });
            pos += 46 + name_len + extra_len + comment_len;
        }
        Ok(Self { data, base, entries })
    }

    /// The decompressed contents of an entry, refusing more than `limit` bytes.
    pub fn read(&self, entry: &Entry, limit: u64) -> Result<Vec<u8>, String> {
        let name = &entry.name;
        if entry.flags & 1 != 0 {
            return Err(format!("{name}: encrypted"));
        }
        if entry.size > limit {
            return Err(format!(
                "{name}: {} bytes, more than the {limit} read",
                entry.size
            ));
        }
        let bad = || format!("{name}: the entry lies outside the archive");
        let local = self
            .base
            .checked_add(entry.local_offset)
            .and_then(|l| usize::try_from(l).ok())
            .ok_or_else(bad)?;
        match self.data.get(local..local.saturating_add(4)) {
            None => return Err(bad()),
            Some(sig) if sig != b"PK\x03\x04" => return Err(format!("{name}: bad local header")),
            Some(_) => {}
        }
        let name_len = usize::from(u16_at(self.data, local + 26).ok_or_else(bad)?);
        let extra_len = usize::from(u16_at(self.data, local + 28).ok_or_else(bad)?);
        let start = local + 30 + name_len + extra_len;
        let end = usize::try_from(entry.compressed)
            .ok()
            .and_then(|c| start.checked_add(c))
            .ok_or_else(bad)?;
        let raw = self.data.get(start..end).ok_or_else(bad)?;
        match entry.method {
            0 => Ok(raw.to_vec()),
            8 => {
                let mut out = Vec::with_capacity(entry.size.min(1 << 20) as usize);
                flate2::read::DeflateDecoder::new(raw)
                    .take(limit + 1)
                    .read_to_end(&mut out)
                    .map_err(|e| format!("{name}: corrupt deflate data: {e}"))?;
                if out.len() as u64 > limit {
                    return Err(format!(
                        "{name}: decompresses to more than the {limit} bytes read"
                    ));
                }
                Ok(out)
            }
            m => Err(format!("{name}: unsupported compression method {m}")),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Builds an archive; each entry is `(name, method, flags, declared size, raw data)`.
    pub(crate) fn build(entries: &[(&str, u16, u16, u32, Vec<u8>)]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        for (name, method, flags, size, raw) in entries {
            let offset = out.len() as u32;
            out.extend_from_slice(b"PK\x03\x04\x14\0");
            out.extend_from_slice(&flags.to_le_bytes());
            out.extend_from_slice(&method.to_le_bytes());
            out.extend_from_slice(&[0; 8]);
            out.extend_from_slice(&(raw.len() as u32).to_le_bytes());
            out.extend_from_slice(&size.to_le_bytes());
            out.extend_from_slice(&(name.len() as u16).to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes());
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(raw);
            central.extend_from_slice(b"PK\x01\x02\x14\0\x14\0");
            central.extend_from_slice(&flags.to_le_bytes());
            central.extend_from_slice(&method.to_le_bytes());
            central.extend_from_slice(&[0; 8]);
            central.extend_from_slice(&(raw.len() as u32).to_le_bytes());
            central.extend_from_slice(&size.to_le_bytes());
            central.extend_from_slice(&(name.len() as u16).to_le_bytes());
            central.extend_from_slice(&[0; 12]);
            central.extend_from_slice(&offset.to_le_bytes());
            central.extend_from_slice(name.as_bytes());
        }
        let cd_offset = out.len() as u32;
        out.extend_from_slice(&central);
        out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        out.extend_from_slice(&(central.len() as u32).to_le_bytes());
        out.extend_from_slice(&cd_offset.to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        out
    }

    fn deflate(data: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn entries_read_within_their_limits() {
        let zeros = vec![0u8; 1 << 20];
        let data = build(&[
            ("stored.txt", 0, 0, 5, b"hello".to_vec()),
            ("deflated.txt", 8, 0, 5, deflate(b"world")),
            // Declares 10 bytes, inflates to a mebibyte: stopped at the limit.
            ("liar.bin", 8, 0, 10, deflate(&zeros)),
            ("secret.txt", 0, 1, 5, b"xxxxx".to_vec()),
            ("bzip2.txt", 12, 0, 5, b"xxxxx".to_vec()),
            ("corrupt.txt", 8, 0, 5, vec![0xff; 16]),
        ]);
        let zip = Zip::parse(&data).unwrap();
        let e = |n: &str| zip.entries.iter().find(|e| e.name == n).unwrap();
        assert_eq!(zip.read(e("stored.txt"), 100).unwrap(), b"hello");
        assert_eq!(zip.read(e("deflated.txt"), 100).unwrap(), b"world");
        assert!(zip.read(e("stored.txt"), 4).unwrap_err().contains("more than"));
        let err = zip.read(e("liar.bin"), 1000).unwrap_err();
        assert!(err.contains("liar.bin: decompresses to more than"), "{err}");
        assert!(zip.read(e("secret.txt"), 100).unwrap_err().contains("encrypted"));
        assert!(zip.read(e("bzip2.txt"), 100).unwrap_err().contains("method 12"));
        assert!(zip.read(e("corrupt.txt"), 100).unwrap_err().contains("corrupt"));
    }

    #[test]
    fn broken_directories_are_errors() {
        let good = build(&[("a", 0, 0, 1, b"a".to_vec())]);
        // The central directory offset points past the data.
        let mut bad = good.clone();
        let n = bad.len();
        bad[n - 6..n - 2].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(Zip::parse(&bad).is_err());
        // The local header offset points past the data.
        let mut bad = good.clone();
        let cd = u32::from_le_bytes(good[n - 6..n - 2].try_into().unwrap()) as usize;
        bad[cd + 42..cd + 46].copy_from_slice(&0x7fff_0000u32.to_le_bytes());
        let zip = Zip::parse(&bad).unwrap();
        assert!(zip.read(&zip.entries[0], 10).unwrap_err().contains("outside"));
        assert!(Zip::parse(&good[..n - 30]).is_err());
        assert!(Zip::parse(b"short").is_err());
    }
}
