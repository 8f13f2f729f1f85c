//! Reading one layer: a tar stream, compressed with gzip or zstd or not at all (detected
//! from its first bytes, whatever the media type claims), hashed while it streams so its
//! digests can be checked, and never unpacked: each entry becomes an index entry, and the
//! files catalogers want are read into memory.
//!
//! Hostile entries do not stop the layer: a path that climbs above the root (`../`) or a
//! hard link pointing there is skipped with a warning; absolute paths are read as
//! relative to the image root (nothing is ever written, so they cannot escape); devices,
//! FIFOs and sockets are indexed but never read. A layer that expands beyond
//! [`Limits::max_layer_bytes`] or [`Limits::max_entries`] (a decompression bomb) stops
//! with an error.

use std::io::{self, BufRead, BufReader, Read};

use sha2::{Digest, Sha256};

use crate::fs::{self, EntryKind, FileMeta, LayerContents, Warning};
use crate::inventory::Selector;

/// Bounds on what a single layer may expand to.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Uncompressed bytes of one layer.
    pub max_layer_bytes: u64,
    /// Entries in one layer.
    pub max_entries: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_layer_bytes: 64 << 30,
            max_entries: 10_000_000,
        }
    }
}

/// Why a layer could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LayerError {
    #[error("layer {layer}: {message}")]
    Corrupt { layer: String, message: String },
    #[error("layer {layer}: digest mismatch: expected {expected}, found {actual}")]
    Digest {
        layer: String,
        expected: String,
        actual: String,
    },
    #[error("layer {layer}: expands to more than {limit} {what}: refused as a decompression bomb")]
    TooLarge {
        layer: String,
        limit: u64,
        what: &'static str,
    },
}

/// The digests a layer must have: of the blob as stored (`digest`, compressed) and of
/// the tar stream (`diff_id`, uncompressed). Either may be unknown.
#[derive(Debug, Clone, Default)]
pub struct Expected {
    pub digest: Option<String>,
    pub diff_id: Option<String>,
    /// The stored blob was already checked against `digest` (a registry pull hashes
    /// blobs as they arrive): do not hash it again.
    pub digest_checked: bool,
}

/// A reader that hashes what passes through it.
struct Hashing<'p, R> {
    inner: R,
    hash: Option<Sha256>,
    count: u64,
    /// Told the running count after each read (at most every 1 MiB).
    progress: Option<&'p mut dyn FnMut(u64)>,
    reported: u64,
}

impl<R: Read> Read for Hashing<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(h) = &mut self.hash {
            h.update(&buf[..n]);
        }
        self.count += n as u64;
        if let Some(p) = &mut self.progress
            && (self.count - self.reported >= 1 << 20 || n == 0)
        {
            self.reported = self.count;
            p(self.count);
        }
        Ok(n)
    }
}

/// A reader that stops with an error after `limit` bytes.
struct Bounded<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n as u64 > self.left {
            return Err(io::Error::other(BOMB));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

const BOMB: &str = "rampart: layer size limit";

fn hex(digest: &[u8]) -> String {
    use std::fmt::Write;
    digest.iter().fold(String::with_capacity(71), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn sha256_hex(h: Sha256) -> String {
    format!("sha256:{}", hex(&h.finalize()))
}

/// Reads one layer blob. `name` identifies it in messages (its digest, or its path in an
/// archive); `progress` is told the number of stored (compressed) bytes read so far.
pub fn read_layer(
    name: &str,
    blob: impl Read,
    expected: &Expected,
    selector: &Selector<'_>,
    limits: Limits,
    progress: &mut dyn FnMut(u64),
) -> Result<LayerContents, LayerError> {
    let verify_digest = !expected.digest_checked
        && expected
            .digest
            .as_deref()
            .is_some_and(|d| d.starts_with("sha256:"));
    let verify_diff = expected
        .diff_id
        .as_deref()
        .is_some_and(|d| d.starts_with("sha256:"));
    let mut raw = BufReader::with_capacity(
        256 << 10,
        Hashing {
            inner: blob,
            hash: verify_digest.then(Sha256::new),
            count: 0,
            progress: Some(progress),
            reported: 0,
        },
    );
    let corrupt = |message: String| LayerError::Corrupt {
        layer: name.to_string(),
        message,
    };
    let head = raw.fill_buf().map_err(|e| corrupt(format!("cannot read: {e}")))?;
    let decoder: Box<dyn Read + '_> = if head.starts_with(&[0x1f, 0x8b]) {
        Box::new(flate2::bufread::MultiGzDecoder::new(&mut raw))
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Box::new(
            zstd::stream::read::Decoder::with_buffer(&mut raw).map_err(|e| corrupt(format!("zstd: {e}")))?,
        )
    } else {
        Box::new(&mut raw)
    };
    let mut tar_stream = Hashing {
        inner: Bounded {
            inner: decoder,
            left: limits.max_layer_bytes,
        },
        hash: verify_diff.then(Sha256::new),
        count: 0,
        progress: None,
        reported: 0,
    };
    let mut out = LayerContents {
        // Layers are named by their uncompressed digest when it is known: it is the same
        // whether the image came from a registry, an archive or a layout.
        digest: expected.diff_id.clone().or_else(|| expected.digest.clone()),
        ..LayerContents::default()
    };
    let map_err = |e: io::Error| {
        if e.to_string() == BOMB {
            LayerError::TooLarge {
                layer: name.to_string(),
                limit: limits.max_layer_bytes,
                what: "bytes",
            }
        } else {
            corrupt(format!("not a valid tar stream: {e}"))
        }
    };
    {
        let mut archive = tar::Archive::new(&mut tar_stream);
        let mut count = 0u64;
        for entry in archive.entries().map_err(map_err)? {
            let mut entry = entry.map_err(map_err)?;
            count += 1;
            if count > limits.max_entries {
                return Err(LayerError::TooLarge {
                    layer: name.to_string(),
                    limit: limits.max_entries,
                    what: "entries",
                });
            }
            read_entry(&mut entry, selector, &mut out);
        }
        // Whatever follows the end-of-archive marker still counts toward the digests.
        io::copy(archive.into_inner(), &mut io::sink()).map_err(map_err)?;
    }
    let diff = tar_stream.hash.take();
    drop(tar_stream);
    // The compressed stream may have trailing bytes the decoder did not ask for.
    io::copy(&mut raw, &mut io::sink()).map_err(|e| corrupt(format!("cannot read: {e}")))?;
    let hashing = raw.into_inner();
    if let (Some(h), Some(expected)) = (hashing.hash, expected.digest.as_deref()) {
        let actual = sha256_hex(h);
        if actual != expected {
            return Err(LayerError::Digest {
                layer: name.to_string(),
                expected: expected.to_string(),
                actual,
            });
        }
    }
    if let (Some(h), Some(expected)) = (diff, expected.diff_id.as_deref()) {
        let actual = sha256_hex(h);
        if actual != expected {
            return Err(LayerError::Digest {
                layer: name.to_string(),
                expected: expected.to_string(),
                actual,
            });
        }
    }
    Ok(out)
}

fn read_entry<R: Read>(entry: &mut tar::Entry<'_, R>, selector: &Selector<'_>, out: &mut LayerContents) {
    let raw_path = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
    let warn = |out: &mut LayerContents, message: String| {
        out.warnings.push(Warning {
            layer: out.digest.clone(),
            path: Some(raw_path.clone()),
            message,
        });
    };
    let Some(path) = fs::normalize(&raw_path) else {
        warn(out, "skipped: the path climbs above the image root".into());
        return;
    };
    if path == "/" {
        return;
    }
    let name = path.rsplit('/').next().unwrap_or("");
    if let Some(hidden) = name.strip_prefix(".wh.") {
        let dir = fs::parent(&path);
        if hidden == ".wh..opq" {
            out.opaque_dirs.push(dir.to_string());
        } else if !hidden.is_empty() && hidden != "." && hidden != ".." {
            let target = if dir == "/" {
                format!("/{hidden}")
            } else {
                format!("{dir}/{hidden}")
            };
            out.whiteouts.push(target);
        }
        return;
    }
    let header = entry.header();
    let mode = header.mode().unwrap_or(0o644) & 0o7777;
    let size = entry.size();
    let kind = match header.entry_type() {
        tar::EntryType::Regular | tar::EntryType::Continuous | tar::EntryType::GNUSparse => EntryKind::File,
        tar::EntryType::Directory => EntryKind::Dir,
        tar::EntryType::Symlink => match entry.link_name_bytes() {
            Some(t) => EntryKind::Symlink(String::from_utf8_lossy(&t).into_owned()),
            None => EntryKind::Other,
        },
        tar::EntryType::Link => {
            let target = entry
                .link_name_bytes()
                .map(|t| String::from_utf8_lossy(&t).into_owned());
            match target.as_deref().and_then(fs::normalize) {
                Some(t) if t != "/" => EntryKind::Hardlink(t),
                _ => {
                    warn(out, "skipped: a hard link to a path above the image root".into());
                    return;
                }
            }
        }
        _ => EntryKind::Other,
    };
    let meta = FileMeta {
        size: if kind == EntryKind::File { size } else { 0 },
        mode,
        kind,
    };
    if let EntryKind::Hardlink(target) = &meta.kind {
        // A hard link shares its target's contents: what was captured for the target in
        // this layer is captured for the link too.
        let as_file = FileMeta {
            kind: EntryKind::File,
            size: 0,
            mode,
        };
        let (slots, _) = selector.wanted(&path, &as_file);
        let copies: Vec<_> = out
            .captures
            .iter()
            .filter(|(slot, p, _)| p == target && slots.contains(slot))
            .map(|(slot, _, data)| (*slot, path.clone(), data.clone()))
            .collect();
        out.captures.extend(copies);
    } else {
        let (slots, _) = selector.wanted(&path, &meta);
        if !slots.is_empty() {
            selector.capture(&path, &meta, &slots, entry, out);
        }
    }
    out.entries.push((path, meta));
}
