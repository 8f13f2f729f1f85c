use rampart_model::{ContainerKind, Node, Object};

use crate::util::{for_each_container, label};
use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "ephemeral-storage-limits-missing",
        title: "Container has no ephemeral storage limit",
        severity: Severity::Low,
        category: Category::Resources,
        enabled_by_default: false,
        finds: "Init and regular containers without `resources.limits.ephemeral-storage`. \
                Ephemeral containers cannot have resources and are not checked; a default set \
                by a LimitRange in the namespace is not visible in the manifest.",
        why: "A container's writable layer, its logs and its `emptyDir` volumes all take space \
              on the node's disk. Without a limit, one container that logs in a loop, fills a \
              scratch directory or is made to by an attacker can fill the disk: the node goes \
              into DiskPressure and the kubelet evicts other pods to reclaim space, while \
              images can no longer be pulled. With a limit, the kubelet evicts only the pod \
              that exceeded it.",
        remediation: "Set `resources.limits.ephemeral-storage` to the most local disk the \
                      container should ever use (and a matching request), or set a default \
                      with a LimitRange in the namespace. Give `emptyDir` volumes a \
                      `sizeLimit` as well.",
        example: "resources:\n  requests:\n    ephemeral-storage: 1Gi\n  limits:\n    ephemeral-storage: 2Gi\n",
        references: &[
            "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/#local-ephemeral-storage",
            "https://kubernetes.io/docs/concepts/scheduling-eviction/node-pressure-eviction/",
        ],
        controls: &[
            "mitre-attack-containers:T1499",
            "nist-800-190:4.4.3",
            "nist-800-53-r5:SC-5",
            "nsa-cisa-1.2:network.resource-policies",
        ],
        equivalents: &["kube-score:container-ephemeral-storage-request-and-limit"],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn has_limit(node: &Node) -> bool {
    node.at("resources.limits.ephemeral-storage")
        .is_some_and(|n| !n.is_null())
}

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    for_each_container(obj, |c| {
        if c.kind == ContainerKind::Ephemeral || has_limit(c.node) {
            return;
        }
        out.container(
            c,
            "resources.limits.ephemeral-storage",
            format!("{} has no ephemeral-storage limit", label(c)),
        );
    });
}
