use rampart_model::{Node, Object, PodSpec};

use crate::inventory::{Inventory, PodLabels, namespace_of};
use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "workload-not-selected-by-networkpolicy",
        title: "No NetworkPolicy in the scan selects the workload's pods",
        severity: Severity::Medium,
        category: Category::Network,
        enabled_by_default: false,
        finds: "Workloads (Pod, Deployment, StatefulSet, DaemonSet, Job, CronJob, ...) whose \
                pod labels no NetworkPolicy (`networking.k8s.io`) of the scan in the same \
                namespace selects: a policy selects them when its `podSelector` is empty or \
                missing, or matches the pod template's labels (`matchLabels` and \
                `matchExpressions`, evaluated as the API server does). Only the NetworkPolicies \
                in the scan are considered, which is why the check is off by default: enable \
                it when the scan holds the cluster's policies. Pods with `hostNetwork: true` \
                are skipped, since NetworkPolicies do not apply to them.",
        why: "Pods that no NetworkPolicy selects accept connections from every pod in the \
              cluster and can connect anywhere: one compromised workload can reach this one's \
              admin ports and databases, and this one can reach the cloud metadata service \
              and the internet to exfiltrate data.",
        remediation: "Add a NetworkPolicy whose podSelector matches these pods and allows only \
                      the traffic they need, ideally on top of a namespace-wide default-deny \
                      policy (an empty podSelector with no rules).",
        example: "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: web\nspec:\n  podSelector:\n    matchLabels:\n      app: web\n  policyTypes: [Ingress]\n  ingress:\n    - from:\n        - podSelector:\n            matchLabels:\n              app: frontend\n      ports:\n        - port: 8080\n",
        references: &[
            "https://kubernetes.io/docs/concepts/services-networking/network-policies/",
            "https://kubernetes.io/docs/concepts/security/security-checklist/#network-security",
        ],
        controls: &[
            "cis-kubernetes-1.12:5.3.2",
            "hipaa-security:164.312(a)(1)",
            "mitre-attack-containers:T1046",
            "nist-800-190:4.3.3",
            "nist-800-53-r5:AC-4",
            "nsa-cisa-1.2:network.network-policies",
            "pci-dss-4.0:1.3.1",
            "soc2:CC6.1",
        ],
        equivalents: &[
            "kube-score:pod-networkpolicy",
            "kube-linter:non-isolated-pod",
            "polaris:missingNetworkPolicy",
            "kubescape:C-0260",
        ],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(ctx: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    let Some(pod) = PodSpec::of(obj) else {
        return;
    };
    if pod.node.get("hostNetwork").and_then(Node::as_bool) == Some(true) {
        return;
    }
    let Some(index) = Inventory::index_of(ctx.objects, obj) else {
        return;
    };
    let ns = namespace_of(obj);
    if ctx.inventory.selected_by_network_policy(index, ns) {
        return;
    }
    let labels = ctx
        .inventory
        .pod_labels(index)
        .map_or_else(|| PodLabels::default().to_string(), ToString::to_string);
    let metadata = pod.path.strip_suffix("spec").unwrap_or("");
    out.object(
        &format!("{metadata}metadata.labels"),
        format!(
            "no NetworkPolicy among the scanned objects of namespace \"{ns}\" selects these pods \
             ({labels}): they accept traffic from any pod and may connect anywhere; add a \
             NetworkPolicy that selects them"
        ),
    );
}
