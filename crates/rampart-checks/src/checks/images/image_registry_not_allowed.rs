use rampart_model::{Node, Object};

use crate::util::{for_each_container, glob_match, label};
use crate::{Category, Check, CheckMeta, Ctx, Emitter, ParamDefault, ParamSpec, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "image-registry-not-allowed",
        title: "Container image comes from a registry that is not allowed",
        severity: Severity::Medium,
        category: Category::SupplyChain,
        enabled_by_default: false,
        finds: "Containers (including init and ephemeral containers) whose `image` does not \
                match any entry of `allowed-registries`. Image references are resolved the way \
                container runtimes resolve them: the first path component is the registry only \
                when it contains a `.` or a `:` or is `localhost` (`registry.example.com:5000/app`, \
                `localhost/app`), otherwise the image is on Docker Hub (`docker.io`), and a \
                single-component Docker Hub name gets the implied `library/` \
                (`nginx` is `docker.io/library/nginx`); `index.docker.io` is `docker.io`; tags and \
                digests are ignored. An entry without `/` is a glob (`*`, `?`) for the registry \
                host (`registry.example.com`, `*.dkr.ecr.*.amazonaws.com`, `docker.io`); an entry \
                with `/` names repositories: a glob when it contains `*` or `?` \
                (`docker.io/myorg/*`), else that repository and everything under it \
                (`ghcr.io/myorg` allows `ghcr.io/myorg/api`). Matching ignores case. The list is an \
                allow-list, so an empty list (the default) allows nothing and every image is \
                reported: the check is off by default and meant to be enabled together with the \
                list. A missing or empty `image` is left to schema validation.",
        why: "Whoever controls the registry an image comes from controls the code that runs in \
              the cluster. Public registries host typosquatted and backdoored images, public \
              repositories get hijacked or deleted, and a reference to an unexpected registry \
              bypasses the scanning, signing and mirroring your own registry enforces. Limiting \
              images to registries you operate or trust keeps that supply chain reviewable.",
        remediation: "Mirror or rebuild the image into a registry you trust and reference it \
                      there, or add the registry to `allowed-registries` after reviewing it. \
                      Enforce the same list at admission time (a ValidatingAdmissionPolicy, \
                      Kyverno or Gatekeeper) so that nothing else reaches the cluster.",
        example: "# .rampart.yaml\nchecks:\n  image-registry-not-allowed:\n    enabled: true\n    params:\n      allowed-registries:\n        - registry.example.com\n        - \"*.dkr.ecr.eu-west-1.amazonaws.com\"\n        - docker.io/myorg/*\n",
        references: &[
            "https://kubernetes.io/docs/concepts/containers/images/#image-names",
            "https://kubernetes.io/docs/concepts/security/security-checklist/#images",
        ],
        controls: &[
            "mitre-attack-containers:T1204.003",
            "nist-800-190:4.1.5",
            "nist-800-53-r5:CM-7(5)",
            "nsa-cisa-1.2:pod-security.trusted-registries",
            "soc2:CC6.8",
        ],
        equivalents: &["trivy:KSV0125", "kubescape:C-0078"],
        params: &[ParamSpec {
            name: "allowed-registries",
            description: "Registries (globs for the host, such as `registry.example.com` or \
                          `*.azurecr.io`) and repositories (`docker.io/myorg/*`, \
                          `ghcr.io/myorg`) images may come from. Empty allows nothing.",
            default: ParamDefault::Strings(&[]),
        }],
        ..CheckMeta::DEFAULT
    },
    run,
};

/// An image reference split the way container runtimes resolve it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ImageRef<'a> {
    /// The registry host with its port, lower-cased; `docker.io` for Docker Hub.
    pub registry: String,
    /// The repository path inside the registry (`library/nginx`, `team/app`).
    pub repository: String,
    /// The tag, when one is written.
    pub tag: Option<&'a str>,
    /// The digest (`sha256:...`), when one is written.
    pub digest: Option<&'a str>,
}

impl ImageRef<'_> {
    /// The last component of the repository path (`dashboard` for `kubernetesui/dashboard`).
    pub fn name(&self) -> &str {
        self.repository
            .rsplit_once('/')
            .map_or(self.repository.as_str(), |(_, n)| n)
    }
}

/// Parses an image reference (`[host[:port]/]path[:tag][@digest]`). None for an empty or
/// malformed reference.
pub(crate) fn parse_image(image: &str) -> Option<ImageRef<'_>> {
    let image = image.trim();
    let (name, digest) = match image.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (image, None),
    };
    // A `:` after the last `/` starts the tag; one before it belongs to the host's port.
    let last = name.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match name[last..].rfind(':') {
        Some(i) => (&name[..last + i], Some(&name[last + i + 1..])),
        None => (name, None),
    };
    let (registry, path) = match name.split_once('/') {
        Some((first, rest))
            if first.contains(['.', ':'])
                || first == "localhost"
                || first.chars().any(|c| c.is_ascii_uppercase()) =>
        {
            (first.to_ascii_lowercase(), rest)
        }
        _ => ("docker.io".to_string(), name),
    };
    if path.is_empty() || path.starts_with('/') || path.ends_with('/') {
        return None;
    }
    let registry = if registry == "index.docker.io" {
        "docker.io".to_string()
    } else {
        registry
    };
    let repository = if registry == "docker.io" && !path.contains('/') {
        format!("library/{path}")
    } else {
        path.to_string()
    };
    Some(ImageRef {
        registry,
        repository,
        tag,
        digest,
    })
}

/// Whether an `allowed-registries` entry allows the image.
fn entry_allows(entry: &str, image: &ImageRef<'_>) -> bool {
    let entry = entry.trim().to_ascii_lowercase();
    let is_glob = entry.contains(['*', '?']);
    let Some((host, rest)) = entry.split_once('/') else {
        let host = if entry == "index.docker.io" {
            "docker.io"
        } else {
            entry.as_str()
        };
        return glob_match(host, &image.registry);
    };
    let host = if host == "index.docker.io" {
        "docker.io"
    } else {
        host
    };
    let rest = rest.trim_end_matches('/');
    let rest = if host == "docker.io" && !rest.contains('/') && !is_glob && !rest.is_empty() {
        format!("library/{rest}")
    } else {
        rest.to_string()
    };
    let full = format!("{}/{}", image.registry, image.repository.to_ascii_lowercase());
    let pattern = format!("{host}/{rest}");
    if is_glob {
        glob_match(&pattern, &full)
    } else {
        full == pattern
            || full
                .strip_prefix(pattern.as_str())
                .is_some_and(|r| r.starts_with('/'))
    }
}

fn run(ctx: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    let allowed = ctx.params.strings("allowed-registries");
    for_each_container(obj, |c| {
        let Some(text) = c.node.get("image").and_then(Node::scalar_text).map(str::trim) else {
            return;
        };
        let Some(image) = parse_image(text) else { return };
        if allowed.iter().any(|e| entry_allows(e, &image)) {
            return;
        }
        let hint = if allowed.is_empty() {
            "allowed-registries is empty, so no registry is allowed: list the registries you trust"
        } else {
            "which is not in allowed-registries"
        };
        out.container(
            c,
            "image",
            format!(
                "{} uses image \"{text}\" from registry \"{}\" ({}), {hint}",
                label(c),
                image.registry,
                image.repository
            ),
        );
    });
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use rampart_model::{Limits, Source, parse_source};

    use super::{entry_allows, parse_image};
    use crate::{Enabled, ParamValue, Params, run};

    fn parts(image: &str) -> Option<(String, String, Option<&str>, Option<&str>)> {
        parse_image(image).map(|r| (r.registry, r.repository, r.tag, r.digest))
    }

    fn s(v: &str) -> String {
        v.to_string()
    }

    #[test]
    fn references() {
        assert_eq!(
            parts("nginx"),
            Some((s("docker.io"), s("library/nginx"), None, None))
        );
        assert_eq!(
            parts("nginx:1.27"),
            Some((s("docker.io"), s("library/nginx"), Some("1.27"), None))
        );
        assert_eq!(
            parts("bitnami/redis:7"),
            Some((s("docker.io"), s("bitnami/redis"), Some("7"), None))
        );
        assert_eq!(
            parts("index.docker.io/library/busybox"),
            Some((s("docker.io"), s("library/busybox"), None, None))
        );
        assert_eq!(
            parts("registry.example.com:5000/team/app"),
            Some((s("registry.example.com:5000"), s("team/app"), None, None))
        );
        assert_eq!(
            parts("registry:5000/app:1.0@sha256:abc"),
            Some((s("registry:5000"), s("app"), Some("1.0"), Some("sha256:abc")))
        );
        assert_eq!(
            parts("localhost/app"),
            Some((s("localhost"), s("app"), None, None))
        );
        assert_eq!(
            parts("app@sha256:abc"),
            Some((s("docker.io"), s("library/app"), None, Some("sha256:abc")))
        );
        assert_eq!(
            parts("ghcr.io/org/team/app:v2"),
            Some((s("ghcr.io"), s("org/team/app"), Some("v2"), None))
        );
        assert_eq!(parts(""), None);
        assert_eq!(parts("registry.example.com/"), None);
        assert_eq!(
            parse_image("kubernetesui/dashboard:v2.7.0").unwrap().name(),
            "dashboard"
        );
        assert_eq!(parse_image("tiller").unwrap().name(), "tiller");
    }

    #[test]
    fn entries() {
        let img = |i| parse_image(i).unwrap();
        assert!(entry_allows("docker.io", &img("nginx")));
        assert!(entry_allows("index.docker.io", &img("nginx")));
        assert!(entry_allows(
            "Registry.Example.com",
            &img("registry.example.com/app")
        ));
        assert!(!entry_allows(
            "registry.example.com",
            &img("registry.example.com:5000/app")
        ));
        assert!(entry_allows(
            "registry.example.com:5000",
            &img("registry.example.com:5000/app")
        ));
        assert!(entry_allows("*.azurecr.io", &img("contoso.azurecr.io/web:1")));
        assert!(!entry_allows("*.azurecr.io", &img("azurecr.io.evil.com/web:1")));
        assert!(entry_allows("docker.io/myorg/*", &img("myorg/api:1")));
        assert!(!entry_allows("docker.io/myorg/*", &img("myorgevil/api:1")));
        assert!(entry_allows("ghcr.io/myorg", &img("ghcr.io/myorg/api:1")));
        assert!(entry_allows("ghcr.io/myorg/", &img("ghcr.io/myorg/team/api")));
        assert!(!entry_allows("ghcr.io/myorg", &img("ghcr.io/myorg-evil/api")));
        assert!(entry_allows("docker.io/nginx", &img("nginx:1.27")));
        assert!(entry_allows("docker.io/library/nginx", &img("docker.io/nginx")));
        assert!(!entry_allows(
            "docker.io/nginx",
            &img("nginxinc/nginx-unprivileged")
        ));
    }

    #[test]
    fn allowed_registries_parameter() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    \
                    - name: a\n      image: registry.example.com/a:1\n    \
                    - name: b\n      image: nginx:1.27\n";
        let source = Arc::new(Source::new("t.yaml".into(), Some(text.into())));
        let objects = parse_source(&source, &Limits::default()).objects;
        let check = &super::CHECK;
        let findings = |list: &[&str]| {
            let mut params = Params::defaults(&check.meta);
            params.set(
                "allowed-registries",
                ParamValue::Strings(list.iter().map(|s| (*s).to_string()).collect()),
            );
            run(
                &[Enabled {
                    check,
                    severity: check.meta.severity,
                    params,
                }],
                &objects,
            )
        };
        assert_eq!(findings(&[]).len(), 2);
        let found = findings(&["registry.example.com"]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].container.as_deref(), Some("b"));
        assert!(found[0].message.contains("\"docker.io\""));
        assert!(findings(&["registry.example.com", "docker.io/library/*"]).is_empty());
    }
}
