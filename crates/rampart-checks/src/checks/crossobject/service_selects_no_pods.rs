use rampart_model::{Node, Object};

use crate::inventory::{LabelSelector, namespace_of};
use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity, Target};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "service-selects-no-pods",
        title: "Service selector matches no pod template in the scan",
        severity: Severity::Medium,
        category: Category::Reliability,
        target: Target::Kinds(&["Service"]),
        finds: "Services (core v1, not ExternalName) with a non-empty `spec.selector` that \
                matches the pod labels of no workload (Pod, Deployment, StatefulSet, \
                DaemonSet, ReplicaSet, Job, CronJob, ...) of the scan in the Service's \
                namespace. Only the scanned objects are considered, so the check says nothing \
                when the scan holds no workload in that namespace, or holds custom resources \
                there whose operators may create the pods. Labels that controllers add at run \
                time (`pod-template-hash`, `statefulset.kubernetes.io/pod-name`, `job-name`, \
                ...) are taken to match.",
        why: "A Service whose selector matches no pod has no endpoints: clients get \
              connection refused or time out although everything looks deployed. It is \
              usually a typo in a label, a label renamed in the workload but not in the \
              Service, or a Service left behind by a removed component.",
        remediation: "Make the selector match the labels of the pod template it should serve \
                      (labels, not the workload's own metadata labels), or delete the Service \
                      if its pods are gone.",
        example: "# Service\nspec:\n  selector:\n    app.kubernetes.io/name: web\n---\n# Deployment\nspec:\n  template:\n    metadata:\n      labels:\n        app.kubernetes.io/name: web\n",
        references: &[
            "https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service",
            "https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors",
        ],
        equivalents: &["kube-linter:dangling-service", "kube-score:service-targets-pod"],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(ctx: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if obj.kind != "Service" || !obj.group().is_empty() {
        return;
    }
    let Some(spec) = obj.root.get("spec") else {
        return;
    };
    if spec.get("type").and_then(Node::as_str) == Some("ExternalName") {
        return;
    }
    // No selector (or an empty one): endpoints are managed by hand.
    let Some(selector) = spec.get("selector").filter(|s| s.entries().next().is_some()) else {
        return;
    };
    let ns = namespace_of(obj);
    if ctx.inventory.workloads_in(ns).is_empty() || ctx.inventory.has_custom_resources(ns) {
        return;
    }
    let selector = LabelSelector::from_map(selector);
    if !ctx.inventory.selected(ns, &selector).is_empty() {
        return;
    }
    out.object(
        "spec.selector",
        format!(
            "selector {selector} matches the pods of no workload among the scanned objects of \
             namespace \"{ns}\": the Service would have no endpoints; fix the selector or the \
             pod template labels"
        ),
    );
}
