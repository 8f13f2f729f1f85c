use rampart_model::{Node, Object};

use crate::util::{for_each_container, label};
use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "image-not-pinned-by-digest",
        title: "Container image is not pinned by digest",
        severity: Severity::Low,
        category: Category::SupplyChain,
        enabled_by_default: false,
        finds: "Containers (including init and ephemeral containers) whose `image` has no \
                digest (`@sha256:...`, or another `@<algorithm>:<hex>` digest), whatever \
                its tag. A missing or empty `image` is left to schema validation.",
        why: "Tags, even version tags, are mutable pointers: anyone who can push to the \
              repository (or who compromises the registry or its credentials) can move \
              `app:1.4.2` to different content, and every pod started afterwards runs it. A \
              digest names the exact content and cannot be repointed, so what was reviewed \
              and scanned is what runs.",
        remediation: "Reference images by digest, keeping the tag for readability \
                      (`app:1.4.2@sha256:...`; the runtime ignores the tag when a digest is \
                      present), and let your release tooling or a dependency bot update the \
                      digests.",
        example: "containers:\n  - name: web\n    image: registry.example.com/web:2.14.1@sha256:4f1c8d0c2b5a9e7d3f6a1b0c9e8d7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e\n",
        references: &["https://kubernetes.io/docs/concepts/containers/images/#image-names"],
        controls: &[
            "mitre-attack-containers:T1204.003",
            "mitre-attack-containers:T1525",
            "nist-800-190:4.2.2",
            "nist-800-53-r5:CM-2",
            "nist-800-53-r5:SI-7",
            "nist-800-53-r5:SI-7(6)",
            "soc2:CC6.8",
        ],
        equivalents: &["checkov:CKV_K8S_43"],
        ..CheckMeta::DEFAULT
    },
    run,
};

/// Whether the image reference ends with a digest `@<algorithm>:<encoded>`.
fn has_digest(image: &str) -> bool {
    image
        .rsplit_once('@')
        .and_then(|(_, d)| d.split_once(':'))
        .is_some_and(|(alg, enc)| !alg.is_empty() && !enc.is_empty())
}

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    for_each_container(obj, |c| {
        let Some(image) = c.node.get("image").and_then(Node::scalar_text).map(str::trim) else {
            return;
        };
        if !image.is_empty() && !has_digest(image) {
            out.container(
                c,
                "image",
                format!("{} uses image \"{image}\" that is not pinned by digest", label(c)),
            );
        }
    });
}

#[cfg(test)]
mod tests {
    use super::has_digest;

    #[test]
    fn digests() {
        assert!(has_digest("app@sha256:0123abcd"));
        assert!(has_digest("registry:5000/app:1.0@sha256:0123abcd"));
        assert!(!has_digest("registry:5000/app:1.0"));
        assert!(!has_digest("app@"));
        assert!(!has_digest("app"));
    }
}
