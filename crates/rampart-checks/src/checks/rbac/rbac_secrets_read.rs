use rampart_model::Object;

use crate::rbac::{READ_SECRETS, check_rules};
use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity, Target};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "rbac-secrets-read",
        title: "Role or ClusterRole can read Secrets",
        severity: Severity::High,
        category: Category::Rbac,
        target: Target::Kinds(&["Role", "ClusterRole"]),
        finds: "Rules of Roles and ClusterRoles (rbac.authorization.k8s.io) that allow `get`, \
                `list` or `watch` on `secrets` in the core API group, directly or through `*` \
                in `verbs`, `resources` or `apiGroups`: one finding per rule, at the matching \
                `resources` item. Rules limited by `resourceNames` are not reported: reading \
                named Secrets is the narrow form this check recommends. ClusterRoles with an \
                `aggregationRule` are skipped (their rules are overwritten by the controller \
                manager; the ClusterRoles they aggregate are checked instead).",
        why: "Secrets hold the credentials of everything in their namespace: database \
              passwords, TLS keys, cloud keys, and the tokens of service accounts, some of \
              which are usually far more privileged than the reader. `list` and `watch` return \
              the full contents of every Secret, not just their names, so a rule meant to let \
              a tool \"see which Secrets exist\" hands out all of them. Bound cluster-wide, \
              the role reads the tokens of controllers in kube-system, which in most clusters \
              is one step from cluster-admin.",
        remediation: "Mount the Secrets a workload needs as volumes or environment variables \
                      instead of reading them through the API. Where API access is needed, \
                      grant `get` only, on the named Secrets (`resourceNames`), in a Role in \
                      the namespace concerned.",
        example: "rules:\n  - apiGroups: [\"\"]\n    resources: [\"secrets\"]\n    resourceNames: [\"payments-api-tls\"]\n    verbs: [\"get\"]\n",
        references: &[
            "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#listing-secrets",
            "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-resources",
        ],
        controls: &[
            "cis-kubernetes-1.12:5.1.2",
            "hipaa-security:164.312(a)(1)",
            "mitre-attack-containers:T1552.007",
            "mitre-attack-containers:T1528",
            "nist-800-190:4.3.1",
            "nist-800-53-r5:AC-6",
            "nsa-cisa-1.2:auth.least-privilege",
            "nsa-cisa-1.2:auth.secrets-access",
            "pci-dss-4.0:7.2.2",
            "soc2:CC6.3",
        ],
        equivalents: &[
            "trivy:KSV041",
            "trivy:KSV113",
            "kube-linter:access-to-secrets",
            "kubescape:C-0015",
            "kubescape:C-0186",
        ],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    check_rules(
        obj,
        out,
        &READ_SECRETS,
        "bound subjects can read the Secrets in scope, service account tokens included; \
         mount the Secrets instead, or allow get on named Secrets (resourceNames)",
    );
}
