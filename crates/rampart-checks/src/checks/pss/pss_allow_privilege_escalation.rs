//! The Pod Security Standards restricted control `allowPrivilegeEscalation` as its own check.

use rampart_model::Object;

use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "pss-allow-privilege-escalation",
        title: "Pod Security Standards: privilege escalation not disabled",
        severity: Severity::Medium,
        category: Category::Privileges,
        enabled_by_default: false,
        finds: "Containers that do not set `securityContext.allowPrivilegeEscalation: false` (Windows pods are exempt from Kubernetes 1.25), exactly as the restricted level's allowPrivilegeEscalation control decides. Off by default: `privilege-escalation-allowed` reports the same risk per container; enable this check to hold manifests to the standard's exact rule.",
        why: "Without no_new_privs, a process can gain privileges through setuid binaries or file capabilities in the image.",
        remediation: "Set `allowPrivilegeEscalation: false` on every container.",
        example: "securityContext:\n  allowPrivilegeEscalation: false\n",
        references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted", "https://kubernetes.io/docs/concepts/security/pod-security-admission/"],
        controls: &[
            "cis-kubernetes-1.12:5.2.6",
            "mitre-attack-containers:T1068",
            "nist-800-190:4.4.3",
            "nist-800-53-r5:AC-6(10)",
            "nist-800-53-r5:CM-6",
            "nsa-cisa-1.2:pod-security.privilege-escalation",
            "pci-dss-4.0:2.2.6",
            "pss-restricted:allowPrivilegeEscalation",
        ],
        equivalents: &["pss:allowPrivilegeEscalation"],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    crate::pss::emit_control(obj, "allowPrivilegeEscalation", out);
}
