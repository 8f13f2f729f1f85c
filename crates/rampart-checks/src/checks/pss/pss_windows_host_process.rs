//! The Pod Security Standards baseline control `windowsHostProcess` as its own check.

use rampart_model::Object;

use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "pss-windows-host-process",
        title: "Pod Security Standards: Windows HostProcess containers",
        severity: Severity::Critical,
        category: Category::Privileges,
        enabled_by_default: true,
        finds: "Pod or container `securityContext.windowsOptions.hostProcess: true`, exactly as the baseline level's windowsHostProcess control decides.",
        why: "A Windows HostProcess container runs directly on the node as a host process, with full access to the node: it is the Windows equivalent of a privileged container.",
        remediation: "Remove `hostProcess: true`; node administration belongs in a documented exception.",
        example: "securityContext:\n  windowsOptions:\n    hostProcess: false\n",
        references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline", "https://kubernetes.io/docs/concepts/security/pod-security-admission/"],
        controls: &[
            "cis-kubernetes-1.12:5.2.10",
            "mitre-attack-containers:T1611",
            "nist-800-190:4.4.3",
            "nist-800-53-r5:SC-39",
            "nsa-cisa-1.2:pod-security.privileged",
            "pci-dss-4.0:2.2.3",
            "pss-baseline:windowsHostProcess",
        ],
        equivalents: &["pss:windowsHostProcess"],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    crate::pss::emit_control(obj, "windowsHostProcess", out);
}
