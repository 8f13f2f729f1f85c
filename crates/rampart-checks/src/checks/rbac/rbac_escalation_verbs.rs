use rampart_model::Object;

use crate::rbac::{ESCALATE, check_rules};
use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity, Target};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "rbac-escalation-verbs",
        title: "Role or ClusterRole allows bind, escalate or impersonate",
        severity: Severity::High,
        category: Category::Rbac,
        target: Target::Kinds(&["Role", "ClusterRole"]),
        finds: "Rules of Roles and ClusterRoles (rbac.authorization.k8s.io) that allow \
                `bind` or `escalate` on `roles` or `clusterroles` (rbac.authorization.k8s.io), \
                or `impersonate` on `users`, `groups` or `serviceaccounts` (core group), \
                directly or through `*` in `verbs`, `resources` or `apiGroups`. One finding \
                per rule, also when limited by `resourceNames` (the names are shown: binding \
                only `view` is harmless, binding `cluster-admin` is not). In a Role, \
                `escalate` on clusterroles and impersonating users or groups grant nothing \
                (the API server checks them without a namespace) and are not reported, while \
                `bind` on clusterroles is: it lets the subject create RoleBindings to any \
                ClusterRole in the Role's namespace. Aggregated ClusterRoles are skipped.",
        why: "RBAC stops a subject from granting permissions it does not hold, and these \
              verbs switch that protection off. `escalate` lets it edit roles to add any \
              permission; `bind` lets it bind roles it does not hold, `cluster-admin` \
              included; `impersonate` lets it send requests as another user, group or \
              service account (a user in `system:masters`, or a controller's account), \
              with all their permissions. Each is equivalent to the most powerful role \
              reachable in its scope.",
        remediation: "Keep these verbs to the RBAC administrators' own role. Where a \
                      delegated administrator must create bindings, limit `bind` with \
                      `resourceNames` to the roles they may hand out, and limit \
                      `impersonate` to named service accounts used for testing.",
        example: "rules:\n  - apiGroups: [\"rbac.authorization.k8s.io\"]\n    resources: [\"clusterroles\"]\n    resourceNames: [\"view\"]\n    verbs: [\"bind\"]\n",
        references: &[
            "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#escalate-verb",
            "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#bind-verb",
            "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#impersonate-verb",
            "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#privilege-escalation-prevention-and-bootstrapping",
        ],
        controls: &[
            "cis-kubernetes-1.12:5.1.8",
            "hipaa-security:164.312(a)(1)",
            "mitre-attack-containers:T1098.006",
            "nist-800-190:4.3.1",
            "nist-800-53-r5:AC-6(1)",
            "nist-800-53-r5:AC-6(10)",
            "nsa-cisa-1.2:auth.least-privilege",
            "pci-dss-4.0:7.2.2",
            "soc2:CC6.3",
        ],
        equivalents: &[
            "trivy:KSV043",
            "trivy:KSV050",
            "kubescape:C-0065",
            "kubescape:C-0191",
        ],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    check_rules(
        obj,
        out,
        &ESCALATE,
        "bound subjects can grant themselves permissions they do not hold or act as another \
         identity; keep these verbs to RBAC administrators, or limit them with resourceNames",
    );
}
