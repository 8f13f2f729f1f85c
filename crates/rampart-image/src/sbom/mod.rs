//! What `rampart image inventory` writes: a terminal table, Rampart's own JSON inventory,
//! and CycloneDX 1.6 and SPDX 2.3 SBOMs (JSON).
//!
//! Every writer takes the [`Inventory`], the [`Subject`] (the scanned image) and, for the
//! SBOMs, [`Options`] (creation time and how document ids are made), and writes to any
//! [`Write`]. The same inventory, subject and options give byte-identical output: packages
//! are sorted, ids are derived from content, and the only clock read is in
//! [`Options::from_env`] (which honours `SOURCE_DATE_EPOCH`). Nothing here reads files or
//! the network. The formats are described in `docs/sbom.md` and `docs/inventory-json.md`.

pub mod cyclonedx;
pub mod json;
pub mod license;
pub mod spdx;
pub mod text;

use std::io::{self, Write};
use std::str::FromStr;

use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::inventory::Inventory;
use crate::package::Package;

pub use cyclonedx::write_cyclonedx;
pub use json::write_json;
pub use spdx::write_spdx;
pub use text::write_text;

/// The tool name written into SBOMs.
pub const TOOL_NAME: &str = "rampart";
/// The tool version written into SBOMs (the workspace version).
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

pub use crate::source::{Platform, SourceKind};

/// The scanned image, as the SBOM describes it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Subject {
    /// The reference as the user gave it (`debian:12`, `./image.tar`, a directory).
    pub reference: String,
    pub source: SourceKind,
    /// `sha256:...` of the image manifest, when there is one.
    pub manifest_digest: Option<String>,
    /// `sha256:...` of the image configuration, when there is one.
    pub config_digest: Option<String>,
    pub platform: Option<Platform>,
    /// Layer digests, bottom layer first, as they appear in package locations.
    pub layers: Vec<String>,
}

impl Subject {
    /// The subject of an opened image: layers are named the way package locations name
    /// them (uncompressed digest when known).
    pub fn from_info(info: &crate::source::ImageInfo) -> Self {
        Self {
            reference: info.reference.clone(),
            source: info.source,
            manifest_digest: info.manifest_digest.clone(),
            config_digest: info.config_digest.clone(),
            platform: info.platform.clone(),
            layers: info
                .layers
                .iter()
                .filter_map(|l| l.diff_id.clone().or_else(|| l.digest.clone()))
                .collect(),
        }
    }

    /// The digest that best identifies the image: the manifest's, else the config's.
    pub fn digest(&self) -> Option<&str> {
        self.manifest_digest.as_deref().or(self.config_digest.as_deref())
    }
}

/// How the SBOM's own identity (CycloneDX `serialNumber`, SPDX `documentNamespace`) is
/// made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DocumentId {
    /// A name-based UUID (version 5) of the document's content, creation time excluded:
    /// the same image scanned by the same Rampart version gets the same id.
    #[default]
    FromContent,
    /// A new id on every run (content, clock, process id and a counter hashed).
    Unique,
}

/// A point in time, in whole seconds since the Unix epoch (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp(u64);

/// The largest time written: 9999-12-31T23:59:59Z.
const MAX_SECONDS: u64 = 253_402_300_799;

impl Timestamp {
    /// `secs` since the epoch; `None` after the year 9999.
    pub fn from_unix(secs: u64) -> Option<Self> {
        (secs <= MAX_SECONDS).then_some(Self(secs))
    }

    pub fn now() -> Self {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Self(secs.min(MAX_SECONDS))
    }

    /// Parses a `SOURCE_DATE_EPOCH` value: a decimal count of seconds.
    pub fn from_source_date_epoch(value: &str) -> Result<Self, SbomError> {
        let bad = |reason: &str| SbomError::SourceDateEpoch {
            value: value.to_string(),
            reason: reason.to_string(),
        };
        if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad(
                "expected a whole number of seconds since 1970-01-01T00:00:00Z",
            ));
        }
        value
            .parse::<u64>()
            .ok()
            .and_then(Self::from_unix)
            .ok_or_else(|| bad("later than the year 9999"))
    }

    pub fn unix(self) -> u64 {
        self.0
    }

    /// RFC 3339 in UTC: `2024-05-01T12:00:00Z`.
    pub fn rfc3339(self) -> String {
        let days = self.0 / 86_400;
        let rem = self.0 % 86_400;
        // Days to civil date (proleptic Gregorian), from 1970-01-01.
        let z = days + 719_468;
        let era = z / 146_097;
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + u64::from(month <= 2);
        format!(
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
            rem / 3600,
            rem / 60 % 60,
            rem % 60
        )
    }
}

/// Options of the SBOM writers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// The creation time written into the document.
    pub created: Timestamp,
    pub document_id: DocumentId,
}

impl Options {
    /// Creation time from `SOURCE_DATE_EPOCH` when it is set (reproducible builds), else
    /// the clock; content-derived document ids.
    pub fn from_env() -> Result<Self, SbomError> {
        Self::from_source_date_epoch(std::env::var("SOURCE_DATE_EPOCH").ok().as_deref())
    }

    /// As [`Options::from_env`], with the variable's value given (`None`: unset; an empty
    /// value counts as unset).
    pub fn from_source_date_epoch(value: Option<&str>) -> Result<Self, SbomError> {
        let created = match value {
            Some(v) if !v.is_empty() => Timestamp::from_source_date_epoch(v)?,
            _ => Timestamp::now(),
        };
        Ok(Self {
            created,
            document_id: DocumentId::FromContent,
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SbomError {
    #[error("SOURCE_DATE_EPOCH={value:?} is not valid: {reason}")]
    SourceDateEpoch { value: String, reason: String },
    #[error("unknown output format {0:?} (expected text, json, cyclonedx-json or spdx-json)")]
    UnknownFormat(String),
}

/// The output formats of `rampart image inventory`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    CycloneDxJson,
    SpdxJson,
}

impl Format {
    pub const ALL: [Format; 4] = [Self::Text, Self::Json, Self::CycloneDxJson, Self::SpdxJson];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Json => "json",
            Self::CycloneDxJson => "cyclonedx-json",
            Self::SpdxJson => "spdx-json",
        }
    }
}

impl FromStr for Format {
    type Err = SbomError;

    fn from_str(s: &str) -> Result<Self, SbomError> {
        match s {
            "text" => Ok(Self::Text),
            "json" => Ok(Self::Json),
            "cyclonedx-json" => Ok(Self::CycloneDxJson),
            "spdx-json" => Ok(Self::SpdxJson),
            _ => Err(SbomError::UnknownFormat(s.to_string())),
        }
    }
}

/// Writes the inventory in `format`.
pub fn write(
    format: Format,
    inv: &Inventory,
    subject: &Subject,
    options: &Options,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Text => write_text(inv, subject, out),
        Format::Json => write_json(inv, subject, out),
        Format::CycloneDxJson => write_cyclonedx(inv, subject, options, out),
        Format::SpdxJson => write_spdx(inv, subject, options, out),
    }
}

/// The packages in output order: type, name, version, purl, locations.
pub(crate) fn sorted_packages(inv: &Inventory) -> Vec<&Package> {
    let mut v: Vec<&Package> = inv.packages.iter().collect();
    v.sort_by(|a, b| {
        (a.kind, &a.name, &a.version, &a.purl, &a.locations, a.cataloger).cmp(&(
            b.kind,
            &b.name,
            &b.version,
            &b.purl,
            &b.locations,
            b.cataloger,
        ))
    });
    v
}

/// A short stable hex key of a package, from everything that identifies it.
fn package_hash(p: &Package) -> String {
    let mut h = Sha256::new();
    for field in [p.kind.as_str(), &p.name, &p.version, &p.purl, p.cataloger] {
        h.update(field.as_bytes());
        h.update([0]);
    }
    for l in &p.locations {
        h.update(l.path.as_bytes());
        h.update([1]);
        h.update(l.layer.as_deref().unwrap_or("").as_bytes());
        h.update([0]);
    }
    hex(&h.finalize()[..8])
}

/// One id per package (same order as `packages`), unique within the document:
/// `prefix` + a hash of the package; exact duplicates get `-2`, `-3` ...
pub(crate) fn package_ids(packages: &[&Package], prefix: impl Fn(&Package) -> String) -> Vec<String> {
    let mut seen = std::collections::HashMap::<String, usize>::new();
    packages
        .iter()
        .map(|p| {
            let base = format!("{}{}", prefix(p), package_hash(p));
            let n = seen.entry(base.clone()).or_insert(0);
            *n += 1;
            if *n == 1 { base } else { format!("{base}-{n}") }
        })
        .collect()
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// The namespace of Rampart's name-based UUIDs: the version 5 UUID of the project's
/// repository URL in the RFC 9562 URL namespace.
fn rampart_namespace() -> [u8; 16] {
    const URL_NAMESPACE: [u8; 16] = [
        0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8,
    ];
    uuid_v5_bytes(&URL_NAMESPACE, env!("CARGO_PKG_REPOSITORY").as_bytes())
}

fn uuid_v5_bytes(namespace: &[u8; 16], name: &[u8]) -> [u8; 16] {
    let mut h = Sha1::new();
    h.update(namespace);
    h.update(name);
    let digest = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    b
}

fn uuid_string(b: &[u8; 16]) -> String {
    format!(
        "{}-{}-{}-{}-{}",
        hex(&b[0..4]),
        hex(&b[4..6]),
        hex(&b[6..8]),
        hex(&b[8..10]),
        hex(&b[10..16])
    )
}

/// The document UUID: from the content (`kind` names the format) or unique per call.
pub(crate) fn document_uuid(kind: &str, inv: &Inventory, subject: &Subject, id: DocumentId) -> String {
    let mut name = format!("{kind}\0{TOOL_NAME}-{TOOL_VERSION}\0").into_bytes();
    // The inventory JSON covers the subject, distro, packages and warnings.
    let _ = json::write_json(inv, subject, &mut name);
    match id {
        DocumentId::FromContent => uuid_string(&uuid_v5_bytes(&rampart_namespace(), &name)),
        DocumentId::Unique => {
            use std::sync::atomic::{AtomicU64, Ordering};
            static COUNTER: AtomicU64 = AtomicU64::new(0);
            let mut h = Sha256::new();
            h.update(&name);
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            h.update(nanos.to_le_bytes());
            h.update(std::process::id().to_le_bytes());
            h.update(COUNTER.fetch_add(1, Ordering::Relaxed).to_le_bytes());
            let mut b = [0u8; 16];
            b.copy_from_slice(&h.finalize()[..16]);
            b[6] = (b[6] & 0x0f) | 0x40;
            b[8] = (b[8] & 0x3f) | 0x80;
            uuid_string(&b)
        }
    }
}

/// Splits `sha256:HEX` into the algorithm and a lower-case hex value.
pub(crate) fn split_digest(digest: &str) -> Option<(&str, &str)> {
    let (alg, hexv) = digest.split_once(':')?;
    (!alg.is_empty() && !hexv.is_empty() && hexv.bytes().all(|b| b.is_ascii_hexdigit()))
        .then_some((alg, hexv))
}

/// The purl of the image (`pkg:oci/NAME@DIGEST?...`), when the manifest digest is known.
/// `repository_url` and `tag` are given for registry images.
pub(crate) fn image_purl(subject: &Subject) -> Option<String> {
    use crate::package::purl_encode;
    let digest = subject.manifest_digest.as_deref()?;
    split_digest(digest)?;
    let mut qualifiers: Vec<(&str, String)> = Vec::new();
    let reference = subject.reference.as_str();
    let repo = reference.split_once('@').map_or(reference, |(r, _)| r);
    let (repo, tag) = match repo.rsplit_once(':') {
        Some((r, t)) if !t.contains('/') => (r, Some(t)),
        _ => (repo, None),
    };
    let last = repo.rsplit('/').next().unwrap_or(repo).to_ascii_lowercase();
    let name = if subject.source == SourceKind::Registry && !last.is_empty() {
        qualifiers.push(("repository_url", repo.to_string()));
        if let Some(t) = tag {
            qualifiers.push(("tag", t.to_string()));
        }
        last
    } else {
        // Archives and layouts have no repository; the name is the file name.
        let file = reference
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or(reference);
        let stem = file.split('.').next().unwrap_or(file).to_ascii_lowercase();
        if stem.is_empty() {
            "image".to_string()
        } else {
            stem
        }
    };
    if let Some(p) = &subject.platform {
        qualifiers.push(("arch", p.architecture.clone()));
        qualifiers.push(("os", p.os.clone()));
        if let Some(v) = &p.variant {
            qualifiers.push(("variant", v.clone()));
        }
    }
    qualifiers.sort();
    let mut s = format!("pkg:oci/{}@{}", purl_encode(&name), purl_encode(digest));
    for (i, (k, v)) in qualifiers.iter().filter(|(_, v)| !v.is_empty()).enumerate() {
        s.push(if i == 0 { '?' } else { '&' });
        s.push_str(k);
        s.push('=');
        s.push_str(&purl_encode(v));
    }
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_names_round_trip() {
        for f in Format::ALL {
            assert_eq!(f.as_str().parse::<Format>().unwrap(), f);
        }
        let err = "xml".parse::<Format>().unwrap_err().to_string();
        assert!(err.contains("\"xml\"") && err.contains("spdx-json"), "{err}");
    }

    #[test]
    fn timestamps() {
        assert_eq!(Timestamp(0).rfc3339(), "1970-01-01T00:00:00Z");
        assert_eq!(Timestamp(951_782_400).rfc3339(), "2000-02-29T00:00:00Z");
        assert_eq!(Timestamp(1_700_000_000).rfc3339(), "2023-11-14T22:13:20Z");
        assert_eq!(Timestamp(MAX_SECONDS).rfc3339(), "9999-12-31T23:59:59Z");
        assert!(Timestamp::from_source_date_epoch("-1").is_err());
        assert!(Timestamp::from_source_date_epoch("1e9").is_err());
        assert!(Timestamp::from_source_date_epoch("99999999999999999999").is_err());
        assert_eq!(Timestamp::from_source_date_epoch("42").unwrap().unix(), 42);
    }

    #[test]
    fn uuid_v5_matches_rfc_example() {
        // RFC 9562 appendix A.4: "www.example.com" in the DNS namespace.
        let dns = [
            0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8,
        ];
        assert_eq!(
            uuid_string(&uuid_v5_bytes(&dns, b"www.example.com")),
            "2ed6657d-e927-568b-95e1-2665a8aea6a2"
        );
    }

    #[test]
    fn image_purls() {
        let mut s = Subject {
            reference: "registry.example:5000/team/app:1.2".into(),
            source: SourceKind::Registry,
            manifest_digest: Some("sha256:abcd".into()),
            config_digest: None,
            platform: Some(Platform {
                os: "linux".into(),
                architecture: "arm64".into(),
                variant: Some("v8".into()),
            }),
            layers: vec![],
        };
        assert_eq!(
            image_purl(&s).unwrap(),
            "pkg:oci/app@sha256%3Aabcd?arch=arm64&os=linux&repository_url=registry.example%3A5000%2Fteam%2Fapp&tag=1.2&variant=v8"
        );
        s.reference = "/tmp/out/app.tar".into();
        s.source = SourceKind::DockerArchive;
        s.platform = None;
        assert_eq!(image_purl(&s).unwrap(), "pkg:oci/app@sha256%3Aabcd");
        s.manifest_digest = None;
        assert_eq!(image_purl(&s), None);
    }
}
