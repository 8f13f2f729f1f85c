use rampart_model::{Node, Object};

use crate::inventory::namespace_of;
use crate::{Category, Check, CheckMeta, Ctx, Emitter, Severity, Target};

/// Built-in kinds with a `scale` subresource that the scan models as workloads.
const SCALABLE: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "ReplicaSet",
    "ReplicationController",
    "DeploymentConfig",
    "Rollout",
];

/// Built-in workload kinds without a `scale` subresource.
const NOT_SCALABLE: &[&str] = &["DaemonSet", "Job", "CronJob", "Pod"];

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "hpa-missing-target",
        title: "HorizontalPodAutoscaler targets an object that is not in the scan or cannot scale",
        severity: Severity::Medium,
        category: Category::Reliability,
        target: Target::Kinds(&["HorizontalPodAutoscaler"]),
        finds: "HorizontalPodAutoscalers (`autoscaling`, any version) whose \
                `spec.scaleTargetRef` names a DaemonSet, Job, CronJob or Pod of a built-in API \
                group (kinds without a `scale` subresource), or a Deployment, StatefulSet, \
                ReplicaSet, ReplicationController, DeploymentConfig or Rollout (or any kind of \
                which the scan holds objects in the namespace) that is not among the scanned \
                objects of the autoscaler's namespace. Only the scanned objects are considered: \
                a missing target is reported only when the scan holds workloads in that \
                namespace and no custom resources whose operators may create the target.",
        why: "An autoscaler without a valid target does nothing: its status reports \
              `FailedGetScale` and the workload it was meant for runs at a fixed replica \
              count, typically too few under load. It is usually a renamed Deployment, a \
              wrong kind, or an autoscaler left behind by a removed component.",
        remediation: "Point `scaleTargetRef` at the kind and name of the workload to scale, in \
                      the same namespace, and delete autoscalers whose workload is gone.",
        example: "spec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: web\n  minReplicas: 2\n  maxReplicas: 10\n",
        references: &[
            "https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/",
            "https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/horizontal-pod-autoscaler-v2/",
        ],
        equivalents: &[
            "kube-linter:dangling-horizontalpodautoscaler",
            "kube-score:horizontalpodautoscaler-has-target",
        ],
        ..CheckMeta::DEFAULT
    },
    run,
};

fn run(ctx: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if obj.kind != "HorizontalPodAutoscaler" || obj.group() != "autoscaling" {
        return;
    }
    let Some(target) = obj.root.at("spec.scaleTargetRef") else {
        return;
    };
    let (Some(kind), Some(name)) = (
        target.get("kind").and_then(Node::scalar_text),
        target.get("name").and_then(Node::scalar_text),
    ) else {
        return;
    };
    let group = target
        .get("apiVersion")
        .and_then(Node::scalar_text)
        .map_or("", |v| v.rsplit_once('/').map_or("", |(g, _)| g));
    if NOT_SCALABLE.contains(&kind) && matches!(group, "" | "apps" | "batch" | "extensions") {
        out.object(
            "spec.scaleTargetRef.kind",
            format!(
                "scaleTargetRef kind {kind} has no scale subresource: the autoscaler cannot scale \
                 it; target a Deployment or StatefulSet"
            ),
        );
        return;
    }
    let ns = namespace_of(obj);
    let inv = ctx.inventory;
    if inv.find(kind, ns, name).is_some()
        || inv.workloads_in(ns).is_empty()
        || inv.has_custom_resources(ns)
        || (!SCALABLE.contains(&kind) && inv.in_namespace(kind, ns).is_empty())
    {
        return;
    }
    out.object(
        "spec.scaleTargetRef.name",
        format!(
            "scaleTargetRef {kind} \"{name}\" is not among the scanned objects of namespace \
             \"{ns}\": the autoscaler has nothing to scale; fix the kind or name"
        ),
    );
}
