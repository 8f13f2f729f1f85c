use rampart_model::Object;

use crate::rbac::Binding;
use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity, Target};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "rbac-binding-to-system-group",
        title: "Binding grants a role to every authenticated identity or to system:masters",
        severity: Severity::High,
        category: Category::Rbac,
        target: Target::Kinds(&["RoleBinding", "ClusterRoleBinding"]),
        finds: "RoleBindings and ClusterRoleBindings (rbac.authorization.k8s.io) with a \
                `User` or `Group` subject named `system:authenticated` (every authenticated \
                identity), `system:serviceaccounts` (every service account of every \
                namespace) or `system:masters`: one finding per subject, at its `name`. The \
                default ClusterRoleBindings of the discovery roles (`system:basic-user`, \
                `system:discovery`, `system:public-info-viewer`, \
                `system:service-account-issuer-discovery`) are not reported. Bindings to \
                `system:anonymous` and `system:unauthenticated` are reported by \
                `rbac-binding-to-unauthenticated`.",
        why: "`system:authenticated` is everyone with any credential: every user of the \
              identity provider, every node, and every pod's service account token, so a \
              single compromised container anywhere gets the role; on some managed \
              platforms it has even included any account of the cloud provider. \
              `system:serviceaccounts` is every pod of every namespace. `system:masters` \
              already bypasses RBAC, so a binding to it adds nothing, but shows that \
              credentials in that group are in use: they are never checked by RBAC or \
              authorization webhooks and cannot be revoked by removing a binding.",
        remediation: "Bind the role to the specific groups or service accounts that need \
                      it. Give administrators credentials that map to an ordinary group \
                      bound to a ClusterRole, and keep `system:masters` certificates for \
                      break-glass access only.",
        example: "subjects:\n  - kind: ServiceAccount\n    name: metrics-reader\n    namespace: monitoring\n",
        references: &[
            "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#least-privilege",
            "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#discovery-roles",
        ],
        controls: &[
            "hipaa-security:164.312(a)(1)",
            "mitre-attack-containers:T1078",
            "mitre-attack-containers:T1613",
            "nist-800-190:4.3.1",
            "nist-800-53-r5:AC-3",
            "nist-800-53-r5:AC-6(5)",
            "nsa-cisa-1.2:auth.least-privilege",
            "nsa-cisa-1.2:auth.unique-roles",
            "pci-dss-4.0:7.2.2",
            "pci-dss-4.0:7.3.3",
            "soc2:CC6.1",
        ],
        ..CheckMeta::DEFAULT
    },
    run,
};

/// ClusterRoles the API server binds to these groups itself.
const DEFAULT_DISCOVERY: &[&str] = &[
    "system:basic-user",
    "system:discovery",
    "system:public-info-viewer",
    "system:service-account-issuer-discovery",
];

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    let Some(b) = Binding::parse(obj) else { return };
    if b.namespace.is_none() && b.role_kind == "ClusterRole" && DEFAULT_DISCOVERY.contains(&b.role_name) {
        return;
    }
    let scope = match b.namespace {
        Some(ns) => format!("in namespace \"{ns}\""),
        None => "on the whole cluster".to_string(),
    };
    for s in &b.subjects {
        let what = match s.name {
            "system:authenticated" => {
                "every authenticated identity, including every pod's service account token; \
                 bind the role to the groups or service accounts that need it"
            }
            "system:serviceaccounts" => {
                "every service account of every namespace, so any pod; bind the role to the \
                 service accounts that need it"
            }
            "system:masters" => {
                "whose members already bypass RBAC: the binding adds nothing but shows \
                 credentials in that group are in use, which no binding can revoke; give \
                 administrators an ordinary group"
            }
            _ => continue,
        };
        if !matches!(s.kind, "User" | "Group") {
            continue;
        }
        out.object_at(
            s.node.locate("name"),
            &format!("subjects[{}].name", s.index),
            format!(
                "binding grants {} \"{}\" {scope} to {}, {what}",
                b.role_kind,
                b.role_name,
                s.label()
            ),
        );
    }
}
