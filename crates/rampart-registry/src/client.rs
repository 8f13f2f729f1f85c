//! The registry client: HTTP with retries, redirects and authentication, and the pull
//! that ties manifests, blobs and the layout together.

use std::collections::HashMap;
use std::fmt::{self, Write as _};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use ureq::http::{Response, StatusCode, Uri};
use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig, TlsProvider};
use ureq::{Agent, Body};

use crate::auth::{BasicCredentials, Challenge, CredentialSource, parse_challenges};
use crate::layout::{BlobError, Layout};
use crate::manifest::{
    self, ACCEPT_MANIFESTS, Compression, Document, ImageConfig, ImageManifest, layer_compression,
};
use crate::{Digest, Error, Platform, Reference};

/// Manifests and indexes larger than this are refused (the distribution spec's limit).
pub const DEFAULT_MAX_MANIFEST_SIZE: u64 = 4 * 1024 * 1024;
/// Image configs larger than this are refused.
pub const MAX_CONFIG_SIZE: u64 = 16 * 1024 * 1024;
const MAX_TOKEN_RESPONSE: u64 = 1024 * 1024;
const MAX_ERROR_BODY: u64 = 64 * 1024;
const MAX_REDIRECTS: usize = 5;

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

/// Per-pull context: which repository, at which base URL, with which credentials.
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

    fn is_insecure(&self, authority: &str) -> bool {
        let authority = authority.to_ascii_lowercase();
        let host = host_of(&authority);
        self.options.insecure_registries.iter().any(|entry| {
            let entry = entry
                .trim()
                .trim_start_matches("http://")
                .trim_start_matches("https://")
                .trim_end_matches('/')
                .to_ascii_lowercase();
            let has_port = match entry.rsplit_once(']') {
                Some((_, after)) => after.starts_with(':'),
                None => entry.contains(':'),
            };
            entry == authority || (!has_port && host_of(&entry) == host)
        })
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

    /// Runs `f` again (after a wait) while it fails transiently, up to the retry count.
    fn with_read_retries<T>(&self, mut f: impl FnMut() -> Result<T, Attempt>) -> Result<T, Error> {
        let mut attempt = 0;
        loop {
            match f() {
                Ok(v) => return Ok(v),
                Err(Attempt::Transient(_)) if attempt < self.options.retries => {
                    std::thread::sleep(self.backoff(attempt));
                    attempt += 1;
                }
                Err(Attempt::Transient(e)) => return Err(gave_up(e, attempt)),
                Err(Attempt::Fatal(e)) => return Err(e),
            }
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let factor = 1u32.checked_shl(attempt.min(16)).unwrap_or(u32::MAX);
        self.options
            .retry_base_delay
            .saturating_mul(factor)
            .min(self.options.max_retry_delay)
    }

    /// A GET to the registry with authentication: on a 401 the challenge is answered once
    /// (token or basic) and the request repeated. Statuses other than 2xx become errors.
    fn get(
        &self,
        repo: &Repo<'_>,
        url: &str,
        accept: Option<&str>,
        what: &'static str,
    ) -> Result<Response<Body>, Attempt> {
        let mut answered_challenge = false;
        let mut credentials: Option<Option<BasicCredentials>> = None;
        loop {
            let auth = self
                .auth
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get(&repo.key)
                .cloned();
            let resp = self.exchange(url, accept, auth.as_deref())?;
            let status = resp.status();
            if status.is_success() {
                return Ok(resp);
            }
            let registry = repo.reference.registry().to_owned();
            if status == StatusCode::UNAUTHORIZED && !answered_challenge {
                answered_challenge = true;
                let challenges = parse_challenges(
                    resp.headers()
                        .get_all("www-authenticate")
                        .iter()
                        .filter_map(|v| v.to_str().ok()),
                );
                let creds = if let Some(c) = &credentials {
                    c.clone()
                } else {
                    let c = self
                        .options
                        .credentials
                        .lookup(repo.reference.registry())
                        .map_err(Attempt::Fatal)?;
                    credentials = Some(c.clone());
                    c
                };
                let value = self.answer_challenge(repo, &challenges, creds.as_ref())?;
                self.auth
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(repo.key.clone(), value);
                continue;
            }
            let detail = error_detail(resp);
            let who = || match credentials.as_ref().and_then(Option::as_ref) {
                Some(c) => format!("user {:?}", c.username),
                None => "anonymous access".to_owned(),
            };
            return Err(Attempt::Fatal(match status.as_u16() {
                401 => Error::Unauthorized {
                    registry,
                    reason: if credentials.as_ref().is_some_and(Option::is_some) {
                        format!(
                            "the registry refused the credentials of {} for {}{}",
                            who(),
                            repo.reference.repository(),
                            detail_suffix(&detail)
                        )
                    } else {
                        format!(
                            "the registry requires credentials for {} and none are configured{}",
                            repo.reference.repository(),
                            detail_suffix(&detail)
                        )
                    },
                },
                403 => Error::Unauthorized {
                    registry,
                    reason: format!(
                        "access to {} denied for {}{}",
                        repo.reference.repository(),
                        who(),
                        detail_suffix(&detail)
                    ),
                },
                404 => Error::NotFound {
                    what,
                    url: url.to_owned(),
                    detail,
                },
                code => Error::Status {
                    url: url.to_owned(),
                    status: code,
                    detail,
                },
            }));
        }
    }

    /// The `Authorization` value that answers the challenges: a bearer token from the
    /// token service, or basic credentials.
    fn answer_challenge(
        &self,
        repo: &Repo<'_>,
        challenges: &[Challenge],
        creds: Option<&BasicCredentials>,
    ) -> Result<String, Attempt> {
        let registry = repo.reference.registry().to_owned();
        match challenges.first() {
            Some(Challenge::Bearer { realm, service, .. }) => {
                let token = self.fetch_token(repo, realm, service.as_deref(), creds)?;
                Ok(format!("Bearer {token}"))
            }
            Some(Challenge::Basic) => match creds {
                Some(c) => Ok(c.header_value()),
                None => Err(Attempt::Fatal(Error::Unauthorized {
                    registry,
                    reason: format!(
                        "the registry requires a username and password for {} and none are configured",
                        repo.reference.repository()
                    ),
                })),
            },
            None => Err(Attempt::Fatal(Error::Unauthorized {
                registry,
                reason: "the registry answered 401 without a Bearer or Basic challenge".to_owned(),
            })),
        }
    }

    fn fetch_token(
        &self,
        repo: &Repo<'_>,
        realm: &str,
        service: Option<&str>,
        creds: Option<&BasicCredentials>,
    ) -> Result<String, Attempt> {
        let registry = repo.reference.registry().to_owned();
        let scope = format!("repository:{}:pull", repo.reference.repository());
        let sep = if realm.contains('?') { '&' } else { '?' };
        let mut url = format!("{realm}{sep}scope={}", percent_encode(&scope));
        if let Some(service) = service {
            url.push_str("&service=");
            url.push_str(&percent_encode(service));
        }
        let basic = creds.map(BasicCredentials::header_value);
        let resp = self.exchange(&url, Some("application/json"), basic.as_deref())?;
        let status = resp.status();
        if !status.is_success() {
            let detail = error_detail(resp);
            let reason = match (status.as_u16(), creds) {
                (401 | 403, Some(c)) => format!(
                    "the token service {realm} refused the credentials of user {:?}{}",
                    c.username,
                    detail_suffix(&detail)
                ),
                (401 | 403, None) => format!(
                    "the token service {realm} refused anonymous access to {}; credentials are needed{}",
                    repo.reference.repository(),
                    detail_suffix(&detail)
                ),
                (code, _) => format!(
                    "the token service {realm} answered {code}{}",
                    detail_suffix(&detail)
                ),
            };
            return Err(Attempt::Fatal(Error::Unauthorized { registry, reason }));
        }
        let mut body = Vec::new();
        resp.into_body()
            .into_reader()
            .take(MAX_TOKEN_RESPONSE + 1)
            .read_to_end(&mut body)
            .map_err(|e| {
                Attempt::Transient(Error::Transport {
                    url: realm.to_owned(),
                    reason: e.to_string(),
                })
            })?;
        let answer: TokenAnswer = serde_json::from_slice(&body).map_err(|e| {
            Attempt::Fatal(Error::Malformed {
                what: "token answer",
                url: realm.to_owned(),
                reason: e.to_string(),
            })
        })?;
        answer
            .token
            .filter(|t| !t.is_empty())
            .or(answer.access_token.filter(|t| !t.is_empty()))
            .ok_or_else(|| {
                Attempt::Fatal(Error::Malformed {
                    what: "token answer",
                    url: realm.to_owned(),
                    reason: "neither \"token\" nor \"access_token\" is set".to_owned(),
                })
            })
    }

    /// One GET with retries on transient failures (connection errors, 429, 5xx) and
    /// redirects followed. The last response is returned whatever its status.
    fn exchange(
        &self,
        url: &str,
        accept: Option<&str>,
        auth: Option<&str>,
    ) -> Result<Response<Body>, Attempt> {
        let mut attempt = 0;
        loop {
            match self.exchange_once(url, accept, auth) {
                Ok(resp) if is_transient_status(resp.status()) && attempt < self.options.retries => {
                    let wait = retry_after(&resp)
                        .map_or_else(|| self.backoff(attempt), |d| d.min(self.options.max_retry_delay));
                    drop(resp);
                    std::thread::sleep(wait);
                    attempt += 1;
                }
                Ok(resp) => return Ok(resp),
                Err(Attempt::Transient(_)) if attempt < self.options.retries => {
                    std::thread::sleep(self.backoff(attempt));
                    attempt += 1;
                }
                Err(Attempt::Transient(e)) => return Err(Attempt::Fatal(gave_up(e, attempt))),
                Err(e) => return Err(e),
            }
        }
    }

    fn exchange_once(
        &self,
        url: &str,
        accept: Option<&str>,
        auth: Option<&str>,
    ) -> Result<Response<Body>, Attempt> {
        let mut current = url.to_owned();
        let mut auth = auth;
        for _ in 0..=MAX_REDIRECTS {
            let uri: Uri = current.parse().map_err(|e| {
                Attempt::Fatal(Error::Transport {
                    url: current.clone(),
                    reason: format!("invalid URL: {e}"),
                })
            })?;
            let authority = uri.authority().map(|a| a.as_str().to_owned()).unwrap_or_default();
            match uri.scheme_str() {
                Some("https") => {}
                Some("http") if self.is_insecure(&authority) => {}
                Some("http") => {
                    return Err(Attempt::Fatal(Error::InsecureRefused {
                        host: authority,
                        url: current,
                    }));
                }
                _ => {
                    return Err(Attempt::Fatal(Error::Transport {
                        url: current,
                        reason: "only http and https URLs are followed".to_owned(),
                    }));
                }
            }
            let mut request = self.agent.get(&current);
            if let Some(accept) = accept {
                request = request.header("Accept", accept);
            }
            if let Some(auth) = auth {
                request = request.header("Authorization", auth);
            }
            let resp = request.call().map_err(|e| classify(&current, &authority, e))?;
            if resp.status().is_redirection()
                && let Some(location) = header(&resp, "location")
            {
                let next = resolve_location(&uri, &location);
                let next_uri: Option<Uri> = next.parse().ok();
                let same_origin = next_uri.as_ref().is_some_and(|n| {
                    n.scheme_str() == uri.scheme_str()
                        && n.authority().map(|a| a.as_str().to_ascii_lowercase())
                            == Some(authority.to_ascii_lowercase())
                });
                if !same_origin {
                    auth = None;
                }
                current = next;
                continue;
            }
            return Ok(resp);
        }
        Err(Attempt::Fatal(Error::Transport {
            url: url.to_owned(),
            reason: format!("more than {MAX_REDIRECTS} redirects"),
        }))
    }
}

/// Notes on a transient error that the retries ran out.
fn gave_up(err: Error, retries: u32) -> Error {
    match err {
        Error::Transport { url, reason } if retries > 0 => Error::Transport {
            url,
            reason: format!("{reason} (gave up after {retries} retries)"),
        },
        other => other,
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

/// A token service's answer: Docker's `token` or OAuth2's `access_token`.
#[derive(serde::Deserialize)]
struct TokenAnswer {
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    access_token: Option<String>,
}

/// The distribution spec's error body.
#[derive(serde::Deserialize)]
struct Errors {
    errors: Vec<ErrorEntry>,
}

#[derive(serde::Deserialize)]
struct ErrorEntry {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
}

fn header(resp: &Response<Body>, name: &str) -> Option<String> {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn content_length(resp: &Response<Body>) -> Option<u64> {
    header(resp, "content-length").and_then(|v| v.trim().parse().ok())
}

fn is_transient_status(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS
        || (status.is_server_error()
            && status != StatusCode::NOT_IMPLEMENTED
            && status != StatusCode::HTTP_VERSION_NOT_SUPPORTED)
}

/// `Retry-After` in seconds (the HTTP-date form falls back to the backoff).
fn retry_after(resp: &Response<Body>) -> Option<Duration> {
    header(resp, "retry-after")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

/// The registry's `{"errors":[{"code","message"}]}` as `CODE: message; …`, else the
/// start of the body.
fn error_detail(resp: Response<Body>) -> String {
    let mut body = Vec::new();
    let _ = resp
        .into_body()
        .into_reader()
        .take(MAX_ERROR_BODY)
        .read_to_end(&mut body);
    if let Ok(parsed) = serde_json::from_slice::<Errors>(&body)
        && !parsed.errors.is_empty()
    {
        return parsed
            .errors
            .iter()
            .map(|e| format!("{}: {}", e.code, e.message))
            .collect::<Vec<_>>()
            .join("; ");
    }
    let text = String::from_utf8_lossy(&body);
    let text = text.trim();
    text.chars().take(200).collect()
}

fn detail_suffix(detail: &str) -> String {
    if detail.is_empty() {
        String::new()
    } else {
        format!(" ({detail})")
    }
}

fn classify(url: &str, authority: &str, err: ureq::Error) -> Attempt {
    let transport = |reason: String| Error::Transport {
        url: url.to_owned(),
        reason,
    };
    let tls_hint = |e: &rustls::Error| -> String {
        let text = e.to_string();
        let hint = match e {
            rustls::Error::InvalidCertificate(_) => {
                format!(
                    "; if {authority} uses a private CA, pass that CA's certificate as a CA file (--ca-file PATH)"
                )
            }
            rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. } => {
                format!(
                    "; if {authority} speaks plain HTTP, allow it as an insecure registry (--insecure-registry {authority})"
                )
            }
            _ => String::new(),
        };
        format!("TLS error: {text}{hint}")
    };
    match err {
        ureq::Error::Rustls(e) => Attempt::Fatal(transport(tls_hint(&e))),
        ureq::Error::Io(e) => {
            if let Some(tls) = e
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
            {
                return Attempt::Fatal(transport(tls_hint(tls)));
            }
            Attempt::Transient(transport(e.to_string()))
        }
        e @ (ureq::Error::Timeout(_)
        | ureq::Error::ConnectionFailed
        | ureq::Error::HostNotFound
        | ureq::Error::BodyStalled) => Attempt::Transient(transport(e.to_string())),
        e => Attempt::Fatal(transport(e.to_string())),
    }
}

fn host_of(authority: &str) -> &str {
    if authority.starts_with('[') {
        return authority
            .split_once(']')
            .map_or(authority, |(h, _)| h)
            .trim_start_matches('[');
    }
    authority.split(':').next().unwrap_or(authority)
}

/// Resolves a `Location` header against the URL it answered.
fn resolve_location(base: &Uri, location: &str) -> String {
    let location = location.trim();
    if location.starts_with("http://") || location.starts_with("https://") {
        return location.to_owned();
    }
    let scheme = base.scheme_str().unwrap_or("https");
    let authority = base.authority().map_or("", |a| a.as_str());
    if let Some(rest) = location.strip_prefix("//") {
        return format!("{scheme}://{rest}");
    }
    if location.starts_with('/') {
        return format!("{scheme}://{authority}{location}");
    }
    let path = base.path();
    let dir = &path[..path.rfind('/').map_or(0, |i| i + 1)];
    format!("{scheme}://{authority}{dir}{location}")
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_resolve_against_the_request() {
        let base: Uri = "https://reg.example:5000/v2/a/blobs/sha256:x".parse().unwrap();
        assert_eq!(
            resolve_location(&base, "https://s3.example/obj?sig=1"),
            "https://s3.example/obj?sig=1"
        );
        assert_eq!(
            resolve_location(&base, "//cdn.example/o"),
            "https://cdn.example/o"
        );
        assert_eq!(
            resolve_location(&base, "/other"),
            "https://reg.example:5000/other"
        );
        assert_eq!(
            resolve_location(&base, "rel"),
            "https://reg.example:5000/v2/a/blobs/rel"
        );
    }

    #[test]
    fn insecure_hosts_match_with_or_without_port() {
        let client = Client::new(Options {
            insecure_registries: vec!["127.0.0.1".into(), "reg.local:5000".into(), "http://[::1]".into()],
            ..Options::default()
        })
        .unwrap();
        assert!(client.is_insecure("127.0.0.1:8080"));
        assert!(client.is_insecure("reg.local:5000"));
        assert!(!client.is_insecure("reg.local:5001"));
        assert!(!client.is_insecure("reg.local"));
        assert!(client.is_insecure("[::1]:5000"));
        assert!(!client.is_insecure("127.0.0.2:80"));
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let client = Client::new(Options {
            retry_base_delay: Duration::from_millis(100),
            max_retry_delay: Duration::from_millis(350),
            ..Options::default()
        })
        .unwrap();
        assert_eq!(client.backoff(0), Duration::from_millis(100));
        assert_eq!(client.backoff(1), Duration::from_millis(200));
        assert_eq!(client.backoff(2), Duration::from_millis(350));
        assert_eq!(client.backoff(40), Duration::from_millis(350));
    }

    #[test]
    fn client_is_shared_between_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Client>();
    }

    #[test]
    fn scope_is_percent_encoded() {
        assert_eq!(percent_encode("repository:a/b:pull"), "repository%3Aa%2Fb%3Apull");
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
