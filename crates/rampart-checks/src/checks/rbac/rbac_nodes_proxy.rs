use rampart_model::Object;

use crate::rbac::{NODE_PROXY, check_rules};
use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity, Target};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "rbac-nodes-proxy",
        title: "ClusterRole can reach the kubelet API through nodes/proxy",
        severity: Severity::High,
        category: Category::Rbac,
        target: Target::Kinds(&["Role", "ClusterRole"]),
        finds: "Rules of ClusterRoles (rbac.authorization.k8s.io) that allow `get` or \
                `create` on `nodes/proxy` (core group), directly or through `*`, `*/proxy`, \
                `*` verbs or `*` API groups; one finding per rule, also when limited by \
                `resourceNames` (one node is enough). Rules in Roles are not reported: nodes \
                are cluster-scoped, so a Role cannot grant access to them. Aggregated \
                ClusterRoles are skipped.",
        why: "The API server forwards nodes/proxy requests to the kubelet with its own, \
              all-powerful kubelet client credentials. A GET or POST there reaches every \
              kubelet endpoint: list the pods of the node and run commands in any of their \
              containers (`/exec`, `/run`), whatever namespace they are in, including \
              control-plane and privileged pods. The kubelet also accepts the same permission \
              when called directly on its own port, so the commands need not pass through \
              the API server or its audit log at all. Monitoring agents that only need \
              metrics often get this permission by accident.",
        remediation: "Give metrics collectors `get` on `nodes/metrics` and `nodes/stats` \
                      instead (or scrape the kubelet's read-only metrics through a dedicated \
                      endpoint), and keep `nodes/proxy` for cluster administrators.",
        example: "rules:\n  - apiGroups: [\"\"]\n    resources: [\"nodes/metrics\", \"nodes/stats\"]\n    verbs: [\"get\"]\n",
        references: &[
            "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#access-to-proxy-subresource-of-nodes",
            "https://kubernetes.io/docs/reference/access-authn-authz/kubelet-authn-authz/",
        ],
        controls: &[
            "cis-kubernetes-1.12:5.1.10",
            "hipaa-security:164.312(a)(1)",
            "mitre-attack-containers:T1609",
            "nist-800-190:4.3.1",
            "nist-800-53-r5:AC-6",
            "nsa-cisa-1.2:auth.least-privilege",
            "pci-dss-4.0:7.2.2",
            "soc2:CC6.3",
        ],
        equivalents: &["trivy:KSV047", "kubescape:C-0279"],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    check_rules(
        obj,
        out,
        &NODE_PROXY,
        "bound subjects can run commands in any container on the nodes through the kubelet \
         API; grant nodes/metrics or nodes/stats for monitoring instead",
    );
}
