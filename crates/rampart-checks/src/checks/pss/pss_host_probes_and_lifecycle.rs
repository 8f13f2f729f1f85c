//! The Pod Security Standards baseline control `hostProbesAndHostLifecycle` as its own check.

use rampart_model::Object;

use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "pss-host-probes-and-lifecycle",
        title: "Pod Security Standards: probe or lifecycle handler targets another host",
        severity: Severity::Medium,
        category: Category::Network,
        enabled_by_default: true,
        finds: "Liveness, readiness and startup probes and postStart/preStop handlers whose `httpGet.host` or `tcpSocket.host` is set, exactly as the baseline level's hostProbesAndHostLifecycle control (Kubernetes 1.34 and later) decides.",
        why: "The kubelet makes probe and lifecycle requests from the node's network namespace: a host field turns them into requests to arbitrary addresses, such as a cloud metadata endpoint or a service only the node can reach.",
        remediation: "Remove `host` so the kubelet probes the pod's own IP.",
        example: "livenessProbe:\n  httpGet:\n    path: /healthz\n    port: 8080\n",
        references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline", "https://kubernetes.io/docs/concepts/security/pod-security-admission/"],
        controls: &[
            "nist-800-190:4.4.3",
            "nist-800-53-r5:CM-6",
            "nist-800-53-r5:SC-7",
            "pci-dss-4.0:2.2.6",
            "pss-baseline:hostProbesAndHostLifecycle",
        ],
        equivalents: &["pss:hostProbesAndHostLifecycle"],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    crate::pss::emit_control(obj, "hostProbesAndHostLifecycle", out);
}
