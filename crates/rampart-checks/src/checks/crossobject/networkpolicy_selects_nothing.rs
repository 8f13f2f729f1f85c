use rampart_model::Object;

use crate::inventory::{LabelSelector, namespace_of};
use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity, Target};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "networkpolicy-selects-nothing",
        title: "NetworkPolicy podSelector matches no pod template in the scan",
        severity: Severity::Medium,
        category: Category::Network,
        target: Target::Kinds(&["NetworkPolicy"]),
        finds: "NetworkPolicies (`networking.k8s.io`) whose `spec.podSelector` is not empty \
                (`matchLabels` and `matchExpressions` with In, NotIn, Exists and DoesNotExist, \
                as the API server evaluates them) and matches the pod labels of no workload of \
                the scan in the policy's namespace. Only the scanned objects are considered: \
                nothing is reported when the scan holds no workload in that namespace, or \
                holds custom resources there whose operators may create the pods. Labels that \
                controllers add at run time (`pod-template-hash`, ...) are taken to match.",
        why: "A policy that selects no pod isolates nothing: the pods it was written for keep \
              accepting (or sending) any traffic while the policy suggests otherwise. It is \
              usually a label typo, a label renamed in the workload but not in the policy, or \
              a policy left behind by a removed component.",
        remediation: "Make the podSelector match the labels of the pod templates it should \
                      protect, or delete the policy if its pods are gone.",
        example: "spec:\n  podSelector:\n    matchLabels:\n      app.kubernetes.io/name: web\n  policyTypes: [Ingress]\n  ingress:\n    - from:\n        - podSelector:\n            matchLabels:\n              app.kubernetes.io/name: frontend\n",
        references: &[
            "https://kubernetes.io/docs/concepts/services-networking/network-policies/",
            "https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors",
        ],
        controls: &[
            "mitre-attack-containers:T1046",
            "nist-800-190:4.3.3",
            "nist-800-53-r5:AC-4",
            "nsa-cisa-1.2:network.network-policies",
            "pci-dss-4.0:1.3.1",
        ],
        equivalents: &[
            "kube-linter:dangling-networkpolicy",
            "kube-score:networkpolicy-targets-pod",
        ],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(ctx: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if obj.kind != "NetworkPolicy" || !matches!(obj.group(), "networking.k8s.io" | "extensions") {
        return;
    }
    let Some(node) = obj.root.at("spec.podSelector").filter(|n| !n.is_null()) else {
        return;
    };
    // An invalid selector is rejected by the API server; an empty one selects every pod.
    let Ok(selector) = LabelSelector::parse(node) else {
        return;
    };
    if selector.is_empty() {
        return;
    }
    let ns = namespace_of(obj);
    if ctx.inventory.workloads_in(ns).is_empty() || ctx.inventory.has_custom_resources(ns) {
        return;
    }
    if !ctx.inventory.selected(ns, &selector).is_empty() {
        return;
    }
    out.object(
        "spec.podSelector",
        format!(
            "podSelector {selector} matches the pods of no workload among the scanned objects \
             of namespace \"{ns}\": the policy isolates nothing; fix the selector or the pod \
             template labels"
        ),
    );
}
