use rampart_model::Object;

use crate::rbac::{EXEC_PODS, check_rules};
use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity, Target};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "rbac-pods-exec",
        title: "Role or ClusterRole can run commands in existing pods",
        severity: Severity::High,
        category: Category::Rbac,
        target: Target::Kinds(&["Role", "ClusterRole"]),
        finds: "Rules of Roles and ClusterRoles (rbac.authorization.k8s.io) that allow \
                `create` or `get` on `pods/exec` or `pods/attach`, or `update` or `patch` on \
                `pods/ephemeralcontainers` (core group), directly or through `*`, \
                `*/exec`-style resources, `*` verbs or `*` API groups. `get` counts because \
                WebSocket clients open exec and attach sessions with an HTTP GET, authorized \
                as `get` before Kubernetes 1.35 (and later when the \
                `AuthorizePodWebsocketUpgradeCreatePermission` feature gate is off). One \
                finding per rule; rules limited by `resourceNames` are still reported (exec \
                into one pod is still code execution as that pod). `pods/portforward` is not \
                reported: it opens network connections to a pod, not processes in it. \
                Aggregated ClusterRoles are skipped.",
        why: "exec and attach run commands inside a running container, and an ephemeral \
              container runs any image inside an existing pod: either way the subject acts \
              with the pod's service account token, Secrets, volumes and, for privileged or \
              host-namespace pods, root on the node. It bypasses the admission checks that \
              apply to new pods, and the API server's audit log records only the command \
              that opened the session, not what is then typed into an interactive shell.",
        remediation: "Grant exec and attach to nobody by default; give on-call engineers a \
                      time-limited, audited break-glass role for debugging, and prefer logs, \
                      metrics and `kubectl debug` on a copy of the pod.",
        example: "rules:\n  - apiGroups: [\"\"]\n    resources: [\"pods\", \"pods/log\"]\n    verbs: [\"get\", \"list\", \"watch\"]\n",
        references: &[
            "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-resources",
            "https://kubernetes.io/docs/tasks/debug/debug-application/debug-running-pod/#ephemeral-container",
        ],
        controls: &[
            "hipaa-security:164.312(a)(1)",
            "mitre-attack-containers:T1609",
            "nist-800-190:4.3.1",
            "nist-800-53-r5:AC-6",
            "nist-800-53-r5:CM-5",
            "nsa-cisa-1.2:auth.least-privilege",
            "pci-dss-4.0:7.2.2",
            "soc2:CC6.3",
        ],
        equivalents: &["trivy:KSV053", "trivy:KSV054", "kubescape:C-0002"],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    check_rules(
        obj,
        out,
        &EXEC_PODS,
        "bound subjects can run commands in running pods with their service accounts and \
         Secrets; keep this to a break-glass role",
    );
}
