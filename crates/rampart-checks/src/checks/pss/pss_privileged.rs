//! The Pod Security Standards baseline control `privileged` as its own check.

use rampart_model::Object;

use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "pss-privileged",
        title: "Pod Security Standards: privileged containers",
        severity: Severity::Critical,
        category: Category::Privileges,
        enabled_by_default: false,
        finds: "Containers, init containers and ephemeral containers with `securityContext.privileged: true`, exactly as the baseline level's privileged control decides. Off by default: `privileged-container` reports the same risk per container; enable this check to hold manifests to the standard's exact rule.",
        why: "A privileged container has every capability and every device of the node and no seccomp, AppArmor or SELinux confinement: root in it is root on the node.",
        remediation: "Remove `privileged: true`; add only the specific capabilities the process needs.",
        example: "securityContext:\n  privileged: false\n",
        references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline", "https://kubernetes.io/docs/concepts/security/pod-security-admission/"],
        controls: &[
            "cis-kubernetes-1.12:5.2.2",
            "mitre-attack-containers:T1611",
            "nist-800-190:4.4.3",
            "nist-800-53-r5:AC-6",
            "nist-800-53-r5:SC-39",
            "nsa-cisa-1.2:pod-security.privileged",
            "pci-dss-4.0:2.2.3",
            "pss-baseline:privileged",
        ],
        equivalents: &["pss:privileged"],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    crate::pss::emit_control(obj, "privileged", out);
}
