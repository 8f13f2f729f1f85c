//! Credentials (given, or read from a Docker `config.json`) and `WWW-Authenticate`
//! challenges.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::Error;
use crate::reference::{DOCKER_HUB, DOCKER_HUB_API_HOST};

/// A user name and password (or token used as a password).
#[derive(Clone, PartialEq, Eq)]
pub struct BasicCredentials {
    pub username: String,
    pub password: String,
}

impl fmt::Debug for BasicCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BasicCredentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

impl BasicCredentials {
    pub(crate) fn header_value(&self) -> String {
        let raw = format!("{}:{}", self.username, self.password);
        format!("Basic {}", STANDARD.encode(raw))
    }
}

/// Where credentials come from.
#[derive(Debug, Clone, Default)]
pub enum CredentialSource {
    /// Anonymous pulls only.
    #[default]
    Anonymous,
    /// These credentials, for every registry this client talks to.
    Basic(BasicCredentials),
    /// The `config.json` in this directory (as `DOCKER_CONFIG` names it). A missing file
    /// means anonymous pulls.
    DockerConfigDir(PathBuf),
}

impl CredentialSource {
    /// The Docker config directory of this environment: `$DOCKER_CONFIG`, else
    /// `$HOME/.docker`; anonymous when neither is set.
    pub fn docker_config_from_env() -> Self {
        docker_config_dir(|k| std::env::var_os(k)).map_or(CredentialSource::Anonymous, |d| {
            CredentialSource::DockerConfigDir(d)
        })
    }

    /// Credentials for `registry` (as written in references, e.g. `docker.io`,
    /// `127.0.0.1:5000`), or `None` for anonymous access.
    pub(crate) fn lookup(&self, registry: &str) -> Result<Option<BasicCredentials>, Error> {
        match self {
            CredentialSource::Anonymous => Ok(None),
            CredentialSource::Basic(c) => Ok(Some(c.clone())),
            CredentialSource::DockerConfigDir(dir) => {
                let path = dir.join("config.json");
                match std::fs::read(&path) {
                    Ok(bytes) => lookup_docker_config(&path, &bytes, registry),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                    Err(e) => Err(Error::io(path, e)),
                }
            }
        }
    }
}

impl CredentialSource {
    /// For an error saying no credentials were found: where they were looked for, and
    /// why a credential store there did not help. Empty for other sources.
    pub(crate) fn where_looked(&self, registry: &str) -> String {
        let CredentialSource::DockerConfigDir(dir) = self else {
            return String::new();
        };
        let path = dir.join("config.json");
        let Ok(bytes) = std::fs::read(&path) else {
            return format!("; {} does not exist", path.display());
        };
        let store = serde_json::from_slice::<DockerConfigFile>(&bytes)
            .ok()
            .and_then(|c| c.creds_store);
        match store {
            Some(store) => format!(
                "; {} has no \"auths\" entry for {registry}, and its credential store {store:?} is not supported",
                path.display()
            ),
            None => format!("; {} has no \"auths\" entry for {registry}", path.display()),
        }
    }
}

/// `$DOCKER_CONFIG`, else `$HOME/.docker`.
pub(crate) fn docker_config_dir(env: impl Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    if let Some(dir) = env("DOCKER_CONFIG").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    env("HOME")
        .filter(|h| !h.is_empty())
        .map(|h| Path::new(&h).join(".docker"))
}

#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct DockerConfigFile {
    #[serde(default)]
    auths: BTreeMap<String, AuthEntry>,
    #[serde(default)]
    creds_store: Option<String>,
    #[serde(default)]
    cred_helpers: BTreeMap<String, String>,
}

#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct AuthEntry {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    identitytoken: Option<String>,
}

/// The registry a config key names: no scheme, no path, Docker Hub's aliases folded
/// (`https://index.docker.io/v1/` is `docker.io`).
fn normalise_config_key(key: &str) -> String {
    let rest = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    let host = rest.split('/').next().unwrap_or(rest).to_ascii_lowercase();
    match host.as_str() {
        "index.docker.io" | DOCKER_HUB_API_HOST | DOCKER_HUB => DOCKER_HUB.to_owned(),
        _ => host,
    }
}

fn lookup_docker_config(
    path: &Path,
    bytes: &[u8],
    registry: &str,
) -> Result<Option<BasicCredentials>, Error> {
    let bad = |reason: String| Error::DockerConfig {
        path: path.to_owned(),
        reason,
    };
    let config: DockerConfigFile = serde_json::from_slice(bytes).map_err(|e| {
        bad(format!(
            "not a Docker config file: {e} (line {}, column {})",
            e.line(),
            e.column()
        ))
    })?;
    let wanted = normalise_config_key(registry);
    if let Some(helper) = config
        .cred_helpers
        .iter()
        .find(|(k, _)| normalise_config_key(k) == wanted)
        .map(|(_, v)| v)
    {
        return Err(Error::CredentialHelper {
            path: path.to_owned(),
            registry: registry.to_owned(),
            helper: helper.clone(),
            key: "credHelpers",
        });
    }
    let entry = config
        .auths
        .iter()
        .find(|(k, _)| normalise_config_key(k) == wanted)
        .map(|(k, e)| (k.clone(), e));
    let Some((key, entry)) = entry else {
        return Ok(None);
    };
    if let Some(auth) = entry.auth.as_deref().filter(|a| !a.is_empty()) {
        let decoded = STANDARD
            .decode(auth.trim())
            .map_err(|e| bad(format!("auths[{key:?}].auth is not base64: {e}")))?;
        let text = String::from_utf8(decoded)
            .map_err(|_| bad(format!("auths[{key:?}].auth is not UTF-8 once decoded")))?;
        let (username, password) = text.split_once(':').ok_or_else(|| {
            bad(format!(
                "auths[{key:?}].auth does not decode to username:password"
            ))
        })?;
        return Ok(Some(BasicCredentials {
            username: username.to_owned(),
            password: password.to_owned(),
        }));
    }
    if let (Some(username), Some(password)) = (&entry.username, &entry.password) {
        return Ok(Some(BasicCredentials {
            username: username.clone(),
            password: password.clone(),
        }));
    }
    if entry.identitytoken.is_some() {
        return Err(bad(format!(
            "auths[{key:?}] holds an identity token, which is not supported; log in with a username and password"
        )));
    }
    if let Some(store) = config.creds_store {
        return Err(Error::CredentialHelper {
            path: path.to_owned(),
            registry: registry.to_owned(),
            helper: store,
            key: "credsStore",
        });
    }
    Err(bad(format!(
        "auths[{key:?}] has neither \"auth\" nor \"username\" and \"password\""
    )))
}

/// One `WWW-Authenticate` challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Challenge {
    Bearer {
        realm: String,
        service: Option<String>,
        scope: Option<String>,
    },
    Basic,
}

/// Parses the challenges of one or more `WWW-Authenticate` header values; unknown schemes
/// are skipped. Bearer comes first in the result when both are offered.
pub(crate) fn parse_challenges<'a>(values: impl Iterator<Item = &'a str>) -> Vec<Challenge> {
    let mut out = Vec::new();
    for value in values {
        let value = value.trim();
        let (scheme, params) = value.split_once(' ').unwrap_or((value, ""));
        let params = parse_params(params);
        match scheme.to_ascii_lowercase().as_str() {
            "bearer" => {
                if let Some(realm) = params.get("realm") {
                    out.push(Challenge::Bearer {
                        realm: realm.clone(),
                        service: params.get("service").cloned(),
                        scope: params.get("scope").cloned(),
                    });
                }
            }
            "basic" => out.push(Challenge::Basic),
            _ => {}
        }
    }
    out.sort_by_key(|c| matches!(c, Challenge::Basic));
    out
}

/// `key="quoted, value",key2=token` into a map with lowercase keys.
fn parse_params(input: &str) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    let mut chars = input.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ',' || c.is_whitespace()) {
            chars.next();
        }
        let key: String = chars.by_ref().take_while(|c| *c != '=').collect();
        if key.is_empty() {
            break;
        }
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => {
                        if let Some(n) = chars.next() {
                            value.push(n);
                        }
                    }
                    '"' => break,
                    c => value.push(c),
                }
            }
        } else {
            while let Some(c) = chars.peek().copied() {
                if c == ',' {
                    break;
                }
                value.push(c);
                chars.next();
            }
            let trimmed = value.trim().to_owned();
            value = trimmed;
        }
        map.insert(key.trim().to_ascii_lowercase(), value);
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(json: &str, registry: &str) -> Result<Option<BasicCredentials>, Error> {
        lookup_docker_config(Path::new("cfg/config.json"), json.as_bytes(), registry)
    }

    #[test]
    fn auth_entries_decode_and_keys_normalise() {
        let json = r#"{"auths":{
            "https://index.docker.io/v1/":{"auth":"dXNlcjpwYTpzcw=="},
            "http://127.0.0.1:5000/v2/":{"username":"u2","password":"p2"}}}"#;
        let hub = lookup(json, "docker.io").unwrap().unwrap();
        assert_eq!((hub.username.as_str(), hub.password.as_str()), ("user", "pa:ss"));
        let local = lookup(json, "127.0.0.1:5000").unwrap().unwrap();
        assert_eq!(local.username, "u2");
        assert!(lookup(json, "ghcr.io").unwrap().is_none());
        assert!(!format!("{hub:?}").contains("pa:ss"));
    }

    #[test]
    fn helpers_and_broken_entries_are_clear_errors() {
        let err = lookup(r#"{"credHelpers":{"ghcr.io":"gh"}}"#, "ghcr.io")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("credential helper \"gh\"") && err.contains("cfg/config.json"),
            "{err}"
        );
        let err = lookup(r#"{"auths":{"ghcr.io":{}},"credsStore":"desktop"}"#, "ghcr.io")
            .unwrap_err()
            .to_string();
        assert!(err.contains("\"desktop\"") && err.contains("credsStore"), "{err}");
        // A store with no entry for this registry: anonymous.
        assert!(
            lookup(r#"{"credsStore":"desktop"}"#, "ghcr.io")
                .unwrap()
                .is_none()
        );
        let err = lookup(r#"{"auths":{"ghcr.io":{"auth":"!!"}}}"#, "ghcr.io")
            .unwrap_err()
            .to_string();
        assert!(err.contains("not base64"), "{err}");
        let err = lookup("{\n  \"auths\": [", "ghcr.io").unwrap_err().to_string();
        assert!(err.contains("cfg/config.json") && err.contains("line 2"), "{err}");
    }

    #[test]
    fn missing_credentials_say_where_they_were_looked_for() {
        let dir = tempfile::tempdir().unwrap();
        let source = CredentialSource::DockerConfigDir(dir.path().to_owned());
        assert!(source.where_looked("ghcr.io").contains("does not exist"));
        std::fs::write(dir.path().join("config.json"), r#"{"credsStore":"osxkeychain"}"#).unwrap();
        let note = source.where_looked("ghcr.io");
        assert!(
            note.contains("no \"auths\" entry for ghcr.io")
                && note.contains("\"osxkeychain\" is not supported"),
            "{note}"
        );
        assert_eq!(CredentialSource::Anonymous.where_looked("ghcr.io"), "");
    }

    #[test]
    fn config_dir_comes_from_docker_config_then_home() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| OsString::from(v))
            }
        };
        assert_eq!(
            docker_config_dir(env(&[("DOCKER_CONFIG", "/d"), ("HOME", "/h")])),
            Some(PathBuf::from("/d"))
        );
        assert_eq!(
            docker_config_dir(env(&[("HOME", "/h")])),
            Some(PathBuf::from("/h/.docker"))
        );
        assert_eq!(docker_config_dir(env(&[])), None);
    }

    #[test]
    fn challenges_parse_with_quotes_and_order() {
        let got = parse_challenges(
            [
                "Basic realm=\"Registry\"",
                "Bearer realm=\"https://auth.example/token\",service=\"reg.example\",scope=\"repository:a/b:pull,push\"",
            ]
            .into_iter(),
        );
        assert_eq!(
            got,
            vec![
                Challenge::Bearer {
                    realm: "https://auth.example/token".into(),
                    service: Some("reg.example".into()),
                    scope: Some("repository:a/b:pull,push".into()),
                },
                Challenge::Basic
            ]
        );
        assert!(parse_challenges(["Negotiate abc"].into_iter()).is_empty());
    }
}
