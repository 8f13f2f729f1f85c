use rampart_model::{ContainerKind, Node, Object};

use crate::util::{for_each_container, label};
use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "memory-requests-missing",
        title: "Container has no memory request",
        severity: Severity::Low,
        category: Category::Resources,
        finds: "Init and regular containers with neither `resources.requests.memory` nor \
                `resources.limits.memory` (a memory limit alone is fine: the API server \
                defaults the request to the limit). Containers of a pod that sets a pod-level \
                `resources.requests.memory` or `resources.limits.memory` are not reported; \
                ephemeral containers cannot have resources and are not checked.",
        why: "The scheduler places pods by their requests. A container without a memory \
              request is scheduled as if it needed no memory, so nodes get overcommitted; \
              when the node runs short, the kubelet evicts pods that use more than they \
              requested first, and the kernel's OOM killer prefers them too.",
        remediation: "Set `resources.requests.memory` to what the container uses under normal \
                      load (and a memory limit, usually equal, for predictable behaviour).",
        example: "resources:\n  requests:\n    memory: 256Mi\n  limits:\n    memory: 256Mi\n",
        references: &[
            "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",
            "https://kubernetes.io/docs/concepts/scheduling-eviction/node-pressure-eviction/",
        ],
        controls: &[
            "nist-800-53-r5:SC-6",
            "nsa-cisa-1.2:network.resource-policies",
        ],
        equivalents: &[
            "trivy:KSV016",
            "checkov:CKV_K8S_12",
            "polaris:memoryRequestsMissing",
        ],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn is_set(node: &Node, path: &str) -> bool {
    node.at(path).is_some_and(|n| !n.is_null())
}

/// A memory request is in effect: set explicitly, or defaulted from the limit.
fn has_request(node: &Node) -> bool {
    is_set(node, "resources.requests.memory") || is_set(node, "resources.limits.memory")
}

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    for_each_container(obj, |c| {
        if c.kind == ContainerKind::Ephemeral || has_request(c.node) || has_request(c.pod.node) {
            return;
        }
        out.container(
            c,
            "resources.requests.memory",
            format!("{} has no memory request", label(c)),
        );
    });
}
