use rampart_model::{Node, Object};

use crate::inventory::namespace_of;
use crate::{Category, Check, CheckMeta, Ctx, Emitter, ParamDefault, ParamSpec, Severity, Target};

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: "replicas-too-few",
        title: "Workload runs fewer replicas than required for availability",
        severity: Severity::Low,
        category: Category::Reliability,
        enabled_by_default: false,
        target: Target::Kinds(&["Deployment", "StatefulSet", "ReplicaSet"]),
        finds: "Deployments, StatefulSets and ReplicaSets (`apps` or `extensions`) whose \
                `spec.replicas` is below `min-replicas` (2 by default); an unset `replicas` \
                means 1. Not reported: `replicas: 0` (scaled down on purpose), objects \
                controlled by another object (an `ownerReferences` entry with \
                `controller: true`, such as a Deployment's ReplicaSets), and workloads scaled \
                by a HorizontalPodAutoscaler or a KEDA ScaledObject of the scan (same \
                namespace, `scaleTargetRef` naming the workload), whose replica count the \
                autoscaler owns.",
        why: "A single replica is a single point of failure: every node drain, node failure, \
              eviction, rollout or crash takes the workload down until a new pod is \
              scheduled and ready, and a PodDisruptionBudget cannot protect it without \
              blocking node maintenance altogether. Two or more replicas, spread over nodes, \
              keep serving through these routine events.",
        remediation: "Run at least `min-replicas` replicas (spread across nodes or zones with \
                      pod anti-affinity or topology spread constraints), or let a \
                      HorizontalPodAutoscaler with `minReplicas` of at least that manage the \
                      count. Workloads that must be single (a leader-elected singleton, a \
                      single-instance database) deserve an exception with the reason.",
        example: "spec:\n  replicas: 3\n",
        references: &[
            "https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#replicas",
            "https://kubernetes.io/docs/tasks/run-application/configure-pdb/",
        ],
        equivalents: &[
            "kube-score:deployment-replicas",
            "polaris:deploymentMissingReplicas",
            "kube-linter:minimum-three-replicas",
        ],
        params: &[ParamSpec {
            name: "min-replicas",
            description: "The fewest replicas a workload should run.",
            default: ParamDefault::Int(2),
        }],
        ..CheckMeta::DEFAULT
    },
    run,
};

/// Whether another object controls this one (`ownerReferences[].controller: true`).
pub(crate) fn has_controller(obj: &Object) -> bool {
    obj.metadata()
        .and_then(|m| m.get("ownerReferences"))
        .map(Node::items)
        .unwrap_or_default()
        .any(|r| r.get("controller").and_then(Node::as_bool) == Some(true))
}

/// `spec.replicas`, with unset (or null) read as 1; None when it is not an integer
/// (an unrendered template, for example).
pub(crate) fn replicas(obj: &Object) -> Option<i64> {
    match obj.root.at("spec.replicas") {
        None => Some(1),
        Some(n) if n.is_null() => Some(1),
        Some(n) => n.as_i64(),
    }
}

/// What scales a workload: the kind of the autoscaler, its name and the most replicas it
/// may set.
pub(crate) struct Autoscaler<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    pub max_replicas: Option<i64>,
}

/// The HorizontalPodAutoscaler (group `autoscaling`) or KEDA ScaledObject (group
/// `keda.sh`) of the scan whose `scaleTargetRef` names this workload in its namespace.
pub(crate) fn autoscaler<'a>(ctx: &Ctx<'a>, obj: &Object) -> Option<Autoscaler<'a>> {
    let namespace = namespace_of(obj);
    let targets = |o: &Object, default_kind: Option<&str>| {
        let Some(target) = o.root.at("spec.scaleTargetRef") else {
            return false;
        };
        let text = |k: &str| target.get(k).and_then(Node::scalar_text);
        text("kind").or(default_kind) == Some(obj.kind.as_str()) && text("name") == Some(obj.name.as_str())
    };
    let hpa = ctx
        .inventory
        .in_namespace("HorizontalPodAutoscaler", namespace)
        .iter()
        .map(|&i| &ctx.objects[i])
        .find(|o| o.group() == "autoscaling" && targets(o, None))
        .map(|o| Autoscaler {
            kind: "HorizontalPodAutoscaler",
            name: &o.name,
            max_replicas: o.root.at("spec.maxReplicas").and_then(Node::as_i64),
        });
    hpa.or_else(|| {
        ctx.inventory
            .in_namespace("ScaledObject", namespace)
            .iter()
            .map(|&i| &ctx.objects[i])
            .find(|o| o.group() == "keda.sh" && targets(o, Some("Deployment")))
            .map(|o| Autoscaler {
                kind: "ScaledObject",
                name: &o.name,
                max_replicas: Some(
                    o.root
                        .at("spec.maxReplicaCount")
                        .and_then(Node::as_i64)
                        .unwrap_or(100),
                ),
            })
    })
}

fn run(ctx: &Ctx<'_>, obj: &Object, out: &mut Emitter<'_>) {
    if !matches!(obj.group(), "apps" | "extensions") || has_controller(obj) {
        return;
    }
    let Some(count) = replicas(obj) else { return };
    let min = ctx.params.int("min-replicas").unwrap_or(2);
    if count == 0 || count >= min || autoscaler(ctx, obj).is_some() {
        return;
    }
    let what = if obj.root.at("spec.replicas").is_some_and(|n| !n.is_null()) {
        format!("runs {count} replica{}", if count == 1 { "" } else { "s" })
    } else {
        "sets no replicas, so it runs 1".to_string()
    };
    out.object(
        "spec.replicas",
        format!(
            "{} {what}, fewer than {min}; run at least {min} for availability",
            obj.kind
        ),
    );
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use rampart_model::{Limits, Source, parse_source};

    use crate::{Enabled, ParamValue, Params, run};

    #[test]
    fn min_replicas_parameter() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\nspec:\n  replicas: 2\n";
        let source = Arc::new(Source::new("t.yaml".into(), Some(text.into())));
        let objects = parse_source(&source, &Limits::default()).objects;
        let check = &super::CHECK;
        let findings = |min: Option<i64>| {
            let mut params = Params::defaults(&check.meta);
            if let Some(min) = min {
                params.set("min-replicas", ParamValue::Int(min));
            }
            run(
                &[Enabled {
                    check,
                    severity: check.meta.severity,
                    params,
                }],
                &objects,
            )
        };
        assert!(findings(None).is_empty());
        let found = findings(Some(3));
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].pos.line, found[0].pos.col), (6, 3));
        assert!(found[0].message.contains("fewer than 3"));
    }
}
