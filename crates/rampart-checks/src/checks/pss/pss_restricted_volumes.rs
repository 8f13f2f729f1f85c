//! The Pod Security Standards restricted control `restrictedVolumes` as its own check.

use rampart_model::Object;

use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "pss-restricted-volumes",
        title: "Pod Security Standards: volume types outside the restricted set",
        severity: Severity::Medium,
        category: Category::HostAccess,
        enabled_by_default: false,
        finds: "Volumes of any type except configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected and secret (for example hostPath, nfs, iscsi, rbd, cephfs, gitRepo), exactly as the restricted level's restrictedVolumes control decides. Off by default: the restricted level is a strict profile; enable it (or run `rampart pss --level restricted`) to hold manifests to it.",
        why: "Inline volume sources bypass the PersistentVolume layer that administrators control: they reach node paths, storage servers and credentials chosen by whoever writes the pod spec.",
        remediation: "Use a persistentVolumeClaim bound to a PersistentVolume an administrator created, or one of the allowed volume types.",
        example: "volumes:\n  - name: data\n    persistentVolumeClaim:\n      claimName: data\n",
        references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted", "https://kubernetes.io/docs/concepts/security/pod-security-admission/"],
        controls: &[
            "nist-800-190:4.4.3",
            "nist-800-53-r5:CM-6",
            "pci-dss-4.0:2.2.6",
            "pss-restricted:restrictedVolumes",
        ],
        equivalents: &["pss:restrictedVolumes"],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    crate::pss::emit_control(obj, "restrictedVolumes", out);
}
