use rampart_model::Object;

use crate::rbac::{WEBHOOKS, check_rules};
use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity, Target};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "rbac-webhook-configurations",
        title: "ClusterRole can change admission webhook configurations",
        severity: Severity::High,
        category: Category::Rbac,
        target: Target::Kinds(&["Role", "ClusterRole"]),
        finds: "Rules of ClusterRoles (rbac.authorization.k8s.io) that allow `create`, \
                `update`, `patch`, `delete` or `deletecollection` on \
                `mutatingwebhookconfigurations` or `validatingwebhookconfigurations` \
                (admissionregistration.k8s.io), directly or through `*` in `verbs`, \
                `resources` or `apiGroups`; one finding per rule, also when limited by \
                `resourceNames` (changing or deleting one existing webhook is enough). Roles \
                are not reported: webhook configurations are cluster-scoped. Aggregated \
                ClusterRoles are skipped.",
        why: "Admission webhooks see every object they subscribe to before it is stored, \
              Secrets included. Whoever can register a mutating webhook can read those \
              objects and rewrite them, for example injecting a privileged container or \
              another service account into every new pod of the cluster; whoever can \
              delete or loosen a validating webhook switches off the policy engine \
              (Kyverno, Gatekeeper, ...) that enforces the cluster's security rules.",
        remediation: "Let only the cluster administrators and the installers of the policy \
                      engine and operators manage webhook configurations. Operators that \
                      patch their own webhook's CA bundle need `get` and `patch` on their \
                      webhook only: limit them with `resourceNames`.",
        example: "rules:\n  - apiGroups: [\"admissionregistration.k8s.io\"]\n    resources: [\"validatingwebhookconfigurations\"]\n    resourceNames: [\"cert-manager-webhook\"]\n    verbs: [\"get\", \"patch\"]\n",
        references: &[
            "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#control-admission-webhooks",
            "https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/",
        ],
        controls: &[
            "cis-kubernetes-1.12:5.1.12",
            "mitre-attack-containers:T1562.001",
            "nist-800-190:4.3.1",
            "nist-800-53-r5:AC-6(1)",
            "nist-800-53-r5:CM-5",
            "nsa-cisa-1.2:auth.least-privilege",
            "pci-dss-4.0:7.2.2",
            "soc2:CC6.3",
        ],
        equivalents: &["trivy:KSV114", "kubescape:C-0281"],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    check_rules(
        obj,
        out,
        &WEBHOOKS,
        "bound subjects can intercept and rewrite objects as they are admitted, or switch \
         off policy enforcement; keep this to cluster administrators",
    );
}
