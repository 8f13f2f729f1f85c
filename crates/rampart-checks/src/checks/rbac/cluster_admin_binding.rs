use rampart_model::{Node, Object};

use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity, Target};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "cluster-admin-binding",
        title: "Binding grants the cluster-admin ClusterRole",
        severity: Severity::High,
        category: Category::Rbac,
        target: Target::Kinds(&["RoleBinding", "ClusterRoleBinding"]),
        finds: "RoleBindings and ClusterRoleBindings (rbac.authorization.k8s.io) whose \
                `roleRef` is the ClusterRole `cluster-admin`, whoever the subjects are \
                (bindings to the `system:masters` group included).",
        why: "`cluster-admin` allows every verb on every resource. Bound with a \
              ClusterRoleBinding it gives full control of the cluster: reading every Secret, \
              running privileged pods on any node, and granting itself anything else. Bound \
              with a RoleBinding it gives full control of the namespace, including its \
              Secrets and its RBAC. A compromised subject (a CI token, an operator's service \
              account, a user's laptop) compromises everything it can reach, and the \
              binding is rarely needed by anyone but the few break-glass administrators.",
        remediation: "Bind a purpose-built Role or ClusterRole with only the permissions the \
                      subject uses (or the built-in `admin`, `edit` or `view` roles within a \
                      namespace), and keep cluster-admin for a small, audited group.",
        example: "roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: deployer\n",
        references: &[
            "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles",
            "https://kubernetes.io/docs/concepts/security/rbac-good-practices/",
        ],
        controls: &[
            "cis-kubernetes-1.12:5.1.1",
            "hipaa-security:164.312(a)(1)",
            "mitre-attack-containers:T1098.006",
            "nist-800-190:4.3.1",
            "nist-800-190:4.3.2",
            "nist-800-53-r5:AC-6",
            "nist-800-53-r5:AC-6(1)",
            "nist-800-53-r5:AC-6(5)",
            "nsa-cisa-1.2:auth.least-privilege",
            "pci-dss-4.0:7.2.2",
            "soc2:CC6.3",
        ],
        equivalents: &[
            "trivy:KSV111",
            "kube-linter:cluster-admin-role-binding",
            "polaris:clusterrolebindingClusterAdmin",
            "polaris:rolebindingClusterAdminClusterRole",
        ],
        ..CheckMeta::DEFAULT
    },
    run,
};

/// `group "ops"`, `serviceaccount "ci/deployer"`.
fn subject(s: &Node) -> Option<String> {
    let name = s.get("name").and_then(Node::scalar_text)?;
    let kind = s
        .get("kind")
        .and_then(Node::scalar_text)
        .unwrap_or("subject")
        .to_lowercase();
    Some(
        match s
            .get("namespace")
            .and_then(Node::scalar_text)
            .filter(|n| !n.is_empty())
        {
            Some(ns) if kind == "serviceaccount" => format!("{kind} \"{ns}/{name}\""),
            _ => format!("{kind} \"{name}\""),
        },
    )
}

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if obj.group() != "rbac.authorization.k8s.io"
        || !matches!(obj.kind.as_str(), "RoleBinding" | "ClusterRoleBinding")
    {
        return;
    }
    let Some(role) = obj.root.get("roleRef") else {
        return;
    };
    let kind = role.get("kind").and_then(Node::scalar_text);
    let name = role.get("name").and_then(Node::scalar_text);
    if kind != Some("ClusterRole") || name != Some("cluster-admin") {
        return;
    }
    let scope = if obj.kind == "ClusterRoleBinding" {
        "on the whole cluster"
    } else {
        "within its namespace"
    };
    let subjects: Vec<String> = obj
        .root
        .get("subjects")
        .map(Node::items)
        .unwrap_or_default()
        .filter_map(subject)
        .collect();
    let to = match subjects.len() {
        0 => " (no subjects yet)".to_string(),
        1..=3 => format!(" to {}", subjects.join(", ")),
        n => format!(" to {} and {} more", subjects[..3].join(", "), n - 3),
    };
    out.object(
        "roleRef.name",
        format!("binding grants cluster-admin {scope}{to}"),
    );
}
