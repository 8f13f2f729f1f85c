use rampart_model::Object;

use crate::rbac::{SERVICE_ACCOUNT_TOKEN, check_rules};
use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity, Target};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "rbac-serviceaccount-token",
        title: "Role or ClusterRole can mint service account tokens",
        severity: Severity::High,
        category: Category::Rbac,
        target: Target::Kinds(&["Role", "ClusterRole"]),
        finds: "Rules of Roles and ClusterRoles (rbac.authorization.k8s.io) that allow \
                `create` on `serviceaccounts/token` (core group), directly or through `*`, \
                `*/token`, `*` verbs or `*` API groups; one finding per rule, also when \
                limited by `resourceNames` (the named accounts are shown). Aggregated \
                ClusterRoles are skipped.",
        why: "The TokenRequest API issues a token for the named service account, with an \
              expiry the requester chooses (up to the API server's maximum). Whoever can \
              call it can act as every service account in scope, controllers and operators \
              with broad permissions included, and keep that access after their own \
              credentials are revoked until the minted tokens expire.",
        remediation: "Grant `create` on `serviceaccounts/token` only to the components that \
                      hand out tokens (CI runners federating with a cloud, for example), \
                      limited with `resourceNames` to the accounts they need, in a Role in \
                      that namespace.",
        example: "rules:\n  - apiGroups: [\"\"]\n    resources: [\"serviceaccounts/token\"]\n    resourceNames: [\"ci-deployer\"]\n    verbs: [\"create\"]\n",
        references: &[
            "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#token-request",
            "https://kubernetes.io/docs/reference/kubernetes-api/authentication-resources/token-request-v1/",
        ],
        controls: &[
            "cis-kubernetes-1.12:5.1.13",
            "hipaa-security:164.312(a)(1)",
            "mitre-attack-containers:T1550.001",
            "mitre-attack-containers:T1528",
            "nist-800-190:4.3.1",
            "nist-800-53-r5:AC-6(10)",
            "nsa-cisa-1.2:auth.least-privilege",
            "pci-dss-4.0:7.2.2",
            "soc2:CC6.3",
        ],
        equivalents: &["kubescape:C-0282"],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    check_rules(
        obj,
        out,
        &SERVICE_ACCOUNT_TOKEN,
        "bound subjects can issue tokens for the service accounts in scope and act as them; \
         limit it with resourceNames to the accounts that need it",
    );
}
