use rampart_model::{Node, Object};

use crate::inventory::{Inventory, namespace_of};
use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity, Target};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "pdb-missing",
        title: "Replicated workload has no PodDisruptionBudget in the scan",
        severity: Severity::Low,
        category: Category::Reliability,
        enabled_by_default: false,
        target: Target::Kinds(&["Deployment", "StatefulSet"]),
        finds: "Deployments and StatefulSets (`apps`) with `spec.replicas` of 2 or more, or \
                scaled by a HorizontalPodAutoscaler of the scan (and `spec.replicas` not 0), \
                whose pods no PodDisruptionBudget (`policy`) of the scan in the same namespace \
                selects (`matchLabels` and `matchExpressions` as the API server evaluates \
                them; an empty selector selects every pod in `policy/v1` and none in \
                `policy/v1beta1`). Only the PodDisruptionBudgets in the scan are considered, \
                and whether one is needed is a design decision, so the check is off by \
                default.",
        why: "Without a PodDisruptionBudget, voluntary disruptions (node drains during \
              cluster upgrades, autoscaler scale-downs, spot node replacement) may evict every \
              replica at the same time, turning routine maintenance into an outage of a \
              workload that was replicated precisely to stay available.",
        remediation: "Add a PodDisruptionBudget whose selector matches the pod template's \
                      labels, with `maxUnavailable: 1` (or a `minAvailable` below the replica \
                      count, so that drains can still proceed).",
        example: "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: web\nspec:\n  maxUnavailable: 1\n  selector:\n    matchLabels:\n      app: web\n",
        references: &[
            "https://kubernetes.io/docs/concepts/workloads/pods/disruptions/",
            "https://kubernetes.io/docs/tasks/run-application/configure-pdb/",
        ],
        equivalents: &[
            "kube-score:deployment-has-poddisruptionbudget",
            "kube-score:statefulset-has-poddisruptionbudget",
            "polaris:missingPodDisruptionBudget",
        ],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(ctx: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if !matches!(obj.kind.as_str(), "Deployment" | "StatefulSet")
        || !matches!(obj.group(), "apps" | "extensions")
    {
        return;
    }
    let ns = namespace_of(obj);
    let replicas = obj
        .root
        .at("spec.replicas")
        .filter(|n| !n.is_null())
        .map_or(Some(1), Node::as_i64);
    let Some(replicas) = replicas else {
        return;
    };
    let autoscaled = ctx.inventory.autoscaled(&obj.kind, ns, &obj.name);
    if replicas == 0 || (replicas < 2 && !autoscaled) {
        return;
    }
    let Some(index) = Inventory::index_of(ctx.objects, obj) else {
        return;
    };
    if ctx.inventory.selected_by_disruption_budget(index, ns) {
        return;
    }
    let labels = ctx
        .inventory
        .pod_labels(index)
        .map(ToString::to_string)
        .unwrap_or_default();
    let runs = if autoscaled {
        "is scaled by a HorizontalPodAutoscaler".to_string()
    } else {
        format!("runs {replicas} replicas")
    };
    out.object(
        "spec.replicas",
        format!(
            "{} {runs} but no PodDisruptionBudget among the scanned objects of namespace \
             \"{ns}\" selects its pods ({labels}): a node drain may evict all of them at once; \
             add a PodDisruptionBudget",
            obj.kind
        ),
    );
}
