use rampart_model::{ContainerKind, Node, Object};

use crate::util::{for_each_container, label};
use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "cpu-limits-missing",
        title: "Container has no CPU limit",
        severity: Severity::Low,
        category: Category::Resources,
        finds: "Init and regular containers without `resources.limits.cpu`, unless the pod \
                sets a pod-level `resources.limits.cpu`. Ephemeral containers cannot have \
                resources and are not checked.",
        why: "Without a CPU limit a container may use all the idle CPU of its node. CPU \
              requests still protect other pods' reserved share, but a runaway or compromised \
              container (a crypto-miner is the classic payload) takes everything above that, \
              slowing bursty neighbours and hiding its cost. Namespaces whose ResourceQuota \
              covers `limits.cpu` also reject pods without one. Some teams omit CPU limits on \
              purpose to avoid throttling: suppress the finding for those workloads.",
        remediation: "Set `resources.limits.cpu` to the most CPU the container should ever \
                      use, or set a default with a LimitRange in the namespace.",
        example: "resources:\n  requests:\n    cpu: 250m\n  limits:\n    cpu: \"1\"\n",
        references: &[
            "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",
            "https://kubernetes.io/docs/concepts/policy/limit-range/",
        ],
        controls: &[
            "mitre-attack-containers:T1496",
            "mitre-attack-containers:T1499",
            "nist-800-190:4.4.3",
            "nist-800-53-r5:SC-5",
            "nsa-cisa-1.2:network.resource-policies",
        ],
        equivalents: &["trivy:KSV011", "checkov:CKV_K8S_11", "polaris:cpuLimitsMissing"],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn has_limit(node: &Node) -> bool {
    node.at("resources.limits.cpu").is_some_and(|n| !n.is_null())
}

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    for_each_container(obj, |c| {
        if c.kind == ContainerKind::Ephemeral || has_limit(c.node) || has_limit(c.pod.node) {
            return;
        }
        out.container(
            c,
            "resources.limits.cpu",
            format!("{} has no cpu limit", label(c)),
        );
    });
}
