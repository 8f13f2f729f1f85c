//! The Pod Security Standards baseline control `hostPorts` as its own check.

use rampart_model::Object;

use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "pss-host-ports",
        title: "Pod Security Standards: host ports",
        severity: Severity::Medium,
        category: Category::HostAccess,
        enabled_by_default: false,
        finds: "Containers with a non-zero `ports[].hostPort`, exactly as the baseline level's hostPorts control decides. Off by default: `host-port` reports the same risk per container; enable this check to hold manifests to the standard's exact rule.",
        why: "A host port binds the node's own address, bypassing Services and most NetworkPolicy implementations, and limits where the pod can be scheduled.",
        remediation: "Remove `hostPort` and expose the port through a Service.",
        example: "ports:\n  - containerPort: 8080\n",
        references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline", "https://kubernetes.io/docs/concepts/security/pod-security-admission/"],
        controls: &[
            "cis-kubernetes-1.12:5.2.12",
            "nist-800-190:4.4.3",
            "nist-800-53-r5:CM-7",
            "nsa-cisa-1.2:pod-security.host-network",
            "pss-baseline:hostPorts",
        ],
        equivalents: &["pss:hostPorts"],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    crate::pss::emit_control(obj, "hostPorts", out);
}
