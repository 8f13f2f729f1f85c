use rampart_model::{ContainerKind, Node, Object};

use crate::util::{for_each_container, label};
use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "cpu-requests-missing",
        title: "Container has no CPU request",
        severity: Severity::Low,
        category: Category::Resources,
        finds: "Init and regular containers with neither `resources.requests.cpu` nor \
                `resources.limits.cpu` (a CPU limit alone is fine: the API server defaults \
                the request to the limit). Containers of a pod that sets a pod-level \
                `resources.requests.cpu` or `resources.limits.cpu` are not reported; \
                ephemeral containers cannot have resources and are not checked.",
        why: "The scheduler places pods by their requests. A container without a CPU request \
              is scheduled as if it needed no CPU, so nodes get overcommitted, and under \
              contention it only gets the minimum CPU share: it is the first to be starved \
              when a neighbour (or a compromised pod) burns CPU.",
        remediation: "Set `resources.requests.cpu` to the CPU the container needs under normal \
                      load (measure it, for example with the metrics of a running replica).",
        example: "resources:\n  requests:\n    cpu: 250m\n    memory: 256Mi\n  limits:\n    memory: 256Mi\n",
        references: &[
            "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",
            "https://kubernetes.io/docs/tasks/configure-pod-container/assign-cpu-resource/",
        ],
        controls: &[
            "nist-800-53-r5:SC-6",
            "nsa-cisa-1.2:network.resource-policies",
        ],
        equivalents: &[
            "trivy:KSV015",
            "checkov:CKV_K8S_10",
            "kube-linter:unset-cpu-requirements",
            "polaris:cpuRequestsMissing",
        ],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn is_set(node: &Node, path: &str) -> bool {
    node.at(path).is_some_and(|n| !n.is_null())
}

/// A CPU request is in effect: set explicitly, or defaulted from the limit.
fn has_request(node: &Node) -> bool {
    is_set(node, "resources.requests.cpu") || is_set(node, "resources.limits.cpu")
}

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    for_each_container(obj, |c| {
        if c.kind == ContainerKind::Ephemeral || has_request(c.node) || has_request(c.pod.node) {
            return;
        }
        out.container(
            c,
            "resources.requests.cpu",
            format!("{} has no cpu request", label(c)),
        );
    });
}
