//! The Pod Security Standards baseline control `hostNamespaces` as its own check.

use rampart_model::Object;

use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "pss-host-namespaces",
        title: "Pod Security Standards: host namespaces",
        severity: Severity::High,
        category: Category::HostAccess,
        enabled_by_default: false,
        finds: "Pod specs with `hostNetwork`, `hostPID` or `hostIPC` set to true, exactly as the baseline level's hostNamespaces control decides. Off by default: `host-network`, `host-pid` and `host-ipc` reports the same risk per container; enable this check to hold manifests to the standard's exact rule.",
        why: "Sharing the node's network, process or IPC namespace lets a container see and reach what other workloads and node services keep private: loopback-only services, every process's environment and memory via /proc, shared memory segments.",
        remediation: "Remove `hostNetwork`, `hostPID` and `hostIPC` (or set them to false).",
        example: "spec:\n  hostNetwork: false\n  hostPID: false\n  hostIPC: false\n",
        references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline", "https://kubernetes.io/docs/concepts/security/pod-security-admission/"],
        controls: &[
            "mitre-attack-containers:T1611",
            "nist-800-190:4.4.3",
            "nist-800-53-r5:SC-4",
            "nist-800-53-r5:SC-39",
            "nsa-cisa-1.2:pod-security.host-namespaces",
            "nsa-cisa-1.2:pod-security.host-network",
            "pci-dss-4.0:2.2.3",
            "pss-baseline:hostNamespaces",
        ],
        equivalents: &["pss:hostNamespaces"],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    crate::pss::emit_control(obj, "hostNamespaces", out);
}
