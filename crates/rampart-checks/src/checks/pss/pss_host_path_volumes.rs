//! The Pod Security Standards baseline control `hostPathVolumes` as its own check.

use rampart_model::Object;

use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "pss-host-path-volumes",
        title: "Pod Security Standards: hostPath volumes",
        severity: Severity::High,
        category: Category::HostAccess,
        enabled_by_default: false,
        finds: "Pod specs with any `hostPath` volume, exactly as the baseline level's hostPathVolumes control decides. Off by default: `host-path-volume` reports the same risk per container; enable this check to hold manifests to the standard's exact rule.",
        why: "A hostPath volume exposes the node's filesystem to the container: with the wrong path (or a writable one) that is the kubelet's credentials, other pods' data, or the container runtime socket.",
        remediation: "Use a persistentVolumeClaim, configMap, secret, emptyDir or CSI volume instead.",
        example: "volumes:\n  - name: data\n    persistentVolumeClaim:\n      claimName: data\n",
        references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline", "https://kubernetes.io/docs/concepts/security/pod-security-admission/"],
        controls: &[
            "cis-kubernetes-1.12:5.2.11",
            "mitre-attack-containers:T1611",
            "nist-800-190:4.5.5",
            "nist-800-53-r5:SC-4",
            "nsa-cisa-1.2:pod-security.host-path",
            "pci-dss-4.0:2.2.6",
            "pss-baseline:hostPathVolumes",
        ],
        equivalents: &["pss:hostPathVolumes"],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    crate::pss::emit_control(obj, "hostPathVolumes", out);
}
