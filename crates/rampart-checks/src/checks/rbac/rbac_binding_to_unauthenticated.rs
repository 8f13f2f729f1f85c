use rampart_model::Object;

use crate::rbac::Binding;
use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity, Target};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "rbac-binding-to-unauthenticated",
        title: "Binding grants a role to anonymous or unauthenticated requests",
        severity: Severity::Critical,
        category: Category::Rbac,
        target: Target::Kinds(&["RoleBinding", "ClusterRoleBinding"]),
        finds: "RoleBindings and ClusterRoleBindings (rbac.authorization.k8s.io) with a \
                subject named `system:anonymous` (the user of requests without credentials) \
                or `system:unauthenticated` (their group), whichever of `User` or `Group` \
                the subject says: one finding per subject, at its `name`. The default \
                ClusterRoleBinding of `system:public-info-viewer` (health and version \
                endpoints) is not reported.",
        why: "When anonymous authentication is enabled (the API server default), every \
              request without credentials is made as user `system:anonymous` in group \
              `system:unauthenticated`. A binding to either grants its role to anyone who \
              can reach the API server over the network, with no credential to steal and \
              nothing to revoke: reading Secrets or creating pods this way is a \
              remote, unauthenticated cluster compromise, and internet scans for exposed \
              API servers look for exactly this.",
        remediation: "Remove the subject. Grant the role to the authenticated identities \
                      that need it (a group from the identity provider, or service \
                      accounts), and consider turning anonymous authentication off or \
                      limiting it to the health endpoints.",
        example: "subjects:\n  - kind: Group\n    apiGroup: rbac.authorization.k8s.io\n    name: oidc:platform-readers\n",
        references: &[
            "https://kubernetes.io/docs/reference/access-authn-authz/authentication/#anonymous-requests",
            "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#hardening",
        ],
        controls: &[
            "hipaa-security:164.312(a)(1)",
            "hipaa-security:164.312(d)",
            "mitre-attack-containers:T1133",
            "mitre-attack-containers:T1613",
            "nist-800-190:4.3.2",
            "nist-800-53-r5:AC-3",
            "nist-800-53-r5:AC-14",
            "nsa-cisa-1.2:auth.least-privilege",
            "pci-dss-4.0:7.3.3",
            "pci-dss-4.0:8.3.1",
            "soc2:CC6.1",
        ],
        equivalents: &["trivy:KSV122", "kubescape:C-0262"],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    let Some(b) = Binding::parse(obj) else { return };
    if b.namespace.is_none() && b.role_kind == "ClusterRole" && b.role_name == "system:public-info-viewer" {
        return;
    }
    let scope = match b.namespace {
        Some(ns) => format!("in namespace \"{ns}\""),
        None => "on the whole cluster".to_string(),
    };
    for s in &b.subjects {
        let who = match s.name {
            "system:anonymous" => "every request without credentials",
            "system:unauthenticated" => "every request without valid credentials",
            _ => continue,
        };
        if !matches!(s.kind, "User" | "Group") {
            continue;
        }
        out.object_at(
            s.node.locate("name"),
            &format!("subjects[{}].name", s.index),
            format!(
                "binding grants {} \"{}\" {scope} to {} ({who}); remove the subject and bind the \
                 role to authenticated identities",
                b.role_kind,
                b.role_name,
                s.label()
            ),
        );
    }
}
