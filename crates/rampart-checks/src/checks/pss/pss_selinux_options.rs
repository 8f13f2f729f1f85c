//! The Pod Security Standards baseline control `seLinuxOptions` as its own check.

use rampart_model::Object;

use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "pss-selinux-options",
        title: "Pod Security Standards: SELinux options",
        severity: Severity::High,
        category: Category::Hardening,
        enabled_by_default: true,
        finds: "Pod or container `securityContext.seLinuxOptions` with a `type` other than container_t, container_init_t, container_kvm_t or container_engine_t (the last allowed from Kubernetes 1.31), or with `user` or `role` set, exactly as the baseline level's seLinuxOptions control decides.",
        why: "SELinux types like spc_t (super-privileged container) or unconfined_t, or a custom user or role, lift the mandatory access control that keeps a container's processes away from the node's files and other containers.",
        remediation: "Remove `seLinuxOptions` or keep only `level` (and an allowed `type`).",
        example: "securityContext:\n  seLinuxOptions:\n    level: \"s0:c123,c456\"\n",
        references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline", "https://kubernetes.io/docs/concepts/security/pod-security-admission/"],
        controls: &[
            "mitre-attack-containers:T1611",
            "nist-800-190:4.4.3",
            "nist-800-53-r5:CM-6",
            "nsa-cisa-1.2:pod-security.security-services",
            "pci-dss-4.0:2.2.6",
            "pss-baseline:seLinuxOptions",
        ],
        equivalents: &["pss:seLinuxOptions"],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    crate::pss::emit_control(obj, "seLinuxOptions", out);
}
