//! The local advisory database: one file, `osv.db`, built from OSV records and read by
//! (ecosystem, package name).
//!
//! Layout (all integers little-endian; docs/vulnerability-database.md explains the
//! choice):
//!
//! ```text
//! header   "RMPOSVDB", u32 format, u32 0, then five (u64 offset, u64 length/count) pairs:
//!          metadata, advisory table, key table, key bytes, blobs
//! metadata JSON: when built, the sources, counts
//! advisory table  per advisory: u64 blob offset, u32 blob length      (12 bytes)
//! key table       per key, sorted by key bytes:                        (20 bytes)
//!                 u32 key offset, u32 key length, u64 blob offset, u32 blob length
//! key bytes       `ecosystem \0 normalised name`, concatenated
//! blobs           advisory blobs (JSON: id, aliases, summary, references ...) and
//!                 key blobs (JSON: the affected entries of that package)
//! ```
//!
//! Opening reads the header, the metadata and the two tables (a few bytes per package
//! and advisory); a lookup is a binary search in the key table and one positioned read
//! of that package's blob. A new database is written next to the old one and renamed over
//! it, so readers and interrupted writers never see a partial file.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{Read as _, Write as _};
use std::os::unix::fs::FileExt as _;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::osv::{self, Event, Problem, Record, Reference};
use crate::severity::{self, Severity};

/// The database file inside the database directory.
pub const FILE_NAME: &str = "osv.db";
const MAGIC: &[u8; 8] = b"RMPOSVDB";
const FORMAT: u32 = 1;
const HEADER_LEN: usize = 16 + 5 * 16;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("no vulnerability database at {0} (run `rampart db update` or `rampart db import`)")]
    Missing(PathBuf),
    #[error("{path}: not a usable vulnerability database: {message}")]
    Corrupt { path: PathBuf, message: String },
    #[error("{path}: not a readable zip archive: {message}")]
    Zip { path: PathBuf, message: String },
    #[error("{0}: another import or update of this database is running")]
    Locked(PathBuf),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_owned(),
        source,
    }
}

/// Where a source's records came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// `rampart db import`: files and archives on disk.
    Import,
    /// `rampart db update`: an archive downloaded from an OSV mirror.
    Download,
}

/// One source of records and what it gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceInfo {
    /// What identifies the source: the OSV ecosystem for downloads, the path for imports.
    /// A new import or update of the same source replaces its records.
    pub name: String,
    pub kind: SourceKind,
    /// The URL or path it was read from.
    pub location: String,
    /// When it was read, in seconds since the Unix epoch.
    pub updated: u64,
    /// Records imported (withdrawn ones not counted).
    pub records: usize,
    pub withdrawn: usize,
    /// Records that could not be read.
    pub problems: usize,
    /// The newest `modified` time among its records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub newest_modified: Option<String>,
    /// Affected packages per ecosystem.
    #[serde(default)]
    pub ecosystems: BTreeMap<String, usize>,
}

/// What a database says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    /// When the file was written, in seconds since the Unix epoch.
    pub built: u64,
    pub sources: Vec<SourceInfo>,
    pub advisories: usize,
    /// Distinct (ecosystem, package) keys.
    pub packages: usize,
}

/// An advisory as stored: what a finding shows about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Advisory {
    pub id: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub upstream: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub summary: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<Reference>,
    /// Index of its source in [`Metadata::sources`].
    pub source: u32,
}

/// A version range as stored: `SEMVER` or `ECOSYSTEM` (GIT ranges are not kept: their
/// commits cannot be compared with installed versions).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredRange {
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub semver: bool,
    pub events: Vec<Event>,
}

/// One affected package of an advisory, as stored under its key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AffectedEntry {
    /// Index of the advisory in the advisory table.
    #[serde(rename = "adv")]
    pub advisory: u32,
    /// The ecosystem and name of the key it is stored under (not repeated in the blob).
    #[serde(skip)]
    pub ecosystem: String,
    #[serde(skip)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<StoredRange>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub severity: Vec<Severity>,
}

/// The lookup name of a package in an ecosystem: PyPI names are normalised as PEP 503
/// says (lower case, runs of `-`, `_`, `.` become one `-`); other names are exact.
pub fn normalize_name(ecosystem: &str, name: &str) -> String {
    let base = ecosystem.split(':').next().unwrap_or(ecosystem);
    if base == "PyPI" {
        rampart_image::package::pep503_normalize(name)
    } else {
        name.to_owned()
    }
}

fn key(ecosystem: &str, name: &str) -> Vec<u8> {
    let name = normalize_name(ecosystem, name);
    let mut k = Vec::with_capacity(ecosystem.len() + 1 + name.len());
    k.extend_from_slice(ecosystem.as_bytes());
    k.push(0);
    k.extend_from_slice(name.as_bytes());
    k
}

/// An open database.
#[derive(Debug)]
pub struct Database {
    path: PathBuf,
    file: File,
    meta: Metadata,
    adv_table: Vec<u8>,
    key_table: Vec<u8>,
    keys: Vec<u8>,
    blobs_off: u64,
    blobs_len: u64,
}

fn le_u32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}

fn le_u64(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

impl Database {
    /// The database file of a database directory.
    pub fn file_path(dir: &Path) -> PathBuf {
        dir.join(FILE_NAME)
    }

    /// Opens the database in `dir`.
    pub fn open(dir: &Path) -> Result<Database, Error> {
        let path = Self::file_path(dir);
        let file = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::Missing(dir.to_owned()));
            }
            Err(e) => return Err(io(&path)(e)),
        };
        let corrupt = |message: &str| Error::Corrupt {
            path: Self::file_path(dir),
            message: message.to_owned(),
        };
        let len = file.metadata().map_err(io(&path))?.len();
        let mut header = [0u8; HEADER_LEN];
        if len < HEADER_LEN as u64 {
            return Err(corrupt("the file is too short"));
        }
        file.read_exact_at(&mut header, 0).map_err(io(&path))?;
        if &header[..8] != MAGIC {
            return Err(corrupt("wrong magic number"));
        }
        let format = le_u32(&header, 8);
        if format != FORMAT {
            return Err(corrupt(&format!(
                "format {format}, this version of rampart reads format {FORMAT}; `rampart db update` or `rampart db import` builds a new one"
            )));
        }
        let section = |i: usize| (le_u64(&header, 16 + i * 16), le_u64(&header, 24 + i * 16));
        let read = |(off, n): (u64, u64)| -> Result<Vec<u8>, Error> {
            if off.checked_add(n).is_none_or(|end| end > len) || n > len {
                return Err(corrupt("a section lies outside the file"));
            }
            let mut buf = vec![0u8; usize::try_from(n).map_err(|_| corrupt("section too large"))?];
            file.read_exact_at(&mut buf, off).map_err(io(&path))?;
            Ok(buf)
        };
        let meta_bytes = read(section(0))?;
        let meta: Metadata =
            serde_json::from_slice(&meta_bytes).map_err(|e| corrupt(&format!("metadata: {e}")))?;
        let (adv_off, adv_count) = section(1);
        let adv_table = read((adv_off, adv_count.saturating_mul(12)))?;
        let (key_off, key_count) = section(2);
        let key_table = read((key_off, key_count.saturating_mul(20)))?;
        let keys = read(section(3))?;
        let (blobs_off, blobs_len) = section(4);
        if blobs_off.checked_add(blobs_len).is_none_or(|end| end > len) {
            return Err(corrupt("the blob section lies outside the file"));
        }
        let db = Database {
            path,
            file,
            meta,
            adv_table,
            key_table,
            keys,
            blobs_off,
            blobs_len,
        };
        for i in 0..db.key_count() {
            let (ko, kl, _, _) = db.key_entry(i);
            if (ko as usize)
                .checked_add(kl as usize)
                .is_none_or(|e| e > db.keys.len())
            {
                return Err(corrupt("a key lies outside the key section"));
            }
        }
        Ok(db)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn metadata(&self) -> &Metadata {
        &self.meta
    }

    fn key_count(&self) -> usize {
        self.key_table.len() / 20
    }

    fn key_entry(&self, i: usize) -> (u32, u32, u64, u32) {
        let b = &self.key_table[i * 20..i * 20 + 20];
        (le_u32(b, 0), le_u32(b, 4), le_u64(b, 8), le_u32(b, 16))
    }

    fn key_bytes(&self, i: usize) -> &[u8] {
        let (ko, kl, _, _) = self.key_entry(i);
        &self.keys[ko as usize..ko as usize + kl as usize]
    }

    /// Decodes the blob at `off`, read into a per-thread buffer (no allocation, no zeroing
    /// per read once the buffer has grown).
    fn decode_blob<T: for<'de> Deserialize<'de>>(&self, off: u64, len: u32) -> Result<T, Error> {
        thread_local! {
            static BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        if off.checked_add(u64::from(len)).is_none_or(|e| e > self.blobs_len) {
            return Err(Error::Corrupt {
                path: self.path.clone(),
                message: "a record lies outside the blob section".to_owned(),
            });
        }
        BUF.with_borrow_mut(|buf| {
            if buf.len() < len as usize {
                buf.resize(len as usize, 0);
            }
            let bytes = &mut buf[..len as usize];
            self.file
                .read_exact_at(bytes, self.blobs_off + off)
                .map_err(io(&self.path))?;
            serde_json::from_slice(bytes).map_err(|e| Error::Corrupt {
                path: self.path.clone(),
                message: format!("a stored record does not decode: {e}"),
            })
        })
    }

    /// The entries of key `i`, with their ecosystem and name filled in from the key.
    fn entries_at(&self, i: usize) -> Result<Vec<AffectedEntry>, Error> {
        let (_, _, off, len) = self.key_entry(i);
        let mut entries: Vec<AffectedEntry> = self.decode_blob(off, len)?;
        let key = String::from_utf8_lossy(self.key_bytes(i));
        let (eco, name) = key.split_once('\0').unwrap_or((&key, ""));
        for e in &mut entries {
            eco.clone_into(&mut e.ecosystem);
            name.clone_into(&mut e.name);
        }
        Ok(entries)
    }

    /// The affected entries stored for a package of an ecosystem (the exact ecosystem
    /// string, `Debian:12`; the name is normalised as [`normalize_name`] says).
    pub fn lookup(&self, ecosystem: &str, name: &str) -> Result<Vec<AffectedEntry>, Error> {
        let k = key(ecosystem, name);
        let (mut lo, mut hi) = (0usize, self.key_count());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.key_bytes(mid).cmp(&k[..]) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return self.entries_at(mid),
            }
        }
        Ok(Vec::new())
    }

    pub fn advisory_count(&self) -> usize {
        self.adv_table.len() / 12
    }

    /// The advisory at `index` of the advisory table.
    pub fn advisory(&self, index: u32) -> Result<Advisory, Error> {
        let i = index as usize;
        if i >= self.advisory_count() {
            return Err(Error::Corrupt {
                path: self.path.clone(),
                message: format!("advisory {index} does not exist"),
            });
        }
        let b = &self.adv_table[i * 12..i * 12 + 12];
        self.decode_blob(le_u64(b, 0), le_u32(b, 8))
    }

    /// Every (ecosystem, name) key, in stored order.
    pub fn keys(&self) -> impl Iterator<Item = (&str, &str)> {
        (0..self.key_count()).filter_map(|i| {
            let k = std::str::from_utf8(self.key_bytes(i)).ok()?;
            k.split_once('\0')
        })
    }
}

/// Takes the lock of a database directory (created when missing) for an import or
/// update; released when the returned file is dropped.
pub fn lock(dir: &Path) -> Result<File, Error> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let path = dir.join(".lock");
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io(&path))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(Error::Locked(dir.to_owned())),
        Err(std::fs::TryLockError::Error(e)) => Err(io(&path)(e)),
    }
}

/// An advisory being built, with its affected entries.
#[derive(Debug, Clone)]
struct Pending {
    advisory: Advisory,
    affected: Vec<AffectedEntry>,
}

/// What one import added.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportStats {
    pub files: usize,
    pub records: usize,
    pub withdrawn: usize,
    pub problems: Vec<Problem>,
}

/// Builds a database: start empty or from an existing database, add sources, write.
#[derive(Debug, Default)]
pub struct Builder {
    sources: Vec<SourceInfo>,
    advisories: HashMap<String, Pending>,
}

/// The largest archive member read: OSV records are kilobytes, the largest known ones a
/// few megabytes; more is a broken or hostile archive.
const MAX_RECORD_BYTES: u64 = 64 << 20;

/// Files per batch when reading archives (bounds memory on very large archives).
const BATCH: usize = 4096;

impl Builder {
    pub fn new() -> Builder {
        Builder::default()
    }

    /// Starts from the records of an existing database, leaving out the sources for
    /// which `drop` says true (those about to be replaced).
    pub fn from_database(db: &Database, drop: impl Fn(&SourceInfo) -> bool) -> Result<Builder, Error> {
        let mut b = Builder::new();
        let mut remap = Vec::new();
        for s in &db.meta.sources {
            if drop(s) {
                remap.push(None);
            } else {
                remap.push(Some(u32::try_from(b.sources.len()).unwrap_or(u32::MAX)));
                b.sources.push(s.clone());
            }
        }
        let mut by_index: HashMap<u32, Pending> = HashMap::new();
        for i in 0..db.key_count() {
            let entries = db.entries_at(i)?;
            for e in entries {
                let idx = e.advisory;
                if let std::collections::hash_map::Entry::Vacant(v) = by_index.entry(idx) {
                    let mut advisory = db.advisory(idx)?;
                    let Some(Some(source)) = remap.get(advisory.source as usize) else {
                        continue;
                    };
                    advisory.source = *source;
                    v.insert(Pending {
                        advisory,
                        affected: Vec::new(),
                    });
                }
                if let Some(p) = by_index.get_mut(&idx) {
                    p.affected.push(e);
                }
            }
        }
        for (_, p) in by_index {
            b.advisories.insert(p.advisory.id.clone(), p);
        }
        Ok(b)
    }

    /// Registers a source; its records are added with [`Builder::add_path`] and friends.
    /// Returns its index.
    pub fn add_source(&mut self, name: &str, kind: SourceKind, location: &str, updated: u64) -> u32 {
        self.sources.retain(|s| s.name != name);
        self.sources.push(SourceInfo {
            name: name.to_owned(),
            kind,
            location: location.to_owned(),
            updated,
            records: 0,
            withdrawn: 0,
            problems: 0,
            newest_modified: None,
            ecosystems: BTreeMap::new(),
        });
        u32::try_from(self.sources.len() - 1).unwrap_or(u32::MAX)
    }

    pub fn sources(&self) -> &[SourceInfo] {
        &self.sources
    }

    /// Adds the records of a path: a directory (searched for `.json`, `.yaml` and `.yml`
    /// files, and `.zip` archives), an OSV `all.zip` archive, or one record file.
    pub fn add_path(&mut self, source: u32, path: &Path) -> Result<ImportStats, Error> {
        let mut stats = ImportStats::default();
        let meta = std::fs::metadata(path).map_err(io(path))?;
        if meta.is_dir() {
            let mut files = Vec::new();
            let mut zips = Vec::new();
            for entry in walkdir::WalkDir::new(path).sort_by_file_name() {
                let entry = entry.map_err(|e| Error::Io {
                    path: e.path().unwrap_or(path).to_owned(),
                    source: e
                        .into_io_error()
                        .unwrap_or_else(|| std::io::Error::other("walk failed")),
                })?;
                if !entry.file_type().is_file() {
                    continue;
                }
                match kind_of(entry.path().as_os_str().to_string_lossy().as_ref()) {
                    Some(FileKind::Zip) => zips.push(entry.into_path()),
                    Some(_) => files.push(entry.into_path()),
                    None => {}
                }
            }
            for chunk in files.chunks(BATCH) {
                let parsed: Vec<_> = chunk
                    .par_iter()
                    .map(|p| {
                        let name = p.display().to_string();
                        match std::fs::read(p) {
                            Ok(bytes) => osv::parse(&name, &bytes, kind_of(&name) == Some(FileKind::Yaml)),
                            Err(e) => (
                                vec![],
                                vec![Problem {
                                    file: name,
                                    line: None,
                                    message: format!("cannot read: {e}"),
                                }],
                            ),
                        }
                    })
                    .collect();
                stats.files += chunk.len();
                self.take(source, parsed, &mut stats);
            }
            for z in zips {
                let s = self.add_zip(source, &z)?;
                stats.files += s.files;
                stats.records += s.records;
                stats.withdrawn += s.withdrawn;
                stats.problems.extend(s.problems);
            }
        } else if kind_of(&path.to_string_lossy()) == Some(FileKind::Zip) {
            stats = self.add_zip(source, path)?;
        } else {
            let bytes = std::fs::read(path).map_err(io(path))?;
            let name = path.display().to_string();
            let parsed = osv::parse(&name, &bytes, kind_of(&name) == Some(FileKind::Yaml));
            stats.files = 1;
            self.take(source, vec![parsed], &mut stats);
        }
        Ok(stats)
    }

    /// Adds the records of a zip archive (OSV's `all.zip`). An archive that cannot be
    /// read as a whole (truncated, not a zip) is an error; a bad member is a problem.
    pub fn add_zip(&mut self, source: u32, path: &Path) -> Result<ImportStats, Error> {
        self.add_zip_as(source, path, &path.display().to_string())
    }

    /// [`Builder::add_zip`], naming the archive `shown_as` in problems (the URL of a
    /// downloaded archive rather than its temporary file).
    pub fn add_zip_as(&mut self, source: u32, path: &Path, shown_as: &str) -> Result<ImportStats, Error> {
        let zip_err = |e: &dyn std::fmt::Display| Error::Zip {
            path: path.to_owned(),
            message: e.to_string(),
        };
        let file = File::open(path).map_err(io(path))?;
        let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|e| zip_err(&e))?;
        let mut stats = ImportStats::default();
        let mut batch: Vec<(String, Vec<u8>)> = Vec::new();
        let display = shown_as;
        for i in 0..archive.len() {
            let mut member = archive.by_index(i).map_err(|e| zip_err(&e))?;
            if !member.is_file() {
                continue;
            }
            let member_name = String::from_utf8_lossy(member.name_raw()).into_owned();
            let name = format!("{display}:{member_name}");
            if kind_of(&member_name).is_none_or(|k| k == FileKind::Zip) {
                continue;
            }
            let mut bytes = Vec::with_capacity(usize::try_from(member.size()).unwrap_or(0).min(1 << 24));
            (&mut member)
                .take(MAX_RECORD_BYTES + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| zip_err(&format!("{member_name}: {e}")))?;
            if bytes.len() as u64 > MAX_RECORD_BYTES {
                stats.files += 1;
                stats.problems.push(Problem {
                    file: name,
                    line: None,
                    message: format!("larger than {MAX_RECORD_BYTES} bytes unpacked; skipped"),
                });
                if let Some(s) = self.sources.get_mut(source as usize) {
                    s.problems += 1;
                }
                continue;
            }
            batch.push((name, bytes));
            if batch.len() == BATCH {
                self.parse_batch(source, &mut batch, &mut stats);
            }
        }
        self.parse_batch(source, &mut batch, &mut stats);
        Ok(stats)
    }

    fn parse_batch(&mut self, source: u32, batch: &mut Vec<(String, Vec<u8>)>, stats: &mut ImportStats) {
        let parsed: Vec<_> = batch
            .par_iter()
            .map(|(name, bytes)| osv::parse(name, bytes, kind_of(name) == Some(FileKind::Yaml)))
            .collect();
        stats.files += batch.len();
        batch.clear();
        self.take(source, parsed, stats);
    }

    fn take(&mut self, source: u32, parsed: Vec<(Vec<Record>, Vec<Problem>)>, stats: &mut ImportStats) {
        let (mut records, mut withdrawn, mut problems) = (0, 0, 0);
        for (recs, probs) in parsed {
            problems += probs.len();
            stats.problems.extend(probs);
            for r in recs {
                if r.withdrawn.is_some() {
                    withdrawn += 1;
                } else {
                    records += 1;
                    self.add_record(source, r);
                }
            }
        }
        stats.records += records;
        stats.withdrawn += withdrawn;
        if let Some(s) = self.sources.get_mut(source as usize) {
            s.records += records;
            s.withdrawn += withdrawn;
            s.problems += problems;
        }
    }

    /// Adds one record (withdrawn records are ignored). A record with the same id as one
    /// already present replaces it unless the present one was modified later.
    pub fn add_record(&mut self, source: u32, r: Record) {
        if r.withdrawn.is_some() {
            return;
        }
        if let Some(old) = self.advisories.get(&r.id)
            && old.advisory.modified.as_deref().unwrap_or("") > r.modified.as_deref().unwrap_or("")
        {
            return;
        }
        let mut affected = Vec::new();
        for a in &r.affected {
            let Some(pkg) = &a.package else { continue };
            if pkg.name.is_empty() || pkg.ecosystem.is_empty() {
                continue;
            }
            let ranges = a
                .ranges
                .iter()
                .filter(|rg| rg.kind == "SEMVER" || rg.kind == "ECOSYSTEM")
                .map(|rg| StoredRange {
                    semver: rg.kind == "SEMVER",
                    events: rg.events.clone(),
                })
                .collect::<Vec<_>>();
            let versions = a
                .versions
                .iter()
                .filter(|w| !crate::matching::listed_version_is_redundant(&ranges, &pkg.ecosystem, w))
                .cloned()
                .collect();
            affected.push(AffectedEntry {
                advisory: 0,
                ecosystem: pkg.ecosystem.clone(),
                name: pkg.name.clone(),
                ranges,
                versions,
                severity: severity::severities(&r, a, &pkg.ecosystem),
            });
        }
        if let Some(s) = self.sources.get_mut(source as usize) {
            if r.modified.as_deref() > s.newest_modified.as_deref() {
                s.newest_modified.clone_from(&r.modified);
            }
            for e in &affected {
                *s.ecosystems.entry(e.ecosystem.clone()).or_default() += 1;
            }
        }
        let summary = r
            .summary
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(str::trim)
            .map_or_else(
                || first_sentence(r.details.as_deref().unwrap_or("")),
                str::to_owned,
            );
        let advisory = Advisory {
            id: r.id.clone(),
            aliases: r.aliases,
            upstream: r.upstream,
            summary,
            published: r.published,
            modified: r.modified,
            references: r.references,
            source,
        };
        self.advisories.insert(r.id, Pending { advisory, affected });
    }

    /// Serialises the database into bytes.
    pub fn to_bytes(self, built: u64) -> Vec<u8> {
        let mut ids: Vec<&String> = self.advisories.keys().collect();
        ids.sort();
        let mut blobs = Vec::new();
        let mut adv_table = Vec::with_capacity(ids.len() * 12);
        let mut by_key: BTreeMap<Vec<u8>, Vec<AffectedEntry>> = BTreeMap::new();
        for (i, id) in ids.iter().enumerate() {
            let p = &self.advisories[*id];
            let bytes = serde_json::to_vec(&p.advisory).expect("advisories serialise");
            adv_table.extend_from_slice(&(blobs.len() as u64).to_le_bytes());
            adv_table.extend_from_slice(&u32::try_from(bytes.len()).unwrap_or(u32::MAX).to_le_bytes());
            blobs.extend_from_slice(&bytes);
            for e in &p.affected {
                let mut e = e.clone();
                e.advisory = u32::try_from(i).unwrap_or(u32::MAX);
                by_key.entry(key(&e.ecosystem, &e.name)).or_default().push(e);
            }
        }
        let mut key_table = Vec::with_capacity(by_key.len() * 20);
        let mut keys = Vec::new();
        for (k, entries) in &by_key {
            let bytes = serde_json::to_vec(entries).expect("entries serialise");
            key_table.extend_from_slice(&u32::try_from(keys.len()).unwrap_or(u32::MAX).to_le_bytes());
            key_table.extend_from_slice(&u32::try_from(k.len()).unwrap_or(u32::MAX).to_le_bytes());
            key_table.extend_from_slice(&(blobs.len() as u64).to_le_bytes());
            key_table.extend_from_slice(&u32::try_from(bytes.len()).unwrap_or(u32::MAX).to_le_bytes());
            keys.extend_from_slice(k);
            blobs.extend_from_slice(&bytes);
        }
        let meta = Metadata {
            built,
            sources: self.sources,
            advisories: ids.len(),
            packages: by_key.len(),
        };
        let meta = serde_json::to_vec(&meta).expect("metadata serialises");
        let mut out = Vec::with_capacity(
            HEADER_LEN + meta.len() + adv_table.len() + key_table.len() + keys.len() + blobs.len(),
        );
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT.to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        let mut off = HEADER_LEN as u64;
        for (len, count) in [
            (meta.len(), meta.len()),
            (adv_table.len(), adv_table.len() / 12),
            (key_table.len(), key_table.len() / 20),
            (keys.len(), keys.len()),
            (blobs.len(), blobs.len()),
        ] {
            out.extend_from_slice(&off.to_le_bytes());
            out.extend_from_slice(&(count as u64).to_le_bytes());
            off += len as u64;
        }
        for section in [&meta, &adv_table, &key_table, &keys, &blobs] {
            out.extend_from_slice(section);
        }
        out
    }

    /// Writes the database into `dir` atomically: a temporary file in the same directory,
    /// flushed to disk, then renamed over `osv.db`. Returns its metadata.
    pub fn write(self, dir: &Path, built: u64) -> Result<Metadata, Error> {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let bytes = self.to_bytes(built);
        let tmp = dir.join(format!(".{FILE_NAME}.{}.tmp", std::process::id()));
        let result = (|| {
            let mut f = File::create(&tmp).map_err(io(&tmp))?;
            f.write_all(&bytes).map_err(io(&tmp))?;
            f.sync_all().map_err(io(&tmp))?;
            drop(f);
            let dest = Database::file_path(dir);
            std::fs::rename(&tmp, &dest).map_err(io(&dest))?;
            if let Ok(d) = File::open(dir) {
                let _ = d.sync_all();
            }
            Database::open(dir).map(|db| db.meta)
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileKind {
    Json,
    Yaml,
    Zip,
}

fn kind_of(name: &str) -> Option<FileKind> {
    let (_, ext) = name.rsplit_once('.')?;
    let is = |e: &str| ext.eq_ignore_ascii_case(e);
    if is("json") {
        Some(FileKind::Json)
    } else if is("yaml") || is("yml") {
        Some(FileKind::Yaml)
    } else if is("zip") {
        Some(FileKind::Zip)
    } else {
        None
    }
}

/// The first sentence (or line) of a text, at most about 200 characters: a summary for
/// records that have none.
fn first_sentence(details: &str) -> String {
    let text = details.trim();
    let line = text.lines().next().unwrap_or("");
    let mut end = line.find(". ").map_or(line.len(), |i| i + 1);
    if end > 200 {
        end = line
            .char_indices()
            .map(|(i, _)| i)
            .take_while(|&i| i <= 200)
            .last()
            .unwrap_or(0);
        return format!("{}…", &line[..end]);
    }
    line[..end].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pep503_names() {
        assert_eq!(normalize_name("PyPI", "Friendly_Bard.."), "friendly-bard");
        assert_eq!(normalize_name("PyPI", "zope.interface"), "zope-interface");
        assert_eq!(normalize_name("PyPI", "A-_-b"), "a-b");
        assert_eq!(normalize_name("npm", "Some_Pkg"), "Some_Pkg");
    }

    #[test]
    fn listed_versions_inside_the_ranges_are_dropped_the_others_kept() {
        let record: Record = serde_json::from_str(
            r#"{"id": "PYSEC-0", "affected": [{"package": {"ecosystem": "PyPI", "name": "Some_Pkg"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.0"}]},
                           {"type": "GIT", "repo": "r", "events": [{"introduced": "0"}, {"fixed": "abc"}]}],
                "versions": ["0.5", "0.9", "1.0", "1.1rc1"]}]}"#,
        )
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mut b = Builder::new();
        let s = b.add_source("t", SourceKind::Import, "t", 0);
        b.add_record(s, record);
        b.write(dir.path(), 0).unwrap();
        let db = Database::open(dir.path()).unwrap();
        let entries = db.lookup("PyPI", "some.pkg").unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].versions, ["1.0", "1.1rc1"]);
        assert_eq!(entries[0].ranges.len(), 1, "the GIT range is not stored");
        assert_eq!(
            (entries[0].ecosystem.as_str(), entries[0].name.as_str()),
            ("PyPI", "some-pkg")
        );
        let hits = |v: &str| crate::matching::entry_affects(&entries[0], v).is_some();
        assert!(hits("0.9") && hits("1.0") && hits("1.1rc1") && hits("1.0.0"));
        assert!(!hits("1.1"));
    }

    #[test]
    fn one_writer_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let held = lock(dir.path()).unwrap();
        assert!(matches!(lock(dir.path()), Err(Error::Locked(_))));
        drop(held);
        assert!(lock(dir.path()).is_ok());
    }

    #[test]
    fn a_damaged_file_is_refused_with_its_path() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(Database::open(dir.path()), Err(Error::Missing(_))));
        std::fs::write(dir.path().join(FILE_NAME), b"RMPOSVDB\x01\0\0\0short").unwrap();
        let e = Database::open(dir.path()).unwrap_err().to_string();
        assert!(
            e.contains("osv.db") && e.contains("not a usable vulnerability database"),
            "{e}"
        );
        let mut bytes = Builder::new().to_bytes(0);
        bytes[16] = 0xff; // the metadata offset now points past the end
        std::fs::write(dir.path().join(FILE_NAME), &bytes).unwrap();
        assert!(matches!(Database::open(dir.path()), Err(Error::Corrupt { .. })));
    }

    #[test]
    fn first_sentence_of_details() {
        assert_eq!(first_sentence("Foo is bad. Really bad."), "Foo is bad.");
        assert_eq!(first_sentence("\nline one\nline two"), "line one");
        assert!(first_sentence(&"x".repeat(500)).chars().count() <= 202);
    }
}
