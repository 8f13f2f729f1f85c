//! The Pod Security Standards baseline control `appArmorProfile` as its own check.

use rampart_model::Object;

use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "pss-apparmor-profile",
        title: "Pod Security Standards: AppArmor profile overridden",
        severity: Severity::High,
        category: Category::Hardening,
        enabled_by_default: false,
        finds: "Pod or container `securityContext.appArmorProfile.type` other than RuntimeDefault or Localhost, and `container.apparmor.security.beta.kubernetes.io/*` annotations other than `runtime/default`, `localhost/*` or empty, exactly as the baseline level's appArmorProfile control decides. Off by default: `apparmor-unconfined` reports the same risk per container; enable this check to hold manifests to the standard's exact rule.",
        why: "Running unconfined removes the AppArmor policy the runtime applies by default, which blocks writes to /proc and /sys, mounts and other container escape steps.",
        remediation: "Use the RuntimeDefault profile or a Localhost profile.",
        example: "securityContext:\n  appArmorProfile:\n    type: RuntimeDefault\n",
        references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline", "https://kubernetes.io/docs/concepts/security/pod-security-admission/"],
        controls: &[
            "mitre-attack-containers:T1611",
            "nist-800-190:4.4.3",
            "nist-800-53-r5:CM-6",
            "nsa-cisa-1.2:pod-security.security-services",
            "pci-dss-4.0:2.2.6",
            "pss-baseline:appArmorProfile",
        ],
        equivalents: &["pss:appArmorProfile"],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    crate::pss::emit_control(obj, "appArmorProfile", out);
}
