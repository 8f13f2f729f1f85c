use rampart_model::Object;

use crate::util::{for_each_container, label};
use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "privileged-container",
        title: "Container runs in privileged mode",
        severity: Severity::Critical,
        category: Category::Privileges,
        finds: "Containers (including init and ephemeral containers) with `securityContext.privileged: true`.",
        why: "A privileged container has every Linux capability and access to all host devices; \
              it can load kernel modules, mount the host filesystem and escape to the node. \
              One compromised privileged container is a compromised node.",
        remediation: "Remove `privileged: true`. Grant only the specific capabilities the \
                      workload needs with `capabilities.add`, or move node-level work to a \
                      dedicated, reviewed DaemonSet covered by an exception.",
        example: "securityContext:\n  privileged: false\n  capabilities:\n    drop: [\"ALL\"]\n",
        references: &[
            "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline",
            "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/",
        ],
        controls: &[
            "cis-kubernetes-1.12:5.2.2",
            "hipaa-security:164.312(a)(1)",
            "mitre-attack-containers:T1611",
            "nist-800-190:4.4.3",
            "nist-800-53-r5:AC-6",
            "nist-800-53-r5:SC-39",
            "nsa-cisa-1.2:pod-security.privileged",
            "pci-dss-4.0:2.2.3",
            "pss-baseline:privileged",
            "soc2:CC6.1",
        ],
        equivalents: &[
            "trivy:KSV017",
            "checkov:CKV_K8S_16",
            "kube-linter:privileged-container",
            "polaris:privileged",
        ],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    for_each_container(obj, |c| {
        if c.node.at("securityContext.privileged").and_then(|n| n.as_bool()) == Some(true) {
            out.container(
                c,
                "securityContext.privileged",
                format!("{} runs privileged", label(c)),
            );
        }
    });
}
