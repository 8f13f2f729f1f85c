//! The Pod Security Standards restricted control `procMount_restricted` as its own check.

use rampart_model::Object;

use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "pss-proc-mount-restricted",
        title: "Pod Security Standards: unmasked /proc (restricted)",
        severity: Severity::Medium,
        category: Category::Hardening,
        enabled_by_default: false,
        finds: "Containers with `securityContext.procMount` other than `Default`, even in pods with `hostUsers: false`, exactly as the restricted level's procMount_restricted control (Kubernetes 1.35 and later) decides. Off by default: `pss-proc-mount` reports the same risk per container; enable this check to hold manifests to the standard's exact rule.",
        why: "See pss-proc-mount: the restricted level keeps the default /proc masks even for pods in a user namespace.",
        remediation: "Remove `procMount` (or set it to Default).",
        example: "securityContext:\n  procMount: Default\n",
        references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted", "https://kubernetes.io/docs/concepts/security/pod-security-admission/"],
        controls: &[
            "mitre-attack-containers:T1611",
            "nist-800-190:4.4.3",
            "nist-800-53-r5:CM-6",
            "nsa-cisa-1.2:pod-security.least-privilege",
            "pci-dss-4.0:2.2.6",
            "pss-restricted:procMount_restricted",
        ],
        equivalents: &["pss:procMount_restricted"],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    crate::pss::emit_control(obj, "procMount_restricted", out);
}
