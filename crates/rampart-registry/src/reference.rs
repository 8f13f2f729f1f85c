//! Image references: `[registry[:port]/]repository[:tag][@digest]`, normalised the way
//! Docker does (`nginx` is `docker.io/library/nginx:latest`).

use std::fmt;
use std::str::FromStr;

use crate::{Digest, Error};

/// The registry name images without a registry part belong to.
pub const DOCKER_HUB: &str = "docker.io";
/// The host that serves Docker Hub's registry API.
pub const DOCKER_HUB_API_HOST: &str = "registry-1.docker.io";
const DOCKER_HUB_ALIASES: [&str; 3] = ["docker.io", "index.docker.io", "registry-1.docker.io"];
const MAX_NAME_LEN: usize = 255;
const MAX_TAG_LEN: usize = 128;

/// A parsed, normalised image reference.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reference {
    registry: String,
    repository: String,
    tag: Option<String>,
    digest: Option<Digest>,
}

impl Reference {
    /// Parses a reference. Without a registry part the image is on Docker Hub, and a
    /// one-part Docker Hub name is in `library/`; `docker.io`, `index.docker.io` and
    /// `registry-1.docker.io` all mean Docker Hub. Without tag or digest the tag is
    /// `latest`. With both, the digest is what is pulled.
    pub fn parse(input: &str) -> Result<Self, Error> {
        let bad = |reason: &str| Error::InvalidReference {
            input: input.to_owned(),
            reason: reason.to_owned(),
        };
        if input.is_empty() {
            return Err(bad("empty reference"));
        }
        if input.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad("references contain no whitespace"));
        }
        let (name_and_tag, digest) = match input.split_once('@') {
            Some((n, d)) => {
                let digest = Digest::parse(d).map_err(|e| bad(&e.to_string()))?;
                (n, Some(digest))
            }
            None => (input, None),
        };
        let last_slash = name_and_tag.rfind('/');
        let (name, tag) = match name_and_tag.rfind(':') {
            Some(colon) if last_slash.is_none_or(|s| colon > s) => {
                (&name_and_tag[..colon], Some(name_and_tag[colon + 1..].to_owned()))
            }
            _ => (name_and_tag, None),
        };
        if let Some(tag) = &tag {
            validate_tag(tag).map_err(|r| bad(&r))?;
        }
        let (registry, path) = match name.split_once('/') {
            Some((first, rest)) if first.contains('.') || first.contains(':') || first == "localhost" => {
                (first, rest)
            }
            _ => (DOCKER_HUB, name),
        };
        validate_registry(registry).map_err(|r| bad(&r))?;
        let registry = if DOCKER_HUB_ALIASES.contains(&registry.to_ascii_lowercase().as_str()) {
            DOCKER_HUB.to_owned()
        } else {
            registry.to_owned()
        };
        if path.is_empty() {
            return Err(bad("the repository name is empty"));
        }
        for component in path.split('/') {
            validate_component(component).map_err(|r| bad(&r))?;
        }
        let repository = if registry == DOCKER_HUB && !path.contains('/') {
            format!("library/{path}")
        } else {
            path.to_owned()
        };
        if registry.len() + 1 + repository.len() > MAX_NAME_LEN {
            return Err(bad(&format!("the name is longer than {MAX_NAME_LEN} characters")));
        }
        let tag = if tag.is_none() && digest.is_none() {
            Some("latest".to_owned())
        } else {
            tag
        };
        Ok(Reference {
            registry,
            repository,
            tag,
            digest,
        })
    }

    /// The registry as named in references and Docker config files, e.g. `docker.io`,
    /// `ghcr.io`, `127.0.0.1:5000`.
    pub fn registry(&self) -> &str {
        &self.registry
    }

    /// The host (with port) that serves the registry API: `registry-1.docker.io` for
    /// Docker Hub, otherwise [`Reference::registry`].
    pub fn api_host(&self) -> &str {
        if self.registry == DOCKER_HUB {
            DOCKER_HUB_API_HOST
        } else {
            &self.registry
        }
    }

    /// The repository path, e.g. `library/nginx`.
    pub fn repository(&self) -> &str {
        &self.repository
    }

    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    pub fn digest(&self) -> Option<&Digest> {
        self.digest.as_ref()
    }

    /// What the manifest is fetched by: the digest when there is one, else the tag.
    pub fn manifest_reference(&self) -> String {
        match (&self.digest, &self.tag) {
            (Some(d), _) => d.to_string(),
            (None, Some(t)) => t.clone(),
            (None, None) => "latest".to_owned(),
        }
    }

    /// `registry/repository`, e.g. `docker.io/library/nginx`.
    pub fn name(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

impl FromStr for Reference {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Reference::parse(s)
    }
}

fn validate_tag(tag: &str) -> Result<(), String> {
    let mut chars = tag.chars();
    let ok_first = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    let ok_rest = chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if !ok_first || !ok_rest || tag.len() > MAX_TAG_LEN {
        return Err(format!(
            "invalid tag {tag:?}: a tag is 1 to {MAX_TAG_LEN} of [A-Za-z0-9_.-], not starting with '.' or '-'"
        ));
    }
    Ok(())
}

fn validate_registry(registry: &str) -> Result<(), String> {
    let (host, port) =
        if let Some(rest) = registry.strip_prefix('[') {
            // [ipv6]:port
            let (inside, after) = rest
                .split_once(']')
                .ok_or_else(|| format!("invalid registry {registry:?}: unclosed '['"))?;
            if !inside.chars().all(|c| c.is_ascii_hexdigit() || c == ':') {
                return Err(format!("invalid registry {registry:?}: bad IPv6 address"));
            }
            match after {
                "" => return Ok(()),
                p => (
                    "ipv6",
                    Some(p.strip_prefix(':').ok_or_else(|| {
                        format!("invalid registry {registry:?}: expected ':port' after ']'")
                    })?),
                ),
            }
        } else {
            match registry.split_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (registry, None),
            }
        };
    let host_ok = !host.is_empty()
        && host.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    if !host_ok {
        return Err(format!("invalid registry host {host:?}"));
    }
    if let Some(port) = port
        && port.parse::<u16>().is_err()
    {
        return Err(format!("invalid registry port {port:?}"));
    }
    Ok(())
}

/// A path component: `[a-z0-9]+` runs joined by `.`, `_`, `__` or runs of `-`.
fn validate_component(component: &str) -> Result<(), String> {
    let bad = |why: &str| Err(format!("invalid repository component {component:?}: {why}"));
    if component.is_empty() {
        return bad("empty (two slashes in a row, or a trailing slash)");
    }
    if component.chars().any(|c| c.is_ascii_uppercase()) {
        return bad("repository names must be lowercase");
    }
    let bytes = component.as_bytes();
    let is_alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if !is_alnum(bytes[0]) || !is_alnum(bytes[bytes.len() - 1]) {
        return bad("must start and end with a lowercase letter or digit");
    }
    let mut i = 0;
    while i < bytes.len() {
        if is_alnum(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !is_alnum(bytes[i]) {
            i += 1;
        }
        let sep = &component[start..i];
        let ok = sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|b| b == b'-');
        if !ok {
            return bad(&format!("the separator {sep:?} is not allowed"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(s: &str) -> String {
        Reference::parse(s).unwrap().to_string()
    }

    #[test]
    fn docker_hub_names_are_normalised() {
        assert_eq!(show("nginx"), "docker.io/library/nginx:latest");
        assert_eq!(show("nginx:1.25"), "docker.io/library/nginx:1.25");
        assert_eq!(show("bitnami/redis"), "docker.io/bitnami/redis:latest");
        assert_eq!(show("docker.io/nginx"), "docker.io/library/nginx:latest");
        assert_eq!(show("index.docker.io/nginx"), "docker.io/library/nginx:latest");
        assert_eq!(
            show("registry-1.docker.io/library/nginx:1"),
            "docker.io/library/nginx:1"
        );
        let r = Reference::parse("nginx").unwrap();
        assert_eq!(r.api_host(), "registry-1.docker.io");
        assert_eq!(r.registry(), "docker.io");
        assert_eq!(r.repository(), "library/nginx");
    }

    #[test]
    fn registries_ports_and_digests() {
        let d = format!("sha256:{}", "a".repeat(64));
        let r = Reference::parse(&format!("127.0.0.1:5000/team/app@{d}")).unwrap();
        assert_eq!(r.registry(), "127.0.0.1:5000");
        assert_eq!(r.api_host(), "127.0.0.1:5000");
        assert_eq!(r.repository(), "team/app");
        assert_eq!(r.tag(), None);
        assert_eq!(r.manifest_reference(), d);
        let r = Reference::parse(&format!("localhost/app:v1@{d}")).unwrap();
        assert_eq!(r.registry(), "localhost");
        assert_eq!(r.tag(), Some("v1"));
        assert_eq!(r.manifest_reference(), d);
        assert_eq!(show("ghcr.io/owner/image:tag"), "ghcr.io/owner/image:tag");
        assert_eq!(show("[::1]:5000/app"), "[::1]:5000/app:latest");
    }

    /// Random strings over the characters references are made of: parsing never panics,
    /// and what parses prints as a reference that parses to the same thing.
    #[test]
    fn parse_never_panics_and_display_round_trips() {
        const ALPHABET: &[u8] = b"aZ09._-/:@[]sha256:abcdef1";
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let digest = format!("sha256:{}", "ab".repeat(32));
        let mut parsed = 0;
        for _ in 0..20_000 {
            let len = (next() % 24) as usize;
            let mut input: String = (0..len)
                .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize] as char)
                .collect();
            if next() % 4 == 0 {
                input.push('@');
                input.push_str(&digest);
            }
            if let Ok(r) = Reference::parse(&input) {
                parsed += 1;
                let again = Reference::parse(&r.to_string()).unwrap();
                assert_eq!(again, r, "{input:?}");
            }
        }
        assert!(parsed > 100, "only {parsed} inputs parsed");
    }

    #[test]
    fn bad_references_say_why() {
        for (input, why) in [
            ("", "empty"),
            ("Nginx", "lowercase"),
            ("nginx:", "invalid tag"),
            ("nginx:-x", "invalid tag"),
            ("a//b", "empty"),
            ("nginx@sha256:abc", "hex digits"),
            ("example.com:x/app", "port"),
            ("a--/b", "start and end"),
            ("a/b!c", "separator"),
            ("nginx latest", "whitespace"),
        ] {
            let err = Reference::parse(input).unwrap_err().to_string();
            assert!(err.contains(why), "{input:?}: {err}");
        }
    }
}
