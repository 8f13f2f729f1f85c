use rampart_model::{Node, Object};

use super::image_registry_not_allowed::parse_image;
use crate::util::{for_each_container, label};
use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "image-pull-policy-not-always",
        title: "Image pull policy lets a node reuse a cached image",
        severity: Severity::Low,
        category: Category::SupplyChain,
        enabled_by_default: false,
        finds: "Containers (including init and ephemeral containers) whose image is not \
                pinned by digest and whose pull policy is not `Always`: `imagePullPolicy: \
                IfNotPresent` or `Never`, or no `imagePullPolicy` with a tag other than \
                `latest` (Kubernetes then defaults to `IfNotPresent`; without a tag or with \
                `latest` it defaults to `Always`). Images referenced by digest \
                (`app@sha256:...`) are never reported: the digest already names the content, \
                so the pull policy only decides whether the registry is contacted. A missing \
                or empty `image` is left to schema validation.",
        why: "With `IfNotPresent` the kubelet starts a container from whatever image the node \
              already has under that tag. A mutable tag then runs different builds on \
              different nodes, and a private image pulled once onto a node can be started by \
              any other pod scheduled there, even one without the pull secret to read it \
              (unless the AlwaysPullImages admission plugin or the kubelet's check of cached \
              image credentials is enabled). `Always` makes the kubelet resolve the tag with \
              the registry, checking the pod's credentials, at every container start; it \
              costs a registry round trip and makes starts depend on the registry being up, \
              which is why this check is off by default.",
        remediation: "Pin the image by digest (preferred: the content is then fixed and the \
                      pull policy no longer matters), or set `imagePullPolicy: Always`.",
        example: "containers:\n  - name: web\n    image: registry.example.com/web:2.14.1\n    imagePullPolicy: Always\n",
        references: &[
            "https://kubernetes.io/docs/concepts/containers/images/#image-pull-policy",
            "https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#alwayspullimages",
        ],
        equivalents: &[
            "checkov:CKV_K8S_15",
            "kube-score:container-image-pull-policy",
            "polaris:pullPolicyNotAlways",
        ],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    for_each_container(obj, |c| {
        let Some(text) = c.node.get("image").and_then(Node::scalar_text).map(str::trim) else {
            return;
        };
        let Some(image) = parse_image(text) else { return };
        if image.digest.is_some_and(|d| !d.is_empty()) {
            return;
        }
        let policy = c
            .node
            .get("imagePullPolicy")
            .and_then(Node::scalar_text)
            .map(str::trim)
            .filter(|p| !p.is_empty());
        match policy {
            Some("Always") => {}
            Some(p) => out.container(
                c,
                "imagePullPolicy",
                format!(
                    "{} pulls image \"{text}\" with imagePullPolicy: {p}, so a node reuses its cached copy; pin the image by digest or set imagePullPolicy: Always",
                    label(c)
                ),
            ),
            None => {
                if matches!(image.tag, None | Some("" | "latest")) {
                    return;
                }
                out.container(
                    c,
                    "imagePullPolicy",
                    format!(
                        "{} pulls image \"{text}\" with the default imagePullPolicy IfNotPresent, so a node reuses its cached copy; pin the image by digest or set imagePullPolicy: Always",
                        label(c)
                    ),
                );
            }
        }
    });
}
