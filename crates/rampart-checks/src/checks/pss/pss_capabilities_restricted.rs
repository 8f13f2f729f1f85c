//! The Pod Security Standards restricted control `capabilities_restricted` as its own check.

use rampart_model::Object;

use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "pss-capabilities-restricted",
        title: "Pod Security Standards: capabilities not restricted",
        severity: Severity::Medium,
        category: Category::Privileges,
        enabled_by_default: false,
        finds: "Containers that do not drop `ALL` capabilities, or that add any capability but NET_BIND_SERVICE (Windows pods are exempt from Kubernetes 1.25), exactly as the restricted level's capabilities_restricted control decides. Off by default: `capabilities-not-dropped` reports the same risk per container; enable this check to hold manifests to the standard's exact rule.",
        why: "The runtime's default capabilities (NET_RAW, CHOWN, DAC_OVERRIDE, SETUID, ...) are more than most processes need; NET_RAW alone allows spoofing and ARP attacks on the pod network.",
        remediation: "Drop ALL capabilities and add back NET_BIND_SERVICE only if the process binds a port below 1024.",
        example: "securityContext:\n  capabilities:\n    drop: [\"ALL\"]\n",
        references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted", "https://kubernetes.io/docs/concepts/security/pod-security-admission/"],
        controls: &[
            "cis-kubernetes-1.12:5.2.9",
            "mitre-attack-containers:T1068",
            "nist-800-190:4.4.3",
            "nist-800-53-r5:AC-6",
            "nist-800-53-r5:CM-7",
            "nsa-cisa-1.2:pod-security.least-privilege",
            "pci-dss-4.0:2.2.4",
            "pss-restricted:capabilities_restricted",
        ],
        equivalents: &["pss:capabilities_restricted"],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    crate::pss::emit_control(obj, "capabilities_restricted", out);
}
