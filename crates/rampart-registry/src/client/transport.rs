//! HTTP to registries: retries with backoff, redirects (credentials never follow to
//! another host), the plain-HTTP rule, and answers to authentication challenges.

use std::fmt::Write as _;
use std::io::Read;
use std::sync::PoisonError;
use std::time::Duration;

use ureq::Body;
use ureq::http::{Response, StatusCode, Uri};

use super::{Attempt, Client, Repo};
use crate::Error;
use crate::auth::{BasicCredentials, Challenge, parse_challenges};

const MAX_TOKEN_RESPONSE: u64 = 1024 * 1024;
const MAX_ERROR_BODY: u64 = 64 * 1024;
const MAX_REDIRECTS: usize = 5;

impl Client {
    pub(super) fn is_insecure(&self, authority: &str) -> bool {
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

    /// Runs `f` again (after a wait) while it fails transiently, up to the retry count.
    pub(super) fn with_read_retries<T>(&self, mut f: impl FnMut() -> Result<T, Attempt>) -> Result<T, Error> {
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

    pub(super) fn backoff(&self, attempt: u32) -> Duration {
        let factor = 1u32.checked_shl(attempt.min(16)).unwrap_or(u32::MAX);
        self.options
            .retry_base_delay
            .saturating_mul(factor)
            .min(self.options.max_retry_delay)
    }

    /// A GET to the registry with authentication: on a 401 the challenge is answered once
    /// (token or basic) and the request repeated. Statuses other than 2xx become errors.
    pub(super) fn get(
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
                            "the registry requires credentials for {} and none are configured{}{}",
                            repo.reference.repository(),
                            self.options.credentials.where_looked(repo.reference.registry()),
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
    pub(super) fn answer_challenge(
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
                        "the registry requires a username and password for {} and none are configured{}",
                        repo.reference.repository(),
                        self.options.credentials.where_looked(repo.reference.registry()),
                    ),
                })),
            },
            None => Err(Attempt::Fatal(Error::Unauthorized {
                registry,
                reason: "the registry answered 401 without a Bearer or Basic challenge".to_owned(),
            })),
        }
    }

    pub(super) fn fetch_token(
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
                    "the token service {realm} refused anonymous access to {}; credentials are needed{}{}",
                    repo.reference.repository(),
                    self.options.credentials.where_looked(repo.reference.registry()),
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
    pub(super) fn exchange(
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

    pub(super) fn exchange_once(
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

pub(super) fn header(resp: &Response<Body>, name: &str) -> Option<String> {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

pub(super) fn content_length(resp: &Response<Body>) -> Option<u64> {
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
    use crate::Options;

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
    fn scope_is_percent_encoded() {
        assert_eq!(percent_encode("repository:a/b:pull"), "repository%3Aa%2Fb%3Apull");
    }
}
