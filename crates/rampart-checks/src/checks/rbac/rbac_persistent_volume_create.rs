use rampart_model::Object;

use crate::rbac::{CREATE_PERSISTENT_VOLUMES, check_rules};
use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity, Target};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "rbac-persistent-volume-create",
        title: "ClusterRole can create PersistentVolumes",
        severity: Severity::Medium,
        category: Category::Rbac,
        target: Target::Kinds(&["Role", "ClusterRole"]),
        finds: "Rules of ClusterRoles (rbac.authorization.k8s.io) that allow `create` on \
                `persistentvolumes` (core group), directly or through `*` in `verbs`, \
                `resources` or `apiGroups`; one finding per rule. Rules limited by \
                `resourceNames` grant no `create` and are not reported, nor are Roles \
                (PersistentVolumes are cluster-scoped). Aggregated ClusterRoles are skipped.",
        why: "A PersistentVolume can be a `hostPath` volume pointing anywhere on a node, or \
              a network volume holding someone else's data. Pod Security Admission checks \
              the volumes written in pod specs, not the PersistentVolume behind a claim, so \
              whoever can create a hostPath PersistentVolume and a claim bound to it gets \
              the node's filesystem (kubelet credentials, other pods' data, the container \
              runtime socket) mounted into an otherwise compliant pod.",
        remediation: "Provision volumes through StorageClasses and dynamic provisioning, and \
                      keep `create` on PersistentVolumes to cluster administrators and the \
                      storage provisioners' own service accounts.",
        example: "rules:\n  - apiGroups: [\"\"]\n    resources: [\"persistentvolumeclaims\"]\n    verbs: [\"create\", \"get\", \"list\"]\n",
        references: &[
            "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#persistent-volume-creation",
            "https://kubernetes.io/docs/concepts/storage/volumes/#hostpath",
        ],
        controls: &[
            "cis-kubernetes-1.12:5.1.9",
            "mitre-attack-containers:T1611",
            "nist-800-190:4.3.1",
            "nist-800-190:4.5.5",
            "nist-800-53-r5:AC-6",
            "nsa-cisa-1.2:auth.least-privilege",
            "pci-dss-4.0:7.2.2",
            "soc2:CC6.3",
        ],
        equivalents: &["kubescape:C-0278"],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    check_rules(
        obj,
        out,
        &CREATE_PERSISTENT_VOLUMES,
        "bound subjects can create hostPath volumes and mount a node's filesystem through a \
         claim; use StorageClasses and keep this to storage provisioners",
    );
}
