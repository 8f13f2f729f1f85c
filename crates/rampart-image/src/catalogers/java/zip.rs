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
        if self.data.get(local..local.saturating_add(4)) != Some(b"PK\x03\x04") {
            return Err(format!("{name}: bad local header"));
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
