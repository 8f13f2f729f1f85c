//! The destination: an OCI image layout directory (`oci-layout`, `index.json`,
//! `blobs/<alg>/<hex>`). Blobs are written to a temporary file inside the destination
//! and renamed into place only once their size and digest are verified; `index.json` is
//! written last, so a layout with an `index.json` is complete.

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::digest::Hasher;
use crate::{Digest, Error};

const OCI_LAYOUT_FILE: &str = "oci-layout";
const OCI_LAYOUT_CONTENT: &[u8] = br#"{"imageLayoutVersion":"1.0.0"}"#;
const CHUNK: usize = 64 * 1024;

pub(crate) struct Layout {
    root: PathBuf,
}

/// Why streaming a blob stopped: a read error may be retried, anything else may not.
pub(crate) enum BlobError {
    Read(io::Error),
    Fatal(Error),
}

impl Layout {
    /// Opens `root` as a layout: creates it (its parent must exist) when missing, accepts
    /// it when empty or already a layout, refuses anything else.
    pub(crate) fn open(root: &Path) -> Result<Self, Error> {
        match fs::create_dir(root) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                if !root.is_dir() {
                    return Err(Error::DestinationNotEmpty {
                        path: root.to_owned(),
                    });
                }
                let is_layout = root.join(OCI_LAYOUT_FILE).is_file();
                let empty = fs::read_dir(root)
                    .map_err(|e| Error::io(root, e))?
                    .next()
                    .is_none();
                if !is_layout && !empty {
                    return Err(Error::DestinationNotEmpty {
                        path: root.to_owned(),
                    });
                }
            }
            Err(e) => return Err(Error::io(root, e)),
        }
        let layout = Layout {
            root: root.to_owned(),
        };
        layout.write_file(OCI_LAYOUT_FILE, OCI_LAYOUT_CONTENT)?;
        Ok(layout)
    }

    pub(crate) fn blob_path(&self, digest: &Digest) -> PathBuf {
        self.root
            .join("blobs")
            .join(digest.algorithm().name())
            .join(digest.hex())
    }

    fn temp_file(&self) -> Result<NamedTempFile, Error> {
        tempfile::Builder::new()
            .prefix(".partial-")
            .tempfile_in(&self.root)
            .map_err(|e| Error::io(&self.root, e))
    }

    /// Whether the blob is already present with the right size and content.
    pub(crate) fn has_blob(&self, digest: &Digest, size: u64) -> Result<bool, Error> {
        let path = self.blob_path(digest);
        let Ok(meta) = fs::metadata(&path) else {
            return Ok(false);
        };
        if !meta.is_file() || meta.len() != size {
            return Ok(false);
        }
        let mut file = fs::File::open(&path).map_err(|e| Error::io(&path, e))?;
        let mut hasher = Hasher::new(digest.algorithm());
        let mut buf = vec![0u8; CHUNK];
        loop {
            let n = file.read(&mut buf).map_err(|e| Error::io(&path, e))?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
        }
        Ok(hasher.finish() == *digest)
    }

    /// Streams `reader` into the blob for `digest`, checking that it is exactly `size`
    /// bytes with that digest before it appears under `blobs/`. `progress` gets the
    /// running byte count. On any error the temporary file is removed.
    pub(crate) fn write_blob(
        &self,
        reader: &mut dyn Read,
        what: &'static str,
        digest: &Digest,
        size: u64,
        progress: &mut dyn FnMut(u64),
    ) -> Result<(), BlobError> {
        let mut tmp = self.temp_file().map_err(BlobError::Fatal)?;
        let tmp_path = tmp.path().to_owned();
        let mut hasher = Hasher::new(digest.algorithm());
        let mut received: u64 = 0;
        let mut buf = vec![0u8; CHUNK];
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(BlobError::Read(e)),
            };
            received += n as u64;
            if received > size {
                return Err(BlobError::Fatal(Error::SizeMismatch {
                    what,
                    digest: digest.to_string(),
                    expected: size,
                    actual: received,
                }));
            }
            hasher.update(&buf[..n]);
            tmp.write_all(&buf[..n])
                .map_err(|e| BlobError::Fatal(Error::io(&tmp_path, e)))?;
            progress(received);
        }
        if received != size {
            return Err(BlobError::Fatal(Error::SizeMismatch {
                what,
                digest: digest.to_string(),
                expected: size,
                actual: received,
            }));
        }
        let actual = hasher.finish();
        if actual != *digest {
            return Err(BlobError::Fatal(Error::DigestMismatch {
                what,
                expected: digest.to_string(),
                actual: actual.to_string(),
            }));
        }
        tmp.flush()
            .map_err(|e| BlobError::Fatal(Error::io(&tmp_path, e)))?;
        self.persist(tmp, digest).map_err(BlobError::Fatal)
    }

    /// Writes bytes already verified against `digest` (a manifest) as a blob.
    pub(crate) fn write_verified_bytes(&self, digest: &Digest, bytes: &[u8]) -> Result<(), Error> {
        let mut tmp = self.temp_file()?;
        tmp.write_all(bytes)
            .map_err(|e| Error::io(tmp.path().to_owned(), e))?;
        self.persist(tmp, digest)
    }

    fn persist(&self, tmp: NamedTempFile, digest: &Digest) -> Result<(), Error> {
        let path = self.blob_path(digest);
        let dir = path.parent().expect("blob paths have a parent");
        fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        tmp.persist(&path).map_err(|e| Error::io(&path, e.error))?;
        Ok(())
    }

    /// Replaces a top-level file atomically.
    pub(crate) fn write_file(&self, name: &str, bytes: &[u8]) -> Result<(), Error> {
        let path = self.root.join(name);
        let mut tmp = self.temp_file()?;
        tmp.write_all(bytes)
            .map_err(|e| Error::io(tmp.path().to_owned(), e))?;
        tmp.persist(&path).map_err(|e| Error::io(&path, e.error))?;
        Ok(())
    }

    pub(crate) fn read_blob(&self, digest: &Digest) -> Result<Vec<u8>, Error> {
        let path = self.blob_path(digest);
        fs::read(&path).map_err(|e| Error::io(&path, e))
    }
}
