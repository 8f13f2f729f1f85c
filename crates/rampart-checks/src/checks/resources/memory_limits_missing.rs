use rampart_model::{ContainerKind, Object};

use crate::util::{for_each_container, label};
use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "memory-limits-missing",
        title: "Container has no memory limit",
        severity: Severity::Medium,
        category: Category::Resources,
        finds: "Init and regular containers without `resources.limits.memory`, unless the pod \
                sets a pod-level `spec.resources.limits.memory` (ephemeral containers cannot \
                have resources and are not checked).",
        why: "Without a memory limit a leaking or compromised container can consume the node's \
              memory until the kernel's OOM killer ends other workloads, a denial of service \
              for everything scheduled on the node.",
        remediation: "Set `resources.limits.memory` to the most the container should ever use \
                      (usually equal to the request for predictable scheduling).",
        example: "resources:\n  requests:\n    memory: 256Mi\n  limits:\n    memory: 256Mi\n",
        references: &["https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/"],
        controls: &[
            "mitre-attack-containers:T1499",
            "nist-800-190:4.4.3",
            "nist-800-53-r5:SC-5",
            "nsa-cisa-1.2:network.resource-policies",
        ],
        equivalents: &[
            "trivy:KSV018",
            "checkov:CKV_K8S_13",
            "kube-linter:unset-memory-requirements",
            "polaris:memoryLimitsMissing",
        ],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn has_limit(node: &rampart_model::Node) -> bool {
    node.at("resources.limits.memory").is_some_and(|n| !n.is_null())
}

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    for_each_container(obj, |c| {
        if c.kind == ContainerKind::Ephemeral {
            return;
        }
        // A pod-level limit (`spec.resources`, Kubernetes 1.32+) bounds every container.
        if !has_limit(c.node) && !has_limit(c.pod.node) {
            out.container(
                c,
                "resources.limits.memory",
                format!("{} has no memory limit", label(c)),
            );
        }
    });
}
