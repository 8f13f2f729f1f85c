//! Where an image comes from, and how its layers are found.
//!
//! | reference | what it is |
//! |---|---|
//! | `docker-archive:FILE[:NAME:TAG]` | a `docker save` tar |
//! | `oci-archive:FILE[:TAG]` | a tar of an OCI image layout |
//! | `oci:DIR[:TAG]` | an OCI image layout directory |
//! | `dir:ROOTFS` | an unpacked root filesystem |
//! | anything else | a registry reference (pulled by the binary into an OCI layout) |
//!
//! Archives are never unpacked: the members of the outer tar are located once, and each
//! layer is read in place (layers in parallel).

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;

use crate::catalog::Cataloger;
use crate::fs::LayerContents;
use crate::inventory::{self, Inventory, Selector};
use crate::layer::{self, Expected, LayerError, Limits};

/// A parsed image reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Registry(String),
    DockerArchive { path: PathBuf, name: Option<String> },
    OciArchive { path: PathBuf, tag: Option<String> },
    OciLayout { path: PathBuf, tag: Option<String> },
    Dir(PathBuf),
}

impl Source {
    pub fn parse(reference: &str) -> Self {
        if let Some(rest) = reference.strip_prefix("docker-archive:") {
            // `FILE:name:tag`: the first colon after the file name starts the image name.
            let (path, name) = split_archive(rest, true);
            return Self::DockerArchive { path, name };
        }
        if let Some(rest) = reference.strip_prefix("oci-archive:") {
            let (path, tag) = split_archive(rest, false);
            return Self::OciArchive { path, tag };
        }
        if let Some(rest) = reference.strip_prefix("oci:") {
            let (path, tag) = split_archive(rest, false);
            return Self::OciLayout { path, tag };
        }
        if let Some(rest) = reference.strip_prefix("dir:") {
            return Self::Dir(PathBuf::from(rest));
        }
        Self::Registry(reference.to_string())
    }

    /// The kind of source.
    pub fn kind(&self) -> SourceKind {
        match self {
            Self::Registry(_) => SourceKind::Registry,
            Self::DockerArchive { .. } => SourceKind::DockerArchive,
            Self::OciArchive { .. } => SourceKind::OciArchive,
            Self::OciLayout { .. } => SourceKind::OciLayout,
            Self::Dir(_) => SourceKind::Dir,
        }
    }
}

/// Splits `PATH[:REF]`. The path is the longest prefix that exists on disk, so paths
/// containing colons work; otherwise the first colon (docker archives: the image name
/// may contain colons itself) or the last one (OCI tags cannot).
fn split_archive(rest: &str, first: bool) -> (PathBuf, Option<String>) {
    if Path::new(rest).exists() || !rest.contains(':') {
        return (PathBuf::from(rest), None);
    }
    let colons: Vec<usize> = rest.match_indices(':').map(|(i, _)| i).collect();
    for &i in colons.iter().rev() {
        if Path::new(&rest[..i]).exists() {
            return (PathBuf::from(&rest[..i]), Some(rest[i + 1..].to_string()));
        }
    }
    let i = if first {
        colons[0]
    } else {
        colons[colons.len() - 1]
    };
    (PathBuf::from(&rest[..i]), Some(rest[i + 1..].to_string()))
}

/// How the scanned image was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// Pulled from a registry.
    Registry,
    /// A `docker save` tarball.
    DockerArchive,
    /// An OCI image layout packed in a tarball.
    OciArchive,
    /// An OCI image layout directory.
    OciLayout,
    /// An unpacked root filesystem.
    Dir,
}

impl SourceKind {
    /// The stable name used in every output.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Registry => "registry",
            Self::DockerArchive => "docker-archive",
            Self::OciArchive => "oci-archive",
            Self::OciLayout => "oci-layout",
            Self::Dir => "dir",
        }
    }
}

/// An `os/arch[/variant]` platform.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
}

impl Platform {
    pub fn parse(s: &str) -> Option<Self> {
        let mut parts = s.split('/');
        let os = parts.next().filter(|p| !p.is_empty())?;
        let architecture = parts.next().filter(|p| !p.is_empty())?;
        let variant = parts.next().map(str::to_string);
        if parts.next().is_some() {
            return None;
        }
        Some(Self {
            os: os.into(),
            architecture: architecture.into(),
            variant,
        })
    }

    /// The platform this program runs on, in OCI terms.
    pub fn host() -> Self {
        let architecture = match std::env::consts::ARCH {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            "x86" => "386",
            "powerpc64" => "ppc64le",
            "arm" => "arm",
            other => other,
        };
        Self {
            os: "linux".into(),
            architecture: architecture.into(),
            variant: None,
        }
    }

    fn matches(&self, os: &str, arch: &str, variant: Option<&str>) -> bool {
        self.os == os
            && self.architecture == arch
            && match (&self.variant, variant) {
                (Some(want), Some(have)) => want == have,
                (Some(want), None) => arch == "arm64" && want == "v8",
                (None, _) => true,
            }
    }
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

/// Why an image could not be opened or read.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("{}: {message}", path.display())]
    Format { path: PathBuf, message: String },
    #[error(transparent)]
    Layer(#[from] LayerError),
}

/// One layer as the image describes it.
#[derive(Debug, Clone, Serialize)]
pub struct LayerInfo {
    /// Digest of the stored blob (compressed), when the format records it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// Digest of the uncompressed tar, from the image configuration.
    #[serde(rename = "diffID", skip_serializing_if = "Option::is_none")]
    pub diff_id: Option<String>,
    #[serde(rename = "mediaType", skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    #[serde(skip)]
    member: String,
}

/// What was opened: enough to describe the image in reports.
#[derive(Debug, Clone, Serialize)]
pub struct ImageInfo {
    pub source: SourceKind,
    /// The reference as the user gave it.
    pub reference: String,
    #[serde(rename = "manifestDigest", skip_serializing_if = "Option::is_none")]
    pub manifest_digest: Option<String>,
    #[serde(rename = "configDigest", skip_serializing_if = "Option::is_none")]
    pub config_digest: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    #[serde(rename = "repoTags", skip_serializing_if = "Vec::is_empty")]
    pub repo_tags: Vec<String>,
    pub layers: Vec<LayerInfo>,
}

/// Files of a layout directory or members of an archive.
enum Store {
    Dir(PathBuf),
    Archive {
        path: PathBuf,
        members: HashMap<String, (u64, u64)>,
    },
}

/// The largest manifest, index or configuration read (registries use 4 MiB).
const MAX_JSON: u64 = 8 << 20;

impl Store {
    fn archive(path: &Path) -> Result<Self, ImageError> {
        let io_err = |source| ImageError::Io {
            path: path.to_path_buf(),
            source,
        };
        let file = File::open(path).map_err(io_err)?;
        let mut archive = tar::Archive::new(io::BufReader::new(file));
        let mut members = HashMap::new();
        let entries = archive.entries().map_err(|e| ImageError::Format {
            path: path.to_path_buf(),
            message: format!("not a tar archive: {e}"),
        })?;
        for entry in entries {
            let entry = entry.map_err(|e| ImageError::Format {
                path: path.to_path_buf(),
                message: format!("not a valid tar archive: {e}"),
            })?;
            if entry.header().entry_type() != tar::EntryType::Regular {
                continue;
            }
            let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            let Some(name) = crate::fs::normalize(&name) else {
                continue;
            };
            members.insert(name, (entry.raw_file_position(), entry.size()));
        }
        Ok(Self::Archive {
            path: path.to_path_buf(),
            members,
        })
    }

    fn path(&self) -> &Path {
        match self {
            Self::Dir(p) | Self::Archive { path: p, .. } => p,
        }
    }

    /// Where a member lives, for messages.
    fn describe(&self, member: &str) -> PathBuf {
        match self {
            Self::Dir(dir) => dir.join(member.trim_start_matches('/')),
            Self::Archive { path, .. } => PathBuf::from(format!("{}:{member}", path.display())),
        }
    }

    fn open(&self, member: &str) -> Result<(Box<dyn Read + Send>, u64), ImageError> {
        let member = crate::fs::normalize(member).ok_or_else(|| ImageError::Format {
            path: self.path().to_path_buf(),
            message: format!("{member}: refers above the image directory"),
        })?;
        match self {
            Self::Dir(dir) => {
                let path = dir.join(member.trim_start_matches('/'));
                let file = File::open(&path).map_err(|source| ImageError::Io {
                    path: path.clone(),
                    source,
                })?;
                let len = file.metadata().map_or(0, |m| m.len());
                Ok((Box::new(file), len))
            }
            Self::Archive { path, members } => {
                let &(offset, size) = members.get(&member).ok_or_else(|| ImageError::Format {
                    path: path.clone(),
                    message: format!("{} is missing from the archive", member.trim_start_matches('/')),
                })?;
                let io_err = |source| ImageError::Io {
                    path: path.clone(),
                    source,
                };
                let mut file = File::open(path).map_err(io_err)?;
                file.seek(SeekFrom::Start(offset)).map_err(io_err)?;
                Ok((Box::new(file.take(size)), size))
            }
        }
    }

    fn read_json(&self, member: &str) -> Result<Value, ImageError> {
        let (reader, size) = self.open(member)?;
        let at = self.describe(member.trim_start_matches('/'));
        if size > MAX_JSON {
            return Err(ImageError::Format {
                path: at,
                message: format!("{size} bytes: too large for an image manifest or configuration"),
            });
        }
        let mut data = Vec::new();
        reader
            .take(MAX_JSON)
            .read_to_end(&mut data)
            .map_err(|source| ImageError::Io {
                path: at.clone(),
                source,
            })?;
        serde_json::from_slice(&data).map_err(|e| ImageError::Format {
            path: at,
            message: format!("invalid JSON at line {}, column {}: {e}", e.line(), e.column()),
        })
    }
}

/// An opened image, ready to be read.
pub struct OpenedImage {
    pub info: ImageInfo,
    store: Store,
    /// Whether stored blobs are hashed against their digests while read (see
    /// [`OpenedImage::blobs_verified`]).
    check_blobs: bool,
}

fn blob_path(digest: &str) -> Option<String> {
    let (alg, hex) = digest.split_once(':')?;
    let ok = !alg.is_empty()
        && alg.bytes().all(|b| b.is_ascii_alphanumeric())
        && !hex.is_empty()
        && hex.bytes().all(|b| b.is_ascii_hexdigit());
    ok.then(|| format!("blobs/{alg}/{hex}"))
}

const INDEX_TYPES: [&str; 2] = [
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
];

/// Opens an image from an archive or a layout. Registry references are pulled into a
/// layout by the caller first; `dir:` sources are read by [`inventory_source`].
pub fn open(source: &Source, platform: Option<&Platform>) -> Result<OpenedImage, ImageError> {
    match source {
        Source::OciLayout { path, tag } => open_layout(
            Store::Dir(path.clone()),
            tag.as_deref(),
            platform,
            source.kind(),
            path,
        ),
        Source::OciArchive { path, tag } => open_layout(
            Store::archive(path)?,
            tag.as_deref(),
            platform,
            source.kind(),
            path,
        ),
        Source::DockerArchive { path, name } => open_docker(Store::archive(path)?, name.as_deref(), path),
        Source::Registry(r) => Err(ImageError::Format {
            path: PathBuf::from(r),
            message: "registry images are pulled into an OCI layout first".into(),
        }),
        Source::Dir(path) => Err(ImageError::Format {
            path: path.clone(),
            message: "a directory has no layers to open".into(),
        }),
    }
}

fn format_err(store: &Store, member: &str, message: impl Into<String>) -> ImageError {
    ImageError::Format {
        path: store.describe(member),
        message: message.into(),
    }
}

fn open_layout(
    store: Store,
    tag: Option<&str>,
    platform: Option<&Platform>,
    kind: SourceKind,
    path: &Path,
) -> Result<OpenedImage, ImageError> {
    let index = store.read_json("index.json")?;
    let manifests = index["manifests"].as_array().cloned().unwrap_or_default();
    let chosen = if let Some(tag) = tag {
        let found: Vec<&Value> = manifests
            .iter()
            .filter(|m| {
                m["annotations"]["org.opencontainers.image.ref.name"].as_str() == Some(tag)
                    || m["digest"].as_str() == Some(tag)
            })
            .collect();
        if found.is_empty() {
            let names: Vec<&str> = manifests
                .iter()
                .filter_map(|m| m["annotations"]["org.opencontainers.image.ref.name"].as_str())
                .collect();
            return Err(format_err(
                &store,
                "index.json",
                format!("no image named {tag:?} (the layout has: {})", names.join(", ")),
            ));
        }
        found
    } else {
        manifests.iter().collect()
    };
    let descriptor = select(&store, "index.json", &chosen, platform)?;
    let mut descriptor = descriptor.clone();
    // Indexes may nest (a tag naming a multi-platform index).
    for _ in 0..4 {
        let media = descriptor["mediaType"].as_str().unwrap_or("");
        if !INDEX_TYPES.contains(&media) {
            break;
        }
        let digest = descriptor["digest"].as_str().unwrap_or("");
        let member = blob_path(digest)
            .ok_or_else(|| format_err(&store, "index.json", format!("invalid digest {digest:?}")))?;
        let nested = store.read_json(&member)?;
        let list = nested["manifests"].as_array().cloned().unwrap_or_default();
        let refs: Vec<&Value> = list.iter().collect();
        descriptor = select(&store, &member, &refs, platform)?.clone();
    }
    let manifest_digest = descriptor["digest"].as_str().unwrap_or("").to_string();
    let member = blob_path(&manifest_digest).ok_or_else(|| {
        format_err(
            &store,
            "index.json",
            format!("invalid digest {manifest_digest:?}"),
        )
    })?;
    let manifest = store.read_json(&member)?;
    if manifest["schemaVersion"].as_i64() == Some(1) {
        return Err(format_err(
            &store,
            &member,
            "Docker schema 1 manifests are not supported",
        ));
    }
    let config_digest = manifest["config"]["digest"].as_str().unwrap_or("").to_string();
    let config_member = blob_path(&config_digest).ok_or_else(|| {
        format_err(
            &store,
            &member,
            format!("invalid config digest {config_digest:?}"),
        )
    })?;
    let config = store.read_json(&config_member)?;
    let diff_ids = diff_ids(&config);
    let layer_list = manifest["layers"].as_array().cloned().unwrap_or_default();
    if !diff_ids.is_empty() && diff_ids.len() != layer_list.len() {
        return Err(format_err(
            &store,
            &config_member,
            format!("{} diff_ids for {} layers", diff_ids.len(), layer_list.len()),
        ));
    }
    let mut layers = Vec::new();
    for (i, l) in layer_list.iter().enumerate() {
        let digest = l["digest"].as_str().unwrap_or("").to_string();
        let layer_member = blob_path(&digest)
            .ok_or_else(|| format_err(&store, &member, format!("layer {i}: invalid digest {digest:?}")))?;
        layers.push(LayerInfo {
            digest: Some(digest),
            diff_id: diff_ids.get(i).cloned(),
            media_type: l["mediaType"].as_str().map(str::to_string),
            size: l["size"].as_u64(),
            member: layer_member,
        });
    }
    Ok(OpenedImage {
        info: ImageInfo {
            source: kind,
            reference: path.display().to_string(),
            manifest_digest: Some(manifest_digest),
            config_digest: Some(config_digest),
            platform: config_platform(&config),
            repo_tags: Vec::new(),
            layers,
        },
        store,
        check_blobs: true,
    })
}

fn diff_ids(config: &Value) -> Vec<String> {
    config["rootfs"]["diff_ids"]
        .as_array()
        .map(|a| a.iter().filter_map(|d| d.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

fn config_platform(config: &Value) -> Option<Platform> {
    Some(Platform {
        os: config["os"].as_str()?.to_string(),
        architecture: config["architecture"].as_str()?.to_string(),
        variant: config["variant"].as_str().map(str::to_string),
    })
}

/// Picks the manifest for the platform among descriptors; a single descriptor without a
/// platform is taken as is. Attestations (`unknown/unknown`) are never chosen.
fn select<'a>(
    store: &Store,
    member: &str,
    descriptors: &[&'a Value],
    platform: Option<&Platform>,
) -> Result<&'a Value, ImageError> {
    let candidates: Vec<&Value> = descriptors
        .iter()
        .copied()
        .filter(|d| d["platform"]["os"].as_str() != Some("unknown"))
        .collect();
    if candidates.is_empty() {
        return Err(format_err(store, member, "no image manifest in the index"));
    }
    let with_platform = candidates.iter().any(|d| d["platform"].is_object());
    if !with_platform {
        if candidates.len() == 1 {
            return Ok(candidates[0]);
        }
        return Err(format_err(
            store,
            member,
            format!("{} images in the layout: name one with :TAG", candidates.len()),
        ));
    }
    let want = platform.cloned().unwrap_or_else(Platform::host);
    candidates
        .iter()
        .copied()
        .find(|d| {
            let p = &d["platform"];
            want.matches(
                p["os"].as_str().unwrap_or(""),
                p["architecture"].as_str().unwrap_or(""),
                p["variant"].as_str(),
            )
        })
        .ok_or_else(|| {
            let available: Vec<String> = candidates
                .iter()
                .map(|d| {
                    let p = &d["platform"];
                    let mut s = format!(
                        "{}/{}",
                        p["os"].as_str().unwrap_or("?"),
                        p["architecture"].as_str().unwrap_or("?")
                    );
                    if let Some(v) = p["variant"].as_str() {
                        s.push('/');
                        s.push_str(v);
                    }
                    s
                })
                .collect();
            format_err(
                store,
                member,
                format!(
                    "no image for platform {want} (available: {})",
                    available.join(", ")
                ),
            )
        })
}

fn open_docker(store: Store, name: Option<&str>, path: &Path) -> Result<OpenedImage, ImageError> {
    let manifest = store.read_json("manifest.json")?;
    let images = manifest.as_array().cloned().unwrap_or_default();
    let image = match name {
        Some(name) => images.iter().find(|i| {
            i["RepoTags"]
                .as_array()
                .is_some_and(|tags| tags.iter().any(|t| t.as_str() == Some(name)))
        }),
        None if images.len() > 1 => {
            return Err(format_err(
                &store,
                "manifest.json",
                format!("{} images in the archive: name one with :NAME:TAG", images.len()),
            ));
        }
        None => images.first(),
    }
    .ok_or_else(|| {
        format_err(
            &store,
            "manifest.json",
            match name {
                Some(n) => format!("no image tagged {n:?}"),
                None => "no image in the archive".into(),
            },
        )
    })?;
    let config_member = image["Config"].as_str().unwrap_or("").to_string();
    let config = store.read_json(&config_member)?;
    let diff_ids = diff_ids(&config);
    let members: Vec<String> = image["Layers"]
        .as_array()
        .map(|a| a.iter().filter_map(|l| l.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    if diff_ids.len() != members.len() {
        return Err(format_err(
            &store,
            &config_member,
            format!("{} diff_ids for {} layers", diff_ids.len(), members.len()),
        ));
    }
    let config_digest = config_member
        .rsplit('/')
        .next()
        .map(|f| f.trim_end_matches(".json"))
        .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(|h| format!("sha256:{h}"));
    let layers = members
        .into_iter()
        .zip(diff_ids)
        .map(|(member, diff_id)| LayerInfo {
            digest: None,
            diff_id: Some(diff_id),
            media_type: None,
            size: None,
            member,
        })
        .collect();
    Ok(OpenedImage {
        info: ImageInfo {
            source: SourceKind::DockerArchive,
            reference: path.display().to_string(),
            manifest_digest: None,
            config_digest,
            platform: config_platform(&config),
            repo_tags: image["RepoTags"]
                .as_array()
                .map(|a| a.iter().filter_map(|t| t.as_str().map(str::to_string)).collect())
                .unwrap_or_default(),
            layers,
        },
        store,
        check_blobs: true,
    })
}

/// Progress of a read: layer index and stored bytes read so far.
pub type Progress<'a> = &'a (dyn Fn(usize, u64) + Sync);

impl OpenedImage {
    /// Skips hashing the stored (compressed) layer blobs: for a layout whose blobs were
    /// checked against their digests when they were written, such as a registry pull.
    /// The uncompressed diff_ids are still checked.
    #[must_use]
    pub fn blobs_verified(mut self) -> Self {
        self.check_blobs = false;
        self
    }

    /// Reads every layer (in parallel) and runs the catalogers.
    pub fn inventory(
        &self,
        catalogers: &[Box<dyn Cataloger>],
        limits: Limits,
        progress: Progress<'_>,
    ) -> Result<Inventory, ImageError> {
        let selector = Selector::new(catalogers);
        let layers: Vec<LayerContents> = self
            .info
            .layers
            .par_iter()
            .enumerate()
            .map(|(i, l)| {
                let (reader, _) = self.store.open(&l.member)?;
                let expected = Expected {
                    digest: l.digest.clone(),
                    diff_id: l.diff_id.clone(),
                    digest_checked: !self.check_blobs,
                };
                let name = l
                    .digest
                    .clone()
                    .or_else(|| l.diff_id.clone())
                    .unwrap_or_else(|| l.member.clone());
                let mut report = |n| progress(i, n);
                Ok(layer::read_layer(
                    &name,
                    reader,
                    &expected,
                    &selector,
                    limits,
                    &mut report,
                )?)
            })
            .collect::<Result<_, ImageError>>()?;
        Ok(inventory::inventory(catalogers, layers))
    }
}

/// Inventories any source but a registry reference: opens it and reads it.
pub fn inventory_source(
    source: &Source,
    platform: Option<&Platform>,
    catalogers: &[Box<dyn Cataloger>],
    limits: Limits,
    progress: Progress<'_>,
) -> Result<(ImageInfo, Inventory), ImageError> {
    if let Source::Dir(root) = source {
        let selector = Selector::new(catalogers);
        let layer = inventory::read_dir(root, &selector).map_err(|source| ImageError::Io {
            path: root.clone(),
            source,
        })?;
        let info = ImageInfo {
            source: SourceKind::Dir,
            reference: root.display().to_string(),
            manifest_digest: None,
            config_digest: None,
            platform: None,
            repo_tags: Vec::new(),
            layers: Vec::new(),
        };
        return Ok((info, inventory::inventory(catalogers, vec![layer])));
    }
    let image = open(source, platform)?;
    let inventory = image.inventory(catalogers, limits, progress)?;
    Ok((image.info, inventory))
}
