//! The Pod Security Standards restricted control `runAsUser` as its own check.

use rampart_model::Object;

use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "pss-run-as-user",
        title: "Pod Security Standards: runs as UID 0",
        severity: Severity::Medium,
        category: Category::Privileges,
        enabled_by_default: false,
        finds: "Pod or container `securityContext.runAsUser: 0` (pods with `hostUsers: false` are exempt from Kubernetes 1.35), exactly as the restricted level's runAsUser control (Kubernetes 1.23 and later) decides. Off by default: `run-as-root` reports the same risk per container; enable this check to hold manifests to the standard's exact rule.",
        why: "UID 0 is root: see runAsNonRoot.",
        remediation: "Set `runAsUser` to a non-zero UID.",
        example: "securityContext:\n  runAsUser: 10001\n",
        references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted", "https://kubernetes.io/docs/concepts/security/pod-security-admission/"],
        controls: &[
            "cis-kubernetes-1.12:5.2.7",
            "mitre-attack-containers:T1611",
            "nist-800-190:4.4.3",
            "nist-800-53-r5:AC-6",
            "nsa-cisa-1.2:pod-security.non-root",
            "pci-dss-4.0:2.2.6",
            "pss-restricted:runAsUser",
        ],
        equivalents: &["pss:runAsUser"],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    crate::pss::emit_control(obj, "runAsUser", out);
}
