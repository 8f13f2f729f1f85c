//! The Pod Security Standards restricted control `runAsNonRoot` as its own check.

use rampart_model::Object;

use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "pss-run-as-non-root",
        title: "Pod Security Standards: not required to run as non-root",
        severity: Severity::Medium,
        category: Category::Privileges,
        enabled_by_default: false,
        finds: "Pods where neither the pod nor every container sets `runAsNonRoot: true`, or where any of them sets it to false (pods with `hostUsers: false` are exempt from Kubernetes 1.35), exactly as the restricted level's runAsNonRoot control decides. Off by default: `run-as-root` reports the same risk per container; enable this check to hold manifests to the standard's exact rule.",
        why: "A process running as root inside the container is one kernel or runtime bug away from root on the node, and owns every file the image ships.",
        remediation: "Set `runAsNonRoot: true` in the pod's securityContext and run as a non-zero UID.",
        example: "securityContext:\n  runAsNonRoot: true\n  runAsUser: 10001\n",
        references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted", "https://kubernetes.io/docs/concepts/security/pod-security-admission/"],
        controls: &[
            "cis-kubernetes-1.12:5.2.7",
            "mitre-attack-containers:T1611",
            "nist-800-190:4.4.3",
            "nist-800-53-r5:AC-6",
            "nsa-cisa-1.2:pod-security.non-root",
            "pci-dss-4.0:2.2.6",
            "pss-restricted:runAsNonRoot",
        ],
        equivalents: &["pss:runAsNonRoot"],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    crate::pss::emit_control(obj, "runAsNonRoot", out);
}
