//! The Pod Security Standards baseline control `seccompProfile_baseline` as its own check.

use rampart_model::Object;

use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "pss-seccomp-profile-baseline",
        title: "Pod Security Standards: seccomp profile disabled",
        severity: Severity::High,
        category: Category::Hardening,
        enabled_by_default: false,
        finds: "Pod or container `securityContext.seccompProfile.type` other than RuntimeDefault or Localhost (and, for policy versions before 1.19, the seccomp alpha annotations set to anything but runtime/default, docker/default or localhost/*), exactly as the baseline level's seccompProfile_baseline control decides. Off by default: `seccomp-unconfined` reports the same risk per container; enable this check to hold manifests to the standard's exact rule.",
        why: "Unconfined seccomp lets the container make every system call, including the rarely needed ones behind most kernel container escapes.",
        remediation: "Use the RuntimeDefault seccomp profile or a Localhost profile.",
        example: "securityContext:\n  seccompProfile:\n    type: RuntimeDefault\n",
        references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline", "https://kubernetes.io/docs/concepts/security/pod-security-admission/"],
        controls: &[
            "cis-kubernetes-1.12:5.6.2",
            "mitre-attack-containers:T1611",
            "nist-800-190:4.4.3",
            "nist-800-53-r5:CM-6",
            "nsa-cisa-1.2:pod-security.security-services",
            "pci-dss-4.0:2.2.6",
            "pss-baseline:seccompProfile_baseline",
        ],
        equivalents: &["pss:seccompProfile_baseline"],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    crate::pss::emit_control(obj, "seccompProfile_baseline", out);
}
