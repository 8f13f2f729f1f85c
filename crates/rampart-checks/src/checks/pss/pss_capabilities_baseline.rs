//! The Pod Security Standards baseline control `capabilities_baseline` as its own check.

use rampart_model::Object;

use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "pss-capabilities-baseline",
        title: "Pod Security Standards: capabilities beyond the default set",
        severity: Severity::High,
        category: Category::Privileges,
        enabled_by_default: false,
        finds: "Containers whose `securityContext.capabilities.add` lists anything outside the container runtime's default set (AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT), compared exactly as Kubernetes compares them. Off by default: `dangerous-capabilities` reports the same risk per container; enable this check to hold manifests to the standard's exact rule.",
        why: "Capabilities such as SYS_ADMIN, NET_ADMIN, SYS_PTRACE or SYS_MODULE each hand a container a piece of root's power over the node: mounting filesystems, reconfiguring the network, reading other processes, loading kernel modules.",
        remediation: "Remove the extra capabilities from `capabilities.add`.",
        example: "securityContext:\n  capabilities:\n    drop: [\"ALL\"]\n    add: [\"NET_BIND_SERVICE\"]\n",
        references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline", "https://kubernetes.io/docs/concepts/security/pod-security-admission/"],
        controls: &[
            "cis-kubernetes-1.12:5.2.9",
            "mitre-attack-containers:T1611",
            "nist-800-190:4.4.3",
            "nist-800-53-r5:AC-6",
            "nist-800-53-r5:CM-7",
            "nsa-cisa-1.2:pod-security.least-privilege",
            "pci-dss-4.0:2.2.4",
            "pss-baseline:capabilities_baseline",
        ],
        equivalents: &["pss:capabilities_baseline"],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    crate::pss::emit_control(obj, "capabilities_baseline", out);
}
