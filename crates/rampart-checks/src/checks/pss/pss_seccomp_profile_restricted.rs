//! The Pod Security Standards restricted control `seccompProfile_restricted` as its own check.

use rampart_model::Object;

use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "pss-seccomp-profile-restricted",
        title: "Pod Security Standards: seccomp profile not set",
        severity: Severity::Medium,
        category: Category::Hardening,
        enabled_by_default: false,
        finds: "Pods where neither the pod nor every container sets `seccompProfile.type` to RuntimeDefault or Localhost, or where any sets another type (Windows pods are exempt from Kubernetes 1.25), exactly as the restricted level's seccompProfile_restricted control decides. Off by default: `seccomp-unconfined` reports the same risk per container; enable this check to hold manifests to the standard's exact rule.",
        why: "Without a seccomp profile (the default on most clusters), every system call is available to the container.",
        remediation: "Set `seccompProfile.type: RuntimeDefault` in the pod's securityContext.",
        example: "securityContext:\n  seccompProfile:\n    type: RuntimeDefault\n",
        references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted", "https://kubernetes.io/docs/concepts/security/pod-security-admission/"],
        controls: &[
            "cis-kubernetes-1.12:5.6.2",
            "mitre-attack-containers:T1068",
            "nist-800-190:4.4.3",
            "nist-800-53-r5:CM-6",
            "nsa-cisa-1.2:pod-security.security-services",
            "pci-dss-4.0:2.2.6",
            "pss-restricted:seccompProfile_restricted",
        ],
        equivalents: &["pss:seccompProfile_restricted"],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    crate::pss::emit_control(obj, "seccompProfile_restricted", out);
}
