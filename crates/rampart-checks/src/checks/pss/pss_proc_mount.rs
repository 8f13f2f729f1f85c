//! The Pod Security Standards baseline control `procMount` as its own check.

use rampart_model::Object;

use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "pss-proc-mount",
        title: "Pod Security Standards: unmasked /proc",
        severity: Severity::High,
        category: Category::Hardening,
        enabled_by_default: true,
        finds: "Containers with `securityContext.procMount` other than `Default`, unless the pod sets `hostUsers: false` (allowed from Kubernetes 1.35), exactly as the baseline level's procMount control decides.",
        why: "The default /proc mount masks and makes read-only paths such as /proc/kcore, /proc/sysrq-trigger and /proc/sys; an Unmasked /proc exposes kernel memory and host-wide kernel settings to the container.",
        remediation: "Remove `procMount` (or set it to Default); pods that need an unmasked /proc must run in a user namespace (`hostUsers: false`).",
        example: "securityContext:\n  procMount: Default\n",
        references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline", "https://kubernetes.io/docs/concepts/security/pod-security-admission/"],
        controls: &[
            "mitre-attack-containers:T1611",
            "nist-800-190:4.4.3",
            "nist-800-53-r5:CM-6",
            "nsa-cisa-1.2:pod-security.least-privilege",
            "pci-dss-4.0:2.2.6",
            "pss-baseline:procMount",
            "pss-restricted:procMount_restricted",
        ],
        equivalents: &["pss:procMount"],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    crate::pss::emit_control(obj, "procMount", out);
}
