//! A read-only reader of SQLite database files, enough to list the rows of one table
//! (the `Packages` table of `rpmdb.sqlite`) from bytes in memory.
//!
//! It follows the file format documented at <https://www.sqlite.org/fileformat.html>:
//! the 100-byte header, table b-trees (interior and leaf pages), overflow page chains and
//! the record format. It never trusts the file: every offset is checked, a page is visited
//! at most once, and a payload cannot be larger than the file. Index b-trees, the
//! free list and write-ahead logs are not read (a committed database does not need them).

use std::collections::HashSet;

/// A column value of a record (text and blobs borrow from the record).
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    Null,
    Integer(i64),
    Real(f64),
    Text(&'a [u8]),
    Blob(&'a [u8]),
}

/// A database file in memory.
pub struct Database<'a> {
    data: &'a [u8],
    page_size: usize,
    usable: usize,
    pages: u32,
}

const MAGIC: &[u8; 16] = b"SQLite format 3\0";

impl<'a> Database<'a> {
    pub fn open(data: &'a [u8]) -> Result<Self, String> {
        if data.len() < 100 || &data[..16] != MAGIC {
            return Err("not an SQLite 3 database".into());
        }
        let raw = usize::from(u16::from_be_bytes([data[16], data[17]]));
        let page_size = if raw == 1 { 65536 } else { raw };
        if !(512..=65536).contains(&page_size) || !page_size.is_power_of_two() {
            return Err(format!("invalid page size {raw}"));
        }
        let reserved = usize::from(data[20]);
        let usable = page_size - reserved;
        if usable < 480 {
            return Err(format!("invalid reserved space {reserved}"));
        }
        let encoding = u32::from_be_bytes([data[56], data[57], data[58], data[59]]);
        if encoding > 1 {
            return Err(format!("text encoding {encoding} is not UTF-8"));
        }
        if !data.len().is_multiple_of(page_size) {
            return Err(format!(
                "the file ({} bytes) is not a whole number of {page_size}-byte pages: truncated?",
                data.len()
            ));
        }
        let pages = u32::try_from(data.len() / page_size).map_err(|_| "too many pages".to_string())?;
        Ok(Self {
            data,
            page_size,
            usable,
            pages,
        })
    }

    fn page(&self, n: u32) -> Result<&'a [u8], String> {
        if n == 0 || n > self.pages {
            return Err(format!("page {n} is outside the file ({} pages)", self.pages));
        }
        let start = (n as usize - 1) * self.page_size;
        Ok(&self.data[start..start + self.page_size])
    }

    /// The root page of a table, from the schema table.
    pub fn table_root(&self, name: &str) -> Result<u32, String> {
        let mut found = None;
        let errors = self.for_each_row(1, |_, payload| {
            if found.is_some() {
                return;
            }
            if let Ok(cols) = decode_record(&payload)
                && let [Value::Text(kind), Value::Text(tbl), _, Value::Integer(root), ..] = cols.as_slice()
                && *kind == b"table"
                && tbl.eq_ignore_ascii_case(name.as_bytes())
            {
                found = Some(*root);
            }
        });
        match found {
            Some(root) => u32::try_from(root).map_err(|_| format!("table {name} has root page {root}")),
            None => match errors.first() {
                Some(e) => Err(format!("schema: {e}")),
                None => Err(format!("no table {name}")),
            },
        }
    }

    /// Calls `f` with `(rowid, record payload)` for every row of the table b-tree rooted at
    /// `root`, in rowid order, one row in memory at a time. Returns the problems met on
    /// the way (the rows before and after a bad page are still read).
    pub fn for_each_row(&self, root: u32, mut f: impl FnMut(i64, Vec<u8>)) -> Vec<String> {
        let mut errors = Vec::new();
        let mut visited = HashSet::new();
        // Depth-first, left to right: children are pushed in reverse.
        let mut stack = vec![root];
        while let Some(n) = stack.pop() {
            if !visited.insert(n) {
                errors.push(format!("page {n} is reached twice (a loop in the b-tree)"));
                continue;
            }
            if let Err(e) = self.read_page(n, &mut stack, &mut f, &mut visited) {
                errors.push(format!("page {n}: {e}"));
            }
        }
        errors
    }

    fn read_page(
        &self,
        n: u32,
        stack: &mut Vec<u32>,
        f: &mut impl FnMut(i64, Vec<u8>),
        visited: &mut HashSet<u32>,
    ) -> Result<(), String> {
        let page = self.page(n)?;
        let hdr = if n == 1 { 100 } else { 0 };
        let kind = *page.get(hdr).ok_or("page too short")?;
        let cells = usize::from(be16(page, hdr + 3)?);
        match kind {
            // Interior table page: cells are (left child, key); then the right-most child.
            0x05 => {
                let right = be32(page, hdr + 8)?;
                let mut children = Vec::with_capacity(cells + 1);
                for i in 0..cells {
                    let off = usize::from(be16(page, hdr + 12 + 2 * i)?);
                    children.push(be32(page, off)?);
                }
                children.push(right);
                stack.extend(children.into_iter().rev());
                Ok(())
            }
            0x0D => {
                for i in 0..cells {
                    let off = usize::from(be16(page, hdr + 8 + 2 * i)?);
                    match self.leaf_cell(page, off, visited) {
                        Ok((rowid, payload)) => f(rowid, payload),
                        Err(e) => return Err(format!("cell {i}: {e}")),
                    }
                }
                Ok(())
            }
            other => Err(format!("not a table b-tree page (type {other:#04x})")),
        }
    }

    fn leaf_cell(
        &self,
        page: &[u8],
        off: usize,
        visited: &mut HashSet<u32>,
    ) -> Result<(i64, Vec<u8>), String> {
        let (size, size_len) = varint(page, off)?;
        let (rowid, rowid_len) = varint(page, off + size_len)?;
        let start = off + size_len + rowid_len;
        let size = usize::try_from(size).map_err(|_| "payload size overflows")?;
        if size > self.data.len() {
            return Err(format!("payload of {size} bytes is larger than the file"));
        }
        // How much of the payload is on the page (the file format's U, X, M and K).
        let usable = self.usable;
        let max_local = usable - 35;
        let local = if size <= max_local {
            size
        } else {
            let min_local = ((usable - 12) * 32 / 255) - 23;
            let fitted = min_local + ((size - min_local) % (usable - 4));
            if fitted <= max_local { fitted } else { min_local }
        };
        let body = page
            .get(start..start + local)
            .ok_or("payload runs past the page")?;
        let mut payload = Vec::with_capacity(size);
        payload.extend_from_slice(body);
        if local < size {
            let mut next = be32(page, start + local)?;
            while payload.len() < size {
                if !visited.insert(next) {
                    return Err(format!("overflow page {next} is reached twice"));
                }
                let ov = self.page(next)?;
                next = be32(ov, 0)?;
                let take = (size - payload.len()).min(usable - 4);
                payload.extend_from_slice(&ov[4..4 + take]);
            }
        }
        Ok((rowid.cast_signed(), payload))
    }
}

/// Decodes a record (the payload of a table row) into its column values.
pub fn decode_record(payload: &[u8]) -> Result<Vec<Value<'_>>, String> {
    let (header_len, mut pos) = varint(payload, 0)?;
    let header_len = usize::try_from(header_len).map_err(|_| "record header too long")?;
    if header_len > payload.len() || header_len < pos {
        return Err("record header runs past the record".into());
    }
    let mut types = Vec::new();
    while pos < header_len {
        let (t, n) = varint(payload, pos)?;
        types.push(t);
        pos += n;
    }
    let mut body = header_len;
    let mut values = Vec::with_capacity(types.len());
    for t in types {
        let len = match t {
            0 | 8 | 9 => 0,
            1..=4 => t as usize,
            5 => 6,
            6 | 7 => 8,
            10 | 11 => return Err(format!("reserved serial type {t}")),
            t => usize::try_from((t - 12) / 2).map_err(|_| "field too long")?,
        };
        let bytes = payload
            .get(body..body.checked_add(len).ok_or("field too long")?)
            .ok_or("record field runs past the record")?;
        body += len;
        values.push(match t {
            0 => Value::Null,
            8 => Value::Integer(0),
            9 => Value::Integer(1),
            1..=6 => {
                // Big-endian two's complement of 1, 2, 3, 4, 6 or 8 bytes.
                let mut v: i64 = if bytes[0] & 0x80 != 0 { -1 } else { 0 };
                for &b in bytes {
                    v = (v << 8) | i64::from(b);
                }
                Value::Integer(v)
            }
            7 => Value::Real(f64::from_be_bytes(bytes.try_into().map_err(|_| "bad real")?)),
            t if t % 2 == 0 => Value::Blob(bytes),
            _ => Value::Text(bytes),
        });
    }
    Ok(values)
}

/// SQLite's variable-length integer: 1 to 9 bytes, big-endian, 7 bits a byte (all 8 in
/// the ninth). Returns the value and its length.
pub fn varint(data: &[u8], at: usize) -> Result<(u64, usize), String> {
    let mut v: u64 = 0;
    for i in 0..9 {
        let b = *data.get(at + i).ok_or("varint runs past the end")?;
        if i == 8 {
            return Ok(((v << 8) | u64::from(b), 9));
        }
        v = (v << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            return Ok((v, i + 1));
        }
    }
    unreachable!("the loop returns by the ninth byte")
}

fn be16(data: &[u8], at: usize) -> Result<u16, String> {
    data.get(at..at + 2)
        .map(|b| u16::from_be_bytes([b[0], b[1]]))
        .ok_or_else(|| format!("offset {at} is outside the page"))
}

fn be32(data: &[u8], at: usize) -> Result<u32, String> {
    data.get(at..at + 4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
        .ok_or_else(|| format!("offset {at} is outside the page"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints() {
        assert_eq!(varint(&[0x05], 0), Ok((5, 1)));
        assert_eq!(varint(&[0x81, 0x00], 0), Ok((128, 2)));
        assert_eq!(varint(&[0xff; 9], 0), Ok((u64::MAX, 9)));
        assert!(varint(&[0x81], 0).is_err());
    }

    #[test]
    fn records() {
        // Header: 4 bytes (len, NULL, int8, text of 2).
        let rec = [4, 0, 1, 17, 0xfe, b'h', b'i'];
        assert_eq!(
            decode_record(&rec).unwrap(),
            [Value::Null, Value::Integer(-2), Value::Text(b"hi")]
        );
        assert!(decode_record(&[4, 0, 1, 17, 0xfe, b'h']).is_err());
    }

    #[test]
    fn not_a_database() {
        assert!(Database::open(b"hello").is_err());
        let mut d = vec![0u8; 1024];
        d[..16].copy_from_slice(MAGIC);
        d[16] = 0x03; // 768: not a power of two
        assert!(Database::open(&d).is_err());
    }
}
