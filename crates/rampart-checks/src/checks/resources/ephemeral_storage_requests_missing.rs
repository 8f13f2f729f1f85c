use rampart_model::{ContainerKind, Node, Object};

use crate::util::{for_each_container, label};
use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "ephemeral-storage-requests-missing",
        title: "Container has no ephemeral storage request",
        severity: Severity::Low,
        category: Category::Resources,
        enabled_by_default: false,
        finds: "Init and regular containers with neither \
                `resources.requests.ephemeral-storage` nor \
                `resources.limits.ephemeral-storage` (a limit alone is fine: the API server \
                defaults the request to the limit). Ephemeral containers cannot have \
                resources and are not checked; a default set by a LimitRange in the namespace \
                is not visible in the manifest.",
        why: "The scheduler places pods by their requests: a container without an ephemeral \
              storage request is scheduled as if it wrote nothing to the node's disk, so disks \
              get overcommitted. When a node runs short of disk, the kubelet evicts first the \
              pods whose usage exceeds their requests, so a container without a request is \
              among the first to go.",
        remediation: "Set `resources.requests.ephemeral-storage` to the local disk the \
                      container uses under normal operation (logs, writable layer, `emptyDir` \
                      volumes), with a limit above it.",
        example: "resources:\n  requests:\n    ephemeral-storage: 1Gi\n  limits:\n    ephemeral-storage: 2Gi\n",
        references: &[
            "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/#local-ephemeral-storage",
            "https://kubernetes.io/docs/concepts/scheduling-eviction/node-pressure-eviction/",
        ],
        controls: &[
            "nist-800-53-r5:SC-6",
            "nsa-cisa-1.2:network.resource-policies",
        ],
        equivalents: &["kube-score:container-ephemeral-storage-request-and-limit"],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn is_set(node: &Node, path: &str) -> bool {
    node.at(path).is_some_and(|n| !n.is_null())
}

/// An ephemeral storage request is in effect: set explicitly, or defaulted from the limit.
fn has_request(node: &Node) -> bool {
    is_set(node, "resources.requests.ephemeral-storage") || is_set(node, "resources.limits.ephemeral-storage")
}

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    for_each_container(obj, |c| {
        if c.kind == ContainerKind::Ephemeral || has_request(c.node) {
            return;
        }
        out.container(
            c,
            "resources.requests.ephemeral-storage",
            format!("{} has no ephemeral-storage request", label(c)),
        );
    });
}
