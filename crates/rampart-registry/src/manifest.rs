//! Manifest and index documents (OCI and Docker schema 2), their media types, and the
//! checks made before any blob is fetched.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::{Digest, Error, Platform};

pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const DOCKER_MANIFEST_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub const DOCKER_SCHEMA1: &str = "application/vnd.docker.distribution.manifest.v1+json";
pub const DOCKER_SCHEMA1_SIGNED: &str = "application/vnd.docker.distribution.manifest.v1+prettyjws";
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
pub const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";

/// The `Accept` header of manifest requests: every type this client can use.
pub(crate) const ACCEPT_MANIFESTS: &str = "application/vnd.oci.image.index.v1+json, \
application/vnd.docker.distribution.manifest.list.v2+json, \
application/vnd.oci.image.manifest.v1+json, \
application/vnd.docker.distribution.manifest.v2+json";

/// How a layer blob is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

/// The compression a layer media type says, or `None` when the type is not a layer this
/// client pulls.
pub fn layer_compression(media_type: &str) -> Option<Compression> {
    match media_type {
        "application/vnd.oci.image.layer.v1.tar" | "application/vnd.docker.image.rootfs.diff.tar" => {
            Some(Compression::None)
        }
        "application/vnd.oci.image.layer.v1.tar+gzip"
        | "application/vnd.docker.image.rootfs.diff.tar.gzip" => Some(Compression::Gzip),
        "application/vnd.oci.image.layer.v1.tar+zstd"
        | "application/vnd.docker.image.rootfs.diff.tar.zstd" => Some(Compression::Zstd),
        _ => None,
    }
}

/// A content descriptor as it appears in manifests and indexes.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Descriptor {
    #[serde(default)]
    pub media_type: String,
    pub digest: String,
    pub size: u64,
    #[serde(default)]
    pub platform: Option<DescriptorPlatform>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct DescriptorPlatform {
    #[serde(default)]
    pub os: String,
    #[serde(default)]
    pub architecture: String,
    #[serde(default)]
    pub variant: Option<String>,
}

impl DescriptorPlatform {
    pub fn to_platform(&self) -> Platform {
        Platform::new(&self.os, &self.architecture, self.variant.as_deref())
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ImageManifest {
    pub config: Descriptor,
    #[serde(default)]
    pub layers: Vec<Descriptor>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct ImageIndex {
    #[serde(default)]
    pub manifests: Vec<Descriptor>,
}

/// The part of an image config this client reads.
#[derive(Debug, Deserialize)]
pub(crate) struct ImageConfig {
    #[serde(default)]
    pub os: String,
    #[serde(default)]
    pub architecture: String,
    #[serde(default)]
    pub variant: Option<String>,
}

/// A fetched manifest document, by kind.
pub(crate) enum Document {
    Manifest {
        media_type: String,
        manifest: ImageManifest,
    },
    Index {
        index: ImageIndex,
    },
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Probe {
    #[serde(default)]
    schema_version: Option<u64>,
    #[serde(default)]
    media_type: Option<String>,
    #[serde(default)]
    manifests: Option<serde_json::Value>,
    #[serde(default)]
    config: Option<serde_json::Value>,
}

/// Classifies and parses a manifest body. The media type comes from the response's
/// `Content-Type` when it names a manifest type, else from the body's `mediaType`, else
/// from its shape. `reference` and `url` only feed error messages.
pub(crate) fn parse_document(
    content_type: Option<&str>,
    body: &[u8],
    reference: &str,
    url: &str,
) -> Result<Document, Error> {
    let malformed = |reason: String| Error::Malformed {
        what: "manifest",
        url: url.to_owned(),
        reason,
    };
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(malformed("not a JSON object".to_owned()));
    }
    let probe: Probe =
        serde_json::from_slice(body).map_err(|e| malformed(format!("not a JSON object: {e}")))?;
    let header_type = content_type
        .map(|c| c.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
        .filter(|c| c.starts_with("application/vnd."));
    let media_type = header_type.or(probe.media_type.clone()).unwrap_or_else(|| {
        if probe.schema_version == Some(1) {
            DOCKER_SCHEMA1.to_owned()
        } else if probe.manifests.is_some() {
            OCI_INDEX.to_owned()
        } else if probe.config.is_some() {
            OCI_MANIFEST.to_owned()
        } else {
            String::new()
        }
    });
    match media_type.as_str() {
        DOCKER_SCHEMA1 | DOCKER_SCHEMA1_SIGNED => Err(Error::Schema1 {
            reference: reference.to_owned(),
            media_type,
        }),
        _ if probe.schema_version == Some(1) => Err(Error::Schema1 {
            reference: reference.to_owned(),
            media_type,
        }),
        OCI_INDEX | DOCKER_MANIFEST_LIST => {
            let index: ImageIndex =
                serde_json::from_slice(body).map_err(|e| malformed(format!("not an image index: {e}")))?;
            Ok(Document::Index { index })
        }
        OCI_MANIFEST | DOCKER_MANIFEST => {
            let manifest: ImageManifest =
                serde_json::from_slice(body).map_err(|e| malformed(format!("not an image manifest: {e}")))?;
            Ok(Document::Manifest { media_type, manifest })
        }
        "" => Err(malformed(
            "no media type in the response or the document, and neither manifests nor config".to_owned(),
        )),
        other => Err(Error::UnsupportedMediaType {
            what: "manifest",
            media_type: other.to_owned(),
            digest: reference.to_owned(),
            hint: "expected an OCI or Docker schema 2 image manifest or index",
        }),
    }
}

/// Chooses the index entry for `wanted`: image manifests only (attestations and other
/// artifacts are skipped); among matches, the architecture's default variant first, then
/// the first in index order. The error lists the platforms the index has.
pub(crate) fn select_platform<'a>(
    index: &'a ImageIndex,
    wanted: &Platform,
    reference: &str,
) -> Result<&'a Descriptor, Error> {
    let images: Vec<(&Descriptor, Platform)> = index
        .manifests
        .iter()
        .filter(|d| is_image_manifest_type(&d.media_type) || d.media_type.is_empty())
        .filter(|d| {
            d.annotations.get("vnd.docker.reference.type").map(String::as_str) != Some("attestation-manifest")
        })
        .filter_map(|d| d.platform.as_ref().map(|p| (d, p.to_platform())))
        .filter(|(_, p)| p.os != "unknown")
        .collect();
    let matching: Vec<&(&Descriptor, Platform)> = images.iter().filter(|(_, p)| wanted.matches(p)).collect();
    let chosen = if wanted.variant.is_none() {
        matching
            .iter()
            .find(|(_, p)| wanted.is_default_variant(p))
            .or_else(|| matching.first())
    } else {
        matching.first()
    };
    if let Some((d, _)) = chosen {
        return Ok(d);
    }
    let mut available: Vec<Platform> = images.into_iter().map(|(_, p)| p).collect();
    available.dedup();
    Err(Error::NoMatchingPlatform {
        reference: reference.to_owned(),
        wanted: Box::new(wanted.clone()),
        available,
    })
}

fn is_image_manifest_type(media_type: &str) -> bool {
    media_type == OCI_MANIFEST || media_type == DOCKER_MANIFEST
}

/// Checks a manifest's config and layer descriptors before anything is downloaded.
pub(crate) fn check_manifest(manifest: &ImageManifest, manifest_digest: &Digest) -> Result<(), Error> {
    let unsupported = |what, media_type: &str, digest: &str, hint| Error::UnsupportedMediaType {
        what,
        media_type: media_type.to_owned(),
        digest: digest.to_owned(),
        hint,
    };
    let config_type = manifest.config.media_type.as_str();
    if config_type != OCI_CONFIG && config_type != DOCKER_CONFIG {
        return Err(unsupported(
            "config",
            config_type,
            &manifest_digest.to_string(),
            "this manifest is not a container image (an artifact such as a Helm chart or a signature)",
        ));
    }
    Digest::parse(&manifest.config.digest)?;
    for layer in &manifest.layers {
        Digest::parse(&layer.digest)?;
        if layer_compression(&layer.media_type).is_none() {
            let hint =
                if layer.media_type.contains("foreign") || layer.media_type.contains("nondistributable") {
                    "foreign (non-distributable) layers, as in Windows base images, are not pulled"
                } else {
                    "layers must be tar, tar+gzip or tar+zstd (OCI or Docker media types)"
                };
            return Err(unsupported("layer", &layer.media_type, &layer.digest, hint));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema1_is_refused_by_header_or_body() {
        let body = br#"{"schemaVersion":1,"name":"x","tag":"y","fsLayers":[]}"#;
        for ct in [None, Some(DOCKER_SCHEMA1_SIGNED), Some("application/json")] {
            let Err(err) = parse_document(ct, body, "example.com/x:y", "u") else {
                panic!("schema1 accepted");
            };
            let text = err.to_string();
            assert!(
                text.contains("schema 1") && text.contains("example.com/x:y"),
                "{text}"
            );
        }
    }

    #[test]
    fn documents_are_classified_by_header_then_body_then_shape() {
        let index = br#"{"schemaVersion":2,"manifests":[]}"#;
        assert!(matches!(
            parse_document(None, index, "r", "u").unwrap(),
            Document::Index { .. }
        ));
        let manifest = br#"{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",
            "config":{"mediaType":"application/vnd.docker.container.image.v1+json","digest":"sha256:00","size":1},"layers":[]}"#;
        match parse_document(Some("text/plain"), manifest, "r", "u").unwrap() {
            Document::Manifest { media_type, .. } => assert_eq!(media_type, DOCKER_MANIFEST),
            Document::Index { .. } => panic!("index"),
        }
        let err = parse_document(Some("application/vnd.cncf.helm.chart"), manifest, "r", "u");
        assert!(err.is_err());
        let err = parse_document(None, b"[1]", "r", "the-url")
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("the-url"), "{err}");
    }

    #[test]
    fn platform_selection_skips_attestations_and_lists_what_exists() {
        let index: ImageIndex = serde_json::from_str(
            r#"{"manifests":[
            {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:a","size":1,
             "platform":{"os":"linux","architecture":"arm","variant":"v6"}},
            {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:b","size":1,
             "platform":{"os":"linux","architecture":"arm","variant":"v7"}},
            {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:c","size":1,
             "platform":{"os":"linux","architecture":"amd64"}},
            {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:d","size":1,
             "platform":{"os":"unknown","architecture":"unknown"},
             "annotations":{"vnd.docker.reference.type":"attestation-manifest"}}]}"#,
        )
        .unwrap();
        let pick =
            |p: &str| select_platform(&index, &Platform::parse(p).unwrap(), "r").map(|d| d.digest.clone());
        assert_eq!(pick("linux/arm").unwrap(), "sha256:b");
        assert_eq!(pick("linux/arm/v6").unwrap(), "sha256:a");
        assert_eq!(pick("linux/amd64").unwrap(), "sha256:c");
        let err = pick("linux/s390x").unwrap_err().to_string();
        assert!(
            err.contains("linux/arm/v6, linux/arm/v7, linux/amd64") && !err.contains("unknown"),
            "{err}"
        );
    }
}
