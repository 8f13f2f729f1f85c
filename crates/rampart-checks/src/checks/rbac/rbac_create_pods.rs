use rampart_model::Object;

use crate::rbac::{CREATE_PODS, check_rules};
use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity, Target};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "rbac-create-pods",
        title: "Role or ClusterRole can create pods or the workloads that run them",
        severity: Severity::High,
        category: Category::Rbac,
        target: Target::Kinds(&["Role", "ClusterRole"]),
        finds: "Rules of Roles and ClusterRoles (rbac.authorization.k8s.io) that allow \
                `create` on `pods` (core group), or `create`, `update` or `patch` on the \
                controllers that create pods from a template: `deployments`, `daemonsets`, \
                `statefulsets` and `replicasets` (apps), `jobs` and `cronjobs` (batch) and \
                `replicationcontrollers` (core), directly or through `*` in `verbs`, \
                `resources` or `apiGroups`. One finding per rule, at the matching `resources` \
                item. A resource in the wrong group (`pods` in `apps`) grants nothing and is \
                not reported; `resourceNames` cannot restrict `create` (the API server then \
                denies it) but does restrict `update` and `patch`, which are still reported. \
                Aggregated ClusterRoles are skipped.",
        why: "Whoever can make the cluster run a pod spec of their choosing can run it with \
              any service account of the namespace and mount any Secret, ConfigMap or \
              volume claim there, so they hold every permission and credential of the \
              namespace. Unless Pod Security Admission or a policy engine enforces at least \
              the baseline profile, they can also run privileged pods with host paths, host \
              PID or host network, which is root on the node and usually the cluster. \
              Updating a controller's pod template is as good as creating a pod.",
        remediation: "Let a deployment pipeline or GitOps controller, not people or \
                      application workloads, create and change workloads, and enforce Pod \
                      Security Admission (`restricted` or at least `baseline`) on every \
                      namespace where pods can be created. Grant read-only verbs to those who \
                      only need to look.",
        example: "rules:\n  - apiGroups: [\"apps\"]\n    resources: [\"deployments\"]\n    verbs: [\"get\", \"list\", \"watch\"]\n",
        references: &[
            "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#workload-creation",
            "https://kubernetes.io/docs/concepts/security/pod-security-admission/",
        ],
        controls: &[
            "cis-kubernetes-1.12:5.1.4",
            "mitre-attack-containers:T1610",
            "mitre-attack-containers:T1053.007",
            "mitre-attack-containers:T1543.005",
            "nist-800-190:4.3.1",
            "nist-800-190:4.4.5",
            "nist-800-53-r5:AC-6(10)",
            "nist-800-53-r5:CM-5",
            "nsa-cisa-1.2:auth.least-privilege",
            "pci-dss-4.0:7.2.2",
            "soc2:CC6.3",
        ],
        equivalents: &[
            "trivy:KSV048",
            "kube-linter:access-to-create-pods",
            "kubescape:C-0188",
        ],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(_: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    check_rules(
        obj,
        out,
        &CREATE_PODS,
        "bound subjects can run pods with any service account, Secret and volume of the \
         namespace, and privileged pods where Pod Security Admission does not forbid them; \
         keep this to deployment tooling",
    );
}
