use rampart_model::{Node, Object};

use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity, Target};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "rbac-wildcard",
        title: "Role or ClusterRole rule uses a wildcard",
        severity: Severity::High,
        category: Category::Rbac,
        target: Target::Kinds(&["Role", "ClusterRole"]),
        finds: "Rules of Roles and ClusterRoles (rbac.authorization.k8s.io) with `*` in \
                `verbs`, `*` or `*/<subresource>` in `resources`, or `*` in `apiGroups`: one \
                finding per rule and field. ClusterRoles with an `aggregationRule` are \
                skipped, because the controller manager overwrites their rules with those \
                of the ClusterRoles they aggregate.",
        why: "A wildcard grants more than anyone reviewed: `verbs: [\"*\"]` includes \
              `delete` and the privilege-granting `escalate`, `bind` and `impersonate`; \
              `resources: [\"*\"]` includes Secrets, pods/exec and RBAC objects and every \
              subresource; and every wildcard silently extends to the verbs, resources and \
              API groups added later by a Kubernetes upgrade or a new CRD. A rule with \
              wildcards in verbs, resources and API groups is full admin over its scope.",
        remediation: "List the API groups, resources and verbs the subjects actually use \
                      (the API server's audit log shows which requests they make), and split \
                      broad needs into several narrow rules.",
        example: "rules:\n  - apiGroups: [\"apps\"]\n    resources: [\"deployments\"]\n    verbs: [\"get\", \"list\", \"watch\", \"patch\"]\n",
        references: &[
            "https://kubernetes.io/docs/concepts/security/rbac-good-practices/",
            "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#aggregated-clusterroles",
        ],
        controls: &[
            "cis-kubernetes-1.12:5.1.3",
            "hipaa-security:164.312(a)(1)",
            "mitre-attack-containers:T1098.006",
            "nist-800-190:4.3.1",
            "nist-800-53-r5:AC-6",
            "nsa-cisa-1.2:auth.least-privilege",
            "pci-dss-4.0:7.2.2",
            "soc2:CC6.3",
        ],
        equivalents: &[
            "trivy:KSV044",
            "trivy:KSV045",
            "trivy:KSV046",
            "checkov:CKV_K8S_49",
            "kube-linter:wildcard-in-rules",
        ],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if obj.group() != "rbac.authorization.k8s.io" || !matches!(obj.kind.as_str(), "Role" | "ClusterRole") {
        return;
    }
    if obj.kind == "ClusterRole" && obj.root.get("aggregationRule").is_some_and(|n| !n.is_null()) {
        return;
    }
    let Some(rules) = obj.root.get("rules") else {
        return;
    };
    for (i, rule) in rules.items().enumerate() {
        for (field, what) in [
            ("verbs", "allows every verb"),
            ("resources", "covers every resource"),
            ("apiGroups", "covers every API group"),
        ] {
            let Some((key, list)) = rule.get_entry(field) else {
                continue;
            };
            let wild = list
                .items()
                .filter_map(Node::scalar_text)
                .find(|v| *v == "*" || (field == "resources" && v.starts_with("*/")));
            if let Some(v) = wild {
                let what = match v.strip_prefix("*/") {
                    Some(sub) => format!("covers subresource {sub} of every resource"),
                    None => what.to_string(),
                };
                out.object_at(
                    key.pos,
                    &format!("rules[{i}].{field}"),
                    format!("rule {i} {what} (\"{v}\" in {field})"),
                );
            }
        }
    }
}
