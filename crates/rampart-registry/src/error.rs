//! The one error type of this crate. Every message names what it is about: the reference,
//! the URL, the digest or the file.

use std::path::PathBuf;

use crate::Platform;

/// Why a pull (or the parsing of its inputs) failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The image reference does not follow the `[registry/]repository[:tag][@digest]` form.
    #[error("invalid image reference {input:?}: {reason}")]
    InvalidReference { input: String, reason: String },

    /// A platform is not `os/architecture[/variant]`.
    #[error("invalid platform {input:?}: {reason} (expected os/architecture[/variant], e.g. linux/arm64)")]
    InvalidPlatform { input: String, reason: String },

    /// A digest is not `sha256:<64 hex>` or `sha512:<128 hex>`.
    #[error("invalid digest {input:?}: {reason}")]
    InvalidDigest { input: String, reason: String },

    /// The bytes received do not hash to the digest they were asked for by.
    #[error("digest mismatch for {what} {expected}: the registry sent content with digest {actual}")]
    DigestMismatch {
        what: &'static str,
        expected: String,
        actual: String,
    },

    /// The bytes received are not as long as the descriptor says.
    #[error("size mismatch for {what} {digest}: expected {expected} bytes, received {actual}")]
    SizeMismatch {
        what: &'static str,
        digest: String,
        expected: u64,
        actual: u64,
    },

    /// A manifest, index, config or token answer is larger than this client accepts.
    #[error("{what} at {url} is larger than the limit of {limit} bytes")]
    TooLarge {
        what: &'static str,
        url: String,
        limit: u64,
    },

    /// A manifest is not JSON of the expected shape.
    #[error("malformed {what} from {url}: {reason}")]
    Malformed {
        what: &'static str,
        url: String,
        reason: String,
    },

    /// Docker image manifest schema 1 is deprecated and not supported.
    #[error(
        "{reference} uses Docker image manifest schema 1 ({media_type}), which is deprecated and not supported; \
         push the image again with a current tool (it then gets a schema 2 or OCI manifest)"
    )]
    Schema1 { reference: String, media_type: String },

    /// A media type this client does not know how to pull.
    #[error("unsupported {what} media type {media_type:?} in {digest}: {hint}")]
    UnsupportedMediaType {
        what: &'static str,
        media_type: String,
        digest: String,
        hint: &'static str,
    },

    /// A multi-platform index has no manifest for the wanted platform.
    #[error(
        "{reference} has no image for platform {wanted}; available platforms: {}",
        list_platforms(available)
    )]
    NoMatchingPlatform {
        reference: String,
        wanted: Box<Platform>,
        available: Vec<Platform>,
    },

    /// A single-platform image whose config names another platform than the one asked for.
    #[error("{reference} is a single-platform image for {found}, not for the requested platform {wanted}")]
    PlatformMismatch {
        reference: String,
        wanted: Box<Platform>,
        found: Box<Platform>,
    },

    /// The registry answered 404 for a manifest or blob.
    #[error("{what} not found: {url}{}", detail_suffix(detail))]
    NotFound {
        what: &'static str,
        url: String,
        detail: String,
    },

    /// Authentication failed or was needed and not possible.
    #[error("authentication failed for {registry}: {reason}")]
    Unauthorized { registry: String, reason: String },

    /// The registry answered with a status this client does not expect.
    #[error("registry answered {status} for {url}{}", detail_suffix(detail))]
    Status {
        url: String,
        status: u16,
        detail: String,
    },

    /// A connection, TLS or protocol error, after the retries were used up when transient.
    #[error("request to {url} failed: {reason}")]
    Transport { url: String, reason: String },

    /// A plain-HTTP URL for a host that is not listed as an insecure registry.
    #[error(
        "refusing plain HTTP to {host} ({url}): the host is not an insecure registry; \
         allow it explicitly (--insecure-registry {host}) if it has no TLS"
    )]
    InsecureRefused { host: String, url: String },

    /// A file of the destination layout could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The destination exists and is neither empty nor an OCI image layout.
    #[error(
        "{}: the destination exists and is neither empty nor an OCI image layout (no oci-layout file)",
        path.display()
    )]
    DestinationNotEmpty { path: PathBuf },

    /// A Docker config file cannot be read or is malformed.
    #[error("{}: {reason}", path.display())]
    DockerConfig { path: PathBuf, reason: String },

    /// A Docker config file delegates this registry's credentials to a helper program.
    #[error(
        "{}: credentials for {registry} are kept by the credential helper {helper:?} ({key}), which is not \
         supported; put the credentials in \"auths\" (docker login with no credential store) or pass a \
         username and password",
        path.display()
    )]
    CredentialHelper {
        path: PathBuf,
        registry: String,
        helper: String,
        key: &'static str,
    },

    /// A CA certificate file is unreadable or holds no certificate.
    #[error("{}: {reason}", path.display())]
    CaFile { path: PathBuf, reason: String },
}

fn list_platforms(platforms: &[Platform]) -> String {
    if platforms.is_empty() {
        return "none".to_owned();
    }
    platforms
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn detail_suffix(detail: &str) -> String {
    if detail.is_empty() {
        String::new()
    } else {
        format!(" ({detail})")
    }
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
