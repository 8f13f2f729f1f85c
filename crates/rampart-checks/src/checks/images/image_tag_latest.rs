use rampart_model::{Node, Object};

use crate::util::{for_each_container, label};
use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "image-tag-latest",
        title: "Container image uses the latest tag or no tag",
        severity: Severity::Medium,
        category: Category::SupplyChain,
        finds: "Containers (including init and ephemeral containers) whose `image` has the \
                tag `latest` (`nginx:latest`) or no tag at all (`nginx`, \
                `registry.example.com:5000/app`; a port in the registry host is not a tag) \
                and no digest. Images pinned by digest (`app@sha256:...`, with or without a \
                tag) are not reported; a missing or empty `image` is left to schema \
                validation.",
        why: "`latest` (which is what an untagged image means) moves every time someone \
              pushes, and with such an image the default pull policy is `Always`: two \
              replicas of the same Deployment can run different builds, a restarted or \
              rescheduled pod silently picks up whatever was pushed last, a rollback \
              redeploys the broken code, and whoever can push to the repository decides \
              what runs in the cluster next.",
        remediation: "Reference a specific, immutable version tag (`nginx:1.27.3`), or better \
                      the image digest (`nginx@sha256:...`), and change it through your \
                      normal release process.",
        example: "containers:\n  - name: web\n    image: registry.example.com/web:2.14.1\n",
        references: &[
            "https://kubernetes.io/docs/concepts/containers/images/",
            "https://kubernetes.io/docs/concepts/containers/images/#image-pull-policy",
        ],
        controls: &[
            "mitre-attack-containers:T1204.003",
            "mitre-attack-containers:T1525",
            "nist-800-190:4.2.2",
            "nist-800-53-r5:CM-2",
            "soc2:CC6.8",
        ],
        equivalents: &[
            "trivy:KSV013",
            "checkov:CKV_K8S_14",
            "kube-linter:latest-tag",
            "polaris:tagNotSpecified",
        ],
        ..CheckMeta::DEFAULT
    },
    run,
};

/// The tag and digest of an image reference. A `:` before the last `/` belongs to the
/// registry host (a port), not to the repository.
fn tag_and_digest(image: &str) -> (Option<&str>, Option<&str>) {
    let (name, digest) = match image.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (image, None),
    };
    let last = name.rfind('/').map_or(0, |i| i + 1);
    let tag = name[last..].rfind(':').map(|i| &name[last + i + 1..]);
    (tag, digest)
}

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    for_each_container(obj, |c| {
        let Some(image) = c.node.get("image").and_then(Node::scalar_text).map(str::trim) else {
            return;
        };
        if image.is_empty() {
            return;
        }
        match tag_and_digest(image) {
            (_, Some(d)) if !d.is_empty() => {}
            (Some("latest"), _) => {
                out.container(
                    c,
                    "image",
                    format!("{} uses image \"{image}\" with the mutable latest tag", label(c)),
                );
            }
            (None | Some(""), _) => {
                out.container(
                    c,
                    "image",
                    format!(
                        "{} uses image \"{image}\" with no tag, which means latest",
                        label(c)
                    ),
                );
            }
            _ => {}
        }
    });
}

#[cfg(test)]
mod tests {
    use super::tag_and_digest;

    #[test]
    fn references() {
        assert_eq!(tag_and_digest("nginx"), (None, None));
        assert_eq!(tag_and_digest("nginx:1.27"), (Some("1.27"), None));
        assert_eq!(tag_and_digest("registry:5000/app"), (None, None));
        assert_eq!(
            tag_and_digest("registry:5000/team/app:latest"),
            (Some("latest"), None)
        );
        assert_eq!(tag_and_digest("app@sha256:abc"), (None, Some("sha256:abc")));
        assert_eq!(
            tag_and_digest("app:1.0@sha256:abc"),
            (Some("1.0"), Some("sha256:abc"))
        );
    }
}
