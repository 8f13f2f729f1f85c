//! The registry client and the pull: manifests, platform choice, blobs and the layout.
//! How requests travel (retries, redirects, authentication) is in [`transport`].

mod transport;

use std::collections::HashMap;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ureq::Agent;
use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig, TlsProvider};

use self::transport::{content_length, header};
use crate::auth::CredentialSource;
use crate::layout::{BlobError, Layout};
use crate::manifest::{
    self, ACCEPT_MANIFESTS, Compression, Document, ImageConfig, ImageManifest, layer_compression,
};
use crate::{Digest, Error, Platform, Reference};

/// Manifests and indexes larger than this are refused (the distribution spec's limit).
pub const DEFAULT_MAX_MANIFEST_SIZE: u64 = 4 * 1024 * 1024;
/// Image configs larger than this are refused.
pub const MAX_CONFIG_SIZE: u64 = 16 * 1024 * 1024;

/// Bytes received so far for one layer, given to [`Options::progress`].
#[derive(Debug, Clone, Copy)]
pub struct Progress<'a> {
    pub digest: &'a Digest,
    pub media_type: &'a str,
    /// Bytes of this layer received (or found already present) so far.
    pub received: u64,
    /// The layer's size from its descriptor.
    pub total: u64,
}

/// A callback told how far each layer's download has come.
pub type ProgressFn = Arc<dyn Fn(Progress<'_>) + Send + Sync>;

/// How a [`Client`] talks to registries.
#[derive(Clone)]
pub struct Options {
    /// The platform to choose from a multi-platform index; `None` is the host's
    /// ([`Platform::host`]). When set, a single-platform image for another platform is
    /// an error.
    pub platform: Option<Platform>,
    /// Hosts (`host` for any port, or `host:port`) reached over plain HTTP instead of
    /// HTTPS. Any other host is HTTPS only: nothing falls back to HTTP.
    pub insecure_registries: Vec<String>,
    /// Where credentials come from.
    pub credentials: CredentialSource,
    /// PEM files of extra CA certificates, trusted on top of the system's roots.
    pub ca_files: Vec<PathBuf>,
    /// How often a transient failure (connection error, 429, 5xx, a broken download) is
    /// retried.
    pub retries: u32,
    /// The first retry waits this long; each further one twice as long as the last.
    pub retry_base_delay: Duration,
    /// The longest wait between tries, also the cap on a `Retry-After` answer.
    pub max_retry_delay: Duration,
    /// Called as layer bytes arrive.
    pub progress: Option<ProgressFn>,
    pub user_agent: String,
    /// The largest manifest or index accepted.
    pub max_manifest_size: u64,
    /// Time allowed to connect, and to wait for a response's headers.
    pub timeout: Duration,
    /// Use the proxy the environment names: the first of `ALL_PROXY`, `HTTPS_PROXY`,
    /// `HTTP_PROXY` set (upper or lower case), honouring `NO_PROXY`.
    pub use_env_proxy: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            platform: None,
            insecure_registries: Vec::new(),
            credentials: CredentialSource::Anonymous,
            ca_files: Vec::new(),
            retries: 3,
            retry_base_delay: Duration::from_millis(500),
            max_retry_delay: Duration::from_secs(30),
            progress: None,
            user_agent: format!("rampart/{}", env!("CARGO_PKG_VERSION")),
            max_manifest_size: DEFAULT_MAX_MANIFEST_SIZE,
            timeout: Duration::from_secs(30),
            use_env_proxy: true,
        }
    }
}

impl fmt::Debug for Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Options")
            .field("platform", &self.platform)
            .field("insecure_registries", &self.insecure_registries)
            .field("credentials", &self.credentials)
            .field("ca_files", &self.ca_files)
            .field("retries", &self.retries)
            .field("retry_base_delay", &self.retry_base_delay)
            .field("max_retry_delay", &self.max_retry_delay)
            .field("progress", &self.progress.as_ref().map(|_| "<callback>"))
            .field("user_agent", &self.user_agent)
            .field("max_manifest_size", &self.max_manifest_size)
            .field("timeout", &self.timeout)
            .field("use_env_proxy", &self.use_env_proxy)
            .finish()
    }
}

/// A layer of a pulled image.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PulledLayer {
    pub digest: Digest,
    pub media_type: String,
    pub compression: Compression,
    pub size: u64,
}

/// What a pull wrote into the layout.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Pulled {
    /// The reference as pulled (normalised).
    pub reference: String,
    /// The digest the reference resolved to: the index's for a multi-platform image,
    /// else the manifest's. This is the "repo digest".
    pub resolved_digest: Digest,
    /// The image manifest written to the layout and named in its `index.json`.
    pub manifest_digest: Digest,
    pub manifest_media_type: String,
    pub config_digest: Digest,
    pub layers: Vec<PulledLayer>,
    /// The platform the image config declares.
    pub platform: Platform,
    /// The layout directory.
    pub layout: PathBuf,
}

/// A registry client. Cheap to share between threads; tokens are cached per registry
/// and repository for the client's lifetime.
pub struct Client {
    options: Options,
    agent: Agent,
    /// `Authorization` header values by `registry/repository`.
    auth: Mutex<HashMap<String, String>>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// The outcome of one try: worth another try or not.
enum Attempt {
    Transient(Error),
    Fatal(Error),
}

/// Per-pull context: which repository, at which base URL, under which cache key.
struct Repo<'a> {
    reference: &'a Reference,
    base: String,
    key: String,
}

impl Client {
    /// Builds a client. Trusts the system's root certificates (the OS store, and
    /// `SSL_CERT_FILE`/`SSL_CERT_DIR` when set) plus [`Options::ca_files`].
    pub fn new(options: Options) -> Result<Self, Error> {
        let mut roots: Vec<Certificate<'static>> = rustls_native_certs::load_native_certs()
            .certs
            .iter()
            .map(|c| Certificate::from_der(c.as_ref()).to_owned())
            .collect();
        for path in &options.ca_files {
            roots.extend(load_ca_file(path)?);
        }
        let tls = TlsConfig::builder()
            .provider(TlsProvider::Rustls)
            .root_certs(RootCerts::Specific(Arc::new(roots)))
            .unversioned_rustls_crypto_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .build();
        let config = Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent(options.user_agent.as_str())
            .timeout_connect(Some(options.timeout))
            .timeout_recv_response(Some(options.timeout))
            .tls_config(tls)
            .proxy(if options.use_env_proxy {
                ureq::Proxy::try_from_env()
            } else {
                None
            })
            .build();
        Ok(Client {
            agent: config.new_agent(),
            options,
            auth: Mutex::new(HashMap::new()),
        })
    }

    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Pulls `reference` into the OCI image layout at `dest` (created if missing; its
    /// parent must exist). `dest` may be empty or an earlier layout: blobs already there
    /// and intact are kept, and `index.json` is replaced to name this image only.
    pub fn pull(&self, reference: &Reference, dest: &Path) -> Result<Pulled, Error> {
        let repo = self.repo(reference);
        let shown = reference.to_string();
        let (top_bytes, top_type, top_digest, top_url) =
            self.fetch_manifest(&repo, &reference.manifest_reference(), reference.digest(), None)?;
        let top = manifest::parse_document(top_type.as_deref(), &top_bytes, &shown, &top_url)?;
        let (manifest_bytes, manifest_digest, media_type, manifest, from_index) = match top {
            Document::Manifest { media_type, manifest } => {
                (top_bytes, top_digest.clone(), media_type, manifest, false)
            }
            Document::Index { index } => {
                let wanted = self.options.platform.clone().unwrap_or_else(Platform::host);
                let entry = manifest::select_platform(&index, &wanted, &shown)?;
                let digest = Digest::parse(&entry.digest)?;
                let (bytes, ctype, digest, url) =
                    self.fetch_manifest(&repo, &digest.to_string(), Some(&digest), Some(entry.size))?;
                match manifest::parse_document(ctype.as_deref(), &bytes, &shown, &url)? {
                    Document::Manifest { media_type, manifest } => {
                        (bytes, digest, media_type, manifest, true)
                    }
                    Document::Index { .. } => {
                        return Err(Error::Malformed {
                            what: "index",
                            url,
                            reason: "the entry chosen for the platform is itself an index".to_owned(),
                        });
                    }
                }
            }
        };
        manifest::check_manifest(&manifest, &manifest_digest)?;
        if manifest.config.size > MAX_CONFIG_SIZE {
            return Err(Error::TooLarge {
                what: "image config",
                url: self.blob_url(&repo, &manifest.config.digest),
                limit: MAX_CONFIG_SIZE,
            });
        }

        let layout = Layout::open(dest)?;
        let config_digest = Digest::parse(&manifest.config.digest)?;
        self.fetch_blob(
            &repo,
            &layout,
            "config",
            &config_digest,
            &manifest.config.media_type,
            manifest.config.size,
            false,
        )?;
        let platform = read_platform(&layout, &config_digest)?;
        if !from_index
            && let Some(wanted) = &self.options.platform
            && !wanted.matches(&platform)
        {
            return Err(Error::PlatformMismatch {
                reference: shown,
                wanted: Box::new(wanted.clone()),
                found: Box::new(platform),
            });
        }
        let layers = self.fetch_layers(&repo, &layout, &manifest)?;
        layout.write_verified_bytes(&manifest_digest, &manifest_bytes)?;
        layout.write_file(
            "index.json",
            &index_json(
                reference,
                &media_type,
                &manifest_digest,
                manifest_bytes.len(),
                &platform,
            ),
        )?;
        Ok(Pulled {
            reference: shown,
            resolved_digest: top_digest,
            manifest_digest,
            manifest_media_type: media_type,
            config_digest,
            layers,
            platform,
            layout: dest.to_owned(),
        })
    }

    fn fetch_layers(
        &self,
        repo: &Repo<'_>,
        layout: &Layout,
        manifest: &ImageManifest,
    ) -> Result<Vec<PulledLayer>, Error> {
        let mut layers = Vec::with_capacity(manifest.layers.len());
        for layer in &manifest.layers {
            let digest = Digest::parse(&layer.digest)?;
            self.fetch_blob(
                repo,
                layout,
                "layer",
                &digest,
                &layer.media_type,
                layer.size,
                true,
            )?;
            layers.push(PulledLayer {
                compression: layer_compression(&layer.media_type).unwrap_or(Compression::None),
                digest,
                media_type: layer.media_type.clone(),
                size: layer.size,
            });
        }
        Ok(layers)
    }

    fn repo<'a>(&self, reference: &'a Reference) -> Repo<'a> {
        let host = reference.api_host();
        let scheme = if self.is_insecure(host) { "http" } else { "https" };
        Repo {
            reference,
            base: format!("{scheme}://{host}"),
            key: format!("{}/{}", reference.registry(), reference.repository()),
        }
    }

    fn blob_url(&self, repo: &Repo<'_>, digest: &str) -> String {
        let _ = self;
        format!("{}/v2/{}/blobs/{digest}", repo.base, repo.reference.repository())
    }

    /// Fetches a manifest by tag or digest and checks it against `expected` (or, by tag,
    /// against the registry's `Docker-Content-Digest`). Returns the body, its content
    /// type, its digest and the URL.
    fn fetch_manifest(
        &self,
        repo: &Repo<'_>,
        reference: &str,
        expected: Option<&Digest>,
        expected_size: Option<u64>,
    ) -> Result<(Vec<u8>, Option<String>, Digest, String), Error> {
        let url = format!(
            "{}/v2/{}/manifests/{reference}",
            repo.base,
            repo.reference.repository()
        );
        let limit = self.options.max_manifest_size;
        let bytes_and_type = self.with_read_retries(|| {
            let resp = self.get(repo, &url, Some(ACCEPT_MANIFESTS), "manifest")?;
            let content_type = header(&resp, "content-type");
            let header_digest = header(&resp, "docker-content-digest");
            if content_length(&resp).is_some_and(|n| n > limit) {
                return Err(Attempt::Fatal(Error::TooLarge {
                    what: "manifest",
                    url: url.clone(),
                    limit,
                }));
            }
            let mut body = Vec::new();
            resp.into_body()
                .into_reader()
                .take(limit + 1)
                .read_to_end(&mut body)
                .map_err(|e| {
                    Attempt::Transient(Error::Transport {
                        url: url.clone(),
                        reason: e.to_string(),
                    })
                })?;
            if body.len() as u64 > limit {
                return Err(Attempt::Fatal(Error::TooLarge {
                    what: "manifest",
                    url: url.clone(),
                    limit,
                }));
            }
            Ok((body, content_type, header_digest))
        })?;
        let (body, content_type, header_digest) = bytes_and_type;
        let header_digest = header_digest.and_then(|d| Digest::parse(&d).ok());
        let check_against = expected.or(header_digest.as_ref());
        let algorithm = check_against.map_or(crate::digest::Algorithm::Sha256, Digest::algorithm);
        let mut hasher = crate::digest::Hasher::new(algorithm);
        hasher.update(&body);
        let actual = hasher.finish();
        if let Some(want) = check_against
            && *want != actual
        {
            return Err(Error::DigestMismatch {
                what: "manifest",
                expected: want.to_string(),
                actual: actual.to_string(),
            });
        }
        if let Some(size) = expected_size
            && size != body.len() as u64
        {
            return Err(Error::SizeMismatch {
                what: "manifest",
                digest: actual.to_string(),
                expected: size,
                actual: body.len() as u64,
            });
        }
        // Pulled by tag with a sha512 header: name the manifest by its sha256 as well as
        // layouts conventionally do.
        let digest = if expected.is_none() && algorithm != crate::digest::Algorithm::Sha256 {
            Digest::sha256_of(&body)
        } else {
            actual
        };
        Ok((body, content_type, digest, url))
    }

    #[allow(clippy::too_many_arguments)]
    fn fetch_blob(
        &self,
        repo: &Repo<'_>,
        layout: &Layout,
        what: &'static str,
        digest: &Digest,
        media_type: &str,
        size: u64,
        report: bool,
    ) -> Result<(), Error> {
        let progress = |received: u64| {
            if report && let Some(cb) = &self.options.progress {
                cb(Progress {
                    digest,
                    media_type,
                    received,
                    total: size,
                });
            }
        };
        if layout.has_blob(digest, size)? {
            progress(size);
            return Ok(());
        }
        let url = self.blob_url(repo, &digest.to_string());
        self.with_read_retries(|| {
            let resp = self.get(repo, &url, None, what)?;
            let mut reader = resp.into_body().into_reader();
            let mut report = |n| progress(n);
            layout
                .write_blob(&mut reader, what, digest, size, &mut report)
                .map_err(|e| match e {
                    BlobError::Read(e) => Attempt::Transient(Error::Transport {
                        url: url.clone(),
                        reason: format!("download of {digest} broke off: {e}"),
                    }),
                    BlobError::Fatal(e) => Attempt::Fatal(e),
                })
        })
    }
}

fn load_ca_file(path: &Path) -> Result<Vec<Certificate<'static>>, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let mut certs = Vec::new();
    for item in ureq::tls::parse_pem(&bytes) {
        match item {
            Ok(PemItem::Certificate(c)) => certs.push(c.to_owned()),
            Ok(_) => {}
            Err(e) => {
                return Err(Error::CaFile {
                    path: path.to_owned(),
                    reason: format!("not a PEM file: {e}"),
                });
            }
        }
    }
    if certs.is_empty() {
        return Err(Error::CaFile {
            path: path.to_owned(),
            reason: "no PEM certificate (-----BEGIN CERTIFICATE-----) in the file".to_owned(),
        });
    }
    Ok(certs)
}

fn read_platform(layout: &Layout, config_digest: &Digest) -> Result<Platform, Error> {
    let bytes = layout.read_blob(config_digest)?;
    let config: ImageConfig = serde_json::from_slice(&bytes).map_err(|e| Error::Malformed {
        what: "image config",
        url: config_digest.to_string(),
        reason: e.to_string(),
    })?;
    Ok(Platform::new(
        &config.os,
        &config.architecture,
        config.variant.as_deref(),
    ))
}

fn index_json(
    reference: &Reference,
    media_type: &str,
    digest: &Digest,
    size: usize,
    platform: &Platform,
) -> Vec<u8> {
    let mut annotations = serde_json::Map::new();
    annotations.insert(
        "io.containerd.image.name".to_owned(),
        reference.to_string().into(),
    );
    if let Some(tag) = reference.tag() {
        annotations.insert("org.opencontainers.image.ref.name".to_owned(), tag.into());
    }
    let index = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": manifest::OCI_INDEX,
        "manifests": [{
            "mediaType": media_type,
            "digest": digest.to_string(),
            "size": size,
            "platform": platform,
            "annotations": annotations,
        }],
    });
    let mut out = serde_json::to_vec_pretty(&index).expect("index.json serialises");
    out.push(b'\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_is_shared_between_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Client>();
    }

    #[test]
    fn ca_file_errors_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ca.pem");
        std::fs::write(&path, "not a certificate\n").unwrap();
        let err = Client::new(Options {
            ca_files: vec![path.clone()],
            ..Options::default()
        })
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("ca.pem") && err.contains("no PEM certificate"),
            "{err}"
        );
    }
}
